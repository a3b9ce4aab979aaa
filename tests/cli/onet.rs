//! `willai import onet`: the real file's layout and O*NET's own, idempotence, editorial
//! fields, staleness after a reworded statement, and bad rows.

use fake_openai::FakeServer;

use crate::util::{Project, repo, run_ok};

fn fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/onet")
        .join(name)
        .display()
        .to_string()
}

/// An empty project: prompts and configuration, no catalog.
fn empty() -> Project {
    let p = Project::new();
    std::fs::remove_dir_all(p.path("data/catalog")).unwrap();
    p
}

#[test]
fn importing_a_slice_of_the_real_file_builds_the_catalog() {
    let p = empty();
    let r = run_ok(
        p.willai().args(["import", "onet", &fixture("slice.tsv")]),
        0,
    );
    assert!(
        r.stdout
            .contains("3 occupation(s) added, 0 updated, 0 unchanged; tasks: 39 added"),
        "{}",
        r.stdout
    );
    let occ: serde_json::Value =
        serde_json::from_str(&p.read("data/catalog/data-scientists.json")).unwrap();
    assert_eq!(occ["onet_soc"], "15-2051.00");
    assert_eq!(occ["tasks"][0]["id"], "onet-21823");
    assert_eq!(occ["tasks"][0]["onet_task_id"], 21823);
    assert!(occ["source"].as_str().unwrap().contains("CC BY 4.0"));
    // The committed catalog was made from the same rows: importing them changes nothing.
    let committed =
        std::fs::read_to_string(repo().join("data/catalog/paralegals-and-legal-assistants.json"))
            .unwrap();
    let imported = p.read("data/catalog/paralegals-and-legal-assistants.json");
    let strip = |s: &str| -> serde_json::Value {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("aliases");
        v.as_object_mut().unwrap().remove("skills");
        v
    };
    assert_eq!(strip(&committed), strip(&imported));
    run_ok(p.willai().arg("schema"), 0);
    run_ok(p.willai().arg("validate"), 0);
}

#[test]
fn importing_twice_changes_nothing() {
    let p = empty();
    run_ok(
        p.willai().args(["import", "onet", &fixture("slice.tsv")]),
        0,
    );
    let before = p.all_files();
    let r = run_ok(
        p.willai().args(["import", "onet", &fixture("slice.tsv")]),
        0,
    );
    assert!(
        r.stdout
            .contains("0 occupation(s) added, 0 updated, 3 unchanged"),
        "{}",
        r.stdout
    );
    assert_eq!(before, p.all_files());
}

#[test]
fn a_newer_file_adds_and_updates_tasks_keeps_editorial_fields_and_marks_drafts_stale() {
    let p = empty();
    run_ok(
        p.willai().args([
            "import",
            "onet",
            &fixture("slice.tsv"),
            "--occupation",
            "Data Scientists",
        ]),
        0,
    );
    // An editor renames the profession, adds an alias and a skill.
    let path = "data/catalog/data-scientists.json";
    let mut occ: serde_json::Value = serde_json::from_str(&p.read(path)).unwrap();
    occ["name"] = "Data Scientist".into();
    occ["aliases"] = serde_json::json!(["Data science practitioner"]);
    occ["skills"] = serde_json::json!([{"id": "statistics", "name": "Statistics"}]);
    p.write(path, &serde_json::to_string_pretty(&occ).unwrap());
    run_ok(p.willai().arg("fmt"), 0);
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "data-scientists"]),
        0,
    );

    let r = run_ok(
        p.willai().args([
            "import",
            "onet",
            &fixture("task-statements-newer.txt"),
            "--occupation",
            "15-2051.00",
        ]),
        0,
    );
    assert!(r.stdout.contains("updated    data-scientists (15-2051.00): 1 task(s) added, 1 changed, 1 kept (not in the file), 14 unchanged"), "{}", r.stdout);
    assert!(
        r.stdout.contains("their drafts are now stale"),
        "{}",
        r.stdout
    );
    let occ: serde_json::Value = serde_json::from_str(&p.read(path)).unwrap();
    assert_eq!(occ["name"], "Data Scientist", "the editor's name stays");
    assert_eq!(occ["aliases"][0], "Data science practitioner");
    assert_eq!(occ["skills"][0]["name"], "Statistics");
    let tasks = occ["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 17);
    assert!(
        tasks.iter().any(|t| t["id"] == "onet-21827"),
        "a task no longer in the file is kept"
    );
    assert_eq!(tasks.last().unwrap()["id"], "onet-99001");
    let status = run_ok(
        p.willai()
            .args(["status", "-p", "data-scientists", "--json"]),
        0,
    );
    let s: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let stale = &s["professions"][0]["stale"];
    assert_eq!(stale.as_array().unwrap().len(), 1, "{stale}");
    assert_eq!(stale[0]["id"], "onet-21826");
    assert_eq!(s["professions"][0]["tasks"]["missing"], 1);
    // Importing the newer file again is a no-op.
    let r = run_ok(
        p.willai().args([
            "import",
            "onet",
            &fixture("task-statements-newer.txt"),
            "--occupation",
            "15-2051.00",
        ]),
        0,
    );
    assert!(r.stdout.contains("0 updated, 1 unchanged"), "{}", r.stdout);
}

#[test]
fn bad_rows_are_reported_by_line_and_skipped_or_refused() {
    let p = empty();
    let r = run_ok(
        p.willai().args([
            "import",
            "onet",
            &fixture("bad.tsv"),
            "--bad-rows",
            "refuse",
        ]),
        1,
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    let file = fixture("bad.tsv");
    assert_eq!(
        lines[0],
        format!("{file}:3: task 21824 has an empty statement")
    );
    assert_eq!(
        lines[1],
        format!("{file}:4: duplicate Task ID 21823 (first on line 2)")
    );
    assert_eq!(
        lines[2],
        format!("{file}:5: Task ID \"abc\" is not a whole number")
    );
    assert_eq!(
        lines[3],
        format!("{file}:6: has 3 columns; the header has 8")
    );
    assert!(
        r.stderr.contains("4 bad row(s)")
            && r.stderr.contains("nothing imported")
            && r.stderr.contains("--bad-rows skip"),
        "{}",
        r.stderr
    );
    assert!(!p.exists("data/catalog/data-scientists.json"));
    let r = run_ok(p.willai().args(["import", "onet", &fixture("bad.tsv")]), 0);
    assert!(
        r.stdout.contains("tasks: 2 added") && r.stdout.contains("4 bad row(s) skipped"),
        "{}",
        r.stdout
    );
}

#[test]
fn unknown_occupations_and_columns_are_usage_errors() {
    let p = empty();
    let r = run_ok(
        p.willai().args([
            "import",
            "onet",
            &fixture("slice.tsv"),
            "--occupation",
            "Astronauts",
        ]),
        2,
    );
    assert!(
        r.stderr.contains("no occupation in") && r.stderr.contains("\"Astronauts\""),
        "{}",
        r.stderr
    );
    p.write("wrong.tsv", "Code\tName\n1\tx\n");
    let r = run_ok(
        p.willai().args(["import", "onet"]).arg(p.path("wrong.tsv")),
        2,
    );
    assert!(r.stderr.contains("the header must name the columns \"O*NET-SOC Code\", \"Title\", \"Task ID\" and \"Task\""), "{}", r.stderr);
    assert!(
        r.stderr.contains("it has \"Code\", \"Name\""),
        "{}",
        r.stderr
    );
}
