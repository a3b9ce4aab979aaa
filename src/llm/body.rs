//! The request body: built once, hashed, and sent as exactly those bytes. Also the one
//! place that knows under which keys a prompt may be cached ([`candidates`]), used by
//! the run's cache lookup and by `cache gc`, so the two cannot disagree.

use serde_json::{Value, json};

use crate::canonical;
use crate::config::{Endpoint, StructuredOutput};
use crate::prompt::{Message, Prompt};
use crate::reply::Ask;

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
    /// The tokens a request may use, counted before it is sent for the tokens/min
    /// budget: its bytes / 4 (about a token each for English text) plus room for every
    /// answer asked for.
    pub fn token_estimate(&self, max_tokens: u32) -> u64 {
        let n = self.value.get("n").and_then(Value::as_u64).unwrap_or(1);
        self.bytes.len() as u64 / 4 + u64::from(max_tokens) * n
    }

    /// The most tokens a call of this body can use, whatever the server reports: a
    /// prompt token is at least one byte of the request (plus a chat template's few
    /// hundred), and the answers at most `max_tokens` each.
    pub fn usage_ceiling(&self, max_tokens: u32) -> crate::cache::Usage {
        let n = self.value.get("n").and_then(Value::as_u64).unwrap_or(1);
        crate::cache::Usage {
            prompt_tokens: self.bytes.len() as u64 + 256,
            completion_tokens: u64::from(max_tokens).saturating_mul(n.max(1)),
        }
    }

    fn from_value(value: Value) -> Body {
        let bytes = canonical::hash_bytes(&value);
        let key = canonical::sha256_hex(&bytes);
        Body { value, bytes, key }
    }
}

/// What a request asks beyond the prompt. Each variant is its own body, and so its own
/// cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    /// How structured output is asked for.
    pub mode: StructuredOutput,
    /// Token log-probabilities (`logprobs`, `top_logprobs`), for the level's confidence.
    pub logprobs: bool,
    /// Choices asked for (`n`); above 1 the answers are sampled.
    pub n: u32,
    /// Which of several separately requested samples this is (its seed is offset by it);
    /// `None` for a request that is not one of several.
    pub sample: Option<u32>,
}

/// Alternatives a server shows per token: enough to see all three levels.
pub const TOP_LOGPROBS: u32 = 5;

impl Variant {
    /// The plain request of a mode.
    pub fn plain(mode: StructuredOutput) -> Variant {
        Variant {
            mode,
            logprobs: false,
            n: 1,
            sample: None,
        }
    }

    fn sampled(&self) -> bool {
        self.n > 1 || self.sample.is_some()
    }
}

/// Builds the body for a prompt in a variant, with optional follow-up messages (the
/// re-ask). Never holds the API key, headers or base URL.
pub fn build_body(
    endpoint: &Endpoint,
    prompt: &Prompt,
    variant: Variant,
    follow_up: &[Message],
) -> Body {
    let messages: Vec<Value> = prompt
        .messages
        .iter()
        .chain(follow_up)
        .map(|m| json!({"role": m.role, "content": m.content}))
        .collect();
    let mut body = json!({
        "model": endpoint.model,
        "messages": messages,
        "temperature": endpoint.temperature_for(variant.sampled()),
        "max_tokens": endpoint.max_tokens,
    });
    if let Some(seed) = endpoint.seed {
        body["seed"] = json!(seed + i64::from(variant.sample.unwrap_or(0)));
    }
    if variant.logprobs {
        body["logprobs"] = json!(true);
        body["top_logprobs"] = json!(TOP_LOGPROBS);
    }
    if variant.n > 1 {
        body["n"] = json!(variant.n);
    }
    match variant.mode {
        StructuredOutput::JsonSchema => {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": prompt.ask.schema_name(), "strict": true, "schema": prompt.ask.schema(false)},
            });
        }
        StructuredOutput::JsonObject => {
            body["response_format"] =
                json!({"type": "json_object", "schema": prompt.ask.schema(true)});
        }
        StructuredOutput::None => {}
    }
    Body::from_value(body)
}

/// The variant a run asks a prompt in first, in a structured-output mode: for a task,
/// `n` samples, or log-probabilities, or neither, as the endpoint settings say (a
/// confidence is a level's); for skills, the plain request.
pub fn first_variant(endpoint: &Endpoint, ask: &Ask, mode: StructuredOutput) -> Variant {
    if *ask != Ask::Task {
        return Variant::plain(mode);
    }
    Variant {
        mode,
        logprobs: endpoint.logprobs && endpoint.samples <= 1,
        n: endpoint.samples.max(1),
        sample: None,
    }
}

/// The `samples` separate requests that stand in for one request with `n` when a server
/// refuses `n`.
pub fn separate_samples(endpoint: &Endpoint, mode: StructuredOutput) -> Vec<Variant> {
    (0..endpoint.samples)
        .map(|i| Variant {
            mode,
            logprobs: false,
            n: 1,
            sample: Some(i),
        })
        .collect()
}

/// Every set of bodies whose answers together answer a prompt, in the order a lookup
/// tries them: for the configured structured-output mode and each it may fall back to
/// (a server that made a run fall back answered under the fallback's key), the request
/// as first asked, then as asked after the server refused or ignored log-probabilities
/// (without them) or `n` (one request per sample). Built lazily: a lookup usually stops
/// at the first.
pub fn candidates<'a>(
    endpoint: &'a Endpoint,
    prompt: &'a Prompt,
) -> impl Iterator<Item = Vec<Body>> + 'a {
    endpoint.mode.chain().into_iter().flat_map(move |mode| {
        let first = first_variant(endpoint, &prompt.ask, mode);
        let mut sets = vec![vec![first]];
        if first.logprobs {
            sets.push(vec![Variant::plain(mode)]);
        }
        if first.n > 1 {
            sets.push(separate_samples(endpoint, mode));
        }
        sets.into_iter().map(move |set| {
            set.into_iter()
                .map(|v| build_body(endpoint, prompt, v, &[]))
                .collect()
        })
    })
}

/// The body of a request read back (batch files, cache verification), with its key.
pub fn body_of(value: Value) -> Body {
    Body::from_value(value)
}
