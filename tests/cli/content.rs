//! Content for every occupation: drafted task titles, skills proposed for a profession
//! whose catalog lists none, and an upgrade that keeps approved text.

use fake_openai::FakeServer;
use serde_json::{Value, json};

use crate::util::{Project, run_ok};

/// A project with one O*NET-like occupation whose catalog lists no skills.
fn clerks() -> Project {
    let p = Project::new();
    let tasks: Vec<Value> = [
        "Prepare detailed reports on audit findings, and report to management about asset utilization and audit results.",
        "Examine and evaluate financial and information systems, recommending controls to ensure system reliability.",
        "Count, weigh and inspect incoming shipments of goods for damage.",
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| json!({"id": format!("onet-{}", 100 + i), "text": t, "type": "Core", "onet_task_id": 100 + i}))
    .collect();
    p.write(
        "data/catalog/audit-clerks.json",
        &serde_json::to_string_pretty(&json!({
            "$schema": "../schema/catalog.schema.json",
            "name": "Audit Clerks", "slug": "audit-clerks", "onet_soc": "43-3031.00",
            "tasks": tasks, "skills": []
        }))
        .unwrap(),
    );
    run_ok(p.willai().arg("fmt"), 0);
    run_ok(p.willai().arg("schema"), 0);
    p
}

#[test]
fn tasks_get_titles_and_a_profession_without_skills_gets_proposed_ones() {
    let p = clerks();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "audit-clerks"]),
        0,
    );
    // Three task prompts and one proposing the skills.
    assert_eq!(server.requests(), 4);
    let proposal = server
        .bodies()
        .into_iter()
        .find(|b| b.to_string().contains("skills_proposal"))
        .expect("a skills proposal was asked for");
    let asked = proposal["messages"][1]["content"].as_str().unwrap();
    assert!(
        asked.contains("Count, weigh and inspect incoming shipments"),
        "{asked}"
    );

    let record = p.record("audit-clerks");
    for t in record["tasks"].as_array().unwrap() {
        let title = t["title"].as_str().expect("every task draft has a title");
        assert!(
            title.chars().count() <= 60 && !title.ends_with('.'),
            "{title}"
        );
        assert_eq!(t["machine"]["title"], t["title"]);
    }
    let skills = record["skills"].as_array().unwrap();
    assert!((4..=6).contains(&skills.len()), "{skills:?}");
    for s in skills {
        let name = s["name"].as_str().expect("a proposed skill has its name");
        assert_eq!(s["status"], "draft");
        assert_eq!(s["id"], slug(name));
        assert!(s["machine"]["cache_key"].as_str().is_some());
    }
    run_ok(p.willai().arg("validate"), 0);

    // status lists every item with its title; --task takes a title, --skill a name.
    let title = record["tasks"][2]["title"].as_str().unwrap().to_string();
    let name = skills[0]["name"].as_str().unwrap().to_string();
    let r = run_ok(p.willai().args(["status", "-p", "audit-clerks"]), 0);
    assert!(
        r.stdout.contains(&title) && r.stdout.contains(&name),
        "{}",
        r.stdout
    );
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "audit-clerks",
            "--task",
            &title,
            "--skill",
            &name,
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
    let record = p.record("audit-clerks");
    assert_eq!(record["tasks"][2]["status"], "approved");
    assert_eq!(record["skills"][0]["status"], "approved");
    run_ok(p.willai().arg("validate"), 0);

    // The site shows the title and the proposed skill; the statement stays on the page.
    let out = p.path("site");
    run_ok(
        p.willai().args(["publish", "--out", out.to_str().unwrap()]),
        0,
    );
    let page = std::fs::read_to_string(out.join("audit-clerks/index.html")).unwrap();
    assert!(page.contains(&title), "{page}");
    // The proposed skill is in the skills analysis, by its name.
    assert!(
        page.contains(&format!("<li><strong>{name}</strong>")),
        "{page}"
    );
    let deep = std::fs::read_dir(out.join("audit-clerks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap() != "index.html")
        .unwrap();
    let deep = std::fs::read_to_string(deep).unwrap();
    assert!(deep.contains(&format!("Focus: {title}")), "{deep}");
    assert!(deep.contains("Count, weigh and inspect incoming shipments of goods for damage."));

    // A rerun sends nothing.
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "audit-clerks"]),
        0,
    );
    assert_eq!(server.requests(), 0);
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for part in name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out
}

/// The upgrade that added titles: drafts made before are stale; approved and edited
/// text stays word for word, the new text (with its title) arrives as a proposal.
#[test]
fn an_upgrade_keeps_approved_and_edited_text_and_proposes_beside_it() {
    let p = Project::new();
    run_ok(p.willai().arg("schema"), 0);
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    // As records looked before titles: no title anywhere, an older template.
    p.edit_record("widget-makers", |r| {
        for (i, t) in r["tasks"].as_array_mut().unwrap().iter_mut().enumerate() {
            t.as_object_mut().unwrap().remove("title");
            t["machine"].as_object_mut().unwrap().remove("title");
            t["machine"]["template"] = json!("task.j2@0123456789ab");
            if i == 1 {
                t["rationale"] = json!("An editor's own words.");
            }
        }
    });
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--force",
            "--reviewer",
            "Ann Editor",
            "--date",
            "2026-05-01",
        ]),
        0,
    );
    let before = p.record("widget-makers");
    run_ok(p.willai().arg("validate"), 0);
    let r = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0);
    assert!(
        r.stdout.contains("template changed (task.j2@0123456789ab"),
        "{}",
        r.stdout
    );

    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let after = p.record("widget-makers");
    for i in [0, 1] {
        let (b, a) = (&before["tasks"][i], &after["tasks"][i]);
        for field in ["status", "level", "rationale", "tools", "tip", "approval"] {
            assert_eq!(a[field], b[field], "task {i}: {field} kept");
        }
        assert!(
            a.get("title").is_none(),
            "task {i}: no title forced on kept text"
        );
        let proposed = a["proposal"]["title"].as_str();
        assert!(proposed.is_some_and(|t| !t.is_empty()), "task {i}: {a}");
    }
    // An untouched draft is simply redrafted, with its title.
    assert!(after["tasks"][2]["title"].is_string());
    assert!(after["tasks"][2].get("proposal").is_none());
    run_ok(p.willai().arg("validate"), 0);
    // Accepting the proposal brings the title in.
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--accept-proposal",
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
    assert!(p.record("widget-makers")["tasks"][0]["title"].is_string());
    run_ok(p.willai().arg("validate"), 0);
}
