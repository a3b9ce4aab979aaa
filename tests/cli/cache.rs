//! The cache a repository can hold (issue #25): compact entries that keep what the cache
//! is for (a rerun sends nothing, an offline redraft writes the same records, `verify`
//! tells an edit, the confidence), and entries of the first format still read, verified
//! and compacted.

use std::fs;

use fake_openai::FakeServer;

use crate::util::{Project, copy_dir, repo, run_ok, summary_line};

/// A project whose cache holds three entries of the first format (the quickstart's, as
/// recorded from SmolLM2 by llama.cpp), with the prompts they were asked with.
fn first_format_project() -> Project {
    let p = Project::new();
    let fixture = repo().join("tests/fixtures/cache-v1");
    for dir in ["prompts", "data/catalog", "cache"] {
        let _ = fs::remove_dir_all(p.path(dir));
        copy_dir(&fixture.join(dir), &p.path(dir));
    }
    fs::copy(fixture.join("willai.toml"), p.path("willai.toml")).unwrap();
    p
}

fn sizes(p: &Project) -> Vec<(String, u64)> {
    p.cache_files()
        .iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                fs::metadata(f).unwrap().len(),
            )
        })
        .collect()
}

#[test]
fn first_format_entries_are_read_verified_and_compacted_with_their_keys() {
    let p = first_format_project();
    let before = sizes(&p);
    assert_eq!(before.len(), 3);
    assert!(before.iter().all(|(_, n)| *n > 5000), "{before:?}");

    // Read as they are: the offline draft takes what they answer (two tasks, the
    // skills) and names the nine prompts they do not.
    let r = run_ok(
        p.willai()
            .args(["draft", "--all", "--offline", "--no-progress"]),
        1,
    );
    assert!(
        summary_line(&r.stdout, "from cache").contains("3 prompt(s)"),
        "{}",
        r.stdout
    );
    let drafted = p.read("data/records/proofreaders-and-copy-markers.json");
    let rec = p.record("proofreaders-and-copy-markers");
    let with_text = rec["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "draft")
        .count();
    assert_eq!(with_text, 2, "{rec}");
    assert!(
        rec["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] == "draft")
            .all(|t| t["machine"]["confidence"]["value"].is_number()),
        "the confidence is read from the first format's log-probabilities: {rec}"
    );

    let r = run_ok(p.willai().args(["cache", "verify"]), 0);
    assert!(r.stdout.contains("3 entries, all intact"), "{}", r.stdout);
    let r = run_ok(p.willai().args(["cache", "stats"]), 0);
    assert!(
        r.stdout
            .contains("3 entries are in the first, larger format"),
        "{}",
        r.stdout
    );

    // Compacted: same file names (keys), each under 2 KB, verified, and the same
    // records from an offline redraft, byte for byte.
    let r = run_ok(p.willai().args(["cache", "compact", "--dry-run"]), 0);
    assert!(r.stdout.contains("would rewrite 3 entries"), "{}", r.stdout);
    assert_eq!(sizes(&p), before, "a dry run writes nothing");
    let r = run_ok(p.willai().args(["cache", "compact"]), 0);
    assert!(r.stdout.contains("rewrote 3 entries"), "{}", r.stdout);
    let after = sizes(&p);
    assert_eq!(
        after.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        before.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    assert!(after.iter().all(|(_, n)| *n < 2048), "{after:?}");
    for f in p.cache_files() {
        let e: serde_json::Value = serde_json::from_str(&fs::read_to_string(f).unwrap()).unwrap();
        assert_eq!(e["format"], 2);
        assert!(e.get("request").is_none());
        // What the first format's response said of itself is kept as the source.
        assert_eq!(e["source"]["model"], "smollm2", "{e}");
    }
    run_ok(p.willai().args(["cache", "verify"]), 0);
    let r = run_ok(p.willai().args(["cache", "compact"]), 0);
    assert!(
        r.stdout.contains("rewrote 0 entries") && r.stdout.contains("3 already compact"),
        "{}",
        r.stdout
    );
    fs::remove_dir_all(p.path("data/records")).unwrap();
    run_ok(
        p.willai()
            .args(["draft", "--all", "--offline", "--no-progress"]),
        1,
    );
    assert_eq!(
        p.read("data/records/proofreaders-and-copy-markers.json"),
        drafted
    );
}

#[test]
fn an_edited_first_format_entry_is_named_and_not_compacted() {
    let p = first_format_project();
    let victim = p
        .cache_files()
        .into_iter()
        .find(|f| f.to_string_lossy().contains("/26/"))
        .unwrap();
    let text = fs::read_to_string(&victim).unwrap();
    fs::write(
        &victim,
        text.replacen("\"max_tokens\": 600", "\"max_tokens\": 601", 1),
    )
    .unwrap();
    let r = run_ok(p.willai().args(["cache", "verify"]), 1);
    assert!(r.stdout.contains("hashes to"), "{}", r.stdout);
    let r = run_ok(p.willai().args(["cache", "compact"]), 1);
    assert!(
        r.stdout.contains("rewrote 2 entries") && r.stdout.contains("1 left as they are"),
        "{}",
        r.stdout
    );
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        text.replacen("\"max_tokens\": 600", "\"max_tokens\": 601", 1),
        "left as it is"
    );
}

/// A fresh run's entries are compact, a rerun sends nothing, and an offline redraft
/// gives the same records, confidence included.
#[test]
fn compact_entries_keep_reruns_free_and_redrafts_identical() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    let records = [
        p.read("data/records/ml-engineer.json"),
        p.read("data/records/widget-makers.json"),
    ];
    assert!(records[1].contains("\"confidence\""), "{}", records[1]);
    let total: u64 = sizes(&p).iter().map(|(_, n)| n).sum();
    assert!(
        total / (p.cache_files().len() as u64) < 2048,
        "{total} bytes in {} entries",
        p.cache_files().len()
    );
    server.reset_counts();
    fs::remove_dir_all(p.path("data/records")).unwrap();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    assert_eq!(server.requests(), 0);
    fs::remove_dir_all(p.path("data/records")).unwrap();
    run_ok(p.willai().args(["draft", "--all", "--offline"]), 0);
    assert_eq!(
        [
            p.read("data/records/ml-engineer.json"),
            p.read("data/records/widget-makers.json")
        ],
        records
    );
    run_ok(p.willai().args(["cache", "verify"]), 0);
}
