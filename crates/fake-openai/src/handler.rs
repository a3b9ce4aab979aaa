//! Request routing and the chat-completions handler.
//!
//! The handler never panics and never fails except on purpose: returning
//! [`DropConnection`] makes hyper close the connection without writing a
//! response, which is how [`Fault::Drop`] looks to the client.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::AUTHORIZATION;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use crate::fault::Fault;
use crate::generate::{find_schema, fnv1a, generate, generate_broken, mix};
use crate::levels::{Distribution, Level, level_of, set_level};
use crate::logprobs::logprobs;
use crate::reply::{self, Body, Choice, Completion};
use crate::state::State;
use crate::support::Sampling;

/// Content of [`Fault::InvalidJson`] replies: prose with no JSON in it.
const PROSE: &str = "Sure! Here is my assessment: this task is mostly safe from automation, \
                     although language models will change parts of it.";

/// The service error that tells hyper to drop the connection without a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl fmt::Display for DropConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for DropConnection {}

type Reply = Result<Response<Body>, DropConnection>;

pub(crate) async fn handle(state: Arc<State>, request: Request<Incoming>) -> Reply {
    match (request.method(), request.uri().path()) {
        (&Method::POST, "/v1/chat/completions" | "/chat/completions") => {
            chat(&state, request).await
        }
        (&Method::GET, "/v1/models" | "/models") => Ok(match state.models() {
            Some(list) => reply::json(StatusCode::OK, &list),
            None => reply::error(
                StatusCode::NOT_FOUND,
                "Unknown request URL: GET /v1/models (this server lists no models)",
                "invalid_request_error",
                None,
                Some("unknown_url"),
            ),
        }),
        (&Method::GET, "/props") => Ok(match state.props() {
            Some(props) => reply::json(StatusCode::OK, &props),
            None => reply::error(
                StatusCode::NOT_FOUND,
                "Unknown request URL: GET /props",
                "invalid_request_error",
                None,
                Some("unknown_url"),
            ),
        }),
        (&Method::GET, "/stats") => Ok(reply::json(
            StatusCode::OK,
            &json!({"requests": state.requests(), "max_in_flight": state.max_in_flight()}),
        )),
        (method, path) => Ok(reply::error(
            StatusCode::NOT_FOUND,
            &format!("Unknown request URL: {method} {path}"),
            "invalid_request_error",
            None,
            Some("unknown_url"),
        )),
    }
}

async fn chat(state: &State, request: Request<Incoming>) -> Reply {
    let _in_flight = state.enter();
    let authorization = request
        .headers()
        .get(AUTHORIZATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    // A body that cannot be read means the client is gone: nobody to answer.
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(DropConnection),
    };
    let id = state.record(&body, authorization);
    // Taken on arrival, so faults go to requests in the order they come in.
    let fault = state.take_fault(&body);
    let delay = state.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let request = Chat::new(state, id, body);
    let Some(fault) = fault else {
        return Ok(request.normal());
    };
    Ok(match fault {
        Fault::Status {
            status,
            headers,
            body,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = reply::raw(status, body);
            for (name, value) in &headers {
                reply::add_header(&mut response, name, value);
            }
            response
        }
        Fault::RateLimited { retry_after } => {
            let mut response = reply::rate_limited();
            reply::add_header(&mut response, "retry-after", &retry_after);
            response
        }
        Fault::RateLimitedMs(ms) => {
            let mut response = reply::rate_limited();
            reply::add_header(&mut response, "retry-after-ms", &ms.to_string());
            response
        }
        Fault::ServerError(status) => reply::server_error(status),
        Fault::Delay(extra) => {
            tokio::time::sleep(extra).await;
            request.normal()
        }
        Fault::Drop => return Err(DropConnection),
        Fault::InvalidJson => request.completion("stop", PROSE),
        Fault::BreakSchema => {
            let schema = request.schema();
            let broken = generate_broken(&schema, request.seed());
            request.completion("stop", &broken.to_string())
        }
        Fault::Length => {
            let content = request.content();
            let cut = (1..=content.len() / 2)
                .rev()
                .find(|i| content.is_char_boundary(*i))
                .unwrap_or(0);
            request.completion("length", content.get(..cut).unwrap_or_default())
        }
        Fault::Reply(content) => request.completion("stop", &content),
        Fault::RawBody(body) => reply::json_text(StatusCode::OK, body),
    })
}

/// Spreads the seeds of choices 1.. of a request (golden-ratio increments, then mixed).
const CHOICE_STRIDE: u64 = 0x9e37_79b9_7f4a_7c15;

/// The generation seed of choice `i`: choice 0 keeps the request's own seed, so
/// apart from a drawn level it says what the request gets without `n`.
fn choice_seed(seed: u64, i: usize) -> u64 {
    match i {
        0 => seed,
        i => mix(seed ^ CHOICE_STRIDE.wrapping_mul(i as u64)),
    }
}

/// A received chat request, parsed once for whichever reply it gets.
struct Chat<'a> {
    state: &'a State,
    id: u64,
    body: Bytes,
    /// `None` when the body is not JSON.
    json: Option<Value>,
}

