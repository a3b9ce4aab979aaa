//! Sending one body until it is answered: retries of 408/409/429/5xx, timeouts and
//! dropped connections with exponential backoff and jitter, the server's Retry-After
//! honoured, and the run's rate limits taken before each request.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use super::attempt::Attempt;
use super::body::Body;
use super::client::{Client, Notice};
use super::outcome::{CallError, Refusal, SendError};
use crate::cache::Usage;

/// Longest wait a server's Retry-After may impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

impl Client {
    /// Sends one body, retrying 408/409/429/5xx, timeouts and dropped connections with
    /// exponential backoff and jitter, honouring Retry-After.
    pub(super) async fn send(&self, body: &Body) -> Result<(Value, Usage), SendError> {
        let mut backoff = backoff(self.endpoint.retry_base, self.endpoint.retries);
        let estimate = body.token_estimate(self.endpoint.max_tokens);
        let mut attempts = 0u32;
        loop {
            self.limits.acquire(estimate).await;
            attempts += 1;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = self.attempt(body).await;
            match outcome {
                Attempt::Ok { response, usage } => {
                    self.limits.settle(estimate, usage.total());
                    self.stats
                        .prompt_tokens
                        .fetch_add(usage.prompt_tokens, Ordering::Relaxed);
                    self.stats
                        .completion_tokens
                        .fetch_add(usage.completion_tokens, Ordering::Relaxed);
                    return Ok((response, usage));
                }
                Attempt::Retry {
                    status,
                    message,
                    retry_after,
                } => {
                    self.limits.settle(estimate, 0);
                    let Some(mut delay) = backoff.next() else {
                        return Err(SendError::Failed(match status {
                            Some(status) => CallError::Status {
                                status,
                                message,
                                attempts,
                            },
                            None => CallError::Transport {
                                what: message,
                                attempts,
                            },
                        }));
                    };
                    if let Some(after) = retry_after {
                        // Already held to MAX_RETRY_AFTER where the header is read.
                        delay = delay.max(after);
                    }
                    if status == Some(429) {
                        self.limits.pause_all(delay);
                    }
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    (self.notify)(Notice::Retry {
                        why: Attempt::why(status, &message),
                        attempt: attempts,
                        delay,
                    });
                    tokio::time::sleep(delay).await;
                }
                Attempt::Refused {
                    status,
                    message,
                    param,
                } => {
                    self.limits.settle(estimate, 0);
                    return Err(SendError::Refused(Refusal {
                        status,
                        message,
                        param,
                        attempts,
                    }));
                }
                Attempt::Fatal(e) => {
                    self.limits.settle(estimate, 0);
                    return Err(SendError::Failed(e));
                }
            }
        }
    }
}

/// The longest wait between two tries (a server's Retry-After may ask for more).
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The waits before each retry: the i-th is `base` × 2^i plus up to as much again of
/// jitter (so workers that failed together do not retry together), the whole held to
/// [`MAX_BACKOFF`]; `retries` of them.
fn backoff(base: Duration, retries: u32) -> impl Iterator<Item = Duration> {
    (0..retries).map(move |i| {
        let floor = base.saturating_mul(2u32.saturating_pow(i)).min(MAX_BACKOFF);
        (floor + floor.mul_f64(fastrand::f64())).min(MAX_BACKOFF)
    })
}

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
    fn backoff_doubles_from_the_base_with_jitter_and_never_waits_over_30_s() {
        assert_eq!(MAX_BACKOFF, Duration::from_secs(30), "the README says 30 s");
        let base = Duration::from_millis(500);
        let waits: Vec<Duration> = backoff(base, 8).collect();
        assert_eq!(waits.len(), 8);
        for (i, w) in waits.iter().enumerate() {
            // The i-th wait is base * 2^i plus up to as much again, held to 30 s.
            let floor = (base * 2u32.pow(i as u32)).min(MAX_BACKOFF);
            assert!(
                *w >= floor && *w <= (floor * 2).min(MAX_BACKOFF),
                "{i}: {w:?}"
            );
        }
        assert_eq!(waits[7], MAX_BACKOFF, "64 s of backoff is held to 30 s");
        // A base above the cap, too.
        assert!(backoff(Duration::from_secs(45), 3).all(|w| w == MAX_BACKOFF));
        assert_eq!(backoff(base, 0).count(), 0);
        // The jitter is there: workers that failed together spread out.
        let firsts: Vec<Duration> = (0..20).filter_map(|_| backoff(base, 1).next()).collect();
        assert!(firsts.iter().any(|w| *w > base), "{firsts:?}");
        assert!(firsts.iter().any(|w| *w != firsts[0]), "{firsts:?}");
        // Many retries neither overflow nor wait longer.
        assert!(backoff(base, 100).all(|w| w <= MAX_BACKOFF));
    }

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
