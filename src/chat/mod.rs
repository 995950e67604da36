//! Typed OpenAI-protocol calls: chat completions (buffered and streamed), embeddings and
//! the model list, on every gateway target.
//!
//! The gateway speaks OpenAI's protocol, so these types are OpenAI's wire shapes. Answers
//! are open: fields, finish reasons and roles this crate does not know still decode (into
//! the `extra` maps and the `Other` variants), since providers add their own.
//!
//! # Examples
//!
//! ```no_run
//! use unitysvc::chat::{ChatRequest, Message};
//! use unitysvc::Wrappable;
//!
//! # async fn run(client: unitysvc::Client) -> unitysvc::Result<()> {
//! let llm = client.groups().get("llm").await?;
//! let request = ChatRequest::new("gpt-4o-mini")
//!     .message(Message::system("Answer briefly."))
//!     .message(Message::user("What is Rust?"));
//! let answer = llm.chat(&request).send().await?;
//! println!("{}", answer.text().unwrap_or_default());
//! # Ok(())
//! # }
//! ```

mod accumulate;
mod call;

pub use accumulate::{ChatAccumulator, ChatStream};
pub use call::{ChatCall, EmbeddingsCall, ModelsCall};

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// Provider-specific fields kept as they came.
pub type Extra = Map<String, Value>;

/// `null` or a missing field as the type's default, since providers send either.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A map key, borrowed from the input when it can be, so known keys cost no allocation.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// A hand-written `Deserialize` for an open struct: known keys go to their fields (`null`
/// or missing as the default), every other key into `extra`. The derived one with
/// `#[serde(flatten)]` buffers the whole object first, which dominated stream decoding.
macro_rules! open_struct_de {
    ($name:ident { $($field:ident = $wire:literal,)* } extra) => {
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<Key<'de>>()? {
                            match key.as_str() {
                                $($wire => {
                                    out.$field = map.next_value::<Option<_>>()?.unwrap_or_default();
                                })*
                                _ => {
                                    let value = map.next_value::<Value>()?;
                                    out.extra.insert(key.into_string(), value);
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(V)
            }
        }
    };
}

macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A value this crate does not know, as it came.
            Other(String),
        }

        impl $name {
            /// The wire name.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)*
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::from(Key::deserialize(d)?.as_str()))
            }
        }
    };
}

open_enum!(
    /// Who wrote a message.
    Role {
        /// Instructions for the model.
        System = "system",
        /// Instructions for the model, as newer OpenAI models name them.
        Developer = "developer",
        /// The caller.
        User = "user",
        /// The model.
        Assistant = "assistant",
        /// A tool's result.
        Tool = "tool",
    }
);

open_enum!(
    /// Why the model stopped.
    FinishReason {
        /// A natural stop or a stop sequence.
        Stop = "stop",
        /// `max_tokens` reached.
        Length = "length",
        /// The model called tools.
        ToolCalls = "tool_calls",
        /// Content was filtered.
        ContentFilter = "content_filter",
        /// The model called a function (the older protocol).
        FunctionCall = "function_call",
    }
);

// ---------------------------------------------------------------------------------------
// The request
// ---------------------------------------------------------------------------------------

/// A chat completion request; build it with [`ChatRequest::new`] and the setters.
///
/// Streaming is chosen by the call ([`ChatCall::stream`]), not here: it sets
/// `"stream": true` and `stream_options.include_usage` itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChatRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    model: String,
    messages: Vec<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stop: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<ToolChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct StreamOptions {
    include_usage: bool,
}

impl ChatRequest {
    /// A request for `model` with no messages yet; an empty model leaves the field out,
    /// for upstreams that pick one.
    pub fn new(model: impl Into<String>) -> ChatRequest {
        ChatRequest {
            model: model.into(),
            ..ChatRequest::default()
        }
    }

    /// The model asked for.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The messages so far.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Appends a message.
    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    /// Appends several messages.
    pub fn messages_from(mut self, messages: impl IntoIterator<Item = Message>) -> Self {
        self.messages.extend(messages);
        self
    }

    /// Sampling temperature.
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Nucleus sampling mass.
    pub fn top_p(mut self, top_p: f64) -> Self {
        self.top_p = Some(top_p);
        self
    }

    /// The most tokens to generate.
    pub fn max_tokens(mut self, max_tokens: u32) -> Self {
        self.max_tokens = Some(max_tokens);
        self
    }

    /// Adds a stop sequence.
    pub fn stop(mut self, stop: impl Into<String>) -> Self {
        self.stop.push(stop.into());
        self
    }

    /// A seed for reproducible sampling.
    pub fn seed(mut self, seed: i64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Offers a tool to the model.
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Says whether and which tools the model must call.
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = Some(choice);
        self
    }

