//! The fault matrix: what adversarial testing of an earlier build found, one test per
//! case, each closing the class rather than the example (issue 14).

use std::fs;
use std::time::Duration;

use fake_openai::{FakeServer, Fault, Options};
use serde_json::{Value, json};

use crate::util::{KEY, Project, run, run_ok, summary_line};
use crate::validate::{drafted, valid_project};

/// The cache entry that answered a task, and its parsed JSON.
fn entry_of(p: &Project, task: usize) -> (std::path::PathBuf, Value) {
    let key = p.record("widget-makers")["tasks"][task]["machine"]["cache_key"]
        .as_str()
        .unwrap()
        .to_string();
    let path = p.path(&format!("cache/{}/{key}.json", &key[..2]));
    let v = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    (path, v)
}

// 1. A tampered cache is never used silently.
#[test]
fn an_edited_cached_reply_is_caught_by_verify_and_by_draft() {
    let (p, _server) = drafted();
    let (path, mut entry) = entry_of(&p, 0);
    let content = entry["response"]["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_string();
    let mut reply: Value = serde_json::from_str(&content).unwrap();
    reply["rationale"] = json!("Planted by someone who edited the cache.");
    entry["response"]["choices"][0]["message"]["content"] = json!(reply.to_string());
    fs::write(&path, serde_json::to_string_pretty(&entry).unwrap()).unwrap();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();

    let r = run_ok(p.willai().args(["cache", "verify"]), 1);
    assert!(
        r.stdout.contains("edited after it was checked and cached"),
        "{}",
        r.stdout
    );
    let r = run_ok(
        p.willai()
            .args(["draft", "-p", "widget-makers", "--offline"]),
        1,
    );
    assert!(
        r.stderr.contains("edited after it was checked and cached"),
        "{}",
        r.all()
    );
    assert!(
        !p.read("data/records/widget-makers.json")
            .contains("Planted")
    );

    // A reply that breaks the schema is caught even in an entry without a hash
    // (written by an older willai).
    let (path, mut entry) = entry_of_any(&p);
    entry.as_object_mut().unwrap().remove("sha256");
    let content = entry["response"]["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .replace("\"level\":\"HIGH\"", "\"level\":\"EXTREME\"")
        .replace("\"level\":\"MEDIUM\"", "\"level\":\"EXTREME\"")
        .replace("\"level\":\"LOW\"", "\"level\":\"EXTREME\"");
    entry["response"]["choices"][0]["message"]["content"] = json!(content);
    fs::write(&path, serde_json::to_string_pretty(&entry).unwrap()).unwrap();
    let r = run_ok(p.willai().args(["cache", "verify"]), 1);
    assert!(
        r.stdout.contains("the cached reply is not valid") && r.stdout.contains("EXTREME"),
        "{}",
        r.stdout
    );
}

/// A cached task answer (any of them).
fn entry_of_any(p: &Project) -> (std::path::PathBuf, Value) {
    for path in p.cache_files() {
        let v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        if v["ask"] == "task_exposure" {
            return (path, v);
        }
    }
    panic!("no task answer in the cache")
}

// 2. Replies are read up to a limit, and no invalid reply is kept anywhere.
#[test]
fn replies_over_the_limit_fail_their_item_and_no_invalid_reply_is_cached() {
    let p = Project::new();
    let toml = format!("max_reply_bytes = 50000\n{}", p.read("willai.toml"));
    p.write("willai.toml", &toml);
    let server = FakeServer::start();
    let huge = "x".repeat(200_000);
    server.script("Task: Sort the widgets by colour", vec![Fault::Reply(huge)]);
    server.script(
        "Task: Paint the widget housings",
        vec![Fault::Reply(format!(
            r#"{{"title":"T","level":"EXTREME {}","rationale":"r","tools":[],"tip":"t"}}"#,
            "y".repeat(5000)
        ))],
    );
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--confidence",
            "none",
        ]),
        1,
    );
    assert!(
        r.stdout.contains("widget-makers/sort-widgets: the server's answer is larger than max_reply_bytes (50000 bytes)"),
        "{}",
        r.stdout
    );
    // The re-asked task landed; its entry keeps neither the invalid reply nor a long quote.
    let paint = p.record("widget-makers")["tasks"][1].clone();
    assert_eq!(paint["status"], "draft", "{paint}");
    let (_, entry) = entry_of(&p, 1);
    let text = entry.to_string();
    // At most a short quote of the bad value, in the error the model was told.
    assert!(
        !text.contains(&"y".repeat(100)),
        "the invalid reply is not kept"
    );
    assert!(
        entry["reask"]["error"]
            .as_str()
            .unwrap()
            .contains("EXTREME"),
        "{entry}"
    );
    assert!(
        p.cache_files()
            .iter()
            .all(|f| fs::metadata(f).unwrap().len() < 50_000)
    );

    // Batch import refuses a line over the limit and imports the rest.
    run_ok(
        p.willai().args([
            "draft",
            "-p",
            "widget-makers",
            "--batch-out",
            "req.jsonl",
            "--redraft",
            "--confidence",
            "none",
        ]),
        0,
    );
    let first = p.read("req.jsonl").lines().next().unwrap().to_string();
    let id = serde_json::from_str::<Value>(&first).unwrap()["custom_id"]
        .as_str()
        .unwrap()
        .to_string();
    p.write(
        "res.jsonl",
        &format!(
            "{}\n",
            json!({"custom_id": id, "response": {"status_code": 200, "body": {"choices": [{"message": {"content": "z".repeat(60_000)}}], "junk": "q".repeat(60_000)}}})
        ),
    );
    let r = run_ok(
        p.willai()
            .args(["batch", "import", "res.jsonl", "--requests", "req.jsonl"]),
        1,
    );
    assert!(
        r.stdout.contains("res.jsonl:1: the line is"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("more than max_reply_bytes (50000)"),
        "{}",
        r.stdout
    );
}

// 3. No help, error or log line shows a key or the password part of a URL.
#[test]
fn help_errors_and_logs_never_show_a_password_or_key() {
    let p = Project::new();
    // A password, and a token in the query string (as some gateways take keys).
    let url = "http://user:PASSW0RD@127.0.0.1:9/v1?token=QTOKEN&api-version=2024-06-01";
    for args in [
        vec!["draft", "--help"],
        vec!["--help"],
        vec!["config"],
        vec![
            "draft",
            "-p",
            "widget-makers",
            "--retries",
            "0",
            "--timeout",
            "1",
        ],
    ] {
        let r = run(p
            .willai()
            .env("OPENAI_BASE_URL", url)
            .env("OPENAI_API_KEY", KEY)
            .env("WILLAI_REVIEWER", "PASSW0RD-reviewer")
            .args(&args));
        let all = r.all();
        assert!(!all.contains("PASSW0RD"), "{args:?}: {all}");
        assert!(!all.contains("QTOKEN"), "{args:?}: {all}");
        assert!(!all.contains(KEY), "{args:?}: {all}");
    }
    // The failure reasons kept in the record (committed to git) are clean too.
    let record = p.read("data/records/widget-makers.json");
    assert!(record.contains("cannot connect to"), "{record}");
    for secret in ["PASSW0RD", "QTOKEN", KEY] {
        assert!(!record.contains(secret), "{record}");
    }
}

// 3. ... nor a file: a reply that echoes the key back is not kept.
#[test]
fn a_reply_that_echoes_the_key_is_not_kept() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    let echo = json!({"title": "Sort widgets", "level": "LOW", "rationale": format!("Your key is {KEY}."), "tools": [], "tip": "T."}).to_string();
    server.script("Task: Sort the widgets by colour", vec![Fault::Reply(echo)]);
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        1,
    );
    assert!(
        r.all().contains("the reply contains the API key"),
        "{}",
        r.all()
    );
    assert!(!r.all().contains(KEY), "{}", r.all());
    for (file, bytes) in p.all_files() {
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "{} holds the key",
            file.display()
        );
    }
}

