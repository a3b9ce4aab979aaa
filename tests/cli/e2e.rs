//! End to end against a real OpenAI-compatible server and a real model: llama.cpp's
//! Python server with SmolLM2-135M-Instruct, started by `scripts/local-llm`. Run by
//! `.ci/run` (`cargo test --test cli e2e -- --ignored`), not by plain `cargo test`,
//! which stays fast and offline.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Project, repo, run, summary_line};

/// The server process; stopped whatever happens (drop runs on panic too).
struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
#[ignore = "needs the real model server from scripts/local-llm (about 8 minutes to build): .ci/run runs it"]
fn a_real_model_drafts_through_the_fallback_and_a_rerun_sends_nothing() {
    let started = Instant::now();
    let port = free_port();
    let log = tempfile::NamedTempFile::new().unwrap();
    let child = Command::new(repo().join("scripts/local-llm"))
        .args(["serve", "--port", &port.to_string(), "--log"])
        .arg(log.path())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("scripts/local-llm starts");
    let _server = Server { child };
    let deadline = Instant::now() + Duration::from_secs(600);
    while get(port, "/v1/models").is_none_or(|r| !r.contains("smollm2")) {
        assert!(
            Instant::now() < deadline,
            "the server did not come up: {}",
            std::fs::read_to_string(log.path()).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let up = started.elapsed();

    let p = Project::new();
    let base = format!("http://127.0.0.1:{port}/v1");
    let draft = |p: &Project| {
        run(p.willai().env("OPENAI_BASE_URL", &base).args([
            "draft",
            "-p",
            "Widget Makers",
            "--model",
            "smollm2",
            "--concurrency",
            "2",
            "--structured-output",
            "json_schema",
            "--timeout",
            "300",
        ]))
    };
    let t0 = Instant::now();
    let first = draft(&p);
    let first_secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "--- first run ({first_secs:.1} s)\n{}{}",
        first.stdout, first.stderr
    );
    assert!(
        first.stderr.contains("refused response_format json_schema"),
        "the run reports the fallback:\n{}",
        first.stderr
    );
    assert!(
        summary_line(&first.stdout, "requests").contains("fell back json_schema -> json_object"),
        "{}",
        first.stdout
    );
    // It lists its model, and answers one request at a time: willai sends one at a time.
    assert!(
        first
            .stderr
            .contains("llama-cpp-python's server answers one request at a time"),
        "{}",
        first.stderr
    );
    // A 135M model often fills the reply's shape with junk (a title that only says
    // "HIGH", a placeholder): such an item is asked again once, then fails. Nothing else
    // may fail, and something must be drafted.
    let failed: Vec<&str> = first
        .stdout
        .lines()
        .filter(|l| l.starts_with("  widget-makers/"))
        .collect();
    assert!(
        failed
            .iter()
            .all(|l| l.contains("invalid reply, also after one re-ask")),
        "only junk fails:\n{}{}",
        first.stdout,
        first.stderr
    );
    assert_eq!(
        first.code,
        if failed.is_empty() { 0 } else { 1 },
        "{}{}",
        first.stdout,
        first.stderr
    );

    let record = p.record("widget-makers");
    let tasks = record["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4);
    let drafted: Vec<&serde_json::Value> =
        tasks.iter().filter(|t| t["status"] == "draft").collect();
    assert!(!drafted.is_empty(), "{record}");
    for t in drafted {
        assert!(
            ["HIGH", "MEDIUM", "LOW"].contains(&t["level"].as_str().unwrap()),
            "{t}"
        );
        assert!(!t["rationale"].as_str().unwrap().trim().is_empty(), "{t}");
        assert_eq!(t["machine"]["model"], "smollm2");
        assert_eq!(t["machine"]["host"], format!("127.0.0.1:{port}"));
        // llama.cpp returns log-probabilities: the level's confidence is read from them.
        let c = &t["machine"]["confidence"];
        assert_eq!(c["method"], "logprobs", "{t}");
        let value = c["value"].as_f64().unwrap();
        assert!(value > 0.0 && value <= 1.0, "{t}");
        eprintln!("e2e: {} {} confidence {value}", t["id"], t["level"]);
    }
    for s in record["skills"].as_array().unwrap() {
        if s["status"] == "draft" {
            assert!(
                ["vulnerable", "resilient"].contains(&s["verdict"].as_str().unwrap()),
                "{s}"
            );
        }
    }
    let v = run(p.willai().arg("validate").env("WILLAI_ROOT", p.root()));
    // The fixture root has no data/schema: only its records are judged here.
    assert!(
        !v.stdout.lines().any(|l| l.starts_with("data/records/")),
        "{}",
        v.stdout
    );

    // The server's own log counts the same requests as the run.
    let sent: usize = summary_line(&first.stdout, "requests")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let served = std::fs::read_to_string(log.path())
        .unwrap()
        .matches("\"POST /v1/chat/completions HTTP/1.1\"")
        .count();
    assert_eq!(
        served, sent,
        "the server's request log matches the run's count"
    );

    // A rerun (records deleted, so every prompt is looked up) sends nothing of what was
    // answered: only the prompts that failed (never cached) are asked again.
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    let second = draft(&p);
    let answered = 5 - failed
        .iter()
        .map(|l| l.split(':').next().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(
        summary_line(&second.stdout, "from cache").contains(&format!("{answered} prompt(s)")),
        "{}",
        second.stdout
    );
    let resent: usize = summary_line(&second.stdout, "requests")
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let served_after = std::fs::read_to_string(log.path())
        .unwrap()
        .matches("\"POST /v1/chat/completions HTTP/1.1\"")
        .count();
    assert_eq!(
        served_after,
        served + resent,
        "the server saw only the resent"
    );
    // Asked for on the command line, json_schema is tried again (and refused again),
    // not the mode remembered from the first run.
    assert!(
        failed.is_empty()
            || second
                .stderr
                .contains("refused response_format json_schema"),
        "{}",
        second.stderr
    );
    let served = served_after;

    // Another model's name stops the run before anything is sent: the server lists
    // only smollm2 (and would answer under any name).
    std::fs::remove_dir_all(p.path("data/records")).unwrap();
    let other = run(p.willai().env("OPENAI_BASE_URL", &base).args([
        "draft",
        "-p",
        "Widget Makers",
        "--model",
        "gpt-4o-mini",
    ]));
    assert_eq!(other.code, 2, "{}{}", other.stdout, other.stderr);
    assert!(
        other
            .stderr
            .contains("does not serve gpt-4o-mini: it lists smollm2"),
        "{}",
        other.stderr
    );
    assert_eq!(
        std::fs::read_to_string(log.path())
            .unwrap()
            .matches("\"POST /v1/chat/completions HTTP/1.1\"")
            .count(),
        served,
        "nothing sent"
    );
    eprintln!(
        "e2e: server up in {:.1} s; first run {first_secs:.1} s, {sent} request(s) sent ({}); whole test {:.1} s",
        up.as_secs_f64(),
        summary_line(&first.stdout, "requests").trim(),
        started.elapsed().as_secs_f64()
    );
}

/// `scripts/local-llm serve` with a stand-in for the installed server (a `python` that
/// prints what llama.cpp prints while the model loads): its output goes to
/// `.local-llm/server.log` by default, to FILE with `--log FILE`, and stays on the
/// terminal with `--log -`; the terminal gets the script's own few lines.
#[test]
fn local_llm_serve_sends_the_servers_output_to_a_log_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join(".local-llm");
    std::fs::create_dir_all(local.join("venv/bin")).unwrap();
    std::fs::create_dir_all(local.join("models")).unwrap();
    std::fs::write(local.join("models/smollm2.gguf"), "").unwrap();
    let python = local.join("venv/bin/python");
    std::fs::write(
        &python,
        "#!/bin/sh\n[ \"$1\" = -c ] && exit 0\nfor i in $(seq 1 2000); do echo \"llama_model_loader: line $i\"; done\necho \"args: $*\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();
    let serve = |args: &[&str]| {
        let out = Command::new(repo().join("scripts/local-llm"))
            .arg("serve")
            .args(args)
            .env("WILLAI_LOCAL_LLM_DIR", &local)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (stdout, stderr) = serve(&["--port", "8123"]);
    assert_eq!(stdout, "OPENAI_BASE_URL=http://127.0.0.1:8123/v1\n");
    assert!(
        !stderr.contains("llama_model_loader") && stderr.lines().count() < 10,
        "{stderr}"
    );
    assert!(stderr.contains("server.log"), "{stderr}");
    let log = std::fs::read_to_string(local.join("server.log")).unwrap();
    assert_eq!(log.matches("llama_model_loader").count(), 2000);
    assert!(
        log.contains("--port 8123") && log.contains("--model_alias smollm2"),
        "{log}"
    );
    let elsewhere = dir.path().join("logs/llm.log");
    serve(&["--log", elsewhere.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&elsewhere)
            .unwrap()
            .matches("llama_model_loader")
            .count(),
        2000
    );
    let (stdout, _) = serve(&["--log", "-"]);
    assert_eq!(stdout.matches("llama_model_loader").count(), 2000);
}
