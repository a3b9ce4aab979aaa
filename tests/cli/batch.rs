//! The batch round trip (`draft --batch-out`, a provider, `batch import`, `draft
//! --offline`), refused lines, cache housekeeping, and a run killed with `kill -9`.

use std::time::Duration;

use fake_openai::{FakeServer, Options};
use serde_json::{Value, json};

use crate::util::{Project, run_ok};

/// Plays the provider: answers every request line of a batch file. `vllm` selects the
/// older vLLM shape (the completion as the `response` itself).
pub fn answer(requests: &str, vllm: bool) -> String {
    let mut out = String::new();
    for (i, line) in requests.lines().enumerate() {
        let req: Value = serde_json::from_str(line).unwrap();
        let body = serde_json::to_vec(&req["body"]).unwrap();
        let completion = json!({
            "id": format!("chatcmpl-{i}"), "object": "chat.completion", "created": 1, "model": req["body"]["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": fake_openai::reply_content(&body)}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
        });
        let result = if vllm {
            json!({"id": format!("vllm-{i}"), "custom_id": req["custom_id"], "response": completion, "error": null})
        } else {
            json!({"id": format!("batch_req_{i}"), "custom_id": req["custom_id"], "response": {"status_code": 200, "request_id": format!("req_{i}"), "body": completion}, "error": null})
        };
        out.push_str(&result.to_string());
        out.push('\n');
    }
    out
}

#[test]
fn a_batch_round_trip_fills_the_cache_and_offline_drafting_finishes() {
    let p = Project::new();
    let r = run_ok(
        p.willai()
            .args(["draft", "--all", "--batch-out", "batch/requests.jsonl"]),
        0,
    );
    assert!(
        r.stdout
            .contains("batch: 9 request line(s) in batch/requests.jsonl"),
        "{}",
        r.stdout
    );
    let requests = p.read("batch/requests.jsonl");
    assert_eq!(requests.lines().count(), 9);
    let first: Value = serde_json::from_str(requests.lines().next().unwrap()).unwrap();
    assert_eq!(first["method"], "POST");
    assert_eq!(first["url"], "/v1/chat/completions");
    assert_eq!(
        first["custom_id"].as_str().unwrap(),
        crate::util::canonical_sha256(&first["body"])
    );
    assert_eq!(first["body"]["response_format"]["type"], "json_schema");
    assert!(!p.exists("data/records"), "nothing drafted yet");

    // Half the results in OpenAI's format, half in vLLM's older one.
    let lines: Vec<&str> = requests.lines().collect();
    p.write("batch/openai.jsonl", &answer(&lines[..5].join("\n"), false));
    p.write("batch/vllm.jsonl", &answer(&lines[5..].join("\n"), true));
    let r = run_ok(
        p.willai().args([
            "batch",
            "import",
            "batch/openai.jsonl",
            "batch/vllm.jsonl",
            "--requests",
            "batch/requests.jsonl",
        ]),
        0,
    );
    assert!(
        r.stdout.contains(
            "9 result line(s) for 9 request(s): 9 stored in the cache, 0 already there, 0 refused"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(p.cache_files().len(), 9);

    let server = FakeServer::start();
    let r = run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "--all", "--offline"]),
        0,
    );
    assert!(r.stdout.contains("from cache  9 prompt(s)"), "{}", r.stdout);
    assert_eq!(server.requests(), 0);
    run_ok(p.willai().args(["status", "--json"]), 0);
    assert_eq!(
        p.record("widget-makers")["tasks"].as_array().unwrap().len(),
        4
    );
    // Nothing left to batch.
    let r = run_ok(
        p.willai()
            .args(["draft", "--all", "--batch-out", "batch/more.jsonl"]),
        0,
    );
    assert!(r.stdout.contains("nothing to draft"), "{}", r.stdout);
}

