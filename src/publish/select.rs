//! What may be shown: approved content only, read from the records and checked against
//! its approval hash, made into the views of [`super::view`] (counts, shares, byline,
//! insights computed by rule, never generated). With [`Options::drafts`] (a preview,
//! never `publish`), unapproved text is selected too, with no review, so pages mark it.
//! Also which other professions a profession's pages link to.

use std::collections::{BTreeMap, HashSet};

use super::groups;
use super::options::Options;
use super::text;
use super::view::{
    Byline, Compare, Coverage, Head, LevelCounts, Profession, Review, Shares, Skill, Standing,
    Task, level_class,
};
use crate::catalog::{Catalog, Occupation, TaskType};
use crate::record::{Approval, Content, Entry, Level, Record, Status, Verdict};
use crate::slug;

/// Why an approved item was left off the site.
#[derive(Debug)]
pub struct Skipped {
    pub what: String,
    pub why: String,
}

/// The review an approval records; `None` when its date is not a date.
fn review_of(a: &Approval) -> Option<Review> {
    Some(Review {
        reviewer: a.reviewer.clone(),
        date: a.date.clone(),
        date_text: text::long_date(&a.date)?,
        approved: a.how,
        how: None,
    })
}

/// An entry the site may show: its text, its review, and, in a preview, what kind of
/// unreviewed text it is.
struct Selected<'e, C> {
    content: &'e C,
    review: Option<Review>,
    pending: Option<&'static str>,
}

/// An entry the site may show, with its review: approved, complete, and still what was
/// approved (an approved entry that fails the check is reported as skipped). With
/// `drafts` (a preview): a machine proposal beside the text as it would read once taken,
/// else any complete text; unreviewed text says which kind it is.
fn entry<'e, C: Content>(
    entry: Option<&'e Entry<C>>,
    what: impl FnOnce() -> String,
    drafts: bool,
    skipped: &mut Vec<Skipped>,
) -> Option<Selected<'e, C>> {
    let e = entry?;
    if drafts && let Some(p) = &e.proposal {
        return Some(Selected {
            content: &p.content,
            review: None,
            pending: Some("proposal"),
        });
    }
    if e.status == Status::Approved {
        let why = if !(e.is_approved_intact() && e.has_content()) {
            "edited after approval or incomplete: re-approve it (`willai validate` tells)"
        } else {
            match e.approval.as_ref().and_then(review_of) {
                Some(r) => {
                    return Some(Selected {
                        content: &e.content,
                        review: Some(r),
                        pending: None,
                    });
                }
                None => "its approval date is not YYYY-MM-DD: re-approve it",
            }
        };
        if !drafts {
            skipped.push(Skipped {
                what: what(),
                why: why.into(),
            });
            return None;
        }
    }
    let pending = if e.status == Status::Approved || (e.machine.is_some() && e.is_edited()) {
        "edited"
    } else {
        "draft"
    };
    (drafts && e.has_content()).then_some(Selected {
        content: &e.content,
        review: None,
        pending: Some(pending),
    })
}

/// The byline of a profession from the reviews of its items.
fn byline<'r>(reviews: impl Iterator<Item = Option<&'r Review>>) -> Byline {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    let mut dates: Vec<&str> = Vec::new();
    let mut unreviewed = 0;
    for r in reviews {
        match r {
            Some(r) => {
                *by.entry(r.reviewer.as_str()).or_default() += 1;
                dates.push(&r.date);
            }
            None => unreviewed += 1,
        }
    }
    let mut reviewers: Vec<(&str, usize)> = by.into_iter().collect();
    reviewers.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let reviewers: Vec<String> = reviewers.into_iter().map(|(n, _)| n.to_string()).collect();
    let date = dates.iter().max().map(|d| d.to_string());
    Byline {
        reviewers_text: text::names(&reviewers),
        reviewers,
        date_text: date.as_deref().and_then(text::long_date),
        one_day: dates.iter().min() == dates.iter().max(),
        date,
        unreviewed,
        how: None,
    }
}

