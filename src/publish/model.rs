//! What is published: approved content only, read from the records and checked against
//! its approval hash, shaped for the templates. Counts and key insights are computed
//! here by plain rules, never generated. With [`Options::drafts`] (a preview, never
//! `publish`), unapproved text is shown too, with no review, so pages mark it.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::groups::{self, Group};
use super::options::Options;
use super::text::{long_date, people};
use crate::catalog::{Catalog, Occupation, TaskType};
use crate::record::{Approval, Content, Entry, Level, Record, Status, Verdict};
use crate::slug;

/// Who approved a text, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Review {
    pub reviewer: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// "April 20, 2026".
    pub date_text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Task {
    pub id: String,
    /// File name part of the deep-dive page: from the catalog's statement, never the
    /// title, so editing a title keeps the URL ([`super::layout`] makes it unique).
    pub slug: String,
    /// The headline shown in headings, tables, links and page titles: the catalog's
    /// title, else the approved one, else the statement.
    pub title: String,
    /// The full task statement (the catalog's `text`).
    pub text: String,
    /// O*NET's task type (Core or Supplemental), when known.
    #[serde(rename = "type")]
    pub kind: Option<TaskType>,
    pub level: Level,
    /// The level in lower case ("high"), for class names.
    pub level_class: &'static str,
    pub rationale: String,
    pub tools: Vec<String>,
    pub tip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onet_task_id: Option<u64>,
    /// The approval; `None` only for a draft shown by [`Options::drafts`].
    pub review: Option<Review>,
    /// What unreviewed text this is, in a preview ([`Options::drafts`]): `"draft"`,
    /// `"edited"` or `"proposal"`; `None` for approved text.
    pub pending: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Skill {
    pub id: String,
    pub name: String,
    pub verdict: Verdict,
    pub reason: String,
    pub review: Option<Review>,
    /// As for [`Task::pending`].
    pub pending: Option<&'static str>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub tasks: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub skills: usize,
}

/// Each level's share of the tasks, in whole percent, adding up to 100 (`chart::shares`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Shares {
    pub high: u32,
    pub medium: u32,
    pub low: u32,
}

/// Who reviewed a profession's published items, and when (the byline).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Byline {
    /// Reviewers, those with the most items first, then by name.
    pub reviewers: Vec<String>,
    /// "Ann Editor and Bob".
    pub reviewers_text: String,
    /// The latest approval (`YYYY-MM-DD`) and as shown ("April 20, 2026").
    pub date: Option<String>,
    pub date_text: Option<String>,
    /// Whether every item was approved on that one day.
    pub one_day: bool,
    /// Items shown without an approval (drafts, with [`Options::drafts`] only).
    pub unreviewed: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Profession {
    /// The catalog's slug: the profession's identity.
    pub id: String,
    /// Its folder on the site: the catalog slug, unless that name is taken by a file or
    /// folder the site writes ([`super::layout`]).
    pub slug: String,
    pub name: String,
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onet_soc: Option<String>,
    /// The O*NET major group (first two digits of the SOC code), or "Other".
    pub group: Group,
    /// Whether task statements come from O*NET (attribution).
    pub onet: bool,
    pub counts: Counts,
    /// Share of HIGH tasks, in whole percent (as in `shares`).
    pub high_share: u32,
    pub shares: Shares,
    /// "7 of 20 tasks HIGH, 8 MEDIUM, 5 LOW".
    pub summary: String,
    pub tasks: Vec<Task>,
    pub vulnerable: Vec<Skill>,
    pub resilient: Vec<Skill>,
    pub insights: Vec<String>,
    pub review: Byline,
}

/// "ML Engineer" -> "ML Engineers"; names already plural stay as they are.
pub fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

impl Profession {
    /// The people who do the work, in the plural: "ML Engineers". An O*NET title is
    /// already that ("Clergy", "Teachers, Postsecondary", "Cooks, Fast Food"), so it
    /// stays as it is; an editor's name gets an "s" unless it ends in one.
    pub fn plural(&self) -> String {
        if self.onet_soc.is_some() {
            self.name.clone()
        } else {
            plural(&self.name)
        }
    }

    /// The name before "professionals", as the reference page has it ("for ML Engineer
    /// professionals"); an O*NET title stands alone ("for Travel Agents").
    pub fn people(&self) -> String {
        if self.onet_soc.is_some() {
            self.name.clone()
        } else {
            format!("{} professionals", self.name)
        }
    }
}

