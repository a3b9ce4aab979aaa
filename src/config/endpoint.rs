//! The endpoint of a drafting command: every setting the client needs, checked once, so
//! a bad value is a usage error before anything is sent.

use std::time::Duration;

use super::consent::{self, KeyConsent};
use super::error::ConfigError;
use super::file::Price;
use super::layer::Resolved;
use super::origin::Origin;
use super::output::{ConfidenceMode, StructuredOutput};
use super::secret::Secret;
use super::settings::{SAMPLES, Settings};
use super::url::{http_url, redact_url};

/// Everything the client needs, checked.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub base_url: String,
    /// Whether the base URL was set by a flag, the environment or willai.toml.
    pub base_url_explicit: bool,
    pub api_key: Option<Secret>,
    /// Whether the key may go to `base_url` (set by a project's willai.toml, it needs the
    /// user's consent): never attached without it, see [`Endpoint::key_for_sending`].
    pub key_consent: KeyConsent,
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
    /// Where the budgets come from, for the message of a wait (`--tpm`, `willai.toml
    /// tokens_per_minute`).
    pub rpm_from: Option<Origin>,
    pub tpm_from: Option<Origin>,
    pub mode: StructuredOutput,
    /// Whether to ask for log-probabilities (for the level's confidence).
    pub logprobs: bool,
    /// The most of a reply that is read; a larger one fails its item.
    pub max_reply_bytes: u64,
    /// Answers asked for per prompt (`n`): above 1, confidence is the majority's share.
    pub samples: u32,
    pub price: Option<Price>,
}

/// A resolved value, if `ok` holds for it; else the error that names the setting, what it
/// must be, and where the value came from.
fn checked<T: Copy + ToString>(
    name: &'static str,
    what: &'static str,
    r: &Resolved<T>,
    ok: impl Fn(T) -> bool,
) -> Result<T, ConfigError> {
    if ok(r.value) {
        Ok(r.value)
    } else {
        Err(ConfigError::OutOfRange {
            name,
            what,
            value: r.value.to_string(),
            origin: r.origin.clone(),
        })
    }
}

