//! `willai validate`, `fmt` and `schema`: the folder of invalid projects (one problem
//! each, and one with many), whose exact messages are asserted, and the round trips.
//!
//! Each case in `tests/fixtures/invalid/<case>/` is laid over a valid project (the
//! fixture catalog, `tests/fixtures/valid/`, and the repository's `data/schema/`);
//! `expected.txt` holds the exact output. `BLESS=1 cargo test` rewrites them (then read
//! the diff).

use std::fs;
use std::path::Path;

use crate::util::{Project, repo, run_ok};

pub fn overlay(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            overlay(&entry.path(), &target);
        } else if entry.file_name() != "expected.txt" {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A valid project: the fixture catalog, a record, and the schemas.
pub fn valid_project() -> Project {
    let p = Project::new();
    fs::create_dir_all(p.path("data/schema")).unwrap();
    overlay(&repo().join("data/schema"), &p.path("data/schema"));
    overlay(&repo().join("tests/fixtures/valid"), p.root());
    p
}

/// The valid project with Widget Makers drafted afresh by the fake server (returned too,
/// for tests that draft again).
pub fn drafted() -> (Project, fake_openai::FakeServer) {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = fake_openai::FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    (p, server)
}

#[test]
fn the_valid_fixture_is_valid() {
    let p = valid_project();
    let r = run_ok(p.willai().arg("validate"), 0);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.contains("validate: 4 file(s), no problems"),
        "{}",
        r.stderr
    );
}

/// The folders of `tests/fixtures/invalid/`, sorted.
pub fn invalid_cases() -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> = fs::read_dir(repo().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_invalid_fixture_reports_exactly_its_problems() {
    let cases = invalid_cases();
    assert!(cases.len() >= 15, "the fixture folder holds the cases");
    let mut failures = Vec::new();
    for case in cases {
        let p = valid_project();
        overlay(&case, p.root());
        let r = run_ok(p.willai().arg("validate"), 1);
        let expected_path = case.join("expected.txt");
        if std::env::var_os("BLESS").is_some() {
            fs::write(&expected_path, &r.stdout).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if r.stdout != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{}",
                case.display(),
                r.stdout
            ));
        }
        assert!(r.stderr.contains("problem(s)"), "{}", r.stderr);
        // Every message says what to do.
        for line in r.stdout.lines() {
            let advice = [
                ": run",
                ": use",
                ": add",
                ": remove",
                ": fix",
                ": keep",
                ": re-approve",
                ": rename",
                ": write",
                ": approve",
                ": give",
                ": trim",
                ": shorten",
            ];
            assert!(
                advice.iter().any(|a| line.contains(a)),
                "no advice in: {line}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_output_is_one_object_per_problem() {
    let p = valid_project();
    overlay(&repo().join("tests/fixtures/invalid/many"), p.root());
    let r = run_ok(p.willai().args(["validate", "--json"]), 1);
    let lines: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 5);
    for l in &lines {
        assert!(l["path"].as_str().unwrap().starts_with("data/records/"));
        assert!(l["location"].is_string() && l["message"].is_string());
    }
}

#[test]
fn fmt_rewrites_what_validate_calls_non_canonical() {
    let p = valid_project();
    overlay(
        &repo().join("tests/fixtures/invalid/not-canonical"),
        p.root(),
    );
    run_ok(p.willai().args(["fmt", "--check"]), 1);
    let r = run_ok(p.willai().arg("fmt"), 0);
    assert!(
        r.stdout
            .contains("formatted: data/records/widget-makers.json"),
        "{}",
        r.stdout
    );
    assert_eq!(
        p.read("data/records/widget-makers.json"),
        fs::read_to_string(repo().join("tests/fixtures/valid/data/records/widget-makers.json"))
            .unwrap()
    );
    run_ok(p.willai().args(["fmt", "--check"]), 0);
    run_ok(p.willai().arg("validate"), 0);
}

#[test]
fn fmt_leaves_a_broken_file_alone_and_says_where() {
    let p = valid_project();
    overlay(
        &repo().join("tests/fixtures/invalid/syntax-error"),
        p.root(),
    );
    let before = p.read("data/records/widget-makers.json");
    let r = run_ok(p.willai().arg("fmt"), 1);
    assert!(
        r.stdout.starts_with("data/records/widget-makers.json:"),
        "{}",
        r.stdout
    );
    assert_eq!(p.read("data/records/widget-makers.json"), before);
}

#[test]
fn schema_writes_the_files_validate_expects() {
    let p = valid_project();
    fs::remove_dir_all(p.path("data/schema")).unwrap();
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout
            .contains("data/schema/record.schema.json: missing: run `willai schema`"),
        "{}",
        r.stdout
    );
    run_ok(p.willai().arg("schema"), 0);
    run_ok(p.willai().args(["schema", "--check"]), 0);
    run_ok(p.willai().arg("validate"), 0);
    assert_eq!(
        p.read("data/schema/record.schema.json"),
        fs::read_to_string(repo().join("data/schema/record.schema.json")).unwrap()
    );
}

#[test]
fn the_repository_data_is_valid() {
    let r = run_ok(
        assert_cmd::Command::cargo_bin("willai")
            .unwrap()
            .env_clear()
            .env("WILLAI_ROOT", repo())
            .arg("validate"),
        0,
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}
