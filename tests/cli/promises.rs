//! README promises that had no test, and the mutations the suite let through (issue
//! 16): each test here fails when the promise it names is broken. Timing is measured as
//! the gaps between requests at the fake server, never by sleeping.

use std::fs;
use std::time::Duration;

use fake_openai::{FakeServer, Fault};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::util::{KEY, Project, run_ok, summary_line};
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
        vec![Fault::RateLimitedMs(1500)],
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
    // After the 429 is answered no worker sends until the pause is over. Requests
    // already in flight, or sent before the client has read the 429, arrive within a
    // moment of it: the window leaves 300 ms for that on a loaded machine.
    let during: Vec<Duration> = server
        .arrivals()
        .into_iter()
        .filter(|t| *t > limited)
        .map(|t| t - limited)
        .filter(|d| *d > Duration::from_millis(300) && *d < Duration::from_millis(1450))
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
fn retries_back_off_exponentially() {
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
    }
    // The jitter itself (never more than one more base) is checked where the waits are
    // computed, `llm::client::backoff`: a wall-clock upper bound here would flake.
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
    // The nearest: a project inside this one is found first, not this one around it.
    p.write("nested/willai.toml", &p.read("willai.toml"));
    p.write(
        "nested/data/catalog/ml-engineer.json",
        &p.read("data/catalog/ml-engineer.json"),
    );
    crate::util::copy_dir(&p.path("prompts"), &p.path("nested/prompts"));
    fs::create_dir_all(p.path("nested/deeper")).unwrap();
    let r = run_ok(
        p.willai()
            .env_remove("WILLAI_ROOT")
            .current_dir(p.path("nested/deeper"))
            .args(["status", "--json"]),
        0,
    );
    assert!(
        r.stdout.contains("ml-engineer") && !r.stdout.contains("widget-makers"),
        "{}",
        r.stdout
    );
}

// Outside any project, a command that works on one says so (exit 2) and writes nothing:
// `validate` must not pass on an empty folder, nor `schema` write into the wrong place.
// A blank WILLAI_ROOT counts as not set; a blank --root is a mistake.
#[test]
fn outside_a_project_commands_refuse_and_a_blank_root_variable_is_not_set() {
    let p = valid_project();
    let elsewhere = tempfile::tempdir().unwrap();
    for args in [
        &["validate"][..],
        &["fmt", "--check"],
        &["schema"],
        &["status"],
        &["publish", "--out", "site"],
    ] {
        let r = run_ok(
            p.willai()
                .env_remove("WILLAI_ROOT")
                .current_dir(elsewhere.path())
                .args(args),
            2,
        );
        assert!(
            r.stderr.contains("no willai.toml in") && r.stderr.contains("willai init"),
            "{args:?}: {}",
            r.stderr
        );
    }
    assert_eq!(
        fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "nothing written outside a project"
    );
    // `config` shows what willai would use here, project or not.
    run_ok(
        p.willai()
            .env_remove("WILLAI_ROOT")
            .current_dir(elsewhere.path())
            .arg("config"),
        0,
    );
    fs::create_dir_all(p.path("data/records/deeper")).unwrap();
    for blank in ["", "   "] {
        let r = run_ok(
            p.willai()
                .env("WILLAI_ROOT", blank)
                .current_dir(p.path("data/records/deeper"))
                .args(["status", "--json"]),
            0,
        );
        assert!(
            r.stdout.contains("widget-makers"),
            "{blank:?}: {}",
            r.stdout
        );
    }
    let r = run_ok(p.willai().args(["--root", " ", "status"]), 2);
    assert!(r.stderr.contains("--root is blank"), "{}", r.stderr);
}

