//! End-to-end tests of the fake server over real sockets.

mod common;

use std::collections::BTreeSet;
use std::io;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::{Client, Reply, chat, get};
use fake_openai::{FakeServer, Fault, Options, Support};
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
    // A closed connection shows as end of file or a reset on read, or as a broken
    // pipe when the peer's reset arrives between the client's header and body writes.
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::BrokenPipe
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
    // No list until one is set; then the list, as OpenAI writes it.
    let none = get(&url, "/v1/models").expect("models");
    assert_eq!(none.status, 404);
    server.set_models(Some(&["fake-model", "other"]));
    let models = get(&url, "/v1/models").expect("models");
    assert_eq!(
        models.json(),
        json!({"object":"list","data":[{"id":"fake-model","object":"model","owned_by":"fake-openai"},{"id":"other","object":"model","owned_by":"fake-openai"}]})
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

/// `body` (a JSON object) with the fields of `extra` added.
fn with(body: &str, extra: Value) -> String {
    let mut body: Value = serde_json::from_str(body).expect("JSON body");
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    body.to_string()
}

fn choices_of(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["choices"].as_array().expect("choices").clone()
}

fn content_of(choice: &Value) -> String {
    choice["message"]["content"]
        .as_str()
        .expect("content")
        .to_owned()
}

fn level_in(choice: &Value) -> String {
    let answer: Value = serde_json::from_str(&content_of(choice)).expect("content is JSON");
    answer["level"].as_str().expect("level").to_owned()
}

fn tokens_of(choice: &Value) -> Vec<Value> {
    choice["logprobs"]["content"]
        .as_array()
        .expect("logprobs.content")
        .clone()
}

/// The entry of the level value's token: `level`, `"`, `:`, `"`, then the
/// level and `"`, whitespace tokens aside.
fn level_token(choice: &Value) -> Value {
    let tokens: Vec<Value> = tokens_of(choice)
        .into_iter()
        .filter(|t| !t["token"].as_str().unwrap_or_default().trim().is_empty())
        .collect();
    let texts: Vec<&str> = tokens.iter().filter_map(|t| t["token"].as_str()).collect();
    let key = texts
        .windows(4)
        .position(|w| w == ["level", "\"", ":", "\""])
        .expect("a level key");
    assert_eq!(texts[key + 5], "\"");
    tokens[key + 4].clone()
}

/// Probabilities of HIGH, MEDIUM and LOW read from the level token's alternatives.
fn level_probs(token: &Value) -> [f64; 3] {
    let listed = token["top_logprobs"].as_array().expect("top_logprobs");
    ["HIGH", "MEDIUM", "LOW"].map(|level| {
        let entry = listed
            .iter()
            .find(|t| t["token"] == level)
            .unwrap_or_else(|| panic!("{level} among {listed:?}"));
        entry["logprob"].as_f64().expect("logprob").exp()
    })
}

fn assert_close(actual: [f64; 3], expected: [f64; 3]) {
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-9, "{actual:?} != {expected:?}");
    }
}

/// The shape every entry of `logprobs.content` (and of its `top_logprobs`) has.
fn assert_token_shape(token: &Value, top: usize) {
    let text = token["token"].as_str().expect("token");
    assert_eq!(token["bytes"], json!(text.as_bytes()), "{token}");
    let logprob = token["logprob"].as_f64().expect("logprob");
    assert!(logprob.is_finite() && logprob <= 0.0, "{token}");
    let listed = token["top_logprobs"].as_array().expect("top_logprobs");
    assert_eq!(listed.len(), top, "{token}");
    let mut previous = 0.0;
    for alternative in listed {
        let text = alternative["token"].as_str().expect("token");
        assert_eq!(alternative["bytes"], json!(text.as_bytes()));
        let logprob = alternative["logprob"].as_f64().expect("logprob");
        assert!(logprob.is_finite() && logprob <= previous, "{listed:?}");
        previous = logprob;
    }
}

