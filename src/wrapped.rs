//! Fluent wrapper primitives on gateway targets: `service.logged().cached_for(ttl).dispatch()`.
//!
//! Each call wraps the target it is called on, so the last call is the outermost prefix.

use crate::chat::{ChatCall, ChatRequest, EmbeddingRequest, EmbeddingsCall, ModelsCall};
use crate::client::Client;
use crate::dispatch::{DispatchRequest, Target};
use crate::error::{Error, Kept, Result};
use crate::wrappers::{Delay, GatewayDuration, GatewayPath};

/// Something the gateway can address, and so wrap: a service, a group, an alias, or an
/// already wrapped target.
///
/// Each call wraps the target it is called on, so the last call is the outermost prefix.
/// A wrapper's options are in the method's name (`logged_complete`, `cached_for(ttl)`), so
/// no call takes a flag.
///
/// # Examples
///
/// ```no_run
/// use unitysvc::Wrappable;
///
/// # async fn run(client: unitysvc::Client, id: uuid::Uuid) -> unitysvc::Result<()> {
/// let service = client.services().get(id).await?;
/// // Logged, then memoized for an hour: `m/l/p/<id>?_ttl=1h`.
/// let answer = service
///     .logged()
///     .cached_for("1h".parse()?)
///     .dispatch()
///     .path("v1/chat/completions")
///     .json(&serde_json::json!({"model": "m", "messages": []}))
///     .send()
///     .await?;
/// println!("{}", answer.status());
/// # Ok(())
/// # }
/// ```
pub trait Wrappable {
    /// The gateway-relative path of this target, e.g. `p/<id>` or `m/g/llm?_ttl=1h`, or the
    /// input error an earlier wrapper call hit.
    fn gateway_path(&self) -> Result<GatewayPath>;

    /// The client requests to this target go through.
    fn client(&self) -> &Client;

    /// Logs calls through this target (`l/`), keeping a preview of each body.
    fn logged(&self) -> Wrapped {
        wrap(self, |p| Ok(p.logged()))
    }

    /// Logs calls through this target with whole request and response bodies
    /// (`l/`, `_complete=`).
    fn logged_complete(&self) -> Wrapped {
        wrap(self, |p| Ok(p.logged_complete()))
    }

    /// Memoizes answers for the platform's default time (`m/`).
    fn cached(&self) -> Wrapped {
        wrap(self, |p| Ok(p.cached()))
    }

    /// Memoizes answers for `ttl` (`m/`, `_ttl=`).
    fn cached_for(&self, ttl: GatewayDuration) -> Wrapped {
        wrap(self, |p| Ok(p.cached_for(ttl)))
    }

    /// Memoizes answers for the platform's default time, answering this call afresh
    /// (`m/`, `_renew=`).
    fn cached_renewed(&self) -> Wrapped {
        wrap(self, |p| Ok(p.cached_renewed()))
    }

    /// Memoizes answers for `ttl`, answering this call afresh (`m/`, `_ttl=`, `_renew=`).
    fn cached_for_renewed(&self, ttl: GatewayDuration) -> Wrapped {
        wrap(self, |p| Ok(p.cached_for_renewed(ttl)))
    }

    /// Falls back to `secondary` when this target fails (`f/`).
    fn with_failover<W: Wrappable + ?Sized>(&self, secondary: &W) -> Wrapped {
        let secondary = secondary.gateway_path();
        wrap(self, move |p| {
            p.with_failover(&secondary?)
                .map_err(|e| wrapper_error(e).with_parameter("secondary"))
                .map_err(|e| e.in_call("with_failover", None))
        })
    }

    /// Also sends each request to `secondary`, answering from this target (`t/`).
    fn with_tee<W: Wrappable + ?Sized>(&self, secondary: &W) -> Wrapped {
        let secondary = secondary.gateway_path();
        wrap(self, move |p| {
            p.with_tee(&secondary?)
                .map_err(|e| wrapper_error(e).with_parameter("secondary"))
                .map_err(|e| e.in_call("with_tee", None))
        })
    }

    /// Sends the request later: at a time or after a delay (`d/`).
    fn delayed(&self, when: Delay) -> Wrapped {
        wrap(self, move |p| Ok(p.delayed(&when)))
    }

    /// Repeats the request every `every` (`r/`).
    fn recurrent(&self, every: GatewayDuration) -> Wrapped {
        wrap(self, move |p| Ok(p.recurrent(every)))
    }

    /// Starts a request to this target's gateway path (not its interface URL).
    fn dispatch_path(&self) -> DispatchRequest {
        DispatchRequest::new(self.client().clone(), self.gateway_path().map(Target::Path))
    }

    /// Starts a request the way this target's own `dispatch()` does: through the picked
    /// interface for a service or group, through the gateway path for the rest.
    fn gateway_request(&self) -> DispatchRequest {
        self.dispatch_path()
    }

