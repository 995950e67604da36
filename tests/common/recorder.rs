//! A loopback HTTP server that records every request the SDK makes, then either forwards it
//! (to the sandbox) or answers it with a fixed response.
//!
//! It speaks just enough HTTP/1.1 for the SDK's control-plane calls: one request per
//! connection (answered with `connection: close`), bodies sized by `content-length`.

use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path with its query, e.g. `/v1/enrollments/?shared=false`.
    pub target: String,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Seen {
    /// The body parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON request body")
    }
}

#[derive(Clone)]
enum Answer {
    Forward {
        upstream: String,
        http: reqwest::Client,
    },
    Fixed {
        status: u16,
        body: String,
    },
}

/// A running recorder; dropping it stops accepting connections.
pub struct Recorder {
    addr: std::net::SocketAddr,
    /// Where requests are forwarded: the interfaces the upstream lists point there.
    upstream: Option<String>,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Forwards every request to `upstream` (a root URL such as the sandbox's
    /// `http://127.0.0.1:port`), recording it on the way.
    pub async fn forwarding_to(upstream: &str) -> Recorder {
        // Building an SDK client first installs the TLS provider the bare reqwest client needs.
        let _ = unitysvc::Client::builder().ignore_env().build();
        let http = super::http_builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("forwarding client");
        Recorder::start(Answer::Forward {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http,
        })
        .await
    }

    /// Answers every request with `status` and the JSON `body`.
    pub async fn answering(status: u16, body: impl Into<String>) -> Recorder {
        Recorder::start(Answer::Fixed {
            status,
            body: body.into(),
        })
        .await
    }

    async fn start(answer: Answer) -> Recorder {
        let upstream = match &answer {
            Answer::Forward { upstream, .. } => Some(upstream.clone()),
            Answer::Fixed { .. } => None,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (answer, log) = (answer.clone(), log.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, answer, log).await;
                });
            }
        });
        Recorder {
            addr,
            upstream,
            seen,
            task,
        }
    }

    /// The control-plane URL to give the SDK client (`…/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// A client with `api_key` whose control-plane calls go through this recorder; it
    /// trusts the upstream, where the interfaces the upstream lists point.
    pub fn client(&self, api_key: &str) -> unitysvc::Client {
        let mut builder = unitysvc::Client::builder()
            .base_url(self.base_url())
            .api_key(api_key)
            .ignore_env();
        if let Some(upstream) = &self.upstream {
            builder = builder.trust_origin(upstream);
        }
        builder.build().expect("recorded client")
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Forgets the requests so far.
    pub fn clear(&self) {
        self.seen.lock().unwrap().clear();
    }
}

async fn serve(
    mut stream: TcpStream,
    answer: Answer,
    log: Arc<Mutex<Vec<Seen>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    log.lock().unwrap().push(Seen {
        method: method.clone(),
        target: target.clone(),
        body: body.clone(),
    });

    let (status, content_type, reply) = match answer {
        Answer::Fixed { status, body } => {
            (status, "application/json".to_owned(), body.into_bytes())
        }
        Answer::Forward { upstream, http } => {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = http.request(method, format!("{upstream}{target}"));
            for (name, value) in &headers {
                if !matches!(name.as_str(), "host" | "content-length" | "connection") {
                    req = req.header(name, value);
                }
            }
            let resp = req.body(body).send().await.expect("forward to upstream");
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/json")
                .to_owned();
            (
                status,
                content_type,
                resp.bytes().await.expect("upstream body").to_vec(),
            )
        }
    };
    let head = format!(
        "HTTP/1.1 {status} Recorded\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        reply.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&reply).await?;
    stream.shutdown().await
}

/// A fresh sandbox, a recorder forwarding to it, and a client (the demo key) talking
/// through the recorder.
pub async fn sandbox() -> (unitysvc_sandbox::Sandbox, Recorder, unitysvc::Client) {
    let (sb, _) = super::start().await;
    let recorder = Recorder::forwarding_to(&sb.gateway_url()).await;
    let client = recorder.client(sb.api_key());
    (sb, recorder, client)
}
