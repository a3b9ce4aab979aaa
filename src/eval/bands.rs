//! Is the review queue in the right order? `willai review` shows the model's least
//! certain levels first, on the bet that they are where the wrong levels are. When the
//! predictions are the records' and some carry the machine's confidence, `willai eval`
//! checks the bet against the gold labels: agreement per confidence band, and how many
//! of all disagreements a reviewer meets by reviewing the lowest bands first.
//!
//! Bands: below 0.5, 0.5 to 0.7, 0.7 to 0.9, 0.9 and above (each includes its lower
//! bound). Shares are of all matched tasks and of all disagreements, those without a
//! confidence included, so the cumulative shares say what reviewing in queue order
//! finds before reaching the items the queue puts last.

use serde::Serialize;

use super::Pair;
use super::metrics::{self, Num, Undefined};

/// The lower bounds of the bands, and their names.
pub const BANDS: [(f64, &str); 4] = [
    (0.0, "below 0.5"),
    (0.5, "0.5-0.7"),
    (0.7, "0.7-0.9"),
    (0.9, "0.9 and above"),
];

/// The band of a confidence (its index in [`BANDS`]).
pub fn band_of(confidence: f64) -> usize {
    BANDS
        .iter()
        .rposition(|(from, _)| confidence >= *from)
        .unwrap_or(0)
}

/// One band's tasks.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Band {
    pub band: &'static str,
    /// Lower bound (included) and upper bound (excluded; `null` for the last band).
    pub from: f64,
    pub to: Option<f64>,
    pub matched: u64,
    pub agreed: u64,
    pub exact_agreement: Num,
    pub disagreed: u64,
    /// This band's disagreements among all disagreements.
    pub share_of_disagreements: Num,
    /// Matched tasks in this band and the bands below it, among all matched tasks.
    pub cumulative_share_of_tasks: Num,
    /// Disagreements in this band and the bands below it, among all disagreements.
    pub cumulative_share_of_disagreements: Num,
}

/// Matched tasks whose prediction has no confidence.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub struct Unbanded {
    pub matched: u64,
    pub agreed: u64,
    pub disagreed: u64,
}

/// Agreement by the machine's confidence.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Bands {
    /// Matched tasks with a confidence.
    pub with_confidence: u64,
    pub bands: Vec<Band>,
    pub without_confidence: Unbanded,
}

const NO_DISAGREEMENT: Undefined = Undefined("no disagreement");

impl Bands {
    /// The bands of the matched pairs.
    pub fn build(pairs: &[Pair]) -> Bands {
        let mut matched = [0u64; 4];
        let mut agreed = [0u64; 4];
        let mut none = Unbanded {
            matched: 0,
            agreed: 0,
            disagreed: 0,
        };
        for p in pairs {
            let same = u64::from(p.gold == p.predicted);
            match p.confidence {
                Some(c) => {
                    let b = band_of(c);
                    matched[b] += 1;
                    agreed[b] += same;
                }
                None => {
                    none.matched += 1;
                    none.agreed += same;
                }
            }
        }
        none.disagreed = none.matched - none.agreed;
        let total = pairs.len() as u64;
        let disagreements = (0..4).map(|b| matched[b] - agreed[b]).sum::<u64>() + none.disagreed;
        let share = |n: u64, of: u64| {
            if of == 0 {
                Num(Err(NO_DISAGREEMENT))
            } else {
                Num(metrics::ratio(n, of))
            }
        };
        let (mut cum_tasks, mut cum_dis) = (0, 0);
        let bands = (0..4)
            .map(|b| {
                let disagreed = matched[b] - agreed[b];
                cum_tasks += matched[b];
                cum_dis += disagreed;
                Band {
                    band: BANDS[b].1,
                    from: BANDS[b].0,
                    to: BANDS.get(b + 1).map(|(from, _)| *from),
                    matched: matched[b],
                    agreed: agreed[b],
                    exact_agreement: Num(metrics::ratio(agreed[b], matched[b])),
                    disagreed,
                    share_of_disagreements: share(disagreed, disagreements),
                    cumulative_share_of_tasks: Num(metrics::ratio(cum_tasks, total)),
                    cumulative_share_of_disagreements: share(cum_dis, disagreements),
                }
            })
            .collect();
        Bands {
            with_confidence: total - none.matched,
            bands,
            without_confidence: none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_belong_to_the_band_above() {
        let got: Vec<usize> = [0.0, 0.49, 0.5, 0.69, 0.7, 0.89, 0.9, 1.0]
            .map(band_of)
            .to_vec();
        assert_eq!(got, [0, 0, 1, 1, 2, 2, 3, 3]);
    }
}
