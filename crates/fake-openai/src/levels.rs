//! How confident the fake "model" is about an answer's exposure level.
//!
//! willai can weigh a level by the model's confidence: from the log-probability
//! of the level token, or from how many of `n` sampled choices agree. Both need
//! a probability distribution over HIGH, MEDIUM and LOW behind each answer.
//! By default it is derived from the request body, so different tasks get
//! different confidences; tests script it per request content to pin a case.

use serde_json::Value;

use crate::fault::contains;
use crate::generate::mix;

/// An exposure level, in the order of [`FakeServer::script_levels`](crate::FakeServer::script_levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    High,
    Medium,
    Low,
}

impl Level {
    pub(crate) const ALL: [Level; 3] = [Level::High, Level::Medium, Level::Low];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Level::High => "HIGH",
            Level::Medium => "MEDIUM",
            Level::Low => "LOW",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.name() == text)
    }

    fn index(self) -> usize {
        match self {
            Level::High => 0,
            Level::Medium => 1,
            Level::Low => 2,
        }
    }
}

/// The level an answer states: its top-level `"level"` field, when that is a [`Level`].
pub(crate) fn level_of(answer: &Value) -> Option<Level> {
    answer.get("level")?.as_str().and_then(Level::parse)
}

/// Overwrites the answer's level, only where [`level_of`] finds one (other
/// values may be what the schema asks for, and are left alone).
pub(crate) fn set_level(answer: &mut Value, level: Level) {
    if level_of(answer).is_some()
        && let Some(slot) = answer.get_mut("level")
    {
        *slot = Value::from(level.name());
    }
}

/// Salts that keep the hash-derived numbers of one request independent of each other.
const SALT_TOP: u64 = 0x243f_6a88_85a3_08d3;
const SALT_SHARE: u64 = 0x1319_8a2e_0370_7344;
const SALT_SECOND: u64 = 0xa409_3822_299f_31d0;
const SALT_OFFSET: u64 = 0x082e_fa98_ec4e_6c89;
const SALT_ORDER: u64 = 0x4528_21e6_38d0_1377;

/// A uniform number in `[0, 1)` from the 53 high bits of a hash (exact in an f64).
fn unit(hash: u64) -> f64 {
    (hash >> 11) as f64 / (1u64 << 53) as f64
}

/// A probability distribution over HIGH, MEDIUM and LOW (non-negative, sums to 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Distribution([f64; 3]);

impl Distribution {
    /// `weights` scaled to sum to 1; `None` when one is negative or not finite,
    /// or all are zero.
    pub(crate) fn normalised(weights: [f64; 3]) -> Option<Distribution> {
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return None;
        }
        let sum: f64 = weights.iter().sum();
        (sum > 0.0 && sum.is_finite()).then(|| Distribution(weights.map(|w| w / sum)))
    }

    /// The default distribution of a request: `top` gets a probability in
    /// `[0.45, 0.99)` and the rest is split unevenly between the other two, all
    /// from `seed`. The second level gets at most `0.55 * 0.8 = 0.44`, so `top`
    /// is always the strict argmax and a single choice keeps the level the
    /// schema generator picked.
    pub(crate) fn around(top: Level, seed: u64) -> Distribution {
        let p_top = 0.45 + 0.54 * unit(mix(seed ^ SALT_TOP));
        let share = 0.5 + 0.3 * unit(mix(seed ^ SALT_SHARE));
        let second = (1.0 - p_top) * share;
        let third = 1.0 - p_top - second;
        let others: Vec<Level> = Level::ALL.into_iter().filter(|l| *l != top).collect();
        let (a, b) = match others.as_slice() {
            [a, b] if mix(seed ^ SALT_SECOND) & 1 == 0 => (*a, *b),
            [a, b] => (*b, *a),
            _ => (top, top),
        };
        let mut probs = [0.0; 3];
        probs[a.index()] = second;
        probs[b.index()] = third;
        probs[top.index()] = p_top;
        Distribution(probs)
    }

    pub(crate) fn p(&self, level: Level) -> f64 {
        self.0[level.index()]
    }

    /// The levels from most to least probable; ties keep HIGH, MEDIUM, LOW order.
    pub(crate) fn ranked(&self) -> [Level; 3] {
        let mut levels = Level::ALL;
        levels.sort_by(|a, b| self.p(*b).total_cmp(&self.p(*a)));
        levels
    }

    /// The most probable level (ties: the first of HIGH, MEDIUM, LOW).
    pub(crate) fn argmax(&self) -> Level {
        self.ranked()[0]
    }

    /// The level of choice `i` of `n`, drawn by systematic sampling: the `n`
    /// choices take the points `(offset + k) / n` of `[0, 1)`, `k` a permutation
    /// of `0..n` and `offset` uniform, both from `seed`. Each choice alone is a
    /// fair draw from the distribution, and together each level appears in
    /// `floor` or `ceil` of `n * p` choices, so a test asserting "most but not
    /// all" holds for every request body rather than for most of them.
    pub(crate) fn draw(&self, seed: u64, i: usize, n: usize) -> Level {
        let key = |j: usize| (mix(seed ^ SALT_ORDER ^ j as u64), j);
        let rank = (0..n).filter(|j| key(*j) < key(i)).count();
        let point = (unit(mix(seed ^ SALT_OFFSET)) + rank as f64) / n.max(1) as f64;
        let mut cumulative = 0.0;
        for level in Level::ALL {
            cumulative += self.p(level);
            if point < cumulative {
                return level;
            }
        }
        // Rounding left `point` above the last sum: the last level that can occur.
        Level::ALL
            .into_iter()
            .rev()
            .find(|level| self.p(*level) > 0.0)
            .unwrap_or(Level::High)
    }
}

