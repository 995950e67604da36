//! `usvc tour`: a guided walk through the SDK, one short step at a time.
//!
//! Each step prints a header, the one line of Rust that does the same thing, and what came
//! back. Any failure stops the tour with the step named in the error.

use crate::cmd_logs::log_table;
use crate::error::{CliError, CliResult, Failure};
use crate::print::{self, Table};
use crate::Ctx;
use clap::Args;
use futures::StreamExt;
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::time::{Duration, Instant};
use unitysvc::wrappers::{build_path, GatewayPath, Wrappers};
use unitysvc::{LoggingMode, Service, Wrappable};
use unitysvc_sandbox::catalog;
use uuid::Uuid;

/// Arguments of `usvc tour`.
#[derive(Debug, Args)]
pub struct TourArgs {
    /// The group to browse.
    #[arg(long, default_value = "llm")]
    group: String,
    /// The service to enroll in and call (by name); defaults to the sandbox's simple LLM
    /// service, else the group's first service.
    #[arg(long)]
    service: Option<String>,
    /// Services per page when paging through the group.
    #[arg(long, default_value_t = 50)]
    page_size: u32,
    /// Run against the configured platform (flags or UNITYSVC_* variables) instead of the
    /// embedded sandbox. The tour says first what it will create and removes it at the end.
    #[arg(long)]
    pub remote: bool,
}

/// What a remote tour created, so it can be removed again whatever step failed.
#[derive(Default)]
struct Created {
    enrollment: Cell<Option<Uuid>>,
    secret: RefCell<Option<String>>,
    logging: Cell<bool>,
}

impl Created {
    /// Cancels, deletes and turns off what the tour left behind; reports each step on
    /// stderr so that `--json` output stays one document.
    async fn clean_up(&self, client: &unitysvc::Client) -> CliResult {
        let mut failures = Vec::new();
        if self.logging.take() {
            match client.request_logs().stop().await {
                Ok(_) => eprintln!("cleanup: request logging turned off"),
                Err(e) => failures.push(format!("turning request logging off: {e}")),
            }
        }
        if let Some(name) = self.secret.take() {
            match client.secrets().delete(&name).await {
                Ok(_) => eprintln!("cleanup: secret {name} deleted"),
                Err(e) => failures.push(format!("deleting secret {name}: {e}")),
            }
        }
        if let Some(id) = self.enrollment.take() {
            match client.enrollments().cancel(id).await {
                Ok(_) => eprintln!("cleanup: enrollment {id} cancelled"),
                Err(e) => failures.push(format!("cancelling enrollment {id}: {e}")),
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(CliError::new(
                Failure::Other,
                format!("the tour could not clean up: {}", failures.join("; ")),
            ))
        }
    }
}

const INDENT: &str = "    ";

/// Where the tour's lines go: straight to stdout for people, or into the current step's
/// record for `--json`, which prints one summary document at the end.
struct Out {
    json: bool,
    lines: RefCell<Vec<String>>,
    partial: RefCell<String>,
}

impl Out {
    /// One indented line.
    fn say(&self, line: impl AsRef<str>) {
        let line = format!("{INDENT}{}", line.as_ref());
        if self.json {
            self.lines.borrow_mut().push(line.trim_start().to_owned());
        } else {
            println!("{line}");
        }
    }

    /// Several lines at once, such as a rendered table.
    fn block(&self, text: &str) {
        for line in text.lines() {
            self.say(line.trim_start());
        }
    }

    /// Part of a line, shown as it arrives.
    fn fragment(&self, text: &str) -> CliResult {
        if self.json {
            self.partial.borrow_mut().push_str(text);
            Ok(())
        } else {
            print::fragment(text)
        }
    }

