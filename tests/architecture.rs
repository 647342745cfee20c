//! The crate's modules depend on each other one way, with no cycle. The layers, each using only
//! those before it: `schema` (the record) -> `load` (readers and validation, giving a `Validated`)
//! -> `metrics` (the analytics, on a `Validated`) -> `cases` (`Cases`: a validated load, its rejects
//! and its analytic methods) -> `privacy` and `sources` (published files read into `Cases`), the Python binding. This reads the sources (outside `#[cfg(test)]` modules and comments), collects which
//! top-level module names which other (`crate::x`, `use crate::{x, ...}`, and items re-exported at
//! the root such as `crate::Cases`), and fails naming the cycle if there is one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its test module and comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The first path segment of every `crate::` path in `code`, with `use crate::{a, b::c}` groups.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of a (possibly nested) group.
            let (mut depth, mut item, mut end) = (0, String::new(), group.len());
            for (j, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = j;
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 || ch != '{' {
                    item.push(ch);
                }
            }
            out.push(first_segment(&item));
            rest = &group[end..];
        } else {
            out.push(first_segment(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn first_segment(s: &str) -> String {
    s.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

#[test]
fn modules_depend_on_each_other_without_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    // Top-level modules, and the items the root re-exports from each (`pub use load::{A, B}`).
    let mut modules: BTreeSet<String> = BTreeSet::new();
    let mut item_of: BTreeMap<String, String> = BTreeMap::new();
    for line in code(&lib).lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("pub mod ").or_else(|| line.strip_prefix("mod ")) {
            modules.insert(first_segment(rest));
        }
        if let Some(rest) = line.strip_prefix("pub use ") {
            let module = first_segment(rest);
            let items = rest.rsplit("::").next().unwrap_or("");
            for item in items.trim_matches(|c| c == '{' || c == '}' || c == ';').split(',') {
                item_of.insert(first_segment(item), module.clone());
            }
        }
    }
    assert!(
        modules.contains("load") && modules.contains("metrics") && item_of.get("Cases").is_some_and(|m| m == "cases")
    );
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = first_segment(&rel.to_string_lossy());
        if top == "lib" || !modules.contains(&top) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for name in crate_paths(&code(&text)) {
            let target = if modules.contains(&name) { Some(name) } else { item_of.get(&name).cloned() };
            if let Some(t) = target.filter(|t| *t != top) {
                edges.entry(top.clone()).or_default().insert(t);
            }
        }
    }
    // The layers named in the design: each depends only on those before it.
    let path_exists = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(m) = stack.pop() {
            if m == to {
                return true;
            }
            if seen.insert(m.clone()) {
                stack.extend(edges.get(&m).into_iter().flatten().cloned());
            }
        }
        false
    };
    for (lower, upper) in [
        ("schema", "load"),
        ("load", "metrics"),
        ("metrics", "cases"),
        ("load", "cases"),
        ("cases", "privacy"),
        ("cases", "sources"),
        ("load", "sources"),
    ] {
        assert!(!path_exists(lower, upper), "`{lower}` depends on `{upper}`: {edges:#?}");
    }
    assert!(path_exists("cases", "metrics") && path_exists("metrics", "load"), "{edges:#?}");
    for m in &modules {
        for next in edges.get(m).into_iter().flatten() {
            assert!(!path_exists(next, m), "a cycle: `{m}` -> `{next}` -> ... -> `{m}`\n{edges:#?}");
        }
    }
}

#[test]
fn the_path_reader_sees_groups_and_items() {
    let got = crate_paths("use crate::{load::{self, Validated}, Cases};\nlet x = crate::schema::account_key(a);");
    assert_eq!(got, ["load", "Cases", "schema"]);
    assert_eq!(code("use crate::x;\n// crate::y\n#[cfg(test)]\nmod tests { use crate::z; }"), "use crate::x;");
}
