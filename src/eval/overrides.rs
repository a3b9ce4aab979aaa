//! `willai eval --overrides`: the editors' yardstick. Among approved tasks that carry
//! the machine's provenance, how often did the editor approve a level other than the
//! one the machine drafted? Overall and per drafted level, from the records alone.
//!
//! Approved tasks without machine provenance (written or imported by people) say
//! nothing about the machine and are counted apart; so are approvals whose content
//! changed afterwards (their sha256 no longer matches: `willai validate` flags them).

use std::fmt::Write as _;

use serde::Serialize;

use super::metrics;
use super::report::{Num, PerLevel};
use crate::catalog::Catalog;
use crate::record::{Level, Record, Status};
use crate::store::{Store, StoreError};

/// The overrides of one drafted level.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct ByLevel {
    pub machine_level: Level,
    /// Approved tasks the machine drafted at this level.
    pub approved: u64,
    /// ... of which the approved level differs.
    pub changed: u64,
    pub changed_rate: Num,
    /// The approved levels of those tasks (the drafted level itself: unchanged).
    pub approved_as: PerLevel,
}

/// The whole `--overrides` report, in JSON field order.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Overrides {
    /// Approved tasks with machine provenance.
    pub approved: u64,
    pub changed: u64,
    pub changed_rate: Num,
    /// HIGH, MEDIUM, LOW drafts.
    pub by_machine_level: Vec<ByLevel>,
    /// Approved tasks without machine provenance (not counted above).
    pub without_provenance: u64,
    /// Approved tasks edited after approval (not counted above).
    pub edited_after_approval: u64,
}

/// counts[machine][approved], by `metrics::rank`.
#[derive(Default)]
struct Tally {
    counts: [[u64; 3]; 3],
    without_provenance: u64,
    edited_after_approval: u64,
}

impl Tally {
    fn add(&mut self, record: &Record) {
        for entry in &record.tasks {
            if entry.status != Status::Approved {
                continue;
            }
            let Some(level) = entry.content.level else {
                continue;
            };
            if !entry.is_approved_intact() {
                self.edited_after_approval += 1;
                continue;
            }
            match &entry.machine {
                Some(m) => {
                    let Some(drafted) = m.content.level else {
                        continue;
                    };
                    self.counts[metrics::rank(drafted)][metrics::rank(level)] += 1
                }
                None => self.without_provenance += 1,
            }
        }
    }

    fn report(&self) -> Overrides {
        let by_machine_level: Vec<ByLevel> = Level::ALL
            .iter()
            .map(|&machine| {
                let row = &self.counts[metrics::rank(machine)];
                let approved: u64 = row.iter().sum();
                let changed = approved - row[metrics::rank(machine)];
                ByLevel {
                    machine_level: machine,
                    approved,
                    changed,
                    changed_rate: Num(metrics::ratio(changed, approved)),
                    approved_as: PerLevel::from_fn(|l| row[metrics::rank(l)]),
                }
            })
            .collect();
        let approved = by_machine_level.iter().map(|b| b.approved).sum();
        let changed = by_machine_level.iter().map(|b| b.changed).sum();
        Overrides {
            approved,
            changed,
            changed_rate: Num(metrics::ratio(changed, approved)),
            by_machine_level,
            without_provenance: self.without_provenance,
            edited_after_approval: self.edited_after_approval,
        }
    }
}

/// Reads every record of the catalog's professions.
pub fn collect(store: &Store, catalog: &Catalog) -> Result<Overrides, StoreError> {
    let mut tally = Tally::default();
    for (_, read) in store.records(&catalog.occupations) {
        if let Some(record) = read? {
            tally.add(&record);
        }
    }
    Ok(tally.report())
}

fn percent(part: u64, whole: u64) -> String {
    format!("{:.1}%", part as f64 * 100.0 / whole as f64)
}

impl Overrides {
    /// The report for people, e.g. `HIGH drafts: 40 approved, 6 changed (15.0%): 4 to
    /// MEDIUM, 2 to LOW`.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(
            w,
            "editors' overrides: approved tasks whose level differs from the machine's draft"
        );
        if self.approved == 0 {
            let _ = writeln!(w, "no approved task has machine provenance yet");
        } else {
            let _ = writeln!(
                w,
                "approved from a machine draft: {}, changed {} ({})",
                self.approved,
                self.changed,
                percent(self.changed, self.approved)
            );
            for b in &self.by_machine_level {
                let mut line = format!("  {} drafts: {} approved", b.machine_level, b.approved);
                if b.approved > 0 {
                    let _ = write!(
                        line,
                        ", {} changed ({})",
                        b.changed,
                        percent(b.changed, b.approved)
                    );
                    let to: Vec<String> = Level::ALL
                        .iter()
                        .filter(|&&l| l != b.machine_level)
                        .filter_map(|&l| {
                            let n = b.approved_as.get(l);
                            (n > 0).then(|| format!("{n} to {l}"))
                        })
                        .collect();
                    if !to.is_empty() {
                        let _ = write!(line, ": {}", to.join(", "));
                    }
                }
                let _ = writeln!(w, "{line}");
            }
        }
        if self.without_provenance > 0 {
            let _ = writeln!(
                w,
                "approved without machine provenance (written or imported by people, not counted): {}",
                self.without_provenance
            );
        }
        if self.edited_after_approval > 0 {
            let _ = writeln!(
                w,
                "edited after approval (not counted; `willai validate` lists them, re-approve): {}",
                self.edited_after_approval
            );
        }
        out
    }
}