// 4. A reviewer is one line of text, from wherever it comes.
#[test]
fn blank_and_multi_line_reviewers_are_refused_and_validate_flags_control_characters() {
    let (p, _server) = drafted();
    let approve = |reviewer: &str| {
        run(p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
            "--reviewer",
            reviewer,
        ]))
    };
    let blank = approve("   ");
    assert_eq!(blank.code, 2, "{}", blank.all());
    assert!(
        blank.stderr.contains("--reviewer is blank"),
        "{}",
        blank.stderr
    );
    let two_lines = approve("Ann\nEditor");
    assert_eq!(two_lines.code, 2, "{}", two_lines.all());
    assert!(
        two_lines.stderr.contains("a line break"),
        "{}",
        two_lines.stderr
    );
    let from_env = run(p
        .willai()
        .env("WILLAI_REVIEWER", "Ann\u{202e}rotide")
        .args(["approve", "-p", "widget-makers", "--all"]));
    assert_eq!(from_env.code, 2, "{}", from_env.all());
    assert!(
        from_env.stderr.contains("WILLAI_REVIEWER"),
        "{}",
        from_env.stderr
    );
    assert!(
        p.record("widget-makers")["tasks"][0]
            .get("approval")
            .is_none()
    );

    p.approve_all("widget-makers", "Ann");
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["approval"]["reviewer"] = json!("Ann\nEditor");
    });
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout
            .contains("/tasks/0/approval/reviewer: contains a line break"),
        "{}",
        r.stdout
    );
}

// 5. validate reports every problem of every file that parses, in the user's terms.
#[test]
fn validate_reports_every_problem_of_a_file_at_once() {
    let (p, _server) = drafted();
    p.approve_all("widget-makers", "Ann");
    // Written by hand, as an editor would: `willai fmt` cannot read it any more.
    let mut r = p.record("widget-makers");
    r["tasks"][0]["level"] = json!("high");
    r["tasks"][1].as_object_mut().unwrap().remove("approval");
    r["tasks"][2]["status"] = json!("edited");
    p.write(
        "data/records/widget-makers.json",
        &serde_json::to_string_pretty(&r).unwrap(),
    );
    let r = run_ok(p.willai().arg("validate"), 1);
    let out = &r.stdout;
    assert!(
        out.contains("/tasks/0/level: \"high\" is not allowed here: use one of \"HIGH\", \"MEDIUM\", \"LOW\" (mind the case)"),
        "{out}"
    );
    assert!(
        out.contains("/tasks/1/status: approved but no `approval` is recorded"),
        "{out}"
    );
    assert!(
        out.contains("/tasks/2/status: \"edited\" is not allowed here")
            && out.contains("is a state `willai status` shows"),
        "{out}"
    );
    assert!(!out.contains("oneOf"), "{out}");
}

// 6. Messages name the cause and the fix.
#[test]
fn encodings_and_line_endings_are_named() {
    let (p, _server) = drafted();
    let rel = "data/records/widget-makers.json";
    let text = p.read(rel);
    fs::write(p.path(rel), format!("\u{feff}{text}")).unwrap();
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout.contains(&format!(
            "{rel}:1:1: the file starts with a byte-order mark"
        )),
        "{}",
        r.stdout
    );
    let status = run(p.willai().args(["status", "-p", "widget-makers"]));
    assert!(status.all().contains("byte-order mark"), "{}", status.all());
    assert!(!status.all().contains("json::"), "{}", status.all());

    fs::write(p.path(rel), text.replace('\n', "\r\n")).unwrap();
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout.contains("Windows line endings (CRLF)"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("first difference"), "{}", r.stdout);
    run_ok(p.willai().arg("fmt"), 0);
    run_ok(p.willai().arg("validate"), 0);

    let mut bytes = text.into_bytes();
    let at = bytes.iter().position(|&b| b == b'W').unwrap();
    bytes[at] = 0xE9;
    fs::write(p.path(rel), &bytes).unwrap();
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout.contains("is not valid UTF-8 (byte 0xE9)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(&format!("{rel}:")), "{}", r.stdout);
}

// 6. A catalog file that does not read is named once, for what it is: its record is not
// "without a catalog file" (that advice, "remove this record", would lose work).
#[test]
fn a_catalog_file_that_does_not_read_is_not_reported_as_missing() {
    let (p, _server) = drafted();
    let rel = "data/catalog/widget-makers.json";
    let text = p.read(rel);
    let mut not_utf8 = text.clone().into_bytes();
    let at = not_utf8.iter().position(|&b| b == b'W').unwrap();
    not_utf8[at] = 0xE9;
    for (bytes, cause) in [
        (format!("\u{feff}{text}").into_bytes(), "byte-order mark"),
        (not_utf8, "is not valid UTF-8"),
        (
            text.replacen('{', "{,", 1).into_bytes(),
            "fix the JSON syntax",
        ),
    ] {
        fs::write(p.path(rel), &bytes).unwrap();
        let r = run_ok(p.willai().arg("validate"), 1);
        assert!(
            r.stdout.contains(rel) && r.stdout.contains(cause),
            "{}",
            r.stdout
        );
        assert!(!r.stdout.contains("no catalog file"), "{}", r.stdout);
        assert!(
            !r.stdout.contains("data/records/widget-makers.json"),
            "{}",
            r.stdout
        );
    }
    // A record whose catalog file is truly gone is still reported.
    fs::remove_file(p.path(rel)).unwrap();
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout
            .contains("no catalog file data/catalog/widget-makers.json"),
        "{}",
        r.stdout
    );
}

