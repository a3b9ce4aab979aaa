//! `willai draft`: turn catalog tasks into drafted exposure levels, rationales, tools
//! and tips (and skill assessments) through an OpenAI-compatible endpoint, every answer
//! cached by the hash of its request.
//!
//! The stages: plan (what is missing or stale), render (prompts), look up (cache), send
//! (the scheduler: client, bounded concurrency), apply (the sink: records, never
//! overwriting a person's text), report (progress and summary). `--dry-run` stops after
//! the lookup.

pub mod apply;
pub mod batch_out;
pub mod dry_run;
pub mod estimate;
pub mod exec;
pub mod lookup;
pub mod plan;
pub mod report;

/// A draft run that cannot start as asked (exit 2): the message says what to set.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error(
        "prompts are not in the cache and no endpoint is configured: set OPENAI_API_KEY (for api.openai.com) \
         or OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1 from scripts/local-llm), or draft from the cache \
         only with --offline"
    )]
    NoEndpoint,
    #[error(
        "batch request files carry the reply schema: use --structured-output json_schema (OpenAI, vLLM) or json_object"
    )]
    BatchNeedsSchema,
}
