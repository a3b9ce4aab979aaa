//! `willai draft` against the in-process fake server: caching, faults, concurrency,
//! secrets, dry runs, and determinism.

use std::time::{Duration, Instant};

use fake_openai::{FakeServer, Fault, Options};

use crate::util::{KEY, Project, run, run_ok, summary_line};

fn draft(p: &Project, server: &FakeServer, profession: &str) -> crate::util::Ran {
    run(p
        .willai_at(&server.base_url())
        .args(["draft", "--profession", profession]))
}

/// The needle that picks one task's prompt: the user block names the task.
fn task(text: &str) -> String {
    format!("Task: {text}")
}

#[test]
fn a_second_identical_run_sends_nothing() {
    let p = Project::new();
    let server = FakeServer::start();
    let first = draft(&p, &server, "Widget Makers");
    assert_eq!(first.code, 0, "{}", first.all());
    // 4 tasks + 1 skills prompt.
    assert_eq!(server.requests(), 5);
    assert_eq!(p.cache_files().len(), 5);
    assert!(summary_line(&first.stdout, "requests").starts_with("requests    5 sent, 0 retried"));
    let record = p.record("widget-makers");
    assert_eq!(record["tasks"].as_array().unwrap().len(), 4);
    assert_eq!(record["skills"].as_array().unwrap().len(), 2);
    assert_eq!(record["tasks"][0]["status"], "draft");
    assert_eq!(record["tasks"][0]["machine"]["model"], "test-model");

    let second = draft(&p, &server, "widgeteer");
    assert_eq!(second.code, 0, "{}", second.all());
    assert_eq!(server.requests(), 5, "a rerun must not send anything");
    assert!(
        second.stdout.contains("nothing to draft"),
        "{}",
        second.stdout
    );
}

#[test]
fn records_are_byte_identical_when_drafted_again_from_the_cache() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    let before: Vec<_> = p.all_files();
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    let again = run_ok(p.willai().args(["draft", "--all", "--offline"]), 0);
    assert!(
        summary_line(&again.stdout, "from cache").contains("9 prompt"),
        "{}",
        again.stdout
    );
    let after: Vec<_> = p.all_files();
    assert_eq!(before.len(), after.len());
    for ((pa, a), (pb, b)) in before.iter().zip(&after) {
        assert_eq!(pa, pb);
        assert!(
            a == b,
            "{} differs after a redraft from the cache",
            pa.display()
        );
    }
    let text = p.read("data/records/ml-engineer.json");
    assert!(
        text.ends_with("}\n") && !text.ends_with("\n\n"),
        "one trailing newline"
    );
    assert!(text.starts_with(
        "{\n  \"$schema\": \"../schema/record.schema.json\",\n  \"profession\": \"ml-engineer\","
    ));
}

#[test]
fn a_changed_template_sends_only_the_prompts_it_renders() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let keys_before = p.cache_files();
    let record_before = p.record("widget-makers");
    let skills = p
        .read("prompts/skills.j2")
        .replace("one sentence, under 200 characters", "one short sentence");
    p.write("prompts/skills.j2", &skills);

    let dry = run_ok(
        p.willai()
            .args(["draft", "-p", "widget-makers", "--dry-run"]),
        0,
    );
    assert!(
        dry.stdout.contains("widget-makers/skills"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("template changed"), "{}", dry.stdout);
    assert!(
        !dry.stdout.contains("widget-makers/sort-widgets"),
        "tasks are current: {}",
        dry.stdout
    );

    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert_eq!(server.requests(), 1, "only the skills prompt changed");
    assert_eq!(p.cache_files().len(), keys_before.len() + 1);
    let record = p.record("widget-makers");
    assert_eq!(
        record["tasks"], record_before["tasks"],
        "task drafts untouched"
    );
    assert_ne!(
        record["skills"][0]["machine"]["template"],
        record_before["skills"][0]["machine"]["template"]
    );
}