#[test]
fn altered_unknown_and_invalid_result_lines_are_refused() {
    let p = Project::new();
    run_ok(
        p.willai()
            .args(["draft", "-p", "widget-makers", "--batch-out", "req.jsonl"]),
        0,
    );
    let requests = p.read("req.jsonl");
    let mut lines: Vec<String> = requests.lines().map(String::from).collect();
    // Request line 2: the body altered after the batch was written.
    lines[1] = lines[1].replacen(
        "Paint the widget housings",
        "Paint the widget housings twice",
        1,
    );
    p.write("req.jsonl", &(lines.join("\n") + "\n"));
    let mut results: Vec<Value> = answer(&requests, false)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Result 3: an invalid reply; result 4: a provider error; plus one for no request.
    results[2]["response"]["body"]["choices"][0]["message"]["content"] = json!(
        "{\"title\":\"T\",\"level\":\"EXTREME\",\"rationale\":\"r\",\"tools\":[],\"tip\":\"t\"}"
    );
    results[3] = json!({"id": "x", "custom_id": results[3]["custom_id"], "response": null, "error": {"code": "server_error", "message": "the batch worker crashed"}});
    results.push(json!({"id": "y", "custom_id": "0".repeat(64), "response": results[0]["response"].clone(), "error": null}));
    p.write(
        "res.jsonl",
        &results
            .iter()
            .map(|r| r.to_string() + "\n")
            .collect::<String>(),
    );
    let r = run_ok(
        p.willai()
            .args(["batch", "import", "res.jsonl", "--requests", "req.jsonl"]),
        1,
    );
    assert!(
        r.stdout.contains("req.jsonl:2: custom_id") && r.stdout.contains("does not match its body"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("res.jsonl:2: no request line of the --requests file(s) has custom_id"),
        "the result of the altered request has no request: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("res.jsonl:3: ")
            && r.stdout.contains(
                "invalid reply: `level` must be one of HIGH, MEDIUM, LOW (got \"EXTREME\")"
            ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("res.jsonl:4: ")
            && r.stdout
                .contains("the provider reports an error: the batch worker crashed"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "res.jsonl:6: no request line of the --requests file(s) has custom_id {}",
            "0".repeat(64)
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "6 result line(s) for 4 request(s): 2 stored in the cache, 0 already there, 5 refused"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(p.cache_files().len(), 2);
}

#[test]
fn cache_stats_verify_and_gc() {
    let p = Project::new();
    let server = FakeServer::start();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    let r = run_ok(p.willai().args(["cache", "stats"]), 0);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("test-model") && l.split_whitespace().nth(1) == Some("9")),
        "{}",
        r.stdout
    );
    run_ok(p.willai().args(["cache", "verify"]), 0);

    // A template change: the new drafts refer to new entries; the old ones are garbage.
    let t = p.read("prompts/task.j2").replace(
        "When in doubt between two levels",
        "When unsure between two levels",
    );
    p.write("prompts/task.j2", &t);
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    assert_eq!(p.cache_files().len(), 16);
    let r = run_ok(p.willai().args(["cache", "gc", "--dry-run"]), 0);
    assert_eq!(
        r.stdout.matches("would remove cache/").count(),
        7,
        "{}",
        r.stdout
    );
    assert_eq!(p.cache_files().len(), 16);
    let r = run_ok(p.willai().args(["cache", "gc"]), 0);
    assert!(
        r.stdout.contains("kept 9 entries") && r.stdout.contains("removed 7"),
        "{}",
        r.stdout
    );
    server.reset_counts();
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    run_ok(p.willai_at(&server.base_url()).args(["draft", "--all"]), 0);
    assert_eq!(server.requests(), 0, "gc kept what current prompts use");

    // verify catches an edited entry, whatever field was edited.
    let victim = p.cache_files()[0].clone();
    let before = std::fs::read_to_string(&victim).unwrap();
    let text = before.replacen("\"model\": \"test-model\"", "\"model\": \"gpt-4o\"", 1);
    assert_ne!(text, before);
    std::fs::write(&victim, text).unwrap();
    let r = run_ok(p.willai().args(["cache", "verify"]), 1);
    assert!(
        r.stdout.contains("edited after it was checked and cached"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_run_killed_with_sigkill_leaves_no_broken_file_and_the_rerun_sends_only_the_rest() {
    let p = Project::new();
    let tasks: Vec<Value> = (0..48).map(|i| json!({"id": format!("task-{i:02}"), "text": format!("Handle widget batch number {i}")})).collect();
    p.write(
        "data/catalog/big.json",
        &serde_json::to_string_pretty(&json!({"$schema": "../schema/catalog.schema.json", "name": "Big", "slug": "big", "tasks": tasks, "skills": []})).unwrap(),
    );
    let server = FakeServer::start_with(Options {
        delay: Duration::from_millis(50),
        ..Options::default()
    });
    let mut child = p
        .process_at(&server.base_url())
        .args(["draft", "-p", "big", "--concurrency", "4"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed as soon as a few answers are in: the rest are in flight or not yet sent.
    p.wait_for_cache_files(4);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let cached = p.cache_files().len();
    assert!(
        cached > 0 && cached < 48,
        "killed mid-run ({cached} cached)"
    );
    for (path, bytes) in p.all_files() {
        if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_slice::<Value>(&bytes)
                .unwrap_or_else(|e| panic!("{} is broken: {e}", path.display()));
        }
    }
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url())
            .args(["draft", "-p", "big", "--concurrency", "4"]),
        0,
    );
    assert_eq!(
        server.requests(),
        // 48 tasks and one prompt proposing the skills (the catalog lists none).
        49 - cached,
        "only what was not cached is sent again"
    );
    assert_eq!(p.record("big")["tasks"].as_array().unwrap().len(), 48);
}

#[test]
fn ctrl_c_saves_what_is_answered_and_exits_130() {
    let p = Project::new();
    let tasks: Vec<Value> = (0..40).map(|i| json!({"id": format!("task-{i:02}"), "text": format!("Count widget crate number {i}")})).collect();
    p.write(
        "data/catalog/big.json",
        &serde_json::to_string_pretty(&json!({"$schema": "../schema/catalog.schema.json", "name": "Big", "slug": "big", "tasks": tasks, "skills": []})).unwrap(),
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
    p.wait_for_cache_files(4);
    // SAFETY: sending SIGINT to our own child process.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}");
    assert!(
        stderr.contains("willai: interrupted:")
            && stderr.contains("run the same command again to continue"),
        "{stderr}"
    );
    assert!(
        stdout.contains("records     1 file(s) written"),
        "the summary is printed: {stdout}"
    );
    let record = p.record("big");
    let saved = record["tasks"].as_array().unwrap().len();
    assert!(
        saved > 0 && saved < 40,
        "{saved} answers saved to the record"
    );
    // The skills are proposed by one prompt (the catalog lists none).
    let skills_saved = !record["skills"].as_array().unwrap().is_empty();
    server.reset_counts();
    run_ok(
        p.willai_at(&server.base_url()).args(["draft", "-p", "big"]),
        0,
    );
    assert_eq!(
        server.requests(),
        40 - saved + usize::from(!skills_saved),
        "the rerun sends only the rest"
    );
}
