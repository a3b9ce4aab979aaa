//! Talking to any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp,
//! Ollama): building the request body once (so the cache key and the bytes sent can
//! never disagree), sending it with retries, backoff and rate limits, negotiating the
//! structured-output mode, and asking again once when a reply is invalid.
//!
//! Hand-written on reqwest with lenient parsing: strict client libraries fail on
//! servers that omit `object`/`created` or invent new `finish_reason` values.

mod attempt;
mod body;
mod client;
mod errors;
mod limits;
mod models;
mod negotiate;
mod outcome;
pub mod remembered;
mod retry;

pub use body::{
    Body, TOP_LOGPROBS, Variant, body_of, build_body, candidates, first_variant, separate_samples,
};
pub use client::{Client, Notice, Stats};
pub use errors::one_line;
pub use models::{ModelCheck, Probe};
pub use outcome::CallError;