#[test]
fn transient_faults_are_retried_and_every_task_lands() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script(
        &task("Sort the widgets by colour"),
        vec![Fault::ServerError(500), Fault::ServerError(503)],
    );
    server.script(&task("Paint the widget housings"), vec![Fault::Drop]);
    server.script(
        &task("Answer customer letters about widgets"),
        vec![Fault::RateLimitedMs(300)],
    );
    server.script(
        "Skills:",
        vec![Fault::Status {
            status: 502,
            headers: vec![],
            body: "<html><h1>502 Bad Gateway</h1></html>".into(),
        }],
    );
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(server.requests(), 5 + 5);
    assert!(
        summary_line(&r.stdout, "requests").starts_with("requests    10 sent, 5 retried"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("retry: HTTP 503: "), "{}", r.stderr);
    assert!(
        r.stderr.contains("retry: HTTP 502: 502 Bad Gateway"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("dropped"), "{}", r.stderr);
    let record = p.record("widget-makers");
    assert!(
        record["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "draft")
    );
    assert_eq!(p.cache_files().len(), 5);
}

/// The gap the client left between the first request whose body holds `needle` and the
/// next one (its retry), as the server saw them.
fn retry_gap(server: &FakeServer, needle: &str) -> Duration {
    let bodies = server.bodies();
    let arrivals = server.arrivals();
    let hits: Vec<usize> = (0..bodies.len())
        .filter(|&i| bodies[i].to_string().contains(needle))
        .collect();
    assert!(
        hits.len() >= 2,
        "{needle:?} was sent {} time(s)",
        hits.len()
    );
    arrivals[hits[1]] - arrivals[hits[0]]
}

#[test]
fn retry_after_is_honoured_in_seconds_milliseconds_and_as_a_date() {
    let p = Project::new();
    let server = FakeServer::start();
    let (seconds, millis, dated) = (
        task("Sort the widgets by colour"),
        task("Paint the widget housings"),
        task("Answer customer letters about widgets"),
    );
    server.script(
        &seconds,
        vec![Fault::RateLimited {
            retry_after: "0.4".into(),
        }],
    );
    server.script(&millis, vec![Fault::RateLimitedMs(300)]);
    // An HTTP date has whole seconds: the next full second, at least 0.3 s away.
    let mut now = jiff::Timestamp::now();
    if now.subsec_nanosecond() > 700_000_000 {
        std::thread::sleep(Duration::from_millis(350));
        now = jiff::Timestamp::now();
    }
    let next = jiff::Timestamp::from_second(now.as_second() + 1).unwrap();
    let until_date = Duration::from_nanos((next.as_nanosecond() - now.as_nanosecond()) as u64);
    let scripted = Instant::now();
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&next)
        .unwrap();
    server.script(&dated, vec![Fault::RateLimited { retry_after: date }]);
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("retry: HTTP 429"), "{}", r.stderr);
    // The backoff alone would wait 20 ms (retry_base_secs in the test willai.toml).
    assert!(retry_gap(&server, &seconds) >= Duration::from_millis(400));
    assert!(retry_gap(&server, &millis) >= Duration::from_millis(300));
    let first = server.arrivals()[server
        .bodies()
        .iter()
        .position(|b| b.to_string().contains(&dated))
        .unwrap()];
    let waited = retry_gap(&server, &dated) + (first - scripted);
    assert!(
        waited + Duration::from_millis(20) >= until_date,
        "retried {waited:?} after scripting, the date was {until_date:?} away"
    );
}

#[test]
fn a_reply_slower_than_the_timeout_is_retried() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script(
        &task("Inspect finished widgets for defects"),
        vec![Fault::Delay(Duration::from_secs(3))],
    );
    // A timeout the other replies never come near, even on a loaded machine running
    // every test at once (0.3 s made a slow ordinary reply time out too, now and then).
    let r = run(p.willai_at(&server.base_url()).args([
        "draft",
        "-p",
        "widget-makers",
        "--timeout",
        "1",
    ]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("timeout"), "{}", r.stderr);
    // The slow one was asked twice (other replies may also be retried on a machine
    // loaded enough to make them slow: that is not what this checks).
    let slow = task("Inspect finished widgets for defects");
    let asked = server
        .bodies()
        .iter()
        .filter(|b| b.to_string().contains(&slow))
        .count();
    assert_eq!(asked, 2, "{}", r.all());
    let gap = retry_gap(&server, &task("Inspect finished widgets for defects"));
    // The timeout runs from the send; the gap is measured between arrivals, which a
    // loaded machine may delay a little: most of a second, not nearly none.
    assert!(gap >= Duration::from_millis(800), "gave up after {gap:?}");
}

