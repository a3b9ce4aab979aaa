//! The statistics of `willai eval`, as pure functions over matched label pairs, so they
//! can be checked against numbers worked out by hand (the tests below).
//!
//! Levels are ordinal, LOW < MEDIUM < HIGH, for the quadratic-weighted kappa. The
//! paper's three task scores (Eloundou et al. 2023) are alpha (HIGH = 1, else 0), beta
//! (HIGH = 1, MEDIUM = 0.5, LOW = 0) and gamma (HIGH or MEDIUM = 1, else 0).
//!
//! A statistic that has no value (kappa when chance alone predicts perfect agreement,
//! Pearson's r with a constant side, anything over no data) is an [`Undefined`] with the
//! reason, never NaN: scripts get `null`, people get "undefined (reason)".

use serde::{Serialize, Serializer};

use crate::record::Level;

/// Why a statistic has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Undefined(pub &'static str);

/// A statistic: its value, or why there is none.
pub type Stat = Result<f64, Undefined>;

pub const NOTHING_MATCHED: Undefined = Undefined("no task matched");

/// A statistic as shown: rounded to 4 decimals, `null` / "undefined (reason)" when it
/// has no value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub Stat);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Ok(x) => s.serialize_f64(round4(x)),
            Err(_) => s.serialize_none(),
        }
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Ok(x) => write!(f, "{:.4}", round4(x)),
            Err(Undefined(why)) => write!(f, "undefined ({why})"),
        }
    }
}

/// The ordinal rank of a level: LOW = 0, MEDIUM = 1, HIGH = 2.
pub fn rank(level: Level) -> usize {
    match level {
        Level::Low => 0,
        Level::Medium => 1,
        Level::High => 2,
    }
}

/// alpha: direct exposure only (HIGH = 1, else 0).
pub fn alpha(level: Level) -> f64 {
    if level == Level::High { 1.0 } else { 0.0 }
}

/// beta: HIGH = 1, MEDIUM = 0.5, LOW = 0.
pub fn beta(level: Level) -> f64 {
    match level {
        Level::High => 1.0,
        Level::Medium => 0.5,
        Level::Low => 0.0,
    }
}

/// gamma (zeta in the paper): HIGH or MEDIUM = 1, LOW = 0.
pub fn gamma(level: Level) -> f64 {
    if level == Level::Low { 0.0 } else { 1.0 }
}

/// The 3x3 confusion matrix: `counts[rank(gold)][rank(predicted)]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    pub counts: [[u64; 3]; 3],
}

impl Confusion {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Level, Level)>) -> Confusion {
        let mut c = Confusion::default();
        for (gold, predicted) in pairs {
            c.counts[rank(gold)][rank(predicted)] += 1;
        }
        c
    }

    pub fn get(&self, gold: Level, predicted: Level) -> u64 {
        self.counts[rank(gold)][rank(predicted)]
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Tasks with the same level on both sides.
    pub fn agreed(&self) -> u64 {
        (0..3).map(|i| self.counts[i][i]).sum()
    }

    fn rows(&self) -> [u64; 3] {
        [0, 1, 2].map(|i| self.counts[i].iter().sum())
    }

    fn cols(&self) -> [u64; 3] {
        [0, 1, 2].map(|j| self.counts.iter().map(|row| row[j]).sum())
    }

    /// The share of tasks with the same level on both sides.
    pub fn exact_agreement(&self) -> Stat {
        ratio(self.agreed(), self.total())
    }

    /// Cohen's kappa, (po - pe) / (1 - pe), computed in integers as
    /// (n * agreed - sum_k rows_k * cols_k) / (n^2 - sum_k rows_k * cols_k).
    pub fn kappa(&self) -> Stat {
        let n = u128::from(self.total());
        if n == 0 {
            return Err(NOTHING_MATCHED);
        }
        let (rows, cols) = (self.rows(), self.cols());
        let chance: u128 = (0..3)
            .map(|k| u128::from(rows[k]) * u128::from(cols[k]))
            .sum();
        let denominator = n * n - chance;
        if denominator == 0 {
            return Err(Undefined(
                "expected agreement is 1: both sides give every task the same level",
            ));
        }
        let numerator = (n * u128::from(self.agreed())) as f64 - chance as f64;
        Ok(clamp(numerator / denominator as f64))
    }

    /// Cohen's kappa with quadratic weights (i - j)^2 on the ordinal ranks:
    /// 1 - n * sum w_ij O_ij / sum w_ij rows_i cols_j, in integers.
    pub fn quadratic_kappa(&self) -> Stat {
        let n = u128::from(self.total());
        if n == 0 {
            return Err(NOTHING_MATCHED);
        }
        let (rows, cols) = (self.rows(), self.cols());
        let (mut observed, mut expected) = (0u128, 0u128);
        for (i, (row, &r)) in self.counts.iter().zip(&rows).enumerate() {
            for (j, (&o, &c)) in row.iter().zip(&cols).enumerate() {
                let w = (i as u128).abs_diff(j as u128).pow(2);
                observed += w * u128::from(o);
                expected += w * u128::from(r) * u128::from(c);
            }
        }
        if expected == 0 {
            return Err(Undefined(
                "expected disagreement is 0: both sides give every task the same level",
            ));
        }
        Ok(clamp(1.0 - (n * observed) as f64 / expected as f64))
    }
}