// 7. Every stopping signal saves, prints the summary and exits 128 + its number.
#[test]
fn sigterm_and_sighup_stop_a_run_like_ctrl_c() {
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let p = Project::new();
        let tasks: Vec<Value> = (0..30)
            .map(|i| json!({"id": format!("t{i:02}"), "text": format!("Stack crate number {i}")}))
            .collect();
        p.write(
            "data/catalog/big.json",
            &serde_json::to_string_pretty(&json!({"$schema": "../schema/catalog.schema.json", "name": "Big", "slug": "big", "tasks": tasks, "skills": [{"id": "s", "name": "Stacking"}]})).unwrap(),
        );
        let server = FakeServer::start_with(Options {
            delay: Duration::from_millis(50),
            ..Options::default()
        });
        let child = p
            .process_at(&server.base_url())
            .args(["draft", "-p", "big", "--concurrency", "2", "--no-progress"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        p.wait_for_cache_files(3);
        // SAFETY: a signal to our own child process.
        unsafe {
            libc::kill(child.id() as libc::pid_t, signal);
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(code), "{stdout}");
        assert!(
            summary_line(&stdout, "records").contains("1 file(s) written"),
            "{stdout}"
        );
        let saved = p.record("big")["tasks"].as_array().unwrap().len();
        assert!(saved > 0 && saved < 30, "{saved}");
    }
}

// 8. A budget that cannot hold one request is refused before anything is sent.
#[test]
fn a_token_budget_smaller_than_one_request_is_refused_up_front() {
    let p = Project::new();
    let server = FakeServer::start();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers", "--tpm", "100"]),
        2,
    );
    assert!(
        r.stderr.contains(
            "the tokens/min budget (100, from --tpm) is smaller than the largest request"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("raise it to at least"), "{}", r.stderr);
    assert_eq!(server.requests(), 0);
}

// 9. cache gc goes on past what it cannot remove, and removes only entries (issue 20:
// a folder named like an entry is not one, and is left alone, named).
#[test]
fn cache_gc_reports_each_failure_and_removes_the_rest() {
    let (p, _server) = drafted();
    // Two stray entries nothing refers to, one of them not a file at all.
    let a = "a".repeat(64);
    let b = "b".repeat(64);
    p.write(&format!("cache/aa/{a}.json"), "{}");
    fs::create_dir_all(p.path(&format!("cache/bb/{b}.json"))).unwrap();
    let r = run_ok(p.willai().args(["cache", "gc"]), 0);
    assert!(
        r.stdout
            .contains(&format!("left alone cache/bb/{b}.json: not a cache entry")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("removed 1"), "{}", r.stdout);
    assert!(!p.exists(&format!("cache/aa/{a}.json")));
    assert!(p.path(&format!("cache/bb/{b}.json")).is_dir());
}

// 10. Text that should never reach a page.
#[test]
fn control_and_bidi_characters_are_refused_where_text_comes_in() {
    let p = Project::new();
    p.write(
        "tasks.tsv",
        "O*NET-SOC Code\tTitle\tTask ID\tTask\tTask Type\n\
         11-1011.00\tChief Executives\t1\tDirect the company\u{0}'s plans.\tCore\n\
         11-1011.00\tChief Executives\t2\tSign \u{202e}contracts.\tCore\n\
         11-1011.00\tChief Executives\t3\tChair board meetings.\tCorre\n\
         11-1011.00\tChief Executives\t4\tSet the budget.\tSupplemental\n",
    );
    let r = run_ok(p.willai().args(["import", "onet", "tasks.tsv"]), 0);
    assert!(
        r.stdout
            .contains("tasks.tsv:2: task 1: the statement contains NUL (U+0000)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("tasks.tsv:3: task 2: the statement contains a bidirectional embedding or override (U+202E)"), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "tasks.tsv:4: task 3: Task Type \"Corre\" is not Core, Supplemental or empty"
        ),
        "{}",
        r.stdout
    );
    let occ: Value = serde_json::from_str(&p.read("data/catalog/chief-executives.json")).unwrap();
    assert_eq!(occ["tasks"].as_array().unwrap().len(), 1);

    let p = valid_project();
    let rel = "data/catalog/widget-makers.json";
    let text = p
        .read(rel)
        .replace("Widget Makers", "Widget\u{2066} Makers");
    p.write(rel, &text);
    let rec = "data/records/widget-makers.json";
    let record = p.read(rec);
    let rationale = p.record("widget-makers")["tasks"][0]["rationale"]
        .as_str()
        .unwrap()
        .to_string();
    p.write(
        rec,
        &record.replacen(&rationale, &format!("{rationale}\\u0000"), 1),
    );
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout.contains(&format!(
            "{rel}:/name: contains a bidirectional isolate (U+2066) at character 7"
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("{rec}:/tasks/0/rationale: contains NUL (U+0000)")),
        "{}",
        r.stdout
    );
}

// 11. Names a Windows checkout cannot hold.
// 10. ... nor through a model's reply: what validate would refuse in a record is an
// invalid reply (asked again once, never cached), and import refuses what validate would.
#[test]
fn control_characters_in_a_reply_make_it_invalid_and_over_long_statements_are_bad_rows() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    let hostile = json!({"title": "Sort \u{1b}[2Jwidgets", "level": "LOW", "rationale": "R\u{202e}.", "tools": [], "tip": "T."}).to_string();
    server.script(
        "Task: Sort the widgets by colour",
        vec![Fault::Reply(hostile.clone()), Fault::Reply(hostile)],
    );
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        1,
    );
    assert!(
        r.all().contains("control character (U+001B)"),
        "{}",
        r.all()
    );
    let record = p.read("data/records/widget-makers.json");
    assert!(
        !record.contains('\u{1b}') && !record.contains("\\u001b"),
        "{record}"
    );
    // The other tasks' replies are cached; the hostile one is not.
    let cached = p.cache_files();
    assert_eq!(cached.len(), 4, "{cached:?}");
    for entry in cached {
        let text = fs::read_to_string(&entry).unwrap();
        assert!(!text.contains("\\u001b[2J"), "cached: {text}");
    }
    run_ok(p.willai().arg("validate"), 0);

    let long = "x".repeat(1001);
    let long_title = "Y".repeat(121);
    p.write(
        "tasks.tsv",
        &format!(
            "O*NET-SOC Code\tTitle\tTask ID\tTask\tTask Type\n\
             11-1011.00\tChief Executives\t1\t{long}\tCore\n\
             11-1011.00\tChief Executives\t2\tSet the budget.\tCore\n\
             11-1012.00\t{long_title}\t3\tSign contracts.\tCore\n"
        ),
    );
    let r = run_ok(p.willai().args(["import", "onet", "tasks.tsv"]), 0);
    assert!(
        r.stdout
            .contains("tasks.tsv:2: task 1: the statement is 1001 characters long"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("tasks.tsv:4: task 3: the title is 121 characters long"),
        "{}",
        r.stdout
    );
    run_ok(p.willai().arg("validate"), 0);
    run_ok(p.willai().args(["import", "onet", "tasks.tsv"]), 0);
}

#[test]
fn windows_device_names_are_refused_as_slugs() {
    let p = valid_project();
    for name in ["con", "nul", "com1", "lpt9", "aux", "prn"] {
        p.write(
            &format!("data/catalog/{name}.json"),
            &serde_json::to_string_pretty(&json!({"$schema": "../schema/catalog.schema.json", "name": format!("The {name} trade"), "slug": name, "tasks": [{"id": "t", "text": "Do it"}]})).unwrap(),
        );
    }
    run_ok(p.willai().arg("fmt"), 0);
    let r = run_ok(p.willai().arg("validate"), 1);
    for name in ["con", "nul", "com1", "lpt9", "aux", "prn"] {
        assert!(
            r.stdout.contains(&format!(
                "data/catalog/{name}.json:/slug: \"{name}\" is a name Windows reserves for a device"
            )) && r.stdout.contains(&format!("use \"{name}-occupation\"")),
            "{name}: {}",
            r.stdout
        );
    }
    let q = Project::new();
    q.write(
        "tasks.tsv",
        "O*NET-SOC Code\tTitle\tTask ID\tTask\n99-0001.00\tCon\t7\tDo the thing.\n",
    );
    run_ok(q.willai().args(["import", "onet", "tasks.tsv"]), 0);
    assert!(q.exists("data/catalog/con-occupation.json"));
}

// 12. Settings that make no request possible.
#[test]
fn max_tokens_zero_is_refused() {
    let p = Project::new();
    let toml = format!("max_tokens = 0\n{}", p.read("willai.toml"));
    p.write("willai.toml", &toml);
    let server = FakeServer::start();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "widget-makers"]),
        2,
    );
    assert!(
        r.stderr.contains("max_tokens must be at least 1"),
        "{}",
        r.stderr
    );
    assert_eq!(server.requests(), 0);
}

// A 200 whose body is JSON but not a chat completion (a proxy's error page, a wrong path)
// fails its item, is named as what it is, and is not cached.
#[test]
fn a_success_status_without_choices_is_not_a_completion() {
    let p = Project::new();
    let server = FakeServer::start();
    server.script(
        "Task: Sort the widgets by colour",
        vec![Fault::RawBody(
            r#"{"object":"error","detail":"upstream busy"}"#.into(),
        )],
    );
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--confidence",
            "none",
        ]),
        1,
    );
    assert!(
        r.stdout.contains(
            "widget-makers/sort-widgets: the server's answer is not a chat completion: upstream busy"
        ),
        "{}",
        r.all()
    );
    assert!(
        p.cache_files()
            .iter()
            .all(|f| !fs::read_to_string(f).unwrap().contains("upstream busy"))
    );
}

// ---------------------------------------------------------------------------------------
// Issue 20: every file of the repository is untrusted. No file content and no symlink in
// the project can make willai read, write, delete or publish anything outside the root.
// ---------------------------------------------------------------------------------------

#[cfg(unix)]
fn link(target: &std::path::Path, at: &std::path::Path) {
    if let Some(dir) = at.parent() {
        fs::create_dir_all(dir).unwrap();
    }
    std::os::unix::fs::symlink(target, at).unwrap();
}

/// A folder outside the project, with a file to protect in it.
fn outside() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pwned.json");
    fs::write(&file, "precious, outside the project\n").unwrap();
    (dir, file)
}

/// Widget Makers drafted and every item approved by Ann.
fn approved() -> (Project, FakeServer) {
    let (p, server) = drafted();
    p.approve_all("widget-makers", "Ann");
    (p, server)
}

/// An `$EDITOR` script in `dir` (a shell script, made executable).
fn editor_script(dir: &std::path::Path, script: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let editor = dir.join("editor.sh");
    fs::write(&editor, format!("#!/bin/sh\n{script}")).unwrap();
    fs::set_permissions(&editor, fs::Permissions::from_mode(0o755)).unwrap();
    editor
}

/// Runs a command that must finish (a hang on `/dev/zero` or a FIFO fails the test).
fn run_within(cmd: &mut assert_cmd::Command) -> crate::util::Ran {
    run(cmd.timeout(Duration::from_secs(60)))
}

