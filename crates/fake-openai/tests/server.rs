//! End-to-end tests of the fake server over real sockets.

mod common;

use std::collections::BTreeSet;
use std::io;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::{Client, Reply, chat, get};
use fake_openai::{FakeServer, Fault, Options};
use serde_json::{Value, json};

fn skills_schema() -> Value {
    json!({"type":"object","properties":{
        "skills":{"type":"array","items":{"type":"object","properties":{
            "skill":{"type":"string","enum":["analysis","writing","negotiation"]},
            "exposure":{"type":"string","enum":["HIGH","MEDIUM","LOW"]},
            "why":{"type":"string"}},
            "required":["skill","exposure","why"],"additionalProperties":false}},
        "summary":{"type":"string"}},
        "required":["skills","summary"],"additionalProperties":false})
}

fn task_schema() -> Value {
    json!({"type":"object","properties":{
        "level":{"type":"string","enum":["HIGH","MEDIUM","LOW"]},
        "rationale":{"type":"string"},
        "tools":{"type":"array","items":{"type":"string"}},
        "tip":{"type":"string"}},
        "required":["level","rationale","tools","tip"],"additionalProperties":false})
}

/// An OpenAI structured-output request for `schema` about `task`.
fn request(task: &str, schema: &Value) -> String {
    json!({
        "model": "test-model",
        "messages": [{"role": "system", "content": "You rate tasks."},
                     {"role": "user", "content": format!("Rate the task: {task}")}],
        "response_format": {"type": "json_schema",
                            "json_schema": {"name": "answer", "strict": true, "schema": schema}},
    })
    .to_string()
}

fn assert_sentence(value: &Value) {
    let text = value.as_str().expect("a string");
    assert!((60..=160).contains(&text.chars().count()), "{text}");
    assert!(text.ends_with('.'), "{text}");
}

fn assert_dropped(result: io::Result<Reply>) {
    let err = result.expect_err("the connection is dropped without a response");
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
        ),
        "{err:?}"
    );
}

#[test]
fn normal_reply_is_an_openai_completion_matching_the_schema() {
    let server = FakeServer::start();
    let body = request("file invoices", &skills_schema());
    let reply = chat(&server.base_url(), &body).expect("reply");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let completion = reply.json();
    assert_eq!(completion["id"], "chatcmpl-fake-1");
    assert_eq!(completion["object"], "chat.completion");
    assert_eq!(completion["created"], 1_700_000_000);
    assert_eq!(completion["model"], "test-model");
    assert_eq!(completion["choices"][0]["index"], 0);
    assert_eq!(completion["choices"][0]["message"]["role"], "assistant");
    assert_eq!(completion["choices"][0]["finish_reason"], "stop");

    let content = reply.content();
    let usage = &completion["usage"];
    assert_eq!(usage["prompt_tokens"], body.len() / 4);
    assert_eq!(usage["completion_tokens"], content.len() / 4);
    assert_eq!(usage["total_tokens"], body.len() / 4 + content.len() / 4);

    let answer: Value = serde_json::from_str(&content).expect("content is JSON");
    let skills = answer["skills"].as_array().expect("skills array");
    let names: Vec<&str> = skills.iter().filter_map(|s| s["skill"].as_str()).collect();
    assert_eq!(names, ["analysis", "writing", "negotiation"]);
    for skill in skills {
        assert!(["HIGH", "MEDIUM", "LOW"].contains(&skill["exposure"].as_str().expect("exposure")));
        assert_sentence(&skill["why"]);
        assert_eq!(skill.as_object().map(|o| o.len()), Some(3));
    }
    assert_sentence(&answer["summary"]);
}

#[test]
fn replies_are_deterministic_per_body_and_vary_between_bodies() {
    let server = FakeServer::start();
    let body = request("sort mail", &task_schema());
    let first = chat(&server.base_url(), &body).expect("reply").content();
    let second = chat(&server.base_url(), &body).expect("reply").content();
    assert_eq!(first, second);
    let levels: BTreeSet<String> = (0..24)
        .map(|i| {
            let reply = chat(
                &server.base_url(),
                &request(&format!("task {i}"), &task_schema()),
            );
            let answer: Value =
                serde_json::from_str(&reply.expect("reply").content()).expect("JSON");
            answer["level"].as_str().expect("level").to_owned()
        })
        .collect();
    assert!(
        levels.len() >= 2,
        "levels vary between requests: {levels:?}"
    );
}

#[test]
fn schema_is_read_from_json_object_format_and_from_the_prompt() {
    let server = FakeServer::start();
    let llama = json!({"messages":[{"role":"user","content":"Rate it."}],
                       "response_format":{"type":"json_object","schema":task_schema()}});
    let prompt = json!({"messages":[{"role":"user","content":
        format!("Rate the task {{task}}. Reply with JSON matching this schema: {} Thanks.", task_schema())}]});
    for body in [llama, prompt] {
        let answer: Value = serde_json::from_str(
            &chat(&server.base_url(), &body.to_string())
                .expect("reply")
                .content(),
        )
        .expect("content is JSON");
        assert_eq!(answer.as_object().map(|o| o.len()), Some(4), "{answer}");
        assert_eq!(answer["tools"].as_array().map(Vec::len), Some(2));
        assert_eq!(server.bodies().last(), Some(&body));
    }
    let plain = json!({"model":"m","messages":[{"role":"user","content":"Hello"}]});
    let reply = chat(&server.base_url(), &plain.to_string()).expect("reply");
    assert_eq!(reply.content(), "{}");
    assert_eq!(reply.json()["usage"]["completion_tokens"], 1);
}

