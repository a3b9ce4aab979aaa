//! One HTTP attempt: the body sent once, the answer read (never past
//! `max_reply_bytes`) and sorted into what the retry loop does next.

use std::time::Duration;

use serde_json::Value;

use super::body::Body;
use super::client::Client;
use super::errors::{mask, one_line};
use super::outcome::CallError;
use super::retry::retry_after;
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
    pub(super) async fn attempt(&self, body: &Body) -> Attempt {
        let mut req = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.bytes.clone());
        if let Some(key) = &self.endpoint.api_key {
            req = req.bearer_auth(key.expose());
        }
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
                Ok(v) if v.get("choices").is_some() => Attempt::Ok {
                    usage: Usage::of(&v),
                    response: v,
                },
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
    async fn read_capped(
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