    /// Asks for text, any JSON object, or JSON matching a schema.
    pub fn response_format(mut self, format: ResponseFormat) -> Self {
        self.response_format = Some(format);
        self
    }

    /// Whether a streamed answer ends with a usage-only chunk; on unless set off here.
    pub fn include_usage(mut self, include: bool) -> Self {
        self.stream_options = Some(StreamOptions {
            include_usage: include,
        });
        self
    }

    /// An end-user id for the provider's abuse monitoring.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Any other field, sent as given (provider-specific options); it wins over nothing
    /// the typed setters set, since those are serialized first.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// This request as a streamed one: `"stream": true`, and usage unless set off.
    pub(crate) fn streamed(&self) -> ChatRequest {
        let mut req = self.clone();
        req.stream = Some(true);
        if req.stream_options.is_none() {
            req.stream_options = Some(StreamOptions {
                include_usage: true,
            });
        }
        req
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Message {
    /// Instructions for the model.
    System {
        /// The instructions.
        content: String,
    },
    /// The caller's turn.
    User {
        /// Text, or text and image parts.
        content: Content,
    },
    /// An earlier answer of the model, possibly with the tool calls it made.
    Assistant {
        /// The text, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<String>,
        /// The calls it made.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    /// A tool's result for one call.
    Tool {
        /// The call this answers.
        tool_call_id: String,
        /// The result.
        content: String,
    },
}

impl Message {
    /// A system message.
    pub fn system(content: impl Into<String>) -> Message {
        Message::System {
            content: content.into(),
        }
    }

    /// A user message of text.
    pub fn user(content: impl Into<String>) -> Message {
        Message::User {
            content: Content::Text(content.into()),
        }
    }

    /// A user message of parts (text and images).
    pub fn user_parts(parts: impl IntoIterator<Item = ContentPart>) -> Message {
        Message::User {
            content: Content::Parts(parts.into_iter().collect()),
        }
    }

    /// An assistant message of text.
    pub fn assistant(content: impl Into<String>) -> Message {
        Message::Assistant {
            content: Some(content.into()),
            tool_calls: Vec::new(),
        }
    }

    /// An assistant message that called tools, to send back with their results.
    pub fn assistant_tool_calls(tool_calls: impl IntoIterator<Item = ToolCall>) -> Message {
        Message::Assistant {
            content: None,
            tool_calls: tool_calls.into_iter().collect(),
        }
    }

    /// A tool's result for the call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Message {
        Message::Tool {
            tool_call_id: tool_call_id.into(),
            content: content.into(),
        }
    }
}

/// A user message's content: plain text or parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Content {
    /// Plain text.
    Text(String),
    /// Text and image parts.
    Parts(Vec<ContentPart>),
}

/// One part of a user message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContentPart {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL (or `data:` URL).
    ImageUrl {
        /// Where the image is.
        image_url: ImageUrl,
    },
}

/// An image reference of a [`ContentPart::ImageUrl`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageUrl {
    /// The URL.
    pub url: String,
    /// `low`, `high` or `auto`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ContentPart {
    /// A text part.
    pub fn text(text: impl Into<String>) -> ContentPart {
        ContentPart::Text { text: text.into() }
    }

    /// An image part by URL.
    pub fn image_url(url: impl Into<String>) -> ContentPart {
        ContentPart::ImageUrl {
            image_url: ImageUrl {
                url: url.into(),
                detail: None,
            },
        }
    }
}

/// A function tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// Always `function` today.
    #[serde(rename = "type")]
    pub kind: String,
    /// The function.
    pub function: FunctionDef,
}

/// A function's name, description and JSON-schema parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDef {
    /// The name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A JSON schema of its arguments object.
    pub parameters: Value,
}

impl Tool {
    /// A function tool whose parameters schema is derived from `T` with `schemars`.
    ///
    /// Needs the `schemars` feature; derive `schemars::JsonSchema` (schemars 0.8) on `T`.
    /// Without the feature, [`function_with_schema`](Self::function_with_schema) takes a
    /// schema written by hand.
    #[cfg(feature = "schemars")]
    #[cfg_attr(docsrs, doc(cfg(feature = "schemars")))]
    pub fn function<T: schemars::JsonSchema>(
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Tool {
        let mut settings = schemars::gen::SchemaSettings::draft07();
        settings.inline_subschemas = true;
        settings.meta_schema = None;
        let schema = settings.into_generator().into_root_schema_for::<T>();
        let mut parameters = serde_json::to_value(schema).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut parameters {
            // The title is the Rust type's name, noise to the model.
            map.remove("title");
        }
        Tool::function_with_schema(name, description, parameters)
    }

    /// A function tool with a parameters schema written by hand.
    pub fn function_with_schema(
        name: impl Into<String>,
        description: impl Into<String>,
        parameters: Value,
    ) -> Tool {
        let description = description.into();
        Tool {
            kind: "function".to_owned(),
            function: FunctionDef {
                name: name.into(),
                description: (!description.is_empty()).then_some(description),
                parameters,
            },
        }
    }
}

/// Whether and which tools the model must call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    /// Never call a tool.
    None,
    /// The model decides.
    Auto,
    /// Call at least one tool.
    Required,
    /// Call this function.
    Function(String),
}