#[test]
fn rejecting_json_schema_answers_the_configured_status() {
    let server = FakeServer::start_with(Options {
        reject_json_schema: Some(422),
        ..Options::default()
    });
    let reply = chat(&server.base_url(), &request("x", &task_schema())).expect("reply");
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"]["message"].is_string());
    assert_eq!(server.requests(), 1);

    let json_object = json!({"messages":[{"role":"user","content":"x"}],
                             "response_format":{"type":"json_object"}});
    assert_eq!(
        chat(&server.base_url(), &json_object.to_string())
            .expect("reply")
            .status,
        200
    );

    server.set_reject_json_schema(Some(400));
    assert_eq!(
        chat(&server.base_url(), &request("x", &task_schema()))
            .expect("reply")
            .status,
        400
    );
    server.set_reject_json_schema(None);
    assert_eq!(
        chat(&server.base_url(), &request("x", &task_schema()))
            .expect("reply")
            .status,
        200
    );
    assert_eq!(server.requests(), 4);
}

#[test]
fn scripted_drop_closes_the_connection_then_requests_succeed() {
    let server = FakeServer::start();
    server.script("flaky task", vec![Fault::Drop]);
    let mut client = Client::connect(&server.base_url()).expect("connect");
    assert_dropped(client.chat(&request("flaky task", &task_schema())));
    let reply = chat(&server.base_url(), &request("flaky task", &task_schema())).expect("reply");
    assert_eq!(reply.status, 200);
    assert_eq!(server.requests(), 2);
}