/// `part / whole`, undefined for nothing.
pub fn ratio(part: u64, whole: u64) -> Stat {
    if whole == 0 {
        Err(NOTHING_MATCHED)
    } else {
        Ok(part as f64 / whole as f64)
    }
}

/// The mean, undefined for nothing.
pub fn mean(xs: &[f64]) -> Stat {
    if xs.is_empty() {
        Err(NOTHING_MATCHED)
    } else {
        Ok(xs.iter().sum::<f64>() / xs.len() as f64)
    }
}

/// Pearson's r of paired values (gold in `xs`, predicted in `ys`); undefined when there
/// is nothing or a side is constant (its standard deviation is 0).
pub fn pearson(xs: &[f64], ys: &[f64]) -> Stat {
    assert_eq!(xs.len(), ys.len(), "paired values");
    let Some((&x0, &y0)) = xs.first().zip(ys.first()) else {
        return Err(NOTHING_MATCHED);
    };
    // Tested on the values themselves, not on a variance that rounding may leave a
    // hair above 0.
    let x_const = xs.iter().all(|&x| x == x0);
    let y_const = ys.iter().all(|&y| y == y0);
    match (x_const, y_const) {
        (true, true) => return Err(Undefined("both sides are constant")),
        (true, false) => return Err(Undefined("the gold side is constant")),
        (false, true) => return Err(Undefined("the predicted side is constant")),
        (false, false) => {}
    }
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&x, &y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    Ok(clamp(sxy / (sxx.sqrt() * syy.sqrt())))
}

fn clamp(x: f64) -> f64 {
    x.clamp(-1.0, 1.0)
}

/// The weighted mean of `values` (weights > 0), undefined for nothing.
pub fn weighted_mean(values: impl IntoIterator<Item = (f64, f64)>) -> Stat {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (value, w) in values {
        sum += value * w;
        weight += w;
    }
    if weight == 0.0 {
        Err(NOTHING_MATCHED)
    } else {
        Ok(sum / weight)
    }
}