impl Serialize for ToolChoice {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ToolChoice::None => s.serialize_str("none"),
            ToolChoice::Auto => s.serialize_str("auto"),
            ToolChoice::Required => s.serialize_str("required"),
            ToolChoice::Function(name) => {
                serde_json::json!({"type": "function", "function": {"name": name}}).serialize(s)
            }
        }
    }
}

/// The shape of the answer's content.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseFormat {
    /// Free text.
    Text,
    /// Any JSON object.
    JsonObject,
    /// JSON that matches `schema`.
    JsonSchema {
        /// A name for the schema.
        name: String,
        /// The JSON schema.
        schema: Value,
        /// Whether the provider must follow it exactly.
        strict: bool,
    },
}

impl Serialize for ResponseFormat {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let value = match self {
            ResponseFormat::Text => serde_json::json!({"type": "text"}),
            ResponseFormat::JsonObject => serde_json::json!({"type": "json_object"}),
            ResponseFormat::JsonSchema {
                name,
                schema,
                strict,
            } => serde_json::json!({"type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": strict}}),
        };
        value.serialize(s)
    }
}

// ---------------------------------------------------------------------------------------
// The answers
// ---------------------------------------------------------------------------------------

/// A chat completion: the buffered answer, or a stream's assembled one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatCompletion {
    /// The completion's id.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// `chat.completion`.
    #[serde(deserialize_with = "null_default")]
    pub object: String,
    /// Unix seconds.
    #[serde(deserialize_with = "null_default")]
    pub created: i64,
    /// The model that answered.
    #[serde(deserialize_with = "null_default")]
    pub model: String,
    /// The answers, one per `n`.
    #[serde(deserialize_with = "null_default")]
    pub choices: Vec<Choice>,
    /// Tokens used.
    pub usage: Option<Usage>,
    /// The backend configuration's fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ChatCompletion {
    /// The first choice's text, if it has any.
    pub fn text(&self) -> Option<&str> {
        self.choices.first()?.message.content.as_deref()
    }

    /// The first choice's tool calls.
    pub fn tool_calls(&self) -> &[ToolCall] {
        self.choices
            .first()
            .map_or(&[], |c| c.message.tool_calls.as_slice())
    }

    /// The first choice's finish reason.
    pub fn finish_reason(&self) -> Option<&FinishReason> {
        self.choices.first()?.finish_reason.as_ref()
    }
}

/// One answer of a completion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Choice {
    /// Its position among the choices.
    #[serde(deserialize_with = "null_default")]
    pub index: u32,
    /// The message.
    #[serde(deserialize_with = "null_default")]
    pub message: ChatMessage,
    /// Why the model stopped; `None` while a stream is still running.
    pub finish_reason: Option<FinishReason>,
    /// Fields this crate does not know (`logprobs` among them).
    #[serde(flatten)]
    pub extra: Extra,
}

/// The model's message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatMessage {
    /// Who wrote it; `assistant`.
    pub role: Role,
    /// The text.
    pub content: Option<String>,
    /// A refusal in place of the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// The tools it called.
    #[serde(
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tool_calls: Vec<ToolCall>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Default for ChatMessage {
    fn default() -> Self {
        ChatMessage {
            role: Role::Assistant,
            content: None,
            refusal: None,
            tool_calls: Vec::new(),
            extra: Extra::new(),
        }
    }
}

/// A tool call the model made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolCall {
    /// The call's id, quoted back in the tool's result.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// `function`.
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub kind: String,
    /// The function and its arguments.
    #[serde(deserialize_with = "null_default")]
    pub function: FunctionCall,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A called function's name and its arguments, a JSON text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunctionCall {
    /// The function's name.
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    /// The arguments as the model wrote them (JSON, not checked).
    #[serde(deserialize_with = "null_default")]
    pub arguments: String,
}

impl ToolCall {
    /// Decodes the arguments into `T`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`](crate::ErrorKind::Decode) when they are not JSON of that shape.
    pub fn arguments<T: DeserializeOwned>(&self) -> crate::Result<T> {
        serde_json::from_str(&self.function.arguments).map_err(|e| {
            crate::Error::new(
                crate::ErrorKind::Decode,
                format!(
                    "the arguments of tool call {:?} are not the expected JSON: {e}",
                    self.function.name
                ),
            )
        })
    }
}

