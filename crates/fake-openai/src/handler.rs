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
use crate::generate::{find_schema, fnv1a, generate, generate_broken};
use crate::reply::{self, Body, Completion};
use crate::state::State;

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
        (&Method::GET, "/v1/models" | "/models") => Ok(reply::json(
            StatusCode::OK,
            &json!({"object": "list", "data": [{"id": "fake-model", "object": "model"}]}),
        )),
        (&Method::GET, "/stats") => Ok(reply::json(
            StatusCode::OK,
            &json!({"requests": state.requests(), "max_in_flight": state.max_in_flight()}),
        )),
        (method, path) => Ok(reply::error(
            StatusCode::NOT_FOUND,
            &format!("Unknown request URL: {method} {path}"),
            "invalid_request_error",
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
    /// rejection for `json_schema` requests, else a schema-shaped completion.
    fn normal(&self) -> Response<Body> {
        let Some(json) = &self.json else {
            return reply::error(
                StatusCode::BAD_REQUEST,
                "We could not parse the JSON body of your request.",
                "invalid_request_error",
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
            );
        }
        self.completion("stop", &self.content())
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

    /// Normal content: a JSON object valid against the requested schema, `{}` without one.
    fn content(&self) -> String {
        let Some(schema) = self.json.as_ref().and_then(find_schema) else {
            return "{}".to_owned();
        };
        generate(&schema, self.seed()).to_string()
    }

    fn completion(&self, finish_reason: &str, content: &str) -> Response<Body> {
        let model = self
            .json
            .as_ref()
            .and_then(|json| json.get("model"))
            .and_then(Value::as_str)
            .unwrap_or("fake-model");
        Completion {
            id: self.id,
            model,
            request_bytes: self.body.len(),
            finish_reason,
        }
        .response(content)
    }
}
