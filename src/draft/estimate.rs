//! What a run would cost before anything is sent (`draft --dry-run`): the tokens of every
//! request the cache does not answer, counted with the model's own tokenizer where one is
//! known (OpenAI's encodings, from `tiktoken-rs`), else about a token per four bytes; the
//! tokens of the answers, from what cached answers to such prompts used, else at most
//! `max_tokens` each; and the cost at the model's `[prices]`.
//!
//! Counting stays quick at O*NET scale: the rubric (the system message) is the same for
//! every task prompt, so each distinct text is counted once.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use serde_json::Value;
use tiktoken_rs::CoreBPE;
use tiktoken_rs::tokenizer::Tokenizer;

use crate::cache::{Cache, CacheEntry, Usage};
use crate::config::{Endpoint, Price};
use crate::llm::Body;
use crate::record::Kind;
use crate::text::thousands_u64 as thousands;

/// Tokens every chat message costs beyond its text, and the reply's priming, as OpenAI
/// counts them for its current chat models (the cookbook's figures, also tiktoken-rs's).
const PER_MESSAGE: u64 = 3;
const REPLY_PRIMING: u64 = 3;

/// Answers read from the cache, at most, to learn how long answers to a kind of prompt
/// are when no prompt of this run is answered there.
const SAMPLED: usize = 400;

/// Counts a request's prompt tokens.
pub struct Counter {
    /// The model's tokenizer and the name of its encoding, when one is known.
    bpe: Option<(&'static CoreBPE, &'static str)>,
    /// Tokens of each distinct text counted so far, by the text's hash.
    seen: HashMap<u64, u64>,
}

impl Counter {
    /// The counter for a model: its OpenAI encoding (`gpt-4o-mini` is `o200k_base`), or
    /// bytes / 4 for a model tiktoken does not know (a local model, another provider's).
    pub fn for_model(model: &str) -> Counter {
        let bpe = tiktoken_rs::tokenizer::get_tokenizer(model).and_then(|t| {
            tiktoken_rs::bpe_for_tokenizer(t)
                .ok()
                .map(|bpe| (bpe, encoding_name(t)))
        });
        Counter {
            bpe,
            seen: HashMap::new(),
        }
    }

    /// The encoding's name (`o200k_base`), when the count is the tokenizer's.
    pub fn encoding(&self) -> Option<&str> {
        self.bpe.as_ref().map(|(_, name)| *name)
    }

    fn text(&mut self, text: &str) -> u64 {
        let Some((bpe, _)) = &self.bpe else {
            return text.len() as u64 / 4;
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        text.hash(&mut h);
        *self
            .seen
            .entry(h.finish())
            .or_insert_with(|| bpe.encode_ordinary(text).len() as u64)
    }

    /// The prompt tokens of a request body: each message's role and text with its
    /// framing, the reply's priming, and the reply schema a server writes into the
    /// prompt. Without a tokenizer: the body's bytes / 4.
    pub fn body(&mut self, body: &Body) -> u64 {
        if self.bpe.is_none() {
            return body.bytes.len() as u64 / 4;
        }
        let mut n = REPLY_PRIMING;
        for m in body
            .value
            .get("messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            n += PER_MESSAGE;
            n += self.text(m["role"].as_str().unwrap_or_default());
            n += self.text(m["content"].as_str().unwrap_or_default());
        }
        if let Some(schema) = body
            .value
            .pointer("/response_format/json_schema/schema")
            .or_else(|| body.value.pointer("/response_format/schema"))
        {
            let text = String::from_utf8(crate::canonical::hash_bytes(schema)).unwrap_or_default();
            n += self.text(&text);
        }
        n
    }
}

/// An encoding as OpenAI names it.
fn encoding_name(t: Tokenizer) -> &'static str {
    match t {
        Tokenizer::O200kHarmony => "o200k_harmony",
        Tokenizer::O200kBase => "o200k_base",
        Tokenizer::Cl100kBase => "cl100k_base",
        Tokenizer::P50kBase => "p50k_base",
        Tokenizer::R50kBase => "r50k_base",
        Tokenizer::P50kEdit => "p50k_edit",
        Tokenizer::Gpt2 => "gpt2",
    }
}

/// How long answers to one kind of prompt are, from cached answers.
#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    answers: u64,
    completion_tokens: u64,
}

impl Seen {
    fn add(&mut self, u: Usage) {
        self.answers += 1;
        self.completion_tokens += u.completion_tokens;
    }

