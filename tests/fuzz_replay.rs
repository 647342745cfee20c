//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the crash reproducers
//! (`fuzz/regressions/<target>/`) through the same entry points the fuzz targets call
//! (`takedowns::fuzzing`), so the ordinary test suite catches a panic the fuzzer once found.
//! Needs neither nightly nor libFuzzer. See fuzz/README.md.
//!
//! Note: `cargo test --release` builds without overflow checks, so a reproducer of an
//! integer-overflow panic (found by the fuzzer under `--debug-assertions`) only fails here in a
//! debug build (`cargo test --test fuzz_replay`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;

use takedowns::fuzzing;

/// Every regular file under `dir`, sorted; none if the folder does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    out.sort();
    out
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// Runs `run` on every corpus and regression file of `target`; fails naming each file that panics.
fn replay(target: &str, run: impl Fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = files(&root.join("corpus").join(target));
    let regressions = files(&root.join("regressions").join(target));
    assert!(!corpus.is_empty(), "no corpus for fuzz target {target} under {}", root.display());
    let start = Instant::now();
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&regressions) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| run(&data))) {
            let shown = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path);
            failures.push(format!("{}: {}", shown.display(), panic_message(e.as_ref())));
        }
    }
    // The time is reported, never asserted: wall time depends on the machine's load.
    eprintln!(
        "fuzz_replay {target}: {} corpus + {} regression inputs in {:.2?}",
        corpus.len(),
        regressions.len(),
        start.elapsed()
    );
    assert!(failures.is_empty(), "{target}: {} input(s) panicked:\n{}", failures.len(), failures.join("\n"));
}

/// The date and label targets skip input that is not UTF-8, as the fuzz targets do.
fn utf8(data: &[u8], f: impl Fn(&str)) {
    if let Ok(s) = std::str::from_utf8(data) {
        f(s);
    }
}

#[test]
fn replay_csv() {
    replay("csv", |d| {
        let _ = fuzzing::csv(d);
    });
}

#[test]
fn replay_ndjson() {
    replay("ndjson", |d| {
        let _ = fuzzing::ndjson(d);
    });
}

#[test]
fn replay_frame() {
    replay("frame", |d| {
        let _ = fuzzing::frame(d);
    });
}

#[test]
fn replay_date() {
    replay("date", |d| {
        utf8(d, |s| {
            let _ = fuzzing::date(s);
        })
    });
}

#[test]
fn replay_label() {
    replay("label", |d| {
        utf8(d, |s| {
            let _ = fuzzing::label(s);
        })
    });
}