    /// Starts a chat completion (`chat/completions`); finish with `.send()` for the
    /// completion or `.stream()` for a [`ChatStream`](crate::chat::ChatStream).
    fn chat(&self, request: &ChatRequest) -> ChatCall {
        ChatCall::new(self.client().clone(), self.gateway_request(), request)
    }

    /// Starts an embeddings call (`embeddings`); finish with `.send()`.
    fn embeddings(&self, request: &EmbeddingRequest) -> EmbeddingsCall {
        EmbeddingsCall::new(self.gateway_request(), request)
    }

    /// Starts listing the models this target serves (`GET models`); finish with `.send()`.
    fn models(&self) -> ModelsCall {
        ModelsCall::new(self.gateway_request())
    }

    /// The base URL an OpenAI-compatible client uses for this target, with the customer
    /// key as its API key: the client appends `/chat/completions` and the like.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a wrapper that puts
    /// parameters in the query (`cached_for`, `delayed`, ...): a client appending paths to
    /// the base URL would put them after the query.
    fn openai_base_url(&self) -> Result<String> {
        let path = self
            .gateway_path()
            .map_err(|e| e.in_call("openai_base_url", None))?;
        if !path.query().is_empty() {
            return Err(Error::invalid_input(
                "a target whose wrappers set query parameters has no base URL an OpenAI \
                 client can append paths to",
            )
            .in_call("openai_base_url", None));
        }
        let root = self.client().inner.gateway.as_str().trim_end_matches('/');
        Ok(format!("{root}/{}", path.path().trim_start_matches('/')))
    }
}

fn wrap<T: Wrappable + ?Sized>(
    target: &T,
    f: impl FnOnce(GatewayPath) -> Result<GatewayPath>,
) -> Wrapped {
    Wrapped {
        client: target.client().clone(),
        path: target.gateway_path().and_then(f).map_err(Kept),
    }
}

pub(crate) fn wrapper_error(e: crate::wrappers::WrapperError) -> Error {
    Error::invalid_input(e.to_string())
}

/// A target with wrappers applied; wrap it further or dispatch through it.
#[derive(Debug, Clone)]
pub struct Wrapped {
    client: Client,
    path: Result<GatewayPath, Kept>,
}

impl Wrapped {
    /// Starts a request through the wrapped path.
    pub fn dispatch(&self) -> DispatchRequest {
        self.dispatch_path()
    }
}

impl Wrappable for Wrapped {
    fn gateway_path(&self) -> Result<GatewayPath> {
        self.path.clone().map_err(|e| e.0)
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

/// A raw gateway path as a wrappable target.
#[derive(Debug, Clone)]
pub struct GatewayTarget {
    client: Client,
    path: GatewayPath,
}

impl Wrappable for GatewayTarget {
    fn gateway_path(&self) -> Result<GatewayPath> {
        Ok(self.path.clone())
    }

    fn client(&self) -> &Client {
        &self.client
    }
}

impl Client {
    /// Starts a request to a gateway-relative path, such as `p/<id>/chat/completions`; it is
    /// sent to the gateway root.
    ///
    /// # Errors
    ///
    /// The returned request fails with [`ErrorKind::InvalidInput`](crate::ErrorKind) when
    /// the path is empty or absolute (`://`).
    pub fn dispatch(&self, path: &str) -> DispatchRequest {
        // Checked when sent, and only the first time: the URL built for a path is kept.
        DispatchRequest::new(self.clone(), Ok(Target::Raw(path.to_owned())))
    }

    /// A raw gateway path as a target to wrap, e.g. `client.target("p/x")?.logged()`.
    pub fn target(&self, path: &str) -> Result<GatewayTarget> {
        Ok(GatewayTarget {
            client: self.clone(),
            path: GatewayPath::raw(path).map_err(|e| {
                wrapper_error(e)
                    .with_parameter("path")
                    .in_call("client.target", None)
            })?,
        })
    }
}

impl Client {
    /// An alias (by name or id) as a gateway target: dispatch to it or wrap it.
    pub fn alias(&self, name_or_id: &str) -> Result<GatewayTarget> {
        if name_or_id.trim().is_empty() || name_or_id.contains('/') {
            return Err(
                Error::invalid_input(format!("{name_or_id:?} is not an alias name or id"))
                    .with_parameter("name_or_id")
                    .in_call("client.alias", None),
            );
        }
        Ok(GatewayTarget {
            client: self.clone(),
            path: GatewayPath::alias(name_or_id),
        })
    }
}

impl GatewayTarget {
    /// Starts a request to this target.
    pub fn dispatch(&self) -> DispatchRequest {
        self.dispatch_path()
    }
}
