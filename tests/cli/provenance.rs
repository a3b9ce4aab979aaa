//! True provenance (issue #25): the endpoint is asked which models it serves before the
//! first prompt is sent; every answer records where it came from (host, the model the
//! server reported, its fingerprint), shown by `status`, `review` and `diff`; a cached
//! answer from another host is used only with a line in the summary; stale messages
//! name the setting that differs. And a local model out of the box: the server's slots
//! bound the concurrency, and a refused structured-output mode is remembered per
//! endpoint, on this machine.

use fake_openai::{FakeServer, Options};
use serde_json::{Value, json};

use crate::util::{Project, run_ok, summary_line};

/// `127.0.0.1:PORT` of a server.
fn host(server: &FakeServer) -> String {
    server
        .base_url()
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_string()
}

#[test]
fn a_model_the_endpoint_does_not_list_stops_the_run_before_anything_is_sent() {
    let p = Project::new();
    let server = FakeServer::start();
    server.set_models(Some(&["smollm2"]));
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--no-progress"]),
        2,
    );
    assert_eq!(server.requests(), 0, "no prompt was sent");
    assert!(
        r.stderr
            .contains("does not serve test-model: it lists smollm2")
            && r.stderr.contains("--model"),
        "{}",
        r.stderr
    );
    assert!(!p.exists("data/records/widget-makers.json"));
    assert!(r.stderr.contains("pass --no-model-check"), "{}", r.stderr);
    // A gateway whose list leaves the name out: --no-model-check sends anyway, and says so.
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--no-progress",
            "--no-model-check",
        ]),
        0,
    );
    assert!(
        r.stderr
            .contains("does not list test-model (it lists smollm2); sending anyway"),
        "{}",
        r.stderr
    );
    assert!(server.requests() > 0);
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    std::fs::remove_dir_all(p.path("cache")).unwrap();
    // Listed (Ollama's `name:latest` too): drafted.
    server.set_models(Some(&["other", "test-model:latest"]));
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    // A server that lists nothing is not an error.
    let p = Project::new();
    let quiet = FakeServer::start();
    let r = run_ok(
        p.willai_at(&quiet.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert!(!r.stderr.contains("models"), "{}", r.stderr);
    // Everything cached: the endpoint is not asked at all.
    let before = quiet.listings();
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    run_ok(
        p.willai_at(&quiet.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    assert_eq!(quiet.listings(), before, "no GET when nothing is sent");
    run_ok(
        p.willai()
            .args(["draft", "-p", "widget-makers", "--offline", "--redraft"]),
        0,
    );
    assert_eq!(quiet.listings(), before);
}

#[test]
fn every_answer_records_where_it_came_from_and_status_review_and_diff_show_it() {
    let p = Project::new();
    let server = FakeServer::start();
    server.set_served(Some("test-model-2026-01-01"), Some("fp_44709d6fcb"));
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let h = host(&server);
    let record = p.record("widget-makers");
    let m = &record["tasks"][0]["machine"];
    assert_eq!(
        (
            m["model"].as_str(),
            m["host"].as_str(),
            m["served_model"].as_str(),
            m["system_fingerprint"].as_str()
        ),
        (
            Some("test-model"),
            Some(h.as_str()),
            Some("test-model-2026-01-01"),
            Some("fp_44709d6fcb")
        ),
        "{m}"
    );
    // Never a credential or the URL's path: only host and port.
    let text = p.read("data/records/widget-makers.json");
    assert!(
        !text.contains(crate::util::KEY) && !text.contains("/v1"),
        "{text}"
    );
    for f in p.cache_files() {
        let e: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        assert_eq!(
            e["source"],
            json!({"host": h, "model": "test-model-2026-01-01", "system_fingerprint": "fp_44709d6fcb"})
        );
    }
    run_ok(p.willai().arg("schema"), 0);
    run_ok(p.willai().arg("validate"), 0);

    let status = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0).stdout;
    let origin = format!("test-model at {h} (served as test-model-2026-01-01, fp_44709d6fcb)");
    assert!(
        status.contains(&format!("drafted by:\n  6 item(s): {origin}")),
        "{status}"
    );
    let json: Value =
        serde_json::from_str(&run_ok(p.willai().args(["status", "--json"]), 0).stdout).unwrap();
    let widgets = json["professions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["slug"] == "widget-makers")
        .unwrap();
    assert_eq!(
        widgets["items"][0]["drafted_by"],
        json!({"model": "test-model", "host": h, "served_model": "test-model-2026-01-01", "system_fingerprint": "fp_44709d6fcb"})
    );
    // review: on the item's screen.
    let mut tui = crate::review_tui::Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    let screen = tui.wait_for("1 of 6");
    assert!(
        screen.contains(&format!(
            "drafted by  test-model at {h} (served as test-model-2026-01-01,"
        )) && screen.contains("fp_44709d6fcb)"),
        "{screen}"
    );
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    let prose = run_ok(
        p.willai()
            .args(["textconv", "data/records/widget-makers.json"]),
        0,
    )
    .stdout;
    assert!(
        prose.contains(&format!(") at {h} (served as test-model-2026-01-01")),
        "{prose}"
    );

    // Redrafted elsewhere: the diff says where the new text comes from.
    for args in [
        &["init", "-q"][..],
        &["config", "user.name", "Test"],
        &["config", "user.email", "test@example.org"],
        &["add", "."],
        &["commit", "-qm", "drafts"],
    ] {
        crate::diff::git(&p, args);
    }
    let elsewhere = FakeServer::start();
    run_ok(
        p.willai_at(&elsewhere.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--redraft",
            "--same-host",
        ]),
        0,
    );
    let diff = run_ok(p.willai().arg("diff"), 0).stdout;
    assert!(
        diff.contains("redrafted by test-model (confidence ")
            && diff.contains(&format!("at {}", host(&elsewhere))),
        "{diff}"
    );
}

#[test]
fn a_cached_answer_from_another_host_is_used_with_a_line_or_asked_again_with_same_host() {
    let p = Project::new();
    let first = FakeServer::start();
    run_ok(
        p.willai_at(&first.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    let second = FakeServer::start();
    let r = run_ok(
        p.willai_at(&second.base_url())
            .args(["draft", "-p", "widget-makers", "--no-progress"]),
        0,
    );
    assert_eq!(second.requests(), 0);
    let line = format!(
        "            5 of them answered elsewhere than this run's endpoint ({}): {} (5); `--same-host` asks {} instead",
        host(&second),
        host(&first),
        host(&second)
    );
    assert!(r.stdout.contains(&line), "{}", r.stdout);
    // The records say the first host answered.
    assert_eq!(
        p.record("widget-makers")["tasks"][0]["machine"]["host"],
        host(&first)
    );
    // --same-host: asked again here, and the records say so.
    let r = run_ok(
        p.willai_at(&second.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--redraft",
            "--same-host",
            "--no-progress",
        ]),
        0,
    );
    assert_eq!(second.requests(), 5, "{}", r.stdout);
    assert!(!r.stdout.contains("elsewhere"), "{}", r.stdout);
    assert_eq!(
        p.record("widget-makers")["tasks"][0]["machine"]["host"],
        host(&second)
    );
}

#[test]
fn stale_messages_name_the_setting_that_differs_and_how_to_change_it() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    let r = run_ok(
        p.willai()
            .env("WILLAI_MODEL", "gpt-4o-mini")
            .args(["status", "-p", "widget-makers"]),
        0,
    );
    assert!(
        r.stdout.contains("the model setting (from WILLAI_MODEL) is gpt-4o-mini, the draft's test-model: to keep the drafts, set it back to test-model (`--model test-model`, `WILLAI_MODEL=test-model` or `model = \"test-model\"` in willai.toml); to redraft with gpt-4o-mini, run `willai draft` against an endpoint that serves gpt-4o-mini"),
        "{}",
        r.stdout
    );
    let r = run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "-t",
            "sort-widgets",
            "--reviewer",
            "Ann",
            "--model",
            "gpt-4o-mini",
        ]),
        1,
    );
    assert!(
        r.stdout.contains("is stale (model changed (test-model -> gpt-4o-mini)): run `willai draft` to redraft it, or approve it as it is with --force (the model setting (from --model) is gpt-4o-mini"),
        "{}",
        r.stdout
    );
    // A changed template names the file.
    let t = p
        .read("prompts/task.j2")
        .replace("When in doubt", "When unsure");
    p.write("prompts/task.j2", &t);
    let r = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0);
    assert!(
        r.stdout.contains("prompts/task.j2 (or a template it includes, or willai's reply format) changed since drafting"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_servers_slots_bound_the_concurrency() {
    let p = Project::new();
    let toml = p
        .read("willai.toml")
        .replace("concurrency = 4", "concurrency = 8");
    p.write("willai.toml", &toml);
    let server = FakeServer::start_with(Options {
        delay: std::time::Duration::from_millis(30),
        ..Options::default()
    });
    // llama.cpp's server: /props says how many slots.
    server.set_props(Some(json!({"total_slots": 2, "model_path": "/models/x.gguf", "default_generation_settings": {"n_ctx": 4096}})));
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--no-progress"]),
        0,
    );
    assert!(
        r.stderr.contains(&format!(
            "concurrency: {} works on 2 request(s) at once (its /props gives total_slots): sending 2 at a time instead of 8",
            host(&server)
        )),
        "{}",
        r.stderr
    );
    assert!(server.max_in_flight() <= 2, "{}", server.max_in_flight());
    assert!(
        summary_line(&r.stdout, "requests").contains("2 at a time (the server's slots)"),
        "{}",
        r.stdout
    );
    // llama-cpp-python's server (no /props; models "owned_by": "me"): one at a time.
    let p = Project::new();
    let server = FakeServer::start_with(Options {
        delay: std::time::Duration::from_millis(30),
        ..Options::default()
    });
    server.set_models_json(Some(json!({"object": "list", "data": [{"id": "test-model", "object": "model", "owned_by": "me", "permissions": []}]})));
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--no-progress"]),
        0,
    );
    assert!(
        r.stderr
            .contains("llama-cpp-python's server answers one request at a time"),
        "{}",
        r.stderr
    );
    assert_eq!(server.max_in_flight(), 1);
}