    /// Ends a line built from fragments.
    fn end_line(&self) {
        let line = std::mem::take(&mut *self.partial.borrow_mut());
        if self.json {
            self.lines.borrow_mut().push(line.trim_start().to_owned());
        } else {
            println!();
        }
    }
}

/// Numbers the steps, prints their headers, and keeps their records for `--json`.
struct Tour {
    step: u32,
    started: Instant,
    steps: Vec<Value>,
}

impl Tour {
    /// Prints the step's header and snippet, then runs it, naming the step in any error.
    async fn step<T, F>(&mut self, out: &Out, title: &str, snippet: &str, body: F) -> CliResult<T>
    where
        F: Future<Output = CliResult<T>>,
    {
        self.step += 1;
        if !out.json {
            if self.step > 1 {
                println!();
            }
            println!("==> {}. {title}", self.step);
            println!("{INDENT}rust: {snippet}");
        }
        let result = body
            .await
            .map_err(|e| e.context(&format!("step {} ({title}) failed", self.step)));
        self.steps.push(json!({
            "step": self.step,
            "title": title,
            "rust": snippet,
            "ok": result.is_ok(),
            "output": std::mem::take(&mut *out.lines.borrow_mut()),
        }));
        if result.is_err() && out.json {
            // The steps so far go to stdout; the error follows on stderr.
            self.print_summary("")?;
        }
        result
    }

    /// The `--json` document: every step with its output, and whether all passed.
    fn print_summary(&self, target: &str) -> CliResult {
        let passed = self.steps.iter().all(|s| s["ok"] == true);
        print::json(&json!({
            "target": target,
            "passed": passed,
            "seconds": self.started.elapsed().as_secs_f64(),
            "steps": self.steps,
        }))
    }
}

fn chat_body(prompt: &str, stream: bool) -> Value {
    json!({
        "model": "default",
        "messages": [{"role": "user", "content": prompt}],
        "stream": stream,
    })
}

/// The assistant's answer in an OpenAI-style chat completion.
fn answer(body: &Value) -> CliResult<&str> {
    body.pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            CliError::new(
                Failure::Other,
                "the answer has no choices[0].message.content",
            )
        })
}

fn header<'a>(response: &'a unitysvc::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(not set)")
}

fn ensure_success(response: &unitysvc::Response) -> CliResult {
    if response.is_success() {
        Ok(())
    } else {
        Err(CliError::from_response(
            response.status(),
            response.headers(),
            response.bytes(),
        ))
    }
}

