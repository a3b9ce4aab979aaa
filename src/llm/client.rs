//! The chat-completions client: one call = build, send (with retries), check, and at
//! most one re-ask. The README ("How it talks to the endpoint") states the contract.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use backon::BackoffBuilder;
use serde_json::Value;

use super::body::{Body, Variant, build_body, first_variant};
use super::errors::{mask, one_line};
use super::limits::Limits;
use crate::answer;
use crate::cache::{Entry, Reask, Usage, message_content};
use crate::config::{Endpoint, Mode};
use crate::prompt::{Message, Prompt};
use crate::reply::{Ask, Reply};

/// Counters of a run, shared by every worker.
#[derive(Debug, Default)]
pub struct Stats {
    /// HTTP requests sent (every attempt, refused and retried ones included).
    pub requests: AtomicU64,
    /// Attempts that were retried after a 408/409/429/5xx, timeout or dropped connection.
    pub retries: AtomicU64,
    pub prompt_tokens: AtomicU64,
    pub completion_tokens: AtomicU64,
    /// Replies that failed validation and were asked again.
    pub reasks: AtomicU64,
    /// Re-asks whose second reply was valid.
    pub reasks_fixed: AtomicU64,
}

/// Something the run should tell the user about.
#[derive(Clone, Debug)]
pub enum Notice {
    Retry {
        why: String,
        attempt: u32,
        delay: Duration,
    },
    Fallback {
        from: Mode,
        to: Mode,
        why: String,
    },
    Reask {
        why: String,
    },
    /// The server refused or ignored an optional parameter (`logprobs`, `n`); the run
    /// goes on without it.
    Feature {
        what: &'static str,
        why: String,
        instead: &'static str,
    },
}

/// A prompt answered: its cache entries (the first is the prompt's own, named as
/// provenance; more when samples were requested one by one) and the reply, checked.
#[derive(Debug)]
pub struct Answered {
    pub entries: Vec<Entry>,
    pub reply: Reply,
}

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
            CallError::TooLarge { limit } => write!(
                f,
                "the server's answer is larger than max_reply_bytes ({limit} bytes); reading stopped there (raise max_reply_bytes in willai.toml if the answers are real)"
            ),
        }
    }
}

impl std::error::Error for CallError {}

/// The outcome of one HTTP attempt.
enum Attempt {
    Ok {
        response: Value,
        usage: Usage,
    },
    Retry {
        why: String,
        retry_after: Option<Duration>,
        status: Option<u16>,
        message: String,
    },
    Refused {
        status: u16,
        message: String,
        param: Option<String>,
    },
    Fatal(CallError),
}

/// Why a response body was not read whole.
enum Capped {
    Transport(reqwest::Error),
    TooLarge,
}

/// Why a body could not be sent, after retries.
enum SendError {
    /// 400/422: the caller may fall back to another structured-output mode, or drop the
    /// parameter the server names.
    Refused {
        status: u16,
        message: String,
        param: Option<String>,
    },
    /// The server refuses `n` (several choices): ask for each sample on its own.
    NoChoices(String),
    Fatal(CallError),
}

/// An optional request parameter a server may refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Feature {
    Logprobs,
    Choices,
}

/// Which optional parameter a refusal is about: the error's `param`, else its message.
fn refused_feature(param: Option<&str>, message: &str) -> Option<Feature> {
    let message = message.to_lowercase();
    match param {
        Some("logprobs" | "top_logprobs") => return Some(Feature::Logprobs),
        Some("n") => return Some(Feature::Choices),
        _ => {}
    }
    if message.contains("logprobs") {
        return Some(Feature::Logprobs);
    }
    let names_n = [
        "'n'",
        "`n`",
        "\"n\"",
        "body.n",
        "n must",
        "parameter n ",
        "n is not",
    ]
    .iter()
    .any(|p| message.contains(p))
        || message.starts_with("n ");
    names_n.then_some(Feature::Choices)
}

/// What the run's server takes, learnt as it answers, shared by every worker: the
/// structured-output mode (once a mode is refused, later calls start in its fallback),
/// and whether to keep asking for log-probabilities and for `n` choices (off once the
/// server refuses or ignores them). Calls already in flight when the first refusal
/// arrives fall back on their own (a refusal is answered at once, before any
/// generation, so this costs at most `concurrency` quick requests, and a run that never
/// meets a refusing server waits for nothing).
struct Features {
    mode: AtomicU8,
    logprobs: AtomicBool,
    choices: AtomicBool,
}

