//! Whose word sends the key where. `OPENAI_API_KEY` is the user's; `willai.toml` is the
//! repository's, and a pull request can change it. So a `base_url` that comes from the
//! file may receive the key only with the user's consent, given once per project and
//! endpoint, the way `direnv allow`, `mise trust` and git's `safe.directory` work:
//!
//! - **stored outside the repository**, in the user's configuration folder
//!   (`$XDG_CONFIG_HOME/willai/trusted-endpoints.toml`, else
//!   `~/.config/willai/trusted-endpoints.toml`), where no pull request reaches;
//! - **keyed by the canonical project root and the endpoint's origin** (scheme, host and
//!   port): a consent for `https://llm.example.com` covers neither
//!   `http://llm.example.com` (the key in clear) nor another host, nor another clone;
//! - **granted by `willai trust`** (revoked by `willai trust --revoke`), or not needed
//!   when the user names the endpoint themselves (`--base-url`, `OPENAI_BASE_URL`);
//! - **not needed** for the default endpoint (where the key goes anyway), for loopback
//!   (127.0.0.0/8, `::1`, `localhost`: a local server, the tests' fake one), and when no
//!   key is set.
//!
//! Without it the key is never attached ([`super::Endpoint::key_for_sending`]) and a
//! client refuses to start (exit 2), saying what to run.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// The consent file's name, in the user's willai configuration folder.
pub const FILE: &str = "trusted-endpoints.toml";

/// Whether the key may go to the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyConsent {
    /// The user named the endpoint (a flag, the environment, the default), it is
    /// loopback, or there is no key to send.
    NotNeeded,
    /// `willai.toml` names it and the user consented, for this project.
    Granted,
    /// `willai.toml` names it and nobody consented: the key is not sent.
    Needed {
        /// The endpoint's origin (`https://llm.example.com`), as consent is given.
        endpoint: String,
    },
}

/// One consent: a project (its canonical root) and an endpoint origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    pub project: String,
    pub endpoint: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustFile {
    #[serde(default)]
    trust: Vec<Trust>,
}

/// The origin of a URL (`scheme://host[:port]`, the port only when not the scheme's
/// default, the host lowercased), as consent is keyed.
pub fn origin(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    u.host_str()?;
    Some(u.origin().ascii_serialization())
}

