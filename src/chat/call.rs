//! The calls: a chat completion (buffered or streamed), embeddings, the model list.

use super::{ChatCompletion, ChatRequest, ChatStream, EmbeddingRequest, Embeddings, ModelList};
use crate::client::Client;
use crate::dispatch::DispatchRequest;
use crate::error::{Error, Result};
use futures::StreamExt;
use reqwest::Method;
use std::time::Duration;

macro_rules! dispatch_options {
    () => {
        /// Chooses the interface by name or id (services only).
        pub fn interface(mut self, name_or_id: impl Into<String>) -> Self {
            self.request = self.request.interface(name_or_id);
            self
        }

        /// Picks the interface bound to this enrollment (services only).
        pub fn enrollment(mut self, enrollment: impl crate::Id) -> Self {
            self.request = self.request.enrollment(enrollment);
            self
        }

        /// Adds a header; it wins over the client's own.
        pub fn header(mut self, name: &str, value: &str) -> Self {
            self.request = self.request.header(name, value);
            self
        }

        /// Sets this call's timeout, replacing the client's.
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.request = self.request.timeout(timeout);
            self
        }
    };
}

/// A chat completion call on a gateway target; finish it with [`send`](Self::send) or
/// [`stream`](Self::stream).
#[derive(Debug, Clone)]
#[must_use = "a chat call does nothing until it is sent"]
pub struct ChatCall {
    client: Client,
    request: DispatchRequest,
    body: ChatRequest,
}

impl ChatCall {
    pub(crate) fn new(client: Client, request: DispatchRequest, body: &ChatRequest) -> ChatCall {
        ChatCall {
            client,
            request,
            body: body.clone(),
        }
    }

    dispatch_options!();

    fn checked(&self) -> Result<()> {
        if self.body.messages.is_empty() {
            return Err(
                Error::invalid_input("a chat request needs at least one message")
                    .with_parameter("messages")
                    .in_call("chat", None),
            );
        }
        Ok(())
    }

    /// Sends the request and decodes the completion.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a request without
    /// messages (nothing is sent); a non-2xx answer as the error of its status, carrying
    /// the upstream's error object ([`Error::upstream_error`]); the errors of
    /// [`DispatchRequest::send`].
    pub async fn send(self) -> Result<ChatCompletion> {
        self.checked()?;
        send_json(
            self.request
                .method(Method::POST)
                .path("chat/completions")
                .json(&self.body),
        )
        .await
    }

    /// Sends the request as a stream (`"stream": true`, with usage unless the request
    /// turned it off) and returns once the headers arrive.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send); errors after the headers are items of the stream.
    pub async fn stream(self) -> Result<ChatStream> {
        self.checked()?;
        let resp = self
            .request
            .method(Method::POST)
            .path("chat/completions")
            .json(&self.body.streamed())
            .stream()
            .await?;
        if !resp.status().is_success() {
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let limit = self.client.hooks().limits().max_error_body;
            let mut body = Vec::new();
            let mut bytes = resp.bytes();
            while let Some(piece) = bytes.next().await {
                let Ok(piece) = piece else { break };
                body.extend_from_slice(&piece);
                if body.len() >= limit {
                    break;
                }
            }
            let err =
                Error::from_status(status, &headers, body.into(), limit).in_call("chat", None);
            return Err(self.client.hooks().scrub(err));
        }
        Ok(ChatStream::from_response(resp))
    }
}

/// An embeddings call on a gateway target; finish it with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "an embeddings call does nothing until it is sent"]
pub struct EmbeddingsCall {
    request: DispatchRequest,
    body: EmbeddingRequest,
}

impl EmbeddingsCall {
    pub(crate) fn new(request: DispatchRequest, body: &EmbeddingRequest) -> EmbeddingsCall {
        EmbeddingsCall {
            request,
            body: body.clone(),
        }
    }

    dispatch_options!();

    /// Sends the request and decodes the vectors.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for no input (nothing
    /// is sent); otherwise as [`ChatCall::send`].
    pub async fn send(self) -> Result<Embeddings> {
        if self.body.input.is_empty() {
            return Err(
                Error::invalid_input("an embeddings request needs some input")
                    .with_parameter("input")
                    .in_call("embeddings", None),
            );
        }
        send_json(
            self.request
                .method(Method::POST)
                .path("embeddings")
                .json(&self.body),
        )
        .await
    }
}

/// A call listing the models a target serves; finish it with [`send`](Self::send).
#[derive(Debug, Clone)]
#[must_use = "a models call does nothing until it is sent"]
pub struct ModelsCall {
    request: DispatchRequest,
}

impl ModelsCall {
    pub(crate) fn new(request: DispatchRequest) -> ModelsCall {
        ModelsCall { request }
    }

    dispatch_options!();

    /// Sends the request and decodes the list.
    ///
    /// # Errors
    ///
    /// As [`ChatCall::send`].
    pub async fn send(self) -> Result<ModelList> {
        send_json(self.request.method(Method::GET).path("models")).await
    }
}

async fn send_json<T: serde::de::DeserializeOwned>(request: DispatchRequest) -> Result<T> {
    request.send().await?.error_for_status()?.json()
}
