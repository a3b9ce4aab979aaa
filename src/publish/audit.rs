//! The audit on the site, from `audit::report`: what the latest complete audit measured,
//! in words a reader understands (the methodology page), the corrected shares beside the
//! published ones (the index), and how each page's items were approved, one by one or in
//! bulk after an audit (the bylines), truthfully from the approvals' `how`.
//!
//! An audit is stated only when it is complete (every sampled task judged): a half-done
//! audit's figures would change as editors go on. Shares are stated only where the
//! report can say something (`audit::report::too_small`); the disagreement's Wilson
//! interval holds at any size and is always stated.

use serde::Serialize;

use super::text;
use super::view::{Profession, Review};
use crate::audit::estimate::Interval;
use crate::audit::{Audit, Audits, Population, report};
use crate::catalog::Catalog;
use crate::record::{Approved, Level};
use crate::store::Store;

/// A share as the site shows it: whole percents, the interval rounded outwards (so the
/// shown interval holds what the computed one holds) and clipped to 0-100.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Percent {
    pub estimate: u32,
    pub low: u32,
    pub high: u32,
    /// "18% (15–22%)".
    pub text: String,
}

impl Percent {
    fn of(i: &Interval) -> Percent {
        let pct = |x: f64| (x * 100.0).clamp(0.0, 100.0);
        let (estimate, low, high) = (
            pct(i.estimate).round() as u32,
            pct(i.low).floor() as u32,
            pct(i.high).ceil() as u32,
        );
        Percent {
            estimate,
            low,
            high,
            text: format!("{estimate}% ({low}–{high}%)"),
        }
    }
}

/// The corrected share of each level, where the audit says something.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shares {
    pub high: Option<Percent>,
    pub medium: Option<Percent>,
    pub low: Option<Percent>,
}

/// What the site says about the latest complete audit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figures {
    pub name: String,
    /// The day the sample was drawn, `YYYY-MM-DD`, and as shown.
    pub drawn: String,
    pub drawn_text: String,
    /// Tasks re-judged (all of the sample), and of those, without seeing the draft.
    pub judged: usize,
    pub blind: usize,
    /// Tasks with a level in the project, which the corrected shares are of.
    pub tasks: usize,
    pub tasks_text: String,
    pub disagreement: Percent,
    /// The methodology's sentence: who re-judged what, and how often they differed.
    pub sentence: String,
    /// The corrected shares; all `None` when the audit is too small to say anything
    /// about them ([`Figures::too_small`] says why).
    pub shares: Shares,
    pub too_small: Option<String>,
    /// Fewer re-judged tasks than it takes for the intervals to hold as often as they
    /// claim (`audit::report::FULL_COVERAGE`): the page says they hold a little less.
    pub few: bool,
    /// The day the earliest complete audit was finished (its last judgment): a bulk
    /// approval on or after it came after an audit.
    #[serde(skip)]
    pub finished: String,
}

/// The day an audit was finished: its last judgment's, else the day it was drawn.
fn finished(a: &Audit) -> String {
    a.items
        .iter()
        .filter_map(|i| i.date.clone())
        .chain(std::iter::once(a.drawn.clone()))
        .max()
        .unwrap_or_default()
}

/// The figures of the latest complete audit of a project; `None` without one. An audit
/// file that does not read stops the build: stating an older audit as the latest would
/// mislead.
pub fn figures(store: &Store, catalog: &Catalog) -> anyhow::Result<Option<Figures>> {
    let audits = Audits::new(store);
    let mut complete: Vec<(String, Audit)> = Vec::new();
    for name in audits.names()? {
        if !crate::audit::file::is_name(&name) {
            continue;
        }
        let a = audits.get(&name)?;
        if a.is_complete() {
            complete.push((name, a));
        }
    }
    let Some(earliest) = complete.iter().map(|(_, a)| finished(a)).min() else {
        return Ok(None);
    };
    let (name, latest) = complete
        .iter()
        .max_by(|(n1, a1), (n2, a2)| (&a1.drawn, n1).cmp(&(&a2.drawn, n2)))
        .expect("one at least");
    let population = Population::of(store, catalog)?;
    let r = report::compute(name, latest, &population);
    Ok(Some(of_report(&r, earliest)))
}

/// The figures of a complete audit's report.
pub fn of_report(r: &report::Report, finished: String) -> Figures {
    let disagreement = Percent::of(
        r.disagreement
            .as_ref()
            .expect("a complete audit has judged tasks"),
    );
    let tasks_text = text::count(r.population, "task", "tasks");
    let how = if r.blind == r.judged {
        "without seeing the drafted level".to_string()
    } else {
        format!(
            "{} of them without seeing the drafted level",
            crate::text::thousands(r.blind)
        )
    };
    let drawn_text = text::long_date(&r.drawn).unwrap_or_else(|| r.drawn.clone());
    let sentence = format!(
        "An editor re-judged {} drawn at random on {drawn_text} from the {tasks_text} drafted, {how}; they would have rated {} of them differently.",
        text::count(r.judged, "task", "tasks"),
        disagreement.text,
    );
    let share = |level: Level| {
        r.overall
            .levels
            .iter()
            .find(|l| l.level == level)
            .filter(|l| l.too_small.is_none())
            .and_then(|l| l.ppi.as_ref())
            .map(|p| Percent::of(&p.interval))
    };
    let too_small = r
        .overall
        .too_small
        .clone()
        .or_else(|| r.overall.levels.iter().find_map(|l| l.too_small.clone()));
    Figures {
        name: r.name.clone(),
        drawn: r.drawn.clone(),
        drawn_text,
        judged: r.judged,
        blind: r.blind,
        tasks: r.population,
        tasks_text,
        disagreement,
        sentence,
        shares: Shares {
            high: share(Level::High),
            medium: share(Level::Medium),
            low: share(Level::Low),
        },
        too_small,
        few: r.judged < report::FULL_COVERAGE,
        finished,
    }
}

