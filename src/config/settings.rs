//! Every setting resolved, with its origin: what the command line gave
//! ([`CommandLine`]) layered over `willai.toml` ([`FileConfig`]) and the defaults, by the
//! one rule of `layer.rs`, in one function ([`Settings::resolve`]).

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::ConfigError;
use super::file::{FileConfig, Price};
use super::layer::{Input, Resolved, layer, layer_or};
use super::output::{ConfidenceMode, StructuredOutput};
use super::secret::Secret;
use super::site::DeepDives;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// How many answers `--samples` may ask for.
pub const SAMPLES: std::ops::RangeInclusive<u32> = 1..=16;
pub const DEFAULT_SITE_NAME: &str = "WillAIReplaceMe";
/// A profession is ranked once 90% of its catalog tasks are reviewed: whatever the other
/// tenth turn out to be, its share of HIGH tasks moves by at most 10 points, one bar of
/// the index's histogram (the README's "Ranking" explains the choice).
pub const DEFAULT_RANK_COVERAGE: u32 = 90;
/// ...and has at least 10 reviewed tasks: with fewer, one task moves its share by more
/// than 10 points, so it is ranked apart.
pub const DEFAULT_RANK_MIN_TASKS: u32 = 10;
/// The most a reply may weigh (4 MiB): a task's answer is a few kB, with
/// log-probabilities a few hundred; anything larger is not an answer.
pub const DEFAULT_MAX_REPLY_BYTES: u64 = 4 * 1024 * 1024;

/// What the command line gave (flags and their environment variables), for every
/// setting the command has a flag for; the rest stay empty. Filled in by `cli.rs`.
#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    pub model: Input<String>,
    pub base_url: Input<String>,
    /// From `OPENAI_API_KEY` only, never a flag.
    pub api_key: Input<String>,
    pub concurrency: Input<usize>,
    pub rpm: Input<u32>,
    pub tpm: Input<u64>,
    pub timeout: Input<f64>,
    pub retries: Input<u32>,
    pub structured_output: Input<StructuredOutput>,
    pub confidence: Input<ConfidenceMode>,
    pub samples: Input<u32>,
    /// Who approves (`--reviewer`, `WILLAI_REVIEWER`); `git config user.name` else.
    pub reviewer: Input<String>,
    pub site_name: Input<String>,
    pub site_base_url: Input<String>,
    pub volume: Input<String>,
    pub number: Input<String>,
    pub date: Input<String>,
}

/// Every setting, resolved, with its origin. Values are checked where they are used
/// ([`super::Endpoint::new`], [`super::Site::new`]), so a command is not refused for a setting it
/// does not need.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    pub model: Option<Resolved<String>>,
    pub base_url: Resolved<String>,
    /// Whether a key is set, and where (never the key).
    pub api_key: Option<Resolved<Secret>>,
    pub concurrency: Resolved<usize>,
    pub requests_per_minute: Option<Resolved<u32>>,
    pub tokens_per_minute: Option<Resolved<u64>>,
    pub timeout_secs: Resolved<f64>,
    pub connect_timeout_secs: Resolved<f64>,
    pub retries: Resolved<u32>,
    pub retry_base_secs: Resolved<f64>,
    pub max_reply_bytes: Resolved<u64>,
    pub structured_output: Resolved<StructuredOutput>,
    pub confidence: Resolved<ConfidenceMode>,
    pub samples: Resolved<u32>,
    pub temperature: Resolved<f64>,
    pub seed: Resolved<i64>,
    pub max_tokens: Resolved<u32>,
    pub reviewer: Option<Resolved<String>>,
    pub prices: BTreeMap<String, Price>,
    pub site: SiteSettings,
}

/// The `[site]` settings, resolved.
#[derive(Clone, Debug, Serialize)]
pub struct SiteSettings {
    pub name: Resolved<String>,
    pub base_url: Option<Resolved<String>>,
    pub volume: Option<Resolved<String>>,
    pub number: Option<Resolved<String>>,
    pub date: Option<Resolved<String>>,
    pub license: Option<Resolved<String>>,
    pub license_url: Option<Resolved<String>>,
    pub signup_url: Option<Resolved<String>>,
    pub signup_text: Option<Resolved<String>>,
    pub rank_coverage: Resolved<u32>,
    pub rank_min_tasks: Resolved<u32>,
    pub deep_dives: Resolved<DeepDives>,
}

