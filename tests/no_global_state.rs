//! Adding the SDK to an application changes nothing else in it: no process-wide TLS
//! provider, no global tracing subscriber, no environment writes. These tests live in a
//! binary of their own and never install anything, because the state they watch is
//! process-wide.

#[tokio::test]
async fn building_and_using_a_client_leaves_the_process_as_it_was() {
    let env_before: Vec<(String, String)> = std::env::vars().collect();
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    // Whatever a plain reqwest client does here without the SDK, it must do the same after.
    let plain = || {
        std::panic::catch_unwind(|| reqwest::Client::builder().build().is_ok())
            .map_err(|_| "panicked")
    };
    let before = plain();

    let sb = unitysvc_sandbox::Sandbox::start().await.unwrap();
    let client = unitysvc::Client::builder()
        .base_url(sb.base_url())
        .api_key(sb.api_key())
        .ignore_env()
        .build()
        .unwrap();
    client.groups().get("llm").await.unwrap();
    // An HTTPS client with verification off builds its own TLS configuration too.
    let _tls = unitysvc::Client::builder()
        .base_url("https://127.0.0.1:1/v1")
        .verify_ssl(false)
        .ignore_env()
        .build()
        .unwrap();

    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "the SDK installed a process-wide crypto provider"
    );
    assert_eq!(
        plain(),
        before,
        "a plain reqwest client behaves differently"
    );
    assert!(
        !tracing::dispatcher::has_been_set(),
        "a global subscriber was set"
    );
    let env_after: Vec<(String, String)> = std::env::vars().collect();
    assert_eq!(env_before, env_after, "the environment changed");
}

#[cfg(feature = "rustls")]
#[tokio::test]
async fn https_works_without_a_global_provider() {
    // A TLS handshake against a local port that speaks no TLS fails as a connection error,
    // proving the client got far enough to build its own rustls session.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            use tokio::io::AsyncWriteExt;
            let _ = socket.write_all(b"HTTP/1.1 400 Not TLS\r\n\r\n").await;
        }
    });
    let client = unitysvc::Client::builder()
        .base_url(format!("https://{addr}/v1"))
        .retry(unitysvc::RetryPolicy::none())
        .ignore_env()
        .build()
        .unwrap();
    let err = client.groups().get("llm").await.unwrap_err();
    assert_eq!(err.kind(), unitysvc::ErrorKind::Connection, "{err}");
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());
}