#[test]
fn logprobs_cover_the_content_and_the_level_is_one_token_with_a_distribution() {
    let server = FakeServer::start();
    let body = with(
        &request("file invoices", &task_schema()),
        json!({"logprobs": true, "top_logprobs": 5}),
    );
    let reply = chat(&server.base_url(), &body).expect("reply");
    let choice = &choices_of(&reply)[0];
    let content = content_of(choice);
    let tokens = tokens_of(choice);
    let joined: String = tokens.iter().filter_map(|t| t["token"].as_str()).collect();
    assert_eq!(joined, content, "the tokens spell the content");
    tokens.iter().for_each(|t| assert_token_shape(t, 5));

    let level = level_token(choice);
    assert_eq!(level["token"], level_in(choice));
    let probs = level_probs(&level);
    assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{probs:?}");
    let listed = level["top_logprobs"].as_array().expect("top_logprobs");
    assert_eq!(
        listed[0]["token"], level["token"],
        "the stated level is the most probable"
    );
    assert!((0.4..0.99).contains(&level["logprob"].as_f64().expect("logprob").exp()));
    assert!(
        listed[3..]
            .iter()
            .all(|t| !["HIGH", "MEDIUM", "LOW"].contains(&t["token"].as_str().unwrap_or_default())),
        "levels come first, then other tokens"
    );

    for token in tokens.iter().filter(|t| **t != level) {
        assert_eq!(token["logprob"], -0.0001, "{token}");
        assert_eq!(token["top_logprobs"][0]["token"], token["token"]);
    }
}

#[test]
fn top_logprobs_defaults_to_none_and_goes_up_to_twenty() {
    let server = FakeServer::start();
    let url = server.base_url();
    let base = request("sort mail", &task_schema());
    let plain = chat(&url, &with(&base, json!({"logprobs": true}))).expect("reply");
    let tokens = tokens_of(&choices_of(&plain)[0]);
    assert!(!tokens.is_empty());
    tokens.iter().for_each(|t| assert_token_shape(t, 0));

    let full = chat(
        &url,
        &with(&base, json!({"logprobs": true, "top_logprobs": 20})),
    )
    .expect("reply");
    let choice = &choices_of(&full)[0];
    tokens_of(choice)
        .iter()
        .for_each(|t| assert_token_shape(t, 20));
    let level = level_token(choice);
    let names: BTreeSet<&str> = level["top_logprobs"].as_array().expect("list")[..3]
        .iter()
        .filter_map(|t| t["token"].as_str())
        .collect();
    assert_eq!(names, BTreeSet::from(["HIGH", "MEDIUM", "LOW"]));

    let not_asked = chat(
        &url,
        &with(&base, json!({"logprobs": false, "top_logprobs": 3})),
    )
    .expect("reply");
    assert!(choices_of(&not_asked)[0].get("logprobs").is_none());
}

#[test]
fn default_confidences_vary_between_tasks_and_leave_plain_answers_unchanged() {
    let server = FakeServer::start();
    let url = server.base_url();
    let mut tops = Vec::new();
    let mut levels = BTreeSet::new();
    for i in 0..16 {
        let plain = request(&format!("task {i}"), &task_schema());
        let reply = chat(&url, &plain).expect("reply");
        assert_eq!(
            reply.content(),
            fake_openai::reply_content(plain.as_bytes())
        );

        let body = with(&plain, json!({"logprobs": true, "top_logprobs": 3}));
        let reply = chat(&url, &body).expect("reply");
        assert_eq!(reply.content(), fake_openai::reply_content(body.as_bytes()));
        let choice = &choices_of(&reply)[0];
        let level = level_token(choice);
        let top = level["logprob"].as_f64().expect("logprob").exp();
        assert_eq!(level["top_logprobs"][0]["token"], level["token"]);
        tops.push(top);
        levels.insert(level_in(choice));
    }
    let min = tops.iter().copied().fold(1.0, f64::min);
    let max = tops.iter().copied().fold(0.0, f64::max);
    assert!(min >= 0.45 && max < 0.99 && max - min > 0.2, "{tops:?}");
    assert!(levels.len() >= 2, "{levels:?}");
}

