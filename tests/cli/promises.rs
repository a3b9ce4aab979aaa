//! README promises that had no test, and the mutations the suite let through (issue
//! 16): each test here fails when the promise it names is broken. Timing is measured as
//! the gaps between requests at the fake server, never by sleeping.

use std::fs;
use std::time::Duration;

use fake_openai::{FakeServer, Fault};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::util::{KEY, Project, run, run_ok, summary_line};
use crate::validate::valid_project;

fn task(text: &str) -> String {
    format!("Task: {text}")
}

/// The arrival times of the requests whose body holds `needle`.
fn arrivals_of(server: &FakeServer, needle: &str) -> Vec<std::time::Instant> {
    let bodies = server.bodies();
    server
        .arrivals()
        .into_iter()
        .zip(bodies)
        .filter(|(_, b)| b.to_string().contains(needle))
        .map(|(t, _)| t)
        .collect()
}

/// A catalog of `n` tasks in one profession, `big`, with no skills list... and one skill,
/// so the skills prompt is one more request.
fn big(p: &Project, n: usize) {
    let tasks: Vec<Value> = (0..n)
        .map(|i| json!({"id": format!("t{i:03}"), "text": format!("Carry load number {i}")}))
        .collect();
    p.write(
        "data/catalog/big.json",
        &serde_json::to_string_pretty(&json!({"$schema": "../schema/catalog.schema.json", "name": "Big", "slug": "big", "tasks": tasks, "skills": [{"id": "lifting", "name": "Lifting"}]})).unwrap(),
    );
}

// Mutation 1: a 429 pauses every worker, not only the one that got it.
#[test]
fn a_429_pauses_every_worker() {
    let p = Project::new();
    big(&p, 24);
    // Answers take 30 ms, so without the pause the other worker would send a dozen
    // requests while the first waits.
    let server = FakeServer::start_with(fake_openai::Options {
        delay: Duration::from_millis(30),
        ..fake_openai::Options::default()
    });
    server.script(
        &task("Carry load number 3"),
        vec![Fault::RateLimitedMs(400)],
    );
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "big",
            "--concurrency",
            "2",
            "--confidence",
            "none",
        ]),
        0,
    );
    let limited = arrivals_of(&server, &task("Carry load number 3"))[0];
    // After the 429 is answered no worker sends until the pause is over; requests
    // already in flight arrive within a moment of it.
    let during: Vec<Duration> = server
        .arrivals()
        .into_iter()
        .filter(|t| *t > limited)
        .map(|t| t - limited)
        .filter(|d| *d > Duration::from_millis(100) && *d < Duration::from_millis(380))
        .collect();
    assert!(
        during.is_empty(),
        "requests sent during the pause: {during:?}"
    );
    assert_eq!(
        server.requests(),
        24 + 1 + 1,
        "every task, the skills, one retry"
    );
}

