//! Audits: numbers a publication can stand behind. At O*NET scale no editor reads every
//! draft with equal care, so the shares a site states ("34% of tasks face high
//! exposure") inherit the drafting model's bias. An audit measures it: a simple random
//! sample of tasks, judged again by an editor who does not see the drafted level, gives
//! how often an editor disagrees (with a Wilson interval) and, by prediction-powered
//! inference (PPI++), the share of each level in the whole project corrected for the
//! model's errors, with a valid 95% interval narrower than the sample's alone.
//!
//! One file per job:
//! - [`sample`]: the population (every task with a current level) and the reproducible
//!   draw (sha256 order);
//! - [`file`]: `data/audits/NAME.json`, the sample and the judgments;
//! - [`estimate`]: the Wilson interval, the PPI++ mean (exactly as `ppi_py`), the
//!   classical interval;
//! - [`report`]: what `willai audit report` says, for people and for scripts.
//!
//! Judging happens in `willai review --audit NAME` (`review::audit`).

pub mod estimate;
pub mod file;
pub mod report;
pub mod sample;

#[cfg(test)]
mod validity;

pub use file::{Audit, AuditItem, Method};
pub use sample::{Member, Population};

use crate::store::{Store, StoreError};

/// What an audit command asks that cannot be done (exit 2); each says what to type.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(
        "{0:?} cannot name an audit: use lowercase letters, digits and single dashes (at most 80), e.g. `--name 2026-q4`"
    )]
    BadName(String),
    #[error(
        "data/audits/{0}.json exists already: an audit is never drawn over (its judgments would be lost); pass another --name"
    )]
    Exists(String),
    #[error("--size must be at least 1")]
    ZeroSize,
    #[error(
        "--size {size} is more than the {population} task(s) with a level: pass --size {population} or less"
    )]
    TooLarge { size: usize, population: usize },
    #[error(
        "nothing to audit: no task has a level yet (drafted, edited or approved): run `willai draft` first"
    )]
    EmptyPopulation,
    #[error("no audit {name:?} in data/audits/: {known}")]
    Unknown { name: String, known: String },
    #[error("no audit in data/audits/ yet: draw one with `willai audit draw --size 400`")]
    None,
    #[error("the seed is blank: pass a seed with some text, or leave --seed out for a random one")]
    BlankSeed,
}

/// A seed for a draw that was given none: 64 random bits, in hex (from the OS's hash
/// keys, which are random per process). It is written into the audit, so the draw stays
/// reproducible.
pub fn random_seed() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    format!("{:016x}", h.finish())
}

/// Draws a sample of `size` tasks from `population` with `seed`, as of `date`.
pub fn draw(
    population: &Population,
    seed: &str,
    size: usize,
    date: &str,
) -> Result<Audit, AuditError> {
    if seed.trim().is_empty() {
        return Err(AuditError::BlankSeed);
    }
    if population.is_empty() {
        return Err(AuditError::EmptyPopulation);
    }
    if size == 0 {
        return Err(AuditError::ZeroSize);
    }
    if size > population.len() {
        return Err(AuditError::TooLarge {
            size,
            population: population.len(),
        });
    }
    Ok(Audit {
        schema: Some(file::SCHEMA_REF.to_string()),
        seed: seed.to_string(),
        method: Method::Sha256Order,
        drawn: date.to_string(),
        population: population.len(),
        population_sha256: population.fingerprint().to_string(),
        items: population
            .draw(seed, size)
            .into_iter()
            .map(|m| AuditItem {
                profession: m.profession.clone(),
                task: m.task.clone(),
                drafted: m.level,
                judged: None,
                blind: None,
                reviewer: None,
                date: None,
            })
            .collect(),
    })
}

/// The audits of a project, read through its store.
pub struct Audits<'s> {
    store: &'s Store,
}

impl<'s> Audits<'s> {
    pub fn new(store: &'s Store) -> Audits<'s> {
        Audits { store }
    }

    /// The names of every audit, sorted.
    pub fn names(&self) -> Result<Vec<String>, StoreError> {
        self.store.names_in(&self.store.root().audits_dir())
    }

    /// An audit by name; unknown names (and names that cannot be audits) are an error
    /// that lists the audits there are.
    pub fn get(&self, name: &str) -> anyhow::Result<Audit> {
        let found = if file::is_name(name) {
            self.store
                .read_parsed::<Audit>(&self.store.root().audit_path(name))?
        } else {
            None
        };
        match found {
            Some(audit) => Ok(audit),
            None => {
                let names = self.names()?;
                let known = if names.is_empty() {
                    "there are none yet: draw one with `willai audit draw --size 400`".into()
                } else {
                    format!("there are {}", names.join(", "))
                };
                Err(AuditError::Unknown {
                    name: name.to_string(),
                    known,
                }
                .into())
            }
        }
    }

    /// The latest audit: the one drawn last (by date, then name); `None` when there is
    /// none. An audit that does not read is an error (the latest might be that one).
    pub fn latest(&self) -> anyhow::Result<Option<(String, Audit)>> {
        let mut best: Option<(String, Audit)> = None;
        for name in self.names()? {
            if !file::is_name(&name) {
                continue;
            }
            let audit = self.get(&name)?;
            let later = best
                .as_ref()
                .is_none_or(|(n, a)| (&audit.drawn, &name) > (&a.drawn, n));
            if later {
                best = Some((name, audit));
            }
        }
        Ok(best)
    }

    /// Writes an audit (canonically, atomically).
    pub fn write(&self, name: &str, audit: &Audit) -> Result<bool, StoreError> {
        self.store.write(
            &self.store.root().audit_path(name),
            audit.to_canonical().as_bytes(),
        )
    }
}
