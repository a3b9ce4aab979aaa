//! `willai eval`: how good are the drafts? Before an editor trusts a model, the engineer
//! measures it against a yardstick: the human labels published with "GPTs are GPTs"
//! (Eloundou et al. 2023), another model's labels, or the project's own approvals.
//!
//! Two sets of exposure labels are matched by O*NET Task ID: the gold set from a column
//! of a TSV/CSV file, the predicted set from another column (perhaps of the same file)
//! or from the project's records (the machine's drafted level, or the approved one).
//! File labels (`E0`, `E1`, `E2`) become levels through a [`LabelMap`].
//!
//! - [`load`] reads both sides, with errors that name the file, line and fix;
//! - [`metrics`] holds the statistics (kappa, weighted kappa, Pearson, the paper's
//!   alpha/beta/gamma scores);
//! - [`report`] matches the sides and builds the report (its JSON), [`table`] shows it;
//! - [`bands`]: agreement by the machine's confidence, to check that reviewing lowest
//!   confidence first (`willai review`) finds the wrong levels first;
//! - [`overrides`] is the editors' yardstick: how often an approval changed the
//!   machine's level.

pub mod bands;
pub mod load;
pub mod metrics;
pub mod overrides;
pub mod report;
pub mod table;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::catalog::TaskType;
use crate::record::Level;

/// What went wrong reading labels. Everything but [`EvalError::Read`] is a problem of the
/// input or the flags (exit 2); a read failure is an I/O error (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {}: check the path and its permissions", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} has no header row: it needs one naming its columns (`Task ID`, the label column, ...)", path.display())]
    NoHeader { path: PathBuf },
    #[error(
        "{} has no column {column:?} ({why}); its columns are {}: {fix}",
        path.display(),
        has.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
    )]
    MissingColumn {
        path: PathBuf,
        column: String,
        why: &'static str,
        has: Vec<String>,
        fix: String,
    },
    #[error("{}:{line}: {message}", path.display())]
    Row {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error(
        "{}:{line}: label {label:?} in column {column:?} is not in --map {map}: add it, e.g. --map {map},{label}=LOW (or HIGH or MEDIUM)",
        path.display()
    )]
    Unmapped {
        path: PathBuf,
        line: u64,
        column: String,
        label: String,
        map: String,
    },
    #[error(
        "O*NET Task ID {id} is in two catalog tasks ({first} and {second}): keep it on one task, the one it was imported for"
    )]
    DuplicateCatalogId {
        id: u64,
        first: String,
        second: String,
    },
    #[error(
        "--map {given:?}: {why}: write LABEL=LEVEL pairs separated by commas, e.g. --map E0=LOW,E1=HIGH,E2=MEDIUM"
    )]
    BadMap { given: String, why: String },
    #[error("name the gold labels: --gold FILE (and --gold-column COL), or use --overrides")]
    NoGold,
    #[error("--predicted FILE needs --predicted-column COL: the column to compare")]
    NoPredictedColumn,
}

impl EvalError {
    /// Whether this is an input or usage problem (exit 2) rather than an I/O failure.
    pub fn is_usage(&self) -> bool {
        match self {
            EvalError::Read { .. } => false,
            EvalError::NoHeader { .. }
            | EvalError::MissingColumn { .. }
            | EvalError::Row { .. }
            | EvalError::Unmapped { .. }
            | EvalError::DuplicateCatalogId { .. }
            | EvalError::BadMap { .. }
            | EvalError::NoGold
            | EvalError::NoPredictedColumn => true,
        }
    }
}

/// How file labels become levels: `E0=LOW,E1=HIGH,E2=MEDIUM` by default. Labels match
/// case-insensitively after trimming; a label that is itself a level name (`HIGH`,
/// `medium`, ...) stands for that level unless the map says otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelMap {
    entries: Vec<(String, Level)>,
}

impl LabelMap {
    pub fn parse(given: &str) -> Result<LabelMap, EvalError> {
        let bad = |why: String| EvalError::BadMap {
            given: given.to_string(),
            why,
        };
        let mut entries: Vec<(String, Level)> = Vec::new();
        for pair in given.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((label, level)) = pair.split_once('=') else {
                return Err(bad(format!("{pair:?} has no `=`")));
            };
            let label = label.trim();
            if label.is_empty() {
                return Err(bad(format!("{pair:?} has no label before `=`")));
            }
            let Some(level) = Level::parse(level) else {
                return Err(bad(format!(
                    "{:?} is not a level: use HIGH, MEDIUM or LOW",
                    level.trim()
                )));
            };
            match entries.iter().find(|(l, _)| l.eq_ignore_ascii_case(label)) {
                Some((_, earlier)) if *earlier != level => {
                    return Err(bad(format!(
                        "label {label:?} is mapped twice ({earlier} and {level})"
                    )));
                }
                Some(_) => {}
                None => entries.push((label.to_string(), level)),
            }
        }
        if entries.is_empty() {
            return Err(bad("no LABEL=LEVEL pair".into()));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(LabelMap { entries })
    }

