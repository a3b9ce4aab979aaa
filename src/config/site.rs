//! The published site's settings, checked: the masthead and its edition, the base URL
//! of canonical links, the licence, the call to action, when a profession is ranked, and
//! which tasks get a page of their own.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::layer::Resolved;
use super::settings::SiteSettings;
use super::url::http_url;

/// "2026-04-20" -> "April 20, 2026"; `None` when it is not a date. The one spelling of a
/// date on the site: the edition here, approvals on the pages.
pub fn long_date(iso: &str) -> Option<String> {
    let date: jiff::civil::Date = iso.parse().ok()?;
    Some(date.strftime("%B %-d, %Y").to_string())
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

/// Which tasks get a deep-dive page (`[site] deep_dives`). Every task is on its
/// profession's page, in the API and in the CSV either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeepDives {
    /// Every task.
    #[default]
    All,
    /// O*NET's Core tasks, and tasks without a type; Supplemental tasks are on their
    /// profession's page only (about a quarter fewer files on the full O*NET site).
    Core,
}

impl fmt::Display for DeepDives {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeepDives::All => "all",
            DeepDives::Core => "core",
        })
    }
}

/// When a profession is ranked among the most exposed: when at least `coverage` percent
/// of its catalog tasks are reviewed (below, it is "in review": listed, never ranked,
/// and its shares are not given as the profession's) and at least `min_tasks` of them are
/// (fewer: ranked apart, since one task moves its share too much).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ranking {
    pub coverage: u32,
    pub min_tasks: usize,
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
    pub ranking: Ranking,
    pub deep_dives: DeepDives,
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
            let date = long_date(&d.value).ok_or_else(|| ConfigError::BadDate {
                date: d.value.clone(),
            })?;
            edition.push(date);
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
        let coverage = &s.rank_coverage;
        if !(1..=100).contains(&coverage.value) {
            return Err(ConfigError::OutOfRange {
                name: "[site] rank_coverage",
                what: "a percentage from 1 to 100",
                value: coverage.value.to_string(),
                origin: coverage.origin.clone(),
            });
        }
        let ranking = Ranking {
            coverage: coverage.value,
            min_tasks: s.rank_min_tasks.value as usize,
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
            ranking,
            deep_dives: s.deep_dives.value,
        })
    }
}