#[test]
fn a_refused_structured_output_mode_is_remembered_per_endpoint_on_this_machine() {
    let p = Project::new();
    let server = FakeServer::start();
    server.set_reject_json_schema(Some(422));
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--no-progress"]),
        0,
    );
    assert!(r.stderr.contains("remembered that"), "{}", r.stderr);
    // Not in the project: in the user's cache folder (HOME is the test's own).
    assert!(
        p.all_files()
            .iter()
            .all(|(f, _)| !f.ends_with("endpoints.json")),
        "nothing of it in the project"
    );
    let remembered: Value = serde_json::from_str(
        &std::fs::read_to_string(home(&p).join(".cache/willai/endpoints.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        remembered,
        json!({ format!("{} test-model", server.base_url()): "json_object" })
    );
    // The next run starts in json_object: not one json_schema request.
    server.reset_counts();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--no-progress"]),
        0,
    );
    assert!(
        r.stderr.contains("so this run starts in json_object"),
        "{}",
        r.stderr
    );
    let asked: Vec<Value> = server.bodies();
    assert!(!asked.is_empty());
    assert!(
        asked
            .iter()
            .all(|b| b["response_format"]["type"] != "json_schema"),
        "{asked:?}"
    );
    // Asked for on the command line, it is tried again (the cache emptied, so that
    // something is sent).
    std::fs::remove_dir_all(p.path("cache")).unwrap();
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "ml-engineer",
            "--redraft",
            "--structured-output",
            "json_schema",
            "--no-progress",
        ]),
        0,
    );
    assert!(
        server
            .bodies()
            .iter()
            .any(|b| b["response_format"]["type"] == "json_schema")
    );
}