// 20.1 A record's identity is its file name: no field is ever used as a path.
#[test]
fn a_record_whose_profession_field_is_a_path_is_refused_by_every_reader_and_writer() {
    let (p, server) = drafted();
    let (dir, victim) = outside();
    // An occupation's catalog file outside, which textconv would have read and printed.
    fs::write(
        dir.path().join("secret.json"),
        r#"{"name": "SECRET OUTSIDE NAME", "slug": "secret", "tasks": [{"id": "t", "text": "x"}]}"#,
    )
    .unwrap();
    let rec = "data/records/widget-makers.json";
    let relative = format!(
        "../../../../../../../../..{}",
        victim.with_extension("").display()
    );
    let original = p.read(rec);
    for hostile in [
        victim.with_extension("").display().to_string(),
        relative,
        "ml-engineer".to_string(),
    ] {
        let text = original.replacen(
            "\"profession\": \"widget-makers\"",
            &format!("\"profession\": {}", json!(hostile)),
            1,
        );
        p.write(rec, &text);
        let before_ml = p.read("data/records/ml-engineer.json");
        for args in [
            vec![
                "approve",
                "-p",
                "widget-makers",
                "--all",
                "--reviewer",
                "Ann",
            ],
            vec!["reject", "-p", "widget-makers", "--all"],
            vec!["draft", "-p", "widget-makers", "--redraft"],
        ] {
            let r = run(p.willai_at(&server.base_url()).args(&args));
            assert_ne!(r.code, 0, "{args:?}: {}", r.all());
            assert!(
                r.all().contains("a record's profession is its file name"),
                "{args:?}: {}",
                r.all()
            );
            assert_eq!(
                fs::read_to_string(&victim).unwrap(),
                "precious, outside the project\n"
            );
            assert_eq!(p.read(rec), text, "{args:?}: the record is left as it is");
            assert_eq!(p.read("data/records/ml-engineer.json"), before_ml);
        }
        let r = run_ok(p.willai().arg("validate"), 1);
        let said = if hostile == "ml-engineer" {
            format!("{rec}:/profession: \"ml-engineer\" does not match the file name")
        } else {
            format!(
                "{rec}:/profession: {} is not a profession slug: a record's profession is its file name; write \"widget-makers\"",
                json!(hostile)
            )
        };
        assert!(r.stdout.contains(&said), "{said}\n{}", r.stdout);
        assert!(!r.stdout.contains("data/catalog//"), "{}", r.stdout);
    }
    // textconv reads no catalog file a field names outside the project.
    let text = p.read(rec).replacen(
        "\"profession\": \"ml-engineer\"",
        &format!(
            "\"profession\": {}",
            json!(dir.path().join("secret").display().to_string())
        ),
        1,
    );
    p.write(rec, &text);
    let r = run_ok(p.willai().args(["textconv", rec]), 0);
    assert!(!r.stdout.contains("SECRET OUTSIDE NAME"), "{}", r.stdout);
}

// 20.2 The lock file is never opened through a link, nor truncated, nor created there.
#[cfg(unix)]
#[test]
fn a_linked_or_special_lock_file_is_refused_and_its_target_is_untouched() {
    let (p, _server) = drafted();
    let (dir, victim) = outside();
    let approve = [
        "approve",
        "-p",
        "widget-makers",
        "--all",
        "--reviewer",
        "Ann",
    ];
    fs::remove_file(p.path(".willai.lock")).unwrap();
    link(&victim, &p.path(".willai.lock"));
    let r = run_ok(p.willai().args(approve), 2);
    assert!(
        r.stderr.contains(".willai.lock is a symbolic link"),
        "{}",
        r.stderr
    );
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "precious, outside the project\n"
    );
    // A dangling link: its target is not created.
    fs::remove_file(p.path(".willai.lock")).unwrap();
    let missing = dir.path().join("created-by-willai");
    link(&missing, &p.path(".willai.lock"));
    run_ok(p.willai().args(approve), 2);
    assert!(!missing.exists());
    // A FIFO is refused at once rather than blocking the command.
    fs::remove_file(p.path(".willai.lock")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(p.path(".willai.lock"))
            .status()
            .unwrap()
            .success()
    );
    let r = run_within(p.willai().args(approve));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("a named pipe (FIFO)"), "{}", r.stderr);
    assert!(
        p.record("widget-makers")["tasks"][0]
            .get("approval")
            .is_none()
    );
    // The link is reported by validate too (the CI gate of a pull request).
    fs::remove_file(p.path(".willai.lock")).unwrap();
    run_ok(p.willai().args(approve), 0);
}

// 20.3 cache gc removes only real entries: never through a linked shard, never a file
// that is not named like an entry.
#[cfg(unix)]
#[test]
fn cache_gc_deletes_only_real_entries_and_reports_the_rest() {
    let (p, _server) = drafted();
    let (dir, _) = outside();
    let stray_key = format!("ee{}", "0".repeat(62));
    let outside_entry = dir.path().join(format!("{stray_key}.json"));
    fs::write(&outside_entry, "{}").unwrap();
    link(dir.path(), &p.path("cache/ee"));
    let misnamed = "cache/ab/notes.json".to_string();
    p.write(&misnamed, "{\"mine\": true}");
    let wrong_shard = format!("cache/ab/{}.json", "cd".repeat(32));
    p.write(&wrong_shard, "{}");
    let linked_file = p.path(&format!("cache/ab/ab{}.json", "1".repeat(62)));
    link(&dir.path().join("pwned.json"), &linked_file);
    let live = p.cache_files().len();

    let r = run_ok(p.willai().args(["cache", "gc"]), 0);
    assert!(outside_entry.exists(), "nothing outside is deleted");
    assert!(dir.path().join("pwned.json").exists());
    assert!(p.exists(&misnamed) && p.exists(&wrong_shard));
    assert!(
        fs::symlink_metadata(&linked_file).is_ok(),
        "a link is left alone"
    );
    for stray in ["cache/ee", &misnamed, &wrong_shard] {
        assert!(
            r.stdout.contains(&format!("left alone {stray}")),
            "{stray}: {}",
            r.stdout
        );
    }
    assert!(r.stdout.contains("left alone 4 file(s)"), "{}", r.stdout);
    assert!(r.stdout.contains("removed 0"), "{}", r.stdout);
    // verify names them as what they are, and still checks the real entries.
    let r = run_ok(p.willai().args(["cache", "verify"]), 1);
    assert!(
        r.stdout.contains("cache/ee: is a symbolic link"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("{misnamed}: not a cache entry")),
        "{}",
        r.stdout
    );
    assert_eq!(p.cache_files().len(), live);
}

// 20.4 (the output side) a link in the project never takes `publish --out` elsewhere:
// CI runs `willai publish --out site`, and a pull request can commit `site -> /anywhere`.
#[cfg(unix)]
#[test]
fn publish_never_writes_through_a_link_in_the_project_on_the_way_to_out() {
    let (p, _server) = approved();
    for (linked, out) in [
        ("site", "site"),
        ("build", "build/site"),
        ("nested/site", "nested/site/deeper"),
    ] {
        let (dir, _precious) = outside();
        link(dir.path(), &p.path(linked));
        // As CI writes it (relative, from the root) and as an absolute path.
        for given in [std::path::PathBuf::from(out), p.path(out)] {
            let r = run_ok(p.willai().args(["publish", "--out"]).arg(&given), 2);
            assert!(
                r.stderr.contains(&format!(
                    "goes through {linked}, a symbolic link inside the project"
                )),
                "{linked} / {}: {}",
                given.display(),
                r.stderr
            );
        }
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{linked}: only pwned.json is outside");
        fs::remove_file(p.path(linked)).unwrap();
    }
    // Outside the project, --out is the user's own choice, a link included.
    let (elsewhere, _) = outside();
    let target = tempfile::tempdir().unwrap();
    let named = elsewhere.path().join("site-link");
    link(target.path(), &named);
    run_ok(p.willai().args(["publish", "--out"]).arg(&named), 0);
    assert!(target.path().join("index.html").is_file());
    // And a real folder in the project is fine.
    run_ok(p.willai().args(["publish", "--out", "site"]), 0);
    assert!(p.path("site/index.html").is_file());
}

// 20.4 publish never copies what a link in static/, templates/ or about.md points to.
#[cfg(unix)]
#[test]
fn publish_refuses_links_in_every_input_of_the_theme() {
    let (p, _server) = approved();
    let (dir, secret) = outside();
    fs::write(&secret, "TOKEN=ghp_secret_of_the_runner\n").unwrap();
    let inside_secret = p.path(".git-config-like");
    fs::write(&inside_secret, "TOKEN=ghp_secret_of_the_runner\n").unwrap();
    let cases: Vec<(&str, std::path::PathBuf)> = vec![
        ("static/environ.txt", secret.clone()),
        ("static/deep/er/file.txt", secret.clone()),
        ("static/folder", dir.path().to_path_buf()),
        ("templates/_footer.html", secret.clone()),
        ("templates", dir.path().to_path_buf()),
        ("about.md", secret.clone()),
        // A link that stays inside the project is refused too: .git/config is inside.
        ("static/inside.txt", inside_secret.clone()),
    ];
    for (at, target) in cases {
        let path = p.path(at);
        link(&target, &path);
        let out = p.path("site");
        let r = run_ok(p.willai().args(["publish", "--out"]).arg(&out), 2);
        assert!(
            r.stderr.contains("is a symbolic link"),
            "{at}: {}",
            r.stderr
        );
        if out.exists() {
            for (f, bytes) in crate::publish::files(&out) {
                assert!(
                    !String::from_utf8_lossy(&bytes).contains("ghp_secret"),
                    "{at}: {} holds the secret",
                    f.display()
                );
            }
        }
        let v = run_ok(p.willai().arg("validate"), 1);
        assert!(
            v.stdout.contains("is a symbolic link"),
            "{at}: {}",
            v.stdout
        );
        for input in ["static", "templates", "about.md"] {
            let _ = fs::remove_dir_all(p.path(input));
            let _ = fs::remove_file(p.path(input));
        }
    }
    run_ok(p.willai().args(["publish", "--out", "site"]), 0);
}