/// A count with its noun, singular or plural, the number grouped by thousands:
/// "1 task", "19,268 tasks".
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    let noun = if n == 1 { singular } else { plural };
    format!("{} {noun}", thousands(n))
}

/// 19268 -> "19,268".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Names listed in an insight before the rest are counted.
const LISTED: usize = 4;

/// A list as the reference page writes it, "A, B, C", with no item's closing full stop;
/// past [`LISTED`] names (and two more at least), the rest are counted: "A, B, C, D, and
/// 11 more".
fn list(items: &[&str]) -> String {
    let clean: Vec<&str> = items.iter().map(|s| s.trim_end_matches('.')).collect();
    if clean.len() <= LISTED + 1 {
        return clean.join(", ");
    }
    format!(
        "{}, and {} more",
        clean[..LISTED].join(", "),
        thousands(clean.len() - LISTED)
    )
}

/// "7 of 20 tasks HIGH, 8 MEDIUM, 5 LOW".
pub fn summary(c: &Counts) -> String {
    format!(
        "{} of {} HIGH, {} MEDIUM, {} LOW",
        thousands(c.high),
        count(c.tasks, "task", "tasks"),
        thousands(c.medium),
        thousands(c.low)
    )
}

/// The key insights of a profession, by rule. Every sentence ends with exactly one full
/// stop; lists are capped; titles are shown as written.
pub fn insights(tasks: &[Task], vulnerable: &[Skill], resilient: &[Skill]) -> Vec<String> {
    let mut out = Vec::new();
    let total = tasks.len();
    let titles = |level: Level| -> Vec<&str> {
        tasks
            .iter()
            .filter(|t| t.level == level)
            .map(|t| t.title.as_str())
            .collect()
    };
    if total > 0 {
        let high = titles(Level::High);
        if high.is_empty() {
            let all = if total == 1 {
                "The task does not".to_string()
            } else {
                format!("None of the {} tasks", thousands(total))
            };
            out.push(format!("{all} face high AI exposure."));
        } else {
            // "1 of 8 tasks faces", "2 of 8 tasks face": the verb goes with the first number.
            let verb = if high.len() == 1 { "faces" } else { "face" };
            out.push(format!(
                "{} of {} {verb} high AI exposure: {}.",
                thousands(high.len()),
                count(total, "task", "tasks"),
                list(&high)
            ));
        }
        let low = titles(Level::Low);
        if !low.is_empty() {
            let verb = if low.len() == 1 { "is" } else { "are" };
            out.push(format!(
                "{} of {} {verb} resilient to AI: {}.",
                thousands(low.len()),
                count(total, "task", "tasks"),
                list(&low)
            ));
        }
    }
    if !vulnerable.is_empty() {
        let names: Vec<&str> = vulnerable.iter().map(|s| s.name.as_str()).collect();
        let verb = if names.len() == 1 { "faces" } else { "face" };
        out.push(format!(
            "{} {verb} increasing automation pressure.",
            list(&names)
        ));
    }
    if !resilient.is_empty() {
        let names: Vec<&str> = resilient.iter().map(|s| s.name.as_str()).collect();
        let verb = if names.len() == 1 {
            "remains"
        } else {
            "remain"
        };
        out.push(format!("{} {verb} resilient.", list(&names)));
    }
    out
}

/// Why an approved item was left off the site.
#[derive(Debug)]
pub struct Skipped {
    pub what: String,
    pub why: String,
}

/// "high", "medium", "low".
pub fn level_class(level: Level) -> &'static str {
    match level {
        Level::High => "high",
        Level::Medium => "medium",
        Level::Low => "low",
    }
}

/// The review an approval records; `None` when its date is not a date.
fn review_of(a: &Approval) -> Option<Review> {
    Some(Review {
        reviewer: a.reviewer.clone(),
        date: a.date.clone(),
        date_text: long_date(&a.date)?,
    })
}

/// What the site shows of an entry: its text, its review, and, in a preview, what kind
/// of unreviewed text it is.
struct Shown<'e, C> {
    content: &'e C,
    review: Option<Review>,
    pending: Option<&'static str>,
}

