//! The one rule every setting is resolved by, and where a value came from.
//!
//! A flag wins over its environment variable (clap reads both), which wins over
//! `willai.toml`, which wins over the default. A blank value (empty, or only spaces)
//! counts as not set in the environment and in the file; a blank flag is an error.

use serde::Serialize;

use super::error::ConfigError;
use super::origin::Origin;
use super::output::{ConfidenceMode, StructuredOutput};
use super::secret::Secret;

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
impl SettingValue for StructuredOutput {}
impl SettingValue for ConfidenceMode {}
impl SettingValue for Secret {}
impl SettingValue for super::site::DeepDives {}

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
pub fn layer_or<T: SettingValue>(
    given: Input<T>,
    file: Option<T>,
    key: &'static str,
    default: T,
) -> Result<Resolved<T>, ConfigError> {
    Ok(layer(given, file, key, Some(default))?.expect("a default was given"))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub fn flag<T>(name: &str, v: T) -> Input<T> {
        Input {
            value: Some(v),
            origin: Origin::Flag(name.into()),
        }
    }

    pub fn env<T>(name: &str, v: T) -> Input<T> {
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
}
