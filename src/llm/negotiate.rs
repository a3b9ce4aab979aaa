//! What the run's server takes, as learnt from its refusals: which structured-output
//! mode (falling back down [`StructuredOutput::fallback`] when one is refused), and
//! whether the optional `logprobs` and `n`. Shared by every worker of the run; the
//! client's `send_negotiated` is the loop that asks.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use serde_json::Value;

use crate::config::StructuredOutput;

/// An optional request parameter a server may refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Feature {
    Logprobs,
    Choices,
}

/// Which optional parameter a refusal is about: the error's `param`, else its message.
pub(super) fn refused_feature(param: Option<&str>, message: &str) -> Option<Feature> {
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
    mode: AtomicU8,
    logprobs: AtomicBool,
    choices: AtomicBool,
}

impl Features {
    pub(super) fn new(mode: StructuredOutput, logprobs: bool, choices: bool) -> Features {
        Features {
            mode: AtomicU8::new(mode_to_u8(mode)),
            logprobs: AtomicBool::new(logprobs),
            choices: AtomicBool::new(choices),
        }
    }

    /// The mode calls start in now.
    pub(super) fn mode(&self) -> StructuredOutput {
        mode_from_u8(self.mode.load(Ordering::SeqCst))
    }

    /// Whether requests still ask for this parameter.
    pub(super) fn asks(&self, feature: Feature) -> bool {
        self.flag(feature).load(Ordering::SeqCst)
    }

    /// Stops asking for it for the rest of the run; `true` for the one call that did.
    pub(super) fn turn_off(&self, feature: Feature) -> bool {
        self.flag(feature).swap(false, Ordering::SeqCst)
    }

    /// Starts calls in `mode`, a fallback of the configured one that this endpoint was
    /// seen to need before (remembered between runs).
    pub(super) fn start_in(&self, mode: StructuredOutput) {
        self.mode.store(mode_to_u8(mode), Ordering::SeqCst);
    }

    /// Moves the run's mode from `from` to `to`; `true` for the one call that did (an
    /// other may have moved it already, as far or further).
    pub(super) fn fall_back(&self, from: StructuredOutput, to: StructuredOutput) -> bool {
        self.mode
            .compare_exchange(
                mode_to_u8(from),
                mode_to_u8(to),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
    }

    fn flag(&self, feature: Feature) -> &AtomicBool {
        match feature {
            Feature::Logprobs => &self.logprobs,
            Feature::Choices => &self.choices,
        }
    }
}

impl Feature {
    /// The parameter's name, and what the run does without it.
    pub(super) fn without(self) -> (&'static str, &'static str) {
        match self {
            Feature::Logprobs => (
                "logprobs",
                "drafting without log-probabilities: drafts carry no confidence",
            ),
            Feature::Choices => ("n", "asking for each sample in a request of its own"),
        }
    }
}

fn mode_to_u8(m: StructuredOutput) -> u8 {
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