// `cache gc` keeps what a current prompt looks up: for a profession whose catalog lists
// no skills that includes the prompt that asks the model to propose them.
#[test]
fn cache_gc_keeps_the_skills_proposal_a_current_prompt_uses() {
    let p = Project::new();
    let rel = "data/catalog/widget-makers.json";
    let mut occ: Value = serde_json::from_str(&p.read(rel)).unwrap();
    occ["skills"] = json!([]);
    p.write(rel, &serde_json::to_string_pretty(&occ).unwrap());
    let server = FakeServer::start();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--model", "other-model"]),
        0,
    );
    let r = run_ok(p.willai_at(&server.base_url()).args(["cache", "gc"]), 0);
    assert!(r.stdout.contains("removed 0"), "{}", r.stdout);
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--dry-run"]),
        0,
    );
    assert!(r.stdout.contains("0 would be sent"), "{}", r.stdout);
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
    // A new seed is a new cache key: every prompt is sent again, with it.
    assert_eq!(server.requests(), 5);
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
    for (_, bytes) in crate::publish::files(&out) {
        site.push_str(&String::from_utf8_lossy(&bytes));
    }
    assert!(!site.contains("Rewritten after approval"));
    assert!(
        !site.contains(&approved),
        "the old approved text is not shown either"
    );
}

// `status` says what `validate` and `publish` say: an approval whose text changed since
// is not approved, but an edit waiting for one; `approve` takes it again.
#[test]
fn status_shows_text_edited_after_approval_as_edited() {
    let p = valid_project();
    let state = |p: &Project| {
        let r = run_ok(p.willai().args(["status", "--json"]), 0);
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        let prof = v["professions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["slug"] == "widget-makers")
            .unwrap()
            .clone();
        let item = prof["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "sort-widgets")
            .unwrap()
            .clone();
        (
            item["state"].as_str().unwrap().to_string(),
            prof["tasks"].clone(),
        )
    };
    let (before, counts) = state(&p);
    assert_eq!(before, "approved");
    let approved = counts["approved"].as_u64().unwrap();
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["rationale"] = json!("Rewritten after approval, never approved.");
    });
    let (after, counts) = state(&p);
    assert_eq!(after, "edited");
    assert_eq!(counts["approved"].as_u64().unwrap(), approved - 1);
    assert_eq!(counts["edited"].as_u64().unwrap(), 1, "{counts}");
    let text = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0).stdout;
    assert!(!text.contains("task approved"), "{text}");
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--task",
            "sort-widgets",
            "--reviewer",
            "Ann",
            "--force",
        ]),
        0,
    );
    assert_eq!(state(&p).0, "approved");
    run_ok(p.willai().arg("validate"), 0);
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
    // A redraft keeps the editor's text and proposes beside it.
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--redraft"]),
        0,
    );
    let t = &p.record("widget-makers")["tasks"][0];
    assert_eq!(
        t["rationale"], "Sorting by colour needs hands and eyes at the belt.",
        "{t}"
    );
    assert!(t["proposal"]["rationale"].is_string(), "{t}");
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

// Titles: a catalog task's own title wins over the drafted one, and the title is part of
// the approved text (an edit of it after approval is caught).
#[test]
fn a_catalog_title_wins_and_a_title_edited_after_approval_is_caught() {
    let p = Project::new();
    let mut catalog: Value =
        serde_json::from_str(&p.read("data/catalog/widget-makers.json")).unwrap();
    catalog["tasks"][0]["title"] = json!("Sort widgets the house way");
    p.write(
        "data/catalog/widget-makers.json",
        &serde_json::to_string_pretty(&catalog).unwrap(),
    );
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let record = p.record("widget-makers");
    let drafted = record["tasks"][0]["title"].as_str().unwrap().to_string();
    assert_ne!(drafted, "Sort widgets the house way");
    let other = record["tasks"][1]["title"].as_str().unwrap().to_string();

    let r = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0);
    assert!(
        r.stdout.contains("Sort widgets the house way"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(&drafted), "{}", r.stdout);
    assert!(
        r.stdout.contains(&other),
        "the drafted title where the catalog has none"
    );

    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
    let out = p.path("site");
    run_ok(
        p.willai().args(["publish", "--out", out.to_str().unwrap()]),
        0,
    );
    let page = fs::read_to_string(out.join("widget-makers/index.html")).unwrap();
    assert!(page.contains("Sort widgets the house way"));
    assert!(!page.contains(&drafted));

    p.edit_record("widget-makers", |r| {
        r["tasks"][1]["title"] = json!("A title changed after approval");
    });
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout
            .contains("/tasks/1/approval/sha256: edited after approval"),
        "{}",
        r.all()
    );
}

