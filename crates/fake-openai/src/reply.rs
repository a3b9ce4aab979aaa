//! HTTP response builders for OpenAI-shaped bodies.
//!
//! Responses are assembled field by field instead of through
//! `Response::builder()`, whose `Result` would force an `unwrap` into the
//! request path; every helper here is infallible.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// The body type of every response: the whole reply is produced at once.
pub(crate) type Body = Full<Bytes>;

/// `created` timestamp of every completion: fixed, so replies are reproducible.
const CREATED: u64 = 1_700_000_000;

/// A response with `body` and no headers.
pub(crate) fn raw(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

/// A response with a JSON body.
pub(crate) fn json(status: StatusCode, value: &Value) -> Response<Body> {
    json_text(status, value.to_string())
}

/// A response whose (presumably JSON) body is sent verbatim.
pub(crate) fn json_text(status: StatusCode, text: String) -> Response<Body> {
    let mut response = raw(status, text);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Appends a header, skipping names or values HTTP cannot carry (tests may script anything).
pub(crate) fn add_header(response: &mut Response<Body>, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        response.headers_mut().append(name, value);
    }
}

/// An OpenAI-style error response: `{"error":{"message","type","param","code"}}`.
pub(crate) fn error(
    status: StatusCode,
    message: &str,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Response<Body> {
    let body = json!({"error": {"message": message, "type": kind, "param": param, "code": code}});
    json(status, &body)
}

/// 429 as `OpenAI` sends it; the caller adds the retry header.
pub(crate) fn rate_limited() -> Response<Body> {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "Rate limit reached for requests. Please try again later.",
        "requests",
        None,
        Some("rate_limit_exceeded"),
    )
}

/// A 5xx (or any status) with a `server_error` body; the code is the reason phrase in snake case.
pub(crate) fn server_error(status: u16) -> Response<Body> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Server Error");
    let code = reason.to_ascii_lowercase().replace([' ', '-'], "_");
    let message = format!(
        "The server had an error while processing your request ({} {reason}).",
        status.as_u16()
    );
    error(status, &message, "server_error", None, Some(&code))
}

/// One choice of a completion.
pub(crate) struct Choice {
    pub(crate) content: String,
    /// `{"content": [...]}` when the request asked for log-probabilities and gets them.
    pub(crate) logprobs: Option<Value>,
}

/// What a completion reply carries besides its choices.
pub(crate) struct Completion<'a> {
    /// Sequence number for the `chatcmpl-fake-N` id.
    pub(crate) id: u64,
    pub(crate) model: &'a str,
    /// The `system_fingerprint` to report, if any.
    pub(crate) system_fingerprint: Option<&'a str>,
    pub(crate) request_bytes: usize,
    pub(crate) finish_reason: &'a str,
}

impl Completion<'_> {
    /// A 200 `chat.completion` with `choices`, indexed in order.
    pub(crate) fn response(&self, choices: Vec<Choice>) -> Response<Body> {
        let prompt_tokens = self.request_bytes / 4;
        // Every choice is generated, so every choice is billed, as `OpenAI` does with `n`.
        let completion_tokens: usize = choices
            .iter()
            .map(|choice| (choice.content.len() / 4).max(1))
            .sum();
        let choices: Vec<Value> = choices
            .into_iter()
            .enumerate()
            .map(|(index, choice)| self.choice(index, choice))
            .collect();
        let mut body = json!({
            "id": format!("chatcmpl-fake-{}", self.id),
            "object": "chat.completion",
            "created": CREATED,
            "model": self.model,
            "choices": choices,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        });
        if let Some(fp) = self.system_fingerprint {
            body["system_fingerprint"] = json!(fp);
        }
        json(StatusCode::OK, &body)
    }

    /// One entry of `choices`; `logprobs` is left out, not `null`, when not given,
    /// as this server always did before it knew about log-probabilities.
    fn choice(&self, index: usize, choice: Choice) -> Value {
        let mut value = json!({
            "index": index,
            "message": {"role": "assistant", "content": choice.content},
            "finish_reason": self.finish_reason,
        });
        if let (Some(logprobs), Value::Object(map)) = (choice.logprobs, &mut value) {
            map.insert("logprobs".to_owned(), logprobs);
        }
        value
    }
}
