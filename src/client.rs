//! [`Client`], its builder, and the accessors to every resource.

use crate::cache::{InterfaceCache, UrlMemo};
use crate::config::{
    self, ApiKey, Config, RetryPolicy, DEFAULT_API_URL, DEFAULT_INTERFACE_CACHE_TTL,
    DEFAULT_MAX_ERROR_BODY, DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT, ENV_API_BASE_URL, ENV_API_KEY, ENV_API_URL,
    ENV_S3_BASE_URL, ENV_SMTP_BASE_URL, INTERFACE_CACHE_CAPACITY,
};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Hooks, Limits, Origins};
use crate::low_level;
use std::sync::Arc;
use std::time::Duration;

/// The asynchronous UnitySVC client.
///
/// It is cheap to clone: clones share one connection pool and configuration.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> unitysvc::Result<()> {
/// let client = unitysvc::Client::new("svcpass_...")?;
/// let groups = client.groups().list().send().await?;
/// for group in &groups {
///     println!("{}", group.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) low: low_level::Client,
    /// Gateway calls share the pool but carry no total timeout, so long streams live.
    pub(crate) http: reqwest::Client,
    /// The gateway root, parsed once: gateway URLs are built from it without re-parsing
    /// its scheme and host.
    pub(crate) gateway: reqwest::Url,
    /// Service interfaces, so a service dispatch is one round trip; filled and emptied by
    /// `dispatch/interfaces.rs`.
    pub(crate) interfaces: InterfaceCache,
    /// Gateway URLs built so far, so a path is parsed and checked once.
    pub(crate) urls: UrlMemo,
    /// The hooks the low-level client was built with, to build a twin.
    // Only the blocking client builds twins; without it the field is kept but unread.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    hooks: Hooks,
    /// Whether `http` was built here from `config` (not given by the caller), so a twin
    /// with its own connection pool can be built the same way.
    #[cfg_attr(not(feature = "blocking"), allow(dead_code))]
    own_http: bool,
}

impl Client {
    /// Builds a client for `api_key` with defaults and environment fallbacks for the URLs.
    ///
    /// # Errors
    ///
    /// An [`ErrorKind::InvalidInput`] error when the key is empty or a URL from the
    /// environment is malformed.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder().api_key(api_key).build()
    }

    /// Builds a client from `UNITYSVC_API_KEY`, `UNITYSVC_API_URL` and the gateway URL
    /// variables; without a key the client is anonymous and can only browse the catalog.
    pub fn from_env() -> Result<Client> {
        let mut builder = Client::builder();
        if let Some(key) = config::env_var(ENV_API_KEY) {
            builder = builder.api_key(key);
        }
        builder.build()
    }

    /// Builds a client without an API key, for browsing groups, services and documents.
    pub fn anonymous() -> Result<Client> {
        Client::builder().build()
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The generated low-level client, for operations the hand-written layer does not wrap.
    ///
    /// It shares this client's base URL, authentication, timeout and retry policy.
    pub fn low_level(&self) -> &low_level::Client {
        &self.inner.low
    }

    /// The HTTP API gateway root, e.g. `https://api.unitysvc.com`.
    pub fn gateway_url(&self) -> &str {
        self.inner.config.gateway_url()
    }

    /// The HTTP API gateway URL as configured, for downstream SDKs.
    pub fn api_base_url(&self) -> Option<&str> {
        self.inner.config.api_base_url()
    }

    /// The S3 gateway URL as configured, for downstream SDKs.
    pub fn s3_base_url(&self) -> Option<&str> {
        self.inner.config.s3_base_url()
    }

    /// The SMTP gateway URL as configured, for downstream SDKs.
    pub fn smtp_base_url(&self) -> Option<&str> {
        self.inner.config.smtp_base_url()
    }

    /// The auth, timeout and retry settings every request gets; the generated client
    /// carries them, so gateway requests read them from there too.
    pub(crate) fn hooks(&self) -> &Hooks {
        progenitor_client::ClientInfo::inner(&self.inner.low)
    }

    /// A request to a URL outside the platform, such as a presigned storage link: it gets
    /// the client's timeout but never the API key.
    pub(crate) fn external_request(
        &self,
        method: reqwest::Method,
        url: &str,
    ) -> reqwest::RequestBuilder {
        let builder = self.inner.http.request(method, url);
        match self.inner.config.timeout {
            Some(limit) => builder.timeout(limit),
            None => builder,
        }
    }

    /// The same client with a connection pool of its own (and fresh caches), or `None`
    /// when its HTTP client came from the caller and cannot be rebuilt.
    ///
    /// A pool's connections are driven by the runtime that opened them; the blocking
    /// client, whose runtime only runs during calls, keeps its connections apart.
    #[cfg(feature = "blocking")]
    pub(crate) fn with_own_pool(&self) -> Result<Option<Client>> {
        if !self.inner.own_http {
            return Ok(None);
        }
        let config = self.inner.config.clone();
        let clients = build_clients(&config)?;
        Ok(Some(Client::assemble(
            config,
            clients,
            self.inner.hooks.clone(),
            true,
        )?))
    }

    fn assemble(
        config: Config,
        clients: HttpClients,
        hooks: Hooks,
        own_http: bool,
    ) -> Result<Client> {
        let HttpClients { control, http } = clients;
        let low = low_level::Client::new_with_client(&config.base_url, control, hooks.clone());
        let gateway = reqwest::Url::parse(config.gateway_url()).map_err(|e| {
            Error::invalid_input(format!(
                "the gateway URL {:?} is not a valid URL: {e}",
                config.gateway_url()
            ))
        })?;
        let interfaces = InterfaceCache::new(config.interface_cache_ttl, INTERFACE_CACHE_CAPACITY);
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                low,
                http,
                gateway,
                interfaces,
                urls: UrlMemo::default(),
                hooks,
                own_http,
            }),
        })
    }

    /// Fails before sending when the call needs an API key and the client has none.
    pub(crate) fn require_key(&self, operation: &str) -> Result<()> {
        if self.inner.config.api_key.is_some() {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::Authentication,
                format!(
                    "this call needs an API key; this client is anonymous (set {ENV_API_KEY} or use Client::new)"
                ),
            )
            .in_call(operation, None))
        }
    }
}

