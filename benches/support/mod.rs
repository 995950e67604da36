//! What the bench binaries share: interleaved rounds and ratios against a baseline.
//!
//! The machine these run on is shared, so absolute times drift from one minute to the
//! next. Each round therefore times the baseline and every contender back to back (in a
//! rotating order), and only the ratio within a round is reported: the minimum and the
//! median over the rounds. A ratio above 1 means the contender is faster than the baseline.
//!
//! Flags (after `--`): `--quick` runs fewer, shorter rounds; any other word filters the
//! groups by name.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Turns each contender takes per round.
const SLICES: usize = 8;

/// How long and how often to measure.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Rounds per comparison; ratios are reported over these.
    pub rounds: usize,
    /// The time one contender runs in one round.
    pub batch: Duration,
    filter: Vec<String>,
}

impl Settings {
    /// Reads `--quick` and name filters from the command line (`cargo bench` adds `--bench`).
    pub fn from_args() -> Settings {
        let mut settings = Settings {
            rounds: 9,
            batch: Duration::from_millis(250),
            filter: Vec::new(),
        };
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                "--quick" => {
                    settings.rounds = 5;
                    settings.batch = Duration::from_millis(100);
                }
                a if a.starts_with("--") => {}
                a => settings.filter.push(a.to_owned()),
            }
        }
        settings
    }

    /// Whether the group called `name` was asked for.
    pub fn wants(&self, name: &str) -> bool {
        self.filter.is_empty() || self.filter.iter().any(|f| name.contains(f.as_str()))
    }
}

/// One contender: a name and one iteration of its work, returning a checksum the
/// comparison checks is the same for everyone (so nobody skips work).
pub struct Case<'a> {
    name: String,
    run: Box<dyn FnMut() -> u64 + 'a>,
}

