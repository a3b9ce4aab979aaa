//! Who can be drawn, and the draw.
//!
//! The population is every catalog task whose record gives it a current level: drafted,
//! edited or approved (stale ones too: they still hold a level; a failed draft or a
//! missing one does not). Each is known by its key, `PROFESSION/TASK` (slug and catalog
//! id).
//!
//! The draw orders the population by the sha256 of the seed, a newline and the key, and
//! takes the first `size` (ties cannot happen between distinct keys). sha256 behaves as a
//! random permutation of the keys, so every set of `size` tasks is equally likely: a
//! simple random sample without replacement. It is reproducible from the seed and the
//! population alone, by anyone: `printf '%s\n%s' SEED KEY | sha256sum` gives a key's
//! rank. A task added later enters the sample only if its own hash is small enough, so
//! redrawing with the same seed after a change moves as little as possible.

use std::collections::HashMap;
use std::sync::OnceLock;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::catalog::Catalog;
use crate::lifecycle::{self, State};
use crate::record::Level;
use crate::store::{Store, StoreError};

/// A task of the population.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The profession's slug.
    pub profession: String,
    /// The task's catalog id.
    pub task: String,
    /// Its current level.
    pub level: Level,
    /// The profession's O*NET-SOC code, for the shares per major group.
    pub soc: Option<String>,
}

impl Member {
    pub fn key(&self) -> String {
        format!("{}/{}", self.profession, self.task)
    }
}

/// Every task with a current level, sorted by key.
#[derive(Clone, Debug, Default)]
pub struct Population {
    pub members: Vec<Member>,
    /// The O*NET-SOC code of every profession (those without tasks in the population
    /// too, for sampled tasks that left it).
    socs: HashMap<String, Option<String>>,
    /// [`Population::fingerprint`], worked out once.
    fingerprint: OnceLock<String>,
}

impl Population {
    /// The population of a project, from its catalog and records. A record that cannot
    /// be read stops it: drawing or estimating around it would leave its tasks out.
    pub fn of(store: &Store, catalog: &Catalog) -> Result<Population, StoreError> {
        let per_profession: Vec<Result<Vec<Member>, StoreError>> = catalog
            .occupations
            .par_iter()
            .map(|occ| {
                let Some(record) = store.record(&occ.slug)? else {
                    return Ok(Vec::new());
                };
                Ok(occ
                    .tasks
                    .iter()
                    .filter_map(|t| {
                        let entry = record.task(&t.id)?;
                        let level = entry.content.level?;
                        matches!(
                            lifecycle::state_of(entry),
                            State::Draft | State::Edited | State::Approved
                        )
                        .then(|| Member {
                            profession: occ.slug.clone(),
                            task: t.id.clone(),
                            level,
                            soc: occ.onet_soc.clone(),
                        })
                    })
                    .collect())
            })
            .collect();
        let mut members = Vec::new();
        for part in per_profession {
            members.extend(part?);
        }
        let mut population = Population::new(members);
        for occ in &catalog.occupations {
            population
                .socs
                .insert(occ.slug.clone(), occ.onet_soc.clone());
        }
        Ok(population)
    }

    /// A population of these members (sorted here).
    pub fn new(mut members: Vec<Member>) -> Population {
        members.sort_by(|a, b| {
            (a.profession.as_str(), a.task.as_str()).cmp(&(b.profession.as_str(), &b.task))
        });
        let socs = members
            .iter()
            .map(|m| (m.profession.clone(), m.soc.clone()))
            .collect();
        Population {
            members,
            socs,
            fingerprint: OnceLock::new(),
        }
    }