/// Configures and builds a [`Client`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    api_base_url: Option<String>,
    s3_base_url: Option<String>,
    smtp_base_url: Option<String>,
    timeout: Option<Option<Duration>>,
    stream_idle_timeout: Option<Option<Duration>>,
    max_event_size: Option<usize>,
    max_response_size: Option<usize>,
    max_error_body: Option<usize>,
    verify_ssl: Option<bool>,
    user_agent: Option<String>,
    http_client: Option<reqwest::Client>,
    retry: Option<RetryPolicy>,
    interface_cache_ttl: Option<Duration>,
    trusted_origins: Vec<String>,
    compression: Option<bool>,
    ignore_env: bool,
}

impl ClientBuilder {
    /// Sets the customer API key (`svcpass_…`).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sets the control-plane URL; the default is `UNITYSVC_API_URL`, then
    /// `https://api.unitysvc.com/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets the HTTP API gateway URL; the default is `UNITYSVC_API_BASE_URL`, then the
    /// control-plane URL without its `/v1`.
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = Some(url.into());
        self
    }

    /// Sets the S3 gateway URL; the default is `UNITYSVC_S3_BASE_URL`.
    pub fn s3_base_url(mut self, url: impl Into<String>) -> Self {
        self.s3_base_url = Some(url.into());
        self
    }

    /// Sets the SMTP gateway URL; the default is `UNITYSVC_SMTP_BASE_URL`.
    pub fn smtp_base_url(mut self, url: impl Into<String>) -> Self {
        self.smtp_base_url = Some(url.into());
        self
    }

    /// Sets the per-request timeout (30 s by default).
    ///
    /// Streams are not cut by it once their headers arrive; see
    /// [`stream_idle_timeout`](Self::stream_idle_timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// Lets requests wait for an answer forever.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// Sets how long a streaming body may go without bytes before it fails (60 s by
    /// default).
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = Some(Some(timeout));
        self
    }

    /// Lets a streaming body go without bytes forever.
    pub fn no_stream_idle_timeout(mut self) -> Self {
        self.stream_idle_timeout = Some(None);
        self
    }

    /// Sets how many bytes a stream may hold for the event it is assembling (a line, an
    /// SSE frame) before it fails (16 MiB by default), so a misbehaving server cannot grow
    /// the buffer without bound; heartbeats and finished events do not count.
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = Some(bytes);
        self
    }

    /// Sets the largest buffered success body accepted, control plane and gateway
    /// (32 MiB by default); a larger one fails with [`ErrorKind::TooLarge`]. Error answers
    /// are cut at [`max_error_body_size`](Self::max_error_body_size) instead, so they keep
    /// their status.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = Some(bytes);
        self
    }

    /// Sets how much of an error answer's body is read and kept (64 KiB by default), in an
    /// [`Error`] or a gateway [`Response`](crate::Response); the rest is dropped unread.
    pub fn max_error_body_size(mut self, bytes: usize) -> Self {
        self.max_error_body = Some(bytes);
        self
    }

    /// Turns TLS certificate verification off when `false`; only for test setups.
    pub fn verify_ssl(mut self, verify: bool) -> Self {
        self.verify_ssl = Some(verify);
        self
    }

    /// Sets the `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Uses a caller-built `reqwest::Client` (proxies, custom TLS); its own timeouts and
    /// redirect policy apply, so give it `redirect::Policy::none()` to keep the SDK's rule
    /// that no request follows a redirect to another origin.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the retry policy of control-plane calls: 2 retries by default, within a
    /// client-wide [`RetryBudget`](crate::RetryBudget) of 500 tokens (5 a retry).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets how long a service's interfaces are kept for dispatching to it (5 minutes by
    /// default); `Duration::ZERO` looks them up on every dispatch.
    ///
    /// The cache holds up to 1024 services. A service's entry is dropped early when the
    /// gateway answers 404 or 410 through its interface, and when one of its enrollments
    /// is created, activated or cancelled through this client.
    pub fn interface_cache_ttl(mut self, ttl: Duration) -> Self {
        self.interface_cache_ttl = Some(ttl);
        self
    }

    /// Lets the API key and the caller's headers go to `origin`
    /// (`scheme://host[:port]`, e.g. `https://eu.gateway.example`) too.
    ///
    /// The key goes only to the origins of `base_url` and the api/s3/smtp gateway URLs
    /// (configured or defaulted). A URL from a server answer, such as an interface's
    /// `base_url`, on any other origin is refused with [`ErrorKind::InvalidInput`] before
    /// anything is sent, unless it is trusted here. An argument that is not an http(s)
    /// origin (a path, query or user info included) fails at [`build`](Self::build).
    pub fn trust_origin(mut self, origin: impl Into<String>) -> Self {
        self.trusted_origins.push(origin.into());
        self
    }

    /// Asks for gzip or zstd answers on control-plane calls and decodes them (on by default);
    /// size caps count the decoded bytes.
    ///
    /// Gateway calls never ask on their own: an `Accept-Encoding` the caller sets goes as
    /// it is and the body comes back undecoded. A client given through
    /// [`http_client`](Self::http_client) keeps its own decompression settings.
    pub fn compression(mut self, enabled: bool) -> Self {
        self.compression = Some(enabled);
        self
    }

    /// Ignores the `UNITYSVC_*` environment variables for URLs.
    pub fn ignore_env(mut self) -> Self {
        self.ignore_env = true;
        self
    }

    fn env(&self, name: &str) -> Option<String> {
        if self.ignore_env {
            None
        } else {
            config::env_var(name)
        }
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an empty key, a malformed URL, or a TLS setup
    /// reqwest rejects.
    pub fn build(self) -> Result<Client> {
        let api_key = self.api_key.as_deref().map(ApiKey::new).transpose()?;
        let base_url = match self.base_url.clone().or_else(|| self.env(ENV_API_URL)) {
            Some(url) => config::normalize_url("base_url", &url)?,
            None => DEFAULT_API_URL.to_owned(),
        };
        let optional = |explicit: &Option<String>, env: &str, what: &str| {
            explicit
                .clone()
                .or_else(|| self.env(env))
                .map(|url| config::normalize_url(what, &url))
                .transpose()
        };
        let api_base_url = optional(&self.api_base_url, ENV_API_BASE_URL, "api_base_url")?;
        let s3_base_url = optional(&self.s3_base_url, ENV_S3_BASE_URL, "s3_base_url")?;
        let smtp_base_url = optional(&self.smtp_base_url, ENV_SMTP_BASE_URL, "smtp_base_url")?;
        let trusted_origins = self
            .trusted_origins
            .iter()
            .map(|origin| config::normalize_origin(origin))
            .collect::<Result<Vec<_>>>()?;
        let config = Config {
            api_key,
            base_url,
            api_base_url,
            s3_base_url,
            smtp_base_url,
            timeout: self.timeout.unwrap_or(Some(DEFAULT_TIMEOUT)),
            stream_idle_timeout: self
                .stream_idle_timeout
                .unwrap_or(Some(DEFAULT_STREAM_IDLE_TIMEOUT)),
            max_event_size: self.max_event_size.unwrap_or(DEFAULT_MAX_EVENT_SIZE),
            max_response_size: self.max_response_size.unwrap_or(DEFAULT_MAX_RESPONSE_SIZE),
            max_error_body: self.max_error_body.unwrap_or(DEFAULT_MAX_ERROR_BODY),
            verify_ssl: self.verify_ssl.unwrap_or(true),
            user_agent: self
                .user_agent
                .unwrap_or_else(|| format!("unitysvc-rust/{}", env!("CARGO_PKG_VERSION"))),
            retry: self.retry.unwrap_or_default(),
            interface_cache_ttl: self
                .interface_cache_ttl
                .unwrap_or(DEFAULT_INTERFACE_CACHE_TTL),
            trusted_origins,
            compression: self.compression.unwrap_or(true),
        };
        let (clients, own_http) = match self.http_client {
            Some(client) => (
                HttpClients {
                    control: client.clone(),
                    http: client,
                },
                false,
            ),
            None => (build_clients(&config)?, true),
        };
        let hooks = Hooks::new(
            config.api_key.as_ref(),
            &config.user_agent,
            config.timeout,
            config.retry,
            Limits {
                max_response_size: config.max_response_size,
                max_error_body: config.max_error_body,
            },
            Origins::new(config.origins())?,
            // A client from the caller asks for what its own settings say.
            config.compression && own_http,
        )?;
        Client::assemble(config, clients, hooks, own_http)
    }
}

