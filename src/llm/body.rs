//! The request body: built once, hashed, and sent as exactly those bytes.

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
                "json_schema": {"name": prompt.schema_name, "strict": true, "schema": prompt.schema},
            });
        }
        Mode::JsonObject => {
            body["response_format"] =
                json!({"type": "json_object", "schema": crate::reply::with_limits(&prompt.schema)});
        }
        Mode::None => {}
    }
    Body::from_value(body)
}

/// The body of a request read back (batch files, cache verification), with its key.
pub fn body_of(value: Value) -> Body {
    Body::from_value(value)
}