// 20.5 Reads are bounded: a link to /dev/zero, a FIFO or a huge file is refused at once,
// with the cap named, and validate reports what it could not read as a problem.
#[cfg(unix)]
#[test]
fn special_and_huge_files_are_refused_with_the_cap_named_and_validate_fails_on_them() {
    let (p, _server) = drafted();
    let rec = "data/records/widget-makers.json";
    let approve = [
        "approve",
        "-p",
        "widget-makers",
        "--all",
        "--reviewer",
        "Ann",
    ];
    run_ok(p.willai().args(approve), 0);
    let good = p.read(rec);

    // A record linked to /dev/zero.
    fs::remove_file(p.path(rec)).unwrap();
    link(std::path::Path::new("/dev/zero"), &p.path(rec));
    for args in [
        vec!["status"],
        vec!["draft", "-p", "widget-makers", "--offline"],
        vec!["textconv", rec],
    ] {
        let r = run_within(p.willai().args(&args));
        assert_ne!(r.code, 0, "{args:?}: {}", r.all());
        assert!(
            r.all().contains("is a symbolic link") || r.all().contains("a device"),
            "{args:?}: {}",
            r.all()
        );
    }
    let r = run_within(p.willai().arg("validate"));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains(&format!("{rec}: is a symbolic link")),
        "{}",
        r.stdout
    );
    fs::remove_file(p.path(rec)).unwrap();

    // A FIFO: validate does not block on it, and does not say "no problems".
    assert!(
        std::process::Command::new("mkfifo")
            .arg(p.path(rec))
            .status()
            .unwrap()
            .success()
    );
    let r = run_within(p.willai().arg("validate"));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stdout.contains(&format!(
            "{rec}: is a named pipe (FIFO), not a regular file"
        )),
        "{}",
        r.stdout
    );
    let r = run_within(p.willai().args(["publish", "--out", "site"]));
    assert_ne!(r.code, 0, "{}", r.all());
    fs::remove_file(p.path(rec)).unwrap();

    // A record over the cap (sparse: no disk is spent).
    let f = fs::File::create(p.path(rec)).unwrap();
    f.set_len(17 * 1024 * 1024).unwrap();
    let r = run_within(p.willai().arg("validate"));
    assert!(
        r.stdout.contains(&format!(
            "{rec}: is 17825792 bytes, over the 16 MiB willai reads of one data file"
        )),
        "{}",
        r.stdout
    );
    let r = run_within(p.willai().args(["status", "-p", "widget-makers"]));
    assert!(r.all().contains("over the 16 MiB"), "{}", r.all());
    p.write(rec, &good);

    // A cache entry linked to /dev/zero is a corrupt entry: a miss, never a hang.
    let (entry, _) = entry_of(&p, 0);
    fs::remove_file(&entry).unwrap();
    link(std::path::Path::new("/dev/zero"), &entry);
    let r = run_within(p.willai().args(["cache", "verify"]));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("is a symbolic link"), "{}", r.stdout);
    // A link is not an entry: the prompt is a miss (never read through the link).
    let r = run_within(
        p.willai()
            .args(["draft", "-p", "widget-makers", "--offline", "--redraft"]),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("not cached  1 prompt(s)"), "{}", r.all());

    // A static file linked to /dev/zero or over its cap is refused by publish.
    link(
        std::path::Path::new("/dev/zero"),
        &p.path("static/zero.bin"),
    );
    let r = run_within(p.willai().args(["publish", "--out", "site"]));
    assert_eq!(r.code, 2, "{}", r.all());
    fs::remove_file(p.path("static/zero.bin")).unwrap();
    let big = fs::File::create(p.path("static/big.bin")).unwrap();
    big.set_len(65 * 1024 * 1024).unwrap();
    let r = run_within(p.willai().args(["publish", "--out", "site"]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("static/big.bin: is 68157440 bytes, over the 64 MiB"),
        "{}",
        r.stderr
    );
}

// 20.10 Slugs first: an alias equal to another profession's slug or name never takes it
// over, and validate names the clash.
#[test]
fn an_alias_equal_to_another_slug_or_name_never_takes_it_over() {
    let (p, _server) = drafted();
    // ML Engineer sorts first, so a first-come index gave it Widget Makers' keys.
    let rel = "data/catalog/ml-engineer.json";
    let mut occ: Value = serde_json::from_str(&p.read(rel)).unwrap();
    occ["aliases"] = json!(["widget-makers", "Widget Makers"]);
    p.write(rel, &serde_json::to_string_pretty(&occ).unwrap());
    run_ok(p.willai().arg("fmt"), 0);
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout.contains(&format!(
            "{rel}:/aliases/0: \"widget-makers\" is also the slug of \"widget-makers\""
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "{rel}:/aliases/1: \"widget makers\" is also the name of \"widget-makers\""
        )),
        "{}",
        r.stdout
    );
    // The editor's decision goes to the profession named, by slug and by name.
    let before = p.read("data/records/ml-engineer.json");
    for name in ["widget-makers", "Widget Makers"] {
        run_ok(
            p.willai().args([
                "approve",
                "-p",
                name,
                "--task",
                "sort-widgets",
                "--reviewer",
                "Ann",
            ]),
            0,
        );
    }
    assert_eq!(p.record("widget-makers")["tasks"][0]["status"], "approved");
    assert_eq!(p.read("data/records/ml-engineer.json"), before);
}

// 20.11 import onet suffixes a slug until it is free: it never replaces an occupation.
#[test]
fn import_suffixes_a_taken_slug_until_free_and_never_replaces_an_occupation() {
    let p = Project::new();
    let header = "O*NET-SOC Code\tTitle\tTask ID\tTask\n";
    p.write(
        "first.tsv",
        &format!("{header}99-0002.00\tFoo 11 1011 00\t1\tMake foo.\n"),
    );
    run_ok(p.willai().args(["import", "onet", "first.tsv"]), 0);
    let first = p.read("data/catalog/foo-11-1011-00.json");
    p.write(
        "second.tsv",
        &format!("{header}99-0001.00\tFoo\t2\tMend foo.\n11-1011.00\tFoo\t3\tSell foo.\n"),
    );
    run_ok(p.willai().args(["import", "onet", "second.tsv"]), 0);
    assert_eq!(p.read("data/catalog/foo-11-1011-00.json"), first);
    let soc = |slug: &str| -> Value {
        serde_json::from_str::<Value>(&p.read(&format!("data/catalog/{slug}.json"))).unwrap()
            ["onet_soc"]
            .clone()
    };
    assert_eq!(soc("foo-11-1011-00"), "99-0002.00");
    assert_eq!(soc("foo"), "99-0001.00");
    assert_eq!(soc("foo-11-1011-00-2"), "11-1011.00");
    run_ok(p.willai().args(["import", "onet", "second.tsv"]), 0);
    assert!(
        !p.exists("data/catalog/foo-11-1011-00-3.json"),
        "a rerun adds nothing"
    );
}

