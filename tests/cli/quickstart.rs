//! The README's first command: on a fresh clone, with no key and no network, it drafts a
//! profession from the committed answers of a real model in `examples/quickstart/`, and
//! refuses the junk among them.

use std::fs;

use crate::util::{copy_dir_except, repo, summary_line};

#[test]
fn the_quickstart_drafts_from_the_committed_cache_with_no_key_and_no_network() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("quickstart");
    // What the example ships with: the README's first command writes its records (and
    // takes the lock) in the checkout, which must not change what this test sees.
    copy_dir_except(
        &repo().join("examples/quickstart"),
        &root,
        &["data/records", ".willai.lock"],
    );
    let out = assert_cmd::Command::cargo_bin("willai")
        .unwrap()
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .args(["--root"])
        .arg(&root)
        .args([
            "draft",
            "--profession",
            "Proofreaders and Copy Markers",
            "--offline",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 7 of the model's 12 answers are junk willai refuses (a placeholder such as
    // `{type}`, a title that only says HIGH): not taken, named, and nothing is sent.
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        summary_line(&stdout, "requests").starts_with("requests    0 sent"),
        "{stdout}"
    );
    assert!(
        summary_line(&stdout, "from cache").contains("5 prompt(s)"),
        "{stdout}"
    );
    assert!(
        summary_line(&stdout, "not cached").contains("7 prompt(s) (offline: nothing sent)"),
        "{stdout}"
    );
    assert_eq!(
        stderr
            .matches("the cached reply fails validation (")
            .count(),
        7,
        "{stderr}"
    );
    assert!(
        stderr.contains("holds a template placeholder ({type})")
            && stderr.contains("`title` only says \"HIGH\""),
        "{stderr}"
    );
    // The summary names the file it wrote, where the reader can open it.
    let written = root.join("data/records/proofreaders-and-copy-markers.json");
    assert!(
        summary_line(&stdout, "records")
            .ends_with(&format!("1 file(s) written: {}", written.display())),
        "{stdout}"
    );
    let record: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root.join("data/records/proofreaders-and-copy-markers.json")).unwrap(),
    )
    .unwrap();
    let tasks = record["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 5);
    // Answered where the example's willai.toml points (so the summary has no line
    // about answers from elsewhere).
    assert!(
        tasks.iter().all(|t| t["status"] == "draft"
            && t["machine"]["model"] == "smollm2"
            && t["machine"]["host"] == "127.0.0.1:8080"),
        "{record}"
    );
    assert!(!stdout.contains("elsewhere"), "{stdout}");
    // The record validates, junk and all refused.
    let v = assert_cmd::Command::cargo_bin("willai")
        .unwrap()
        .env_clear()
        .args(["--root"])
        .arg(&root)
        .arg("validate")
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
    // Its schemas are the ones `willai schema` writes (the repository's own).
    for f in ["record", "catalog", "audit"] {
        let path = format!("data/schema/{f}.schema.json");
        assert_eq!(
            fs::read_to_string(root.join(&path)).unwrap(),
            fs::read_to_string(repo().join(&path)).unwrap(),
            "{path}: run `willai --root examples/quickstart schema`"
        );
    }
    // Every cache entry names its model.
    for shard in fs::read_dir(root.join("cache")).unwrap() {
        for f in fs::read_dir(shard.unwrap().path()).unwrap() {
            let e: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(f.unwrap().path()).unwrap()).unwrap();
            assert_eq!(e["model"], "smollm2");
        }
    }
}
