//! The editorial workflow: status, approve, edit, validate, proposals, reject, and two
//! writers at once.

use std::time::Duration;

use fake_openai::{FakeServer, Options};

use crate::util::{run, run_ok};
use crate::validate::{drafted, valid_project};

/// A project with widget-makers drafted against a fake server.
#[test]
fn approve_then_edit_then_validate_names_the_file_and_pointer() {
    let (p, _server) = drafted();
    let r = run_ok(
        p.willai().args([
            "approve",
            "-p",
            "Widget Makers",
            "--task",
            "Sort the widgets by colour",
            "--reviewer",
            "Ann Editor",
            "--date",
            "2026-11-20",
        ]),
        0,
    );
    assert!(
        r.stdout.contains("approved   widget-makers/sort-widgets ("),
        "{}",
        r.stdout
    );
    let rec = p.record("widget-makers");
    let approval = &rec["tasks"][0]["approval"];
    assert_eq!(approval["reviewer"], "Ann Editor");
    assert_eq!(approval["date"], "2026-11-20");
    assert_eq!(approval["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(rec["tasks"][0]["status"], "approved");
    run_ok(p.willai().arg("validate"), 0);

    let text = p.read("data/records/widget-makers.json");
    let rationale = rec["tasks"][0]["rationale"].as_str().unwrap();
    p.write(
        "data/records/widget-makers.json",
        &text.replacen(rationale, "An editor rewrote this after approval.", 1),
    );
    let r = run_ok(p.willai().arg("validate"), 1);
    assert_eq!(
        r.stdout,
        "data/records/widget-makers.json:/tasks/0/approval/sha256: edited after approval: re-approve with `willai approve --profession widget-makers --task sort-widgets` (or undo the edit)\n"
    );
    // Re-approving is the fix.
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
    run_ok(p.willai().arg("validate"), 0);
    assert_eq!(
        p.record("widget-makers")["tasks"][0]["rationale"],
        "An editor rewrote this after approval."
    );
}

#[test]
fn the_reviewer_comes_from_git_and_is_required() {
    let (p, _server) = drafted();
    let r = run_ok(
        p.willai().args(["approve", "-p", "widget-makers", "--all"]),
        2,
    );
    assert!(
        r.stderr.contains("no reviewer: pass --reviewer NAME"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("git config user.name"), "{}", r.stderr);
    std::fs::write(p.git_config(), "[user]\n\tname = Grace Reviewer\n").unwrap();
    let r = run_ok(
        p.willai().args(["approve", "-p", "widget-makers", "--all"]),
        0,
    );
    assert_eq!(r.stdout.matches("approved ").count(), 6, "{}", r.stdout);
    assert_eq!(
        p.record("widget-makers")["skills"][1]["approval"]["reviewer"],
        "Grace Reviewer"
    );
    let again = run_ok(
        p.willai().args(["approve", "-p", "widget-makers", "--all"]),
        0,
    );
    assert_eq!(
        again.stdout.matches("unchanged").count(),
        6,
        "{}",
        again.stdout
    );
}

#[test]
fn stale_and_failed_items_are_refused_unless_forced() {
    let (p, server) = drafted();
    // A new model makes every draft stale.
    let toml = p
        .read("willai.toml")
        .replace("model = \"test-model\"", "model = \"test-model-2\"");
    p.write("willai.toml", &toml);
    let r = run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann",
        ]),
        1,
    );
    assert!(
        r.stdout.contains("refused    widget-makers/sort-widgets"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("is stale (model changed (test-model -> test-model-2)): run `willai draft` to redraft it, or approve it as it is with --force"), "{}", r.stdout);
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann",
            "--force",
        ]),
        0,
    );

    let status = run_ok(
        p.willai().args(["status", "-p", "widget-makers", "--json"]),
        0,
    );
    let s: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(s["professions"][0]["tasks"]["stale"], 4);
    assert_eq!(s["professions"][0]["tasks"]["approved"], 1);

    // A failed item.
    server.script(
        "Task: Paint the widget housings",
        vec![fake_openai::Fault::ServerError(500); 8],
    );
    std::fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--retries", "0"]),
        1,
    );
    let r = run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "paint-housings",
            "--reviewer",
            "Ann",
        ]),
        1,
    );
    assert!(
        r.stdout
            .contains("drafting failed: run `willai draft` again or write the text"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_redraft_of_approved_text_adds_a_proposal_and_accepting_it_reapproves() {
    let p = valid_project();
    let server = FakeServer::start();
    let before = p.record("ml-engineer");
    assert_eq!(before["tasks"][0]["status"], "approved");
    // Approved and current: a plain draft does nothing.
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer"]),
        0,
    );
    assert!(r.stdout.contains("nothing to draft"), "{}", r.stdout);
    assert_eq!(server.requests(), 0);

    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--redraft"]),
        0,
    );
    assert!(r.stdout.contains("7 proposal(s)"), "{}", r.stdout);
    let after = p.record("ml-engineer");
    for (b, a) in before["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["tasks"].as_array().unwrap())
    {
        for field in ["status", "level", "rationale", "approval", "source"] {
            assert_eq!(a[field], b[field], "{field} must stay as approved");
        }
        assert!(a["proposal"]["rationale"].is_string());
    }
    run_ok(p.willai().arg("validate"), 0);
    let status = run_ok(p.willai().args(["status", "-p", "ml-engineer"]), 0);
    assert!(
        status.stdout.contains("proposals waiting"),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stdout
            .contains("ml-engineer/write-production-code (task approved)"),
        "{}",
        status.stdout
    );

    let proposed = after["tasks"][0]["proposal"]["rationale"]
        .as_str()
        .unwrap()
        .to_string();
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "ml-engineer",
            "-t",
            "write-production-code",
            "--accept-proposal",
            "--reviewer",
            "Ann",
        ]),
        0,
    );
    let accepted = p.record("ml-engineer");
    let t = &accepted["tasks"][0];
    assert_eq!(t["rationale"], proposed.as_str());
    assert!(t["proposal"].is_null());
    assert_eq!(t["machine"]["rationale"], proposed.as_str());
    assert_eq!(t["approval"]["reviewer"], "Ann");
    run_ok(p.willai().arg("validate"), 0);

    // Reject drops the rest; the next redraft does not offer the same text again.
    let r = run_ok(p.willai().args(["reject", "-p", "ml-engineer", "--all"]), 0);
    assert_eq!(r.stdout.matches("dropped").count(), 6, "{}", r.stdout);
    assert_eq!(
        p.record("ml-engineer")["tasks"][1]["rationale"],
        before["tasks"][1]["rationale"]
    );
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--redraft"]),
        0,
    );
    assert!(r.stdout.contains("0 proposal(s)"), "{}", r.stdout);
    run_ok(p.willai().arg("validate"), 0);
}

