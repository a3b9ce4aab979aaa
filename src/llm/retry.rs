//! Sending one body until it is answered: retries of 408/409/429/5xx, timeouts and
//! dropped connections with exponential backoff and jitter, the server's Retry-After
//! honoured, and the run's rate limits taken before each request.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use super::attempt::Attempt;
use super::body::Body;
use super::client::{Client, Notice};
use super::limits::Wait;
use super::outcome::{CallError, Refusal, SendError};
use crate::cache::Usage;

impl Client {
    /// Why a worker waits, as a line says it: the budget and where it was set.
    fn wait_reason(&self, why: Wait) -> String {
        let from = |o: &Option<crate::config::Origin>| {
            o.as_ref()
                .map(|o| format!(", from {o}"))
                .unwrap_or_default()
        };
        match why {
            Wait::Paused => {
                "the server answered 429 (too many requests): every worker pauses".into()
            }
            Wait::Requests => format!(
                "the requests/min budget ({}{}) is spent",
                self.endpoint.rpm.unwrap_or_default(),
                from(&self.endpoint.rpm_from)
            ),
            Wait::Tokens => format!(
                "the tokens/min budget ({}{}) is spent",
                self.endpoint.tpm.unwrap_or_default(),
                from(&self.endpoint.tpm_from)
            ),
        }
    }

    /// Sends one body, retrying 408/409/429/5xx, timeouts and dropped connections with
    /// exponential backoff and jitter, honouring Retry-After.
    pub(super) async fn send(&self, body: &Body) -> Result<(Value, Usage), SendError> {
        let mut backoff = backoff(self.endpoint.retry_base, self.endpoint.retries);
        let estimate = body.token_estimate(self.endpoint.max_tokens);
        let mut attempts = 0u32;
        loop {
            self.limits
                .acquire(estimate, &|wait, why| {
                    (self.notify)(Notice::Waiting {
                        wait,
                        why: self.wait_reason(why),
                    })
                })
                .await;
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
                        // Already held to the longest wait where the header is read.
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