    /// The level of a (trimmed, non-empty) label.
    pub fn get(&self, label: &str) -> Option<Level> {
        self.entries
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(label))
            .map(|(_, level)| *level)
            .or_else(|| Level::parse(label))
    }

    /// The canonical form, sorted by label: `E0=LOW,E1=HIGH,E2=MEDIUM`.
    pub fn describe(&self) -> String {
        self.entries
            .iter()
            .map(|(l, level)| format!("{l}={level}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Where a set of labels comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A column of a TSV/CSV file.
    File { path: PathBuf, column: String },
    /// The project's records: the machine's level, or the approved one.
    Records { approved: bool },
}

impl Source {
    /// For people: `full_labelset.tsv, column gpt4_exposure` or `records, approved level`.
    pub fn describe(&self) -> String {
        match self {
            Source::File { path, column } => format!("{}, column {column}", path.display()),
            Source::Records { approved: false } => "records, the machine's drafted level".into(),
            Source::Records { approved: true } => "records, approved level".into(),
        }
    }
}

/// One labelled task.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    pub level: Level,
    /// The occupation's O*NET-SOC code, when this side knows it.
    pub soc: Option<String>,
    /// The occupation's title, for display.
    pub title: Option<String>,
    pub kind: Option<TaskType>,
    /// The line of the file (0 for records).
    pub line: u64,
    /// Records only: how sure the machine was of its drafted level (0 to 1).
    pub confidence: Option<f64>,
}

/// One side of the comparison: labels by O*NET Task ID.
#[derive(Clone, Debug)]
pub struct LabelSet {
    pub source: Source,
    pub items: HashMap<u64, Labelled>,
    /// Rows with an empty label (files), or O*NET tasks without a level (records).
    pub unlabelled: u64,
    /// Whether task types come from this side (a file's `Task Type` column, the catalog).
    pub has_kind: bool,
}

/// A task labelled on both sides, with its occupation and type resolved.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pair<'a> {
    pub id: u64,
    pub gold: Level,
    pub predicted: Level,
    pub soc: Option<&'a str>,
    pub title: Option<&'a str>,
    pub kind: Option<TaskType>,
    /// The predicted side's confidence (records only).
    pub confidence: Option<f64>,
}

/// The tasks of both sides, sorted by Task ID, and the counts left over on each side.
///
/// The occupation comes from the records when they are the predicted side (the
/// catalog's `onet_soc`), else from the gold file, falling back to the other side when
/// the first does not know it. The task type comes from the gold file's `Task Type`
/// column when it has one, else from the other side.
pub fn match_sets<'a>(gold: &'a LabelSet, predicted: &'a LabelSet) -> (Vec<Pair<'a>>, u64, u64) {
    let records_first = matches!(predicted.source, Source::Records { .. });
    let mut pairs: Vec<Pair<'a>> = gold
        .items
        .iter()
        .filter_map(|(&id, g)| {
            let p = predicted.items.get(&id)?;
            let (first, second) = if records_first { (p, g) } else { (g, p) };
            let occupation = if first.soc.is_some() { first } else { second };
            let kind = if gold.has_kind || !predicted.has_kind {
                g.kind
            } else {
                p.kind
            };
            Some(Pair {
                id,
                gold: g.level,
                predicted: p.level,
                soc: occupation.soc.as_deref(),
                title: occupation.title.as_deref(),
                kind,
                confidence: p.confidence,
            })
        })
        .collect();
    pairs.sort_unstable_by_key(|p| p.id);
    let matched = pairs.len() as u64;
    let gold_only = gold.items.len() as u64 - matched;
    let predicted_only = predicted.items.len() as u64 - matched;
    (pairs, gold_only, predicted_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_map_and_its_errors() {
        let map = LabelMap::parse("E0=LOW,E1=HIGH,E2=MEDIUM").unwrap();
        assert_eq!(map.get("E1"), Some(Level::High));
        assert_eq!(map.get("e2"), Some(Level::Medium));
        assert_eq!(map.get("low"), Some(Level::Low));
        assert_eq!(map.get("E3"), None);
        assert_eq!(
            LabelMap::parse(" E2 = medium , E0=low,E1=HIGH")
                .unwrap()
                .describe(),
            "E0=LOW,E1=HIGH,E2=MEDIUM"
        );
        for (given, why) in [
            ("E0", "has no `=`"),
            ("=LOW", "has no label"),
            ("E0=NONE", "is not a level"),
            ("E0=LOW,e0=HIGH", "mapped twice"),
            (",", "no LABEL=LEVEL pair"),
        ] {
            let err = LabelMap::parse(given).unwrap_err().to_string();
            assert!(err.contains(why), "{given}: {err}");
            assert!(err.contains("e.g. --map E0=LOW"), "{err}");
        }
    }
}
