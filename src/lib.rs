//! willai: drafts, reviews and publishes "Will AI replace me?" analyses.
//!
//! The modules follow the pipeline: `catalog` (what is drafted) -> `prompt` (templates)
//! -> `llm` (the endpoint) -> `cache` (answers by request hash) -> `record` and
//! `lifecycle` (drafts, edits, approvals) -> `draft` (the run) -> `review`, `validate`,
//! `publish`, `eval`. `cli` holds the command line and `cmd` one small file per
//! subcommand; `main` only maps the outcome to an exit code.

pub mod aliases;
pub mod annotate;
pub mod answer;
pub mod audit;
pub mod batch;
pub mod beneath;
pub mod cache;
pub mod canonical;
pub mod catalog;
pub mod cli;
pub mod cmd;
pub mod complete;
pub mod config;
pub mod diff;
pub mod draft;
pub mod eval;
pub mod exit;
pub mod fsx;
pub mod init;
pub mod junk;
pub mod lifecycle;
pub mod llm;
pub mod locate;
pub mod onet;
pub mod project;
pub mod prompt;
pub mod publish;
pub mod record;
pub mod reply;
pub mod review;
pub mod root;
pub mod schema;
pub mod serve;
pub mod signals;
pub mod slug;
pub mod soc;
pub mod store;
pub mod text;
pub mod validate;
pub mod words;

use std::process::ExitCode;

/// Parses the command line, runs the command, reports any error, returns the exit code.
pub fn main_entry() -> ExitCode {
    // `COMPLETE=bash willai -- ...`: the shell asks for completions (and nothing else runs).
    clap_complete::CompleteEnv::with_factory(<cli::Cli as clap::CommandFactory>::command)
        .complete();
    let (cli, sources) = cli::Cli::parse_with_sources();
    match cmd::run(cli, &sources) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            exit::report(&err);
            ExitCode::from(exit::code_for(&err))
        }
    }
}