// Mutation 4: 408 and 409 are retried like 429 and 5xx.
#[test]
fn requests_answered_408_or_409_are_retried() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script(
        &task("Sort the widgets by colour"),
        vec![Fault::ServerError(408)],
    );
    server.script(
        &task("Paint the widget housings"),
        vec![Fault::ServerError(409)],
    );
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert!(
        summary_line(&r.stdout, "requests").starts_with("requests    7 sent, 2 retried"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("retry: HTTP 408") && r.stderr.contains("retry: HTTP 409"),
        "{}",
        r.stderr
    );
    let record = p.record("widget-makers");
    assert!(
        record["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "draft")
    );
}

// Exponential backoff with jitter: each wait at least the doubled base, at most twice it.
#[test]
fn retries_back_off_exponentially_with_jitter() {
    let p = Project::new();
    let toml = p
        .read("willai.toml")
        .replace("retry_base_secs = 0.02", "retry_base_secs = 0.05");
    p.write("willai.toml", &toml);
    let server = FakeServer::start();
    server.script(
        &task("Sort the widgets by colour"),
        vec![Fault::ServerError(503); 3],
    );
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let times = arrivals_of(&server, &task("Sort the widgets by colour"));
    assert_eq!(times.len(), 4);
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    for (i, gap) in gaps.iter().enumerate() {
        let base = Duration::from_millis(50 << i);
        assert!(*gap >= base, "wait {i} was {gap:?}, at least {base:?}");
        assert!(
            *gap < base * 2 + Duration::from_millis(300),
            "wait {i} was {gap:?}: jitter adds under one more {base:?}"
        );
    }
    assert!(gaps[2] > gaps[0], "the waits grow: {gaps:?}");
}

// Mutation 5 and a promise: validate checks an approval's date.
#[test]
fn validate_checks_the_approval_date() {
    let p = valid_project();
    for bad in ["2026-13-45", "yesterday", ""] {
        p.edit_record("widget-makers", |r| {
            r["tasks"][0]["approval"]["date"] = json!(bad)
        });
        let r = run_ok(p.willai().arg("validate"), 1);
        assert!(
            r.stdout.contains(&format!(
                "/tasks/0/approval/date: {bad:?} is not a date (YYYY-MM-DD)"
            )),
            "{bad}: {}",
            r.stdout
        );
    }
}

// The root is found by searching upward from the current directory.
#[test]
fn the_root_is_found_upwards() {
    let p = valid_project();
    fs::create_dir_all(p.path("data/records/deeper/still")).unwrap();
    let r = run_ok(
        p.willai()
            .env_remove("WILLAI_ROOT")
            .current_dir(p.path("data/records/deeper/still"))
            .args(["status", "--json"]),
        0,
    );
    assert!(r.stdout.contains("widget-makers"), "{}", r.stdout);
}

// --base-url and --structured-output as flags; the cache key leaves out the base URL.
#[test]
fn base_url_and_structured_output_flags_and_the_cache_key_ignores_the_url() {
    let p = Project::new();
    let a = FakeServer::start();
    let b = FakeServer::start();
    run_ok(
        p.willai().env("OPENAI_API_KEY", KEY).args([
            "draft",
            "-p",
            "widget-makers",
            "--base-url",
            &a.base_url(),
            "--structured-output",
            "json_object",
        ]),
        0,
    );
    assert_eq!(a.requests(), 5);
    assert!(
        a.bodies()
            .iter()
            .all(|b| b["response_format"]["type"] == "json_object")
    );
    // Another server, same requests: all from the cache.
    run_ok(
        p.willai().env("OPENAI_API_KEY", KEY).args([
            "draft",
            "-p",
            "widget-makers",
            "--redraft",
            "--base-url",
            &b.base_url(),
            "--structured-output",
            "json_object",
        ]),
        0,
    );
    assert_eq!(b.requests(), 0, "the base URL is not part of the key");
}

// The fixed seed, the summary's tokens, cost and time.
#[test]
fn requests_carry_the_seed_and_the_summary_counts_tokens_cost_and_time() {
    let p = Project::new();
    let server = FakeServer::start();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert!(
        server
            .bodies()
            .iter()
            .all(|b| b["seed"] == 42 && b["temperature"] == 0.0)
    );
    // The fake server reports request bytes / 4 in and content bytes / 4 out.
    let entries: Vec<Value> = p
        .cache_files()
        .iter()
        .map(|f| serde_json::from_str(&fs::read_to_string(f).unwrap()).unwrap())
        .collect();
    let (tin, tout): (u64, u64) = entries.iter().fold((0, 0), |(i, o), e| {
        (
            i + e["usage"]["prompt_tokens"].as_u64().unwrap(),
            o + e["usage"]["completion_tokens"].as_u64().unwrap(),
        )
    });
    let group = |n: u64| {
        let s = n.to_string();
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert_eq!(
        summary_line(&r.stdout, "tokens"),
        format!("tokens      {} in, {} out", group(tin), group(tout))
    );
    // test-model costs $1 in and $2 out per million tokens (tests/fixtures/willai.toml).
    let cost = (tin as f64 * 1.0 + tout as f64 * 2.0) / 1e6;
    assert!(
        summary_line(&r.stdout, "cost")
            .starts_with(&format!("cost        ~${cost:.4} (test-model at $1/$2")),
        "{}",
        r.stdout
    );
    let elapsed = summary_line(&r.stdout, "elapsed");
    let secs: f64 = elapsed.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(secs > 0.0 && elapsed.ends_with(" s"), "{elapsed}");
    // A seed from willai.toml.
    let toml = format!("seed = 7\n{}", p.read("willai.toml"));
    p.write("willai.toml", &toml);
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--redraft"]),
        0,
    );
    assert!(server.bodies().iter().all(|b| b["seed"] == 7));
}

// Fallback on 400, and from json_object on to none.
#[test]
fn a_server_refusing_json_schema_and_json_object_gets_plain_requests() {
    let p = Project::new();
    let server = FakeServer::start();
    server.set_reject_json_schema(Some(400));
    let refusal = Fault::Status {
        status: 400,
        headers: vec![],
        body: r#"{"error": {"message": "response_format json_object is not supported", "type": "invalid_request_error"}}"#.into(),
    };
    server.script("\"type\":\"json_object\"", vec![refusal; 8]);
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
    assert!(
        summary_line(&r.stdout, "requests").contains(
            "structured output fell back json_schema -> json_object, json_object -> none"
        ),
        "{}",
        r.stdout
    );
    let plain = server
        .bodies()
        .iter()
        .filter(|b| b.get("response_format").is_none())
        .count();
    assert_eq!(plain, 5, "every prompt answered in mode none");
    assert!(
        p.record("widget-makers")["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "draft")
    );
}

// WILLAI_REVIEWER, and the approval date defaulting to today.
#[test]
fn the_reviewer_comes_from_willai_reviewer_and_the_date_is_today() {
    let (p, _server) = {
        let p = Project::new();
        let server = FakeServer::start();
        run_ok(
            p.willai_at(&server.base_url())
                .args(["draft", "-p", "widget-makers"]),
            0,
        );
        (p, server)
    };
    let before = jiff::ZonedDateTime::now().date().to_string();
    run_ok(
        p.willai().env("WILLAI_REVIEWER", "Rae Viewer").args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
        ]),
        0,
    );
    let after = jiff::ZonedDateTime::now().date().to_string();
    let approval = &p.record("widget-makers")["tasks"][0]["approval"];
    assert_eq!(approval["reviewer"], "Rae Viewer");
    let date = approval["date"].as_str().unwrap();
    assert!(date == before || date == after, "{date}");
}

