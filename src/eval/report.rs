//! The report of `willai eval`: built once from the matched pairs, shown as a table for
//! people or as JSON for scripts.
//!
//! The JSON shape is stable: the fields of these types in this order, every field always
//! present (`null` when undefined or not asked for), numbers rounded to 4 decimals so
//! the same input gives the same bytes. Levels are listed HIGH, MEDIUM, LOW.

use std::collections::BTreeMap;

use serde::Serialize;

use super::bands::Bands;
pub use super::metrics::Num;
use super::metrics::{self, Confusion, NOTHING_MATCHED, Stat, Undefined};
use super::{LabelMap, LabelSet, Pair, Source};
use crate::catalog::TaskType;
use crate::record::Level;

/// Where one side's labels come from and how many there are.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Side {
    /// `file` or `records`.
    pub source: &'static str,
    pub file: Option<String>,
    pub column: Option<String>,
    /// Records only: `machine` or `approved`.
    pub level: Option<&'static str>,
    /// Labelled tasks.
    pub tasks: u64,
    /// Rows with an empty label, or catalog O*NET tasks without a level.
    pub unlabelled: u64,
}

impl Side {
    fn of(set: &LabelSet) -> Side {
        let (source, file, column, level) = match &set.source {
            Source::File { path, column } => (
                "file",
                Some(path.display().to_string()),
                Some(column.clone()),
                None,
            ),
            Source::Records { approved } => (
                "records",
                None,
                None,
                Some(if *approved { "approved" } else { "machine" }),
            ),
        };
        Side {
            source,
            file,
            column,
            level,
            tasks: set.items.len() as u64,
            unlabelled: set.unlabelled,
        }
    }
}

/// Counts of tasks per level, HIGH, MEDIUM, LOW.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct PerLevel {
    #[serde(rename = "HIGH")]
    pub high: u64,
    #[serde(rename = "MEDIUM")]
    pub medium: u64,
    #[serde(rename = "LOW")]
    pub low: u64,
}

impl PerLevel {
    pub fn from_fn(f: impl Fn(Level) -> u64) -> PerLevel {
        PerLevel {
            high: f(Level::High),
            medium: f(Level::Medium),
            low: f(Level::Low),
        }
    }

    pub fn get(&self, level: Level) -> u64 {
        match level {
            Level::High => self.high,
            Level::Medium => self.medium,
            Level::Low => self.low,
        }
    }
}

/// The confusion matrix: rows are the gold level, columns the predicted level.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct ConfusionRows {
    #[serde(rename = "HIGH")]
    pub high: PerLevel,
    #[serde(rename = "MEDIUM")]
    pub medium: PerLevel,
    #[serde(rename = "LOW")]
    pub low: PerLevel,
}

/// One of the paper's task scores on both sides.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Score {
    pub gold_mean: Num,
    pub predicted_mean: Num,
    /// The share of matched tasks with the same score on both sides.
    pub agreement: Num,
    pub pearson: Num,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Scores {
    pub alpha: Score,
    pub beta: Score,
    pub gamma: Score,
}

/// The occupation-level comparison: per O*NET-SOC code, the mean beta of its matched
/// tasks on each side, correlated across occupations.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Occupations {
    /// Occupations with at least one matched task.
    pub count: u64,
    /// Matched tasks whose occupation neither side knows (left out here).
    pub tasks_without_soc: u64,
    /// Every task weighted equally.
    pub beta_pearson: Num,
    /// The paper's weighting: Core tasks count 2, others 1.
    pub beta_pearson_core_weighted: Num,
}

/// One occupation of `--by-occupation`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OccupationRow {
    pub soc: String,
    pub title: Option<String>,
    pub matched: u64,
    pub agreed: u64,
    pub exact_agreement: Num,
    pub mean_beta_gold: Num,
    pub mean_beta_predicted: Num,
}

/// The agreement of two sets of labels, as `willai eval` reports it (in JSON field order).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Agreement {
    pub gold: Side,
    pub predicted: Side,
    pub map: String,
    pub matched: u64,
    pub gold_only: u64,
    pub predicted_only: u64,
    pub agreed: u64,
    pub exact_agreement: Num,
    pub kappa: Num,
    pub quadratic_kappa: Num,
    pub confusion: ConfusionRows,
    pub scores: Scores,
    pub occupations: Occupations,
    /// Only with `--by-occupation`, most disagreement first.
    pub by_occupation: Option<Vec<OccupationRow>>,
    /// Only when the predictions are the records' and some carry a confidence.
    pub confidence_bands: Option<Bands>,
}

fn score(pairs: &[Pair], f: fn(Level) -> f64) -> Score {
    let (xs, ys): (Vec<f64>, Vec<f64>) = pairs.iter().map(|p| (f(p.gold), f(p.predicted))).unzip();
    let same = xs.iter().zip(&ys).filter(|(x, y)| x == y).count() as u64;
    Score {
        gold_mean: Num(metrics::mean(&xs)),
        predicted_mean: Num(metrics::mean(&ys)),
        agreement: Num(metrics::ratio(same, xs.len() as u64)),
        pearson: Num(metrics::pearson(&xs, &ys)),
    }
}

