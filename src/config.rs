//! Settings: flags, the environment, `willai.toml` and defaults, resolved in one place by
//! one rule, for every command.
//!
//! **The rule.** A flag wins over its environment variable (clap reads both: the
//! variables are declared on the arguments in `cli.rs`), which wins over `willai.toml`,
//! which wins over the default. A blank value (empty, or only spaces) counts as not set
//! in the environment and in the file, so `export OPENAI_BASE_URL=` falls back to the
//! next layer; a blank value typed on the command line is a mistake and an error.
//! Every setting knows where its value came from, which `willai config` shows.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::root::Root;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// How many answers `--samples` may ask for.
pub const SAMPLES: std::ops::RangeInclusive<u32> = 1..=16;
pub const DEFAULT_SITE_NAME: &str = "WillAIReplaceMe";
/// The most a reply may weigh (4 MiB): a task's answer is a few kB, with
/// log-probabilities a few hundred; anything larger is not an answer.
pub const DEFAULT_MAX_REPLY_BYTES: u64 = 4 * 1024 * 1024;

/// How the request asks for structured output. The client falls back down this list
/// when a server refuses a mode with 400/422.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Mode {
    /// `response_format: {type: json_schema, strict: true}` (OpenAI, vLLM, recent Ollama)
    JsonSchema,
    /// `response_format: {type: json_object, schema}` (llama.cpp's servers)
    JsonObject,
    /// no `response_format`: the prompt asks for JSON and the reply is checked here
    None,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::JsonSchema => "json_schema",
            Mode::JsonObject => "json_object",
            Mode::None => "none",
        }
    }

    /// The next mode to try when a server refuses this one.
    pub fn fallback(self) -> Option<Mode> {
        match self {
            Mode::JsonSchema => Some(Mode::JsonObject),
            Mode::JsonObject => Some(Mode::None),
            Mode::None => None,
        }
    }

    /// This mode and every mode it may fall back to, in order.
    pub fn chain(self) -> Vec<Mode> {
        let mut out = vec![self];
        while let Some(next) = out.last().and_then(|m| m.fallback()) {
            out.push(next);
        }
        out
    }
}

/// How a draft's confidence is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum ConfidenceMode {
    /// Ask for token log-probabilities and read the level's probability.
    Logprobs,
    /// Record no confidence (unless --samples asks for several answers).
    None,
}

impl fmt::Display for ConfidenceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfidenceMode::Logprobs => "logprobs",
            ConfidenceMode::None => "none",
        })
    }
}

impl SettingValue for ConfidenceMode {}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// USD per million tokens.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

/// The publishing settings of `[site]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: Option<String>,
    pub base_url: Option<String>,
    pub volume: Option<String>,
    pub number: Option<String>,
    pub date: Option<String>,
    /// The licence of the site's own text, e.g. "CC BY 4.0".
    pub license: Option<String>,
    pub license_url: Option<String>,
    /// The publication's own sign-up form for the personalized report.
    pub signup_url: Option<String>,
    pub signup_text: Option<String>,
}

/// `willai.toml`. Every key is optional; unknown keys are an error.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub concurrency: Option<usize>,
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u64>,
    pub temperature: Option<f64>,
    pub seed: Option<i64>,
    pub max_tokens: Option<u32>,
    pub timeout_secs: Option<f64>,
    pub connect_timeout_secs: Option<f64>,
    pub retries: Option<u32>,
    pub retry_base_secs: Option<f64>,
    pub max_reply_bytes: Option<u64>,
    pub structured_output: Option<Mode>,
    pub confidence: Option<ConfidenceMode>,
    pub samples: Option<u32>,
    #[serde(default)]
    pub prices: BTreeMap<String, Price>,
    #[serde(default)]
    pub site: SiteConfig,
}