// `--profession` is repeatable: each named profession is drafted, and only those.
#[test]
fn draft_takes_several_professions() {
    let p = Project::new();
    let mut extra: Value =
        serde_json::from_str(&p.read("data/catalog/widget-makers.json")).unwrap();
    extra["name"] = json!("Gadget Makers");
    extra["slug"] = json!("gadget-makers");
    extra["aliases"] = json!([]);
    p.write(
        "data/catalog/gadget-makers.json",
        &serde_json::to_string_pretty(&extra).unwrap(),
    );
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "Widgeteer",
            "--profession",
            "gadget-makers",
        ]),
        0,
    );
    assert!(p.exists("data/records/widget-makers.json"));
    assert!(p.exists("data/records/gadget-makers.json"));
    assert!(!p.exists("data/records/ml-engineer.json"));
    // Four tasks and one skills prompt each.
    assert_eq!(server.requests(), 10);
}

// The API key is read from the environment only: a flag for it is refused, without
// echoing the key.
#[test]
fn an_api_key_is_never_a_flag() {
    let p = Project::new();
    for flag in ["--api-key", "--openai-api-key", "--key"] {
        let r = run_ok(
            p.willai()
                .args(["draft", "-p", "widget-makers", flag, "sk-secret-in-a-flag"]),
            2,
        );
        assert!(r.stderr.contains(flag), "{}", r.stderr);
        assert!(!r.all().contains("sk-secret-in-a-flag"), "{}", r.all());
    }
}

// A byte-order mark is reported by validate and removed by fmt, the text kept.
#[test]
fn fmt_removes_a_byte_order_mark() {
    let p = valid_project();
    let path = "data/catalog/widget-makers.json";
    let text = p.read(path);
    p.write(path, &format!("\u{feff}{text}"));
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(r.all().contains("byte-order mark"), "{}", r.all());
    run_ok(p.willai().arg("fmt"), 0);
    assert_eq!(p.read(path), text);
    run_ok(p.willai().arg("validate"), 0);

    // Bytes that are not UTF-8 are named, and the file is left as it is.
    let mut bad = text.clone().into_bytes();
    let at = text.find("Widget Makers").unwrap();
    bad[at] = 0xFF;
    fs::write(p.path(path), &bad).unwrap();
    let r = run_ok(p.willai().arg("fmt"), 1);
    let line = text[..at].matches('\n').count() + 1;
    assert!(
        r.stdout.contains(&format!("{path}:{line}:"))
            && r.stdout.contains("is not valid UTF-8 (byte 0xFF)"),
        "{}",
        r.all()
    );
    assert_eq!(fs::read(p.path(path)).unwrap(), bad);
}

