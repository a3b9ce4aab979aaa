//! The `fake-openai` binary: prints its URL, serves, and exits with its parent's stdin.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn binary_prints_its_url_serves_and_exits_when_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-openai"))
        .args([
            "--delay-ms",
            "10",
            "--reject-json-schema",
            "422",
            "--logprobs",
            "refuse:400",
            "--n",
            "ignore",
            "--models",
            "bench-model,other",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn fake-openai");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read URL");
    let url = line.trim_end();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/v1"),
        "{url:?}"
    );

    let models = common::get(url, "/v1/models").expect("models");
    assert_eq!(models.status, 200);
    assert_eq!(models.json()["data"][1]["id"], "other");
    let schema_request =
        r#"{"messages":[],"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}"#;
    assert_eq!(
        common::chat(url, schema_request).expect("reply").status,
        422
    );
    let logprobs = common::chat(url, r#"{"messages":[],"logprobs":true}"#).expect("reply");
    assert_eq!(logprobs.status, 400);
    assert_eq!(logprobs.json()["error"]["param"], "logprobs");
    let n = common::chat(url, r#"{"messages":[],"n":3}"#).expect("reply");
    assert_eq!(n.json()["choices"].as_array().map(Vec::len), Some(1));

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{status}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("fake-openai did not exit after stdin closed");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn binary_rejects_unknown_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_fake-openai"))
        .arg("--bogus")
        .stdin(Stdio::null())
        .output()
        .expect("run fake-openai");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage"));
}
