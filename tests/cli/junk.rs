//! Junk replies (issue #25): a reply that fits the schema but says nothing (a template
//! placeholder, the prompt's own instructions given back, a reason that is only a
//! verdict word) is an invalid reply: asked again once, never cached; and `validate`
//! names it in a record.

use fake_openai::{FakeServer, Fault};
use serde_json::json;

use crate::util::{Project, run_ok, summary_line};

fn task_reply(title: &str, rationale: &str, tools: &[&str], tip: &str) -> String {
    json!({"title": title, "level": "LOW", "rationale": rationale, "tools": tools, "tip": tip})
        .to_string()
}

fn good() -> String {
    task_reply(
        "Sort widgets by colour",
        "Sorting by colour is done on the line by a person with a sorting machine.",
        &[],
        "Learn to set up the sorting machine.",
    )
}

#[test]
fn junk_replies_are_asked_again_and_never_cached() {
    let p = Project::new();
    run_ok(p.willai().arg("schema"), 0);
    let server = FakeServer::start();
    let cases = [
        (
            "Task: Sort the widgets by colour",
            task_reply(
                "Sort widgets",
                "A person sorts them.",
                &[],
                "{type} {tool:string}{description}",
            ),
            "`tip` holds a template placeholder ({type})",
        ),
        (
            "Task: Paint the widget housings",
            task_reply(
                "The task as a headline of at most 60 characters, in the Imm",
                "A person paints them.",
                &[],
                "Learn to paint.",
            ),
            "`title` repeats the instructions",
        ),
        (
            "Task: Answer customer letters about widgets",
            task_reply(
                "Answer letters",
                "A person answers them.",
                &["ChatGPT", "type:string"],
                "Learn to write.",
            ),
            "a name in `tools` holds a template placeholder (type:string)",
        ),
        (
            "Task: Inspect finished widgets for defects",
            task_reply("HIGH", "A person inspects them.", &[], "Learn to look."),
            "`title` only says \"HIGH\"",
        ),
    ];
    for (task, junk, _) in &cases {
        server.script(task, vec![Fault::Reply(junk.clone()), Fault::Reply(good())]);
    }
    let skills = json!({"skills": {
        "Painting": {"verdict": "resilient", "reason": "vulnerable"},
        "Letter writing": {"verdict": "vulnerable", "reason": "Letters are drafted by AI."}}})
    .to_string();
    let fixed = json!({"skills": {
        "Painting": {"verdict": "resilient", "reason": "Hands and eyes at the bench."},
        "Letter writing": {"verdict": "vulnerable", "reason": "Letters are drafted by AI."}}})
    .to_string();
    server.script("Skills:", vec![Fault::Reply(skills), Fault::Reply(fixed)]);
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--no-progress"]),
        0,
    );
    for (_, _, why) in &cases {
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
    }
    assert!(
        r.stderr.contains("only says \"vulnerable\""),
        "{}",
        r.stderr
    );
    assert!(
        summary_line(&r.stdout, "requests").contains("5 re-asked after an invalid reply (5 fixed)"),
        "{}",
        r.stdout
    );
    // Only the fixed replies are in the records and the cache; a rerun sends nothing.
    let record = p.read("data/records/widget-makers.json");
    for junk in [
        "{type}",
        "type:string",
        "as a headline",
        "\"title\": \"HIGH\"",
        "\"reason\": \"vulnerable\"",
    ] {
        assert!(!record.contains(junk), "{junk} in {record}");
    }
    for f in p.cache_files() {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains("{type} {tool"), "{text}");
    }
    run_ok(p.willai().args(["cache", "verify"]), 0);
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--redraft"]),
        0,
    );
    assert_eq!(server.requests(), 0);
    run_ok(p.willai().arg("validate"), 0);

    // Junk twice: the item fails, and nothing of it is cached.
    let p = Project::new();
    let server = FakeServer::start();
    let junk = task_reply("Sort", "A person sorts them.", &[], "{{title}}: sort them");
    server.script(
        "Task: Sort the widgets by colour",
        vec![Fault::Reply(junk.clone()), Fault::Reply(junk)],
    );
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--no-progress"]),
        1,
    );
    assert!(
        r.stdout
            .contains("widget-makers/sort-widgets: invalid reply, also after one re-ask: `tip` holds a template placeholder ({{title}})"),
        "{}",
        r.stdout
    );
    assert!(
        p.cache_files()
            .iter()
            .all(|f| !std::fs::read_to_string(f).unwrap().contains("{{title}}"))
    );
}

#[test]
fn validate_names_junk_in_what_is_approved_or_proposed_not_in_text_an_editor_replaced() {
    let p = Project::new();
    run_ok(p.willai().arg("schema"), 0);
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    run_ok(p.willai().arg("validate"), 0);
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["tip"] = json!("{{title}}: sort them by colour.");
        r["tasks"][1]["title"] = json!("The task as a headline of at most 60 characters");
        r["skills"][0]["reason"] = json!("Resilient.");
        // The machine's own text beside an editor's is the editor's business.
        r["tasks"][2]["machine"]["tip"] = json!("{type}");
        r["tasks"][2]["tip"] = json!("Keep a template of your usual answers.");
    });
    let r = run_ok(p.willai().arg("validate"), 1);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(
        r.stdout.contains("data/records/widget-makers.json:/tasks/0/tip: holds a template placeholder ({{title}}), not text: rewrite it"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("/tasks/1/title: repeats the prompt's instructions instead of answering"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("/skills/0/reason: only says \"Resilient.\", not in words"),
        "{}",
        r.stdout
    );
    // The same problems, placed at their lines for a pull request.
    let r = run_ok(p.willai().args(["validate", "--format", "github"]), 1);
    assert!(
        r.stdout.lines().any(|l| l
            .starts_with("::error file=data/records/widget-makers.json,line=")
            && l.contains("template placeholder")),
        "{}",
        r.stdout
    );
}