#[test]
fn the_host_recorded_never_carries_a_user_password_or_query_token() {
    let p = Project::new();
    let server = FakeServer::start();
    let url = server
        .base_url()
        .replace("http://", "http://editor:hunter2secret@");
    run_ok(p.willai_at(&url).args(["draft", "-p", "widget-makers"]), 0);
    let h = host(&server);
    assert_eq!(p.record("widget-makers")["tasks"][0]["machine"]["host"], h);
    for (f, bytes) in p.all_files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("hunter2secret") && !text.contains("editor:"),
            "{}: {text}",
            f.display()
        );
    }
    // Nor a status, in words or JSON.
    let status = run_ok(p.willai().args(["status", "--json"]), 0).stdout;
    assert!(!status.contains("hunter2secret"), "{status}");
}

#[test]
fn a_hand_edited_provenance_is_flagged_by_validate_and_shown_as_escapes() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        0,
    );
    run_ok(p.willai().arg("schema"), 0);
    run_ok(p.willai().arg("validate"), 0);
    p.edit_record("widget-makers", |r| {
        let m = &mut r["tasks"][0]["machine"];
        m["host"] = "user:pw@evil.example/path".into();
        m["served_model"] = "x\u{1b}]0;PWNED\u{7}".into();
    });
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout.contains("/tasks/0/machine/host")
            && r.stdout.contains("must be a host[:port] alone")
            && r.stdout.contains("/tasks/0/machine/served_model"),
        "{}",
        r.stdout
    );
    let status = run_ok(p.willai().args(["status", "-p", "widget-makers"]), 0).stdout;
    assert!(
        status.contains("served as x\\u001b]0;PWNED\\u0007") && !status.contains('\u{1b}'),
        "{status}"
    );
    let prose = run_ok(
        p.willai()
            .args(["textconv", "data/records/widget-makers.json"]),
        0,
    )
    .stdout;
    assert!(!prose.contains('\u{1b}'), "{prose}");
}

