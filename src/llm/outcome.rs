//! What a call can end in, and the one mapping between them: [`CallError`] is what the
//! rest of willai sees (one line, in the draft's summary); [`SendError`] is what sending
//! one body came to after its retries, where a refusal (400/422) is still open to a
//! fallback. A refusal nobody fell back from is an HTTP error like any other; only
//! [`negotiate`](super::negotiate) may say that every structured-output mode was refused.

/// Why a call failed, in one line.
#[derive(Debug)]
pub enum CallError {
    /// A status that is not retried, or retries ran out.
    Status {
        status: u16,
        message: String,
        attempts: u32,
    },
    /// Timeouts or dropped connections, retries ran out.
    Transport { what: String, attempts: u32 },
    /// Every structured-output mode was refused.
    Refused { status: u16, message: String },
    /// The reply was invalid, and so was the reply to the re-ask.
    Invalid { error: String },
    /// A 2xx body that is not a chat completion.
    BadResponse { message: String },
    /// A response larger than `max_reply_bytes`; reading stopped there.
    TooLarge { limit: u64 },
    /// A redirect away from the endpoint's origin, refused (nothing was sent there).
    Redirected { why: String },
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Status {
                status,
                message,
                attempts,
            } => {
                let hint = match status {
                    401 | 403 => ": check OPENAI_API_KEY",
                    404 => ": check OPENAI_BASE_URL (it usually ends in /v1) and the model name",
                    _ => "",
                };
                let tries = if *attempts > 1 {
                    format!(" after {attempts} attempts")
                } else {
                    String::new()
                };
                write!(f, "HTTP {status}{tries}: {message}{hint}")
            }
            CallError::Transport { what, attempts } => {
                write!(f, "{what} (gave up after {attempts} attempts)")
            }
            CallError::Refused { status, message } => {
                write!(
                    f,
                    "the server refused the request in every structured-output mode (HTTP {status}: {message})"
                )
            }
            CallError::Invalid { error } => {
                write!(f, "invalid reply, also after one re-ask: {error}")
            }
            CallError::BadResponse { message } => {
                write!(f, "the server's answer is not a chat completion: {message}")
            }
            CallError::Redirected { why } => f.write_str(why),
            CallError::TooLarge { limit } => write!(
                f,
                "the server's answer is larger than max_reply_bytes ({limit} bytes); reading stopped there (raise max_reply_bytes in willai.toml if the answers are real)"
            ),
        }
    }
}

impl std::error::Error for CallError {}

/// A 400/422 (or a refusal of `response_format` in any status): the request as built is
/// not taken, and retrying it as it is would fail the same way.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    /// The server's error, in one line.
    pub message: String,
    /// The parameter the error names (`{"error": {"param": "logprobs"}}`), if any.
    pub param: Option<String>,
    /// Requests sent for this body, the refused one included.
    pub attempts: u32,
}

impl Refusal {
    /// The refusal as a notice says it.
    pub fn why(&self) -> String {
        format!("HTTP {}: {}", self.status, self.message)
    }
}

/// Why a body got no answer.
#[derive(Debug)]
pub enum SendError {
    /// Refused: the caller may fall back to another structured-output mode, or drop the
    /// parameter the server names.
    Refused(Refusal),
    /// The server refuses `n` (several choices): ask for each sample on its own.
    NoChoices(Refusal),
    /// Nothing to fall back to: the call fails with this.
    Failed(CallError),
}

/// The one mapping: a refusal that reaches the caller is the HTTP error it was.
impl From<SendError> for CallError {
    fn from(e: SendError) -> CallError {
        match e {
            SendError::Refused(r) | SendError::NoChoices(r) => CallError::Status {
                status: r.status,
                message: r.message,
                attempts: r.attempts,
            },
            SendError::Failed(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal keeps its own status and attempts on its way out (it used to become a
    /// made-up 400, or one attempt, depending on where it was met).
    #[test]
    fn a_refusal_becomes_the_http_error_it_was() {
        let refusal = |status| Refusal {
            status,
            message: "maximum context length exceeded".into(),
            param: Some("messages".into()),
            attempts: 3,
        };
        for e in [
            SendError::Refused(refusal(422)),
            SendError::NoChoices(refusal(422)),
        ] {
            assert_eq!(
                CallError::from(e).to_string(),
                "HTTP 422 after 3 attempts: maximum context length exceeded"
            );
        }
        let failed = SendError::Failed(CallError::Refused {
            status: 400,
            message: "no".into(),
        });
        assert_eq!(
            CallError::from(failed).to_string(),
            "the server refused the request in every structured-output mode (HTTP 400: no)"
        );
    }
}