/// Whether a URL's host is this machine's loopback: 127.0.0.0/8, `::1` (also written as
/// `::ffff:127.0.0.1`), or `localhost`.
pub fn is_loopback(url: &str) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = u.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => a.is_loopback(),
        Ok(IpAddr::V6(a)) => {
            a.is_loopback() || a.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// What consent the key needs to go to `base_url`: `from_file` when `willai.toml` named
/// it, `has_key` when there is a key to send.
pub fn needed(base_url: &str, from_file: bool, has_key: bool) -> KeyConsent {
    let default = origin(super::DEFAULT_BASE_URL);
    let at = origin(base_url);
    if !from_file || !has_key || is_loopback(base_url) || at == default {
        return KeyConsent::NotNeeded;
    }
    KeyConsent::Needed {
        endpoint: at.unwrap_or_else(|| super::redact_url(base_url)),
    }
}

/// Where consents are kept: `$XDG_CONFIG_HOME/willai/`, else `$HOME/.config/willai/`.
pub fn store_path() -> Option<PathBuf> {
    let nonblank = |v: &str| {
        std::env::var_os(v)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    let dir = nonblank("XDG_CONFIG_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| nonblank("HOME").map(|h| h.join(".config")))?;
    Some(dir.join("willai").join(FILE))
}

/// A project as consent knows it: its canonical path (so `.`, a symlinked path and the
/// full path are one project, and another clone is another).
pub fn project_key(root: &Path) -> String {
    std::fs::canonicalize(root)
        .unwrap_or_else(|_| root.to_path_buf())
        .display()
        .to_string()
}

/// Every consent given (none when there is no file yet).
pub fn load() -> Result<Vec<Trust>, ConfigError> {
    let Some(path) = store_path() else {
        return Ok(Vec::new());
    };
    let bytes = match crate::beneath::read_named(&path, 1 << 20, "consent file") {
        Ok(b) => b,
        Err(crate::beneath::FileError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(Vec::new());
        }
        Err(e) => return Err(ConfigError::Consent(e.to_string())),
    };
    let text = String::from_utf8_lossy(&bytes);
    let file: TrustFile = toml::from_str(&text).map_err(|e| {
        ConfigError::Consent(format!(
            "{}: {}: fix or remove the file (it holds only the consents of `willai trust`)",
            path.display(),
            e.message()
        ))
    })?;
    Ok(file.trust)
}

/// Whether the user consented to the key going to `endpoint` for the project at `root`.
pub fn is_granted(root: &Path, endpoint: &str) -> Result<bool, ConfigError> {
    let project = project_key(root);
    Ok(load()?
        .iter()
        .any(|t| t.project == project && t.endpoint == endpoint))
}

/// Writes the consents (sorted, one block each), atomically; returns the file.
pub fn save(mut trusts: Vec<Trust>) -> Result<PathBuf, ConfigError> {
    let path = store_path().ok_or_else(|| {
        ConfigError::Consent(
            "neither XDG_CONFIG_HOME nor HOME is set, so there is nowhere to keep a consent: set one, or name the endpoint yourself with OPENAI_BASE_URL".into(),
        )
    })?;
    trusts.sort_by(|a, b| (&a.project, &a.endpoint).cmp(&(&b.project, &b.endpoint)));
    trusts.dedup();
    let mut text = String::from(
        "# Endpoints a project's willai.toml may send OPENAI_API_KEY to, per project.\n# Written by `willai trust`; `willai trust --revoke` (or deleting a block) takes one back.\n",
    );
    text.push_str(
        &toml::to_string(&TrustFile { trust: trusts })
            .map_err(|e| ConfigError::Consent(e.to_string()))?,
    );
    crate::fsx::write_atomic(&path, text.as_bytes())
        .map_err(|e| ConfigError::Consent(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin("https://LLM.example.com/v1").as_deref(),
            Some("https://llm.example.com")
        );
        assert_eq!(
            origin("https://llm.example.com:443/v1").as_deref(),
            Some("https://llm.example.com")
        );
        assert_eq!(
            origin("http://llm.example.com:8080/v1").as_deref(),
            Some("http://llm.example.com:8080")
        );
        assert_eq!(
            origin("https://user:pw@llm.example.com/v1").as_deref(),
            Some("https://llm.example.com")
        );
    }

    #[test]
    fn loopback_is_127_8_ipv6_one_and_localhost() {
        for url in [
            "http://127.0.0.1:8080/v1",
            "http://127.1.2.3/v1",
            "http://[::1]:9/v1",
            "http://[::ffff:127.0.0.1]:9/v1",
            "http://localhost:8080/v1",
            "http://LOCALHOST/v1",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://0.0.0.0:9/v1",
            "http://10.0.0.1/v1",
            "http://localhost.evil.example/v1",
            "http://127.0.0.1.nip.io/v1",
            "https://api.openai.com/v1",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn only_a_file_chosen_remote_endpoint_with_a_key_needs_consent() {
        let remote = "https://llm.example.com/v1";
        assert_eq!(
            needed(remote, true, true),
            KeyConsent::Needed {
                endpoint: "https://llm.example.com".into()
            }
        );
        assert_eq!(needed(remote, false, true), KeyConsent::NotNeeded);
        assert_eq!(needed(remote, true, false), KeyConsent::NotNeeded);
        assert_eq!(
            needed("http://127.0.0.1:8080/v1", true, true),
            KeyConsent::NotNeeded
        );
        assert_eq!(
            needed("https://api.openai.com/v1", true, true),
            KeyConsent::NotNeeded
        );
        // The default host in clear is not the default endpoint.
        assert!(matches!(
            needed("http://api.openai.com/v1", true, true),
            KeyConsent::Needed { .. }
        ));
    }
}