// 20.12 Skills are told apart by their names, not their slugs.
#[test]
fn proposed_skills_whose_names_slug_alike_are_distinct_skills_with_stable_ids() {
    let p = valid_project();
    p.write(
        "data/catalog/polyglots.json",
        &serde_json::to_string_pretty(&json!({"$schema": "../schema/catalog.schema.json", "name": "Polyglot Coders", "slug": "polyglots", "tasks": [{"id": "t", "text": "Write code in many languages"}]})).unwrap(),
    );
    run_ok(p.willai().arg("fmt"), 0);
    let skills = |order: &[usize]| {
        let all = [
            ("C++", "vulnerable"),
            ("C#", "vulnerable"),
            ("Программирование", "resilient"),
            ("编程", "resilient"),
            ("プログラミング", "resilient"),
        ];
        let list: Vec<Value> = order
            .iter()
            .map(|&i| json!({"name": all[i].0, "verdict": all[i].1, "reason": format!("Reason for {}.", all[i].0)}))
            .collect();
        json!({"skills": list}).to_string()
    };
    let server = FakeServer::start();
    server.script(
        "skills_proposal",
        vec![Fault::Reply(skills(&[0, 1, 2, 3, 4]))],
    );
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "polyglots", "--confidence", "none"]),
        0,
    );
    let ids = |p: &Project| -> Vec<(String, String)> {
        p.record("polyglots")["skills"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["id"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let first = ids(&p);
    assert_eq!(first.len(), 5, "{first:?}");
    let mut unique: Vec<&String> = first.iter().map(|(_, id)| id).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "{first:?}");
    assert!(
        first.contains(&("C++".into(), "c-plus-plus".into())),
        "{first:?}"
    );
    assert!(
        first.contains(&("C#".into(), "c-sharp".into())),
        "{first:?}"
    );
    run_ok(p.willai().arg("validate"), 0);
    // Redrafted in another order, each name keeps its id.
    server.script(
        "skills_proposal",
        vec![Fault::Reply(skills(&[4, 3, 2, 1, 0]))],
    );
    run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "polyglots",
            "--redraft",
            "--confidence",
            "none",
        ]),
        0,
    );
    let mut again = ids(&p);
    let mut before = first.clone();
    again.sort();
    before.sort();
    assert_eq!(again, before);
}

// 20.13 A record that cannot be written fails its profession alone.
#[test]
fn a_record_that_cannot_be_written_fails_its_profession_and_the_run_goes_on() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    fs::remove_file(p.path("data/records/ml-engineer.json")).unwrap();
    let server = FakeServer::start_with(Options {
        delay: Duration::from_millis(400),
        ..Options::default()
    });
    let child = p
        .process_at(&server.base_url())
        .args(["draft", "--all", "--no-progress", "--concurrency", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // While the first answers are on their way, Widget Makers' record becomes a folder:
    // its write (after a fresh read) must fail.
    let start = std::time::Instant::now();
    while server.requests() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "nothing was sent"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    fs::create_dir_all(p.path("data/records/widget-makers.json")).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("widget-makers: ") && stdout.contains("answer(s) not saved"),
        "{stdout}"
    );
    assert!(
        summary_line(&stdout, "failed").contains("1 record(s) not written"),
        "{stdout}"
    );
    assert!(
        !summary_line(&stdout, "failed").starts_with("failed      0"),
        "{stdout}"
    );
    assert!(
        summary_line(&stdout, "records").contains("1 file(s) written"),
        "{stdout}"
    );
    assert!(
        stderr.contains("1 record(s) could not be written"),
        "{stderr}"
    );
    // The other profession is written whole, and the answers wait in the cache.
    assert!(
        !p.record("ml-engineer")["tasks"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    fs::remove_dir(p.path("data/records/widget-makers.json")).unwrap();
    let sent = server.requests();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    assert_eq!(
        server.requests(),
        sent,
        "the rerun takes the answers from the cache"
    );
}

// 20.15 batch import replaces a corrupt or linked cache entry rather than counting it.
#[cfg(unix)]
#[test]
fn batch_import_replaces_a_corrupt_or_linked_entry() {
    let p = Project::new();
    run_ok(
        p.willai()
            .args(["draft", "--all", "--batch-out", "req.jsonl"]),
        0,
    );
    let requests = p.read("req.jsonl");
    p.write("res.jsonl", &crate::batch::answer(&requests, false));
    let ids: Vec<String> = requests
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["custom_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let at = |id: &str| p.path(&format!("cache/{}/{id}.json", &id[..2]));
    p.write(
        &format!("cache/{}/{}.json", &ids[0][..2], ids[0]),
        "{ half a fi",
    );
    let (_dir, victim) = outside();
    link(&victim, &at(&ids[1]));
    let import = || {
        run_ok(
            p.willai()
                .args(["batch", "import", "res.jsonl", "--requests", "req.jsonl"]),
            0,
        )
    };
    let r = import();
    assert!(
        r.stdout.contains(&format!(
            "{} stored in the cache (2 replacing a corrupt entry), 0 already there",
            ids.len()
        )),
        "{}",
        r.stdout
    );
    assert_eq!(
        fs::read_to_string(&victim).unwrap(),
        "precious, outside the project\n"
    );
    assert!(!fs::symlink_metadata(at(&ids[1])).unwrap().is_symlink());
    let r = import();
    assert!(
        r.stdout.contains(&format!(
            "0 stored in the cache, {} already there",
            ids.len()
        )),
        "{}",
        r.stdout
    );
    run_ok(p.willai().args(["draft", "--all", "--offline"]), 0);
    run_ok(p.willai().args(["cache", "verify"]), 0);
}

// 20.17 No cell of the site's CSV is a formula, and no reviewer's name starts like one.
#[test]
fn csv_cells_are_never_formulas_and_formula_reviewers_are_refused() {
    let (p, _server) = drafted();
    let r = run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
            "--reviewer",
            "=cmd|' /C calc'!A0",
        ]),
        2,
    );
    assert!(
        r.stderr.contains("as a spreadsheet formula does"),
        "{}",
        r.stderr
    );
    let r = run_ok(
        p.willai().env("WILLAI_REVIEWER", "@SUM(1+1)").args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
        ]),
        2,
    );
    assert!(r.stderr.contains("WILLAI_REVIEWER"), "{}", r.stderr);
    // Text an editor (or a pull request) wrote, starting like a formula.
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["rationale"] = json!("=HYPERLINK(\"http://evil.example\",\"Click\")");
        r["tasks"][1]["rationale"] = json!("+1 more reason.");
        r["tasks"][2]["rationale"] = json!("-Down by half.");
        r["tasks"][3]["rationale"] = json!("@once more.");
    });
    p.approve_all("widget-makers", "Ann");
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["approval"]["reviewer"] = json!("-Ann");
    });
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout
            .contains("/tasks/0/approval/reviewer: starts with '-'"),
        "{}",
        r.stdout
    );
    run_ok(p.willai().args(["publish", "--out", "site"]), 0);
    let csv = fs::read_to_string(p.path("site/ai-exposure-by-task.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let mut cells = 0;
    for row in reader.records() {
        for cell in row.unwrap().iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell: {cell:?}"
            );
        }
    }
    assert!(cells > 0);
    assert!(csv.contains("'=HYPERLINK("), "{csv}");
    assert!(csv.contains("'-Ann"), "{csv}");
}

// 20.14 review's `e` never drops the editor's text: an edit the record cannot take now
// (it changed while the editor was open) is kept and offered again.
#[test]
fn an_edit_made_while_the_record_changed_is_kept_and_offered_again() {
    let (p, _server) = crate::review_tui::drafted();
    let dir = tempfile::tempdir().unwrap();
    let rec = p.path("data/records/widget-makers.json");
    // First run: another writer changes the entry while the editor is open, then the
    // editor saves a new rationale. Second run: the kept text is reopened as it was.
    let editor = editor_script(
        dir.path(),
        &format!(
            r#"n=$(ls "$(dirname "$0")" | grep -c '^seen-')
cp "$1" "$(dirname "$0")/seen-$n"
if [ "$n" = 0 ]; then
  sed -i 's/"rationale": "[^"]*"/"rationale": "Changed by someone else."/' '{}'
  sed -i 's/^rationale: .*/rationale: The editor wrote this./' "$1"
fi
"#,
            rec.display()
        ),
    );
    let mut tui = crate::review_tui::Tui::spawn(
        &p,
        &["-p", "widget-makers"],
        &[("EDITOR", editor.to_str().unwrap())],
    );
    tui.wait_for("1 of 6");
    tui.key("e");
    let screen = tui.wait_for("your edit is kept");
    assert!(screen.contains("changed on disk"), "{screen}");
    assert!(
        !p.read("data/records/widget-makers.json")
            .contains("The editor wrote this.")
    );
    tui.key("e");
    tui.wait_for("edited     widget-makers/");
    let seen = fs::read_to_string(dir.path().join("seen-1")).unwrap();
    assert!(seen.starts_with("# error: not saved: "), "{seen}");
    assert!(seen.contains("rationale: The editor wrote this."), "{seen}");
    assert!(
        p.read("data/records/widget-makers.json")
            .contains("The editor wrote this.")
    );
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
}