    fn average(&self) -> Option<f64> {
        (self.answers > 0).then(|| self.completion_tokens as f64 / self.answers as f64)
    }
}

/// The run's estimate, built prompt by prompt.
#[derive(Debug, Default)]
pub struct Estimate {
    pub prompts: u64,
    pub cached: u64,
    /// Prompt tokens of the requests that would be sent.
    pub tokens_in: u64,
    /// Requests that would be sent, per kind (task, skills).
    to_send: [u64; 2],
    /// Answers asked per request (`samples`).
    answers_per_request: u64,
    /// Usage of cached answers to this run's prompts, per kind.
    seen: [Seen; 2],
}

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::Task => 0,
        Kind::Skill => 1,
    }
}

/// Where the output estimate comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum OutBasis {
    /// The average of this many cached answers.
    Past(u64),
    /// `max_tokens` per answer: an upper bound.
    MaxTokens(u32),
    /// Both: past answers for some kinds, `max_tokens` for the others.
    Mixed(u64, u32),
}

/// The figures a dry run ends with.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub prompts: u64,
    pub cached: u64,
    pub to_send: u64,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub out_basis: OutBasis,
    /// The encoding the input was counted with; `None`: bytes / 4.
    pub encoding: Option<String>,
    /// USD at the model's price, when `[prices]` has one.
    pub cost: Option<f64>,
}

impl Estimate {
    pub fn new(endpoint: &Endpoint) -> Estimate {
        Estimate {
            answers_per_request: u64::from(endpoint.samples.max(1)),
            ..Estimate::default()
        }
    }

    /// A prompt the cache answers, with what its answer used.
    pub fn cached(&mut self, kind: Kind, usage: Usage) {
        self.prompts += 1;
        self.cached += 1;
        self.seen[slot(kind)].add(usage);
    }

    /// A prompt that would be sent, with its prompt tokens.
    pub fn to_send(&mut self, kind: Kind, tokens_in: u64) {
        self.prompts += 1;
        self.to_send[slot(kind)] += 1;
        self.tokens_in += tokens_in;
    }

    /// The totals. Kinds no cached answer of this run tells about are learnt from up to
    /// [`SAMPLED`] other answers of the model in the cache, else counted at `max_tokens`.
    pub fn figures(
        mut self,
        cache: &Cache,
        endpoint: &Endpoint,
        encoding: Option<&str>,
    ) -> Figures {
        if (0..2).any(|k| self.to_send[k] > 0 && self.seen[k].answers == 0) {
            for (k, s) in past_usage(cache, &endpoint.model).into_iter().enumerate() {
                if self.seen[k].answers == 0 {
                    self.seen[k] = s;
                }
            }
        }
        let (mut out, mut from_past, mut bounded) = (0f64, 0u64, false);
        for k in 0..2 {
            if self.to_send[k] == 0 {
                continue;
            }
            let per_answer = match self.seen[k].average() {
                Some(avg) => {
                    from_past += self.seen[k].answers;
                    avg
                }
                None => {
                    bounded = true;
                    f64::from(endpoint.max_tokens)
                }
            };
            out += per_answer * (self.to_send[k] * self.answers_per_request) as f64;
        }
        let tokens_out = out.round() as u64;
        let out_basis = match (from_past, bounded) {
            (0, _) => OutBasis::MaxTokens(endpoint.max_tokens),
            (n, false) => OutBasis::Past(n),
            (n, true) => OutBasis::Mixed(n, endpoint.max_tokens),
        };
        Figures {
            prompts: self.prompts,
            cached: self.cached,
            to_send: self.to_send.iter().sum(),
            tokens_in: self.tokens_in,
            tokens_out,
            out_basis,
            encoding: encoding.map(String::from),
            cost: endpoint
                .price
                .map(|p: Price| crate::draft::report::cost(p, self.tokens_in, tokens_out)),
        }
    }
}

/// What up to [`SAMPLED`] cached answers of the model used, per kind.
fn past_usage(cache: &Cache, model: &str) -> [Seen; 2] {
    let mut seen = [Seen::default(); 2];
    let Ok(listing) = cache.scan() else {
        return seen;
    };
    let mut read = 0;
    for path in listing.entries {
        if read >= SAMPLED {
            break;
        }
        let Some(entry) = cache
            .read(&path)
            .ok()
            .flatten()
            .and_then(|t| serde_json::from_str::<CacheEntry>(&t).ok())
        else {
            continue;
        };
        read += 1;
        if entry.model != model || entry.usage.completion_tokens == 0 {
            continue;
        }
        let kind = match entry.asked() {
            Some(crate::reply::Ask::Task) => Kind::Task,
            Some(_) => Kind::Skill,
            None => continue,
        };
        seen[slot(kind)].add(entry.usage);
    }
    seen
}

