//! `willai draft`: turn catalog tasks into drafted exposure levels, rationales, tools
//! and tips (and skill assessments) through an OpenAI-compatible endpoint, every answer
//! cached by the hash of its request.
//!
//! The stages: plan (what is missing or stale), render (prompts), look up (cache), send
//! (client, bounded concurrency), apply (records, never overwriting a person's text),
//! report (progress and summary).

mod apply;
pub mod batch_out;
pub mod exec;
pub mod plan;
pub mod report;
