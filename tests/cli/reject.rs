//! Saying no (issue #25): an editor rejects the machine's draft of a task or a proposed
//! skill, with `willai reject` or `r` in `willai review`; the rejection is recorded, and
//! the same prompt's answer does not come back on the next `draft`, while a new prompt's
//! does.

use fake_openai::{FakeServer, Fault};
use serde_json::{Value, json};

use crate::util::{Project, run_ok};

fn skills_reply(names: &[&str]) -> String {
    let skills: Vec<Value> = names
        .iter()
        .map(|n| json!({"name": n, "verdict": "vulnerable", "reason": format!("{n} is routine work for code generators.")}))
        .collect();
    json!({ "skills": skills }).to_string()
}

/// Chief Executives, whose catalog lists no skills: the model proposes them (a small one
/// proposes Python, C++ and JavaScript).
/// A project of the fixture catalog, with its schemas (so that it validates).
fn project() -> Project {
    let p = Project::new();
    run_ok(p.willai().arg("schema"), 0);
    p
}

fn executives(server: &FakeServer) -> Project {
    let p = project();
    p.write(
        "data/catalog/chief-executives.json",
        &serde_json::to_string_pretty(&json!({
            "$schema": "../schema/catalog.schema.json",
            "name": "Chief Executives", "slug": "chief-executives",
            "tasks": [
                {"id": "direct", "text": "Direct the organization's financial and budgetary activities."},
                {"id": "confer", "text": "Confer with board members and staff on activities and policies."}
            ],
            "skills": []
        }))
        .unwrap(),
    );
    run_ok(p.willai().arg("fmt"), 0);
    server.script(
        "Tasks:",
        vec![Fault::Reply(skills_reply(&[
            "Python",
            "C++",
            "JavaScript",
            "Negotiation",
        ]))],
    );
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "chief-executives"]),
        0,
    );
    p
}

fn skill<'a>(record: &'a Value, id: &str) -> &'a Value {
    record["skills"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no skill {id} in {record}"))
}

#[test]
fn a_rejected_proposed_skill_stays_rejected_until_its_prompt_changes() {
    let server = FakeServer::start();
    let p = executives(&server);
    let r = run_ok(
        p.willai()
            .args(["reject", "-p", "chief-executives", "--skill", "python"]),
        0,
    );
    assert!(
        r.stdout
            .contains("rejected   chief-executives/skills/python"),
        "{}",
        r.stdout
    );
    let record = p.record("chief-executives");
    let python = skill(&record, "python");
    assert_eq!(python["status"], "rejected");
    assert_eq!(
        python["name"], "Python",
        "the name stays, to say what was rejected"
    );
    assert!(python.get("verdict").is_none() && python.get("reason").is_none());
    assert_eq!(
        python["machine"]["verdict"], "vulnerable",
        "what was rejected is kept"
    );
    run_ok(p.willai().arg("validate"), 0);
    let status = run_ok(p.willai().args(["status", "--json"]), 0).stdout;
    let status: Value = serde_json::from_str(&status).unwrap();
    let ceo = status["professions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["slug"] == "chief-executives")
        .unwrap();
    assert_eq!(ceo["skills"]["rejected"], 1, "{ceo}");

    // The next draft, and a redraft of the same prompts, do not bring it back.
    let before = p.read("data/records/chief-executives.json");
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "chief-executives"]),
        0,
    );
    assert!(r.stdout.contains("nothing to draft"), "{}", r.stdout);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "chief-executives", "--redraft"]),
        0,
    );
    assert_eq!(p.read("data/records/chief-executives.json"), before);

    // A new prompt (the profession's tasks changed) may propose it again: it comes back.
    let catalog = p
        .read("data/catalog/chief-executives.json")
        .replace("financial and budgetary", "financial, budgetary and legal");
    p.write("data/catalog/chief-executives.json", &catalog);
    server.script(
        "Tasks:",
        vec![Fault::Reply(skills_reply(&[
            "Python",
            "Negotiation",
            "Strategy",
            "Governance",
        ]))],
    );
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "chief-executives"]),
        0,
    );
    let record = p.record("chief-executives");
    assert_eq!(skill(&record, "python")["status"], "draft", "{record}");
    // The skills the new proposal no longer names go; what was rejected and is not named
    // again stays rejected.
    assert!(
        record["skills"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != "javascript")
    );
}

