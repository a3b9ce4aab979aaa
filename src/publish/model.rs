//! What is published: approved content only, read from the records and checked against
//! its approval hash, shaped for the templates. Counts and key insights are computed
//! here by plain rules, never generated.

use std::collections::HashSet;

use serde::Serialize;

use crate::catalog::{Catalog, Occupation};
use crate::record::{Content, Entry, Level, Record, Status, Verdict};
use crate::slug;

#[derive(Clone, Debug, Serialize)]
pub struct Task {
    pub id: String,
    /// File name part of the deep-dive page: from the catalog's statement, never the
    /// title, so editing a title keeps the URL.
    pub slug: String,
    /// The headline shown in headings, tables, links and page titles: the catalog's
    /// title, else the approved one, else the statement.
    pub title: String,
    /// The full task statement (the catalog's `text`).
    pub text: String,
    pub level: Level,
    pub rationale: String,
    pub tools: Vec<String>,
    pub tip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onet_task_id: Option<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Skill {
    pub id: String,
    pub name: String,
    pub verdict: Verdict,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    pub tasks: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub skills: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Profession {
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onet_soc: Option<String>,
    /// Whether task statements come from O*NET (attribution).
    pub onet: bool,
    pub counts: Counts,
    /// Share of HIGH tasks, in whole percent (rounded half up).
    pub high_share: u32,
    /// "7 of 20 tasks HIGH, 8 MEDIUM, 5 LOW".
    pub summary: String,
    pub tasks: Vec<Task>,
    pub vulnerable: Vec<Skill>,
    pub resilient: Vec<Skill>,
    pub insights: Vec<String>,
}

/// "ML Engineer" -> "ML Engineers"; names already plural stay as they are.
pub fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_string()
    } else {
        format!("{name}s")
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
            let verb = if total == 1 { "faces" } else { "face" };
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

/// An entry the site may show: approved, complete, and still what was approved. An
/// approved entry that fails the check is reported as skipped.
fn publishable<'e, C: Content>(
    entry: Option<&'e Entry<C>>,
    what: impl FnOnce() -> String,
    skipped: &mut Vec<Skipped>,
) -> Option<&'e C> {
    let e = entry.filter(|e| e.status == Status::Approved)?;
    if e.is_approved_intact() && e.has_content() {
        return Some(&e.content);
    }
    skipped.push(Skipped {
        what: what(),
        why: "edited after approval or incomplete: re-approve it (`willai validate` tells)".into(),
    });
    None
}

/// The publishable view of one occupation and its record: `None` when nothing of it is
/// approved.
pub fn profession(
    occ: &Occupation,
    record: &Record,
    skipped: &mut Vec<Skipped>,
) -> Option<Profession> {
    let mut tasks = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    for task in &occ.tasks {
        let Some(e) = publishable(
            record.task(&task.id),
            || format!("{}/{}", occ.slug, task.id),
            skipped,
        ) else {
            continue;
        };
        let (Some(level), Some(rationale)) = (e.level, e.rationale.clone()) else {
            continue;
        };
        // Deep-dive file names from the task text: short, unique within the profession.
        let base = slug::slugify_short(&task.text, 60);
        let mut page = base.clone();
        let mut n = 2;
        while !used.insert(page.clone()) {
            page = format!("{base}-{n}");
            n += 1;
        }
        let title = task
            .title
            .clone()
            .or_else(|| e.title.clone())
            .unwrap_or_else(|| task.text.trim_end_matches('.').to_string());
        tasks.push(Task {
            id: task.id.clone(),
            slug: page,
            title,
            text: task.text.clone(),
            level,
            rationale,
            tools: e.tools.clone().unwrap_or_default(),
            tip: e.tip.clone(),
            onet_task_id: task.onet_task_id,
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
    for (id, catalog_name) in skills {
        let Some(e) = publishable(
            record.skill(id),
            || format!("{}/skills/{id}", occ.slug),
            skipped,
        ) else {
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
    let high_share = if counts.tasks == 0 {
        0
    } else {
        ((counts.high * 200 + counts.tasks) / (counts.tasks * 2)) as u32
    };
    Some(Profession {
        summary: summary(&counts),
        slug: slug::slugify(&occ.slug),
        name: occ.name.clone(),
        onet_soc: occ.onet_soc.clone(),
        onet: occ.onet_soc.is_some() || occ.tasks.iter().any(|t| t.onet_task_id.is_some()),
        insights: insights(&tasks, &vulnerable, &resilient),
        counts,
        high_share,
        tasks,
        vulnerable,
        resilient,
    })
}

/// Up to `n` other professions for a profession's pages: those of the same O*NET major
/// group first, then the nearest in alphabetical order; deterministic.
pub fn others(all: &[Profession], i: usize, n: usize) -> Vec<&Profession> {
    let me = &all[i];
    let group = |p: &Profession| {
        p.onet_soc
            .as_deref()
            .and_then(|s| s.get(..2))
            .map(String::from)
    };
    let mine = group(me);
    let mut order: Vec<usize> = (0..all.len()).filter(|&j| j != i).collect();
    order.sort_by_key(|&j| {
        let same = mine.is_some() && group(&all[j]) == mine;
        (!same, j.abs_diff(i), j)
    });
    order.into_iter().take(n).map(|j| &all[j]).collect()
}

/// Every publishable profession, sorted by slug, and what was skipped.
pub fn load(catalog: &Catalog, records: &[(String, Record)]) -> (Vec<Profession>, Vec<Skipped>) {
    let mut skipped = Vec::new();
    let mut out = Vec::new();
    for (slug, record) in records {
        if let Some(occ) = catalog.get(slug)
            && let Some(p) = profession(occ, record, &mut skipped)
        {
            out.push(p);
        }
    }
    out.sort_by(|a, b| a.slug.cmp(&b.slug));
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
            rationale: "r".into(),
            tools: vec![],
            tip: None,
            onet_task_id: None,
        }
    }

    fn skill(name: &str, verdict: Verdict) -> Skill {
        Skill {
            id: name.into(),
            name: name.into(),
            verdict,
            reason: "r".into(),
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

    #[test]
    fn plurals() {
        assert_eq!(plural("ML Engineer"), "ML Engineers");
        assert_eq!(plural("Data Scientists"), "Data Scientists");
    }
}
