//! Browse, enroll, set a secret and dispatch — against an in-process sandbox, so it runs
//! with no API key and no network: `cargo run --example quickstart`.
//!
//! Against the real platform, build the client with `Client::from_env()` instead.

use futures::StreamExt;
use std::time::Duration;
use unitysvc::{Client, Wrappable};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = unitysvc_sandbox::Sandbox::start().await?;
    // Both sandbox URLs and its key; UNITYSVC_* variables in the shell are ignored.
    let client: Client = sandbox.client()?;

    // Browse: groups, then the first page of one group's services.
    for group in client.groups().list().send().await? {
        println!("group {:<12} {} services", group.name, group.member_count);
    }
    let page = client.groups().services("llm").limit(5).send().await?;
    let service = page
        .items
        .into_iter()
        .next()
        .ok_or("the llm group is empty")?;
    println!("service {} ({})", service.name, service.id);

    // Enroll (one request, answered with an acknowledgement) and wait for activation.
    let created = service.enroll().send().await?;
    println!("enrollment {}: {}", created.id, created.message);
    let enrollment = created.wait_active(Duration::from_secs(10)).await?;
    println!("enrollment {} is {}", enrollment.id, enrollment.status);

    // Secrets: values go in, only metadata comes back.
    let secret = client
        .secrets()
        .set("QUICKSTART_TOKEN", "s3cret")
        .send()
        .await?;
    println!("secret {} stored", *secret.name);

    // Dispatch a chat completion, then stream one through a logged wrapper.
    let body =
        serde_json::json!({"model": "m", "messages": [{"role": "user", "content": "hello"}]});
    let answer = service
        .dispatch()
        .path("chat/completions")
        .json(&body)
        .send()
        .await?;
    let json: serde_json::Value = answer.json()?;
    println!("answer: {}", json["choices"][0]["message"]["content"]);

    let mut streaming = body.clone();
    streaming["stream"] = true.into();
    let mut events = service
        .logged()
        .dispatch()
        .path("chat/completions")
        .json(&streaming)
        .stream()
        .await?
        .events();
    print!("streamed: ");
    while let Some(event) = events.next().await {
        if let Some(token) = unitysvc::streaming::chat_delta(&event?) {
            print!("{token}");
        }
    }
    println!();
    Ok(())
}
