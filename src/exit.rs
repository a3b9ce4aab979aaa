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

use crate::audit::AuditError;
use crate::batch::BatchError;
use crate::beneath::FileError;
use crate::catalog::CatalogError;
use crate::config::ConfigError;
use crate::diff::DiffError;
use crate::draft::DraftError;
use crate::eval::EvalError;
use crate::fsx::LockError;
use crate::init::InitError;
use crate::onet::OnetError;
use crate::prompt::PromptError;
use crate::publish::PublishError;
use crate::review::ReviewError;
use crate::root::RootError;
use crate::serve::ServeError;
use crate::store::StoreError;

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

/// Declares [`Failure`], one variant per error type that may reach the edge, and the
/// one place that finds it in an error's chain; the same list names the types for the
/// test that every error type of the crate is among them.
macro_rules! failures {
    ($($variant:ident($type:ty),)*) => {
        /// Why a command failed, as far as the exit code is concerned: one variant per
        /// error type that reaches the edge, and [`Failure::Unexpected`] for the rest
        /// (an I/O error with its context, such as a full disk).
        #[derive(Debug)]
        pub enum Failure<'e> {
            $($variant(&'e $type),)*
            Unexpected,
        }

        impl<'e> Failure<'e> {
            /// The outermost error in the chain whose type is known here.
            pub fn of(err: &'e anyhow::Error) -> Failure<'e> {
                err.chain().find_map(Failure::known).unwrap_or(Failure::Unexpected)
            }

            fn known(e: &'e (dyn Error + 'static)) -> Option<Failure<'e>> {
                $(if let Some(e) = e.downcast_ref::<$type>() {
                    return Some(Failure::$variant(e));
                })*
                None
            }
        }

        /// The names of the error types [`Failure`] knows.
        #[cfg(test)]
        const KNOWN: &[&str] = &[$(stringify!($type),)*];
    };
}

failures! {
    Problems(ProblemsFound),
    Interrupted(Interrupted),
    Config(ConfigError),
    Root(RootError),
    Catalog(CatalogError),
    Prompt(PromptError),
    Review(ReviewError),
    Audit(AuditError),
    Onet(OnetError),
    Serve(ServeError),
    Draft(DraftError),
    Eval(EvalError),
    Publish(PublishError),
    Init(InitError),
    Diff(DiffError),
    Batch(BatchError),
    Store(StoreError),
    File(FileError),
    Lock(LockError),
}

/// 2: the user must change the command, a setting or a file before trying again.
const USAGE: u8 = 2;
/// 1: the job ran and found problems, or failed for a reason outside the user's input.
const FAILED: u8 = 1;

impl Failure<'_> {
    /// The exit code, decided for every kind of failure (no `_`: a new variant does not
    /// compile until it has a code here).
    pub fn code(&self) -> u8 {
        let usage_or_failed = |usage: bool| if usage { USAGE } else { FAILED };
        match self {
            Failure::Interrupted(i) => u8::try_from(128 + i.signal).unwrap_or(130),
            Failure::Problems(_) | Failure::Store(_) | Failure::Unexpected => FAILED,
            Failure::Config(_)
            | Failure::Root(_)
            | Failure::Catalog(_)
            | Failure::Prompt(_)
            | Failure::Review(_)
            | Failure::Audit(_)
            | Failure::Onet(_)
            | Failure::Serve(_)
            | Failure::Draft(_) => USAGE,
            Failure::Eval(e) => usage_or_failed(e.is_usage()),
            Failure::Publish(e) => usage_or_failed(e.is_usage()),
            Failure::Init(e) => usage_or_failed(e.is_usage()),
            Failure::Diff(e) => usage_or_failed(e.is_usage()),
            Failure::Batch(e) => usage_or_failed(e.is_usage()),
            // A link, a special file or a file over the cap in the project: the project
            // must change before the command can run.
            Failure::File(e) => usage_or_failed(e.is_refusal()),
            Failure::Lock(e) => usage_or_failed(e.0.is_refusal()),
        }
    }
}

/// The exit code an error maps to: that of the outermost error whose type decides one,
/// else 1 (an unexpected failure, such as a full disk).
pub fn code_for(err: &anyhow::Error) -> u8 {
    Failure::of(err).code()
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

    /// Error types that never reach the edge, and why; every other error type of the
    /// crate must be a [`Failure`], or it would exit 1 whatever it means.
    const NOT_AT_THE_EDGE: &[(&str, &str)] = &[
        (
            "EditError",
            "shown on the review screen, and the text kept for the next edit",
        ),
        (
            "CallError",
            "fails one prompt, listed in the draft's summary",
        ),
    ];

    /// Every type that derives or implements `std::error::Error` in `src/`, by name.
    fn error_types() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for (i, line) in lines.iter().enumerate() {
                    let name = if line.contains("thiserror::Error") {
                        lines[i + 1..].iter().find_map(|l| {
                            let l = l
                                .trim_start()
                                .strip_prefix("pub ")
                                .unwrap_or(l.trim_start());
                            let rest = l
                                .strip_prefix("enum ")
                                .or_else(|| l.strip_prefix("struct "))?;
                            Some(
                                rest.split(|c: char| !c.is_alphanumeric())
                                    .next()?
                                    .to_string(),
                            )
                        })
                    } else {
                        line.trim_start()
                            .strip_prefix("impl std::error::Error for ")
                            .and_then(|rest| rest.split(|c: char| !c.is_alphanumeric()).next())
                            .map(String::from)
                    };
                    if let Some(name) = name {
                        out.push((name, path.display().to_string()));
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        out
    }

    /// A new error type that reaches `main` must get its exit code decided in
    /// [`Failure::code`], not fall to 1 by default.
    #[test]
    fn every_error_type_of_the_crate_has_an_exit_code() {
        let found = error_types();
        assert!(found.len() >= KNOWN.len(), "the scan found {found:?}");
        for (name, file) in &found {
            assert!(
                KNOWN.contains(&name.as_str()) || NOT_AT_THE_EDGE.iter().any(|(n, _)| n == name),
                "{name} ({file}) is an error type that exit.rs does not know: add it to `failures!` \
                 and give it a code in Failure::code, or to NOT_AT_THE_EDGE with the reason"
            );
        }
        for known in KNOWN {
            assert!(
                found.iter().any(|(n, _)| n == known),
                "{known} was not found by the scan"
            );
        }
    }

    #[test]
    fn each_kind_of_failure_has_its_code() {
        let cases: Vec<(anyhow::Error, u8)> = vec![
            (RootError::BlankRoot.into(), 2),
            (DraftError::NoEndpoint.into(), 2),
            (DraftError::BatchNeedsSchema.into(), 2),
            (ConfigError::NoSiteUrl.into(), 2),
            (
                anyhow::Error::new(StoreError::Unreadable {
                    path: "p".into(),
                    location: String::new(),
                    message: "m".into(),
                })
                .context("fix the records"),
                1,
            ),
            (
                anyhow::Error::new(Interrupted {
                    signal: 1,
                    message: "x".into(),
                }),
                129,
            ),
        ];
        for (err, code) in cases {
            assert_eq!(code_for(&err), code, "{err:#}");
        }
    }
}
