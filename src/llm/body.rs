//! The request body: built once, hashed, and sent as exactly those bytes. Also the one
//! place that knows under which keys a prompt may be cached ([`candidates`]), used by
//! the run's cache lookup and by `cache gc`, so the two cannot disagree.

use serde_json::{Value, json};

use crate::canonical;
use crate::config::{Endpoint, Mode};
use crate::prompt::{Message, Prompt};

/// A request body with its canonical bytes and cache key.
#[derive(Clone, Debug)]
pub struct Body {
    pub value: Value,
    /// The canonical JSON (sorted keys, no whitespace): hashed for the key and sent.
    pub bytes: Vec<u8>,
    /// sha256 of `bytes`.
    pub key: String,
}

impl Body {
    fn from_value(value: Value) -> Body {
        let bytes = canonical::hash_bytes(&value);
        let key = canonical::sha256_hex(&bytes);
        Body { value, bytes, key }
    }
}

/// Builds the body for a prompt in a structured-output mode, with optional follow-up
/// messages (the re-ask). Never holds the API key, headers or base URL.
pub fn build_body(endpoint: &Endpoint, prompt: &Prompt, mode: Mode, follow_up: &[Message]) -> Body {
    let messages: Vec<Value> = prompt
        .messages
        .iter()
        .chain(follow_up)
        .map(|m| json!({"role": m.role, "content": m.content}))
        .collect();
    let mut body = json!({
        "model": endpoint.model,
        "messages": messages,
        "temperature": endpoint.temperature,
        "max_tokens": endpoint.max_tokens,
    });
    if let Some(seed) = endpoint.seed {
        body["seed"] = json!(seed);
    }
    match mode {
        Mode::JsonSchema => {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": prompt.ask.schema_name(), "strict": true, "schema": prompt.ask.schema(false)},
            });
        }
        Mode::JsonObject => {
            body["response_format"] =
                json!({"type": "json_object", "schema": prompt.ask.schema(true)});
        }
        Mode::None => {}
    }
    Body::from_value(body)
}

/// Every body a prompt may have been answered under: the configured structured-output
/// mode and each mode it may fall back to (a server that made a run fall back answered
/// under the fallback's key), in that order. Built lazily: a lookup usually stops at the
/// first.
pub fn candidates<'a>(
    endpoint: &'a Endpoint,
    prompt: &'a Prompt,
) -> impl Iterator<Item = Body> + 'a {
    endpoint
        .mode
        .chain()
        .into_iter()
        .map(move |mode| build_body(endpoint, prompt, mode, &[]))
}

/// The body of a request read back (batch files, cache verification), with its key.
pub fn body_of(value: Value) -> Body {
    Body::from_value(value)
}
