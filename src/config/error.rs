//! A setting that cannot be used (exit 2). Each message says what to change. Problems
//! of finding the project live in `root`, problems of a draft run in `draft`.

use super::origin::Origin;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Read(crate::beneath::FileError),
    /// `willai.toml` chose the endpoint, and the user has not consented to their key
    /// going there (see `config::consent`).
    #[error(
        "willai.toml sets base_url to {url}, so OPENAI_API_KEY would be sent to {endpoint}: a project's files cannot choose where your key goes. If you trust {endpoint} for this project, run `willai trust` (it records {endpoint} for {project} in {store}); or name the endpoint yourself with OPENAI_BASE_URL or --base-url; or unset OPENAI_API_KEY if that server needs no key"
    )]
    UntrustedEndpoint {
        url: String,
        endpoint: String,
        project: String,
        store: String,
    },
    /// The consent file cannot be read or written.
    #[error("the consent file of `willai trust`: {0}")]
    Consent(String),
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
}
