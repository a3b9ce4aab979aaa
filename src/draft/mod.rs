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
pub mod exec;
pub mod lookup;
pub mod plan;
pub mod report;