/// A setting that cannot be used (exit 2). Each message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Read(crate::beneath::FileError),
    #[error(
        "{path}{line}: {message}: fix willai.toml (the README's Configuration section lists every key)"
    )]
    File {
        path: String,
        line: String,
        message: String,
    },
    #[error("{flag} is blank: give a value, or leave the flag out")]
    Blank { flag: String },
    #[error("no model is set: set WILLAI_MODEL, pass --model, or set `model` in willai.toml")]
    NoModel,
    #[error(
        "the base URL {url:?} is not a URL ({why}): set OPENAI_BASE_URL or --base-url to e.g. http://127.0.0.1:8080/v1"
    )]
    BadUrl { url: String, why: String },
    #[error("the base URL {url:?} must start with http:// or https://")]
    NotHttp { url: String },
    #[error("{name} must be {what} (it is {value}, from {origin})")]
    OutOfRange {
        name: &'static str,
        what: &'static str,
        value: String,
        origin: Origin,
    },
    #[error(
        "no base URL for canonical links and the sitemap: pass --base-url https://example.org or set `base_url` under [site] in willai.toml"
    )]
    NoSiteUrl,
    #[error("--base-url {url:?} is not a URL ({why})")]
    BadSiteUrl { url: String, why: String },
    #[error("--base-url {url:?} must start with http:// or https://")]
    SiteNotHttp { url: String },
    #[error("the edition date {date:?} is not a date: use YYYY-MM-DD")]
    BadDate { date: String },
    #[error(
        "the tokens/min budget ({tpm}, from {origin}) is smaller than the largest request, {label} (about {needed} tokens): raise it to at least {needed}, or lower max_tokens"
    )]
    BudgetTooSmall {
        tpm: u64,
        origin: Origin,
        needed: u64,
        label: String,
    },
    #[error(
        "[site] {key} {url:?} is not an http(s) URL ({why}): set it to e.g. https://example.org/..."
    )]
    BadSiteLink {
        key: &'static str,
        url: String,
        why: String,
    },
    #[error("[site] {key} is set without [site] {needs}: set {needs} too, or remove {key}")]
    SiteNeeds {
        key: &'static str,
        needs: &'static str,
    },
    #[error("the project root {root} is not a directory: check --root or WILLAI_ROOT")]
    NotADirectory { root: String },
    #[error(
        "no willai.toml in {dir} or any folder above it: run willai inside your project, \
         pass --root DIR (or set WILLAI_ROOT), or start a project with `willai init`"
    )]
    NoProject { dir: String },
    #[error("--root is blank: name the project folder, or leave the flag out to find it")]
    BlankRoot,
    #[error(
        "prompts are not in the cache and no endpoint is configured: set OPENAI_API_KEY (for api.openai.com) \
         or OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1 from scripts/local-llm), or draft from the cache \
         only with --offline"
    )]
    NoEndpoint,
    #[error(
        "batch request files carry the reply schema: use --structured-output json_schema (OpenAI, vLLM) or json_object"
    )]
    BatchNeedsSchema,
}

