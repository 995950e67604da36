//! `usvc chat`: a typed chat completion on any gateway target, streamed token by token.

use crate::args::read_data;
use crate::error::{CliError, CliResult};
use crate::print;
use crate::Ctx;
use clap::Args;
use futures::StreamExt;
use std::io::Write;
use std::time::Duration;
use unitysvc::chat::{ChatCompletion, ChatRequest, FunctionDef, Message, Tool};
use unitysvc::Wrappable;

/// Arguments of `usvc chat`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  usvc chat g/llm \"Write a haiku about Rust\"
  usvc chat p/ID \"What is the weather in Paris?\" --tool @weather.json --json
  usvc chat a/fast \"hi\" --model gpt-4o-mini --system \"Answer in French\"")]
pub struct ChatArgs {
    /// Gateway target: `p/<service id>`, `g/<group>`, `a/<alias>`, or a wrapped path.
    target: String,
    /// What to ask.
    prompt: String,
    /// The model to ask for; the target's default when left out.
    #[arg(long)]
    model: Option<String>,
    /// A system message sent before the prompt.
    #[arg(long)]
    system: Option<String>,
    /// A function tool the model may call: `@file` or the JSON itself, either a tool
    /// (`{"type": "function", "function": {...}}`) or its function (`{"name", "description",
    /// "parameters"}`); repeat for more.
    #[arg(long = "tool", value_name = "@SCHEMA.json")]
    tools: Vec<String>,
    /// Give up after this many seconds of silence (default 30).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
}

/// Runs `usvc chat`.
pub async fn run(ctx: &Ctx, args: ChatArgs) -> CliResult {
    let mut request = ChatRequest::new(args.model.clone().unwrap_or_default());
    if let Some(system) = &args.system {
        request = request.message(Message::system(system));
    }
    request = request.message(Message::user(&args.prompt));
    for spec in &args.tools {
        request = request.tool(tool(spec)?);
    }
    let target = ctx.client.target(&args.target)?;
    let mut call = target.chat(&request);
    if let Some(secs) = args.timeout {
        call = call.timeout(Duration::from_secs(secs));
    }
    let mut stream = call.stream().await.map_err(with_upstream)?;
    if ctx.json {
        return print::json(&stream.into_completion().await.map_err(with_upstream)?);
    }
    let mut out = std::io::stdout().lock();
    let mut text = stream.text();
    while let Some(piece) = text.next().await {
        write!(out, "{}", piece.map_err(with_upstream)?)?;
        out.flush()?;
    }
    drop(text);
    let answer = stream.snapshot();
    writeln!(out)?;
    summary(&mut out, &answer)?;
    Ok(())
}

/// The error with the upstream's own message in front, when it sent an OpenAI error object.
fn with_upstream(e: unitysvc::Error) -> CliError {
    let said = e.upstream_error().map(|u| u.message.clone());
    let err = CliError::from(e);
    match said {
        Some(message) if !message.is_empty() => {
            err.context(&format!("the upstream says {message:?}"))
        }
        _ => err,
    }
}

/// The tool calls and token usage after the streamed text.
fn summary(out: &mut impl Write, answer: &ChatCompletion) -> std::io::Result<()> {
    for call in answer.tool_calls() {
        writeln!(
            out,
            "tool call {}: {}({})",
            call.id, call.function.name, call.function.arguments
        )?;
    }
    if let Some(usage) = &answer.usage {
        eprintln!(
            "[{} prompt + {} completion = {} tokens]",
            usage.prompt_tokens, usage.completion_tokens, usage.total_tokens
        );
    }
    Ok(())
}

/// Reads one `--tool`: a whole tool object or just its function.
fn tool(spec: &str) -> CliResult<Tool> {
    let bytes = read_data(spec)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| CliError::invalid(format!("--tool: not JSON: {e}")))?;
    if value.get("function").is_some() {
        return serde_json::from_value(value)
            .map_err(|e| CliError::invalid(format!("--tool: not a function tool: {e}")));
    }
    let f: FunctionDef = serde_json::from_value(value).map_err(|e| {
        CliError::invalid(format!("--tool: needs a name and a parameters schema: {e}"))
    })?;
    Ok(Tool::function_with_schema(
        f.name,
        f.description.unwrap_or_default(),
        f.parameters,
    ))
}