// import --dry-run writes nothing.
#[test]
fn import_dry_run_writes_nothing() {
    let p = Project::new();
    let tsv = crate::util::repo().join("tests/fixtures/onet/slice.tsv");
    let before = p.all_files();
    let r = run_ok(
        p.willai()
            .args(["import", "onet"])
            .arg(&tsv)
            .arg("--dry-run"),
        0,
    );
    assert!(
        r.stdout.contains("dry run (nothing written)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("added      data-scientists"),
        "{}",
        r.stdout
    );
    assert_eq!(p.all_files(), before);
}

// cache stats: entries, bytes, tokens in and out, re-asks, by model.
#[test]
fn cache_stats_count_bytes_tokens_and_re_asks_by_model() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script(
        &task("Sort the widgets by colour"),
        vec![Fault::InvalidJson],
    );
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let entries: Vec<(u64, Value)> = p
        .cache_files()
        .iter()
        .map(|f| {
            (
                fs::metadata(f).unwrap().len(),
                serde_json::from_str(&fs::read_to_string(f).unwrap()).unwrap(),
            )
        })
        .collect();
    let bytes: u64 = entries.iter().map(|(b, _)| b).sum();
    let tin: u64 = entries
        .iter()
        .map(|(_, e)| e["usage"]["prompt_tokens"].as_u64().unwrap())
        .sum();
    let tout: u64 = entries
        .iter()
        .map(|(_, e)| e["usage"]["completion_tokens"].as_u64().unwrap())
        .sum();
    let r = run_ok(p.willai().args(["cache", "stats"]), 0);
    let row: Vec<&str> = r
        .stdout
        .lines()
        .find(|l| l.starts_with("test-model"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        row,
        vec![
            "test-model",
            "5",
            &bytes.to_string(),
            &tin.to_string(),
            &tout.to_string(),
            "1"
        ]
    );
    assert!(
        r.stdout.contains("a rerun from the cache saves ~$"),
        "{}",
        r.stdout
    );
}

// Unknown willai.toml keys are an error, named with their line.
#[test]
fn an_unknown_willai_toml_key_is_an_error() {
    let p = Project::new();
    let toml = format!("concurency = 4\n{}", p.read("willai.toml"));
    p.write("willai.toml", &toml);
    let r = run_ok(p.willai().arg("status"), 2);
    assert!(
        r.stderr
            .contains("willai.toml:1: unknown field `concurency`"),
        "{}",
        r.stderr
    );
}

// The cache key, against bytes written out by hand: the canonical form (sorted keys, no
// whitespace) of exactly the body sent.
#[test]
fn the_cache_key_is_the_sha256_of_the_sorted_compact_body() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--confidence",
            "none",
        ]),
        0,
    );
    let body = server
        .bodies()
        .into_iter()
        .find(|b| b.to_string().contains(&task("Sort the widgets by colour")))
        .unwrap();
    // Written out here: keys in sorted order at every depth, no spaces.
    let text = |v: &Value| serde_json::to_string(v).unwrap();
    let messages: Vec<String> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{{\"content\":{},\"role\":{}}}",
                text(&m["content"]),
                text(&m["role"])
            )
        })
        .collect();
    let schema = r#"{"additionalProperties":false,"properties":{"level":{"enum":["HIGH","MEDIUM","LOW"],"type":"string"},"rationale":{"type":"string"},"tip":{"type":"string"},"title":{"type":"string"},"tools":{"items":{"type":"string"},"type":"array"}},"required":["title","level","rationale","tools","tip"],"type":"object"}"#;
    let canonical = format!(
        "{{\"max_tokens\":600,\"messages\":[{}],\"model\":\"test-model\",\"response_format\":{{\"json_schema\":{{\"name\":\"task_exposure\",\"schema\":{schema},\"strict\":true}},\"type\":\"json_schema\"}},\"seed\":42,\"temperature\":0.0}}",
        messages.join(",")
    );
    let key = hex(&Sha256::digest(canonical.as_bytes()));
    let record = p.record("widget-makers");
    assert_eq!(record["tasks"][0]["machine"]["cache_key"], key);
    assert!(p.exists(&format!("cache/{}/{key}.json", &key[..2])));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// Mutation 2 and a promise: publish hides an approval whose text changed afterwards.
