//! `willai.toml`: the file's format, read as it is (every key optional, unknown keys an
//! error). Resolving it against the command line is `settings.rs`'s job.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::output::{ConfidenceMode, StructuredOutput};
use crate::root::Root;

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
    /// The share of a profession's catalog tasks, in percent, that must be reviewed
    /// before it is ranked (below it, it is listed "in review").
    pub rank_coverage: Option<u32>,
    /// The fewest reviewed tasks a ranked profession has (fewer: ranked apart).
    pub rank_min_tasks: Option<u32>,
    /// Which tasks get a deep-dive page: "all" or "core".
    pub deep_dives: Option<super::site::DeepDives>,
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
    pub structured_output: Option<StructuredOutput>,
    pub confidence: Option<ConfidenceMode>,
    pub samples: Option<u32>,
    #[serde(default)]
    pub prices: BTreeMap<String, Price>,
    #[serde(default)]
    pub site: SiteConfig,
}

impl FileConfig {
    /// Reads `willai.toml` from the root; a missing file means all defaults.
    pub fn load(root: &Root) -> Result<FileConfig, ConfigError> {
        let path = root.config_file();
        // Beneath the root like every project file: a link is refused (a pull request's
        // willai.toml -> /proc/self/environ), as is a special file or one over the cap.
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
