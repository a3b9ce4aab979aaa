//! Negotiation with the run's server: which structured-output mode it takes (falling
//! back down [`StructuredOutput::fallback`] when one is refused), and whether it takes the
//! optional `logprobs` and `n`. What is learnt is shared by every worker of the run.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use serde_json::Value;

use super::body::{Body, Variant, build_body};
use super::client::{Client, Notice};
use super::outcome::{CallError, SendError};
use crate::cache::Usage;
use crate::config::StructuredOutput;
use crate::prompt::Prompt;

/// An optional request parameter a server may refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Feature {
    Logprobs,
    Choices,
}

/// Which optional parameter a refusal is about: the error's `param`, else its message.
fn refused_feature(param: Option<&str>, message: &str) -> Option<Feature> {
    let message = message.to_lowercase();
    match param {
        Some("logprobs" | "top_logprobs") => return Some(Feature::Logprobs),
        Some("n") => return Some(Feature::Choices),
        _ => {}
    }
    if message.contains("logprobs") {
        return Some(Feature::Logprobs);
    }
    let names_n = [
        "'n'",
        "`n`",
        "\"n\"",
        "body.n",
        "n must",
        "parameter n ",
        "n is not",
    ]
    .iter()
    .any(|p| message.contains(p))
        || message.starts_with("n ");
    names_n.then_some(Feature::Choices)
}

/// What the run's server takes, learnt as it answers, shared by every worker: the
/// structured-output mode (once a mode is refused, later calls start in its fallback),
/// and whether to keep asking for log-probabilities and for `n` choices (off once the
/// server refuses or ignores them). Calls already in flight when the first refusal
/// arrives fall back on their own (a refusal is answered at once, before any
/// generation, so this costs at most `concurrency` quick requests, and a run that never
/// meets a refusing server waits for nothing).
pub(super) struct Features {
    pub(super) mode: AtomicU8,
    pub(super) logprobs: AtomicBool,
    pub(super) choices: AtomicBool,
}

pub(super) fn mode_to_u8(m: StructuredOutput) -> u8 {
    match m {
        StructuredOutput::JsonSchema => 0,
        StructuredOutput::JsonObject => 1,
        StructuredOutput::None => 2,
    }
}

fn mode_from_u8(v: u8) -> StructuredOutput {
    match v {
        0 => StructuredOutput::JsonSchema,
        1 => StructuredOutput::JsonObject,
        _ => StructuredOutput::None,
    }
}

/// The structured-output mode a body was built in.
pub(super) fn mode_of(body: &Value) -> StructuredOutput {
    match body
        .pointer("/response_format/type")
        .and_then(Value::as_str)
    {
        Some("json_schema") => StructuredOutput::JsonSchema,
        Some(_) => StructuredOutput::JsonObject,
        None => StructuredOutput::None,
    }
}

impl Client {
    /// The mode calls currently start in (after any fallback).
    pub fn mode(&self) -> StructuredOutput {
        mode_from_u8(self.features.mode.load(Ordering::SeqCst))
    }

    /// Turns an optional parameter off for the rest of the run, and says so once.
    pub(super) fn feature_off(&self, feature: Feature, why: String) {
        let (flag, what, instead) = match feature {
            Feature::Logprobs => (
                &self.features.logprobs,
                "logprobs",
                "drafting without log-probabilities: drafts carry no confidence",
            ),
            Feature::Choices => (
                &self.features.choices,
                "n",
                "asking for each sample in a request of its own",
            ),
        };
        if flag.swap(false, Ordering::SeqCst) {
            (self.notify)(Notice::Feature { what, why, instead });
        }
    }

    /// Sends in the run's mode, falling back once per mode when the server refuses it
    /// with 400/422; a refusal that names `logprobs` drops them instead, and one that
    /// names `n` is left to the caller ([`SendError::NoChoices`]). Returns the body that
    /// was answered.
    pub(super) async fn send_negotiated(
        &self,
        prompt: &Prompt,
        variant: impl Fn(StructuredOutput) -> Variant,
    ) -> Result<(Body, Value, Usage), SendError> {
        let mut mode = self.mode();
        loop {
            let v = variant(mode);
            let body = build_body(&self.endpoint, prompt, v, &[]);
            let refusal = match self.send(&body).await {
                Ok((response, usage)) => return Ok((body, response, usage)),
                Err(SendError::Refused(refusal)) => refusal,
                Err(e) => return Err(e),
            };
            match refused_feature(refusal.param.as_deref(), &refusal.message) {
                Some(Feature::Logprobs) if v.logprobs => {
                    self.feature_off(Feature::Logprobs, refusal.why());
                    continue;
                }
                Some(Feature::Choices) if v.n > 1 => return Err(SendError::NoChoices(refusal)),
                _ => {}
            }
            let Some(next) = mode.fallback() else {
                return Err(SendError::Failed(CallError::Refused {
                    status: refusal.status,
                    message: refusal.message,
                }));
            };
            let before = self.features.mode.compare_exchange(
                mode_to_u8(mode),
                mode_to_u8(next),
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
            if before.is_ok() {
                (self.notify)(Notice::Fallback {
                    from: mode,
                    to: next,
                    why: refusal.why(),
                });
            }
            // Another call may have fallen back further already.
            mode = next.further(self.mode());
        }
    }
}