impl<'a> Chat<'a> {
    fn new(state: &'a State, id: u64, body: Bytes) -> Self {
        let json = serde_json::from_slice(&body).ok();
        Chat {
            state,
            id,
            body,
            json,
        }
    }

    /// The reply when no fault applies: 400 for a non-JSON body, the configured
    /// rejection for `json_schema` requests, `logprobs` or `n`, else a
    /// schema-shaped completion with the choices asked for.
    fn normal(&self) -> Response<Body> {
        let Some(json) = &self.json else {
            return reply::error(
                StatusCode::BAD_REQUEST,
                "We could not parse the JSON body of your request.",
                "invalid_request_error",
                None,
                None,
            );
        };
        let format = json
            .pointer("/response_format/type")
            .and_then(Value::as_str);
        if let Some(status) = self.state.reject_json_schema()
            && format == Some("json_schema")
        {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
            return reply::error(
                status,
                "response_format of type 'json_schema' is not supported by this server",
                "invalid_request_error",
                None,
                None,
            );
        }
        match Sampling::read(json, self.state.logprobs(), self.state.n()) {
            Ok(sampling) => self.reply("stop", self.choices(sampling)),
            Err(refusal) => refusal.response(),
        }
    }

    /// What a faulty reply still honours: a request the settings would refuse
    /// gets one plain choice, since the fault answers in place of the refusal.
    fn lenient_sampling(&self) -> Sampling {
        self.json
            .as_ref()
            .and_then(|json| Sampling::read(json, self.state.logprobs(), self.state.n()).ok())
            .unwrap_or_default()
    }

    fn seed(&self) -> u64 {
        fnv1a(&self.body)
    }

    /// The requested schema, or the empty schema when the request names none.
    fn schema(&self) -> Value {
        self.json
            .as_ref()
            .and_then(find_schema)
            .map_or_else(|| json!({}), Cow::into_owned)
    }

    /// The level distribution behind this request's answers: the scripted one
    /// if a needle matches, else one derived from the body with `top` most probable.
    fn distribution(&self, top: Level) -> Distribution {
        self.state
            .scripted_levels(&self.body)
            .unwrap_or_else(|| Distribution::around(top, self.seed()))
    }

    /// Normal content of a single choice (what [`Fault::Length`] cuts short).
    fn content(&self) -> String {
        self.choices(Sampling::default())
            .into_iter()
            .next()
            .map_or_else(|| "{}".to_owned(), |choice| choice.content)
    }

    /// Schema-shaped answers, one per choice, each from its own seed (`{}`
    /// without a schema). When the answers state a level, a single choice says
    /// the most probable level (greedy decoding) and each of several choices a
    /// level drawn from the distribution (sampling).
    fn choices(&self, sampling: Sampling) -> Vec<Choice> {
        let request_seed = self.seed();
        let seeds: Vec<u64> = (0..sampling.n)
            .map(|i| choice_seed(request_seed, i))
            .collect();
        let schema = self.json.as_ref().and_then(find_schema);
        let mut answers: Vec<Value> = seeds
            .iter()
            .map(|seed| {
                schema
                    .as_ref()
                    .map_or_else(|| json!({}), |s| generate(s, *seed))
            })
            .collect();
        // Choice 0's generated level is the default distribution's top, so a
        // plain request (one choice, greedy) keeps the answer it always had.
        let distribution = answers
            .first()
            .and_then(level_of)
            .map(|top| self.distribution(top));
        if let Some(distribution) = distribution {
            let n = answers.len();
            for (i, answer) in answers.iter_mut().enumerate() {
                let level = match n {
                    1 => distribution.argmax(),
                    n => distribution.draw(request_seed, i, n),
                };
                set_level(answer, level);
            }
        }
        answers
            .iter()
            .zip(seeds)
            .map(|(answer, seed)| {
                let content = answer.to_string();
                let logprobs = sampling.top_logprobs.map(|top| {
                    logprobs(&content, top, seed, |level| {
                        distribution.unwrap_or_else(|| self.distribution(level))
                    })
                });
                Choice { content, logprobs }
            })
            .collect()
    }

    /// A completion whose every choice has `content` (a fault's), with
    /// log-probabilities over that content if they are asked for and supported.
    fn completion(&self, finish_reason: &str, content: &str) -> Response<Body> {
        let sampling = self.lenient_sampling();
        let request_seed = self.seed();
        let choices = (0..sampling.n)
            .map(|i| Choice {
                content: content.to_owned(),
                logprobs: sampling.top_logprobs.map(|top| {
                    let seed = choice_seed(request_seed, i);
                    logprobs(content, top, seed, |level| self.distribution(level))
                }),
            })
            .collect();
        self.reply(finish_reason, choices)
    }

    fn reply(&self, finish_reason: &str, choices: Vec<Choice>) -> Response<Body> {
        let (served, fingerprint) = self.state.served();
        let asked = self
            .json
            .as_ref()
            .and_then(|json| json.get("model"))
            .and_then(Value::as_str)
            .unwrap_or("fake-model");
        Completion {
            id: self.id,
            model: served.as_deref().unwrap_or(asked),
            system_fingerprint: fingerprint.as_deref(),
            request_bytes: self.body.len(),
            finish_reason,
        }
        .response(choices)
    }
}