// 20.14 ... and one not taken when the review ends is saved to a file, and said where.
#[test]
fn an_edit_not_taken_when_the_review_ends_is_saved_beside_and_named() {
    let (p, _server) = crate::review_tui::drafted();
    let dir = tempfile::tempdir().unwrap();
    let rec = p.path("data/records/widget-makers.json");
    let editor = editor_script(
        dir.path(),
        &format!(
            r#"sed -i 's/"rationale": "[^"]*"/"rationale": "Changed by someone else."/' '{}'
sed -i 's/^rationale: .*/rationale: Words that must not be lost./' "$1"
"#,
            rec.display()
        ),
    );
    let mut tui = crate::review_tui::Tui::spawn(
        &p,
        &["-p", "widget-makers"],
        &[("EDITOR", editor.to_str().unwrap())],
    );
    tui.wait_for("1 of 6");
    tui.key("e");
    tui.wait_for("your edit is kept");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
    let shown = tui.contents();
    let line = shown
        .lines()
        .find(|l| l.contains("was not saved in the record; it is in "))
        .unwrap_or_else(|| panic!("{shown}"));
    let file = line
        .split("it is in ")
        .nth(1)
        .unwrap()
        .split(" (")
        .next()
        .unwrap()
        .trim();
    let kept = fs::read_to_string(file).unwrap();
    fs::remove_file(file).unwrap();
    assert!(
        kept.contains("rationale: Words that must not be lost."),
        "{kept}"
    );
}

