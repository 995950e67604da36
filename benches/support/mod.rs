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

/// Times `baseline` against each of `cases` and prints one table row per contender.
///
/// `checksum` says whether every case must return the same value per iteration.
pub fn compare<'a>(
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
                let started = Instant::now();
                let mut sink = 0u64;
                for _ in 0..iters[i] {
                    sink = sink.wrapping_add((case.run)());
                }
                std::hint::black_box(sink);
                spent[i] += started.elapsed().as_secs_f64();
            }
        }
        for (i, total) in spent.iter().enumerate() {
            times[i].push(total / (iters[i] * SLICES as u64) as f64);
        }
    }
    let base = &times[0];
    let mut out = Vec::new();
    println!(
        "{group:<44} {:<34} {:>12}  (baseline {})",
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
            "{:<44} {:<34} {:>5.2}× / {:>5.2}×  ({} per iteration)",
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