/// The HTTP clients of the control plane and of the gateway.
struct HttpClients {
    control: reqwest::Client,
    http: reqwest::Client,
}

/// Control-plane calls decode compressed answers; gateway calls pass bodies through as
/// they come, so they get a client of their own unless compression is off, when one
/// client (and one pool) serves both.
fn build_clients(config: &Config) -> Result<HttpClients> {
    let http = build_http(config, false)?;
    let control = if config.compression {
        build_http(config, true)?
    } else {
        http.clone()
    };
    Ok(HttpClients { control, http })
}

fn build_http(config: &Config, decompress: bool) -> Result<reqwest::Client> {
    // zstd is decoded by the hooks in pure Rust (see `zstd_body`), and `no_*`
    // holds even when another crate in the build turns reqwest's codec features on.
    let builder = reqwest::Client::builder()
        .gzip(decompress)
        .no_zstd()
        .no_brotli()
        .no_deflate()
        .connect_timeout(
            config
                .timeout
                .unwrap_or(DEFAULT_TIMEOUT)
                .min(DEFAULT_TIMEOUT),
        )
        .redirect(same_origin_redirects());
    tls(builder, config.verify_ssl)?.build().map_err(|e| {
        Error::new(ErrorKind::InvalidInput, "cannot build the HTTP client").with_source(e)
    })
}