#[test]
fn scripted_levels_pick_the_answer_and_its_confidence_until_changed() {
    let server = FakeServer::start();
    let url = server.base_url();
    server.script_levels("pinned", [2.0, 5.0, 3.0]);
    let body = with(
        &request("pinned task", &task_schema()),
        json!({"logprobs": true, "top_logprobs": 3}),
    );
    for _ in 0..2 {
        let choice = &choices_of(&chat(&url, &body).expect("reply"))[0];
        assert_eq!(level_in(choice), "MEDIUM");
        let level = level_token(choice);
        assert_eq!(level["token"], "MEDIUM");
        assert_close(level_probs(&level), [0.2, 0.5, 0.3]);
    }
    let plain = request("pinned task", &task_schema());
    let answer: Value =
        serde_json::from_str(&chat(&url, &plain).expect("reply").content()).expect("JSON");
    assert_eq!(answer["level"], "MEDIUM", "without logprobs too");
    assert_eq!(
        answer["tools"].as_array().map(Vec::len),
        Some(2),
        "{answer}"
    );
    let other = request("other task", &task_schema());
    assert_eq!(
        chat(&url, &other).expect("reply").content(),
        fake_openai::reply_content(other.as_bytes())
    );

    server.script_levels("pinned", [0.0, 0.0, 1.0]);
    let choice = &choices_of(&chat(&url, &body).expect("reply"))[0];
    assert_eq!(level_in(choice), "LOW");
    let level = level_token(choice);
    assert_eq!(level["logprob"], 0.0);
    let high = level["top_logprobs"][1]["logprob"]
        .as_f64()
        .expect("finite");
    assert!((high - 1e-6f64.ln()).abs() < 1e-9, "{level}");

    server.clear_levels();
    assert_eq!(
        chat(&url, &plain).expect("reply").content(),
        fake_openai::reply_content(plain.as_bytes())
    );
}

#[test]
fn n_choices_draw_their_levels_from_the_distribution() {
    let server = FakeServer::start();
    let url = server.base_url();
    server.script_levels("committee", [0.6, 0.3, 0.1]);
    let body = with(
        &request("committee vote", &task_schema()),
        json!({"n": 10, "logprobs": true, "top_logprobs": 3}),
    );
    let reply = chat(&url, &body).expect("reply");
    let choices = choices_of(&reply);
    assert_eq!(choices.len(), 10);
    let mut counts = std::collections::BTreeMap::new();
    for (i, choice) in choices.iter().enumerate() {
        assert_eq!(choice["index"], i);
        assert_eq!(choice["finish_reason"], "stop");
        let level = level_in(choice);
        let token = level_token(choice);
        assert_eq!(token["token"], level.as_str());
        assert_close(level_probs(&token), [0.6, 0.3, 0.1]);
        *counts.entry(level).or_insert(0) += 1;
    }
    let counts: Vec<(String, i32)> = counts.into_iter().collect();
    assert_eq!(
        counts,
        [("HIGH".into(), 6), ("LOW".into(), 1), ("MEDIUM".into(), 3)]
    );
    let tokens: usize = choices.iter().map(|c| content_of(c).len() / 4).sum();
    assert_eq!(reply.json()["usage"]["completion_tokens"], tokens);
    assert_eq!(
        chat(&url, &body).expect("reply").body,
        reply.body.replace("chatcmpl-fake-1", "chatcmpl-fake-2"),
        "deterministic"
    );

    // Without a script, the default distribution; other enum values vary by choice.
    let skills = with(&request("draft memos", &skills_schema()), json!({"n": 4}));
    let contents: BTreeSet<String> = choices_of(&chat(&url, &skills).expect("reply"))
        .iter()
        .map(content_of)
        .collect();
    assert!(contents.len() > 1, "{contents:?}");
    let plain = request("draft memos", &skills_schema());
    let first = &choices_of(&chat(&url, &with(&plain, json!({"n": 1}))).expect("reply"))[0];
    assert_eq!(
        content_of(first),
        fake_openai::reply_content(with(&plain, json!({"n": 1})).as_bytes())
    );
}

#[test]
fn servers_can_ignore_logprobs_and_n() {
    let server = FakeServer::start_with(Options {
        logprobs: Support::Ignore,
        n: Support::Ignore,
        ..Options::default()
    });
    let body = with(
        &request("x", &task_schema()),
        json!({"logprobs": true, "top_logprobs": 99, "n": 0}),
    );
    let choices = choices_of(&chat(&server.base_url(), &body).expect("reply"));
    assert_eq!(choices.len(), 1);
    assert!(choices[0].get("logprobs").is_none(), "{:?}", choices[0]);
}

