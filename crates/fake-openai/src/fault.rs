//! Scripted faults.
//!
//! willai's retry, timeout, fallback and validation paths only run when an
//! endpoint misbehaves, so tests script the misbehaviour: a queue of [`Fault`]s
//! is attached to a *needle*, and each chat request whose raw body contains the
//! needle takes the next fault from the queue. Keying on body content rather
//! than arrival order keeps tests deterministic when willai sends requests
//! concurrently.

use std::collections::VecDeque;
use std::time::Duration;

/// One way for the fake server to misbehave on a single chat request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// A raw reply with any status, headers and body (invalid status codes
    /// become 500; invalid header names or values are skipped).
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// 429 with `Retry-After: <value>` (seconds or an HTTP date) and an OpenAI-style error body.
    RateLimited { retry_after: String },
    /// 429 with `retry-after-ms: <n>` and an OpenAI-style error body.
    RateLimitedMs(u64),
    /// This status (e.g. 500, 503) with an OpenAI-style error body.
    ServerError(u16),
    /// Waits this long, then replies normally (to exceed the client's timeout).
    Delay(Duration),
    /// Closes the connection without sending any response.
    Drop,
    /// 200, a well-formed completion whose content is prose rather than JSON.
    InvalidJson,
    /// 200, content is JSON that breaks the requested schema.
    BreakSchema,
    /// 200 with `finish_reason: "length"` and a truncated JSON object as content.
    Length,
    /// 200, a normal completion whose content is exactly this string.
    Reply(String),
    /// 200, `Content-Type: application/json`, exactly this body.
    RawBody(String),
}

/// Fault queues in registration order.
#[derive(Debug, Default)]
pub(crate) struct Scripts {
    scripts: Vec<Script>,
}

#[derive(Debug)]
struct Script {
    needle: Vec<u8>,
    queue: VecDeque<Fault>,
}

impl Scripts {
    pub(crate) fn add(&mut self, needle: &str, faults: Vec<Fault>) {
        if !faults.is_empty() {
            self.scripts.push(Script {
                needle: needle.as_bytes().to_vec(),
                queue: faults.into(),
            });
        }
    }

    /// The next fault of the first script (in registration order) whose needle
    /// occurs in `body`. Exhausted scripts are dropped, so they never match
    /// again and the common no-script case stays a length check.
    pub(crate) fn take(&mut self, body: &[u8]) -> Option<Fault> {
        let index = self
            .scripts
            .iter()
            .position(|script| contains(body, &script.needle))?;
        let script = self.scripts.get_mut(index)?;
        let fault = script.queue.pop_front();
        if script.queue.is_empty() {
            self.scripts.remove(index);
        }
        fault
    }
}

/// Whether `needle` occurs in `haystack` (the empty needle occurs everywhere).
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(fault: Option<Fault>) -> String {
        format!("{fault:?}")
    }

    #[test]
    fn first_registered_matching_script_wins_until_exhausted() {
        let mut scripts = Scripts::default();
        scripts.add("task-a", vec![Fault::Drop, Fault::InvalidJson]);
        scripts.add("task", vec![Fault::Length]);
        scripts.add("never", vec![]);
        assert_eq!(name(scripts.take(b"about task-b")), "Some(Length)");
        assert_eq!(name(scripts.take(b"about task-a")), "Some(Drop)");
        assert_eq!(name(scripts.take(b"other")), "None");
        assert_eq!(name(scripts.take(b"about task-a")), "Some(InvalidJson)");
        assert_eq!(name(scripts.take(b"about task-a")), "None");
        assert!(scripts.scripts.is_empty());
    }

    #[test]
    fn empty_needle_matches_everything() {
        let mut scripts = Scripts::default();
        scripts.add("", vec![Fault::ServerError(503)]);
        assert_eq!(name(scripts.take(b"")), "Some(ServerError(503))");
    }
}