// 20.18 serve: clients that never read cost a bounded amount, and real requests are
// still answered; at the descriptor limit the accept loop waits instead of spinning.
#[cfg(target_os = "linux")]
#[test]
fn serve_holds_its_memory_against_clients_that_never_read() {
    use std::io::Write as _;
    let (p, _server) = approved();
    // A large file of the site (8 MB, random so no layer compresses it away).
    let mut big = vec![0u8; 8 * 1024 * 1024];
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for b in big.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    fs::create_dir_all(p.path("static")).unwrap();
    fs::write(p.path("static/big.bin"), &big).unwrap();
    let serve = crate::serve::Serve::start(&p, &[]);
    let pid = serve.child.id();
    let rss = || -> u64 {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap()
    };
    assert_eq!(serve.get("/big.bin").status, 200);
    let before = rss();
    let addr = serve.base.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for _ in 0..150 {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(s, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        idle.push(s);
    }
    std::thread::sleep(Duration::from_millis(1500));
    // A real request is answered meanwhile.
    let r = serve.get("/");
    assert_eq!(r.status, 200);
    let grown_mb = rss().saturating_sub(before) / 1024;
    assert!(
        grown_mb < 300,
        "150 clients that never read took {grown_mb} MB (150 x 8 MB held would be 1.2 GB)"
    );
    drop(idle);
}

#[cfg(target_os = "linux")]
#[test]
fn serve_at_its_descriptor_limit_waits_rather_than_spins() {
    use std::os::unix::process::CommandExt;
    let (p, _server) = approved();
    let mut cmd = p.process();
    cmd.args(["serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 48,
                rlim_max: 48,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let base = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("serving at ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    let pid = child.id();
    let cpu = || -> u64 {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let after = stat.rsplit(')').next().unwrap();
        let f: Vec<&str> = after.split_whitespace().collect();
        f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
    };
    let addr = base.trim_start_matches("http://").to_string();
    // More idle connections than the process may hold descriptors.
    let idle: Vec<std::net::TcpStream> = (0..100)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let t0 = cpu();
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu() - t0;
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    assert!(
        spent < ticks / 2,
        "serve used {spent} CPU ticks in 2 s of idle connections (a spinning accept loop)"
    );
    drop(idle);
    // Once they are gone, a real request is answered.
    let start = std::time::Instant::now();
    loop {
        let ok = std::net::TcpStream::connect(&addr).ok().and_then(|mut s| {
            use std::io::{Read, Write};
            s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
            write!(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").ok()?;
            let mut out = String::new();
            s.read_to_string(&mut out).ok()?;
            Some(out.starts_with("HTTP/1.1 200"))
        });
        if ok == Some(true) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "serve never answered again"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

// 20.19 The small ones.
#[test]
fn serve_never_serves_the_manifest_or_hidden_files() {
    let (p, _server) = approved();
    let serve = crate::serve::Serve::start(&p, &[]);
    assert_eq!(serve.get("/").status, 200);
    for hidden in ["/.willai-site", "/widget-makers/.willai-site", "/.hidden"] {
        assert_eq!(serve.get(hidden).status, 404, "{hidden}");
    }
}

#[cfg(unix)]
#[test]
fn init_into_a_dangling_link_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("pub");
    link(&dir.path().join("missing/target"), &at);
    let p = Project::new();
    let r = run_ok(p.willai().arg("init").arg(&at), 2);
    assert!(
        r.stderr.contains("is a symbolic link to") && r.stderr.contains("which does not exist"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.matches("File exists").count(), 0, "{}", r.stderr);
}

#[test]
fn review_after_an_identical_approval_elsewhere_says_approved_not_changed() {
    let (p, _server) = crate::review_tui::drafted();
    let mut tui = crate::review_tui::Tui::spawn(&p, &["-p", "widget-makers"], &[]);
    let screen = tui.wait_for("1 of 6");
    let id = [
        "sort-widgets",
        "paint-housings",
        "answer-letters",
        "inspect-widgets",
    ]
    .into_iter()
    .find(|id| screen.contains(&format!("task {id} ")))
    .unwrap_or_else(|| panic!("{screen}"));
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--task",
            id,
            "--reviewer",
            "Bo",
            "--date",
            "2026-11-19",
        ]),
        0,
    );
    tui.key("x"); // any key redraws from a fresh read
    let screen = tui.wait_for("already by Bo on 2026-11-19");
    assert!(!screen.contains("changed since"), "{screen}");
    tui.key("q");
    assert_eq!(tui.exit_code(), 0);
}

// 20.6 A repository cannot choose where the user's key goes: a base_url from willai.toml
// gets the key only with the user's consent, per project and endpoint.
//
// `0.0.0.0` stands for a host that is not loopback by name (so consent applies), while
// Linux delivers a connection to it to the local listener: traffic stays on this machine.
#[test]
fn a_key_goes_to_an_endpoint_willai_toml_names_only_with_consent() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    let port = server
        .base_url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let chosen = format!("http://0.0.0.0:{port}/v1");
    let toml = p.read("willai.toml");
    p.write("willai.toml", &format!("base_url = \"{chosen}\"\n{toml}"));
    let config = tempfile::tempdir().unwrap();
    let store = config.path().join("willai/trusted-endpoints.toml");
    let willai = || {
        let mut c = p.willai();
        c.env("OPENAI_API_KEY", KEY)
            .env("XDG_CONFIG_HOME", config.path());
        c
    };
    let draft = ["draft", "-p", "widget-makers", "--confidence", "none"];
    // Every check below drafts afresh: a prompt answered from the cache sends nothing,
    // and so needs no consent.
    let fresh = || {
        let _ = fs::remove_dir_all(p.path("cache"));
        let _ = fs::remove_file(p.path("data/records/widget-makers.json"));
    };

    // Refused before anything is sent, saying what to run.
    let r = run_ok(willai().args(draft), 2);
    assert!(
        r.stderr.contains(&format!(
            "willai.toml sets base_url to {chosen}, so OPENAI_API_KEY would be sent to http://0.0.0.0:{port}"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("run `willai trust`"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&store.display().to_string()),
        "{}",
        r.stderr
    );
    assert_eq!(server.requests(), 0, "nothing was sent");
    assert!(!p.exists("data/records/widget-makers.json"));

    // Without a key, nothing needs consent (and no key goes).
    run_ok(p.willai().args(draft), 0);
    assert!(server.requests() > 0);
    assert!(server.authorization_headers().iter().all(Option::is_none));
    server.reset_counts();
    fresh();

    // The user's consent, kept outside the repository, keyed by project and endpoint.
    let r = run_ok(willai().arg("trust"), 0);
    assert!(
        r.stdout.contains(&format!("trusted http://0.0.0.0:{port}")),
        "{}",
        r.stdout
    );
    let kept = fs::read_to_string(&store).unwrap();
    let canonical = fs::canonicalize(p.root()).unwrap();
    assert!(kept.contains(&canonical.display().to_string()), "{kept}");
    assert!(
        !p.all_files()
            .iter()
            .any(|(f, _)| f.ends_with("trusted-endpoints.toml"))
    );
    run_ok(willai().args(draft), 0);
    let auth = server.authorization_headers();
    assert!(!auth.is_empty());
    assert!(
        auth.iter()
            .all(|a| a.as_deref() == Some(&format!("Bearer {KEY}") as &str)),
        "{auth:?}"
    );
    let r = run_ok(willai().args(["trust", "--list"]), 0);
    assert!(
        r.stdout.contains(&format!("http://0.0.0.0:{port}")),
        "{}",
        r.stdout
    );

    // Another endpoint in willai.toml needs its own consent (a pull request changing the
    // host gains nothing), as does the same endpoint over plain http on another port.
    let other = FakeServer::start();
    let other_port = other
        .base_url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    p.write(
        "willai.toml",
        &format!("base_url = \"http://0.0.0.0:{other_port}/v1\"\n{toml}"),
    );
    fresh();
    run_ok(willai().args(draft), 2);
    assert_eq!(other.requests(), 0);
    // ... unless the user names the endpoint themselves.
    run_ok(
        willai()
            .env("OPENAI_BASE_URL", format!("http://0.0.0.0:{other_port}/v1"))
            .args(draft),
        0,
    );
    assert!(other.requests() > 0);

    // Another clone of the repository is another project.
    p.write("willai.toml", &format!("base_url = \"{chosen}\"\n{toml}"));
    fresh();
    let clone = tempfile::tempdir().unwrap();
    crate::util::copy_dir(p.root(), clone.path());
    let r = run(willai().env("WILLAI_ROOT", clone.path()).args(draft));
    assert_eq!(r.code, 2, "{}", r.all());

    // Revoked, refused again.
    run_ok(willai().args(["trust", "--revoke"]), 0);
    server.reset_counts();
    run_ok(willai().args(draft), 2);
    assert_eq!(server.requests(), 0);

    // Loopback needs no consent: a local server named in willai.toml.
    p.write(
        "willai.toml",
        &format!("base_url = \"{}\"\n{toml}", server.base_url()),
    );
    run_ok(willai().args(draft), 0);
    assert!(server.requests() > 0);
}

// 20.7 What a server reports as usage cannot stall the run or wrap a counter.
#[test]
fn a_huge_reported_usage_neither_stalls_the_budget_nor_wraps_and_waits_are_said() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    let completion = |content: &str, prompt_tokens: u64| {
        json!({
            "id": "x", "object": "chat.completion", "created": 1, "model": "test-model",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 7}
        })
        .to_string()
    };
    let reply = json!({"title": "Sort widgets", "level": "LOW", "rationale": "A person sorts them.", "tools": [], "tip": "Keep sorting."}).to_string();
    server.script(
        "Task: Sort the widgets by colour",
        vec![Fault::RawBody(completion(&reply, 1_000_000_000))],
    );
    server.script(
        "Task: Paint the widget housings",
        vec![Fault::RawBody(completion(&reply, u64::MAX))],
    );
    let r = run_within(p.willai_at(&server.base_url()).args([
        "draft",
        "-p",
        "widget-makers",
        "--tpm",
        "200000",
        "--concurrency",
        "1",
        "--confidence",
        "none",
    ]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains(
            "usage: the server reported 1000000007 tokens for a request that could use at most"
        ),
        "{}",
        r.stderr
    );
    let tokens = summary_line(&r.stdout, "tokens");
    assert!(
        !tokens.contains("1,000,000,000") && !tokens.contains("18,446"),
        "{tokens}"
    );
    let (_, entry) = entry_of(&p, 0);
    assert!(
        entry["usage"]["prompt_tokens"].as_u64().unwrap() < 100_000,
        "{entry}"
    );

    // A wait of seconds is said, with its reason: here the pause every worker takes
    // after a 429 (the other worker meets it before its next request).
    let q = Project::new();
    let tasks: Vec<Value> = (0..30)
        .map(|i| json!({"id": format!("t{i:02}"), "text": format!("Stack crate number {i:02}")}))
        .collect();
    q.write(
        "data/catalog/big.json",
        &serde_json::to_string_pretty(&json!({"$schema": "../schema/catalog.schema.json", "name": "Big", "slug": "big", "tasks": tasks, "skills": [{"id": "s", "name": "Stacking"}]})).unwrap(),
    );
    let server = FakeServer::start();
    server.script(
        "Task: Stack crate number 00",
        vec![Fault::RateLimited {
            retry_after: "6".into(),
        }],
    );
    let r = run_within(q.willai_at(&server.base_url()).args([
        "draft",
        "-p",
        "big",
        "--concurrency",
        "2",
        "--confidence",
        "none",
        "--no-progress",
    ]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("waiting ") && r.stderr.contains("the server answered 429"),
        "{}",
        r.stderr
    );
}

// 20.8 Text from the endpoint reaches no terminal and no record raw.
#[test]
fn escape_sequences_from_the_endpoint_are_shown_as_escapes_everywhere() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    let hostile =
        "{\"error\": {\"message\": \"\u{1b}]0;PWNED\u{7}\u{1b}[2Jgone\\nretry: fake line\"}}";
    server.script(
        "Task: Sort the widgets by colour",
        (0..6)
            .map(|_| Fault::Status {
                status: 503,
                headers: vec![],
                body: hostile.to_string(),
            })
            .collect(),
    );
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--confidence",
            "none",
        ]),
        1,
    );
    let all = r.all();
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");
    assert!(all.contains("\\u001b]0;PWNED"), "{all}");
    assert!(
        !all.lines().any(|l| l.starts_with("retry: fake line")),
        "a server cannot fake a line: {all}"
    );
    let record = p.read("data/records/widget-makers.json");
    assert!(
        !record.contains("\\u001b") || record.contains("\\\\u001b"),
        "{record}"
    );
    let error = p.record("widget-makers")["tasks"][0]["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !error.contains('\u{1b}') && !error.contains('\n'),
        "{error:?}"
    );
    run_ok(p.willai().arg("validate"), 0);
    // A raw control character planted in a record's error is refused by validate.
    p.edit_record("widget-makers", |r| {
        r["tasks"][0]["error"] = json!("HTTP 503: \u{1b}[2J");
    });
    let r = run_ok(p.willai().arg("validate"), 1);
    assert!(
        r.stdout
            .contains("/tasks/0/error: contains a control character (U+001B)"),
        "{}",
        r.stdout
    );
    // ... and the problem line shows it escaped.
    assert!(!r.stdout.contains('\u{1b}'), "{:?}", r.stdout);
}

// 20.9 A redirect away from the endpoint is refused; nothing is sent there.
#[test]
fn a_redirect_to_another_origin_is_refused_and_one_within_it_followed() {
    let p = valid_project();
    fs::remove_file(p.path("data/records/widget-makers.json")).unwrap();
    let server = FakeServer::start();
    let elsewhere = FakeServer::start();
    server.script(
        "Task: Sort the widgets by colour",
        vec![Fault::Status {
            status: 307,
            headers: vec![(
                "Location".into(),
                format!("{}/chat/completions", elsewhere.base_url()),
            )],
            body: String::new(),
        }],
    );
    server.script(
        "Task: Paint the widget housings",
        vec![Fault::Status {
            status: 307,
            headers: vec![("Location".into(), "/v1/chat/completions".into())],
            body: String::new(),
        }],
    );
    let r = run_ok(
        p.willai_at(&server.base_url()).args([
            "draft",
            "-p",
            "widget-makers",
            "--confidence",
            "none",
        ]),
        1,
    );
    assert_eq!(elsewhere.requests(), 0, "nothing went to the other origin");
    assert!(
        r.stdout.contains(&format!(
            "widget-makers/sort-widgets: the server redirected the request to {}/chat/completions, away from the endpoint {}",
            elsewhere.base_url(),
            server.base_url()
        )),
        "{}",
        r.stdout
    );
    assert!(
        !r.all().contains("retry:"),
        "a refused redirect is not retried: {}",
        r.all()
    );
    let rec = p.record("widget-makers");
    assert_eq!(rec["tasks"][0]["status"], "failed");
    assert_eq!(
        rec["tasks"][1]["status"], "draft",
        "a redirect within the origin is followed"
    );
}