#[test]
fn servers_can_refuse_logprobs_and_n_and_settings_change_at_run_time() {
    let server = FakeServer::start_with(Options {
        logprobs: Support::Refuse(400),
        n: Support::Refuse(422),
        ..Options::default()
    });
    let url = server.base_url();
    let base = request("x", &task_schema());
    let send = |extra: Value| chat(&url, &with(&base, extra)).expect("reply");

    let refused = send(json!({"logprobs": true}));
    assert_eq!(refused.status, 400);
    let error = &refused.json()["error"];
    assert_eq!(error["message"], "logprobs is not supported by this model");
    assert_eq!(error["param"], "logprobs");
    assert_eq!(error["type"], "invalid_request_error");
    let refused = send(json!({"n": 2}));
    assert_eq!(refused.status, 422);
    assert_eq!(refused.json()["error"]["message"], "n must be 1");
    assert_eq!(refused.json()["error"]["param"], "n");
    assert_eq!(send(json!({"n": 1, "logprobs": false})).status, 200);
    assert_eq!(server.requests(), 3, "refused requests count");
    assert_eq!(server.bodies().len(), 3, "and are recorded");

    server.set_logprobs(Support::Yes);
    server.set_n(Support::Ignore);
    let choices = choices_of(&send(json!({"n": 3, "logprobs": true})));
    assert_eq!(choices.len(), 1);
    assert!(choices[0]["logprobs"]["content"].is_array());
    server.set_logprobs(Support::Ignore);
    server.set_n(Support::Yes);
    let reply = send(json!({"n": 3, "logprobs": true}));
    assert_eq!(reply.json()["choices"].as_array().map(Vec::len), Some(3));
    assert!(reply.json()["choices"][0].get("logprobs").is_none());
    server.set_logprobs(Support::Refuse(403));
    assert_eq!(send(json!({"logprobs": true})).status, 403);
}

#[test]
fn out_of_range_values_are_rejected_naming_the_parameter() {
    let server = FakeServer::start();
    let base = request("x", &task_schema());
    for (extra, param) in [
        (json!({"n": 0}), "n"),
        (json!({"n": 17}), "n"),
        (json!({"n": 2.5}), "n"),
        (
            json!({"logprobs": true, "top_logprobs": 21}),
            "top_logprobs",
        ),
        (json!({"logprobs": "yes"}), "logprobs"),
    ] {
        let reply = chat(&server.base_url(), &with(&base, extra.clone())).expect("reply");
        assert_eq!(reply.status, 400, "{extra}");
        assert_eq!(reply.json()["error"]["param"], param, "{extra}");
    }
}

#[test]
fn faults_take_precedence_and_faulty_content_gets_logprobs() {
    let server = FakeServer::start_with(Options {
        logprobs: Support::Refuse(400),
        n: Support::Refuse(400),
        ..Options::default()
    });
    let url = server.base_url();
    let fixed = r#"{"level": "LOW", "note": "fixed"}"#;
    server.script(
        "faulty",
        vec![
            Fault::ServerError(503),
            Fault::Reply(fixed.into()),
            Fault::Reply(fixed.into()),
        ],
    );
    let body = with(
        &request("faulty", &task_schema()),
        json!({"n": 3, "logprobs": true, "top_logprobs": 3}),
    );
    assert_eq!(chat(&url, &body).expect("reply").status, 503);
    let refused_but_faulted = choices_of(&chat(&url, &body).expect("reply"));
    assert_eq!(refused_but_faulted.len(), 1);
    assert!(refused_but_faulted[0].get("logprobs").is_none());

    server.set_logprobs(Support::Yes);
    server.set_n(Support::Yes);
    server.script_levels("faulty", [0.1, 0.2, 0.7]);
    let choices = choices_of(&chat(&url, &body).expect("reply"));
    assert_eq!(choices.len(), 3);
    for choice in &choices {
        assert_eq!(content_of(choice), fixed);
        let token = level_token(choice);
        assert_eq!(token["token"], "LOW");
        assert_close(level_probs(&token), [0.1, 0.2, 0.7]);
    }
    assert_eq!(server.requests(), 3);
}
