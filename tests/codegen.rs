//! The generated client: fresh against openapi.json, forward compatible, and usable; every
//! documented success decodes whatever 2xx status it arrives with.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::Receiver;
use unitysvc::open_enums::ServiceEnrollmentStatusEnum;
use unitysvc::types::CustomerEnrollment;
use unitysvc::{Client, RetryPolicy};

#[test]
fn committed_generated_copy_is_fresh() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/unitysvc_client.rs"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/generated/client.rs");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == built,
        "generated/client.rs is stale; refresh it with `UNITYSVC_UPDATE_GENERATED=1 cargo build` and commit the diff"
    );
    let built = include_str!(concat!(env!("OUT_DIR"), "/operations/readable.rs"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/generated/operations.rs");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == built,
        "generated/operations.rs is stale; refresh it with `UNITYSVC_UPDATE_GENERATED=1 cargo build` and commit the diff"
    );
}

/// The spec's string patterns, checked by the generated types (compiled with regex-lite, see
/// codegen/src/patterns.rs): values are matched whole, as the anchors say, and decoding
/// refuses what construction refuses.
#[test]
fn pattern_constrained_strings_accept_and_refuse_as_the_spec_says() {
    use unitysvc::types::{
        CustomerGroupsListGroupsOwner as Owner, CustomerSecretsSetSecretName as Name,
    };
    for ok in ["API_KEY", "_X", "A1_B2"] {
        assert_eq!(
            Name::try_from(ok).map(|n| n.to_string()).ok(),
            Some(ok.to_owned()),
            "{ok}"
        );
    }
    for bad in ["", "api_key", "1ABC", "API-KEY", "API_KEY\n", "ÄPI"] {
        assert!(Name::try_from(bad).is_err(), "{bad:?}");
    }
    for ok in ["all", "system", "own"] {
        assert!(Owner::try_from(ok).is_ok(), "{ok}");
    }
    for bad in ["al", "owner", "xown", "All", ""] {
        assert!(Owner::try_from(bad).is_err(), "{bad:?}");
    }
    assert!(serde_json::from_str::<Owner>("\"own\"").is_ok());
    assert!(serde_json::from_str::<Name>("\"lower\"").is_err());
}

#[test]
fn unknown_enum_values_and_fields_still_decode() {
    let body = serde_json::json!({
        "id": "6f1c1f7e-8f0a-4a43-9d55-0a6f1d1b2c3d", "service_id": "0b7e1c2a-5d4f-4e3a-8c2b-1a2b3c4d5e6f", "status": "frozen", "created_at": "2026-01-01T00:00:00Z",
        "field_from_the_future": {"nested": true}
    });
    let enrollment: CustomerEnrollment = serde_json::from_value(body).expect("decodes");
    assert_eq!(
        enrollment.status,
        ServiceEnrollmentStatusEnum::Unknown("frozen".into())
    );
    assert!(!enrollment.status.is_known());
    assert_eq!(enrollment.status.to_string(), "frozen");
    // Known values keep their typed variant and round-trip unchanged.
    let known: ServiceEnrollmentStatusEnum = serde_json::from_str("\"active\"").unwrap();
    assert_eq!(known, ServiceEnrollmentStatusEnum::Active);
    assert_eq!(serde_json::to_string(&known).unwrap(), "\"active\"");
}

/// Answers every connection on a loopback port with `status` and `body` from a thread of its
/// own, and reports each request line it read; returns the base URL.
fn answer_with(status: &'static str, body: &'static str) -> (String, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (seen, requests) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut socket in listener.incoming().flatten() {
            let request = read_request(&mut socket);
            let _ = seen.send(request.lines().next().unwrap_or_default().to_owned());
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes());
        }
    });
    (base, requests)
}

/// Reads one request: its head, then as many body bytes as `content-length` says.
fn read_request(socket: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).unwrap_or(0);
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        let complete = text.find("\r\n\r\n").is_some_and(|end| {
            let length = text[..end]
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            buf.len() >= end + 4 + length
        });
        if complete || n == 0 {
            return text.into_owned();
        }
    }
}

fn client_for(base: &str) -> Client {
    Client::builder()
        .base_url(base)
        .api_key("svcpass_loopback")
        .retry(RetryPolicy::none())
        .ignore_env()
        .build()
        .unwrap()
}

const SECRET: &str = r#"{"name": "OPENAI_API_KEY", "id": "6f1c1f7e-8f0a-4a43-9d55-0a6f1d1b2c3d",
    "owner_type": "user", "role_id": null, "owner_id": null, "sensitive": true,
    "created_at": "2026-01-01T00:00:00Z", "updated_at": null, "last_used_at": null}"#;

#[tokio::test]
async fn created_201_with_the_documented_body_decodes_through_the_low_level_client() {
    let (base, requests) = answer_with("201 Created", SECRET);
    let client = client_for(&base);
    let answer = client
        .low_level()
        .customer_secrets_set_secret()
        .name("OPENAI_API_KEY")
        .body_map(|b| b.value("sk-test"))
        .send()
        .await
        .expect("a 201 with the documented body is a success");
    assert_eq!(answer.status().as_u16(), 201);
    let secret = answer.into_inner();
    assert_eq!(secret.name.as_str(), "OPENAI_API_KEY");
    assert!(secret.sensitive && secret.updated_at.is_none());
    assert_eq!(
        requests.recv().unwrap(),
        "PUT /secrets/OPENAI_API_KEY HTTP/1.1"
    );
}

#[tokio::test]
async fn any_2xx_completes_an_operation_documented_without_a_body() {
    let (base, _requests) = answer_with("200 OK", "");
    let client = client_for(&base);
    let answer = client
        .low_level()
        .customer_groups_delete_customer_group()
        .group_id(uuid::Uuid::nil())
        .send()
        .await
        .expect("a 200 where 204 is documented is still a success");
    assert_eq!(answer.status().as_u16(), 200);
}

#[tokio::test]
async fn a_non_2xx_answer_is_still_an_error() {
    let (base, _requests) = answer_with("409 Conflict", r#"{"detail": "taken"}"#);
    let client = client_for(&base);
    let failed = client
        .low_level()
        .customer_secrets_set_secret()
        .name("OPENAI_API_KEY")
        .body_map(|b| b.value("sk-test"))
        .send()
        .await;
    assert!(failed.is_err());
}
