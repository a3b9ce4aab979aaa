//! `willai audit draw` and `willai audit report`, and audits in `validate`, `fmt` and
//! `schema`. The fixture project (`tests/fixtures/audit/project/`, made by
//! `tests/fixtures/audit/ppi_cases.py`) holds an audit drawn by sha256 order in Python,
//! independently of willai, and `project-expected.json` holds what ppi_py says about it:
//! the draw must reproduce the sample, and the report must agree to 1e-6. (`.ci/run`
//! checks with ppi-python installed that ppi_py still says so.) Judging is in
//! `tests/cli/review_tui.rs`, in a real terminal.

use std::fs;

use serde_json::Value;

use crate::util::{Project, Ran, copy_dir, repo, run_ok};
use crate::validate::valid_project;

const AUDIT: &str = "data/audits/fixture.json";

/// The fixture project: five professions, 420 tasks (383 with a level), the audit
/// `fixture` (250 drawn, 230 judged), and the schemas.
fn fixture_project() -> Project {
    let p = Project::new();
    fs::remove_dir_all(p.path("data/catalog")).unwrap();
    copy_dir(
        &repo().join("tests/fixtures/audit/project/data"),
        &p.path("data"),
    );
    copy_dir(&repo().join("data/schema"), &p.path("data/schema"));
    p
}

fn expected() -> Value {
    serde_json::from_str(
        &fs::read_to_string(repo().join("tests/fixtures/audit/project-expected.json")).unwrap(),
    )
    .unwrap()
}

fn audit(p: &Project, args: &[&str], code: i32) -> Ran {
    run_ok(p.willai().arg("audit").args(args), code)
}

fn report_json(p: &Project, name: &str) -> Value {
    let r = audit(p, &["report", name, "--json"], 0);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}", r.stdout))
}

fn close(what: &str, got: &Value, want: &Value) {
    let (g, w) = (got.as_f64(), want.as_f64());
    assert!(
        matches!((g, w), (Some(g), Some(w)) if (g - w).abs() <= 1e-6),
        "{what}: willai {got}, ppi_py {want}"
    );
}

