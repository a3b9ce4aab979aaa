//! The audit file, `data/audits/NAME.json`: the sample as drawn and the editor's blind
//! judgments, committed and reviewed in git like records. A plain JSON file an editor
//! could fill in by hand: one entry per sampled task, in the order drawn, whose
//! `judged` stays `null` until someone judges it.
//!
//! Canonical like every data file (fixed field order, two-space indent, trailing
//! newline); `judged` is always written, as `null` until set, so what is left to do shows
//! in the file.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::record::Level;

pub const SCHEMA_REF: &str = "../schema/audit.schema.json";

/// How the sample was drawn. One method so far; the file names it so that a later
/// method cannot be mistaken for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The `size` tasks whose sha256 of `SEED`, a newline and `PROFESSION/TASK` is
    /// smallest (in hex), in that order: a simple random sample, reproducible from the
    /// seed and the population.
    Sha256Order,
}

/// The file `data/audits/NAME.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The seed the sample was drawn with (any text).
    pub seed: String,
    pub method: Method,
    /// The day the sample was drawn, `YYYY-MM-DD`.
    pub drawn: String,
    /// How many tasks had a level when the sample was drawn (the population).
    pub population: usize,
    /// sha256 of the population's keys (`PROFESSION/TASK`), sorted, each followed by a
    /// newline: tells whether the project's tasks changed since the draw.
    pub population_sha256: String,
    /// The sampled tasks, in the order drawn.
    pub items: Vec<AuditItem>,
}

/// One sampled task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditItem {
    /// The profession's slug.
    pub profession: String,
    /// The task's catalog id.
    pub task: String,
    /// The task's level as it stood when the sample was drawn (drafted, edited or
    /// approved).
    pub drafted: Level,
    /// The level the editor judges right; `null` until judged.
    #[serde(default)]
    #[schemars(with = "Option<Level>")]
    pub judged: Option<Level>,
    /// Whether the judgment was made without seeing the drafted level (`willai review
    /// --audit` records `true`, or `false` for a judgment made again after the level
    /// was shown); omitted when not known (judged by hand in the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blind: Option<bool>,
    /// Who judged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer: Option<String>,
    /// The day it was judged, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl AuditItem {
    /// `PROFESSION/TASK`, the key the sample is drawn by.
    pub fn key(&self) -> String {
        format!("{}/{}", self.profession, self.task)
    }
}

impl Audit {
    /// The canonical text of the file.
    pub fn to_canonical(&self) -> String {
        crate::canonical::pretty(self)
    }

    /// Items judged so far.
    pub fn judged(&self) -> usize {
        self.items.iter().filter(|i| i.judged.is_some()).count()
    }

    /// Whether every sampled task has been judged.
    pub fn is_complete(&self) -> bool {
        !self.items.is_empty() && self.judged() == self.items.len()
    }
}

/// The problems of an audit that parsed, as (JSON pointer, message) pairs: what the
/// schema cannot say (dates, duplicates, a judgment's details without a judgment).
pub fn check(audit: &Audit, push: &mut dyn FnMut(String, String)) {
    if audit.seed.trim().is_empty() {
        push(
            "/seed".into(),
            "is blank: the draw cannot be reproduced without its seed; restore it from git".into(),
        );
    }
    if audit.drawn.parse::<jiff::civil::Date>().is_err() {
        push(
            "/drawn".into(),
            format!(
                "{:?} is not a date (YYYY-MM-DD): restore it from git",
                audit.drawn
            ),
        );
    }
    if !crate::cache::is_key(&audit.population_sha256) {
        push(
            "/population_sha256".into(),
            "must be a sha256 in lowercase hex: do not edit it by hand (restore it from git)"
                .into(),
        );
    }
    if audit.items.is_empty() {
        push(
            "/items".into(),
            "an audit samples at least one task: draw one with `willai audit draw --size N`".into(),
        );
    }
    if audit.items.len() > audit.population {
        push(
            "/population".into(),
            format!(
                "is {}, fewer than the {} sampled tasks: do not edit it by hand (restore it from git)",
                audit.population,
                audit.items.len()
            ),
        );
    }
    let mut seen = std::collections::HashMap::new();
    for (i, item) in audit.items.iter().enumerate() {
        let at = format!("/items/{i}");
        if let Some(j) = seen.insert(item.key(), i) {
            push(
                format!("{at}/task"),
                format!(
                    "{} is sampled twice (also /items/{j}): a simple random sample holds each task once; remove this entry",
                    item.key()
                ),
            );
        }
        for (field, text) in [("profession", &item.profession), ("task", &item.task)] {
            if text.trim().is_empty() {
                push(
                    format!("{at}/{field}"),
                    "is empty: restore it from git".into(),
                );
            }
        }
        if let Some(reviewer) = &item.reviewer {
            if reviewer.trim().is_empty() {
                push(
                    format!("{at}/reviewer"),
                    "is empty: name who judged the task, or remove the field".into(),
                );
            } else if let Some(f) = crate::text::forbidden(reviewer) {
                push(format!("{at}/reviewer"), format!("{f}"));
            }
        }
        if let Some(date) = &item.date
            && date.parse::<jiff::civil::Date>().is_err()
        {
            push(
                format!("{at}/date"),
                format!("{date:?} is not a date (YYYY-MM-DD): write the day it was judged"),
            );
        }
        if item.judged.is_none() {
            for (field, set) in [
                ("blind", item.blind.is_some()),
                ("reviewer", item.reviewer.is_some()),
                ("date", item.date.is_some()),
            ] {
                if set {
                    push(
                        format!("{at}/{field}"),
                        format!(
                            "says how the task was judged, but `judged` is null: give the level in `judged`, or remove `{field}`"
                        ),
                    );
                }
            }
        }
    }
}

/// Whether `name` can name an audit file: a slug (lowercase letters, digits, single
/// dashes) of at most 80 characters that no system reserves, so it stays inside
/// `data/audits/` on every system.
pub fn is_name(name: &str) -> bool {
    crate::slug::is_slug(name) && name.len() <= 80 && !crate::slug::is_windows_reserved(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judged_is_written_as_null_and_fields_keep_their_order() {
        let audit = Audit {
            schema: Some(SCHEMA_REF.into()),
            seed: "7".into(),
            method: Method::Sha256Order,
            drawn: "2026-12-05".into(),
            population: 3,
            population_sha256: "ab".into(),
            items: vec![AuditItem {
                profession: "p".into(),
                task: "t".into(),
                drafted: Level::High,
                judged: None,
                blind: None,
                reviewer: None,
                date: None,
            }],
        };
        let text = audit.to_canonical();
        assert!(text.contains("\"judged\": null"), "{text}");
        assert!(text.contains("\"method\": \"sha256-order\""), "{text}");
        let back: Audit = serde_json::from_str(&text).unwrap();
        assert_eq!(back, audit);
        assert!(serde_json::from_str::<Audit>(&text.replace("\"judged\"", "\"jugded\"")).is_err());
        // `judged` may be left out by hand: it reads as not judged.
        let without = text.replace("      \"judged\": null,\n", "");
        assert_eq!(serde_json::from_str::<Audit>(&without).unwrap(), audit);
    }

    #[test]
    fn names_stay_inside_the_folder() {
        assert!(is_name("2026-12-05"));
        assert!(is_name("q4-high-confidence"));
        for bad in [
            "",
            "../x",
            "a/b",
            "A",
            "con",
            "x.json",
            "a--b",
            &"a".repeat(81),
        ] {
            assert!(!is_name(bad), "{bad}");
        }
    }
}