#[test]
fn invalid_replies_are_asked_again_once_and_never_cached() {
    let p = Project::new();
    let server = FakeServer::start();
    // Each of these is fixed by the re-ask.
    server.script(
        &task("Sort the widgets by colour"),
        vec![Fault::InvalidJson],
    );
    server.script(&task("Paint the widget housings"), vec![Fault::BreakSchema]);
    server.script(
        &task("Answer customer letters about widgets"),
        vec![Fault::Length],
    );
    // This one stays invalid.
    server.script(
        &task("Inspect finished widgets for defects"),
        vec![Fault::InvalidJson, Fault::BreakSchema],
    );
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        summary_line(&r.stdout, "requests").contains("4 re-asked after an invalid reply (3 fixed)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("re-ask: invalid reply (the reply is not JSON"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("cut off at max_tokens"), "{}", r.stderr);
    assert!(r.stdout.contains("widget-makers/inspect-widgets: invalid reply, also after one re-ask: `level` must be one of HIGH, MEDIUM, LOW (got \"EXTREME\")"), "{}", r.stdout);
    // 3 fixed tasks + skills cached; the failed one not.
    assert_eq!(p.cache_files().len(), 4);
    for f in p.cache_files() {
        let entry: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let content = entry["response"]["choices"][0]["message"]["content"]
            .as_str()
            .unwrap();
        assert!(
            !content.contains("EXTREME"),
            "an invalid reply was cached: {}",
            f.display()
        );
    }
    let fixed = p
        .cache_files()
        .into_iter()
        .find(|f| std::fs::read_to_string(f).unwrap().contains("\"reask\""))
        .unwrap();
    // It keeps why the first reply was asked again, not the invalid reply.
    let fixed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixed).unwrap()).unwrap();
    let why = fixed["reask"]["error"].as_str().unwrap();
    assert!(
        why.contains("not JSON") || why.contains("cut off at max_tokens"),
        "{why}"
    );
    let record = p.record("widget-makers");
    let failed = &record["tasks"][3];
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().unwrap().contains("EXTREME"));
    assert_eq!(record["tasks"][0]["status"], "draft");

    // The rerun sends only the failed task (its faults are used up) and fixes it.
    server.reset_counts();
    let again = draft(&p, &server, "Widget Makers");
    assert_eq!(again.code, 0, "{}", again.all());
    assert_eq!(server.requests(), 1);
    assert_eq!(p.record("widget-makers")["tasks"][3]["status"], "draft");
}

#[test]
fn persistent_server_errors_fail_one_task_and_the_others_land() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script(
        &task("Paint the widget housings"),
        vec![Fault::ServerError(503); 4],
    );
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout
            .contains("widget-makers/paint-housings: HTTP 503 after 4 attempts"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("every success was saved"), "{}", r.stderr);
    let record = p.record("widget-makers");
    assert_eq!(record["tasks"][1]["status"], "failed");
    assert_eq!(
        record["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] == "draft")
            .count(),
        3
    );
    assert_eq!(record["skills"][0]["status"], "draft");
}

#[test]
fn a_server_refusing_json_schema_is_asked_in_json_object_and_the_run_says_so() {
    let p = Project::new();
    let server = FakeServer::start_with(Options {
        reject_json_schema: Some(422),
        ..Options::default()
    });
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("refused response_format json_schema"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("falling back to json_object"),
        "{}",
        r.stderr
    );
    assert!(
        summary_line(&r.stdout, "requests").contains("fell back json_schema -> json_object"),
        "{}",
        r.stdout
    );
    // Calls in flight before the first refusal came back are refused too (at most the
    // concurrency, 4); every prompt is then answered once in json_object.
    let bodies = server.bodies();
    let refused = bodies
        .iter()
        .filter(|b| b["response_format"]["type"] == "json_schema")
        .count();
    assert!((1..=4).contains(&refused), "{refused} refused");
    assert_eq!(server.requests(), 5 + refused);
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b["response_format"]["type"] == "json_object")
            .count(),
        5
    );
    assert!(
        bodies
            .iter()
            .all(|b| b["response_format"]["type"] != "json_object"
                || b["response_format"]["schema"]["type"] == "object")
    );
    // A rerun finds the json_object answers without asking again.
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert_eq!(server.requests(), 0);
}

