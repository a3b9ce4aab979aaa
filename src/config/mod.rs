//! Settings: flags, the environment, `willai.toml` and defaults, resolved in one place by
//! one rule, for every command.
//!
//! **The rule.** A flag wins over its environment variable (clap reads both: the
//! variables are declared on the arguments in `cli.rs`), which wins over `willai.toml`,
//! which wins over the default. A blank value (empty, or only spaces) counts as not set
//! in the environment and in the file, so `export OPENAI_BASE_URL=` falls back to the
//! next layer; a blank value typed on the command line is a mistake and an error.
//! Every setting knows where its value came from, which `willai config` shows.
//!
//! One file per job, in the order a value travels:
//! - `file.rs`: the format of `willai.toml`;
//! - `layer.rs`: the rule; `origin.rs`: where each value came from ([`Origin`]);
//! - `settings.rs`: what the command line gave ([`CommandLine`]) resolved into
//!   [`Settings`], with the defaults;
//! - `endpoint.rs` and `site.rs`: the settings a command uses, checked where it uses
//!   them ([`Endpoint`] for drafting, [`Site`] for publishing);
//! - `output.rs`: the structured-output mode and its fallback order, the confidence mode;
//! - `secret.rs`, `url.rs`: the API key and URLs, never shown whole;
//! - `error.rs`: [`ConfigError`], a setting that cannot be used (exit 2).

pub mod consent;
mod endpoint;
mod error;
mod file;
mod layer;
mod origin;
mod output;
mod secret;
mod settings;
mod site;
mod url;

pub use endpoint::Endpoint;
pub use error::ConfigError;
pub use file::{FileConfig, Price, SiteConfig};
pub use layer::{Input, Resolved, SettingValue, layer};
pub use origin::Origin;
pub use output::{ConfidenceMode, StructuredOutput};
pub use secret::Secret;
pub use settings::{
    CommandLine, DEFAULT_BASE_URL, DEFAULT_MAX_REPLY_BYTES, DEFAULT_RANK_COVERAGE,
    DEFAULT_RANK_MIN_TASKS, DEFAULT_SITE_NAME, SAMPLES, Settings, SiteSettings,
};
pub use site::{DeepDives, License, Ranking, Signup, Site, long_date};
pub use url::redact_url;