impl<'a> Case<'a> {
    /// A contender called `name`.
    pub fn new(name: impl Into<String>, run: impl FnMut() -> u64 + 'a) -> Case<'a> {
        Case {
            name: name.into(),
            run: Box::new(run),
        }
    }
}

/// The result for one contender: per-iteration time of the baseline and of the
/// contender in each round.
pub struct Outcome {
    /// The contender's name.
    pub name: String,
    /// Baseline time / contender time, per round.
    pub ratios: Vec<f64>,
    /// The contender's median time per iteration.
    pub median: Duration,
}

impl Outcome {
    /// The lowest ratio over the rounds.
    pub fn min(&self) -> f64 {
        self.ratios.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// The median ratio over the rounds.
    pub fn median_ratio(&self) -> f64 {
        median(&self.ratios)
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// What a comparison measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Elapsed time: calls per second.
    Wall,
    /// CPU time of every thread of this process (from `/proc/self/task/*/schedstat`, in
    /// nanoseconds), so a server in another process and other helpers' load do not count.
    ProcessCpu,
}

impl Clock {
    /// Seconds on this clock since some fixed point.
    pub fn now(self) -> f64 {
        match self {
            Clock::Wall => {
                static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
                START.get_or_init(Instant::now).elapsed().as_secs_f64()
            }
            Clock::ProcessCpu => process_cpu_seconds(),
        }
    }
}

/// The CPU time every thread of this process has run, in seconds.
pub fn process_cpu_seconds() -> f64 {
    let mut total: u64 = 0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let text = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            total += text
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total as f64 / 1e9
}

/// Times `baseline` against each of `cases` and prints one table row per contender.
///
/// `checksum` says whether every case must return the same value per iteration.
pub fn compare<'a>(
    settings: &Settings,
    group: &str,
    baseline: Case<'a>,
    cases: Vec<Case<'a>>,
    checksum: bool,
) -> Vec<Outcome> {
    compare_on(Clock::Wall, settings, group, baseline, cases, checksum)
}

/// [`compare`] on a chosen clock.
pub fn compare_on<'a>(
    clock: Clock,
    settings: &Settings,
    group: &str,
    mut baseline: Case<'a>,
    mut cases: Vec<Case<'a>>,
    checksum: bool,
) -> Vec<Outcome> {
    // One warm-up run each fixes how many iterations fill a slice of a batch.
    let mut iters = Vec::new();
    let expected = (baseline.run)();
    let mut all: Vec<&mut Case<'a>> = std::iter::once(&mut baseline)
        .chain(cases.iter_mut())
        .collect();
    let slice = settings.batch.as_secs_f64() / SLICES as f64;
    for case in all.iter_mut() {
        let started = Instant::now();
        let got = (case.run)();
        let once = started.elapsed().max(Duration::from_nanos(1));
        if checksum {
            assert_eq!(
                got, expected,
                "{group}: {} disagrees with the baseline",
                case.name
            );
        }
        let n = (slice / once.as_secs_f64()).ceil();
        iters.push((n as u64).clamp(1, 10_000_000));
    }
    // Within a round the contenders take turns in short slices, so a change in the
    // machine's load falls on all of them alike.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); all.len()];
    for round in 0..settings.rounds {
        let mut spent = vec![0f64; all.len()];
        for turn in 0..SLICES {
            for k in 0..all.len() {
                let i = (k + round + turn) % all.len();
                let case = &mut all[i];
                let started = clock.now();
                let mut sink = 0u64;
                for _ in 0..iters[i] {
                    sink = sink.wrapping_add((case.run)());
                }
                std::hint::black_box(sink);
                spent[i] += clock.now() - started;
            }
        }
        for (i, total) in spent.iter().enumerate() {
            times[i].push(total / (iters[i] * SLICES as u64) as f64);
        }
    }
    let base = &times[0];
    let mut out = Vec::new();
    let unit = match clock {
        Clock::Wall => "",
        Clock::ProcessCpu => " CPU",
    };
    println!(
        "{group:<44} {:<34} {:>12}  (baseline {}{unit})",
        "contender",
        "ratio min/median",
        fmt_time(median(base)),
        group = group,
    );
    for (i, case) in all.iter().enumerate().skip(1) {
        let ratios: Vec<f64> = base.iter().zip(&times[i]).map(|(b, c)| b / c).collect();
        let outcome = Outcome {
            name: case.name.clone(),
            median: Duration::from_secs_f64(median(&times[i])),
            ratios,
        };
        println!(
            "{:<44} {:<34} {:>5.2}× / {:>5.2}×  ({}{unit} per iteration)",
            "",
            outcome.name,
            outcome.min(),
            outcome.median_ratio(),
            fmt_time(outcome.median.as_secs_f64()),
        );
        out.push(outcome);
    }
    println!("{:<44} baseline: {}", "", all[0].name);
    out
}

/// Formats seconds readably.
pub fn fmt_time(secs: f64) -> String {
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 1e-3 {
        format!("{:.2} ms", secs * 1e3)
    } else if secs >= 1e-6 {
        format!("{:.2} µs", secs * 1e6)
    } else {
        format!("{:.0} ns", secs * 1e9)
    }
}

/// The environment variable that turns a bench binary into the sandbox it talks to.
const SANDBOX_CHILD: &str = "UNITYSVC_BENCH_SANDBOX";

/// A sandbox in a child process (this same binary), so its CPU is not the bench's.
pub struct SandboxProcess {
    /// The control-plane URL (`…/v1`).
    pub base_url: String,
    /// The gateway root.
    pub gateway_url: String,
    child: std::process::Child,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        // Closing its stdin ends the child; waiting reaps it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

impl SandboxProcess {
    /// Starts this binary as a sandbox whose `llm` group holds `llm_services` services
    /// (at least the 130 seeded), and waits for its address.
    pub fn start(llm_services: usize) -> SandboxProcess {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut child = Command::new(std::env::current_exe().expect("bench binary"))
            .env(SANDBOX_CHILD, llm_services.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the sandbox process");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("child stdout"))
            .read_line(&mut line)
            .expect("sandbox address");
        let root = line.trim().to_owned();
        assert!(root.starts_with("http://"), "sandbox said {line:?}");
        SandboxProcess {
            base_url: format!("{root}/v1"),
            gateway_url: root,
            child,
        }
    }
}

/// In the child [`SandboxProcess::start`] made, serves until stdin closes and exits;
/// elsewhere returns at once. Call it first thing in `main`.
pub fn serve_sandbox_if_child() {
    let Some(wanted) = std::env::var(SANDBOX_CHILD)
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
    else {
        return;
    };
    let sb = unitysvc_sandbox::Sandbox::start_blocking().expect("sandbox");
    pad_llm_group(&sb, wanted);
    println!("{}", sb.gateway_url());
    let mut sink = Vec::new();
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    drop(sb);
    std::process::exit(0);
}

/// Copies seeded services into the `llm` group until it holds `wanted`.
pub fn pad_llm_group(sb: &unitysvc_sandbox::Sandbox, wanted: usize) {
    let mut db = sb.state().db();
    let Some(g) = db.groups.iter().position(|g| g.name == "llm") else {
        return;
    };
    let mut n = db.groups[g].members.len();
    while n < wanted {
        let template = db.groups[g].members[n % 130].clone();
        let mut service = db
            .services
            .iter()
            .find(|s| s.id == template.service_id)
            .expect("member service")
            .clone();
        service.id = uuid::Uuid::new_v4();
        service.name = format!("{}-copy-{n}", service.name);
        let mut member = template;
        member.id = uuid::Uuid::new_v4();
        member.service_id = service.id;
        member.sort_order = n as i64;
        db.services.push(service);
        db.groups[g].members.push(member);
        n += 1;
    }
}