/// What llama-cpp-python 0.3.36 (`python -m llama_cpp.server`) answers to a
/// `json_schema` response format: HTTP 500 with its request-validation error.
const LLAMA_CPP_PYTHON_REFUSAL: &str = r#"{"error":{"message":"1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n  File \"/venv/lib/python3.11/site-packages/llama_cpp/server/app.py\", line 376, in create_chat_completion\n    POST /v1/chat/completions","type":"internal_server_error","param":null,"code":null}}"#;

#[test]
fn a_500_that_names_response_format_is_a_refusal_not_a_retry() {
    let p = Project::new();
    let server = FakeServer::start();
    let refusal = Fault::Status {
        status: 500,
        headers: vec![("content-type".into(), "application/json".into())],
        body: LLAMA_CPP_PYTHON_REFUSAL.into(),
    };
    // Every json_schema request is refused like that (more than the run can send).
    server.script("\"type\":\"json_schema\"", vec![refusal; 10]);
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("refused response_format json_schema (HTTP 500: 1 validation error: {'type': 'literal_error', 'loc': ('body', 'response_format', 'type')"), "{}", r.stderr);
    assert!(
        summary_line(&r.stdout, "requests").contains(" 0 retried"),
        "a refusal is not retried: {}",
        r.stdout
    );
    let refused = server
        .bodies()
        .iter()
        .filter(|b| b["response_format"]["type"] == "json_schema")
        .count();
    assert_eq!(server.requests(), 5 + refused);
    assert_eq!(
        p.record("widget-makers")["tasks"].as_array().unwrap().len(),
        4
    );
}

#[test]
fn concurrency_never_exceeds_the_cap() {
    let p = Project::new();
    let server = FakeServer::start_with(Options {
        delay: Duration::from_millis(150),
        ..Options::default()
    });
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--concurrency", "3"]),
        0,
    );
    assert_eq!(server.requests(), 9);
    assert_eq!(
        server.max_in_flight(),
        3,
        "the cap is reached and never exceeded"
    );
}

#[test]
fn the_api_key_is_sent_but_appears_in_no_file_and_no_output() {
    let p = Project::new();
    let server = FakeServer::start();
    // A server that echoes the key in its error, as some do.
    server.script(
        &task("Paint the widget housings"),
        vec![Fault::Status {
            status: 401,
            headers: vec![],
            body: format!("{{\"error\":{{\"message\":\"bad key {KEY}\"}}}}"),
        }],
    );
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout
            .contains("HTTP 401: bad key ***: check OPENAI_API_KEY"),
        "{}",
        r.stdout
    );
    assert!(
        server
            .authorization_headers()
            .iter()
            .all(|h| h.as_deref() == Some(&format!("Bearer {KEY}")[..]))
    );
    assert!(
        !r.all().contains("SECRET"),
        "the key leaked into the output"
    );
    for (path, bytes) in p.all_files() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET"),
            "the key leaked into {}",
            path.display()
        );
    }
}

#[test]
fn dry_run_sends_nothing_and_shows_prompts() {
    let p = Project::new();
    let server = FakeServer::start();
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "ML Engineer",
            "--dry-run",
            "--show-prompts",
        ]),
        0,
    );
    assert_eq!(server.requests(), 0);
    assert!(
        r.stdout.contains("ml-engineer/write-production-code"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("not cached: would send"));
    assert!(
        r.stdout
            .contains("--- user\nProfession: ML Engineer\nTask: Write production code"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("dry run: 4 prompt(s), 0 cached, 4 would be sent; nothing was sent")
    );
    assert!(!p.exists("data/records"), "a dry run writes nothing");
    assert!(p.cache_files().is_empty());
}

#[test]
fn an_unknown_profession_exits_2_and_suggests() {
    let p = Project::new();
    let r = run_ok(p.willai().args(["draft", "--profession", "ML Enginer"]), 2);
    assert!(
        r.stderr
            .contains("unknown profession \"ML Enginer\": did you mean \"ML Engineer\"?"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_endpoint_exits_2_before_sending_and_says_what_to_set() {
    let p = Project::new();
    let r = run_ok(p.willai().args(["draft", "--profession", "ML Engineer"]), 2);
    assert!(r.stderr.contains("set OPENAI_API_KEY"), "{}", r.stderr);
    assert!(r.stderr.contains("OPENAI_BASE_URL"), "{}", r.stderr);
    assert!(!p.exists("data/records/ml-engineer.json"));
}

#[test]
fn offline_drafts_from_the_cache_and_reports_what_is_missing() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer"]),
        0,
    );
    let r = run_ok(
        p.willai()
            .args(["draft", "-p", "widget-makers", "--offline"]),
        1,
    );
    assert!(
        r.stderr
            .contains("5 prompt(s) are not in the cache; run without --offline"),
        "{}",
        r.stderr
    );
    assert!(
        !p.exists("data/records/widget-makers.json"),
        "offline misses are not failures in the record"
    );
}

#[test]
fn a_corrupt_cache_entry_is_reported_and_sent_again() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let victim = p.cache_files()[0].clone();
    std::fs::write(&victim, "{ not json").unwrap();
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    server.reset_counts();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert!(r.stderr.contains("not a cache entry"), "{}", r.stderr);
    assert!(r.stderr.contains("treated as a miss"), "{}", r.stderr);
    assert_eq!(server.requests(), 1);
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&victim).unwrap()).unwrap();
    assert!(entry["key"].is_string(), "the entry was rewritten");
}

