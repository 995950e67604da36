//! `unitysvc-codegen sync [--check] [--spec OPENAPI_JSON] PLATFORM_SPEC`: brings our
//! `openapi.json` in step with the platform's published document and says what changed.
//!
//! Without `--check` it rewrites our document (structure from the platform, words ours) and
//! exits 0. With `--check` it writes nothing and exits 1 when the structure has drifted.
//! Either way it prints the report: changes, then items that still need our words.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: unitysvc-codegen sync [--check] [--spec OPENAPI_JSON] PLATFORM_SPEC
  PLATFORM_SPEC   the platform's published openapi.json
  --spec PATH     our document to update (default: openapi.json in the current directory)
  --check         report only; exit 1 when the structure differs from the platform's";

struct Args {
    check: bool,
    spec: PathBuf,
    platform: PathBuf,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    match args.next().as_deref() {
        Some("sync") => {}
        // An empty message asks for the usage text alone.
        Some("-h" | "--help" | "help") => return Err(String::new()),
        _ => return Err("the only command is `sync`".into()),
    }
    let mut check = false;
    let mut spec = PathBuf::from("openapi.json");
    let mut platform = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--spec" => spec = args.next().ok_or("--spec needs a path")?.into(),
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ if platform.is_some() => return Err("one PLATFORM_SPEC, please".into()),
            _ => platform = Some(PathBuf::from(arg)),
        }
    }
    let platform = platform.ok_or("PLATFORM_SPEC is missing")?;
    Ok(Args {
        check,
        spec,
        platform,
    })
}

fn run(args: &Args) -> Result<bool, String> {
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let ours = read(&args.spec)?;
    let platform = read(&args.platform)?;
    let synced = unitysvc_codegen::sync::sync(&ours, &platform)?;
    print!("{}", synced.report.render());
    if !args.check && synced.text != ours {
        std::fs::write(&args.spec, &synced.text)
            .map_err(|e| format!("cannot write {}: {e}", args.spec.display()))?;
        println!("updated {}", args.spec.display());
    }
    Ok(synced.report.has_drift())
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) if args.check => ExitCode::FAILURE,
        Ok(_) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