/// The test's own HOME (each project has one).
fn home(p: &Project) -> std::path::PathBuf {
    let cmd = p.process();
    let home = cmd
        .get_envs()
        .find(|(k, _)| *k == "HOME")
        .unwrap()
        .1
        .unwrap();
    std::path::PathBuf::from(home)
}

#[test]
fn a_remembered_modes_file_that_does_not_read_is_said_and_left_as_it_is() {
    let p = Project::new();
    let server = FakeServer::start();
    server.set_reject_json_schema(Some(422));
    let file = home(&p).join(".cache/willai/endpoints.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // Garbage: said, nothing remembered, the file left for the user to look at.
    std::fs::write(&file, "{ not json \u{1b}[2J").unwrap();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--no-progress"]),
        0,
    );
    assert!(
        r.stderr
            .contains("the modes remembered per endpoint are not read")
            && r.stderr.contains("cannot remember the fallback"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{ not json \u{1b}[2J"
    );
    // Too large: not read whole.
    std::fs::write(&file, " ".repeat(2 << 20)).unwrap();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "ml-engineer", "--no-progress"]),
        0,
    );
    assert!(r.stderr.contains("not read"), "{}", r.stderr);
    // Another version's line, and a mode willai does not know, are kept beside the new one.
    std::fs::write(
        &file,
        r#"{"http://elsewhere/v1 m": "json_object", "http://odd/v1 m": "telepathy"}"#,
    )
    .unwrap();
    std::fs::remove_dir_all(p.path("cache")).unwrap();
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "ml-engineer",
            "--redraft",
            "--no-progress",
        ]),
        0,
    );
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        kept,
        json!({
            "http://elsewhere/v1 m": "json_object",
            "http://odd/v1 m": "telepathy",
            format!("{} test-model", server.base_url()): "json_object",
        })
    );
}