    /// A profession's O*NET-SOC code, when the catalog gives one.
    pub fn soc(&self, profession: &str) -> Option<&str> {
        self.socs.get(profession).and_then(|s| s.as_deref())
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// sha256 of the keys, sorted, each followed by a newline.
    pub fn fingerprint(&self) -> &str {
        self.fingerprint.get_or_init(|| {
            let mut keys: Vec<String> = self.members.iter().map(Member::key).collect();
            keys.sort();
            let mut h = Sha256::new();
            for k in keys {
                h.update(k.as_bytes());
                h.update(b"\n");
            }
            hex::encode(h.finalize())
        })
    }

    /// The `size` members drawn with `seed`, in the order drawn (see the module's notes).
    /// All of them when `size` is the population's size or more.
    pub fn draw(&self, seed: &str, size: usize) -> Vec<&Member> {
        let mut ranked: Vec<([u8; 32], &Member)> = self
            .members
            .par_iter()
            .map(|m| (rank(seed, &m.key()), m))
            .collect();
        let size = size.min(ranked.len());
        if size < ranked.len() && size > 0 {
            ranked.select_nth_unstable_by(size - 1, |a, b| a.0.cmp(&b.0));
        }
        ranked.truncate(size);
        ranked.sort_unstable_by_key(|a| a.0);
        ranked.into_iter().map(|(_, m)| m).collect()
    }
}

/// A key's place in the draw: sha256 of the seed, a newline and the key.
pub fn rank(seed: &str, key: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(b"\n");
    h.update(key.as_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population(n: usize) -> Population {
        Population::new(
            (0..n)
                .map(|i| Member {
                    profession: format!("p{}", i % 7),
                    task: format!("t{i}"),
                    level: Level::Low,
                    soc: None,
                })
                .collect(),
        )
    }

    /// The rank is the sha256 a shell gives: `printf '%s\n%s' 42 p/t | sha256sum`.
    #[test]
    fn a_rank_is_the_sha256_of_seed_newline_key() {
        assert_eq!(
            hex::encode(rank("42", "p/t")),
            crate::canonical::sha256_hex(b"42\np/t")
        );
    }

    #[test]
    fn the_draw_is_the_smallest_hashes_in_order_and_reproducible() {
        let pop = population(50);
        let drawn: Vec<String> = pop.draw("seed", 10).iter().map(|m| m.key()).collect();
        let mut all: Vec<String> = pop.members.iter().map(Member::key).collect();
        all.sort_by_key(|k| rank("seed", k));
        assert_eq!(drawn, all[..10]);
        let again: Vec<String> = pop.draw("seed", 10).iter().map(|m| m.key()).collect();
        assert_eq!(drawn, again);
        let other: Vec<String> = pop.draw("seed2", 10).iter().map(|m| m.key()).collect();
        assert_ne!(drawn, other);
        assert_eq!(pop.draw("seed", 80).len(), 50);
        assert!(pop.draw("seed", 0).is_empty());
        // A smaller sample with the same seed is the start of the larger one.
        let five: Vec<String> = pop.draw("seed", 5).iter().map(|m| m.key()).collect();
        assert_eq!(five, drawn[..5]);
    }

    /// Over many seeds every member is drawn about equally often (a simple random
    /// sample): with 20 members, 4 drawn, 3,000 seeds, each is drawn 600 times on
    /// average; a count outside 600 ± 5 standard deviations (about 110) fails.
    #[test]
    fn every_member_is_equally_likely_to_be_drawn() {
        let pop = population(20);
        let mut counts = std::collections::HashMap::new();
        let mut pairs = std::collections::HashMap::new();
        for seed in 0..3000 {
            let drawn = pop.draw(&seed.to_string(), 4);
            for m in &drawn {
                *counts.entry(m.key()).or_insert(0usize) += 1;
            }
            // Joint inclusion: the first two members of the population together.
            let has = |k: &str| drawn.iter().any(|m| m.key() == k);
            let (a, b) = (pop.members[0].key(), pop.members[1].key());
            if has(&a) && has(&b) {
                *pairs.entry("first two").or_insert(0usize) += 1;
            }
        }
        assert_eq!(counts.len(), 20);
        let sd = (3000.0f64 * 0.2 * 0.8).sqrt();
        for (k, c) in &counts {
            assert!(
                (*c as f64 - 600.0).abs() < 5.0 * sd,
                "{k} drawn {c} times of 3000"
            );
        }
        // P(both) = (4/20)(3/19) = 0.0316: 94.7 of 3000.
        let both = pairs.get("first two").copied().unwrap_or(0) as f64;
        let p = 4.0 / 20.0 * 3.0 / 19.0;
        assert!(
            (both - 3000.0 * p).abs() < 5.0 * (3000.0 * p * (1.0 - p)).sqrt(),
            "{both}"
        );
    }

    #[test]
    fn the_fingerprint_follows_the_keys_not_the_levels() {
        let a = population(5);
        let mut b = population(5);
        b.members[0].level = Level::High;
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), population(6).fingerprint());
    }
}