/// A statistic rounded to 4 decimals (and -0 made 0), the form every output shows.
pub fn round4(x: f64) -> f64 {
    let r = (x * 10_000.0).round() / 10_000.0;
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Level::{High as H, Low as L, Medium as M};

    fn close(stat: Stat, want: f64) {
        let got = stat.unwrap_or_else(|u| panic!("undefined: {}", u.0));
        assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
    }

    fn scores(pairs: &[(Level, Level)], f: fn(Level) -> f64) -> (Vec<f64>, Vec<f64>) {
        pairs.iter().map(|&(g, p)| (f(g), f(p))).unzip()
    }

    #[test]
    fn a_negative_kappa() {
        // gold H M L L M, predicted L L M H M: only the last task agrees, po = 1/5.
        // Marginals (L, M, H): gold 2 2 1, predicted 2 2 1; pe = (4 + 4 + 1) / 25 = 9/25.
        // kappa = (1/5 - 9/25) / (1 - 9/25) = (5 - 9) / (25 - 9) = -4/16 = -0.25.
        // Quadratic: observed weighted disagreement (H,L) 4 + (M,L) 1 + (L,M) 1 + (L,H) 4
        // = 10; expected sum w r_i c_j = 2*(2*2*1) + 2*(2*1*4) + 2*(2*1*1) = 8 + 16 + 4
        // = 28; kappa_w = 1 - 5 * 10 / 28 = -22/28 = -0.785714...
        let pairs = [(H, L), (M, L), (L, M), (L, H), (M, M)];
        let c = Confusion::from_pairs(pairs);
        close(c.exact_agreement(), 0.2);
        close(c.kappa(), -0.25);
        close(c.quadratic_kappa(), -22.0 / 28.0);
        // alpha: gold 1 0 0 0 0, predicted 0 0 0 1 0: means 0.2, 0.2; sxy = -0.2,
        // sxx = syy = 0.8; r = -0.25.
        let (g, p) = scores(&pairs, alpha);
        close(pearson(&g, &p), -0.25);
        close(mean(&g), 0.2);
        // beta: gold 1 .5 0 0 .5 (mean .4), predicted 0 0 .5 1 .5 (mean .4);
        // deviations gold .6 .1 -.4 -.4 .1, predicted -.4 -.4 .1 .6 .1;
        // sxy = -.24 - .04 - .04 - .24 + .01 = -.55; sxx = syy = .36+.01+.16+.16+.01 = .7;
        // r = -.55 / .7 = -0.785714...
        let (g, p) = scores(&pairs, beta);
        close(pearson(&g, &p), -0.55 / 0.7);
    }

    #[test]
    fn a_perfect_match() {
        let pairs = [(H, H), (M, M), (L, L), (L, L)];
        let c = Confusion::from_pairs(pairs);
        close(c.exact_agreement(), 1.0);
        close(c.kappa(), 1.0);
        close(c.quadratic_kappa(), 1.0);
        let (g, p) = scores(&pairs, beta);
        close(pearson(&g, &p), 1.0);
    }

    #[test]
    fn a_worked_example() {
        // Confusion (rows gold L M H, columns predicted L M H):
        //   L: 3 1 0 / M: 1 2 1 / H: 0 1 1  (n = 10, agreed 6).
        // rows 4 4 2, cols 4 4 2; chance = 16 + 16 + 4 = 36;
        // kappa = (10*6 - 36) / (100 - 36) = 24/64 = 0.375.
        // Quadratic: observed = 1+1+1+1 (the four off-by-one cells) = 4;
        // expected = sum (i-j)^2 r_i c_j = 2*(4*4*1) + 2*(4*2*1) + 2*(4*2*4) = 32+16+64 = 112;
        // kappa_w = 1 - 10 * 4 / 112 = 1 - 40/112 = 0.642857...
        let mut pairs = vec![(L, L); 3];
        pairs.extend([(L, M), (M, L), (M, M), (M, M), (M, H), (H, M), (H, H)]);
        let c = Confusion::from_pairs(pairs.iter().copied());
        assert_eq!(
            (c.total(), c.agreed(), c.get(L, M), c.get(H, M)),
            (10, 6, 1, 1)
        );
        close(c.kappa(), 0.375);
        close(c.quadratic_kappa(), 1.0 - 40.0 / 112.0);
    }

    #[test]
    fn constant_sides_are_undefined_not_nan() {
        // Both LOW everywhere: pe = 1, no variance.
        let both = Confusion::from_pairs([(L, L), (L, L)]);
        assert!(both.kappa().is_err());
        assert!(both.quadratic_kappa().is_err());
        close(both.exact_agreement(), 1.0);
        assert_eq!(
            pearson(&[0.0, 0.0], &[0.0, 0.0]),
            Err(Undefined("both sides are constant"))
        );
        // Gold constant, predicted not: kappa is defined (0: no better than chance):
        // po = 2/3, rows L 3, cols L 2 H 1; chance = 3*2 = 6; (3*2 - 6) / (9 - 6) = 0.
        // Quadratic: observed 4 (one L-H task), expected 4 * 3 * 1 = 12; 1 - 3*4/12 = 0.
        let one = Confusion::from_pairs([(L, L), (L, L), (L, H)]);
        close(one.kappa(), 0.0);
        close(one.quadratic_kappa(), 0.0);
        assert_eq!(
            pearson(&[0.0, 0.0, 0.0], &[0.0, 0.0, 1.0]),
            Err(Undefined("the gold side is constant"))
        );
        assert_eq!(
            pearson(&[0.0, 1.0], &[0.5, 0.5]),
            Err(Undefined("the predicted side is constant"))
        );
    }

    #[test]
    fn nothing_is_undefined() {
        let c = Confusion::default();
        assert_eq!(c.kappa(), Err(NOTHING_MATCHED));
        assert_eq!(c.quadratic_kappa(), Err(NOTHING_MATCHED));
        assert_eq!(c.exact_agreement(), Err(NOTHING_MATCHED));
        assert_eq!(pearson(&[], &[]), Err(NOTHING_MATCHED));
        assert_eq!(mean(&[]), Err(NOTHING_MATCHED));
        assert_eq!(weighted_mean([]), Err(NOTHING_MATCHED));
    }

    #[test]
    fn weighted_means_and_rounding() {
        // Core tasks count double: (1*2 + 0.5*1 + 0*2) / 5 = 0.5.
        close(weighted_mean([(1.0, 2.0), (0.5, 1.0), (0.0, 2.0)]), 0.5);
        assert_eq!(round4(2.0 / 3.0), 0.6667);
        assert_eq!(round4(-0.00001), 0.0);
        assert!(round4(-0.00001).is_sign_positive());
        assert_eq!(round4(-0.785714), -0.7857);
    }

    #[test]
    fn scores_follow_the_paper() {
        assert_eq!([alpha(H), alpha(M), alpha(L)], [1.0, 0.0, 0.0]);
        assert_eq!([beta(H), beta(M), beta(L)], [1.0, 0.5, 0.0]);
        assert_eq!([gamma(H), gamma(M), gamma(L)], [1.0, 1.0, 0.0]);
    }
}
