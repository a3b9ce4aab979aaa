//! The estimators of an audit, at 95%: the Wilson interval for a share measured on the
//! sample (how often an editor disagrees), the PPI++ mean (a share in the whole
//! population from the editor's labels on the sample and the project's levels on
//! everything), and the classical interval from the sample alone.
//!
//! The PPI++ mean is exactly `ppi_py.ppi_mean_pointestimate` / `ppi_py.ppi_mean_ci` with
//! `lam=None`, `alpha=0.05` (Angelopoulos, Duchi and Zrnic, "PPI++", 2023), checked to
//! 1e-6 against ppi_py's own outputs in `tests/fixtures/audit/ppi_cases.json`:
//!
//! - lambda = cov(Y, Yhat) / ((1 + n/N) var(Yhat ∪ Yhat_unlabeled)), where the covariance
//!   divides by n and the variance (numpy's `np.cov`) by n + N - 1, clipped to [0, 1];
//! - estimate = mean(lambda Yhat_unlabeled) + mean(Y - lambda Yhat);
//! - standard error = sqrt(sd(lambda Yhat_unlabeled)² / N + sd(Y - lambda Yhat)² / n),
//!   standard deviations dividing by the count (numpy's default);
//! - interval = estimate ± z sd, z the normal 97.5% quantile (a normal interval, not t).
//!
//! Two cases where ppi_py has no answer get the one every lambda gives: when every
//! prediction is equal, lambda is 0/0 (NaN in ppi_py), yet every lambda gives the same
//! estimate and interval, the classical ones, so lambda is 0; with no unlabeled data (the
//! sample is the population) ppi_py divides by zero, and the answer is the classical one.
//!
//! The estimators work on sums (count, sum, sum of squares, sum of products), which for
//! shares (values 0 and 1) are exact; numpy's two-pass means and deviations agree with
//! them to about 1e-15. Nothing here rounds or clips: a bound may fall outside [0, 1] as
//! ppi_py's does; the report shows it clipped.

/// The normal distribution's 97.5% quantile (`scipy.stats.norm.ppf(0.975)`): a two-sided
/// 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// An estimate with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    fn around(estimate: f64, half: f64) -> Interval {
        Interval {
            estimate,
            low: estimate - half,
            high: estimate + half,
        }
    }
}

/// A PPI++ estimate: the interval and the lambda it was tuned to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ppi {
    pub interval: Interval,
    /// How much the predictions are trusted: 0 is the classical estimate, 1 plain PPI.
    pub lambda: f64,
}

/// The sums of one set of values that a mean and its spread need. Sums rather than
/// slices: a share's values are 0 and 1, whose sums are exact, and the sums of a part of
/// a population are the population's less the rest's (which the validity simulation
/// uses to run thousands of draws in seconds).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sums {
    pub n: usize,
    pub sum: f64,
    pub squares: f64,
}

impl Sums {
    pub fn of(x: &[f64]) -> Sums {
        x.iter().fold(Sums::default(), |s, &v| s.with(v))
    }

    pub fn with(self, v: f64) -> Sums {
        Sums {
            n: self.n + 1,
            sum: self.sum + v,
            squares: self.squares + v * v,
        }
    }

    /// These sums less those of a part of the same values.
    pub fn without(self, part: Sums) -> Sums {
        Sums {
            n: self.n - part.n,
            sum: self.sum - part.sum,
            squares: self.squares - part.squares,
        }
    }

    fn mean(&self) -> f64 {
        self.sum / self.n as f64
    }

    /// The variance dividing by the count (numpy's `var()`); never below 0.
    fn variance(&self) -> f64 {
        (self.squares / self.n as f64 - self.mean().powi(2)).max(0.0)
    }
}

/// The sums of labels and predictions on the same items.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Paired {
    pub y: Sums,
    pub yhat: Sums,
    /// The sum of the products of each label with its prediction.
    pub products: f64,
}