// Skills proposed for a profession whose catalog lists none: they stay in the record
// (approving does not touch the catalog), are proposed again only when none is left or
// the tasks change (then untouched ones go and approved ones stay), and give way to
// skills the catalog lists later.
#[test]
fn proposed_skills_live_in_the_record_until_the_catalog_lists_skills() {
    let p = Project::new();
    let path = "data/catalog/widget-makers.json";
    let mut catalog: Value = serde_json::from_str(&p.read(path)).unwrap();
    let listed = catalog["skills"].take();
    catalog["skills"] = json!([]);
    p.write(path, &serde_json::to_string_pretty(&catalog).unwrap());
    run_ok(p.willai().arg("fmt"), 0);
    run_ok(p.willai().arg("schema"), 0);
    let catalog_bytes = p.read(path);
    let server = FakeServer::start();
    let draft = |code| {
        run_ok(
            p.willai_at(&server.base_url())
                .args(["draft", "-p", "widget-makers"]),
            code,
        )
    };
    let skills = |p: &Project| -> Vec<(String, String)> {
        p.record("widget-makers")["skills"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let asks_for_skills = |server: &FakeServer| {
        server
            .bodies()
            .iter()
            .filter(|b| b.to_string().contains("skills_proposal"))
            .count()
    };
    draft(0);
    let first = skills(&p);
    assert!((4..=6).contains(&first.len()), "{first:?}");
    let kept = first[0].0.clone();
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--skill",
            &kept,
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );
    assert_eq!(
        p.read(path),
        catalog_bytes,
        "approving leaves the catalog alone"
    );

    // Deleting some is not "none left": nothing is asked again.
    p.edit_record("widget-makers", |r| {
        r["skills"].as_array_mut().unwrap().truncate(2);
    });
    server.reset_counts();
    draft(0);
    assert_eq!(asks_for_skills(&server), 0);
    assert_eq!(skills(&p).len(), 2);

    // None left: proposed again (the same request, so from the cache).
    p.edit_record("widget-makers", |r| r["skills"] = json!([]));
    server.reset_counts();
    draft(0);
    assert_eq!(server.requests(), 0);
    let again = skills(&p);
    let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&again), names(&first));
    assert!(
        again.iter().all(|(_, status)| status == "draft"),
        "{again:?}"
    );
    let old_key = p.record("widget-makers")["skills"][1]["machine"]["cache_key"]
        .as_str()
        .unwrap()
        .to_string();
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--skill",
            &again[0].0,
            "--reviewer",
            "Ann Editor",
        ]),
        0,
    );

    // The tasks change: proposed afresh; the approved skill stays, untouched ones not
    // named again go.
    let mut catalog: Value = serde_json::from_str(&p.read(path)).unwrap();
    catalog["tasks"][0]["text"] = json!("Sort the widgets by size and weight");
    p.write(path, &serde_json::to_string_pretty(&catalog).unwrap());
    server.reset_counts();
    draft(0);
    assert_eq!(asks_for_skills(&server), 1);
    let after = skills(&p);
    assert!(
        after.contains(&(again[0].0.clone(), "approved".into())),
        "{after:?}"
    );
    // Every other skill comes from the new proposal: an untouched one of the old
    // proposal that was not named again is gone.
    let record = p.record("widget-makers");
    let keys: Vec<&str> = record["skills"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "draft")
        .map(|s| s["machine"]["cache_key"].as_str().unwrap())
        .collect();
    assert!(!keys.is_empty());
    assert!(
        keys.iter().all(|k| *k == keys[0] && *k != old_key),
        "{keys:?}"
    );
    assert!(after.len() >= 4, "{after:?}");
    run_ok(p.willai().arg("fmt"), 0);
    run_ok(p.willai().arg("validate"), 0);

    // The catalog lists skills now: validate asks to remove the proposed ones.
    let mut catalog: Value = serde_json::from_str(&p.read(path)).unwrap();
    catalog["skills"] = listed;
    p.write(path, &serde_json::to_string_pretty(&catalog).unwrap());
    run_ok(p.willai().arg("fmt"), 0);
    let r = run_ok(p.willai().arg("validate"), 1);
    let n = p.record("widget-makers")["skills"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        r.stdout
            .matches("was proposed when the catalog listed no skills; data/catalog/widget-makers.json lists skills now: remove this entry, or add the skill to the catalog")
            .count(),
        n,
        "every proposed skill, the approved one too:\n{}",
        r.all()
    );
}
