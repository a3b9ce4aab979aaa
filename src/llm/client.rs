//! The chat-completions client: one call = build, send (with retries, `retry.rs`, one
//! HTTP attempt at a time, `attempt.rs`) in the mode the server takes (`negotiate.rs`),
//! check, and at most one re-ask. The README ("How it talks to the endpoint") states
//! the contract.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::body::{Body, Variant, build_body, first_variant};
use super::limits::Limits;
use super::negotiate::{Feature, Features, mode_of, refused_feature};
use super::outcome::{CallError, SendError};
use crate::answer;
use crate::cache::{CacheEntry, Reask, Source, Usage, message_content};
use crate::config::{Endpoint, StructuredOutput};
use crate::prompt::{Message, Prompt};
use crate::reply::Reply;

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
        from: StructuredOutput,
        to: StructuredOutput,
        why: String,
    },
    Reask {
        why: String,
    },
    /// A worker waits (a budget is spent, or a 429 paused every worker): how long, why.
    Waiting {
        wait: Duration,
        why: String,
    },
    /// The server reported more tokens for a call than its request could use: counted
    /// as the most it could (said once a run).
    Usage {
        reported: u64,
        counted: u64,
    },
    /// The server refused or ignored an optional parameter (`logprobs`, `n`); the run
    /// goes on without it.
    Feature {
        what: &'static str,
        why: String,
        instead: &'static str,
    },
}

/// An API endpoint does not redirect: a redirect within its origin (scheme, host, port)
/// is followed (at most 5), one to another origin is refused and never sent, whatever
/// the status: a 307 would carry the prompt there (the key is stripped by reqwest, the
/// body is not). The refusal names where it pointed.
fn redirect_policy(endpoint: &Endpoint) -> reqwest::redirect::Policy {
    let base = endpoint.shown_url();
    let origin = reqwest::Url::parse(&endpoint.base_url)
        .ok()
        .map(|u| u.origin());
    reqwest::redirect::Policy::custom(move |attempt| {
        if origin.as_ref() != Some(&attempt.url().origin()) {
            let to = crate::config::redact_url(attempt.url().as_str());
            let why = format!(
                "the server redirected the request to {to}, away from the endpoint {base}: willai does not follow an API to another host, port or scheme (the prompt would go there); if that is the right address, set base_url (or OPENAI_BASE_URL) to it"
            );
            attempt.error(std::io::Error::other(why))
        } else if attempt.previous().len() > 5 {
            attempt.error(std::io::Error::other(format!(
                "the server redirected the request more than 5 times within {base}"
            )))
        } else {
            attempt.follow()
        }
    })
}

/// A prompt answered: its cache entries (the first is the prompt's own, named as
/// provenance; more when samples were requested one by one) and the reply, checked.
#[derive(Debug)]
pub struct Answered {
    pub entries: Vec<CacheEntry>,
    pub reply: Reply,
}

/// The client of one run.
pub struct Client {
    pub(super) http: reqwest::Client,
    pub(super) endpoint: Endpoint,
    pub(super) url: String,
    pub(super) limits: Limits,
    features: Features,
    pub stats: Stats,
    pub(super) notify: Box<dyn Fn(Notice) + Send + Sync>,
    /// Whether a usage beyond the request's ceiling was said already.
    pub(super) usage_said: std::sync::atomic::AtomicBool,
}