impl Settings {
    pub fn resolve(file: &FileConfig, given: CommandLine) -> Result<Settings, ConfigError> {
        let f = file.clone();
        let s = f.site;
        Ok(Settings {
            model: layer(given.model, f.model, "model", None)?,
            base_url: layer_or(
                given.base_url,
                f.base_url,
                "base_url",
                DEFAULT_BASE_URL.to_string(),
            )?,
            api_key: layer(given.api_key, None, "", None)?.map(|r| Resolved {
                value: Secret::new(r.value),
                origin: r.origin,
            }),
            concurrency: layer_or(given.concurrency, f.concurrency, "concurrency", 8)?,
            requests_per_minute: layer(
                given.rpm,
                f.requests_per_minute,
                "requests_per_minute",
                None,
            )?,
            tokens_per_minute: layer(given.tpm, f.tokens_per_minute, "tokens_per_minute", None)?,
            timeout_secs: layer_or(given.timeout, f.timeout_secs, "timeout_secs", 120.0)?,
            connect_timeout_secs: layer_or(
                Input::default(),
                f.connect_timeout_secs,
                "connect_timeout_secs",
                10.0,
            )?,
            retries: layer_or(given.retries, f.retries, "retries", 5)?,
            retry_base_secs: layer_or(Input::default(), f.retry_base_secs, "retry_base_secs", 0.5)?,
            max_reply_bytes: layer_or(
                Input::default(),
                f.max_reply_bytes,
                "max_reply_bytes",
                DEFAULT_MAX_REPLY_BYTES,
            )?,
            structured_output: layer_or(
                given.structured_output,
                f.structured_output,
                "structured_output",
                StructuredOutput::JsonSchema,
            )?,
            confidence: layer_or(
                given.confidence,
                f.confidence,
                "confidence",
                ConfidenceMode::Logprobs,
            )?,
            samples: layer_or(given.samples, f.samples, "samples", 1)?,
            temperature: layer_or(Input::default(), f.temperature, "temperature", 0.0)?,
            seed: layer_or(Input::default(), f.seed, "seed", 42)?,
            max_tokens: layer_or(Input::default(), f.max_tokens, "max_tokens", 600)?,
            reviewer: layer(given.reviewer, None, "", None)?,
            prices: f.prices,
            site: SiteSettings {
                name: layer_or(
                    given.site_name,
                    s.name,
                    "[site] name",
                    DEFAULT_SITE_NAME.to_string(),
                )?,
                base_url: layer(given.site_base_url, s.base_url, "[site] base_url", None)?,
                volume: layer(given.volume, s.volume, "[site] volume", None)?,
                number: layer(given.number, s.number, "[site] number", None)?,
                date: layer(given.date, s.date, "[site] date", None)?,
                license: layer(Input::default(), s.license, "[site] license", None)?,
                license_url: layer(Input::default(), s.license_url, "[site] license_url", None)?,
                signup_url: layer(Input::default(), s.signup_url, "[site] signup_url", None)?,
                signup_text: layer(Input::default(), s.signup_text, "[site] signup_text", None)?,
                rank_coverage: layer_or(
                    Input::default(),
                    s.rank_coverage,
                    "[site] rank_coverage",
                    DEFAULT_RANK_COVERAGE,
                )?,
                rank_min_tasks: layer_or(
                    Input::default(),
                    s.rank_min_tasks,
                    "[site] rank_min_tasks",
                    DEFAULT_RANK_MIN_TASKS,
                )?,
                deep_dives: layer_or(
                    Input::default(),
                    s.deep_dives,
                    "[site] deep_dives",
                    DeepDives::All,
                )?,
            },
        })
    }

    /// The model drafts are made with, or compared with to tell stale ones; `None` when
    /// nothing names one (and then no draft is stale by its model).
    pub fn model(&self) -> Option<&str> {
        self.model.as_ref().map(|m| m.value.as_str())
    }
}