/// Runs the tour.
pub async fn run(ctx: &Ctx, args: &TourArgs) -> CliResult {
    let client = &ctx.client;
    let mut tour = Tour {
        step: 0,
        started: Instant::now(),
        steps: Vec::new(),
    };
    let out = Out {
        json: ctx.json,
        lines: RefCell::default(),
        partial: RefCell::default(),
    };
    let target = match &ctx.sandbox {
        Some(sb) => format!("the embedded sandbox at {}", sb.base_url()),
        None => client.config().base_url().to_owned(),
    };
    let created = Created::default();
    let secret_name = if args.remote {
        // A fresh name per run, so the tour never overwrites a secret of the account's.
        let suffix = Uuid::new_v4().simple().to_string()[..8].to_ascii_uppercase();
        format!("TOUR_TOKEN_{suffix}")
    } else {
        "TOUR_TOKEN".to_owned()
    };
    if args.remote {
        eprintln!("This tour runs against {target} and creates, then removes at the end:");
        eprintln!("    - an enrollment in the service it tours");
        eprintln!("    - a secret named {secret_name}");
        eprintln!("    - request logging, turned on for one step and off again");
    }
    let result = steps(ctx, args, &out, &mut tour, &created, &secret_name, &target).await;
    let cleanup = if args.remote {
        created.clean_up(client).await
    } else {
        Ok(())
    };
    result?;
    cleanup?;
    if out.json {
        return tour.print_summary(&target);
    }
    println!();
    println!(
        "tour complete: {} steps passed in {:.1} s",
        tour.step,
        tour.started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The steps themselves; `created` records what needs removing afterwards.
async fn steps(
    ctx: &Ctx,
    args: &TourArgs,
    out: &Out,
    tour: &mut Tour,
    created: &Created,
    secret_name: &str,
    target: &str,
) -> CliResult {
    let client = &ctx.client;
    if !out.json {
        println!("UnitySVC SDK tour against {target}");
        println!(
            "{INDENT}rust: let client = Client::builder().base_url(url).api_key(key).build()?;"
        );
        println!();
    }

    // 1. Groups.
    tour.step(
        out,
        "List service groups",
        "client.groups().list().send().await?",
        async {
            let groups = client.groups().list().send().await?;
            let mut table = Table::new(&["NAME", "SERVICES", "DISPLAY NAME"]);
            for g in &groups {
                table.row(vec![
                    g.name.clone(),
                    g.member_count.to_string(),
                    print::opt(g.display_name.as_deref()),
                ]);
            }
            out.block(&table.render(INDENT));
            Ok(())
        },
    )
    .await?;

    // 2. Paging.
    let group = args.group.as_str();
    let snippet = format!(
        "client.groups().services(\"{group}\").limit({}).cursor(c).send().await?",
        args.page_size
    );
    let title = format!("Page through the {group} group's services");
    let all: Vec<Service> = tour
        .step(out, &title, &snippet, async {
            let mut all = Vec::new();
            let mut cursor: Option<String> = None;
            let mut pages = 0;
            loop {
                let mut request = client.groups().services(group).limit(args.page_size.into());
                if let Some(cursor) = cursor.take() {
                    request = request.cursor(cursor);
                }
                let page = request.send().await?;
                pages += 1;
                out.say(format!(
                    "page {pages}: {} services, first {}",
                    page.items.len(),
                    page.items.first().map_or("-", |s| s.name.as_str())
                ));
                all.extend(page.items);
                match page.next_cursor {
                    Some(next) if page.has_more => cursor = Some(next),
                    _ => break,
                }
            }
            let plural = if pages == 1 { "page" } else { "pages" };
            out.say(format!("{} services in {pages} {plural}", all.len()));
            Ok(all)
        })
        .await?;

    // 3. One service and its interfaces.
    let wanted = args.service.as_deref().unwrap_or(catalog::SIMPLE_SERVICE);
    let picked = all
        .iter()
        .find(|s| s.name == wanted)
        .or_else(|| all.first())
        .ok_or_else(|| {
            CliError::new(
                Failure::NotFound,
                format!("the {group} group has no services to tour"),
            )
        })?;
    let id = picked.id;
    let name = picked.name.clone();
    let title = format!("Show {name} and its interfaces");
    let service = tour
        .step(
            out,
            &title,
            "let service = client.services().get(id).await?; service.interfaces().send().await?",
            async {
                let service = client.services().get(id).await?;
                out.say(format!(
                    "{} ({}) by {}, id {}",
                    service.name,
                    print::opt(service.display_name.as_deref()),
                    print::opt(service.provider_name.as_deref()),
                    service.id
                ));
                let interfaces = service.interfaces().send().await?;
                for i in &interfaces {
                    out.say(format!(
                        "interface {}: {}",
                        i.name,
                        print::opt(i.base_url.as_deref())
                    ));
                }
                Ok(service)
            },
        )
        .await?;

    // 4. Enrollment.
    let title = format!("Enroll in {name}");
    tour.step(
        out,
        &title,
        "client.enrollments().create(id).send().await?.wait_active(timeout).await?",
        async {
            let started = Instant::now();
            let enrollment = client.enrollments().create(id).send().await?;
            created.enrollment.set(Some(enrollment.id));
            out.say(format!(
                "enrollment {} created: {} ({})",
                enrollment.id, enrollment.status, enrollment.message
            ));
            // The spinner shows on a terminal only; piped output stays clean.
            let spinner = print::spinner(format!("{INDENT}waiting until active"), false);
            let active = enrollment.wait_active(Duration::from_secs(30)).await;
            spinner.finish_and_clear();
            let active = active?;
            out.say(format!(
                "now {} after {} ms",
                active.status,
                started.elapsed().as_millis()
            ));
            Ok(())
        },
    )
    .await?;

    // 5. Secrets.
    tour.step(
        out,
        "Store a secret and list secrets",
        "client.secrets().set(\"TOUR_TOKEN\", \"s3cret-value\").send().await?",
        async {
            let set = client
                .secrets()
                .set(secret_name, "s3cret-value")
                .send()
                .await?;
            created.secret.replace(Some(secret_name.to_owned()));
            out.say(format!(
                "stored {}; the value in the answer: {:?}",
                set.name.as_str(),
                set.value
            ));
            let page = client.secrets().list().send().await?;
            for s in &page.items {
                out.say(format!(
                    "{:<20} created {}  value: (never returned)",
                    s.name.as_str(),
                    s.created_at.format("%H:%M:%S")
                ));
            }
            let rejected = client.secrets().set("tour_token", "x").send().await;
            if let Err(e) = rejected {
                out.say(format!("lower-case names fail before sending: {e}"));
            }
            Ok(())
        },
    )
    .await?;

    // 6. A buffered chat completion.
    tour.step(
        out,
        "Dispatch a chat completion",
        "service.dispatch().path(\"chat/completions\").json(&body).send().await?",
        async {
            let response = service
                .dispatch()
                .path("chat/completions")
                .json(&chat_body("What is UnitySVC?", false))
                .send()
                .await?;
            ensure_success(&response)?;
            let body: Value = response.json()?;
            out.say(format!("HTTP {} -> {}", response.status(), answer(&body)?));
            Ok(())
        },
    )
    .await?;

    // 7. A streamed chat completion.
    tour.step(
        out,
        "Stream a chat completion",
        "service.dispatch().path(\"chat/completions\").json(&body).stream().await?.events()",
        async {
            let response = service
                .dispatch()
                .path("chat/completions")
                .json(&chat_body("Stream these words back to me", true))
                .stream()
                .await?;
            if !response.status().is_success() {
                let status = response.status();
                let headers = response.headers().clone();
                let body = response.collect_text().await?;
                return Err(CliError::from_response(status, &headers, body.as_bytes()));
            }
            let mut events = response.events();
            let mut chunks = 0;
            out.fragment(&format!("{INDENT}tokens: "))?;
            while let Some(event) = events.next().await {
                if let Some(delta) = unitysvc::streaming::chat_delta(&event?) {
                    if !delta.is_empty() {
                        chunks += 1;
                        out.fragment(&format!("[{delta}]"))?;
                    }
                }
            }
            out.end_line();
            out.say(format!("{chunks} chunks, printed as they arrived"));
            Ok(())
        },
    )
    .await?;

    // 7b. The same call typed: chunks assembled, usage included.
    tour.step(
        out,
        "Stream a typed chat call and read its usage",
        "let mut s = service.chat(&ChatRequest::new(m).message(Message::user(q))).stream().await?; s.text() ... s.snapshot().usage",
        async {
            let request = unitysvc::chat::ChatRequest::new("")
                .message(unitysvc::chat::Message::user("Count the tokens of this answer"));
            let mut stream = service.chat(&request).stream().await?;
            let mut text = stream.text();
            out.fragment(&format!("{INDENT}tokens: "))?;
            while let Some(piece) = text.next().await {
                out.fragment(&format!("[{}]", piece?))?;
            }
            drop(text);
            out.end_line();
            let answer = stream.snapshot();
            match &answer.usage {
                Some(u) => out.say(format!(
                    "finish {}, usage: {} prompt + {} completion = {} tokens",
                    answer.finish_reason().map_or("-", |f| f.as_str()),
                    u.prompt_tokens,
                    u.completion_tokens,
                    u.total_tokens
                )),
                None => out.say("the upstream sent no usage chunk"),
            }
            Ok(())
        },
    )
    .await?;

    // 8. Wrappers: logged and cached.
    tour.step(
        out,
        "Call through wrappers: logged + cached for 1h",
        "service.logged().cached_for(\"1h\".parse()?).dispatch().send().await?",
        async {
            let wrapped = service.logged().cached_for("1h".parse()?);
            out.say(format!("gateway path: {}", wrapped.gateway_path()?));
            for call in 1..=2 {
                let started = Instant::now();
                let response = wrapped
                    .dispatch()
                    .path("chat/completions")
                    .json(&chat_body("Cache this answer", false))
                    .send()
                    .await?;
                ensure_success(&response)?;
                out.say(format!(
                    "call {call}: HTTP {}, x-cache: {}, {} ms",
                    response.status(),
                    header(&response, "x-cache"),
                    started.elapsed().as_millis()
                ));
            }
            Ok(())
        },
    )
    .await?;

    // 9. Wrappers composed on a raw gateway path, as `usvc call` does.
    let raw = format!("p/{id}/chat/completions");
    tour.step(
        out,
        "Compose wrappers on a gateway path (usvc call)",
        "client.dispatch(&build_path(&GatewayPath::raw(path)?, &Wrappers { log: true, ttl, failover, .. })?.to_string())",
        async {
            let wrappers = Wrappers {
                log: true,
                ttl: Some("10m".parse()?),
                failover: Some(GatewayPath::raw(&format!("g/{group}/chat/completions"))?),
                ..Wrappers::default()
            };
            let path = build_path(&GatewayPath::raw(&raw)?, &wrappers)?.to_string();
            out.say(format!("gateway path: {path}"));
            out.say(format!(
                "shell: usvc call {raw} --logged --cached 10m --failover g/{group}/chat/completions --data '{{…}}'"
            ));
            let response = client
                .dispatch(&path)
                .json(&chat_body("Wrapped call", false))
                .send()
                .await?;
            ensure_success(&response)?;
            let body: Value = response.json()?;
            out.say(format!(
                "HTTP {}, x-cache: {} -> {}",
                response.status(),
                header(&response, "x-cache"),
                answer(&body)?
            ));
            Ok(())
        },
    )
    .await?;

    // 10. Request logging.
    tour.step(
        out,
        "Log requests and read the log",
        "client.request_logs().start().mode(LoggingMode::KeepPreference).await?; …list().send().await?",
        async {
            let logs = client.request_logs();
            let status = logs.start().mode(LoggingMode::KeepPreference).await?;
            created.logging.set(true);
            out.say(format!("logging enabled: {}", status.enabled));
            let response = service
                .dispatch()
                .path("chat/completions")
                .json(&chat_body("Please log this call", false))
                .send()
                .await?;
            ensure_success(&response)?;
            let page = logs.list().limit(5).send().await?;
            out.say(format!(
                "{} logged calls (newest first, up to 5 shown):",
                page.total
                    .map_or_else(|| page.items.len().to_string(), |t| t.to_string())
            ));
            out.block(&log_table(&page.items, false).render(INDENT));
            logs.stop().await?;
            created.logging.set(false);
            Ok(())
        },
    )
    .await?;

    // 11. Route resolution.
    let route = format!("g/{group}/chat/completions");
    let snippet = format!("client.resolve(\"{route}\").send().await?");
    tour.step(out, "Resolve a route (dry run)", &snippet, async {
        let resolved = client.resolve(&route).send().await?;
        out.say(format!("{} candidate services", resolved.candidates.len()));
        match resolved.selected {
            Some(c) => out.say(format!(
                "the gateway would pick {} ({})",
                print::opt(c.service_name),
                c.service_id
            )),
            None => out.say("no candidate would be picked"),
        }
        Ok(())
    })
    .await?;

    Ok(())
}
