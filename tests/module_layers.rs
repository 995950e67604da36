//! The crate's modules depend one way: `error` ← `http` ← `client` ← {`dispatch`,
//! resources} ← `blocking`. These tests read every `crate::` path in `src/` and fail on a
//! cycle among the top-level modules, or on an import from a higher layer.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every top-level module of `src/`, lowest layer first; a module may import from its own
/// layer (the cycle check covers those) and the ones below, never from above.
const LAYERS: &[&[&str]] = &[
    &["error", "wrappers", "ids", "low_level", "zstd_body"],
    &["config", "args", "pagination"],
    &["http"],
    &["cache", "streaming"],
    &["client"],
    &["operations", "dispatch", "chat", "wrapped"],
    &[
        "aliases",
        "broadcasts",
        "chains",
        "enrollments",
        "files",
        "groups",
        "recurrent_requests",
        "request_logs",
        "resolve",
        "secrets",
        "services",
    ],
    &["blocking"],
];

/// Imports left out of the cycle check, as `(importer, imported)`, until the resource
/// rewrite removes them. Empty: keep it so, and delete an entry once its import is gone.
const ALLOWED_CYCLE_EDGES: &[(&str, &str)] = &[];

/// Where one module names another: `(importer, imported)` → the first `file:line` seen.
type Edges = BTreeMap<(String, String), String>;

fn src() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to; `None` for `lib.rs`.
fn top_module(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).expect("file under src/");
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_owned())
}

/// The file without its comment lines (doc comments name paths that are not imports).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of every path after each `crate::`, with the line it is on;
/// `crate::{a::b, c}` gives `a` and `c`.
fn crate_paths(code: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(at) = rest.find("crate::") {
        let start = offset + at + "crate::".len();
        let line = code[..start].matches('\n').count() + 1;
        let after = &code[start..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        found.push((identifier(&group[i..]), line));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.push((identifier(after), line));
        }
        offset = start;
        rest = &code[start..];
    }
    found
}

fn identifier(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Names `lib.rs` re-exports, mapped to the module they come from (`Client` → `client`).
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in code_of(lib).lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = rest.trim_end_matches(';').split_once("::") else {
            continue;
        };
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = item.rsplit(" as ").next().unwrap_or(item).trim();
            if !name.is_empty() {
                names.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    names
}

/// The imports among top-level modules, each with where it was seen.
fn edges() -> (BTreeSet<String>, Edges) {
    let mut files = Vec::new();
    rust_files(src(), &mut files);
    files.sort();
    let modules: BTreeSet<String> = files.iter().filter_map(|f| top_module(f)).collect();
    let lib = fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let reexported = reexports(&lib);
    let mut edges = Edges::new();
    for file in &files {
        let Some(from) = top_module(file) else {
            continue;
        };
        let text = fs::read_to_string(file).expect("source file");
        for (name, line) in crate_paths(&code_of(&text)) {
            let to = match reexported.get(&name) {
                Some(module) if !modules.contains(&name) => module.clone(),
                _ => name,
            };
            if to != from && modules.contains(&to) {
                let rel = file.strip_prefix(src()).unwrap_or(file);
                edges
                    .entry((from.clone(), to))
                    .or_insert_with(|| format!("src/{}:{line}", rel.display()));
            }
        }
    }
    (modules, edges)
}

/// A cycle through `start`, as the modules along it, if there is one.
fn cycle_from(start: &str, next: &BTreeMap<&str, Vec<&str>>) -> Option<Vec<String>> {
    let mut path = vec![start];
    let mut seen = BTreeSet::new();
    fn walk<'a>(
        start: &str,
        path: &mut Vec<&'a str>,
        seen: &mut BTreeSet<&'a str>,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
    ) -> bool {
        let here = *path.last().expect("non-empty path");
        for &to in next.get(here).into_iter().flatten() {
            if to == start {
                return true;
            }
            if seen.insert(to) {
                path.push(to);
                if walk(start, path, seen, next) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    walk(start, &mut path, &mut seen, next).then(|| {
        path.iter()
            .chain(std::iter::once(&start))
            .map(|m| m.to_string())
            .collect()
    })
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let (modules, edges) = edges();
    let allowed: BTreeSet<(String, String)> = ALLOWED_CYCLE_EDGES
        .iter()
        .map(|&(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        if !allowed.contains(&(from.clone(), to.clone())) {
            next.entry(from).or_default().push(to);
        }
    }
    for module in &modules {
        if let Some(cycle) = cycle_from(module, &next) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| {
                    let seen = &edges[&(w[0].clone(), w[1].clone())];
                    format!("  {} -> {} ({seen})", w[0], w[1])
                })
                .collect();
            panic!(
                "modules import each other in a circle:\n{}\npass the data in, or move the \
                 shared piece to a lower module",
                steps.join("\n")
            );
        }
    }
    for (from, to) in ALLOWED_CYCLE_EDGES {
        assert!(
            edges.contains_key(&(from.to_string(), to.to_string())),
            "{from} no longer imports {to}: delete it from ALLOWED_CYCLE_EDGES"
        );
    }
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let (modules, edges) = edges();
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |&m| (m, i)))
        .collect();
    for module in &modules {
        assert!(
            layer_of.contains_key(module.as_str()),
            "src/{module} has no layer: add it to LAYERS in tests/module_layers.rs"
        );
    }
    let upward: Vec<String> = edges
        .iter()
        .filter(|((from, to), _)| layer_of[from.as_str()] < layer_of[to.as_str()])
        .map(|((from, to), seen)| format!("  {from} -> {to} ({seen})"))
        .collect();
    assert!(
        upward.is_empty(),
        "imports from a higher layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn crate_paths_are_read_from_single_and_grouped_imports() {
    let code = "use crate::a::B;\nuse crate::{c::{self, D}, e, f::g::H};\nlet x = crate::i(1);";
    let names: Vec<String> = crate_paths(code).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["a", "c", "e", "f", "i"]);
    let lib = "pub use client::{Client, ClientBuilder};\npub use low_level::types;";
    let names = reexports(lib);
    assert_eq!(names["ClientBuilder"], "client");
    assert_eq!(names["types"], "low_level");
}
