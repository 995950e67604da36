//! TLS over loopback: which HTTP versions the client offers when it negotiates.
//!
//! The certificate in `tests/fixtures/tls` is a self-signed one made for these tests
//! (`CN=localhost`, P-256), so the client runs with `verify_ssl(false)`.
#![cfg(feature = "rustls")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::sync::Arc;
use unitysvc::Client;

/// Accepts one TLS connection offering `h2` and `http/1.1`, reports the protocol the
/// client picked, and answers one HTTP/1.1 request with `{}` when that was the pick.
fn serve_once() -> (u16, mpsc::Receiver<Option<Vec<u8>>>) {
    let cert = rustls::pki_types::CertificateDer::from(
        include_bytes!("fixtures/tls/localhost.cert.der").to_vec(),
    );
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
        include_bytes!("fixtures/tls/localhost.key.der")
            .to_vec()
            .into(),
    );
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let config = Arc::new(config);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (picked, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else {
            return;
        };
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        // Reading drives the handshake; the first bytes are the request (or h2's preface).
        let mut request = Vec::new();
        let mut buf = [0; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match tls.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
            if tls.conn.alpn_protocol() == Some(b"h2") {
                break;
            }
        }
        let protocol = tls.conn.alpn_protocol().map(<[u8]>::to_vec);
        let http1 = protocol.as_deref() != Some(b"h2");
        let _ = picked.send(protocol);
        if http1 {
            let _ = tls.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
            let _ = tls.flush();
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (port, rx)
}

fn client(port: u16) -> Client {
    Client::builder()
        .base_url(format!("https://localhost:{port}/v1"))
        .api_key("svcpass_test")
        .verify_ssl(false)
        .ignore_env()
        .build()
        .unwrap()
}

#[cfg(not(feature = "http2"))]
#[tokio::test]
async fn a_default_client_offers_only_http1_and_completes_the_call() {
    let (port, picked) = serve_once();
    let resp = client(port)
        .dispatch("p/anything/echo")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.json::<serde_json::Value>().unwrap(),
        serde_json::json!({})
    );
    assert_eq!(picked.recv().unwrap().as_deref(), Some(&b"http/1.1"[..]));
}

#[cfg(feature = "http2")]
#[tokio::test]
async fn the_http2_feature_offers_h2_first() {
    let (port, picked) = serve_once();
    // The test server stops after the handshake when h2 is picked, so the call fails;
    // the negotiated protocol is what counts.
    let _ = client(port).dispatch("p/anything/echo").send().await;
    assert_eq!(picked.recv().unwrap().as_deref(), Some(&b"h2"[..]));
}