/// The publishable view of one occupation and its record: `None` when nothing of it is
/// approved (or, with drafts, written).
pub fn profession(
    occ: &Occupation,
    record: &Record,
    opts: &Options,
    skipped: &mut Vec<Skipped>,
) -> Option<Profession> {
    let mut tasks = Vec::new();
    for task in &occ.tasks {
        let Some(Selected {
            content: e,
            review,
            pending,
        }) = entry(
            record.task(&task.id),
            || format!("{}/{}", occ.slug, task.id),
            opts.drafts,
            skipped,
        )
        else {
            continue;
        };
        let (Some(level), Some(rationale)) = (e.level, e.rationale.clone()) else {
            continue;
        };
        let title = task
            .title
            .clone()
            .or_else(|| e.title.clone())
            .unwrap_or_else(|| task.text.trim_end_matches('.').to_string());
        tasks.push(Task {
            id: task.id.clone(),
            // Deep-dive file names from the task text, short; made unique by the layout.
            slug: slug::slugify_short(&task.text, 60),
            title,
            text: task.text.clone(),
            kind: task.kind,
            level,
            level_class: level_class(level),
            rationale,
            tools: e.tools.clone().unwrap_or_default(),
            tip: e.tip.clone(),
            onet_task_id: task.onet_task_id,
            review,
            pending,
            number: tasks.len() + 1,
            // Decided with the paths ([`super::layout::assign`]).
            page: true,
            // Written once every page is known ([`super::heads`]).
            head: Head::default(),
        });
    }
    let (mut vulnerable, mut resilient) = (Vec::new(), Vec::new());
    // The catalog's skills, or, when it lists none, those the model proposed (named in
    // the record).
    let skills: Vec<(&str, Option<&str>)> = if occ.skills.is_empty() {
        record
            .skills
            .iter()
            .map(|e| (e.id.as_str(), None))
            .collect()
    } else {
        occ.skills
            .iter()
            .map(|s| (s.id.as_str(), Some(s.name.as_str())))
            .collect()
    };
    let mut seen: HashSet<&str> = HashSet::new();
    for (id, catalog_name) in skills {
        if !seen.insert(id) {
            continue;
        }
        let Some(Selected {
            content: e,
            review,
            pending,
        }) = entry(
            record.skill(id),
            || format!("{}/skills/{id}", occ.slug),
            opts.drafts,
            skipped,
        )
        else {
            continue;
        };
        let (Some(verdict), Some(reason)) = (e.verdict, e.reason.clone()) else {
            continue;
        };
        let Some(name) = catalog_name.or(e.name.as_deref()) else {
            continue;
        };
        let s = Skill {
            id: id.to_string(),
            name: name.to_string(),
            verdict,
            reason,
            review,
            pending,
        };
        match verdict {
            Verdict::Vulnerable => vulnerable.push(s),
            Verdict::Resilient => resilient.push(s),
        }
    }
    if tasks.is_empty() && vulnerable.is_empty() && resilient.is_empty() {
        return None;
    }
    let count = |l: Level| tasks.iter().filter(|t| t.level == l).count();
    let counts = LevelCounts {
        tasks: tasks.len(),
        high: count(Level::High),
        medium: count(Level::Medium),
        low: count(Level::Low),
        skills: vulnerable.len() + resilient.len(),
        supplemental: tasks
            .iter()
            .filter(|t| t.kind == Some(TaskType::Supplemental))
            .count(),
    };
    let [high, medium, low] = super::chart::shares(counts.high, counts.medium, counts.low);
    let shares = Shares { high, medium, low };
    let reviewed = tasks.iter().filter(|t| t.review.is_some()).count();
    let coverage = Coverage {
        reviewed,
        tasks: occ.tasks.len(),
        missing: occ.tasks.len().saturating_sub(tasks.len()),
        complete: tasks.len() >= occ.tasks.len(),
        text: text::coverage(reviewed, occ.tasks.len()),
    };
    let review = byline(
        tasks.iter().map(|t| t.review.as_ref()).chain(
            vulnerable
                .iter()
                .chain(&resilient)
                .map(|s| s.review.as_ref()),
        ),
    );
    Some(Profession {
        summary: text::summary(&counts, &coverage),
        id: occ.slug.clone(),
        slug: slug::slugify(&occ.slug),
        short_name: occ
            .short_name
            .clone()
            .unwrap_or_else(|| text::short_name(&occ.name)),
        name: occ.name.clone(),
        aliases: occ.aliases.clone(),
        group: groups::of(occ.onet_soc.as_deref()),
        onet_soc: occ.onet_soc.clone(),
        onet: occ.onet_soc.is_some() || occ.tasks.iter().any(|t| t.onet_task_id.is_some()),
        insights: text::insights(&tasks, &vulnerable, &resilient, occ.tasks.len()),
        high_share: shares.high,
        shares,
        counts,
        coverage,
        // Decided among all professions ([`super::rank`]).
        standing: Standing::InReview,
        rank: None,
        compare: Compare::default(),
        tasks,
        vulnerable,
        resilient,
        review,
        head: Head::default(),
    })
}

