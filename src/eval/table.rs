//! The table `willai eval` prints for people: the same numbers as the JSON, to 4
//! decimals, with "undefined (reason)" where a statistic has no value.

use std::fmt::Write as _;

use super::Source;
use super::report::{Agreement, PerLevel, Side};

/// A statistic in a narrow column: 4 decimals, or `-` when undefined (the JSON says
/// why).
fn short(n: &super::metrics::Num) -> String {
    match n.0 {
        Ok(_) => n.to_string(),
        Err(_) => "-".into(),
    }
}

/// `1 task`, `2 tasks`.
fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("{n} {what}")
    } else {
        format!("{n} {what}s")
    }
}

impl Agreement {
    /// The report for people.
    pub fn table(&self, gold: &Source, predicted: &Source) -> String {
        let mut out = String::new();
        let w = &mut out;
        let side = |s: &Side, src: &Source| {
            let extra = match (s.unlabelled, src) {
                (0, _) => String::new(),
                (n, Source::File { .. }) => format!(", {} without a label", plural(n, "row")),
                (n, Source::Records { .. }) => {
                    format!(", {} without a level", plural(n, "O*NET task"))
                }
            };
            format!("{} ({}{extra})", src.describe(), plural(s.tasks, "task"))
        };
        let _ = writeln!(w, "gold:       {}", side(&self.gold, gold));
        let _ = writeln!(w, "predicted:  {}", side(&self.predicted, predicted));
        let _ = writeln!(w, "labels:     {}", self.map);
        let _ = writeln!(w);
        let _ = writeln!(w, "tasks matched    {:>7}", self.matched);
        let _ = writeln!(w, "gold only        {:>7}", self.gold_only);
        let _ = writeln!(w, "predicted only   {:>7}", self.predicted_only);
        let _ = writeln!(w);
        if self.matched == 0 {
            let _ = writeln!(
                w,
                "no Task ID is on both sides: every statistic is undefined"
            );
            return out;
        }
        let _ = writeln!(
            w,
            "exact agreement  {:>7}  ({} of {})",
            self.exact_agreement.to_string(),
            self.agreed,
            self.matched
        );
        let _ = writeln!(w, "Cohen's kappa    {:>7}", self.kappa.to_string());
        let note = if self.quadratic_kappa.0.is_ok() {
            "  (quadratic weights; LOW < MEDIUM < HIGH)"
        } else {
            ""
        };
        let _ = writeln!(
            w,
            "weighted kappa   {:>7}{note}",
            self.quadratic_kappa.to_string()
        );
        let _ = writeln!(w);
        let _ = writeln!(w, "confusion (rows gold, columns predicted)");
        let _ = writeln!(
            w,
            "{:<10}{:>8}{:>8}{:>8}{:>8}",
            "", "HIGH", "MEDIUM", "LOW", "total"
        );
        let c = &self.confusion;
        let mut cols = PerLevel::default();
        for (name, r) in [("HIGH", c.high), ("MEDIUM", c.medium), ("LOW", c.low)] {
            let _ = writeln!(
                w,
                "{name:<10}{:>8}{:>8}{:>8}{:>8}",
                r.high,
                r.medium,
                r.low,
                r.high + r.medium + r.low
            );
            cols.high += r.high;
            cols.medium += r.medium;
            cols.low += r.low;
        }
        let _ = writeln!(
            w,
            "{:<10}{:>8}{:>8}{:>8}{:>8}",
            "total", cols.high, cols.medium, cols.low, self.matched
        );
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "{:<7}{:>10}{:>16}{:>11}  {:>7}",
            "score", "gold mean", "predicted mean", "agreement", "pearson"
        );
        let s = &self.scores;
        for (name, sc) in [("alpha", s.alpha), ("beta", s.beta), ("gamma", s.gamma)] {
            let _ = writeln!(
                w,
                "{name:<7}{:>10}{:>16}{:>11}  {:>7}",
                sc.gold_mean.to_string(),
                sc.predicted_mean.to_string(),
                sc.agreement.to_string(),
                sc.pearson.to_string()
            );
        }
        let _ = writeln!(w);
        let o = &self.occupations;
        let _ = writeln!(w, "occupations (by O*NET-SOC code): {}", o.count);
        if o.tasks_without_soc > 0 {
            let _ = writeln!(
                w,
                "  ({} without an O*NET-SOC code left out)",
                plural(o.tasks_without_soc, "matched task")
            );
        }
        let _ = writeln!(
            w,
            "mean beta, pearson, every task weighted equally  {:>7}",
            o.beta_pearson.to_string()
        );
        let _ = writeln!(
            w,
            "mean beta, pearson, Core tasks counting double   {:>7}",
            o.beta_pearson_core_weighted.to_string()
        );
        if let Some(b) = &self.confidence_bands {
            let _ = writeln!(w);
            let _ = writeln!(
                w,
                "by the machine's confidence (the review queue's order, lowest first)"
            );
            let _ = writeln!(
                w,
                "{:<15}{:>6}{:>11}{:>10}{:>8}{:>11}{:>15}",
                "band", "tasks", "agreement", "disagree", "share", "cum tasks", "cum disagree"
            );
            for r in &b.bands {
                let _ = writeln!(
                    w,
                    "{:<15}{:>6}{:>11}{:>10}{:>8}{:>11}{:>15}",
                    r.band,
                    r.matched,
                    short(&r.exact_agreement),
                    r.disagreed,
                    short(&r.share_of_disagreements),
                    short(&r.cumulative_share_of_tasks),
                    short(&r.cumulative_share_of_disagreements)
                );
            }
            let n = &b.without_confidence;
            if n.matched > 0 {
                let _ = writeln!(
                    w,
                    "{:<15}{:>6}{:>11}{:>10}   (last in the queue)",
                    "no confidence",
                    n.matched,
                    short(&super::metrics::Num(super::metrics::ratio(
                        n.agreed, n.matched
                    ))),
                    n.disagreed
                );
            }
            let lowest = &b.bands[..2];
            if let (Some(t), Some(d)) = (
                lowest
                    .last()
                    .and_then(|r| r.cumulative_share_of_tasks.0.ok()),
                lowest
                    .last()
                    .and_then(|r| r.cumulative_share_of_disagreements.0.ok()),
            ) {
                let _ = writeln!(
                    w,
                    "below 0.7: {:.1}% of the matched tasks hold {:.1}% of the disagreements",
                    t * 100.0,
                    d * 100.0
                );
            }
        }
        if let Some(rows) = &self.by_occupation {
            let _ = writeln!(w);
            let _ = writeln!(w, "by occupation, most disagreement first");
            let _ = writeln!(
                w,
                "{:<12}{:>6}{:>11}{:>11}{:>16}  title",
                "SOC", "tasks", "agreement", "beta gold", "beta predicted"
            );
            for r in rows {
                let _ = writeln!(
                    w,
                    "{:<12}{:>6}{:>11}{:>11}{:>16}  {}",
                    r.soc,
                    r.matched,
                    r.exact_agreement.to_string(),
                    r.mean_beta_gold.to_string(),
                    r.mean_beta_predicted.to_string(),
                    r.title.as_deref().unwrap_or("")
                );
            }
        }
        out
    }
}