/// Distributions scripted per needle with [`FakeServer::script_levels`](crate::FakeServer::script_levels).
/// Unlike faults they are not used up: a needle keeps its distribution until
/// it is scripted again or cleared.
#[derive(Debug, Default)]
pub(crate) struct ScriptedLevels {
    scripts: Vec<(Vec<u8>, Distribution)>,
}

impl ScriptedLevels {
    /// Sets `needle`'s distribution, replacing (in place) any earlier one for the same needle.
    pub(crate) fn set(&mut self, needle: &str, distribution: Distribution) {
        let needle = needle.as_bytes();
        match self.scripts.iter_mut().find(|(n, _)| n == needle) {
            Some((_, slot)) => *slot = distribution,
            None => self.scripts.push((needle.to_vec(), distribution)),
        }
    }

    /// The distribution of the first registered needle that occurs in `body`.
    pub(crate) fn find(&self, body: &[u8]) -> Option<Distribution> {
        self.scripts
            .iter()
            .find(|(needle, _)| contains(body, needle))
            .map(|(_, distribution)| *distribution)
    }

    pub(crate) fn clear(&mut self) {
        self.scripts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(distribution: &Distribution, seed: u64, n: usize) -> [usize; 3] {
        let mut counts = [0; 3];
        for i in 0..n {
            counts[distribution.draw(seed, i, n).index()] += 1;
        }
        counts
    }

    #[test]
    fn default_distributions_have_the_given_top_and_vary() {
        let mut tops = Vec::new();
        for seed in 0..200u64 {
            for top in Level::ALL {
                let d = Distribution::around(top, mix(seed));
                assert_eq!(d.argmax(), top);
                assert!((d.0.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                assert!(d.0.iter().all(|p| *p > 0.0));
                tops.push(d.p(top));
            }
        }
        let min = tops.iter().copied().fold(1.0, f64::min);
        let max = tops.iter().copied().fold(0.0, f64::max);
        assert!(min < 0.5 && max > 0.95, "{min}..{max}");
    }

    #[test]
    fn draws_follow_the_distribution_closely() {
        let d = Distribution::normalised([6.0, 3.0, 1.0]).expect("valid");
        for seed in 0..100u64 {
            assert_eq!(counts(&d, mix(seed), 10), [6, 3, 1]);
            let [high, medium, low] = counts(&d, mix(seed), 7);
            assert!((4..=5).contains(&high) && (2..=3).contains(&medium) && low <= 1);
        }
        let only_low = Distribution::normalised([0.0, 0.0, 2.0]).expect("valid");
        assert_eq!(counts(&only_low, 9, 16), [0, 0, 16]);
        assert_eq!(only_low.argmax(), Level::Low);
    }

    #[test]
    fn invalid_weights_are_rejected() {
        assert!(Distribution::normalised([0.0, 0.0, 0.0]).is_none());
        assert!(Distribution::normalised([1.0, -0.1, 0.0]).is_none());
        assert!(Distribution::normalised([f64::NAN, 1.0, 0.0]).is_none());
        assert!(Distribution::normalised([f64::INFINITY, 1.0, 0.0]).is_none());
    }

    #[test]
    fn scripted_levels_replace_by_needle_and_first_match_wins() {
        let a = Distribution::normalised([1.0, 0.0, 0.0]).expect("valid");
        let b = Distribution::normalised([0.0, 1.0, 0.0]).expect("valid");
        let mut scripts = ScriptedLevels::default();
        scripts.set("task", a);
        scripts.set("task-b", b);
        assert_eq!(scripts.find(b"task-b"), Some(a));
        scripts.set("task", b);
        assert_eq!(scripts.find(b"task-a"), Some(b));
        assert_eq!(scripts.find(b"other"), None);
        scripts.clear();
        assert_eq!(scripts.find(b"task"), None);
    }
}
