//! The layers point down. Reads every file under `src/` and fails when a shared layer (plumbing
//! every capability may use) imports a capability, or when two capabilities import each other
//! both ways. A reader then knows which room a line may touch: `db`, `web`, `mail` and `jobs`
//! know nothing of cases or councils, and a capability is changed without its callers' callers.
//!
//! An import is any `crate::X` path outside comments: `use crate::X::…`, `use crate::{X, …}`,
//! `crate::X::f()` in an expression, `$crate::X` in a macro.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Plumbing: may import other shared modules, never a capability or the app.
const SHARED: &[&str] = &[
    "config",
    "db",
    "fields",
    "jobs",
    "mail",
    "sms",
    "telemetry",
    "time",
    "tokens",
    "vocabulary",
    "web",
];

/// Capabilities, lowest first. `audit` (the append-only log every change writes into) and
/// `tenancy` (the services and their settings) are capabilities too, but low ones: the others
/// may import them; they should import no higher capability.
const CAPABILITIES: &[&str] = &[
    "audit",
    "tenancy",
    "access",
    "onboarding",
    "cases",
    "oncall",
    "councils",
    "plans",
    "recruitment",
    "overview",
    "registration",
    "figures",
    "demo",
];

/// The composition root: builds the app from every capability, so it may import anything, and
/// nothing but `main.rs` imports it.
const ROOT: &[&str] = &["app", "openapi", "main", "lib"];

/// Two-way imports between capabilities that are known and not yet broken. Each entry is a debt:
/// remove it when the cycle is broken; the test fails if an entry is no longer needed, so the
/// list only shrinks.
const KNOWN_TWO_WAY: &[(&str, &str, &str)] = &[];

/// The top-level module a file under `src/` belongs to.
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component");
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` without `//` comments (doc comments included) and without string literals' contents,
/// so a doc link or a message that names a module is not an import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut prev = '\0';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_string && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_string = !in_string;
            }
            if !in_string {
                kept.push(c);
            }
            prev = if prev == '\\' && c == '\\' { '\0' } else { c };
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

fn identifier_at(text: &str) -> String {
    text.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level modules `code` names through `crate::`.
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.trim_start().strip_prefix('{') {
            // `crate::{a, b::c, d as e}`: the first identifier of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = identifier_at(&group[i..]);
                        if !name.is_empty() && name != "self" {
                            found.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = identifier_at(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

/// Which top-level module imports which, and from which files.
fn graph() -> BTreeMap<(String, String), BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = module_of(&file, &src);
        let text = std::fs::read_to_string(&file).expect("readable file");
        for to in imports(&code_only(&text)) {
            if to != from {
                let shown = file.strip_prefix(&src).unwrap().display().to_string();
                edges.entry((from.clone(), to)).or_default().insert(shown);
            }
        }
    }
    edges
}

fn known(a: &str, b: &str) -> bool {
    KNOWN_TWO_WAY
        .iter()
        .any(|(x, y, _)| (*x == a && *y == b) || (*x == b && *y == a))
}

/// Every breach of the layer rules in `edges`, one line each.
fn breaches(edges: &BTreeMap<(String, String), BTreeSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    let all: BTreeSet<&str> = SHARED
        .iter()
        .chain(CAPABILITIES)
        .chain(ROOT)
        .copied()
        .collect();
    for ((from, to), files) in edges {
        let files = files.iter().cloned().collect::<Vec<_>>().join(", ");
        if !all.contains(from.as_str()) {
            out.push(format!(
                "src/{from} is in no layer: add it to SHARED or CAPABILITIES"
            ));
        }
        if SHARED.contains(&from.as_str())
            && (CAPABILITIES.contains(&to.as_str()) || ROOT.contains(&to.as_str()))
        {
            out.push(format!(
                "shared layer {from} imports {to} (in {files}): plumbing must not know a capability"
            ));
        }
        if ROOT.contains(&to.as_str()) && !ROOT.contains(&from.as_str()) {
            out.push(format!(
                "{from} imports the composition root {to} (in {files})"
            ));
        }
        if CAPABILITIES.contains(&from.as_str())
            && CAPABILITIES.contains(&to.as_str())
            && from < to
            && edges.contains_key(&(to.clone(), from.clone()))
            && !known(from, to)
        {
            let back = edges[&(to.clone(), from.clone())]
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            out.push(format!(
                "capabilities {from} and {to} import each other: {from} → {to} in {files}; \
                 {to} → {from} in {back}"
            ));
        }
    }
    for (a, b, _) in KNOWN_TWO_WAY {
        let both = edges.contains_key(&(a.to_string(), b.to_string()))
            && edges.contains_key(&(b.to_string(), a.to_string()));
        if !both {
            out.push(format!(
                "{a} and {b} no longer import each other both ways: remove them from KNOWN_TWO_WAY"
            ));
        }
    }
    out
}

#[test]
fn shared_layers_import_no_capability_and_capabilities_no_cycle() {
    let found = breaches(&graph());
    assert!(
        found.is_empty(),
        "the layers no longer point down:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn the_reader_finds_every_kind_of_import() {
    let code = code_only(
        "use crate::db::Db;\n\
         use crate::{config::Settings, web as plumbing, jobs::{self, Job}};\n\
         // use crate::cases::Case;\n\
         let s = \"crate::plans\";\n\
         fn f() { crate::audit::record(); $crate::time::date(); }\n\
         use tillit::councils; // not this crate's path\n",
    );
    let found: Vec<String> = imports(&code).into_iter().collect();
    assert_eq!(found, ["audit", "config", "db", "jobs", "time", "web"]);
}