/// The sample Python drew (sha256 of seed, newline, key; the smallest first) is the one
/// willai draws from the same seed and population, in the same order, with the same
/// population fingerprint; a second draw never replaces the first.
#[test]
fn the_draw_is_the_one_python_made_from_the_same_seed() {
    let p = fixture_project();
    let committed: Value = serde_json::from_str(&p.read(AUDIT)).unwrap();
    let r = audit(
        &p,
        &[
            "draw",
            "--size",
            "250",
            "--seed",
            "fixture-seed",
            "--name",
            "again",
            "--date",
            "2026-12-05",
        ],
        0,
    );
    assert!(
        r.stdout.contains("drew 250 of the 383 tasks with a level")
            && r.stdout.contains("willai review --audit again"),
        "{}",
        r.stdout
    );
    let drawn: Value = serde_json::from_str(&p.read("data/audits/again.json")).unwrap();
    for field in ["seed", "method", "drawn", "population", "population_sha256"] {
        assert_eq!(drawn[field], committed[field], "{field}");
    }
    let keys = |a: &Value| -> Vec<(String, String, String)> {
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["profession"].as_str().unwrap().into(),
                    i["task"].as_str().unwrap().into(),
                    i["drafted"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    assert_eq!(keys(&drawn), keys(&committed));
    assert!(
        drawn["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["judged"].is_null()),
        "nothing is judged in a fresh draw"
    );
    // The same seed again: byte-identical.
    let first = p.read("data/audits/again.json");
    audit(
        &p,
        &[
            "draw",
            "--size",
            "250",
            "--seed",
            "fixture-seed",
            "--name",
            "third",
            "--date",
            "2026-12-05",
        ],
        0,
    );
    assert_eq!(p.read("data/audits/third.json"), first);
    // Never over an existing audit, whatever the flags.
    let judged = p.read(AUDIT);
    let r = audit(&p, &["draw", "--size", "10", "--name", "fixture"], 2);
    assert!(
        r.stderr.contains("data/audits/fixture.json exists already"),
        "{}",
        r.stderr
    );
    assert_eq!(p.read(AUDIT), judged);
    // Without a name, the date, then the date with a number; without a seed, a random
    // one, recorded.
    audit(&p, &["draw", "--size", "5", "--date", "2026-12-07"], 0);
    audit(&p, &["draw", "--size", "5", "--date", "2026-12-07"], 0);
    let a: Value = serde_json::from_str(&p.read("data/audits/2026-12-07.json")).unwrap();
    let b: Value = serde_json::from_str(&p.read("data/audits/2026-12-07-2.json")).unwrap();
    assert_eq!(a["seed"].as_str().unwrap().len(), 16);
    assert_ne!(a["seed"], b["seed"], "a random seed per draw");
    run_ok(p.willai().arg("validate"), 0);
    run_ok(p.willai().args(["fmt", "--check"]), 0);
}

/// `audit report --json` on the fixture gives ppi_py's numbers to 1e-6: the PPI++
/// estimate and interval and the classical interval of each level, overall and in the
/// group with enough judged tasks, and the disagreement's Wilson interval.
#[test]
fn the_report_agrees_with_ppi_py_on_the_fixture_project() {
    let p = fixture_project();
    let got = report_json(&p, "fixture");
    let want = expected();
    assert_eq!(got["n"], 230);
    assert_eq!(got["sampled"], 250);
    assert_eq!(got["unjudged"], 20);
    assert_eq!(got["population"], want["population"]);
    assert_eq!(got["population_changed"], false);
    assert_eq!(got["blind"], 230);
    assert_eq!(got["complete"], false);
    assert_eq!(got["disagreement"]["count"], want["disagreement"]["count"]);
    for k in ["share", "low", "high"] {
        close(
            &format!("disagreement {k}"),
            &got["disagreement"][k],
            &want["disagreement"][k],
        );
    }
    let compare = |got: &Value, want: &Value, where_: &str| {
        for level in ["HIGH", "MEDIUM", "LOW"] {
            for k in ["estimate", "low", "high", "classical_low", "classical_high"] {
                close(
                    &format!("{where_} {level} {k}"),
                    &got[level][k],
                    &want[level][k],
                );
            }
        }
    };
    compare(&got["levels"], &want["levels"], "overall");
    let group = |code: &str| {
        got["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == code)
            .unwrap_or_else(|| panic!("group {code} in {got}"))
            .clone()
    };
    let computing = group("15");
    assert_eq!(computing["name"], "Computer and Mathematical");
    assert_eq!(computing["n"], want["groups"]["15"]["HIGH"]["n"]);
    assert!(computing["too_small"].is_null());
    compare(&computing["levels"], &want["groups"]["15"], "group 15");
    // Group 43 has 96 judged tasks: its numbers are there, and it says they say nothing.
    let office = group("43");
    assert_eq!(office["n"], want["groups"]["43"]["HIGH"]["n"]);
    assert!(
        office["too_small"]
            .as_str()
            .unwrap()
            .contains("a share needs at least 100"),
        "{office}"
    );
    compare(&office["levels"], &want["groups"]["43"], "group 43");
    // The drafted share: the population's levels, the sampled tasks as drafted.
    let drafted: f64 = ["HIGH", "MEDIUM", "LOW"]
        .iter()
        .map(|l| got["levels"][l]["drafted_share"].as_f64().unwrap())
        .sum();
    assert!((drafted - 1.0).abs() < 1e-12);
    assert!(got["levels"]["HIGH"]["lambda"].as_f64().unwrap() >= 0.0);

    // The text says the same, rounded, and that 20 are left out.
    let text = audit(&p, &["report", "fixture"], 0).stdout;
    assert!(text.contains("judged: 230 of 250, all blind"), "{text}");
    assert!(text.contains("not judged yet: 20 (left out"), "{text}");
    let pct = |v: &Value| format!("{:.1}", v.as_f64().unwrap() * 100.0);
    let high = &want["levels"]["HIGH"];
    let row = format!(
        "{}% ({}–{}%)",
        pct(&high["estimate"]),
        pct(&high["low"]),
        pct(&high["high"])
    );
    assert!(text.contains(&row), "{row} in\n{text}");
    assert!(
        text.contains(
            "43 Office and Administrative Support: 153 tasks, 96 judged: too small to say anything"
        ),
        "{text}"
    );
    // Without a name: the audit drawn last.
    assert_eq!(report_json(&p, "fixture"), {
        let r = audit(&p, &["report", "--json"], 0);
        serde_json::from_str::<Value>(&r.stdout).unwrap()
    });
}

/// A report before anything is judged, or on too few, says it is too small to say
/// anything and gives no interval; a record changed since the draw is told.
#[test]
fn a_small_or_unjudged_audit_says_it_is_too_small_to_say_anything() {
    let p = valid_project();
    audit(
        &p,
        &[
            "draw",
            "--size",
            "4",
            "--seed",
            "s",
            "--name",
            "tiny",
            "--date",
            "2026-12-05",
        ],
        0,
    );
    let text = audit(&p, &["report", "tiny"], 0).stdout;
    assert!(text.contains("disagreement: nothing judged yet"), "{text}");
    assert!(
        text.contains("too small to say anything: nothing judged yet"),
        "{text}"
    );
    let json = report_json(&p, "tiny");
    assert_eq!(json["n"], 0);
    assert!(json["disagreement"]["share"].is_null());
    assert!(json["levels"]["HIGH"]["estimate"].is_null());
    assert_eq!(json["too_small"], "nothing judged yet");

    // Judge every task by hand in the file (as an editor may): complete, yet 4 tasks.
    let mut a: Value = serde_json::from_str(&p.read("data/audits/tiny.json")).unwrap();
    for item in a["items"].as_array_mut().unwrap() {
        item["judged"] = "LOW".into();
    }
    p.write(
        "data/audits/tiny.json",
        &serde_json::to_string_pretty(&a).unwrap(),
    );
    run_ok(p.willai().arg("fmt"), 0);
    run_ok(p.willai().arg("validate"), 0);
    let text = audit(&p, &["report", "tiny"], 0).stdout;
    assert!(
        text.contains("judged: 4 of 4, none recorded as blind (judged in the file by hand"),
        "{text}"
    );
    assert!(text.contains("95% Wilson interval"), "{text}");
    assert!(
        text.contains("too small to say anything: 4 tasks judged; a share needs at least 100"),
        "{text}"
    );
    let json = report_json(&p, "tiny");
    assert_eq!(
        (json["n"].clone(), json["complete"].clone()),
        (4.into(), true.into())
    );
    assert!(json["disagreement"]["low"].as_f64().unwrap() >= 0.0);
    // The project changed since: said, and counted.
    fs::remove_file(p.path("data/records/ml-engineer.json")).unwrap();
    let text = audit(&p, &["report", "tiny"], 0).stdout;
    assert!(
        text.contains("the project's tasks changed since the draw"),
        "{text}"
    );
    assert_eq!(report_json(&p, "tiny")["population_changed"], true);
}

#[test]
fn bad_names_sizes_seeds_and_unknown_audits_are_usage_errors() {
    let p = valid_project();
    for (args, says) in [
        (&["draw", "--size", "0"][..], "--size must be at least 1"),
        (
            &["draw", "--size", "99"],
            "--size 99 is more than the 5 task(s) with a level",
        ),
        (
            &["draw", "--size", "2", "--name", "../x"],
            "cannot name an audit",
        ),
        (
            &["draw", "--size", "2", "--name", "con"],
            "cannot name an audit",
        ),
        (
            &["draw", "--size", "2", "--seed", "  "],
            "the seed is blank",
        ),
        (
            &["draw", "--size", "2", "--date", "tomorrow"],
            "is not a date",
        ),
        (
            &["report", "nope"],
            "no audit \"nope\" in data/audits/: there are none yet",
        ),
        (&["report"], "no audit in data/audits/ yet"),
        (
            &["report", "../../etc/passwd"],
            "no audit \"../../etc/passwd\"",
        ),
    ] {
        let r = audit(&p, args, 2);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    assert!(!p.exists("data/audits"), "nothing was written");
    // A project where nothing has a level yet.
    let empty = Project::new();
    let r = audit(&empty, &["draw", "--size", "1"], 2);
    assert!(r.stderr.contains("nothing to audit"), "{}", r.stderr);
}

/// validate checks audit files (schema, the audit's rules, the file name, canonical
/// form, `$schema`), fmt formats them, schema writes their schema.
#[test]
fn validate_fmt_and_schema_know_audit_files() {
    let p = valid_project();
    audit(
        &p,
        &[
            "draw",
            "--size",
            "3",
            "--seed",
            "s",
            "--name",
            "a",
            "--date",
            "2026-12-05",
        ],
        0,
    );
    let good = p.read("data/audits/a.json");
    let mut v: Value = serde_json::from_str(&good).unwrap();
    v["items"][0]["judged"] = "HIGHISH".into();
    v["items"][1]["reviewer"] = "Ann".into();
    v["items"][2] = v["items"][0].clone();
    v["items"][2]["judged"] = "LOW".into();
    v["items"][2]["surprise"] = true.into();
    v["drawn"] = "soon".into();
    p.write(
        "data/audits/a.json",
        &serde_json::to_string_pretty(&v).unwrap(),
    );
    p.write("data/audits/Bad Name.json", &good);
    let r = run_ok(p.willai().arg("validate"), 1);
    for says in [
        "data/audits/a.json:/items/0/judged: \"HIGHISH\" is not allowed here",
        "data/audits/a.json:/items/2/surprise: unknown field `surprise`",
        "data/audits/Bad Name.json: the file name cannot name an audit",
    ] {
        assert!(r.stdout.contains(says), "{says} in\n{}", r.stdout);
    }
    // The rules beyond the schema, on a file that parses.
    v["items"][0]["judged"] = Value::Null;
    v["items"][2].as_object_mut().unwrap().remove("surprise");
    p.write(
        "data/audits/a.json",
        &serde_json::to_string_pretty(&v).unwrap(),
    );
    fs::remove_file(p.path("data/audits/Bad Name.json")).unwrap();
    let r = run_ok(p.willai().arg("validate"), 1);
    for says in [
        "data/audits/a.json:/drawn: \"soon\" is not a date",
        "data/audits/a.json:/items/1/reviewer: says how the task was judged, but `judged` is null",
        "data/audits/a.json:/items/2/task:",
        "is sampled twice (also /items/0)",
        "data/audits/a.json:3:1: not in canonical formatting",
    ] {
        assert!(r.stdout.contains(says), "{says} in\n{}", r.stdout);
    }
    // fmt rewrites what parses; the rules still fail until fixed by hand.
    p.write("data/audits/a.json", &good.replace("  ", "    "));
    run_ok(p.willai().args(["fmt", "--check"]), 1);
    run_ok(p.willai().arg("fmt"), 0);
    assert_eq!(p.read("data/audits/a.json"), good);
    run_ok(p.willai().arg("validate"), 0);
    run_ok(p.willai().args(["schema", "--check"]), 0);
    let schema: Value = serde_json::from_str(&p.read("data/schema/audit.schema.json")).unwrap();
    assert_eq!(schema["title"], "Audit");
}

/// The whole-percent text the site gives an interval: estimate rounded, bounds rounded
/// outwards, "29% (25–34%)".
fn site_percent(estimate: &Value, low: &Value, high: &Value) -> String {
    let pct = |v: &Value| (v.as_f64().unwrap() * 100.0).clamp(0.0, 100.0);
    format!(
        "{}% ({}–{}%)",
        pct(estimate).round(),
        pct(low).floor(),
        pct(high).ceil()
    )
}

/// The site states the latest complete audit (never one still being judged): the
/// methodology in plain words, the index's audited estimates beside the published
/// shares, and bylines that say how items were approved, from the approvals' `how`.
#[test]
fn the_site_states_the_latest_complete_audit_and_how_items_were_approved() {
    let p = fixture_project();
    // Failed drafts (no text) are refused, and say so (exit 1); the rest is approved.
    let approve = |args: &[&str]| {
        let r = crate::util::run(
            p.willai()
                .args(["approve", "--force", "--reviewer", "Ann Editor"])
                .args(args),
        );
        assert!(r.stdout.contains("approved   "), "{}", r.all());
    };
    approve(&["-p", "data-wranglers", "--all", "--date", "2026-12-10"]);
    approve(&["-p", "file-clerks", "--all", "--date", "2026-12-01"]);
    approve(&[
        "-p",
        "code-reviewers",
        "--task",
        "t000",
        "--date",
        "2026-12-10",
    ]);
    let record = p.record("data-wranglers");
    assert_eq!(record["tasks"][0]["approval"]["how"], "in-bulk");
    assert_eq!(
        p.record("code-reviewers")["tasks"][0]["approval"]["how"],
        "one-by-one"
    );
    run_ok(p.willai().arg("validate"), 0);

    // The audit has 20 tasks still to judge: nothing of it is stated.
    run_ok(p.willai().args(["publish", "--out", "site"]), 0);
    let methodology = p.read("site/methodology.html");
    assert!(
        methodology.contains("No audit is complete yet: how often an editor would disagree"),
        "{methodology}"
    );
    assert!(!p.read("site/index.html").contains("audited estimate"));
    let wranglers = p.read("site/data-wranglers/index.html");
    assert!(
        wranglers.contains("Every item approved in bulk, without an audit."),
        "{wranglers}"
    );

    // Judge the rest (by hand, as an editor may): the audit is complete.
    let mut a: Value = serde_json::from_str(&p.read(AUDIT)).unwrap();
    for item in a["items"].as_array_mut().unwrap() {
        if item["judged"].is_null() {
            item["judged"] = item["drafted"].clone();
            item["date"] = "2026-12-07".into();
        }
    }
    p.write(AUDIT, &serde_json::to_string_pretty(&a).unwrap());
    run_ok(p.willai().arg("fmt"), 0);
    let report = report_json(&p, "fixture");
    assert_eq!(report["complete"], true);
    run_ok(p.willai().args(["publish", "--out", "site"]), 0);

    let d = &report["disagreement"];
    let disagreement = site_percent(&d["share"], &d["low"], &d["high"]);
    let methodology = p.read("site/methodology.html");
    let sentence = format!(
        "An editor re-judged 250 tasks drawn at random on December 5, 2026 from the 383 tasks drafted, 230 of them without seeing the drafted level; they would have rated {disagreement} of them differently."
    );
    assert!(
        methodology.contains(&sentence),
        "{sentence} in\n{methodology}"
    );
    assert!(methodology.contains("id=\"audit\""), "{methodology}");
    let index = p.read("site/index.html");
    let api: Value = serde_json::from_str(&p.read("site/api/professions/index.json")).unwrap();
    let published: usize = api["professions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["counts"]["tasks"].as_u64().unwrap() as usize)
        .sum();
    assert!(published > 0);
    for (name, key) in [("High", "HIGH"), ("Medium", "MEDIUM"), ("Low", "LOW")] {
        let l = &report["levels"][key];
        let audited = site_percent(&l["estimate"], &l["low"], &l["high"]);
        assert!(
            methodology.contains(&format!("<li>{name} exposure: {audited}</li>")),
            "{name}: {audited} in\n{methodology}"
        );
        let line = format!("{name} exposure: ");
        let at = index
            .find(&line)
            .unwrap_or_else(|| panic!("{line} in\n{index}"));
        let li = &index[at..at + index[at..].find("</li>").unwrap()];
        assert!(
            li.ends_with(&format!(
                "% of published analyses; audited estimate {audited}"
            )),
            "{li}"
        );
    }
    assert!(
        index.contains("from 250 re-judged at random on December 5, 2026"),
        "{index}"
    );

    // Bylines: in bulk after the audit was finished (December 7), in bulk before it,
    // one by one; a deep dive says it of its own task.
    let wranglers = p.read("site/data-wranglers/index.html");
    assert!(
        wranglers.contains("Every item approved in bulk after an audit. <a href=\"../methodology.html#audit\">What the audit found</a>."),
        "{wranglers}"
    );
    let clerks = p.read("site/file-clerks/index.html");
    assert!(
        clerks.contains("Every item approved in bulk, without an audit."),
        "{clerks}"
    );
    assert!(!clerks.contains("What the audit found"), "{clerks}");
    let reviewers = p.read("site/code-reviewers/index.html");
    assert!(
        reviewers.contains("Read and approved one by one."),
        "{reviewers}"
    );
    let deep = std::fs::read_dir(p.path("site/data-wranglers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|f| f.file_name().is_some_and(|n| n != "index.html"))
        .unwrap();
    let deep = fs::read_to_string(deep).unwrap();
    assert!(deep.contains("Approved in bulk after an audit."), "{deep}");
}