#[test]
fn cache_entries_keep_key_reply_usage_and_model_compactly() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer"]),
        0,
    );
    for f in p.cache_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        let e: serde_json::Value = serde_json::from_str(&text).unwrap();
        let key = f.file_stem().unwrap().to_str().unwrap();
        assert_eq!(
            f.parent().unwrap().file_name().unwrap().to_str().unwrap(),
            &key[..2]
        );
        assert_eq!(e["key"], key);
        assert_eq!(e["model"], "test-model");
        assert_eq!(e["format"], 2);
        assert!(
            e.get("request").is_none(),
            "the request is its key, not kept"
        );
        assert!(e["usage"]["prompt_tokens"].as_u64().unwrap() > 0);
        assert!(e["response"]["choices"][0]["message"]["content"].is_string());
        assert!(["task_exposure", "skills_assessment"].contains(&e["ask"].as_str().unwrap()));
        assert_eq!(e["sha256"].as_str().unwrap().len(), 64);
        assert!(text.ends_with("}\n"));
        assert!(text.len() < 2048, "{} bytes: {text}", text.len());
        // The key is the sha256 of the canonical request: the bodies the server saw hash to the keys.
    }
    let mut sent: Vec<String> = server
        .bodies()
        .iter()
        .map(crate::util::canonical_sha256)
        .collect();
    sent.sort();
    let mut keys: Vec<String> = p
        .cache_files()
        .iter()
        .map(|f| f.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    keys.sort();
    assert_eq!(sent, keys);
}

/// A refusal of the re-ask (its length, its content) fails that task as the HTTP error
/// it is, after the retries the server asked for; it is not taken for a refusal of the
/// structured-output mode, which the first request was answered in (no fallback, no
/// "every structured-output mode").
#[test]
fn a_refused_reask_fails_its_task_as_the_http_error_it_is() {
    let p = Project::new();
    let server = FakeServer::start();
    let refusal = || Fault::Status {
        status: 400,
        headers: vec![],
        body: r#"{"error": {"message": "maximum context length exceeded", "param": "messages"}}"#
            .into(),
    };
    let needle = task("Sort the widgets by colour");
    server.script(
        &needle,
        vec![Fault::InvalidJson, Fault::ServerError(503), refusal()],
    );
    let r = draft(&p, &server, "Widget Makers");
    assert_eq!(r.code, 1, "{}", r.all());
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("sort-widgets"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        line.ends_with("HTTP 400 after 2 attempts: maximum context length exceeded"),
        "{line}"
    );
    assert!(
        !r.all().contains("every structured-output mode"),
        "{}",
        r.all()
    );
    assert!(!r.stderr.contains("falling back"), "{}", r.stderr);
    // The first ask, the re-ask, and the re-ask once more after the 503.
    let sent = server.bodies();
    let asked: Vec<_> = sent
        .iter()
        .filter(|b| b.to_string().contains(&needle))
        .collect();
    assert_eq!(asked.len(), 3);
    assert!(
        asked
            .iter()
            .all(|b| b["response_format"]["type"] == "json_schema")
    );
    // The other tasks landed.
    let record = p.record("widget-makers");
    let drafted = record["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "draft")
        .count();
    assert_eq!(drafted, 3);
}
