//! Settings: `willai.toml` (project defaults), the environment, and flags, in that order
//! of precedence: flags override the environment, which overrides the file. The
//! environment variables are declared on the clap arguments (`cli.rs`); this module
//! reads the file and merges.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::exit::usage;
use crate::root::Root;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

/// How the request asks for structured output. The client falls back down this list
/// when a server refuses a mode with 400/422.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, clap::ValueEnum,
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

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// USD per million tokens.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
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
    pub structured_output: Option<Mode>,
    #[serde(default)]
    pub prices: BTreeMap<String, Price>,
    #[serde(default)]
    pub site: SiteConfig,
}

impl FileConfig {
    /// Reads `willai.toml` from the root; a missing file means all defaults.
    pub fn load(root: &Root) -> anyhow::Result<FileConfig> {
        let path = root.config_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
            Err(e) => return Err(usage(format!("cannot read {}: {e}", path.display()))),
        };
        toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            usage(format!(
                "{}{at}: {}: fix willai.toml (the README's Configuration section lists every key)",
                root.display(&path),
                e.message()
            ))
        })
    }
}

/// An API key: shown as `***` by Debug and Display, so it cannot leak into a log line.
#[derive(Clone)]
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

/// Flags and environment values for the endpoint (see `cli::EndpointArgs`).
#[derive(Clone, Debug, Default)]
pub struct EndpointOverrides {
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub api_key: Option<String>,
    pub concurrency: Option<usize>,
    pub rpm: Option<u32>,
    pub tpm: Option<u64>,
    pub timeout_secs: Option<f64>,
    pub retries: Option<u32>,
    pub structured_output: Option<Mode>,
}

/// Everything the client needs, resolved.
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
    pub concurrency: usize,
    pub rpm: Option<u32>,
    pub tpm: Option<u64>,
    pub mode: Mode,
    pub price: Option<Price>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Endpoint {
    pub fn resolve(file: &FileConfig, over: EndpointOverrides) -> anyhow::Result<Endpoint> {
        let base = non_empty(over.base_url).or_else(|| non_empty(file.base_url.clone()));
        let base_url_explicit = base.is_some();
        let base_url = base
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
            .trim_end_matches('/')
            .to_string();
        let parsed = reqwest::Url::parse(&base_url).map_err(|e| {
            usage(format!(
                "the base URL {:?} is not a URL ({e}): set OPENAI_BASE_URL or --base-url to e.g. http://127.0.0.1:8080/v1",
                redact_url(&base_url)
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(usage(format!(
                "the base URL {:?} must start with http:// or https://",
                redact_url(&base_url)
            )));
        }
        let model = non_empty(over.model)
            .or_else(|| non_empty(file.model.clone()))
            .ok_or_else(|| usage("no model is set: set WILLAI_MODEL, pass --model, or set `model` in willai.toml"))?;
        let concurrency = over.concurrency.or(file.concurrency).unwrap_or(8);
        if concurrency == 0 {
            return Err(usage("concurrency must be at least 1"));
        }
        let timeout = over.timeout_secs.or(file.timeout_secs).unwrap_or(120.0);
        let connect_timeout = file.connect_timeout_secs.unwrap_or(10.0);
        for (name, v) in [
            ("timeout", timeout),
            ("connect_timeout_secs", connect_timeout),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(usage(format!(
                    "{name} must be a positive number of seconds"
                )));
            }
        }
        let temperature = file.temperature.unwrap_or(0.0);
        if !(0.0..=2.0).contains(&temperature) {
            return Err(usage("temperature in willai.toml must be between 0 and 2"));
        }
        Ok(Endpoint {
            price: file.prices.get(&model).copied(),
            base_url,
            base_url_explicit,
            api_key: non_empty(over.api_key).map(Secret::new),
            model,
            temperature,
            seed: file.seed.or(Some(42)),
            max_tokens: file.max_tokens.unwrap_or(600),
            timeout: Duration::from_secs_f64(timeout),
            connect_timeout: Duration::from_secs_f64(connect_timeout),
            retries: over.retries.or(file.retries).unwrap_or(5),
            concurrency,
            rpm: over.rpm.or(file.requests_per_minute).filter(|&n| n > 0),
            tpm: over.tpm.or(file.tokens_per_minute).filter(|&n| n > 0),
            mode: over
                .structured_output
                .or(file.structured_output)
                .unwrap_or(Mode::JsonSchema),
        })
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

/// Drops `user:password@` from a URL, for messages.
pub fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string().trim_end_matches('/').to_string()
        }
        _ => url.to_string(),
    }
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

    #[test]
    fn flags_and_env_override_the_file() {
        let mut f = file(Some("from-file"));
        f.concurrency = Some(3);
        f.base_url = Some("http://file/v1/".into());
        let e = Endpoint::resolve(&f, EndpointOverrides::default()).unwrap();
        assert_eq!(
            (e.model.as_str(), e.concurrency, e.base_url.as_str()),
            ("from-file", 3, "http://file/v1")
        );
        assert!(e.base_url_explicit);
        let over = EndpointOverrides {
            model: Some("from-flag".into()),
            concurrency: Some(9),
            base_url: Some("http://flag/v1".into()),
            ..Default::default()
        };
        let e = Endpoint::resolve(&f, over).unwrap();
        assert_eq!(
            (e.model.as_str(), e.concurrency, e.base_url.as_str()),
            ("from-flag", 9, "http://flag/v1")
        );
    }

    #[test]
    fn the_default_endpoint_needs_a_key() {
        let e = Endpoint::resolve(&file(Some("m")), EndpointOverrides::default()).unwrap();
        assert!(!e.is_configured());
        let e = Endpoint::resolve(
            &file(Some("m")),
            EndpointOverrides {
                api_key: Some("k".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(e.is_configured());
        assert_eq!(format!("{:?}", e.api_key), "Some(***)");
    }

    #[test]
    fn a_missing_model_is_a_usage_error() {
        let err = Endpoint::resolve(&file(None), EndpointOverrides::default()).unwrap_err();
        assert_eq!(crate::exit::code_for(&err), 2);
        assert!(err.to_string().contains("WILLAI_MODEL"));
    }

    #[test]
    fn urls_lose_their_credentials_in_messages() {
        assert_eq!(
            redact_url("http://user:pw@host:8080/v1"),
            "http://host:8080/v1"
        );
        assert_eq!(redact_url("http://host/v1"), "http://host/v1");
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
