//! `willai review --audit NAME` through a real pseudo-terminal (the harness of
//! `review_tui.rs`): each sampled task shown blind, the editor's level written into the
//! audit file at the key, then the draft revealed, and the record corrected through the
//! usual lifecycle; undo, skips, progress across runs, Ctrl-C.

use serde_json::Value;

use crate::review_tui::{Tui, drafted};
use crate::util::{Project, run_ok};

const AUDIT: &str = "data/audits/q4.json";

/// Widget makers drafted by the fake server (four tasks) and ML Engineer's three
/// approved tasks: all seven drawn, in sha256 order.
fn with_audit() -> (Project, fake_openai::FakeServer, Vec<Value>) {
    let (p, server) = drafted();
    run_ok(
        p.willai().args([
            "audit",
            "draw",
            "--size",
            "7",
            "--seed",
            "tui",
            "--name",
            "q4",
            "--date",
            "2026-12-05",
        ]),
        0,
    );
    let items = audit_items(&p);
    (p, server, items)
}

fn audit_items(p: &Project) -> Vec<Value> {
    let a: Value = serde_json::from_str(&p.read(AUDIT)).unwrap();
    a["items"].as_array().unwrap().clone()
}

fn entry(p: &Project, item: &Value) -> Value {
    let slug = item["profession"].as_str().unwrap();
    p.record(slug)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == item["task"])
        .unwrap()
        .clone()
}

fn statement(p: &Project, item: &Value) -> String {
    let slug = item["profession"].as_str().unwrap();
    let catalog: Value =
        serde_json::from_str(&p.read(&format!("data/catalog/{slug}.json"))).unwrap();
    catalog["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == item["task"])
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A level other than `level`, with its key.
fn another(level: &str) -> (&'static str, &'static str) {
    if level == "LOW" {
        ("1", "HIGH")
    } else {
        ("3", "LOW")
    }
}

#[test]
fn a_task_is_judged_blind_then_revealed_and_the_record_corrected_through_the_lifecycle() {
    let (p, _server, items) = with_audit();
    let first = &items[0];
    let drafted = first["drafted"].as_str().unwrap();
    let rationale = entry(&p, first)["rationale"].as_str().unwrap().to_string();
    let (key, judged) = another(drafted);
    let record_file = format!(
        "data/records/{}.json",
        first["profession"].as_str().unwrap()
    );

    let mut tui = Tui::spawn(&p, &["--audit", "q4"], &[]);
    let screen = tui.wait_for("judge blind");
    // The statement and the profession, and nothing of the draft.
    let words: String = statement(&p, first).chars().take(40).collect();
    assert!(screen.contains(&words), "{screen}");
    assert!(screen.contains("task 1 of 7"), "{screen}");
    assert!(
        !screen.contains(&rationale[..30]),
        "the rationale is hidden:\n{screen}"
    );
    for label in ["drafted ", "rationale ", "record now "] {
        assert!(
            !screen.lines().any(|l| l.starts_with(label)),
            "no {label:?} line:\n{screen}"
        );
    }

    // The editor's level is written at the key; then the draft shows beside it.
    tui.key(key);
    let screen = tui.wait_for("you differ");
    assert!(
        screen.contains(&format!("you judged  {judged}")),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("drafted     {drafted}")),
        "{screen}"
    );
    assert!(screen.contains(&rationale[..30]), "{screen}");
    let item = &audit_items(&p)[0];
    assert_eq!(item["judged"], judged);
    assert_eq!(item["blind"], true);
    assert_eq!(item["reviewer"], "Ann Editor");
    assert_eq!(item["date"], "2026-11-20");

    // c corrects the record's level: an edit (the machine's level stays beside it).
    let before = p.read(&record_file);
    tui.key("c");
    tui.wait_for("edited     ");
    let e = entry(&p, first);
    assert_eq!(e["level"], judged);
    assert_eq!(e["machine"]["level"], drafted);
    // u takes the edit back to the very bytes, u again the judgment.
    tui.key("u");
    tui.wait_for("undone: edit of");
    assert_eq!(p.read(&record_file), before);
    tui.key("u");
    tui.wait_for("undone: the judgment of");
    assert!(audit_items(&p)[0]["judged"].is_null());
    tui.wait_for("judge blind");

    // Judged again after seeing the draft: recorded as not blind.
    tui.key(key);
    tui.wait_for("(not blind: the draft was shown before)");
    assert_eq!(audit_items(&p)[0]["blind"], false);
    // c then a: corrected and approved, and on to the next task.
    tui.key("c");
    tui.wait_for("edited     ");
    tui.key("a");
    tui.wait_for("task 2 of 7");
    let e = entry(&p, first);
    assert_eq!(
        (e["level"].as_str(), e["status"].as_str()),
        (Some(judged), Some("approved"))
    );

    // s leaves the second task unjudged; q quits with the summary.
    tui.key("s");
    tui.wait_for("task 3 of 7");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    let screen = tui.contents();
    assert!(
        screen.contains("audit: 1 judged (1 differ from the draft), 2 record(s) changed; 6 of 7 task(s) of the audit not judged yet"),
        "{screen}"
    );
    assert!(tui.cooked());
    assert!(audit_items(&p)[1]["judged"].is_null());
    run_ok(p.willai().arg("validate"), 0);

    // Progress is kept per key: the next run starts at the first task not judged.
    let mut tui = Tui::spawn(&p, &["--audit", "q4"], &[]);
    let screen = tui.wait_for("judge blind");
    assert!(
        screen.contains("task 2 of 7") && screen.contains("1 judged"),
        "{screen}"
    );
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
}

#[test]
fn ctrl_c_keeps_every_judgment_and_a_finished_audit_says_so() {
    let (p, _server, items) = with_audit();
    let mut tui = Tui::spawn(&p, &["--audit", "q4"], &[]);
    tui.wait_for("task 1 of 7");
    tui.key("2");
    tui.wait_for("you judged  MEDIUM");
    tui.key("\x03");
    assert_eq!(tui.exit_code(), 130);
    assert!(
        tui.contents().contains(
            "interrupted: every decision made is saved; `willai review --audit q4` again goes on"
        ),
        "{}",
        tui.contents()
    );
    assert!(tui.cooked());
    assert_eq!(audit_items(&p)[0]["judged"], "MEDIUM");

    // Judge the rest by their drafted level; the audit is complete.
    let mut tui = Tui::spawn(&p, &["--audit", "q4"], &[]);
    for (i, item) in items.iter().enumerate().skip(1) {
        tui.wait_for(&format!("task {} of 7", i + 1));
        let key = match item["drafted"].as_str().unwrap() {
            "HIGH" => "1",
            "MEDIUM" => "2",
            _ => "3",
        };
        tui.key(key);
        tui.wait_for("you agree");
        tui.key("n");
    }
    tui.wait_for("no task left to judge in this run");
    tui.key("x");
    assert_eq!(tui.exit_code(), 0);
    assert!(audit_items(&p).iter().all(|i| !i["judged"].is_null()));
    let mut tui = Tui::spawn(&p, &["--audit", "q4"], &[]);
    tui.wait_for("nothing to judge: every task of audit q4 is judged");
    assert_eq!(tui.exit_code(), 0);
    let r = run_ok(p.willai().args(["audit", "report", "q4", "--json"]), 0);
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["complete"], true);
    assert_eq!(report["blind"], 7);
    // --audit takes no queue flags.
    let r = run_ok(
        p.willai()
            .args(["review", "--audit", "q4", "--only", "draft"]),
        2,
    );
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}