impl Client {
    pub fn new(
        endpoint: Endpoint,
        notify: Box<dyn Fn(Notice) + Send + Sync>,
    ) -> anyhow::Result<Client> {
        // No client for an endpoint a project's willai.toml chose without the user's
        // consent (callers say which project; this is the last guard).
        if let crate::config::consent::KeyConsent::Needed { .. } = endpoint.key_consent {
            return Err(endpoint
                .check_consent(std::path::Path::new("."))
                .expect_err("consent is needed")
                .into());
        }
        let http = reqwest::Client::builder()
            .redirect(redirect_policy(&endpoint))
            .timeout(endpoint.timeout)
            .connect_timeout(endpoint.connect_timeout)
            .pool_max_idle_per_host(endpoint.concurrency.max(1))
            .user_agent(concat!("willai/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let url = endpoint.completions_url();
        Ok(Client {
            http,
            limits: Limits::new(endpoint.rpm, endpoint.tpm),
            features: Features::new(
                endpoint.mode,
                endpoint.logprobs && endpoint.samples <= 1,
                endpoint.samples > 1,
            ),
            url,
            endpoint,
            stats: Stats::default(),
            notify,
            usage_said: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The mode calls currently start in (after any fallback).
    pub fn mode(&self) -> StructuredOutput {
        self.features.mode()
    }

    /// Starts in a fallback of the configured mode that this endpoint needed before.
    pub fn start_in(&self, mode: StructuredOutput) {
        self.features.start_in(mode);
    }

    /// Turns an optional parameter off for the rest of the run, and says so once.
    fn feature_off(&self, feature: Feature, why: String) {
        if self.features.turn_off(feature) {
            let (what, instead) = feature.without();
            (self.notify)(Notice::Feature { what, why, instead });
        }
    }

    /// Sends in the run's mode, falling back once per mode when the server refuses it
    /// with 400/422; a refusal that names `logprobs` drops them instead, and one that
    /// names `n` is left to the caller ([`SendError::NoChoices`]). Returns the body that
    /// was answered.
    async fn send_negotiated(
        &self,
        prompt: &Prompt,
        variant: impl Fn(StructuredOutput) -> Variant,
    ) -> Result<(Body, Value, Usage), SendError> {
        let mut mode = self.mode();
        loop {
            let v = variant(mode);
            let body = build_body(&self.endpoint, prompt, v, &[]);
            let refusal = match self.send(&body).await {
                Ok((response, usage)) => return Ok((body, response, usage)),
                Err(SendError::Refused(refusal)) => refusal,
                Err(e) => return Err(e),
            };
            match refused_feature(refusal.param.as_deref(), &refusal.message) {
                Some(Feature::Logprobs) if v.logprobs => {
                    self.feature_off(Feature::Logprobs, refusal.why());
                    continue;
                }
                Some(Feature::Choices) if v.n > 1 => return Err(SendError::NoChoices(refusal)),
                _ => {}
            }
            let Some(next) = mode.fallback() else {
                return Err(SendError::Failed(CallError::Refused {
                    status: refusal.status,
                    message: refusal.message,
                }));
            };
            if self.features.fall_back(mode, next) {
                (self.notify)(Notice::Fallback {
                    from: mode,
                    to: next,
                    why: refusal.why(),
                });
            }
            // Another call may have fallen back further already.
            mode = next.further(self.mode());
        }
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
                    logprobs: first.logprobs && self.features.asks(Feature::Logprobs),
                    n: 1,
                    sample: None,
                })
                .await?;
            return Ok(Answered {
                entries: vec![entry],
                reply,
            });
        }
        if self.features.asks(Feature::Choices) {
            let variant = |mode| Variant {
                mode,
                logprobs: false,
                n: samples,
                sample: None,
            };
            match self.send_negotiated(prompt, variant).await {
                Ok((body, response, usage)) => {
                    if answer::choices(&response).len() >= samples as usize {
                        let reply = self
                            .check(&response, prompt)
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
                Err(SendError::NoChoices(refusal)) => {
                    self.feature_off(Feature::Choices, refusal.why());
                }
                Err(e) => return Err(e.into()),
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
            .check(&serde_json::json!({ "choices": choices }), prompt)
            .map_err(|error| CallError::Invalid { error })?;
        Ok(Answered { entries, reply })
    }

    /// One request (in the run's mode and the variant `variant` makes of it): sent,
    /// checked, and asked again once with the error when the reply is invalid. The entry
    /// is keyed by the first request's body, so a rerun finds it without sending anything.
    async fn complete_one(
        &self,
        prompt: &Prompt,
        variant: impl Fn(StructuredOutput) -> Variant,
    ) -> Result<(CacheEntry, Reply), CallError> {
        let (body, response, usage) = self.send_negotiated(prompt, &variant).await?;
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
        let error = match self.check(&response, prompt) {
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
        // A refusal now is of this request (its length, its content), not of the mode the
        // first one was answered in: it fails the call as the HTTP error it is.
        let (response2, usage2) = self.send(&reask_body).await?;
        let reply = self
            .check(&response2, prompt)
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

    /// The reply of a response, checked: its shape first, then its content (junk, the
    /// prompt's instructions given back, included).
    fn check(&self, response: &Value, prompt: &Prompt) -> Result<Reply, String> {
        answer::read_with(
            &prompt.ask,
            response,
            self.endpoint.max_tokens,
            Some(&prompt.instructions),
        )
    }

    fn entry(
        &self,
        body: &Body,
        mut response: Value,
        usage: Usage,
        reask: Option<Reask>,
    ) -> CacheEntry {
        answer::prune_logprobs(&mut response);
        // Where it came from: this endpoint's host, and what the response says of itself.
        let source = Source::of(Some(self.endpoint.host()), &response);
        CacheEntry::new(
            body.key.clone(),
            self.endpoint.model.clone(),
            usage,
            reask,
            body.value.clone(),
            response,
        )
        .with_source(source)
    }
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
