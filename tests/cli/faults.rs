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

    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
            "--reviewer",
            "Ann",
        ]),
        0,
    );
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
    run_ok(
        p.willai().args([
            "approve",
            "-p",
            "widget-makers",
            "--all",
            "--reviewer",
            "Ann",
        ]),
        0,
    );
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

// 9. cache gc goes on past an entry it cannot remove.
#[test]
fn cache_gc_reports_each_failure_and_removes_the_rest() {
    let (p, _server) = drafted();
    // Two stray entries nothing refers to, one of them impossible to remove as a file.
    let a = "a".repeat(64);
    let b = "b".repeat(64);
    p.write(&format!("cache/aa/{a}.json"), "{}");
    fs::create_dir_all(p.path(&format!("cache/bb/{b}.json"))).unwrap();
    let r = run_ok(p.willai().args(["cache", "gc"]), 1);
    assert!(
        r.stdout
            .contains(&format!("cannot remove cache/bb/{b}.json")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("removed 1"), "{}", r.stdout);
    assert!(!p.exists(&format!("cache/aa/{a}.json")));
    assert!(r.stderr.contains("could not be removed"), "{}", r.stderr);
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