/// An entry the site may show, with its review: approved, complete, and still what was
/// approved (an approved entry that fails the check is reported as skipped). With
/// `drafts` (a preview): a machine proposal beside the text as it would read once taken,
/// else any complete text; unreviewed text says which kind it is.
fn publishable<'e, C: Content>(
    entry: Option<&'e Entry<C>>,
    what: impl FnOnce() -> String,
    drafts: bool,
    skipped: &mut Vec<Skipped>,
) -> Option<Shown<'e, C>> {
    let e = entry?;
    if drafts && let Some(p) = &e.proposal {
        return Some(Shown {
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
                    return Some(Shown {
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
    (drafts && e.has_content()).then_some(Shown {
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
        reviewers_text: people(&reviewers),
        reviewers,
        date_text: date.as_deref().and_then(long_date),
        one_day: dates.iter().min() == dates.iter().max(),
        date,
        unreviewed,
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
        let Some(Shown {
            content: e,
            review,
            pending,
        }) = publishable(
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
        let Some(Shown {
            content: e,
            review,
            pending,
        }) = publishable(
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
    let counts = Counts {
        tasks: tasks.len(),
        high: count(Level::High),
        medium: count(Level::Medium),
        low: count(Level::Low),
        skills: vulnerable.len() + resilient.len(),
    };
    let [high, medium, low] = super::chart::shares(counts.high, counts.medium, counts.low);
    let shares = Shares { high, medium, low };
    let review = byline(
        tasks.iter().map(|t| t.review.as_ref()).chain(
            vulnerable
                .iter()
                .chain(&resilient)
                .map(|s| s.review.as_ref()),
        ),
    );
    Some(Profession {
        summary: summary(&counts),
        id: occ.slug.clone(),
        slug: slug::slugify(&occ.slug),
        name: occ.name.clone(),
        aliases: occ.aliases.clone(),
        group: groups::of(occ.onet_soc.as_deref()),
        onet_soc: occ.onet_soc.clone(),
        onet: occ.onet_soc.is_some() || occ.tasks.iter().any(|t| t.onet_task_id.is_some()),
        insights: insights(&tasks, &vulnerable, &resilient),
        high_share: shares.high,
        shares,
        counts,
        tasks,
        vulnerable,
        resilient,
        review,
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

    fn task(title: &str, level: Level) -> Task {
        Task {
            id: title.into(),
            slug: title.into(),
            title: title.into(),
            text: format!("{title}, as O*NET states it."),
            level,
            kind: None,
            level_class: level_class(level),
            rationale: "r".into(),
            tools: vec![],
            tip: None,
            onet_task_id: None,
            review: None,
            pending: None,
        }
    }

    fn skill(name: &str, verdict: Verdict) -> Skill {
        Skill {
            id: name.into(),
            name: name.into(),
            verdict,
            reason: "r".into(),
            review: None,
            pending: None,
        }
    }

    #[test]
    fn insights_read_like_the_published_page() {
        let tasks = [
            task("Write production code", Level::High),
            task("Build and maintain data pipelines", Level::Medium),
            task("Train and evaluate ML models", Level::High),
        ];
        let vulnerable: Vec<Skill> = [
            "Coding delivery",
            "Python",
            "Data Engineering",
            "Machine Learning",
        ]
        .iter()
        .map(|n| skill(n, Verdict::Vulnerable))
        .collect();
        assert_eq!(
            insights(&tasks, &vulnerable, &[]),
            vec![
                "2 of 3 tasks face high AI exposure: Write production code, Train and evaluate ML models.",
                "Coding delivery, Python, Data Engineering, Machine Learning face increasing automation pressure.",
            ]
        );
    }

    #[test]
    fn insights_cover_low_tasks_resilient_skills_and_no_high_tasks() {
        let tasks = [
            task("Paint housings.", Level::Low),
            task("Sort widgets", Level::Medium),
        ];
        assert_eq!(
            insights(&tasks, &[], &[skill("Painting", Verdict::Resilient)]),
            vec![
                "None of the 2 tasks face high AI exposure.",
                "1 of 2 tasks is resilient to AI: Paint housings.",
                "Painting remains resilient."
            ]
        );
    }

    /// At 30 tasks: lists are capped, every sentence ends once, counts agree in number.
    #[test]
    fn insights_of_a_30_task_profession() {
        let levels = [
            Level::High,
            Level::High,
            Level::Medium,
            Level::Low,
            Level::High,
        ];
        let tasks: Vec<Task> = (0..30)
            .map(|i| task(&format!("Do thing {i}."), levels[i % levels.len()]))
            .collect();
        let got = insights(&tasks, &[skill("Filing", Verdict::Vulnerable)], &[]);
        assert_eq!(
            got,
            vec![
                "18 of 30 tasks face high AI exposure: Do thing 0, Do thing 1, Do thing 4, Do thing 5, and 14 more.",
                "6 of 30 tasks are resilient to AI: Do thing 3, Do thing 8, Do thing 13, Do thing 18, and 2 more.",
                "Filing faces increasing automation pressure.",
            ]
        );
        for sentence in &got {
            assert!(
                sentence.ends_with('.') && !sentence.ends_with(".."),
                "{sentence}"
            );
            assert!(!sentence.contains(".,"), "{sentence}");
        }
        let one = [task("Sort widgets", Level::High)];
        assert_eq!(
            insights(&one, &[], &[]),
            vec!["1 of 1 task faces high AI exposure: Sort widgets."]
        );
        let five = ["A", "B", "C", "D", "E"].map(|n| skill(n, Verdict::Resilient));
        assert_eq!(
            insights(&[], &[], &five),
            vec!["A, B, C, D, E remain resilient."]
        );
    }

    #[test]
    fn summaries_and_counts_read_right() {
        let c = Counts {
            tasks: 20,
            high: 7,
            medium: 8,
            low: 5,
            skills: 4,
        };
        assert_eq!(summary(&c), "7 of 20 tasks HIGH, 8 MEDIUM, 5 LOW");
        assert_eq!(count(1, "profession", "professions"), "1 profession");
        assert_eq!(count(19268, "task", "tasks"), "19,268 tasks");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    fn profession(id: &str, soc: Option<&str>) -> Profession {
        Profession {
            id: id.into(),
            slug: id.into(),
            name: id.into(),
            aliases: vec![],
            onet_soc: soc.map(String::from),
            group: groups::of(soc),
            onet: false,
            counts: Counts::default(),
            high_share: 0,
            shares: Shares::default(),
            summary: String::new(),
            tasks: vec![],
            vulnerable: vec![],
            resilient: vec![],
            insights: vec![],
            review: Byline::default(),
        }
    }

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
            date_text: long_date(date).unwrap(),
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
        let shown = publishable(Some(&approved), || "t".into(), false, &mut skipped).unwrap();
        assert_eq!(shown.review.unwrap().date_text, "April 20, 2026");
        assert_eq!(shown.pending, None);
        assert!(publishable(Some(&draft), || "t".into(), false, &mut skipped).is_none());
        let shown = publishable(Some(&draft), || "t".into(), true, &mut skipped).unwrap();
        assert_eq!(shown.content.rationale.as_deref(), Some("Maybe."));
        assert!(shown.review.is_none());
        assert_eq!(shown.pending, Some("draft"));
        // Edited after approval: skipped (and said so), or shown as edited.
        let mut edited = approved.clone();
        edited.content.rationale = Some("Changed.".into());
        assert!(publishable(Some(&edited), || "t".into(), false, &mut skipped).is_none());
        assert_eq!(skipped.len(), 1);
        let shown = publishable(Some(&edited), || "t".into(), true, &mut skipped).unwrap();
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
        let shown = publishable(Some(&proposed), || "t".into(), false, &mut skipped).unwrap();
        assert_eq!(shown.content.rationale.as_deref(), Some("Why."));
        assert!(shown.review.is_some());
        let shown = publishable(Some(&proposed), || "t".into(), true, &mut skipped).unwrap();
        assert_eq!(shown.content.rationale.as_deref(), Some("Proposed."));
        assert!(shown.review.is_none());
        assert_eq!(shown.pending, Some("proposal"));
        // An approval date that is not a date keeps the text off the site.
        let mut bad_date = approved.clone();
        bad_date.approval.as_mut().unwrap().date = "2026-02-30".into();
        assert!(publishable(Some(&bad_date), || "t".into(), false, &mut skipped).is_none());
        assert!(skipped[1].why.contains("not YYYY-MM-DD"));
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("ML Engineer"), "ML Engineers");
        assert_eq!(plural("Data Scientists"), "Data Scientists");
        // O*NET titles are plural (or mass nouns) already.
        for (name, soc) in [
            ("Clergy", "21-2011.00"),
            ("Teachers, Postsecondary", "25-1199.00"),
            ("Cooks, Fast Food", "35-2011.00"),
        ] {
            let mut p = profession("x", Some(soc));
            p.name = name.into();
            assert_eq!(p.plural(), name);
            assert_eq!(p.people(), name);
        }
        let mut ml = profession("ml-engineer", None);
        ml.name = "ML Engineer".into();
        assert_eq!(ml.plural(), "ML Engineers");
        assert_eq!(ml.people(), "ML Engineer professionals");
    }
}