impl FileConfig {
    /// Reads `willai.toml` from the root; a missing file means all defaults.
    pub fn load(root: &Root) -> Result<FileConfig, ConfigError> {
        let path = root.config_file();
        let bytes = match root.read(&path, crate::beneath::MAX_TEXT, "settings file") {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(FileConfig::default()),
            Err(e) => return Err(ConfigError::Read(e)),
        };
        let text = String::from_utf8(bytes).map_err(|_| ConfigError::File {
            path: root.display(&path),
            line: String::new(),
            message: "is not valid UTF-8: save it as UTF-8".into(),
        })?;
        toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            ConfigError::File {
                path: root.display(&path),
                line,
                message: e.message().to_string(),
            }
        })
    }
}

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--model`
    Flag(String),
    /// `WILLAI_MODEL`
    Env(String),
    /// `model` in willai.toml
    File(&'static str),
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag(name) => write!(f, "--{name}"),
            Origin::Env(name) => f.write_str(name),
            Origin::File(key) => write!(f, "willai.toml {key}"),
            Origin::Default => f.write_str("default"),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A value given on the command line: by a flag, or by its environment variable.
#[derive(Clone, Debug)]
pub struct Input<T> {
    pub value: Option<T>,
    /// `Flag` or `Env`; `Default` when nothing was given.
    pub origin: Origin,
}

impl<T> Default for Input<T> {
    fn default() -> Self {
        Input {
            value: None,
            origin: Origin::Default,
        }
    }
}

/// A resolved setting and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved<T> {
    pub value: T,
    pub origin: Origin,
}

/// What a setting may hold: only strings can be blank.
pub trait SettingValue: Clone {
    fn is_blank(&self) -> bool {
        false
    }
    fn trimmed(self) -> Self {
        self
    }
}

impl SettingValue for String {
    fn is_blank(&self) -> bool {
        self.trim().is_empty()
    }
    fn trimmed(self) -> Self {
        self.trim().to_string()
    }
}

impl SettingValue for usize {}
impl SettingValue for u32 {}
impl SettingValue for u64 {}
impl SettingValue for i64 {}
impl SettingValue for f64 {}
impl SettingValue for Mode {}

/// The one rule: command line (flag, then environment) > willai.toml > default; blank
/// values in the environment or the file are not set; a blank flag is an error.
pub fn layer<T: SettingValue>(
    given: Input<T>,
    file: Option<T>,
    key: &'static str,
    default: Option<T>,
) -> Result<Option<Resolved<T>>, ConfigError> {
    if let Some(v) = given.value {
        if !v.is_blank() {
            return Ok(Some(Resolved {
                value: v.trimmed(),
                origin: given.origin,
            }));
        }
        if let Origin::Flag(flag) = given.origin {
            return Err(ConfigError::Blank {
                flag: format!("--{flag}"),
            });
        }
    }
    if let Some(v) = file.filter(|v| !v.is_blank()) {
        return Ok(Some(Resolved {
            value: v.trimmed(),
            origin: Origin::File(key),
        }));
    }
    Ok(default.map(|value| Resolved {
        value,
        origin: Origin::Default,
    }))
}

/// [`layer`] for a setting that always has a value.
fn layer_or<T: SettingValue>(
    given: Input<T>,
    file: Option<T>,
    key: &'static str,
    default: T,
) -> Result<Resolved<T>, ConfigError> {
    Ok(layer(given, file, key, Some(default))?.expect("a default was given"))
}

/// What the command line gave, for every setting a command has a flag for (the rest
/// stay empty). Filled in by `cli.rs`.
#[derive(Clone, Debug, Default)]
pub struct Given {
    pub model: Input<String>,
    pub base_url: Input<String>,
    /// From `OPENAI_API_KEY` only, never a flag.
    pub api_key: Input<String>,
    pub concurrency: Input<usize>,
    pub rpm: Input<u32>,
    pub tpm: Input<u64>,
    pub timeout: Input<f64>,
    pub retries: Input<u32>,
    pub structured_output: Input<Mode>,
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
/// ([`Endpoint::new`], [`Site::new`]), so a command is not refused for a setting it
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
    pub structured_output: Resolved<Mode>,
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
}

impl Settings {
    pub fn resolve(file: &FileConfig, given: Given) -> Result<Settings, ConfigError> {
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
                Mode::JsonSchema,
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
            },
        })
    }

    /// The model drafts are made with, or compared with to tell stale ones; `None` when
    /// nothing names one (and then no draft is stale by its model).
    pub fn model(&self) -> Option<&str> {
        self.model.as_ref().map(|m| m.value.as_str())
    }
}

/// An API key: shown as `***` by Debug, Display and Serialize, so it cannot leak into a
/// log line or a report.
#[derive(Clone, PartialEq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

impl SettingValue for Secret {}

/// Everything the client needs, checked.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub base_url: String,
    /// Whether the base URL was set by a flag, the environment or willai.toml.
    pub base_url_explicit: bool,
    pub api_key: Option<Secret>,
    pub model: String,
    pub temperature: f64,
    pub seed: Option<i64>,
    pub max_tokens: u32,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retries: u32,
    /// The first retry's delay; each further one doubles, up to 30 s.
    pub retry_base: Duration,
    pub concurrency: usize,
    pub rpm: Option<u32>,
    pub tpm: Option<u64>,
    pub mode: Mode,
    /// Whether to ask for log-probabilities (for the level's confidence).
    pub logprobs: bool,
    /// The most of a reply that is read; a larger one fails its item.
    pub max_reply_bytes: u64,
    /// Answers asked for per prompt (`n`): above 1, confidence is the majority's share.
    pub samples: u32,
    pub price: Option<Price>,
}

/// Checks that a URL is an http(s) URL; returns it without a trailing slash.
fn http_url(url: &str) -> Result<String, (String, bool)> {
    let url = url.trim_end_matches('/').to_string();
    match reqwest::Url::parse(&url) {
        Err(e) => Err((e.to_string(), false)),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => Err((String::new(), true)),
        Ok(_) => Ok(url),
    }
}

fn positive_secs(name: &'static str, r: &Resolved<f64>) -> Result<Duration, ConfigError> {
    if r.value.is_finite() && r.value > 0.0 && r.value < 1e9 {
        Ok(Duration::from_secs_f64(r.value))
    } else {
        Err(ConfigError::OutOfRange {
            name,
            what: "a positive number of seconds",
            value: r.value.to_string(),
            origin: r.origin.clone(),
        })
    }
}

impl Endpoint {
    /// The endpoint of a drafting command; a model must be set.
    pub fn new(s: &Settings) -> Result<Endpoint, ConfigError> {
        let base_url = http_url(&s.base_url.value).map_err(|(why, not_http)| {
            let url = redact_url(&s.base_url.value);
            if not_http {
                ConfigError::NotHttp { url }
            } else {
                ConfigError::BadUrl { url, why }
            }
        })?;
        let model = s.model.clone().ok_or(ConfigError::NoModel)?.value;
        if s.concurrency.value == 0 {
            return Err(ConfigError::OutOfRange {
                name: "concurrency",
                what: "at least 1",
                value: "0".into(),
                origin: s.concurrency.origin.clone(),
            });
        }
        if s.max_tokens.value == 0 {
            return Err(ConfigError::OutOfRange {
                name: "max_tokens",
                what: "at least 1 (a reply needs room: 600 is the default)",
                value: "0".into(),
                origin: s.max_tokens.origin.clone(),
            });
        }
        let temperature = s.temperature.value;
        if !(0.0..=2.0).contains(&temperature) {
            return Err(ConfigError::OutOfRange {
                name: "temperature",
                what: "between 0 and 2",
                value: temperature.to_string(),
                origin: s.temperature.origin.clone(),
            });
        }
        Ok(Endpoint {
            price: s.prices.get(&model).copied(),
            base_url,
            base_url_explicit: s.base_url.origin != Origin::Default,
            api_key: s.api_key.as_ref().map(|k| k.value.clone()),
            model,
            temperature,
            seed: Some(s.seed.value),
            max_tokens: s.max_tokens.value,
            timeout: positive_secs("timeout", &s.timeout_secs)?,
            connect_timeout: positive_secs("connect_timeout_secs", &s.connect_timeout_secs)?,
            retries: s.retries.value,
            retry_base: positive_secs("retry_base_secs", &s.retry_base_secs)?,
            concurrency: s.concurrency.value,
            rpm: s
                .requests_per_minute
                .as_ref()
                .map(|r| r.value)
                .filter(|&n| n > 0),
            tpm: s
                .tokens_per_minute
                .as_ref()
                .map(|r| r.value)
                .filter(|&n| n > 0),
            mode: s.structured_output.value,
            logprobs: s.confidence.value == ConfidenceMode::Logprobs,
            max_reply_bytes: match s.max_reply_bytes.value {
                0 => {
                    return Err(ConfigError::OutOfRange {
                        name: "max_reply_bytes",
                        what: "at least 1",
                        value: "0".into(),
                        origin: s.max_reply_bytes.origin.clone(),
                    });
                }
                n => n,
            },
            samples: match s.samples.value {
                n if SAMPLES.contains(&n) => n,
                n => {
                    return Err(ConfigError::OutOfRange {
                        name: "samples",
                        what: "between 1 and 16",
                        value: n.to_string(),
                        origin: s.samples.origin.clone(),
                    });
                }
            },
        })
    }

    /// The temperature of a request: sampled answers need one above 0 to differ, so a
    /// run with `samples` above 1 and temperature 0 samples at 1.0.
    pub fn temperature_for(&self, sampled: bool) -> f64 {
        if sampled && self.temperature == 0.0 {
            1.0
        } else {
            self.temperature
        }
    }

    /// Whether requests can be sent: an explicit base URL (a local server needs no key)
    /// or a key for the default one.
    pub fn is_configured(&self) -> bool {
        self.base_url_explicit || self.api_key.is_some()
    }

    pub fn completions_url(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }

    /// The base URL as it may be shown: without user:password.
    pub fn shown_url(&self) -> String {
        redact_url(&self.base_url)
    }
}

/// The licence of the site's own text.
#[derive(Clone, Debug, Serialize)]
pub struct License {
    pub name: String,
    pub url: Option<String>,
}

/// The call to action: the publication's own sign-up form.
#[derive(Clone, Debug, Serialize)]
pub struct Signup {
    pub url: String,
    /// Replaces the block's default sentence.
    pub text: Option<String>,
}

/// The masthead, canonical URLs, licence and call to action of the published site,
/// checked.
#[derive(Clone, Debug, Serialize)]
pub struct Site {
    pub name: String,
    /// Volume, number and date as shown, e.g. ["Vol. I", "No. 04", "April 20, 2026"].
    pub edition: Vec<String>,
    /// The edition as set: volume, number and date (`YYYY-MM-DD`).
    pub volume: Option<String>,
    pub number: Option<String>,
    pub date: Option<String>,
    /// Without a trailing slash.
    pub base_url: String,
    /// The path of the base URL with slashes around it ("/", or "/sub/"): where the 404
    /// page's links start, since it is served at any depth.
    pub base_path: String,
    pub license: Option<License>,
    pub signup: Option<Signup>,
}

/// An optional link setting of `[site]`, checked to be an http(s) URL.
fn site_link(
    key: &'static str,
    r: &Option<Resolved<String>>,
) -> Result<Option<String>, ConfigError> {
    let Some(r) = r else { return Ok(None) };
    http_url(&r.value)
        .map(|_| Some(r.value.clone()))
        .map_err(|(why, not_http)| ConfigError::BadSiteLink {
            key,
            url: r.value.clone(),
            why: if not_http {
                "not http or https".into()
            } else {
                why
            },
        })
}

impl Site {
    pub fn new(s: &SiteSettings) -> Result<Site, ConfigError> {
        let given = s.base_url.as_ref().ok_or(ConfigError::NoSiteUrl)?;
        let base_url = http_url(&given.value).map_err(|(why, not_http)| {
            let url = given.value.clone();
            if not_http {
                ConfigError::SiteNotHttp { url }
            } else {
                ConfigError::BadSiteUrl { url, why }
            }
        })?;
        let path = reqwest::Url::parse(&base_url)
            .map(|u| u.path().trim_matches('/').to_string())
            .unwrap_or_default();
        let base_path = if path.is_empty() {
            "/".to_string()
        } else {
            format!("/{path}/")
        };
        let mut edition = Vec::new();
        if let Some(v) = &s.volume {
            edition.push(format!("Vol. {}", v.value));
        }
        if let Some(n) = &s.number {
            edition.push(format!("No. {}", n.value));
        }
        if let Some(d) = &s.date {
            let date: jiff::civil::Date = d.value.parse().map_err(|_| ConfigError::BadDate {
                date: d.value.clone(),
            })?;
            edition.push(date.strftime("%B %-d, %Y").to_string());
        }
        let value = |r: &Option<Resolved<String>>| r.as_ref().map(|r| r.value.clone());
        let license_url = site_link("license_url", &s.license_url)?;
        let license = match (value(&s.license), license_url) {
            (Some(name), url) => Some(License { name, url }),
            (None, Some(_)) => {
                return Err(ConfigError::SiteNeeds {
                    key: "license_url",
                    needs: "license",
                });
            }
            (None, None) => None,
        };
        let signup = match (
            site_link("signup_url", &s.signup_url)?,
            value(&s.signup_text),
        ) {
            (Some(url), text) => Some(Signup { url, text }),
            (None, Some(_)) => {
                return Err(ConfigError::SiteNeeds {
                    key: "signup_text",
                    needs: "signup_url",
                });
            }
            (None, None) => None,
        };
        Ok(Site {
            name: s.name.value.clone(),
            edition,
            volume: value(&s.volume),
            number: value(&s.number),
            date: value(&s.date),
            base_url,
            base_path,
            license,
            signup,
        })
    }
}

/// A URL fit for messages and records: `user:password@` dropped, and the value of every
/// query parameter but `api-version` shown as `***` (a `?token=` or `?key=` is as secret
/// as a password, and which names a server uses is not known here).
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = reqwest::Url::parse(url) else {
        return url.to_string();
    };
    let hidden = |k: &str, v: &str| k != "api-version" && !v.is_empty();
    let credentials = !u.username().is_empty() || u.password().is_some();
    let query: Vec<(String, String)> = u.query_pairs().into_owned().collect();
    let secret_query = query.iter().any(|(k, v)| hidden(k, v));
    if !credentials && !secret_query {
        return url.to_string();
    }
    let _ = u.set_username("");
    let _ = u.set_password(None);
    if secret_query {
        // Re-encoded by the URL itself: a kept value with `&` or `%` stays one value.
        u.query_pairs_mut().clear().extend_pairs(
            query
                .iter()
                .map(|(k, v)| (k, if hidden(k, v) { "***" } else { v.as_str() })),
        );
    }
    u.to_string().trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(model: Option<&str>) -> FileConfig {
        FileConfig {
            model: model.map(String::from),
            ..FileConfig::default()
        }
    }

    fn flag<T>(name: &str, v: T) -> Input<T> {
        Input {
            value: Some(v),
            origin: Origin::Flag(name.into()),
        }
    }

    fn env<T>(name: &str, v: T) -> Input<T> {
        Input {
            value: Some(v),
            origin: Origin::Env(name.into()),
        }
    }

    /// The rule, case by case: (command line, file, default) -> (value, origin).
    #[test]
    fn one_rule_for_every_layer_and_for_blanks() {
        type Case = (
            Input<String>,
            Option<&'static str>,
            Option<&'static str>,
            Option<(&'static str, Origin)>,
        );
        let cases: Vec<Case> = vec![
            (
                flag("m", "a".into()),
                Some("b"),
                Some("c"),
                Some(("a", Origin::Flag("m".into()))),
            ),
            (
                env("M", "a".into()),
                Some("b"),
                Some("c"),
                Some(("a", Origin::Env("M".into()))),
            ),
            (
                Input::default(),
                Some("b"),
                Some("c"),
                Some(("b", Origin::File("k"))),
            ),
            (
                Input::default(),
                None,
                Some("c"),
                Some(("c", Origin::Default)),
            ),
            (Input::default(), None, None, None),
            (
                env("M", "  ".into()),
                Some("b"),
                None,
                Some(("b", Origin::File("k"))),
            ),
            (
                env("M", "".into()),
                Some("  "),
                Some("c"),
                Some(("c", Origin::Default)),
            ),
            (
                flag("m", " a ".into()),
                None,
                None,
                Some(("a", Origin::Flag("m".into()))),
            ),
        ];
        for (i, (given, file, default, want)) in cases.into_iter().enumerate() {
            let got = layer(
                given,
                file.map(String::from),
                "k",
                default.map(String::from),
            )
            .unwrap()
            .map(|r| (r.value, r.origin));
            let want = want.map(|(v, o)| (v.to_string(), o));
            assert_eq!(got, want, "case {i}");
        }
        let err = layer(flag("model", "  ".to_string()), Some("b".into()), "k", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--model is blank: give a value, or leave the flag out"
        );
    }

    #[test]
    fn the_default_endpoint_needs_a_key() {
        let s = Settings::resolve(&file(Some("m")), Given::default()).unwrap();
        let e = Endpoint::new(&s).unwrap();
        assert!(!e.is_configured());
        let given = Given {
            api_key: env("OPENAI_API_KEY", "k".into()),
            ..Given::default()
        };
        let e = Endpoint::new(&Settings::resolve(&file(Some("m")), given).unwrap()).unwrap();
        assert!(e.is_configured());
        assert_eq!(format!("{:?}", e.api_key), "Some(***)");
    }

    #[test]
    fn a_missing_model_is_a_usage_error() {
        let s = Settings::resolve(&file(None), Given::default()).unwrap();
        let err = Endpoint::new(&s).unwrap_err();
        assert!(err.to_string().contains("WILLAI_MODEL"));
    }

    #[test]
    fn urls_lose_their_credentials_in_messages() {
        assert_eq!(
            redact_url("http://user:pw@host:8080/v1"),
            "http://host:8080/v1"
        );
        assert_eq!(redact_url("http://host/v1"), "http://host/v1");
        assert_eq!(
            redact_url("http://alice:pw@127.0.0.1:9/v1?token=QTOKEN&api-version=2024-06-01"),
            "http://127.0.0.1:9/v1?token=***&api-version=2024-06-01"
        );
        assert_eq!(
            redact_url("https://h/openai?api-version=1"),
            "https://h/openai?api-version=1"
        );
        // A kept value is re-encoded, not spliced in decoded.
        assert_eq!(
            redact_url("https://h/v1?api-version=a%26b&key=s"),
            "https://h/v1?api-version=a%26b&key=***"
        );
    }

    #[test]
    fn modes_are_spelled_the_same_on_the_command_line_and_in_willai_toml() {
        use clap::ValueEnum;
        for mode in [Mode::JsonSchema, Mode::JsonObject, Mode::None] {
            assert_eq!(Mode::from_str(mode.name(), false), Ok(mode));
            let toml_value: FileConfig =
                toml::from_str(&format!("structured_output = {:?}", mode.name())).unwrap();
            assert_eq!(toml_value.structured_output, Some(mode));
        }
    }

    #[test]
    fn mode_chain_falls_back_in_order() {
        assert_eq!(
            Mode::JsonSchema.chain(),
            vec![Mode::JsonSchema, Mode::JsonObject, Mode::None]
        );
        assert_eq!(Mode::None.chain(), vec![Mode::None]);
    }
}
