//! What a request asks of the model's output: the structured-output mode, with the order
//! in which the client falls back when a server refuses one, and how confidence is
//! measured. Both are settings (`structured_output`, `confidence`) spelled the same on
//! the command line and in `willai.toml`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How the request asks for structured output. The client falls back down this list
/// when a server refuses a mode with 400/422: the order is [`StructuredOutput::fallback`],
/// written out, never the order of the variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum StructuredOutput {
    /// `response_format: {type: json_schema, strict: true}` (OpenAI, vLLM, recent Ollama)
    JsonSchema,
    /// `response_format: {type: json_object, schema}` (llama.cpp's servers)
    JsonObject,
    /// no `response_format`: the prompt asks for JSON and the reply is checked here
    None,
}

impl StructuredOutput {
    pub fn name(self) -> &'static str {
        match self {
            StructuredOutput::JsonSchema => "json_schema",
            StructuredOutput::JsonObject => "json_object",
            StructuredOutput::None => "none",
        }
    }

    /// The next mode to try when a server refuses this one.
    pub fn fallback(self) -> Option<StructuredOutput> {
        match self {
            StructuredOutput::JsonSchema => Some(StructuredOutput::JsonObject),
            StructuredOutput::JsonObject => Some(StructuredOutput::None),
            StructuredOutput::None => None,
        }
    }

    /// This mode and every mode it may fall back to, in order.
    pub fn chain(self) -> Vec<StructuredOutput> {
        let mut out = vec![self];
        while let Some(next) = out.last().and_then(|m| m.fallback()) {
            out.push(next);
        }
        out
    }

    /// Of this mode and `other`, the one further down the fallback chain: where calls
    /// start once both refusals are known.
    pub fn further(self, other: StructuredOutput) -> StructuredOutput {
        if self.chain().contains(&other) {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for StructuredOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a draft's confidence is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum ConfidenceMode {
    /// Ask for token log-probabilities and read the level's probability.
    Logprobs,
    /// Record no confidence (unless --samples asks for several answers).
    None,
}

impl fmt::Display for ConfidenceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfidenceMode::Logprobs => "logprobs",
            ConfidenceMode::None => "none",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::StructuredOutput::{JsonObject, JsonSchema, None};
    use super::*;

    #[test]
    fn modes_are_spelled_the_same_on_the_command_line_and_in_willai_toml() {
        use clap::ValueEnum;
        for mode in [JsonSchema, JsonObject, None] {
            assert_eq!(StructuredOutput::from_str(mode.name(), false), Ok(mode));
            let toml_value: super::super::FileConfig =
                toml::from_str(&format!("structured_output = {:?}", mode.name())).unwrap();
            assert_eq!(toml_value.structured_output, Some(mode));
        }
    }

    #[test]
    fn mode_chain_falls_back_in_order() {
        assert_eq!(JsonSchema.chain(), vec![JsonSchema, JsonObject, None]);
        assert_eq!(JsonObject.chain(), vec![JsonObject, None]);
        assert_eq!(None.chain(), vec![None]);
    }

    /// Where two calls fell back to different modes, the run goes on in the one further
    /// down the chain, whichever order the two are named in.
    #[test]
    fn the_further_of_two_modes_is_the_later_in_the_chain() {
        let cases = [
            (JsonSchema, JsonSchema, JsonSchema),
            (JsonSchema, JsonObject, JsonObject),
            (JsonSchema, None, None),
            (JsonObject, None, None),
            (JsonObject, JsonObject, JsonObject),
            (None, None, None),
        ];
        for (a, b, want) in cases {
            assert_eq!(a.further(b), want, "{a} and {b}");
            assert_eq!(b.further(a), want, "{b} and {a}");
        }
    }
}