/// How the items of a page were approved, for its byline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct How {
    pub one_by_one: usize,
    /// Approved in bulk on or after the day an audit was finished.
    pub in_bulk_after_audit: usize,
    pub in_bulk: usize,
    /// The sentence; empty when no approval recorded how it was made.
    pub text: String,
    /// Whether the sentence speaks of an audit (the byline then links to it).
    pub audit: bool,
}

impl How {
    fn add(&mut self, review: &Review, finished: Option<&str>) {
        match review.approved {
            Some(Approved::OneByOne) => self.one_by_one += 1,
            Some(Approved::InBulk) if finished.is_some_and(|f| review.date.as_str() >= f) => {
                self.in_bulk_after_audit += 1
            }
            Some(Approved::InBulk) => self.in_bulk += 1,
            None => {}
        }
    }

    /// The sentence, for `total` items of which these counts are known; `None` when
    /// none is.
    fn finish(mut self, total: usize) -> Option<How> {
        let known = self.one_by_one + self.in_bulk_after_audit + self.in_bulk;
        if known == 0 {
            return None;
        }
        let item = |n: usize| text::count(n, "item", "items");
        let mut parts = Vec::new();
        let all = known == total && total > 1;
        for (n, what) in [
            (self.one_by_one, "read and approved one by one"),
            (self.in_bulk_after_audit, "approved in bulk after an audit"),
            (self.in_bulk, "approved in bulk, without an audit"),
        ] {
            match n {
                0 => {}
                n if all && n == total => parts.push(format!("every item {what}")),
                _ if total == 1 => parts.push(what.to_string()),
                n => parts.push(format!("{} {what}", item(n))),
            }
        }
        let mut sentence = parts.join("; ");
        if known < total {
            sentence.push_str(&format!(
                "; {} approved before willai recorded how",
                item(total - known)
            ));
        }
        let mut chars = sentence.chars();
        self.text = match chars.next() {
            Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
            None => String::new(),
        };
        self.audit = self.in_bulk_after_audit > 0;
        Some(self)
    }
}

/// Fills in how each page's items were approved: each task's and skill's review (its
/// deep dive's byline) and each profession's byline.
pub fn annotate(professions: &mut [Profession], figures: Option<&Figures>) {
    let finished = figures.map(|f| f.finished.as_str());
    for p in professions {
        let mut all = How::default();
        let mut total = 0;
        let reviews = p.tasks.iter_mut().filter_map(|t| t.review.as_mut()).chain(
            p.vulnerable
                .iter_mut()
                .chain(p.resilient.iter_mut())
                .filter_map(|s| s.review.as_mut()),
        );
        for review in reviews {
            total += 1;
            all.add(review, finished);
            let mut one = How::default();
            one.add(review, finished);
            review.how = one.finish(1);
        }
        p.review.how = all.finish(total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(approved: Option<Approved>, date: &str) -> Review {
        Review {
            reviewer: "Ann".into(),
            date: date.into(),
            date_text: date.into(),
            approved,
            how: None,
        }
    }

    fn sentence(reviews: &[Review], finished: Option<&str>) -> Option<String> {
        let mut h = How::default();
        for r in reviews {
            h.add(r, finished);
        }
        h.finish(reviews.len()).map(|h| h.text)
    }

    #[test]
    fn the_byline_says_how_items_were_approved_from_their_approvals() {
        use Approved::*;
        let one = review(Some(OneByOne), "2026-12-01");
        let bulk_before = review(Some(InBulk), "2026-11-01");
        let bulk_after = review(Some(InBulk), "2026-12-09");
        let unknown = review(None, "2026-10-01");
        let done = Some("2026-12-06");
        assert_eq!(
            sentence(&[one.clone(), one.clone()], done).as_deref(),
            Some("Every item read and approved one by one.")
        );
        assert_eq!(
            sentence(&[one.clone(), bulk_after.clone(), bulk_after.clone()], done).as_deref(),
            Some("1 item read and approved one by one; 2 items approved in bulk after an audit.")
        );
        assert_eq!(
            sentence(&[bulk_before.clone(), bulk_after.clone()], done).as_deref(),
            Some(
                "1 item approved in bulk after an audit; 1 item approved in bulk, without an audit."
            )
        );
        // Without a complete audit, no bulk approval came after one.
        assert_eq!(
            sentence(std::slice::from_ref(&bulk_after), None).as_deref(),
            Some("Approved in bulk, without an audit.")
        );
        assert_eq!(
            sentence(&[one.clone(), unknown.clone()], done).as_deref(),
            Some(
                "1 item read and approved one by one; 1 item approved before willai recorded how."
            )
        );
        // Nothing recorded: nothing said.
        assert_eq!(sentence(&[unknown.clone(), unknown], done), None);
    }

    #[test]
    fn shares_round_outwards_and_clip() {
        let p = Percent::of(&Interval {
            estimate: 0.2949,
            low: 0.2561,
            high: 0.3301,
        });
        assert_eq!((p.estimate, p.low, p.high), (29, 25, 34));
        assert_eq!(p.text, "29% (25–34%)");
        let p = Percent::of(&Interval {
            estimate: 0.01,
            low: -0.02,
            high: 0.04,
        });
        assert_eq!(p.text, "1% (0–4%)");
    }
}