#[test]
fn publish_hides_text_edited_after_approval() {
    let p = valid_project();
    let out = p.path("site");
    run_ok(
        p.willai().args(["publish", "--out", out.to_str().unwrap()]),
        0,
    );
    let before = fs::read_to_string(out.join("widget-makers/index.html")).unwrap();
    let approved = p.record("widget-makers")["tasks"][0]["rationale"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(before.contains(&approved));
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["rationale"] = json!("Rewritten after approval, never approved.");
    });
    let r = run_ok(
        p.willai().args(["publish", "--out", out.to_str().unwrap()]),
        0,
    );
    assert!(
        r.stderr
            .contains("skipped widget-makers/sort-widgets: edited after approval"),
        "{}",
        r.stderr
    );
    let mut site = String::new();
    for entry in walk(&out) {
        site.push_str(&String::from_utf8_lossy(&fs::read(entry).unwrap()));
    }
    assert!(!site.contains("Rewritten after approval"));
    assert!(
        !site.contains(&approved),
        "the old approved text is not shown either"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

// The O*NET attribution appears wherever O*NET text does, and only there.
#[test]
fn the_onet_attribution_is_on_onet_pages_only() {
    let p = valid_project();
    let out = p.path("site");
    // widget-makers becomes an O*NET occupation; ml-engineer is not one.
    let rel = "data/catalog/widget-makers.json";
    let mut occ: Value = serde_json::from_str(&p.read(rel)).unwrap();
    occ["onet_soc"] = json!("51-9199.00");
    p.write(rel, &serde_json::to_string_pretty(&occ).unwrap());
    run_ok(p.willai().arg("fmt"), 0);
    run_ok(
        p.willai().args(["publish", "--out", out.to_str().unwrap()]),
        0,
    );
    let attribution = "O*NET database of the U.S. Department of Labor";
    let widget = fs::read_to_string(out.join("widget-makers/index.html")).unwrap();
    let ml = fs::read_to_string(out.join("ml-engineer/index.html")).unwrap();
    assert!(widget.contains(attribution), "{widget}");
    assert!(!ml.contains(attribution));
    let api: Value = serde_json::from_str(
        &fs::read_to_string(out.join("api/professions/widget-makers.json")).unwrap(),
    )
    .unwrap();
    assert!(api.to_string().contains("O*NET"), "{api}");
    let _ = run(p.willai().arg("validate"));
}

// Batch request files split at the Batch API's 50,000 lines, at the real limit.
#[test]
#[ignore = "50,001 prompts take about 40 s in a debug build: .ci/run runs it"]
fn batch_files_split_at_fifty_thousand_lines() {
    let p = Project::new();
    // Small prompts keep 50,001 requests quick to write.
    p.write(
        "prompts/task.j2",
        "{% block system %}Rate it.{% endblock %}{% block user %}{{ task.text }}{% endblock %}",
    );
    let tasks: Vec<Value> = (0..50_001)
        .map(|i| json!({"id": format!("t{i}"), "text": format!("Task {i}")}))
        .collect();
    fs::remove_dir_all(p.path("data/catalog")).unwrap();
    p.write(
        "data/catalog/many.json",
        &serde_json::to_string(&json!({"name": "Many", "slug": "many", "tasks": tasks, "skills": [{"id": "s", "name": "S"}]})).unwrap(),
    );
    let r = run_ok(
        p.willai().args([
            "draft",
            "--all",
            "--batch-out",
            "out/req.jsonl",
            "--no-progress",
        ]),
        0,
    );
    assert!(r.stdout.contains("50002 request line(s)"), "{}", r.stdout);
    let first = fs::read_to_string(p.path("out/req.jsonl")).unwrap();
    let second = fs::read_to_string(p.path("out/req-2.jsonl")).unwrap();
    assert_eq!(first.lines().count(), 50_000);
    assert_eq!(second.lines().count(), 2);
    assert!(!p.exists("out/req-3.jsonl"));
}

// A failed item an editor filled in by hand is edited text, approvable like any.
#[test]
fn a_failed_item_filled_in_by_an_editor_is_edited_not_failed() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script(
        &task("Sort the widgets by colour"),
        vec![Fault::ServerError(404)],
    );
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        1,
    );
    assert_eq!(p.record("widget-makers")["tasks"][0]["status"], "failed");
    p.edit_record("widget-makers", |r| {
        let t = &mut r["tasks"][0];
        t["level"] = json!("LOW");
        t["rationale"] = json!("Sorting by colour needs hands and eyes at the belt.");
    });
    let r = run_ok(
        p.willai().args(["status", "-p", "widget-makers", "--json"]),
        0,
    );
    let status: Value = serde_json::from_str(&r.stdout).unwrap();
    let item = &status["professions"][0]["items"][0];
    assert_eq!(
        (item["id"].as_str(), item["state"].as_str()),
        (Some("sort-widgets"), Some("edited"))
    );
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann",
        ]),
        0,
    );
    assert_eq!(p.record("widget-makers")["tasks"][0]["status"], "approved");
}