/// Tokens used by a call.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Tokens in the prompt.
    pub prompt_tokens: u64,
    /// Tokens generated.
    pub completion_tokens: u64,
    /// Both.
    pub total_tokens: u64,
    /// Details this crate does not know (`prompt_tokens_details`, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

/// One chunk of a streamed completion.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChatChunk {
    /// The completion's id, the same in every chunk.
    pub id: String,
    /// `chat.completion.chunk`.
    pub object: String,
    /// Unix seconds.
    pub created: i64,
    /// The model that answers.
    pub model: String,
    /// This chunk's deltas; empty in the usage-only final chunk.
    pub choices: Vec<ChunkChoice>,
    /// Tokens used, in the final chunk when usage was asked for.
    pub usage: Option<Usage>,
    /// The backend configuration's fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ChatChunk {
    /// The text delta of the first choice, if any.
    pub fn text(&self) -> Option<&str> {
        self.choices
            .first()?
            .delta
            .content
            .as_deref()
            .filter(|t| !t.is_empty())
    }
}

/// One choice's delta in a chunk.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChunkChoice {
    /// Which choice this continues.
    pub index: u32,
    /// What is new.
    pub delta: Delta,
    /// Set in the choice's last chunk.
    pub finish_reason: Option<FinishReason>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// What a chunk adds to a choice's message.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Delta {
    /// Set in the first chunk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A text fragment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// A refusal fragment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// Tool call fragments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallDelta>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A fragment of one tool call: the first carries its id and name, the rest pieces of the
/// arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolCallDelta {
    /// Which call of the choice this continues.
    #[serde(deserialize_with = "null_default")]
    pub index: u32,
    /// The call's id, in its first fragment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `function`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name and argument fragments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionCallDelta>,
}

/// A fragment of a called function's name or arguments.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunctionCallDelta {
    /// The name (or a piece of it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A piece of the arguments' JSON text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

open_struct_de!(Usage {
    prompt_tokens = "prompt_tokens",
    completion_tokens = "completion_tokens",
    total_tokens = "total_tokens",
} extra);

open_struct_de!(ChatChunk {
    id = "id",
    object = "object",
    created = "created",
    model = "model",
    choices = "choices",
    usage = "usage",
    system_fingerprint = "system_fingerprint",
} extra);

open_struct_de!(ChunkChoice {
    index = "index",
    delta = "delta",
    finish_reason = "finish_reason",
} extra);

open_struct_de!(Delta {
    role = "role",
    content = "content",
    refusal = "refusal",
    tool_calls = "tool_calls",
} extra);

// ---------------------------------------------------------------------------------------
// Embeddings and models
// ---------------------------------------------------------------------------------------

/// An embeddings request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbeddingRequest {
    #[serde(skip_serializing_if = "String::is_empty")]
    model: String,
    input: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(flatten)]
    extra: Extra,
}

impl EmbeddingRequest {
    /// Embeds `input` (one text or several) with `model`.
    pub fn new<I, S>(model: impl Into<String>, input: I) -> EmbeddingRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        EmbeddingRequest {
            model: model.into(),
            input: input.into_iter().map(Into::into).collect(),
            dimensions: None,
            user: None,
            extra: Extra::new(),
        }
    }

    /// How many dimensions each vector has, for models that can shorten them.
    pub fn dimensions(mut self, dimensions: u32) -> Self {
        self.dimensions = Some(dimensions);
        self
    }

    /// An end-user id.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// Any other field, sent as given.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }
}

/// The vectors of an embeddings call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Embeddings {
    /// One per input, by `index`.
    #[serde(deserialize_with = "null_default")]
    pub data: Vec<Embedding>,
    /// The model that answered.
    #[serde(deserialize_with = "null_default")]
    pub model: String,
    /// Tokens used.
    pub usage: Option<Usage>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One input's vector.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Embedding {
    /// The input's position.
    #[serde(deserialize_with = "null_default")]
    pub index: u32,
    /// The vector.
    #[serde(deserialize_with = "null_default")]
    pub embedding: Vec<f32>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The models a target serves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelList {
    /// The models.
    #[serde(deserialize_with = "null_default")]
    pub data: Vec<Model>,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Model {
    /// The name to put in `model`.
    #[serde(deserialize_with = "null_default")]
    pub id: String,
    /// Who owns it.
    #[serde(deserialize_with = "null_default")]
    pub owned_by: String,
    /// Fields this crate does not know.
    #[serde(flatten)]
    pub extra: Extra,
}