fn positive_secs(name: &'static str, r: &Resolved<f64>) -> Result<Duration, ConfigError> {
    let secs = checked(name, "a positive number of seconds", r, |v| {
        v.is_finite() && v > 0.0 && v < 1e9
    })?;
    Ok(Duration::from_secs_f64(secs))
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
        let concurrency = checked("concurrency", "at least 1", &s.concurrency, |n| n > 0)?;
        let max_tokens = checked(
            "max_tokens",
            "at least 1 (a reply needs room: 600 is the default)",
            &s.max_tokens,
            |n| n > 0,
        )?;
        let temperature = checked("temperature", "between 0 and 2", &s.temperature, |t| {
            (0.0..=2.0).contains(&t)
        })?;
        let timeout = positive_secs("timeout", &s.timeout_secs)?;
        let connect_timeout = positive_secs("connect_timeout_secs", &s.connect_timeout_secs)?;
        let retry_base = positive_secs("retry_base_secs", &s.retry_base_secs)?;
        let max_reply_bytes = checked("max_reply_bytes", "at least 1", &s.max_reply_bytes, |n| {
            n > 0
        })?;
        let samples = checked("samples", "between 1 and 16", &s.samples, |n| {
            SAMPLES.contains(&n)
        })?;
        // Consent is found (or not) by `Project::endpoint`, which knows the project; an
        // endpoint built without it holds the key back.
        let key_consent = consent::needed(
            &base_url,
            matches!(s.base_url.origin, Origin::File(_)),
            s.api_key.is_some(),
        );
        Ok(Endpoint {
            price: s.prices.get(&model).copied(),
            key_consent,
            base_url,
            base_url_explicit: s.base_url.origin != Origin::Default,
            api_key: s.api_key.as_ref().map(|k| k.value.clone()),
            model,
            temperature,
            seed: Some(s.seed.value),
            max_tokens,
            timeout,
            connect_timeout,
            retries: s.retries.value,
            retry_base,
            concurrency,
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
            rpm_from: s.requests_per_minute.as_ref().map(|r| r.origin.clone()),
            tpm_from: s.tokens_per_minute.as_ref().map(|r| r.origin.clone()),
            mode: s.structured_output.value,
            logprobs: s.confidence.value == ConfidenceMode::Logprobs,
            max_reply_bytes,
            samples,
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

    /// The key, if it may be sent to this endpoint: never to one a project's
    /// willai.toml chose without the user's consent.
    pub fn key_for_sending(&self) -> Option<&Secret> {
        match self.key_consent {
            KeyConsent::NotNeeded | KeyConsent::Granted => self.api_key.as_ref(),
            KeyConsent::Needed { .. } => None,
        }
    }

    /// Looks the consent up for the project at `root` (when one is needed).
    pub fn with_consent_of(mut self, root: &std::path::Path) -> Result<Endpoint, ConfigError> {
        if let KeyConsent::Needed { endpoint } = &self.key_consent
            && consent::is_granted(root, endpoint)?
        {
            self.key_consent = KeyConsent::Granted;
        }
        Ok(self)
    }

    /// The refusal (exit 2) of sending anything with the key to an endpoint the user has
    /// not consented to; `root` names the project in the message.
    pub fn check_consent(&self, root: &std::path::Path) -> Result<(), ConfigError> {
        match &self.key_consent {
            KeyConsent::Needed { endpoint } => Err(ConfigError::UntrustedEndpoint {
                url: self.shown_url(),
                endpoint: endpoint.clone(),
                project: consent::project_key(root),
                store: consent::store_path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| format!("$XDG_CONFIG_HOME/willai/{}", consent::FILE)),
            }),
            _ => Ok(()),
        }
    }

    pub fn completions_url(&self) -> String {
        format!("{}/chat/completions", self.base_url)
    }

    /// The base URL as it may be shown: without user:password.
    pub fn shown_url(&self) -> String {
        redact_url(&self.base_url)
    }

    /// `{base}/models`, where an endpoint lists the models it serves.
    pub fn models_url(&self) -> String {
        format!("{}/models", self.base_url)
    }

    /// Where answers come from, as records and cache entries name it: the base URL's
    /// `host[:port]` (lower case, the port only when it is not the scheme's), never its
    /// credentials, path or query, which may hold secrets.
    pub fn host(&self) -> String {
        host_of(&self.base_url)
    }
}

/// The `host[:port]` of a URL; never a user, password, path or query, even of a URL
/// that does not parse (then what stands between `://` and the first `/`, `?` or `#`,
/// after any `@`).
pub fn host_of(url: &str) -> String {
    if let Ok(u) = reqwest::Url::parse(url)
        && let Some(h) = u.host_str()
    {
        return match u.port() {
            Some(p) => format!("{}:{p}", h.to_ascii_lowercase()),
            None => h.to_ascii_lowercase(),
        };
    }
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    crate::text::visible_line(&host.to_ascii_lowercase()).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_host_is_the_host_and_port_alone() {
        use super::host_of;
        assert_eq!(host_of("http://127.0.0.1:8080/v1"), "127.0.0.1:8080");
        assert_eq!(host_of("https://api.openai.com/v1"), "api.openai.com");
        assert_eq!(host_of("https://API.OpenAI.com:443/v1"), "api.openai.com");
        assert_eq!(
            host_of("https://user:pw@gateway.example/acct/SECRET/openai?key=k"),
            "gateway.example"
        );
        assert_eq!(host_of("http://[::1]:9/v1"), "[::1]:9");
        assert_eq!(host_of("weird://u:p@Host:1/x?token=t"), "host:1");
        assert_eq!(host_of("no url at all?token=t"), "no url at all");
    }

    use super::super::file::FileConfig;
    use super::super::layer::tests::{env, flag};
    use super::super::settings::CommandLine;
    use super::*;

    fn file(model: Option<&str>) -> FileConfig {
        FileConfig {
            model: model.map(String::from),
            ..FileConfig::default()
        }
    }

    #[test]
    fn the_default_endpoint_needs_a_key() {
        let s = Settings::resolve(&file(Some("m")), CommandLine::default()).unwrap();
        let e = Endpoint::new(&s).unwrap();
        assert!(!e.is_configured());
        let given = CommandLine {
            api_key: env("OPENAI_API_KEY", "k".into()),
            ..CommandLine::default()
        };
        let e = Endpoint::new(&Settings::resolve(&file(Some("m")), given).unwrap()).unwrap();
        assert!(e.is_configured());
        assert_eq!(format!("{:?}", e.api_key), "Some(***)");
    }

    #[test]
    fn a_missing_model_is_a_usage_error() {
        let s = Settings::resolve(&file(None), CommandLine::default()).unwrap();
        let err = Endpoint::new(&s).unwrap_err();
        assert!(err.to_string().contains("WILLAI_MODEL"));
    }

    /// Each bound is checked, and the message names the setting, the bound, the value
    /// and where it came from.
    #[test]
    fn values_out_of_range_name_the_setting_and_its_origin() {
        let toml = |extra: &str| -> FileConfig {
            toml::from_str(&format!("model = \"m\"\n{extra}")).unwrap()
        };
        let cases = [
            (
                "concurrency = 0",
                "concurrency must be at least 1 (it is 0, from willai.toml concurrency)",
            ),
            (
                "max_tokens = 0",
                "max_tokens must be at least 1 (a reply needs room: 600 is the default) (it is 0, from willai.toml max_tokens)",
            ),
            (
                "temperature = 2.5",
                "temperature must be between 0 and 2 (it is 2.5, from willai.toml temperature)",
            ),
            (
                "temperature = -0.1",
                "temperature must be between 0 and 2 (it is -0.1, from willai.toml temperature)",
            ),
            (
                "max_reply_bytes = 0",
                "max_reply_bytes must be at least 1 (it is 0, from willai.toml max_reply_bytes)",
            ),
            (
                "samples = 0",
                "samples must be between 1 and 16 (it is 0, from willai.toml samples)",
            ),
            (
                "samples = 17",
                "samples must be between 1 and 16 (it is 17, from willai.toml samples)",
            ),
            (
                "timeout_secs = 0.0",
                "timeout must be a positive number of seconds (it is 0, from willai.toml timeout_secs)",
            ),
            (
                "retry_base_secs = -1.0",
                "retry_base_secs must be a positive number of seconds (it is -1, from willai.toml retry_base_secs)",
            ),
            (
                "connect_timeout_secs = 1e10",
                "connect_timeout_secs must be a positive number of seconds (it is 10000000000, from willai.toml connect_timeout_secs)",
            ),
        ];
        for (line, want) in cases {
            let s = Settings::resolve(&toml(line), CommandLine::default()).unwrap();
            assert_eq!(Endpoint::new(&s).unwrap_err().to_string(), want, "{line}");
        }
        let s = Settings::resolve(
            &toml("samples = 16\ntemperature = 2.0"),
            CommandLine::default(),
        )
        .unwrap();
        assert!(
            Endpoint::new(&s).is_ok(),
            "the bounds themselves are allowed"
        );
        let given = CommandLine {
            concurrency: flag("concurrency", 0),
            ..CommandLine::default()
        };
        let s = Settings::resolve(&toml(""), given).unwrap();
        assert_eq!(
            Endpoint::new(&s).unwrap_err().to_string(),
            "concurrency must be at least 1 (it is 0, from --concurrency)"
        );
    }
}
