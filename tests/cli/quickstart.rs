//! The README's first command: on a fresh clone, with no key and no network, it drafts a
//! whole profession from the committed answers of a real model in
//! `examples/quickstart/`.

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
        .args(["draft", "--profession", "Proofreaders and Copy Markers"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        summary_line(&stdout, "requests").starts_with("requests    0 sent"),
        "{stdout}"
    );
    assert!(
        summary_line(&stdout, "from cache").contains("12 prompt(s)"),
        "{stdout}"
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
    assert_eq!(tasks.len(), 11);
    assert!(
        tasks
            .iter()
            .all(|t| t["status"] == "draft" && t["machine"]["model"] == "smollm2")
    );
    assert_eq!(record["skills"].as_array().unwrap().len(), 3);
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