/// Follows redirects within the origin the request was sent to, up to 10; a redirect
/// elsewhere is not followed and its 3xx comes back as the answer, so no header (the key
/// included) and no body ever reaches another origin.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > 10 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

/// Gives the client its own rustls configuration (ring, the platform's roots), so no
/// process-wide crypto provider is read or installed.
#[cfg(feature = "rustls")]
fn tls(builder: reqwest::ClientBuilder, verify: bool) -> Result<reqwest::ClientBuilder> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls_error = |e: rustls::Error| {
        Error::new(ErrorKind::InvalidInput, "cannot configure TLS").with_source(e)
    };
    let versions = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?;
    let mut config = if verify {
        versions.with_platform_verifier().map_err(tls_error)?
    } else {
        versions
            .dangerous()
            .with_custom_certificate_verifier(std::sync::Arc::new(insecure::AcceptAny(provider)))
    }
    .with_no_client_auth();
    // Offering h2 without the HTTP/2 stack would fail on every server that picks it.
    config.alpn_protocols = if cfg!(feature = "http2") {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(builder.tls_backend_preconfigured(config))
}

#[cfg(all(feature = "native-tls", not(feature = "rustls")))]
fn tls(builder: reqwest::ClientBuilder, verify: bool) -> Result<reqwest::ClientBuilder> {
    Ok(builder
        .tls_backend_native()
        .tls_danger_accept_invalid_certs(!verify))
}

#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
fn tls(builder: reqwest::ClientBuilder, _verify: bool) -> Result<reqwest::ClientBuilder> {
    Ok(builder)
}

/// The verifier behind `verify_ssl(false)`: it checks signatures but trusts any
/// certificate, which is only fit for test setups.
#[cfg(feature = "rustls")]
mod insecure {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, Error, SignatureScheme};
    use std::sync::Arc;

    #[derive(Debug)]
    pub(super) struct AcceptAny(pub(super) Arc<CryptoProvider>);

    impl ServerCertVerifier for AcceptAny {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}