/// Up to `n` other professions for a profession's pages: those of the same O*NET major
/// group first, then the others, each nearest in the list first (the lower on a tie);
/// deterministic. Linear in the number of professions.
pub fn others(all: &[Profession], i: usize, n: usize) -> Vec<&Profession> {
    let me = &all[i];
    let nearest = || {
        (1..all.len())
            .flat_map(move |d| [i.checked_sub(d), Some(i + d).filter(|&j| j < all.len())])
            .flatten()
    };
    let same = nearest().filter(|&j| all[j].group == me.group);
    let rest = nearest().filter(|&j| all[j].group != me.group);
    same.chain(rest).take(n).map(|j| &all[j]).collect()
}

/// [`load`], the records read from the store: what `publish` and `serve` build from. A
/// record that cannot be read is an error, not a profession dropped from the site.
pub fn load_store(
    store: &crate::store::Store,
    catalog: &Catalog,
    opts: &Options,
) -> Result<(Vec<Profession>, Vec<Skipped>), crate::store::StoreError> {
    let mut records = Vec::new();
    for (occ, read) in store.records(&catalog.occupations) {
        if let Some(r) = read? {
            records.push((occ.slug.clone(), r));
        }
    }
    Ok(load(catalog, &records, opts))
}

/// Every publishable profession, sorted by slug, and what was skipped.
pub fn load(
    catalog: &Catalog,
    records: &[(String, Record)],
    opts: &Options,
) -> (Vec<Profession>, Vec<Skipped>) {
    let mut skipped = Vec::new();
    let mut out = Vec::new();
    for (slug, record) in records {
        if let Some(occ) = catalog.get(slug)
            && let Some(p) = profession(occ, record, opts, &mut skipped)
        {
            out.push(p);
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::view::sample::profession;

    #[test]
    fn other_professions_are_of_the_same_group_first_then_the_nearest() {
        let all: Vec<Profession> = [
            ("a", Some("15-1")),
            ("b", Some("29-1")),
            ("c", Some("29-2")),
            ("d", Some("15-2")),
            ("e", None),
            ("f", Some("15-3")),
        ]
        .iter()
        .map(|(id, soc)| profession(id, *soc))
        .collect();
        let ids =
            |i, n| -> Vec<&str> { others(&all, i, n).iter().map(|p| p.id.as_str()).collect() };
        assert_eq!(ids(3, 4), ["f", "a", "c", "e"]);
        assert_eq!(ids(0, 2), ["d", "f"]);
        assert_eq!(ids(4, 3), ["d", "f", "c"]);
        assert_eq!(ids(1, 10).len(), 5);
    }

    #[test]
    fn a_byline_names_reviewers_by_their_share_and_the_latest_date() {
        let r = |who: &str, date: &str| Review {
            reviewer: who.into(),
            date: date.into(),
            date_text: text::long_date(date).unwrap(),
            approved: None,
            how: None,
        };
        let reviews = [
            r("Bob", "2026-01-02"),
            r("Ann", "2026-03-04"),
            r("Bob", "2026-01-01"),
        ];
        let b = byline(reviews.iter().map(Some).chain([None]));
        assert_eq!(b.reviewers, ["Bob", "Ann"]);
        assert_eq!(b.reviewers_text, "Bob and Ann");
        assert_eq!(b.date.as_deref(), Some("2026-03-04"));
        assert_eq!(b.date_text.as_deref(), Some("March 4, 2026"));
        assert!(!b.one_day);
        assert_eq!(b.unreviewed, 1);
        assert!(byline(reviews[..1].iter().map(Some)).one_day);
    }

    #[test]
    fn drafts_are_shown_only_when_asked_and_never_as_reviewed() {
        use crate::record::TaskContent;
        let mut approved: Entry<TaskContent> = serde_json::from_value(serde_json::json!({
            "id": "t", "status": "approved", "level": "HIGH", "rationale": "Why.",
            "approval": {"reviewer": "Ann", "date": "2026-04-20", "sha256": ""}
        }))
        .unwrap();
        approved.approval.as_mut().unwrap().sha256 = approved.content_hash();
        let draft: Entry<TaskContent> = serde_json::from_value(serde_json::json!({
            "id": "t", "status": "draft", "level": "LOW", "rationale": "Maybe."
        }))
        .unwrap();
        let mut skipped = Vec::new();
        let shown = entry(Some(&approved), || "t".into(), false, &mut skipped).unwrap();
        assert_eq!(shown.review.unwrap().date_text, "April 20, 2026");
        assert_eq!(shown.pending, None);
        assert!(entry(Some(&draft), || "t".into(), false, &mut skipped).is_none());
        let shown = entry(Some(&draft), || "t".into(), true, &mut skipped).unwrap();
        assert_eq!(shown.content.rationale.as_deref(), Some("Maybe."));
        assert!(shown.review.is_none());
        assert_eq!(shown.pending, Some("draft"));
        // A draft an editor changed, not yet approved: never published; in a preview,
        // shown as edited, not as the machine's draft.
        let hand_edited: Entry<TaskContent> = serde_json::from_value(serde_json::json!({
            "id": "t", "status": "draft", "level": "LOW", "rationale": "Mine.",
            "machine": {
                "model": "m", "template": "task.j2@0123456789ab", "input": "a".repeat(64),
                "cache_key": "1".repeat(64), "level": "LOW", "rationale": "The machine's."
            }
        }))
        .unwrap();
        assert!(hand_edited.is_edited());
        assert!(entry(Some(&hand_edited), || "t".into(), false, &mut skipped).is_none());
        let shown = entry(Some(&hand_edited), || "t".into(), true, &mut skipped).unwrap();
        assert!(shown.review.is_none());
        assert_eq!(shown.pending, Some("edited"));
        assert_eq!(shown.content.rationale.as_deref(), Some("Mine."));
        // Edited after approval: skipped (and said so), or shown as edited.
        let mut edited = approved.clone();
        edited.content.rationale = Some("Changed.".into());
        assert!(entry(Some(&edited), || "t".into(), false, &mut skipped).is_none());
        assert_eq!(skipped.len(), 1);
        let shown = entry(Some(&edited), || "t".into(), true, &mut skipped).unwrap();
        assert!(shown.review.is_none());
        assert_eq!(shown.pending, Some("edited"));
        assert_eq!(shown.content.rationale.as_deref(), Some("Changed."));
        // A proposal beside approved text: publish shows the approved text; a preview
        // shows the proposal, marked.
        let mut proposed = approved.clone();
        proposed.proposal = Some(
            serde_json::from_value(serde_json::json!({
                "model": "m", "template": "task.j2@0123456789ab", "input": "a".repeat(64),
                "cache_key": "1".repeat(64), "level": "LOW", "rationale": "Proposed."
            }))
            .unwrap(),
        );
        let shown = entry(Some(&proposed), || "t".into(), false, &mut skipped).unwrap();
        assert_eq!(shown.content.rationale.as_deref(), Some("Why."));
        assert!(shown.review.is_some());
        let shown = entry(Some(&proposed), || "t".into(), true, &mut skipped).unwrap();
        assert_eq!(shown.content.rationale.as_deref(), Some("Proposed."));
        assert!(shown.review.is_none());
        assert_eq!(shown.pending, Some("proposal"));
        // An approval date that is not a date keeps the text off the site.
        let mut bad_date = approved.clone();
        bad_date.approval.as_mut().unwrap().date = "2026-02-30".into();
        assert!(entry(Some(&bad_date), || "t".into(), false, &mut skipped).is_none());
        assert!(skipped[1].why.contains("not YYYY-MM-DD"));
    }
}
