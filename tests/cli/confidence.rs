//! Confidence on every drafted level: from log-probabilities where the server gives them,
//! from samples with `--samples N` (the `n` parameter, or one request per sample), and
//! none, said once, from a server that refuses or ignores both.

use fake_openai::{FakeServer, Options, Support};
use serde_json::Value;

use crate::util::{Project, run_ok, summary_line};

fn task(text: &str) -> String {
    format!("Task: {text}")
}

fn confidences(p: &Project) -> Vec<Value> {
    p.record("widget-makers")["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["machine"]["confidence"].clone())
        .collect()
}

#[test]
fn log_probabilities_give_the_level_its_probability_and_a_rerun_sends_nothing() {
    let p = Project::new();
    let server = FakeServer::start();
    // HIGH 0.6, MEDIUM 0.3, LOW 0.1: the level is HIGH, 60% sure.
    server.script_levels(&task("Sort the widgets by colour"), [0.6, 0.3, 0.1]);
    server.script_levels(&task("Paint the widget housings"), [0.05, 0.15, 0.8]);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let bodies = server.bodies();
    assert!(
        bodies
            .iter()
            .filter(|b| b.to_string().contains("Task: "))
            .all(|b| b["logprobs"] == true && b["top_logprobs"].as_u64() >= Some(3)),
        "every task request asks for log-probabilities"
    );
    let record = p.record("widget-makers");
    assert_eq!(record["tasks"][0]["level"], "HIGH");
    assert_eq!(
        record["tasks"][0]["machine"]["confidence"],
        serde_json::json!({"method": "logprobs", "value": 0.6})
    );
    assert_eq!(record["tasks"][1]["level"], "LOW");
    assert_eq!(record["tasks"][1]["machine"]["confidence"]["value"], 0.8);
    // Shown by status, in the table and the JSON.
    let r = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0);
    assert!(r.stdout.contains(" 60% "), "{}", r.stdout);
    let r = run_ok(p.willai().args(["status", "--json"]), 0);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["professions"][1]["items"][0]["confidence"], 0.6);
    // Same flags, nothing sent; without confidence, other keys: sent again.
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--redraft"]),
        0,
    );
    assert_eq!(server.requests(), 0);
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--redraft",
            "--confidence",
            "none",
        ]),
        0,
    );
    assert_eq!(
        server.requests(),
        4,
        "the four task prompts, keyed without logprobs"
    );
    assert!(confidences(&p).iter().all(Value::is_null));
}

#[test]
fn samples_record_the_majority_level_and_its_share() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script_levels(&task("Sort the widgets by colour"), [0.6, 0.3, 0.1]);
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--samples", "10"]),
        0,
    );
    // One request per prompt, each asking for 10 answers, sampled above temperature 0.
    assert_eq!(server.requests(), 5, "{}", r.stdout);
    let sort = server
        .bodies()
        .into_iter()
        .find(|b| b.to_string().contains(&task("Sort the widgets by colour")))
        .unwrap();
    assert_eq!(sort["n"], 10);
    assert!(sort["temperature"].as_f64().unwrap() > 0.0);
    assert!(sort.get("logprobs").is_none());
    let record = p.record("widget-makers");
    assert_eq!(record["tasks"][0]["level"], "HIGH");
    assert_eq!(
        record["tasks"][0]["machine"]["confidence"],
        serde_json::json!({"method": "samples", "value": 0.6, "samples": 10})
    );
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--samples",
            "10",
            "--redraft",
        ]),
        0,
    );
    assert_eq!(
        server.requests(),
        0,
        "a rerun with the same flags sends nothing"
    );
}

#[test]
fn a_server_that_refuses_n_gets_one_request_per_sample() {
    let p = Project::new();
    let server = FakeServer::start_with(Options {
        n: Support::Refuse(400),
        ..Options::default()
    });
    server.script_levels(&task("Sort the widgets by colour"), [0.6, 0.3, 0.1]);
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--samples",
            "5",
            "--concurrency",
            "1",
        ]),
        0,
    );
    assert!(
        r.stderr.contains("n: the server refused or ignored it")
            && r.stderr
                .contains("asking for each sample in a request of its own"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("n: the server refused").count(),
        1,
        "said once"
    );
    // The first request with n is refused; then 5 per task, and one for the skills (a
    // confidence is a level's: skills are asked once).
    assert_eq!(server.requests(), 1 + 4 * 5 + 1);
    let seeds: Vec<i64> = server
        .bodies()
        .iter()
        .filter(|b| {
            b.to_string().contains(&task("Sort the widgets by colour")) && b.get("n").is_none()
        })
        .map(|b| b["seed"].as_i64().unwrap())
        .collect();
    assert_eq!(seeds, vec![42, 43, 44, 45, 46], "each sample its own seed");
    let c = &confidences(&p)[0];
    assert_eq!(c["method"], "samples");
    assert_eq!(c["samples"], 5);
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--samples",
            "5",
            "--redraft",
        ]),
        0,
    );
    assert_eq!(server.requests(), 0, "the samples are found in the cache");
}

#[test]
fn a_server_that_refuses_or_ignores_logprobs_drafts_without_confidence_and_says_so_once() {
    for support in [Support::Refuse(400), Support::Ignore] {
        let p = Project::new();
        let server = FakeServer::start_with(Options {
            logprobs: support,
            n: support,
            ..Options::default()
        });
        let r = run_ok(
            p.willai_at(&server.base_url()).args([
                "draft",
                "-p",
                "widget-makers",
                "--concurrency",
                "1",
            ]),
            0,
        );
        assert_eq!(
            r.stderr
                .matches("logprobs: the server refused or ignored it")
                .count(),
            1,
            "{support:?}: {}",
            r.stderr
        );
        assert!(
            summary_line(&r.stdout, "requests").contains("without logprobs"),
            "{}",
            r.stdout
        );
        assert!(confidences(&p).iter().all(Value::is_null), "{support:?}");
        // Refused: one refused request, then the 5 prompts without; ignored: 5 requests,
        // the first asking.
        let expected = if support == Support::Ignore { 5 } else { 6 };
        assert_eq!(server.requests(), expected, "{support:?}");
        server.reset_counts();
        run_ok(
            p.willai_at(&server.base_url())
                .args(["draft", "-p", "widget-makers", "--redraft"]),
            0,
        );
        assert_eq!(server.requests(), 0, "{support:?}: a rerun sends nothing");
        // With samples on a server that takes neither: one request per sample.
        let r = run_ok(
            p.willai_at(&server.base_url()).args([
                "draft",
                "-p",
                "widget-makers",
                "--samples",
                "3",
                "--redraft",
                "--concurrency",
                "1",
            ]),
            0,
        );
        assert!(
            r.stderr.contains("n: the server refused or ignored it"),
            "{}",
            r.stderr
        );
        assert!(
            confidences(&p)
                .iter()
                .all(|c| c["method"] == "samples" && c["samples"] == 3),
            "{support:?}: {:?}",
            confidences(&p)
        );
    }
}

// A confidence is a probability: validate names one edited out of range.
#[test]
fn validate_refuses_a_confidence_that_is_not_a_probability() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script_levels(&task("Sort the widgets by colour"), [0.6, 0.3, 0.1]);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    run_ok(p.willai().arg("schema"), 0);
    run_ok(p.willai().arg("validate"), 0);
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["machine"]["confidence"]["value"] = serde_json::json!(-3.0);
    });
    run_ok(p.willai().arg("fmt"), 0);
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout.contains(
            "/tasks/0/machine/confidence/value: is -3, not a probability between 0 and 1"
        ),
        "{}",
        r.stdout
    );
}