/// `14,412,345` as `14.4M`, `12,345` as `12.3k`.
pub fn short(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// A cost in dollars, with cents, or with enough digits to show a small one.
fn dollars(c: f64) -> String {
    if c >= 1.0 {
        format!("{c:.2}")
    } else {
        format!("{c:.4}")
    }
}

impl Figures {
    /// The lines a dry run ends with.
    pub fn lines(&self, endpoint: &Endpoint) -> String {
        let mut out = format!(
            "dry run: {} prompt(s), {} cached, {} would be sent; nothing was sent\n",
            thousands(self.prompts),
            thousands(self.cached),
            thousands(self.to_send)
        );
        if self.to_send == 0 {
            out.push_str("estimate: nothing would be sent: no tokens, $0\n");
            return out;
        }
        let counted = match &self.encoding {
            Some(e) => format!("counted with {e}, {}'s tokenizer", endpoint.model),
            None => format!("bytes / 4: no tokenizer is known for {:?}", endpoint.model),
        };
        let basis = match &self.out_basis {
            OutBasis::Past(n) => format!(
                "as long as {} cached answer(s) of {} on average",
                thousands(*n),
                endpoint.model
            ),
            OutBasis::MaxTokens(m) => format!("at most: max_tokens ({m}) per answer"),
            OutBasis::Mixed(n, m) => format!(
                "as long as {} cached answer(s) on average, max_tokens ({m}) where none tells",
                thousands(*n)
            ),
        };
        let _ = writeln!(
            out,
            "tokens in:  about {} ({}, {counted})",
            short(self.tokens_in),
            thousands(self.tokens_in)
        );
        let _ = writeln!(
            out,
            "tokens out: about {} ({}, {basis})",
            short(self.tokens_out),
            thousands(self.tokens_out)
        );
        match (self.cost, endpoint.price) {
            (Some(c), Some(p)) => {
                let _ = writeln!(
                    out,
                    "cost:       ~${} at {}'s [prices] (${} in, ${} out per 1M tokens)",
                    dollars(c),
                    endpoint.model,
                    p.input,
                    p.output
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "cost:       unknown: no price for {:?} in willai.toml [prices] (add `input` and `output`, USD per 1M tokens)",
                    endpoint.model
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_models_are_counted_with_their_encoding_others_by_bytes() {
        let c = Counter::for_model("gpt-4o-mini");
        assert_eq!(c.encoding(), Some("o200k_base"));
        assert_eq!(Counter::for_model("gpt-4").encoding(), Some("cl100k_base"));
        assert_eq!(Counter::for_model("smollm2").encoding(), None);
        let mut c = Counter::for_model("gpt-4o");
        // "hello world" is two tokens in o200k_base.
        assert_eq!(c.text("hello world"), 2);
        assert_eq!(c.text("hello world"), 2, "counted once, remembered");
        let mut bytes = Counter::for_model("smollm2");
        assert_eq!(bytes.text(&"x".repeat(400)), 100);
    }

    #[test]
    fn a_body_costs_its_messages_their_framing_and_the_schema() {
        let body = crate::llm::body_of(serde_json::json!({
            "model": "gpt-4o", "messages": [
                {"role": "system", "content": "hello world"},
                {"role": "user", "content": "hello world"}],
            "response_format": {"type": "json_object", "schema": {"type": "object"}}
        }));
        let mut c = Counter::for_model("gpt-4o");
        let schema = c.text(r#"{"type":"object"}"#);
        let roles = c.text("system") + c.text("user");
        assert_eq!(c.body(&body), 3 + 2 * (3 + 2) + roles + schema);
        let mut bytes = Counter::for_model("local");
        assert_eq!(bytes.body(&body), body.bytes.len() as u64 / 4);
    }

    #[test]
    fn short_numbers_read_like_the_summary() {
        assert_eq!(short(999), "999");
        assert_eq!(short(12_345), "12.3k");
        assert_eq!(short(14_412_345), "14.4M");
        assert_eq!(thousands(20_188), "20,188");
    }
}