impl Paired {
    pub fn of(y: &[f64], yhat: &[f64]) -> Paired {
        assert_eq!(y.len(), yhat.len(), "one prediction per label");
        y.iter()
            .zip(yhat)
            .fold(Paired::default(), |p, (&a, &b)| p.with(a, b))
    }

    pub fn with(self, y: f64, yhat: f64) -> Paired {
        Paired {
            y: self.y.with(y),
            yhat: self.yhat.with(yhat),
            products: self.products + y * yhat,
        }
    }

    pub fn n(&self) -> usize {
        self.y.n
    }

    /// The covariance of labels and predictions, dividing by n.
    fn covariance(&self) -> f64 {
        self.products / self.n() as f64 - self.y.mean() * self.yhat.mean()
    }

    /// The variance of `y - lambda yhat`, dividing by n.
    fn rectifier_variance(&self, lambda: f64) -> f64 {
        let n = self.n() as f64;
        let mean = self.y.mean() - lambda * self.yhat.mean();
        let squares =
            self.y.squares - 2.0 * lambda * self.products + lambda * lambda * self.yhat.squares;
        (squares / n - mean * mean).max(0.0)
    }
}

/// The Wilson score interval of `k` successes in `n` trials; `None` when `n` is 0.
/// (statsmodels' `proportion_confint(k, n, alpha=0.05, method="wilson")`.)
pub fn wilson(k: usize, n: usize) -> Option<Interval> {
    if n == 0 {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(Interval {
        estimate: p,
        low: centre - half,
        high: centre + half,
    })
}

/// The classical interval from the sample alone: mean ± z sd / sqrt(n)
/// (`ppi_py.baselines.classical_mean_ci(y, alpha=0.05)`); `None` when nothing is there.
pub fn classical(y: Sums) -> Option<Interval> {
    if y.n == 0 {
        return None;
    }
    Some(Interval::around(
        y.mean(),
        Z95 * (y.variance() / y.n as f64).sqrt(),
    ))
}

/// The power-tuned lambda of PPI++ for a mean, clipped to [0, 1]; 0 where its
/// denominator is 0 or there is nothing to tune on (see the module's notes).
pub fn lambda(labelled: &Paired, unlabelled: Sums) -> f64 {
    let (n, big_n) = (labelled.n(), unlabelled.n);
    if n == 0 || big_n == 0 {
        return 0.0;
    }
    // np.cov of every prediction: divides by n + N - 1.
    let all = Sums {
        n: n + big_n,
        sum: labelled.yhat.sum + unlabelled.sum,
        squares: labelled.yhat.squares + unlabelled.squares,
    };
    let var_all = all.variance() * all.n as f64 / (all.n - 1) as f64;
    let denom = (1.0 + n as f64 / big_n as f64) * var_all;
    if denom <= 0.0 {
        return 0.0;
    }
    (labelled.covariance() / denom).clamp(0.0, 1.0)
}

/// The PPI++ estimate of the mean of the labels with its 95% interval, from the labels
/// and predictions on the sample and the predictions on the rest of the population;
/// `None` when nothing is labelled.
pub fn ppi_mean(labelled: &Paired, unlabelled: Sums) -> Option<Ppi> {
    if labelled.n() == 0 {
        return None;
    }
    let lam = lambda(labelled, unlabelled);
    let (imputed, imputed_var) = if unlabelled.n == 0 {
        (0.0, 0.0)
    } else {
        (
            lam * unlabelled.mean(),
            lam * lam * unlabelled.variance() / unlabelled.n as f64,
        )
    };
    let rectifier = labelled.y.mean() - lam * labelled.yhat.mean();
    let rectifier_var = labelled.rectifier_variance(lam) / labelled.n() as f64;
    Some(Ppi {
        interval: Interval::around(
            imputed + rectifier,
            Z95 * (imputed_var + rectifier_var).sqrt(),
        ),
        lambda: lam,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn fixture() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/audit/ppi_cases.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn floats(v: &Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }

    fn close(what: &str, got: f64, want: &Value) {
        let want = want.as_f64().unwrap_or_else(|| panic!("{what}: {want}"));
        assert!(
            (got - want).abs() <= 1e-6,
            "{what}: willai says {got}, ppi_py {want}"
        );
    }

    /// Every fixed case agrees with what ppi_py (and statsmodels, for Wilson) said, to
    /// 1e-6; `.ci/run` checks that they still say it.
    #[test]
    fn ppi_mean_and_the_classical_interval_agree_with_ppi_py() {
        let f = fixture();
        let cases = f["cases"].as_array().unwrap();
        assert!(cases.len() >= 15, "the fixture lost cases");
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let (y, yhat, unl) = (
                floats(&case["y"]),
                floats(&case["yhat"]),
                floats(&case["yhat_unlabeled"]),
            );
            let got = ppi_mean(&Paired::of(&y, &yhat), Sums::of(&unl))
                .unwrap()
                .interval;
            let want = &case["expected"];
            close(
                &format!("{name}: estimate"),
                got.estimate,
                &want["estimate"],
            );
            close(&format!("{name}: low"), got.low, &want["low"]);
            close(&format!("{name}: high"), got.high, &want["high"]);
            // Where ppi_py answers, that answer is the expected one.
            if case["ppi_py"]["estimate"].is_f64() {
                close(name, got.estimate, &case["ppi_py"]["estimate"]);
                close(name, got.high, &case["ppi_py"]["high"]);
            }
            let c = classical(Sums::of(&y)).unwrap();
            close(
                &format!("{name}: classical"),
                c.estimate,
                &case["classical"]["estimate"],
            );
            close(
                &format!("{name}: classical low"),
                c.low,
                &case["classical"]["low"],
            );
            close(
                &format!("{name}: classical high"),
                c.high,
                &case["classical"]["high"],
            );
        }
    }

    #[test]
    fn wilson_agrees_with_statsmodels() {
        let f = fixture();
        for w in f["wilson"].as_array().unwrap() {
            let (k, n) = (w["k"].as_u64().unwrap(), w["n"].as_u64().unwrap());
            let got = wilson(k as usize, n as usize).unwrap();
            close(&format!("wilson {k}/{n} low"), got.low, &w["low"]);
            close(&format!("wilson {k}/{n} high"), got.high, &w["high"]);
        }
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn lambda_is_tuned_clipped_and_zero_without_information() {
        // Perfect predictions, few outside: lambda near 1/(1 + n/N).
        let y = [1.0, 0.0, 1.0, 0.0];
        let unl = Sums::of(&[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        let lam = lambda(&Paired::of(&y, &y), unl);
        // cov = 0.25; var of the 12 predictions (ddof 1) = 0.25 * 12 / 11; 1 + n/N = 1.5.
        assert!(
            (lam - 0.25 / (1.5 * 0.25 * 12.0 / 11.0)).abs() < 1e-12,
            "{lam}"
        );
        // Opposite predictions: clipped to 0.
        let opposite = [0.0, 1.0, 0.0, 1.0];
        assert_eq!(lambda(&Paired::of(&y, &opposite), unl), 0.0);
        // Every prediction equal: 0/0, lambda 0, and the classical interval.
        let zeros = Paired::of(&y, &[0.0; 4]);
        let none = Sums::of(&[0.0; 8]);
        assert_eq!(lambda(&zeros, none), 0.0);
        let classic = classical(Sums::of(&y)).unwrap();
        assert_eq!(ppi_mean(&zeros, none).unwrap().interval, classic);
        // No unlabeled data, no labels.
        let perfect = Paired::of(&y, &y);
        assert_eq!(
            ppi_mean(&perfect, Sums::default()).unwrap().interval,
            classic
        );
        assert_eq!(ppi_mean(&Paired::default(), unl), None);
        assert_eq!(classical(Sums::default()), None);
    }

    #[test]
    fn the_sums_of_a_part_are_the_whole_less_the_rest() {
        let whole = Sums::of(&[1.0, 0.0, 1.0, 1.0]);
        let part = Sums::of(&[1.0, 0.0]);
        assert_eq!(whole.without(part), Sums::of(&[1.0, 1.0]));
    }
}