// A refusal that names a parameter the request did not carry is the structured-output
// mode's: the run falls back rather than dropping a parameter it never sent (or asking
// the same thing again and again).
#[test]
fn a_refusal_naming_a_parameter_not_sent_falls_back_the_mode() {
    for message in [
        "logprobs cannot be combined with json_schema",
        "'n' must be 1 with json_schema",
    ] {
        let p = Project::new();
        let server = FakeServer::start();
        let refusal = Fault::Status {
            status: 400,
            headers: vec![],
            body: json!({"error": {"message": message, "type": "invalid_request_error"}})
                .to_string(),
        };
        server.script("\"type\":\"json_schema\"", vec![refusal; 20]);
        let r = run_ok(
            p.willai_at(&server.base_url()).args([
                "draft",
                "-p",
                "widget-makers",
                "--confidence",
                "none",
                "--concurrency",
                "1",
            ]),
            0,
        );
        assert!(
            summary_line(&r.stdout, "requests")
                .contains("structured output fell back json_schema -> json_object"),
            "{message}: {}",
            r.stdout
        );
        assert_eq!(
            server.requests(),
            6,
            "{message}: one refusal, then five answers"
        );
    }
}

// A machine's provenance names its template as NAME@FINGERPRINT, both parts there.
#[test]
fn validate_checks_the_template_of_a_provenance() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    run_ok(p.willai().arg("schema"), 0);
    for bad in ["task.j2@", "@0123456789ab", "task.j2"] {
        p.edit_record("widget-makers", |r| {
            r["tasks"][0]["machine"]["template"] = json!(bad)
        });
        let r = run_ok(p.willai().arg("validate"), 1);
        assert!(
            r.stdout
                .contains("/tasks/0/machine/template: must be `NAME.j2@FINGERPRINT`"),
            "{bad}: {}",
            r.stdout
        );
    }
}
