//! The error policy, in one place (after ripgrep's `messages.rs` and xh's
//! `error_reporting.rs`): commands keep going past per-item problems, remember them, and
//! decide the exit code at the end.
//!
//! - 0: the job is done.
//! - 1: the job ran and found problems (validation failed, some drafts failed) or hit an
//!   unexpected I/O error.
//! - 2: usage or configuration error: nothing was attempted, and the message says what
//!   to change.
//! - 130: stopped by Ctrl-C, after saving what was done.
//!
//! Errors are printed as a headline plus one `Reason:` line per cause in the chain.

use std::fmt;

/// A usage or configuration error (exit 2). The message says what to do.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Builds a usage error (exit 2) from a message.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

/// The job ran to the end and found problems that were already reported (exit 1).
#[derive(Debug)]
pub struct ProblemsFound(pub String);

impl fmt::Display for ProblemsFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProblemsFound {}

/// Builds the "problems were found" outcome (exit 1) with a one-line summary.
pub fn problems(summary: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(ProblemsFound(summary.into()))
}

/// The run was stopped by Ctrl-C after saving what was done (exit 130, the shell's
/// convention for SIGINT).
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// The exit code an error maps to.
pub fn code_for(err: &anyhow::Error) -> u8 {
    if err.chain().any(|e| e.is::<UsageError>()) {
        2
    } else if err.chain().any(|e| e.is::<Interrupted>()) {
        130
    } else {
        1
    }
}

/// Prints an error as a headline and its causes, `willai: error: ...` then `Reason: ...`.
pub fn report(err: &anyhow::Error) {
    if let Some(found) = err.downcast_ref::<ProblemsFound>() {
        eprintln!("willai: {found}");
        return;
    }
    if let Some(stopped) = err.downcast_ref::<Interrupted>() {
        eprintln!("willai: interrupted: {stopped}");
        return;
    }
    eprintln!("willai: error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  Reason: {cause}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn usage_errors_map_to_2_even_when_wrapped() {
        let err = Err::<(), _>(usage("set OPENAI_BASE_URL"))
            .context("cannot draft")
            .unwrap_err();
        assert_eq!(code_for(&err), 2);
    }

    #[test]
    fn other_errors_map_to_1() {
        assert_eq!(code_for(&problems("2 tasks failed")), 1);
        assert_eq!(code_for(&anyhow::anyhow!("disk full")), 1);
    }
}