#[test]
fn editing_a_draft_by_hand_is_kept_and_the_machine_proposes_beside_it() {
    let (p, server) = drafted();
    p.edit_record("widget-makers", |rec| {
        rec["tasks"][1]["rationale"] = "An editor's own words.".into()
    });
    let status = run_ok(
        p.willai().args(["status", "-p", "widget-makers", "--json"]),
        0,
    );
    let s: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(s["professions"][0]["tasks"]["edited"], 1);
    // A template change makes every task stale: the untouched drafts are replaced, the
    // edited one keeps its text and gets a proposal.
    let t = p.read("prompts/task.j2").replace(
        "When in doubt between two levels",
        "When unsure between two levels",
    );
    p.write("prompts/task.j2", &t);
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert!(
        r.stdout.contains("3 redrafted, 1 proposal(s)"),
        "{}",
        r.stdout
    );
    let rec = p.record("widget-makers");
    assert_eq!(rec["tasks"][1]["rationale"], "An editor's own words.");
    assert!(rec["tasks"][1]["proposal"].is_object());
    run_ok(p.willai().arg("validate"), 0);
}

/// Lines only in `new` form one block (plus, at the end of an array, the comma the
/// previous element gains); returns (removed, added).
fn diff(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (
        a[prefix..a.len() - suffix]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        b[prefix..b.len() - suffix]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    )
}

#[test]
fn drafting_one_more_task_changes_only_that_tasks_lines() {
    let (p, server) = drafted();
    let catalog = p.read("data/catalog/widget-makers.json");
    // A task in the middle of the catalog: pure addition.
    let added = catalog.replacen(
        "    {\n      \"id\": \"answer-letters\",",
        "    {\n      \"id\": \"count-widgets\",\n      \"text\": \"Count the widgets in stock\"\n    },\n    {\n      \"id\": \"answer-letters\",",
        1,
    );
    p.write("data/catalog/widget-makers.json", &added);
    let before = p.read("data/records/widget-makers.json");
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert_eq!(server.requests(), 1);
    let after = p.read("data/records/widget-makers.json");
    let (removed, added_lines) = diff(&before, &after);
    assert!(removed.is_empty(), "{removed:?}");
    // One whole entry (its braces may sit at either end of the block: the lines around
    // it repeat).
    assert!(
        added_lines.contains(&"      \"id\": \"count-widgets\",".to_string()),
        "{added_lines:?}"
    );
    assert_eq!(
        added_lines
            .iter()
            .filter(|l| !l.starts_with("      "))
            .count(),
        2,
        "{added_lines:?}"
    );
    assert!(
        added_lines
            .iter()
            .all(|l| l.starts_with("      ") || *l == "    {" || *l == "    },"),
        "{added_lines:?}"
    );

    // A task at the end: the previous element gains its comma, nothing else changes.
    let catalog = p.read("data/catalog/widget-makers.json");
    let at_end = catalog.replacen(
        "      \"text\": \"Inspect finished widgets for defects\"\n    }\n  ],",
        "      \"text\": \"Inspect finished widgets for defects\"\n    },\n    {\n      \"id\": \"ship-widgets\",\n      \"text\": \"Ship the widgets\"\n    }\n  ],",
        1,
    );
    assert_ne!(at_end, catalog);
    p.write("data/catalog/widget-makers.json", &at_end);
    let before = p.read("data/records/widget-makers.json");
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let after = p.read("data/records/widget-makers.json");
    let (removed, added_lines) = diff(&before, &after);
    // The previous entry's closing brace gains a comma: `}` becomes `},` (seen here as
    // an added `},` before the new entry), and nothing else of it changes.
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added_lines[0], "    },");
    assert_eq!(added_lines[1], "    {");
    assert_eq!(added_lines[2], "      \"id\": \"ship-widgets\",");
    assert!(
        added_lines[3..].iter().all(|l| l.starts_with("      ")),
        "{added_lines:?}"
    );
}