#[test]
fn rate_limits_and_server_errors_carry_openai_shapes() {
    let server = FakeServer::start();
    server.script(
        "busy",
        vec![
            Fault::RateLimited {
                retry_after: "2".into(),
            },
            Fault::RateLimited {
                retry_after: "Wed, 21 Oct 2015 07:28:00 GMT".into(),
            },
            Fault::RateLimitedMs(250),
            Fault::ServerError(503),
        ],
    );
    let body = request("busy", &task_schema());
    let url = server.base_url();
    let mut client = Client::connect(&url).expect("connect");

    let first = client.chat(&body).expect("reply");
    assert_eq!(first.status, 429);
    assert_eq!(first.header("retry-after"), Some("2"));
    assert_eq!(first.json()["error"]["code"], "rate_limit_exceeded");
    let second = client.chat(&body).expect("reply");
    assert_eq!(
        second.header("retry-after"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    let third = client.chat(&body).expect("reply");
    assert_eq!(third.status, 429);
    assert_eq!(third.header("retry-after-ms"), Some("250"));
    assert_eq!(third.header("retry-after"), None);
    let fourth = client.chat(&body).expect("reply");
    assert_eq!(fourth.status, 503);
    let error = &fourth.json()["error"];
    assert_eq!(error["type"], "server_error");
    assert_eq!(error["code"], "service_unavailable");
    assert!(error["message"].is_string());
    assert_eq!(
        client.chat(&body).expect("reply").status,
        200,
        "queue exhausted"
    );
    assert_eq!(server.requests(), 5);
}

#[test]
fn scripts_match_by_needle_in_registration_order() {
    let server = FakeServer::start();
    server.script("case-a", vec![Fault::ServerError(500)]);
    server.script(
        "case",
        vec![Fault::ServerError(502), Fault::ServerError(504)],
    );
    let url = server.base_url();
    let status = |task: &str| {
        chat(&url, &request(task, &task_schema()))
            .expect("reply")
            .status
    };
    assert_eq!(status("unrelated"), 200);
    assert_eq!(status("case-b"), 502);
    assert_eq!(status("case-a"), 500);
    assert_eq!(
        status("case-a"),
        504,
        "first script exhausted, second still matches"
    );
    assert_eq!(status("case-a"), 200);
}

#[test]
fn content_faults_shape_the_completion() {
    let server = FakeServer::start();
    server.script(
        "odd",
        vec![
            Fault::InvalidJson,
            Fault::BreakSchema,
            Fault::Length,
            Fault::Reply("{\"level\":\"LOW\"}".into()),
            Fault::RawBody("{\"choices\":[]}".into()),
            Fault::Status {
                status: 418,
                headers: vec![("X-Teapot".into(), "yes".into())],
                body: "short and stout".into(),
            },
        ],
    );
    let body = request("odd", &task_schema());
    let mut client = Client::connect(&server.base_url()).expect("connect");

    let prose = client.chat(&body).expect("reply");
    assert_eq!(prose.status, 200);
    assert!(serde_json::from_str::<Value>(&prose.content()).is_err());

    let broken: Value =
        serde_json::from_str(&client.chat(&body).expect("reply").content()).expect("JSON");
    assert_eq!(broken["level"], "EXTREME");

    let truncated = client.chat(&body).expect("reply");
    assert_eq!(truncated.json()["choices"][0]["finish_reason"], "length");
    assert!(truncated.content().starts_with('{'));
    assert!(serde_json::from_str::<Value>(&truncated.content()).is_err());

    assert_eq!(
        client.chat(&body).expect("reply").content(),
        "{\"level\":\"LOW\"}"
    );

    let raw = client.chat(&body).expect("reply");
    assert_eq!(raw.body, "{\"choices\":[]}");
    assert_eq!(raw.header("content-type"), Some("application/json"));

    let teapot = client.chat(&body).expect("reply");
    assert_eq!(
        (teapot.status, teapot.body.as_str()),
        (418, "short and stout")
    );
    assert_eq!(teapot.header("x-teapot"), Some("yes"));
}

#[test]
fn delays_hold_the_reply() {
    let server = FakeServer::start();
    server.script("slow", vec![Fault::Delay(Duration::from_millis(300))]);
    let started = Instant::now();
    assert_eq!(
        chat(&server.base_url(), &request("slow", &task_schema()))
            .expect("reply")
            .status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(300));

    server.set_delay(Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(
        chat(&server.base_url(), &request("fast", &task_schema()))
            .expect("reply")
            .status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn counts_concurrency_and_reset() {
    const CLIENTS: usize = 8;
    let server = FakeServer::start_with(Options {
        delay: Duration::from_millis(300),
        ..Options::default()
    });
    let url = server.base_url();
    thread::scope(|scope| {
        for i in 0..CLIENTS {
            let url = &url;
            scope.spawn(move || {
                let reply =
                    chat(url, &request(&format!("parallel {i}"), &task_schema())).expect("reply");
                assert_eq!(reply.status, 200);
            });
        }
    });
    assert_eq!(server.requests(), CLIENTS);
    assert_eq!(server.max_in_flight(), CLIENTS);
    assert_eq!(server.bodies().len(), CLIENTS);
    let stats = get(&url, "/stats").expect("stats").json();
    assert_eq!(
        stats,
        json!({"requests": CLIENTS, "max_in_flight": CLIENTS})
    );

    server.reset_counts();
    assert_eq!((server.requests(), server.max_in_flight()), (0, 0));
    assert!(server.bodies().is_empty() && server.authorization_headers().is_empty());
}

#[test]
fn bodies_and_authorization_headers_are_recorded_in_order() {
    let server = FakeServer::start();
    let mut client = Client::connect(&server.base_url()).expect("connect");
    let first = request("one", &task_schema());
    let with_key = [("Authorization", "Bearer sk-test")];
    assert_eq!(
        client
            .send("POST", "/v1/chat/completions", &with_key, &first)
            .expect("reply")
            .status,
        200
    );
    let bad = client
        .send("POST", "/chat/completions", &[], "not json")
        .expect("reply");
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["type"], "invalid_request_error");

    let parsed: Value = serde_json::from_str(&first).expect("JSON");
    assert_eq!(
        server.bodies(),
        vec![parsed, Value::String("not json".into())]
    );
    assert_eq!(
        server.authorization_headers(),
        vec![Some("Bearer sk-test".to_owned()), None]
    );
    assert_eq!(server.requests(), 2);
}

#[test]
fn recording_can_be_turned_off() {
    let server = FakeServer::start_with(Options {
        record_bodies: false,
        ..Options::default()
    });
    assert_eq!(
        chat(&server.base_url(), &request("x", &task_schema()))
            .expect("reply")
            .status,
        200
    );
    assert_eq!(server.requests(), 1);
    assert!(server.bodies().is_empty());
}

#[test]
fn other_endpoints() {
    let server = FakeServer::start();
    let url = server.base_url();
    let models = get(&url, "/v1/models").expect("models");
    assert_eq!(
        models.json(),
        json!({"object":"list","data":[{"id":"fake-model","object":"model"}]})
    );
    let missing = get(&url, "/v1/embeddings").expect("404");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"]["message"].is_string());
    assert_eq!(server.requests(), 0, "only chat requests are counted");
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let server = FakeServer::start();
    let mut client = Client::connect(&server.base_url()).expect("connect");
    for i in 0..20 {
        let reply = client
            .chat(&request(&format!("ka {i}"), &task_schema()))
            .expect("reply");
        assert_eq!(reply.status, 200);
        assert_ne!(reply.header("connection"), Some("close"));
    }
    assert_eq!(server.requests(), 20);
}

#[test]
fn dropping_the_server_stops_accepting() {
    let server = FakeServer::start();
    let url = server.base_url();
    let authority = common::authority(&url).to_owned();
    let mut idle = Client::connect(&url).expect("connect");
    drop(server);
    assert!(TcpStream::connect(&authority).is_err(), "listener closed");
    assert_dropped(idle.chat("{}"));
}
