//! One HTTP attempt: the body sent once, the answer read (never past
//! `max_reply_bytes`) and sorted into what the retry loop does next.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use super::body::Body;
use super::client::Client;
use super::errors::{mask, one_line};
use super::outcome::CallError;
use crate::cache::Usage;

/// The outcome of one HTTP attempt.
pub(super) enum Attempt {
    Ok {
        response: Value,
        usage: Usage,
    },
    /// Worth another try: a 408/409/429/5xx (`status`), or a timeout or dropped
    /// connection (no status).
    Retry {
        status: Option<u16>,
        /// The server's error in one line, or what happened to the connection.
        message: String,
        retry_after: Option<Duration>,
    },
    Refused {
        status: u16,
        message: String,
        param: Option<String>,
    },
    Fatal(CallError),
}

impl Attempt {
    /// Why a retryable attempt failed, as a notice says it.
    pub(super) fn why(status: Option<u16>, message: &str) -> String {
        match status {
            Some(status) => format!("HTTP {status}: {message}"),
            None => message.to_string(),
        }
    }
}

impl Client {
    /// The one place the key is attached (to a prompt and to the GETs of what the server
    /// says of itself): never for an endpoint willai.toml chose without the user's
    /// consent.
    pub(super) fn with_key(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.endpoint.key_for_sending() {
            Some(key) => req.bearer_auth(key.expose()),
            None => req,
        }
    }

    pub(super) async fn attempt(&self, body: &Body) -> Attempt {
        let req = self.with_key(
            self.http
                .post(&self.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.bytes.clone()),
        );
        let secret = self.endpoint.api_key.as_ref().map(|k| k.expose());
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return self.transport(e),
        };
        let status = resp.status().as_u16();
        let retry_after = retry_after(resp.headers());
        let bytes = match self.read_capped(resp).await {
            Ok(Some(b)) => b,
            Ok(None) => {
                return Attempt::Fatal(CallError::TooLarge {
                    limit: self.endpoint.max_reply_bytes,
                });
            }
            Err(e) => return self.transport(e),
        };
        if (200..300).contains(&status) {
            // A server that echoes the key back (a debugging proxy, a hostile one) would
            // put it in the cache and the record: such a reply is not kept.
            if let Some(key) = secret.filter(|k| k.len() >= super::errors::MIN_SECRET_LEN)
                && bytes.windows(key.len()).any(|w| w == key.as_bytes())
            {
                return Attempt::Fatal(CallError::BadResponse {
                    message: "the reply contains the API key; it was not kept (check what the server at this base URL does with requests)".into(),
                });
            }
            return match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) if v.get("choices").is_some() => {
                    // Believed up to what the request could use: the budget, the summary
                    // and the cache entry all count that (and it is said, once).
                    let reported = Usage::of(&v);
                    let usage = reported.at_most(body.usage_ceiling(self.endpoint.max_tokens));
                    if usage != reported && !self.usage_said.swap(true, Ordering::Relaxed) {
                        (self.notify)(super::client::Notice::Usage {
                            reported: reported.total(),
                            counted: usage.total(),
                        });
                    }
                    Attempt::Ok { usage, response: v }
                }
                Ok(_) => Attempt::Fatal(CallError::BadResponse {
                    message: one_line(&bytes, secret),
                }),
                Err(e) => Attempt::Fatal(CallError::BadResponse {
                    message: format!("{e}: {}", one_line(&bytes, secret)),
                }),
            };
        }
        let message = one_line(&bytes, secret);
        // llama-cpp-python answers an unsupported `response_format` with 500 and its
        // request-validation error (seen with 0.3.36): that is a refusal of the mode, not a
        // server in trouble, and retrying it would only fail the same way.
        let refuses_format = body.value.get("response_format").is_some()
            && message.to_lowercase().contains("response_format");
        match status {
            400 | 422 => Attempt::Refused {
                status,
                message,
                param: error_param(&bytes),
            },
            _ if refuses_format => Attempt::Refused {
                status,
                message,
                param: error_param(&bytes),
            },
            408 | 409 | 429 | 500..=599 => Attempt::Retry {
                status: Some(status),
                message,
                retry_after,
            },
            _ => Attempt::Fatal(CallError::Status {
                status,
                message,
                attempts: 1,
            }),
        }
    }

    /// Reads a response body up to `max_reply_bytes`, and stops reading past it (a
    /// runaway or hostile server cannot fill the memory).
    /// `None` when the body is larger.
    pub(super) async fn read_capped(
        &self,
        mut resp: reqwest::Response,
    ) -> Result<Option<Vec<u8>>, reqwest::Error> {
        let limit = self.endpoint.max_reply_bytes;
        if resp.content_length().is_some_and(|n| n > limit) {
            return Ok(None);
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await? {
            if (out.len() + chunk.len()) as u64 > limit {
                return Ok(None);
            }
            out.extend_from_slice(&chunk);
        }
        Ok(Some(out))
    }

    fn transport(&self, e: reqwest::Error) -> Attempt {
        let secret = self.endpoint.api_key.as_ref().map(|k| k.expose());
        // A redirect away from the endpoint was refused (see `client::redirect_policy`):
        // the same would happen again, so it is not retried.
        if e.is_redirect() {
            return Attempt::Fatal(CallError::Redirected {
                why: mask(&innermost(&e), secret),
            });
        }
        let what = if e.is_timeout() {
            format!(
                "no answer within {} s (timeout)",
                self.endpoint.timeout.as_secs_f64()
            )
        } else if e.is_connect() {
            format!(
                "cannot connect to {}: {}",
                self.endpoint.shown_url(),
                innermost(&e)
            )
        } else {
            format!(
                "connection to {} dropped: {}",
                self.endpoint.shown_url(),
                innermost(&e)
            )
        };
        let what = mask(&what, secret);
        if e.is_builder() {
            return Attempt::Fatal(CallError::Transport { what, attempts: 1 });
        }
        Attempt::Retry {
            status: None,
            message: what,
            retry_after: None,
        }
    }
}

fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// The `param` an OpenAI-style error body names (`{"error": {"param": "logprobs"}}`).
fn error_param(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.pointer("/error/param")?.as_str().map(String::from)
}

/// Longest wait a server's Retry-After may impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// `retry-after-ms` (milliseconds) or `Retry-After` (seconds or an HTTP date).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    if let Some(ms) = headers.get("retry-after-ms").and_then(|v| v.to_str().ok())
        && let Ok(ms) = ms.trim().parse::<f64>()
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(seconds(ms / 1000.0));
    }
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| seconds(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let secs = (when.as_millisecond() - now.as_millisecond()).max(0) as f64 / 1000.0;
    Some(seconds(secs))
}

/// A server's wait in seconds (finite, not negative), held to [`MAX_RETRY_AFTER`]: a
/// `Retry-After: 1e300` must neither overflow a `Duration` nor stall a run for ages.
fn seconds(secs: f64) -> Duration {
    Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn retry_after_reads_seconds_milliseconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut h = HeaderMap::new();
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(30);
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&later)
            .unwrap();
        h.insert("retry-after", HeaderValue::from_str(&date).unwrap());
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?} from {date}"
        );
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
        // Neither a negative nor an endless wait is a wait (and neither may panic).
        for odd in ["-5", "inf", "NaN"] {
            h.insert("retry-after", HeaderValue::from_static(odd));
            assert_eq!(retry_after(&h), None, "{odd}");
        }
        let mut h = HeaderMap::new();
        for odd in ["-5", "inf"] {
            h.insert("retry-after-ms", HeaderValue::from_static(odd));
            assert_eq!(retry_after(&h), None, "{odd}");
        }
        // An absurd wait is held to the longest we ever wait.
        h.insert("retry-after-ms", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
    }
}