#[test]
fn two_drafts_at_once_on_one_root_lose_nothing() {
    let p = valid_project();
    std::fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    std::fs::remove_file(p.path("data/records/ml-engineer.json")).unwrap();
    let server = FakeServer::start_with(Options {
        delay: Duration::from_millis(100),
        ..Options::default()
    });
    let spawn = |prof: &str| {
        let mut cmd = p.process_at(&server.base_url());
        cmd.args(["draft", "-p", prof, "--concurrency", "2"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn("widget-makers");
    let b = spawn("ml-engineer");
    let a = a.wait_with_output().unwrap();
    let b = b.wait_with_output().unwrap();
    assert!(a.status.success() && b.status.success());
    let waited = [&a, &b].iter().any(|o| {
        String::from_utf8_lossy(&o.stderr).contains("another willai is writing to this project")
    });
    assert!(waited, "the second writer says it waits");
    assert_eq!(
        p.record("widget-makers")["tasks"].as_array().unwrap().len(),
        4
    );
    assert_eq!(
        p.record("ml-engineer")["tasks"].as_array().unwrap().len(),
        3
    );
    assert_eq!(
        p.record("ml-engineer")["skills"].as_array().unwrap().len(),
        4
    );
    // The same profession twice: the second finds everything done.
    std::fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    server.reset_counts();
    let a = spawn("widget-makers");
    let b = spawn("widget-makers");
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    assert_eq!(server.requests(), 0, "answers came from the cache");
    run_ok(p.willai().arg("validate"), 0);
}

#[test]
fn status_tells_states_and_staleness() {
    let (p, _server) = drafted();
    let r = run(p.willai().args(["status"]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.starts_with("PROFESSION "), "{}", r.stdout);
    let rows: Vec<Vec<&str>> = r
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        rows.contains(&vec![
            "ml-engineer",
            "tasks",
            "3",
            "0",
            "0",
            "0",
            "0",
            "3",
            "0",
            "0"
        ]),
        "{}",
        r.stdout
    );
    assert!(
        rows.contains(&vec![
            "widget-makers",
            "tasks",
            "4",
            "0",
            "0",
            "4",
            "0",
            "0",
            "0",
            "0"
        ]),
        "{}",
        r.stdout
    );
    assert!(
        rows.contains(&vec![
            "total", "tasks", "7", "0", "0", "4", "0", "3", "0", "0"
        ]),
        "{}",
        r.stdout
    );
    p.write(
        "data/catalog/widget-makers.json",
        &p.read("data/catalog/widget-makers.json")
            .replace("Sort the widgets by colour", "Sort the widgets by size"),
    );
    let r = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0);
    assert!(
        r.stdout
            .contains("widget-makers/sort-widgets (task draft): task text changed since drafting"),
        "{}",
        r.stdout
    );
    let j = run_ok(p.willai().args(["status", "--json"]), 0);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["totals"]["tasks"]["total"], 7);
    assert_eq!(v["totals"]["tasks"]["stale"], 1);
    assert_eq!(v["professions"][1]["slug"], "widget-makers");
    assert_eq!(
        v["professions"][1]["stale"][0]["reasons"][0],
        "task text changed since drafting"
    );
    assert_eq!(v["model"], "test-model");

    // Every item of every profession, drafted or not: without its record, Widget Makers
    // still lists each of its tasks and skills.
    std::fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let j = run_ok(p.willai().args(["status", "--json"]), 0);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    for prof in v["professions"].as_array().unwrap() {
        let items = prof["items"].as_array().unwrap().len() as u64;
        let total =
            prof["tasks"]["total"].as_u64().unwrap() + prof["skills"]["total"].as_u64().unwrap();
        assert_eq!(items, total, "{prof}");
    }
    assert_eq!(v["professions"][1]["tasks"]["missing"], 4);
    assert_eq!(v["professions"][1]["items"][0]["state"], "missing");
}

#[test]
fn without_a_configured_model_no_draft_is_stale_by_its_model() {
    let (p, _server) = drafted();
    let toml = p
        .read("willai.toml")
        .replace("model = \"test-model\"\n", "");
    assert!(
        !toml.contains("model = "),
        "the fixture names its model on one line"
    );
    p.write("willai.toml", &toml);
    let s: serde_json::Value = serde_json::from_str(
        &run_ok(
            p.willai().args(["status", "-p", "widget-makers", "--json"]),
            0,
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(s["model"], serde_json::Value::Null);
    assert_eq!(s["professions"][0]["tasks"]["stale"], 0, "{s}");
    assert!(s["professions"][0]["stale"].as_array().unwrap().is_empty());
    p.approve_all("widget-makers", "Ann");
}
