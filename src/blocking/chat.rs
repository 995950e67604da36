//! Blocking typed LLM calls; see [`crate::chat`].

use super::Rt;
use crate::chat::{
    ChatChunk, ChatCompletion, ChatRequest, EmbeddingRequest, Embeddings, ModelList,
};
use crate::error::Result;
use crate::Wrappable;
use futures::StreamExt;
use std::time::Duration;

macro_rules! blocking_call {
    ($(#[$doc:meta])* $name:ident, $answer:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        #[must_use = "a call does nothing until it is sent"]
        pub struct $name {
            inner: crate::chat::$name,
            rt: Rt,
        }

        impl $name {
            pub(crate) fn new(rt: &Rt, inner: crate::chat::$name) -> $name {
                $name { inner, rt: rt.clone() }
            }

            fn with(self, f: impl FnOnce(crate::chat::$name) -> crate::chat::$name) -> Self {
                $name { inner: f(self.inner), rt: self.rt }
            }

            /// Chooses the interface by name or id (services only).
            pub fn interface(self, name_or_id: impl Into<String>) -> Self {
                self.with(|c| c.interface(name_or_id))
            }

            /// Picks the interface bound to this enrollment (services only).
            pub fn enrollment(self, enrollment: impl crate::Id) -> Self {
                self.with(|c| c.enrollment(enrollment))
            }

            /// Adds a header.
            pub fn header(self, name: &str, value: &str) -> Self {
                self.with(|c| c.header(name, value))
            }

            /// Sets this call's timeout.
            pub fn timeout(self, timeout: Duration) -> Self {
                self.with(|c| c.timeout(timeout))
            }

            /// Sends the call and decodes the answer.
            pub fn send(self) -> Result<$answer> {
                self.rt.block_on(self.inner.send())
            }
        }
    };
}

blocking_call!(
    /// A blocking chat completion call; see [`crate::chat::ChatCall`].
    ChatCall,
    ChatCompletion
);
blocking_call!(
    /// A blocking embeddings call; see [`crate::chat::EmbeddingsCall`].
    EmbeddingsCall,
    Embeddings
);
blocking_call!(
    /// A blocking model-list call; see [`crate::chat::ModelsCall`].
    ModelsCall,
    ModelList
);

impl ChatCall {
    /// Sends the call as a stream; see [`crate::chat::ChatCall::stream`].
    pub fn stream(self) -> Result<ChatStream> {
        let inner = self.rt.block_on(self.inner.stream())?;
        Ok(ChatStream { inner, rt: self.rt })
    }
}

/// A blocking streamed completion: an [`Iterator`] of chunks; see
/// [`crate::chat::ChatStream`].
#[derive(Debug)]
pub struct ChatStream {
    inner: crate::chat::ChatStream,
    rt: Rt,
}

impl ChatStream {
    /// The completion assembled so far.
    pub fn snapshot(&self) -> ChatCompletion {
        self.inner.snapshot()
    }

    /// The text deltas of the first choice only.
    pub fn text(&mut self) -> impl Iterator<Item = Result<String>> + '_ {
        self.filter_map(|chunk| match chunk {
            Ok(chunk) => chunk.text().map(|t| Ok(t.to_owned())),
            Err(e) => Some(Err(e)),
        })
    }

    /// Reads the rest of the stream and returns the whole completion.
    pub fn into_completion(self) -> Result<ChatCompletion> {
        self.rt.block_on(self.inner.into_completion())
    }
}

impl Iterator for ChatStream {
    type Item = Result<ChatChunk>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rt.block_on(self.inner.next())
    }
}

impl super::Client {
    /// Starts a chat completion on any gateway target, e.g. `client.alias("x")?`.
    pub fn chat_to(&self, target: &impl Wrappable, request: &ChatRequest) -> ChatCall {
        ChatCall::new(&self.rt, target.chat(request))
    }

    /// Starts an embeddings call on any gateway target.
    pub fn embeddings_to(
        &self,
        target: &impl Wrappable,
        request: &EmbeddingRequest,
    ) -> EmbeddingsCall {
        EmbeddingsCall::new(&self.rt, target.embeddings(request))
    }

    /// Starts listing the models of any gateway target.
    pub fn models_to(&self, target: &impl Wrappable) -> ModelsCall {
        ModelsCall::new(&self.rt, target.models())
    }
}

macro_rules! record_calls {
    ($($record:ident),*) => {
        $(
            impl super::$record {
                /// Starts a chat completion through this target.
                pub fn chat(&self, request: &ChatRequest) -> ChatCall {
                    ChatCall::new(&self.rt, self.inner.chat(request))
                }

                /// Starts an embeddings call through this target.
                pub fn embeddings(&self, request: &EmbeddingRequest) -> EmbeddingsCall {
                    EmbeddingsCall::new(&self.rt, self.inner.embeddings(request))
                }

                /// Starts listing the models this target serves.
                pub fn models(&self) -> ModelsCall {
                    ModelsCall::new(&self.rt, self.inner.models())
                }
            }
        )*
    };
}

record_calls!(Service, Group);