fn mode_to_u8(m: Mode) -> u8 {
    match m {
        Mode::JsonSchema => 0,
        Mode::JsonObject => 1,
        Mode::None => 2,
    }
}

fn mode_from_u8(v: u8) -> Mode {
    match v {
        0 => Mode::JsonSchema,
        1 => Mode::JsonObject,
        _ => Mode::None,
    }
}

/// Longest wait a server's Retry-After may impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// The client of one run.
pub struct Client {
    http: reqwest::Client,
    endpoint: Endpoint,
    url: String,
    limits: Limits,
    features: Features,
    pub stats: Stats,
    notify: Box<dyn Fn(Notice) + Send + Sync>,
}

impl Client {
    pub fn new(
        endpoint: Endpoint,
        notify: Box<dyn Fn(Notice) + Send + Sync>,
    ) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .timeout(endpoint.timeout)
            .connect_timeout(endpoint.connect_timeout)
            .pool_max_idle_per_host(endpoint.concurrency.max(1))
            .user_agent(concat!("willai/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let url = endpoint.completions_url();
        Ok(Client {
            http,
            limits: Limits::new(endpoint.rpm, endpoint.tpm),
            features: Features {
                mode: AtomicU8::new(mode_to_u8(endpoint.mode)),
                logprobs: AtomicBool::new(endpoint.logprobs && endpoint.samples <= 1),
                choices: AtomicBool::new(endpoint.samples > 1),
            },
            url,
            endpoint,
            stats: Stats::default(),
            notify,
        })
    }

    /// The mode calls currently start in (after any fallback).
    pub fn mode(&self) -> Mode {
        mode_from_u8(self.features.mode.load(Ordering::SeqCst))
    }

    /// Gets a validated reply for a prompt, with the cache entries to store. With
    /// `samples` above 1, several answers are asked for (`n`, or one request per sample
    /// where the server refuses or ignores `n`) and the reply is the majority's.
    pub async fn complete(&self, prompt: &Prompt) -> Result<Answered, CallError> {
        let first = first_variant(&self.endpoint, &prompt.ask, self.endpoint.mode);
        let samples = first.n;
        if samples <= 1 {
            let (entry, reply) = self
                .complete_one(prompt, |mode| Variant {
                    mode,
                    logprobs: first.logprobs && self.features.logprobs.load(Ordering::SeqCst),
                    n: 1,
                    sample: None,
                })
                .await?;
            return Ok(Answered {
                entries: vec![entry],
                reply,
            });
        }
        if self.features.choices.load(Ordering::SeqCst) {
            let variant = |mode| Variant {
                mode,
                logprobs: false,
                n: samples,
                sample: None,
            };
            match self.send_negotiated(prompt, variant).await {
                Ok((body, (response, usage))) => {
                    if answer::choices(&response).len() >= samples as usize {
                        let reply = self
                            .check(&response, &prompt.ask)
                            .map_err(|error| CallError::Invalid { error })?;
                        return Ok(Answered {
                            entries: vec![self.entry(&body, response, usage, None)],
                            reply,
                        });
                    }
                    self.feature_off(
                        Feature::Choices,
                        "the server ignores n (it gave one answer)".into(),
                    );
                }
                Err(SendError::NoChoices(why)) => self.feature_off(Feature::Choices, why),
                Err(SendError::Fatal(e)) => return Err(e),
                Err(SendError::Refused {
                    status, message, ..
                }) => {
                    return Err(CallError::Refused { status, message });
                }
            }
        }
        // One request per sample, each with its own seed, each checked like any call.
        let mut entries = Vec::new();
        let mut choices = Vec::new();
        for i in 0..samples {
            let (entry, _) = self
                .complete_one(prompt, |mode| Variant {
                    mode,
                    logprobs: false,
                    n: 1,
                    sample: Some(i),
                })
                .await?;
            choices.extend(answer::choices(&entry.response).iter().take(1).cloned());
            entries.push(entry);
        }
        let reply = self
            .check(&serde_json::json!({ "choices": choices }), &prompt.ask)
            .map_err(|error| CallError::Invalid { error })?;
        Ok(Answered { entries, reply })
    }

    /// One request (in the run's mode and the variant `variant` makes of it): sent,
    /// checked, and asked again once with the error when the reply is invalid. The entry
    /// is keyed by the first request's body, so a rerun finds it without sending anything.
    async fn complete_one(
        &self,
        prompt: &Prompt,
        variant: impl Fn(Mode) -> Variant,
    ) -> Result<(Entry, Reply), CallError> {
        let (body, first) = match self.send_negotiated(prompt, &variant).await {
            Ok(answered) => answered,
            Err(SendError::Fatal(e)) => return Err(e),
            Err(SendError::Refused {
                status, message, ..
            }) => {
                return Err(CallError::Refused { status, message });
            }
            Err(SendError::NoChoices(message)) => {
                return Err(CallError::Refused {
                    status: 400,
                    message,
                });
            }
        };
        let (response, usage) = first;
        if body.value.get("logprobs").is_some()
            && answer::choices(&response)
                .iter()
                .all(|c| c.get("logprobs").is_none_or(Value::is_null))
        {
            self.feature_off(
                Feature::Logprobs,
                "the server ignores logprobs (its answers carry none)".into(),
            );
        }
        let error = match self.check(&response, &prompt.ask) {
            Ok(reply) => return Ok((self.entry(&body, response, usage, None), reply)),
            Err(error) => error,
        };
        self.stats.reasks.fetch_add(1, Ordering::Relaxed);
        (self.notify)(Notice::Reask { why: error.clone() });
        let previous = message_content(&response).unwrap_or_default();
        let follow_up = [
            Message {
                role: "assistant",
                content: previous.to_string(),
            },
            Message {
                role: "user",
                content: format!(
                    "Your previous reply was not valid: {error}. Reply again with only the corrected JSON object, nothing else."
                ),
            },
        ];
        // Asked again the way the first request was (its mode, its sample), but for what
        // the server turned out not to take since.
        let asked = variant(mode_of(&body.value));
        let reask_body = build_body(&self.endpoint, prompt, asked, &follow_up);
        let (response2, usage2) = match self.send(&reask_body).await {
            Ok(r) => r,
            Err(SendError::Fatal(e)) => return Err(e),
            Err(SendError::Refused {
                status, message, ..
            }) => {
                return Err(CallError::Status {
                    status,
                    message,
                    attempts: 1,
                });
            }
            Err(SendError::NoChoices(message)) => {
                return Err(CallError::Status {
                    status: 400,
                    message,
                    attempts: 1,
                });
            }
        };
        let reply = self
            .check(&response2, &prompt.ask)
            .map_err(|error| CallError::Invalid { error })?;
        self.stats.reasks_fixed.fetch_add(1, Ordering::Relaxed);
        let mut total = usage;
        total.add(usage2);
        let entry = self.entry(
            &body,
            response2,
            total,
            Some(Reask {
                error,
                request: without_invalid_reply(reask_body.value),
            }),
        );
        Ok((entry, reply))
    }

    /// Turns an optional parameter off for the rest of the run, and says so once.
    fn feature_off(&self, feature: Feature, why: String) {
        let (flag, what, instead) = match feature {
            Feature::Logprobs => (
                &self.features.logprobs,
                "logprobs",
                "drafting without log-probabilities: drafts carry no confidence",
            ),
            Feature::Choices => (
                &self.features.choices,
                "n",
                "asking for each sample in a request of its own",
            ),
        };
        if flag.swap(false, Ordering::SeqCst) {
            (self.notify)(Notice::Feature { what, why, instead });
        }
    }

    /// The reply of a response, checked: its shape first, then its content.
    fn check(&self, response: &Value, ask: &Ask) -> Result<Reply, String> {
        answer::read(ask, response, self.endpoint.max_tokens)
    }

    fn entry(&self, body: &Body, mut response: Value, usage: Usage, reask: Option<Reask>) -> Entry {
        answer::prune_logprobs(&mut response);
        Entry::new(
            body.key.clone(),
            self.endpoint.model.clone(),
            usage,
            reask,
            body.value.clone(),
            response,
        )
    }

    /// Sends in the run's mode, falling back once per mode when the server refuses it
    /// with 400/422; a refusal that names `logprobs` drops them instead (and `n` is left
    /// to the caller). Returns the body that was answered.
    async fn send_negotiated(
        &self,
        prompt: &Prompt,
        variant: impl Fn(Mode) -> Variant,
    ) -> Result<(Body, (Value, Usage)), SendError> {
        let mut mode = self.mode();
        loop {
            let v = variant(mode);
            let body = build_body(&self.endpoint, prompt, v, &[]);
            match self.send(&body).await {
                Ok(answer) => return Ok((body, answer)),
                Err(SendError::Refused {
                    status,
                    message,
                    param,
                }) => {
                    let why = format!("HTTP {status}: {message}");
                    match refused_feature(param.as_deref(), &message) {
                        Some(Feature::Logprobs) if v.logprobs => {
                            self.feature_off(Feature::Logprobs, why);
                            continue;
                        }
                        Some(Feature::Choices) if v.n > 1 => {
                            return Err(SendError::NoChoices(why));
                        }
                        _ => {}
                    }
                    let Some(next) = mode.fallback() else {
                        return Err(SendError::Refused {
                            status,
                            message,
                            param,
                        });
                    };
                    let before = self.features.mode.compare_exchange(
                        mode_to_u8(mode),
                        mode_to_u8(next),
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                    if before.is_ok() {
                        (self.notify)(Notice::Fallback {
                            from: mode,
                            to: next,
                            why,
                        });
                    }
                    // Another call may have fallen back further already.
                    mode = next.max(self.mode());
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends one body, retrying 408/409/429/5xx, timeouts and dropped connections with
    /// exponential backoff and jitter, honouring Retry-After.
    async fn send(&self, body: &Body) -> Result<(Value, Usage), SendError> {
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
                    why,
                    retry_after,
                    status,
                    message,
                } => {
                    self.limits.settle(estimate, 0);
                    let Some(mut delay) = backoff.next() else {
                        return Err(SendError::Fatal(match status {
                            Some(status) => CallError::Status {
                                status,
                                message,
                                attempts,
                            },
                            None => CallError::Transport {
                                what: why,
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
                        why,
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
                    return Err(SendError::Refused {
                        status,
                        message,
                        param,
                    });
                }
                Attempt::Fatal(e) => {
                    self.limits.settle(estimate, 0);
                    return Err(SendError::Fatal(e));
                }
            }
        }
    }

    async fn attempt(&self, body: &Body) -> Attempt {
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
            Ok(b) => b,
            Err(Capped::Transport(e)) => return self.transport(e),
            Err(Capped::TooLarge) => {
                return Attempt::Fatal(CallError::TooLarge {
                    limit: self.endpoint.max_reply_bytes,
                });
            }
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
                why: format!("HTTP {status}: {message}"),
                retry_after,
                status: Some(status),
                message,
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
    async fn read_capped(&self, mut resp: reqwest::Response) -> Result<Vec<u8>, Capped> {
        let limit = self.endpoint.max_reply_bytes;
        if resp.content_length().is_some_and(|n| n > limit) {
            return Err(Capped::TooLarge);
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(Capped::Transport)? {
            if (out.len() + chunk.len()) as u64 > limit {
                return Err(Capped::TooLarge);
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
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
            message: what.clone(),
            why: what,
            retry_after: None,
            status: None,
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

/// A re-ask's request as the cache keeps it: the invalid reply it quoted is replaced by a
/// note of its size, so no invalid reply is kept anywhere in the cache.
fn without_invalid_reply(mut request: Value) -> Value {
    if let Some(messages) = request.get_mut("messages").and_then(Value::as_array_mut) {
        for m in messages.iter_mut().filter(|m| m["role"] == "assistant") {
            let size = m["content"].as_str().map_or(0, |c| c.chars().count());
            m["content"] = Value::from(format!(
                "(the invalid reply, {size} characters, is not kept)"
            ));
        }
    }
    request
}

/// The structured-output mode a body was built in.
fn mode_of(body: &Value) -> Mode {
    match body
        .pointer("/response_format/type")
        .and_then(Value::as_str)
    {
        Some("json_schema") => Mode::JsonSchema,
        Some(_) => Mode::JsonObject,
        None => Mode::None,
    }
}

/// The longest wait between two tries (a server's Retry-After may ask for more).
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The waits before each retry: from `base`, doubling, with up to as much again of
/// jitter (so workers that failed together do not retry together), never above
/// [`MAX_BACKOFF`]; `retries` of them.
fn backoff(base: Duration, retries: u32) -> impl Iterator<Item = Duration> {
    backon::ExponentialBuilder::default()
        .with_min_delay(base)
        .with_max_delay(MAX_BACKOFF)
        .with_factor(2.0)
        .with_jitter()
        .with_max_times(retries as usize)
        .build()
        // backon adds the jitter after its cap, and takes the first wait as given.
        .map(|d| d.min(MAX_BACKOFF))
}

/// The `param` an OpenAI-style error body names (`{"error": {"param": "logprobs"}}`).
fn error_param(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.pointer("/error/param")?.as_str().map(String::from)
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