/// The tasks of one occupation, summed (beta sums are exact: halves).
#[derive(Default)]
struct Acc<'a> {
    title: Option<&'a str>,
    n: u64,
    agreed: u64,
    gold: f64,
    predicted: f64,
    /// Each task's betas (gold, predicted) and its weight: Core tasks count 2.
    weighted: Vec<(f64, f64, f64)>,
}

impl Acc<'_> {
    /// The Core-weighted mean betas, gold and predicted (an occupation has a task, so
    /// the weights are never nothing).
    fn weighted_means(&self) -> (f64, f64) {
        let mean = |pick: fn(&(f64, f64, f64)) -> f64| {
            metrics::weighted_mean(self.weighted.iter().map(|t| (pick(t), t.2))).unwrap_or(f64::NAN)
        };
        (mean(|t| t.0), mean(|t| t.1))
    }
}

impl Agreement {
    pub fn build(
        gold: &LabelSet,
        predicted: &LabelSet,
        map: &LabelMap,
        by_occupation: bool,
    ) -> Agreement {
        let (pairs, gold_only, predicted_only) = super::match_sets(gold, predicted);
        let confusion = Confusion::from_pairs(pairs.iter().map(|p| (p.gold, p.predicted)));
        let rows = |g: Level| PerLevel::from_fn(|p| confusion.get(g, p));

        let mut occupations: BTreeMap<&str, Acc> = BTreeMap::new();
        let mut without_soc = 0;
        let mut typed = false;
        for p in &pairs {
            let Some(soc) = p.soc else {
                without_soc += 1;
                continue;
            };
            let acc = occupations.entry(soc).or_default();
            acc.title = acc.title.or(p.title);
            let (g, q) = (metrics::beta(p.gold), metrics::beta(p.predicted));
            let w = if p.kind == Some(TaskType::Core) {
                2.0
            } else {
                1.0
            };
            typed |= p.kind.is_some();
            acc.n += 1;
            acc.agreed += u64::from(p.gold == p.predicted);
            acc.gold += g;
            acc.predicted += q;
            acc.weighted.push((g, q, w));
        }
        let across = |f: &dyn Fn(&Acc) -> (f64, f64)| -> Stat {
            match occupations.len() {
                0 if pairs.is_empty() => Err(NOTHING_MATCHED),
                0 => Err(Undefined(
                    "no O*NET-SOC Code: neither side names the occupations",
                )),
                1 => Err(Undefined("fewer than 2 occupations")),
                _ => {
                    let (xs, ys): (Vec<f64>, Vec<f64>) = occupations.values().map(f).unzip();
                    metrics::pearson(&xs, &ys)
                }
            }
        };
        let equal = across(&|a| (a.gold / a.n as f64, a.predicted / a.n as f64));
        let core = if typed || occupations.len() < 2 {
            across(&|a| a.weighted_means())
        } else {
            Err(Undefined("no matched task has a Task Type"))
        };

        let by_occupation = by_occupation.then(|| {
            let mut rows: Vec<(&str, &Acc)> = occupations.iter().map(|(s, a)| (*s, a)).collect();
            let diff = |a: &Acc| ((a.gold - a.predicted) / a.n as f64).abs();
            rows.sort_by(|(sa, a), (sb, b)| {
                (u128::from(a.agreed) * u128::from(b.n))
                    .cmp(&(u128::from(b.agreed) * u128::from(a.n)))
                    .then_with(|| diff(b).total_cmp(&diff(a)))
                    .then_with(|| sa.cmp(sb))
            });
            rows.into_iter()
                .map(|(soc, a)| OccupationRow {
                    soc: soc.to_string(),
                    title: a.title.map(str::to_string),
                    matched: a.n,
                    agreed: a.agreed,
                    exact_agreement: Num(metrics::ratio(a.agreed, a.n)),
                    mean_beta_gold: Num(Ok(a.gold / a.n as f64)),
                    mean_beta_predicted: Num(Ok(a.predicted / a.n as f64)),
                })
                .collect()
        });

        Agreement {
            gold: Side::of(gold),
            predicted: Side::of(predicted),
            map: map.describe(),
            matched: pairs.len() as u64,
            gold_only,
            predicted_only,
            agreed: confusion.agreed(),
            exact_agreement: Num(confusion.exact_agreement()),
            kappa: Num(confusion.kappa()),
            quadratic_kappa: Num(confusion.quadratic_kappa()),
            confusion: ConfusionRows {
                high: rows(Level::High),
                medium: rows(Level::Medium),
                low: rows(Level::Low),
            },
            scores: Scores {
                alpha: score(&pairs, metrics::alpha),
                beta: score(&pairs, metrics::beta),
                gamma: score(&pairs, metrics::gamma),
            },
            occupations: Occupations {
                count: occupations.len() as u64,
                tasks_without_soc: without_soc,
                beta_pearson: Num(equal),
                beta_pearson_core_weighted: Num(core),
            },
            by_occupation,
            confidence_bands: (matches!(predicted.source, Source::Records { .. })
                && predicted.items.values().any(|l| l.confidence.is_some()))
            .then(|| Bands::build(&pairs)),
        }
    }
}
