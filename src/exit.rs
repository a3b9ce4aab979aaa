//! The error policy, in one place (after ripgrep's `messages.rs` and xh's
//! `error_reporting.rs`): commands keep going past per-item problems, remember them, and
//! decide the exit code at the end; the code follows from the type of the error, here.
//!
//! - 0: the job is done.
//! - 1: the job ran and found problems (validation failed, some drafts failed) or hit an
//!   unexpected I/O error.
//! - 2: usage or configuration error: nothing was attempted, and the message says what
//!   to change.
//! - 130, 143, 129: stopped by Ctrl-C, SIGTERM or SIGHUP, after saving what was done.
//!
//! Errors are printed as a headline plus one `Reason:` line per cause in the chain.

use std::error::Error;

use crate::batch::BatchError;
use crate::catalog::CatalogError;
use crate::config::ConfigError;
use crate::diff::DiffError;
use crate::eval::EvalError;
use crate::onet::OnetError;
use crate::prompt::PromptError;
use crate::publish::PublishError;
use crate::review::ReviewError;

/// The job ran to the end and found problems that were already reported (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProblemsFound(pub String);

/// The run was stopped by a signal (Ctrl-C, `kill`, a closed terminal) after saving what
/// was done: exit 128 + the signal's number, the shell's convention (130 for SIGINT, 143
/// for SIGTERM, 129 for SIGHUP).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Interrupted {
    pub signal: i32,
    pub message: String,
}

/// Builds the "problems were found" outcome (exit 1) with a one-line summary.
pub fn problems(summary: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ProblemsFound(summary.into()))
}

/// The exit code of one error in a chain, if its type decides one.
fn code_of(e: &(dyn Error + 'static)) -> Option<u8> {
    if let Some(i) = e.downcast_ref::<Interrupted>() {
        return Some(u8::try_from(128 + i.signal).unwrap_or(130));
    }
    if e.is::<ProblemsFound>() {
        return Some(1);
    }
    if e.is::<ConfigError>()
        || e.is::<CatalogError>()
        || e.is::<PromptError>()
        || e.is::<ReviewError>()
        || e.is::<OnetError>()
        || e.is::<crate::serve::ServeError>()
    {
        return Some(2);
    }
    if let Some(e) = e.downcast_ref::<EvalError>() {
        return Some(if e.is_usage() { 2 } else { 1 });
    }
    if let Some(e) = e.downcast_ref::<PublishError>() {
        return Some(if e.is_usage() { 2 } else { 1 });
    }
    if let Some(e) = e.downcast_ref::<crate::init::InitError>() {
        return Some(if e.is_usage() { 2 } else { 1 });
    }
    if let Some(e) = e.downcast_ref::<DiffError>() {
        return Some(if e.is_usage() { 2 } else { 1 });
    }
    if let Some(e) = e.downcast_ref::<crate::fsx::LockError>() {
        return Some(if e.0.is_refusal() { 2 } else { 1 });
    }
    if let Some(e) = e.downcast_ref::<BatchError>() {
        return Some(if e.is_usage() { 2 } else { 1 });
    }
    None
}

/// The exit code an error maps to: that of the outermost error whose type decides one,
/// else 1 (an unexpected failure, such as a full disk).
pub fn code_for(err: &anyhow::Error) -> u8 {
    err.chain().find_map(code_of).unwrap_or(1)
}

/// Prints an error as a headline and its causes, `willai: error: ...` then `Reason: ...`.
/// Never panics: stderr may be a terminal that has just closed.
pub fn report(err: &anyhow::Error) {
    use std::io::Write;
    let mut out = std::io::stderr().lock();
    if let Some(found) = err.downcast_ref::<ProblemsFound>() {
        let _ = writeln!(out, "willai: {}", crate::text::visible(&found.to_string()));
        return;
    }
    if let Some(stopped) = err.downcast_ref::<Interrupted>() {
        let _ = writeln!(out, "willai: interrupted: {stopped}");
        return;
    }
    // Errors quote files and servers (a serde message names the value it refused):
    // control characters are shown as escapes, never sent to the terminal raw.
    let _ = writeln!(
        out,
        "willai: error: {}",
        crate::text::visible(&err.to_string())
    );
    for cause in err.chain().skip(1) {
        let _ = writeln!(
            out,
            "  Reason: {}",
            crate::text::visible_line(&cause.to_string())
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn usage_errors_map_to_2_even_when_wrapped() {
        let err = Err::<(), _>(anyhow::Error::new(ConfigError::NoModel))
            .context("cannot draft")
            .unwrap_err();
        assert_eq!(code_for(&err), 2);
    }

    #[test]
    fn other_errors_map_to_1() {
        assert_eq!(code_for(&problems("2 tasks failed")), 1);
        assert_eq!(code_for(&anyhow::anyhow!("disk full")), 1);
        let read = EvalError::Read {
            path: "x".into(),
            source: std::io::Error::other("gone"),
        };
        assert_eq!(code_for(&anyhow::Error::new(read)), 1);
    }

    #[test]
    fn an_interruption_maps_to_130() {
        let stopped = |signal| {
            anyhow::Error::new(Interrupted {
                signal,
                message: "x".into(),
            })
        };
        assert_eq!(code_for(&stopped(2)), 130);
        assert_eq!(code_for(&stopped(15)), 143);
    }
}