#[test]
fn a_rejected_task_draft_is_not_drafted_again_unless_its_task_or_template_changes() {
    let server = FakeServer::start();
    let p = project();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let r = run_ok(
        p.willai()
            .args(["reject", "-p", "widget-makers", "--task", "sort-widgets"]),
        0,
    );
    assert!(
        r.stdout
            .contains("not drafted again unless its prompt changes"),
        "{}",
        r.stdout
    );
    let task = p.record("widget-makers")["tasks"][0].clone();
    assert_eq!(
        (task["id"].as_str(), task["status"].as_str()),
        (Some("sort-widgets"), Some("rejected"))
    );
    assert!(
        task.get("level").is_none() && task.get("rationale").is_none(),
        "{task}"
    );
    assert!(task["machine"]["level"].is_string(), "{task}");
    run_ok(p.willai().arg("validate"), 0);
    let text = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0).stdout;
    assert!(
        text.lines()
            .any(|l| l.contains("rejected") && l.contains("sort-widgets")),
        "{text}"
    );

    server.reset_counts();
    let before = p.read("data/records/widget-makers.json");
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--redraft"]),
        0,
    );
    assert_eq!(
        server.requests(),
        0,
        "the cache answers; the rejection holds"
    );
    assert_eq!(p.read("data/records/widget-makers.json"), before);
    // publish has nothing of it; review has nothing to show of it.
    // A changed template is a new prompt: the task is drafted again.
    let t = p.read("prompts/task.j2").replace(
        "When in doubt between two levels",
        "When unsure between two levels",
    );
    p.write("prompts/task.j2", &t);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let task = p.record("widget-makers")["tasks"][0].clone();
    assert_eq!(task["status"], "draft", "{task}");
    assert!(task["level"].is_string());
}

#[test]
fn reject_refuses_what_is_not_the_machines_untouched_draft_and_exits_1() {
    let server = FakeServer::start();
    let p = project();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--task",
            "paint-housings",
            "--reviewer",
            "Ann",
        ]),
        0,
    );
    p.edit_record("widget-makers", |r| {
        r["tasks"][2]["rationale"] = json!("An editor's own words about letters.");
    });
    let before = p.read("data/records/widget-makers.json");
    for (task, why) in [
        ("paint-housings", "is approved"),
        ("answer-letters", "holds an editor's text"),
    ] {
        let r = run_ok(
            p.willai()
                .args(["reject", "-p", "widget-makers", "--task", task]),
            1,
        );
        assert!(
            r.stdout
                .contains(&format!("refused    widget-makers/{task}: {why}")),
            "{}",
            r.stdout
        );
    }
    assert_eq!(p.read("data/records/widget-makers.json"), before);
    // Rejected once, a second time is refused too.
    run_ok(
        p.willai()
            .args(["reject", "-p", "widget-makers", "--task", "sort-widgets"]),
        0,
    );
    let r = run_ok(
        p.willai()
            .args(["reject", "-p", "widget-makers", "--task", "sort-widgets"]),
        1,
    );
    assert!(r.stdout.contains("is rejected already"), "{}", r.stdout);
    // An editor may still write the text of a rejected task and approve it.
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["level"] = json!("LOW");
        r["tasks"][0]["rationale"] = json!("Sorting by colour is done by the machine on the line.");
    });
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--task",
            "sort-widgets",
            "--reviewer",
            "Ann",
        ]),
        0,
    );
    run_ok(p.willai().arg("validate"), 0);
}
