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
    /// File name part of the deep-dive page.
    pub slug: String,
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

/// "A, B and C" lists as the reference page writes them: "A, B, C".
fn list(items: &[&str]) -> String {
    items.join(", ")
}

/// The key insights of a profession, by rule.
pub fn insights(tasks: &[Task], vulnerable: &[Skill], resilient: &[Skill]) -> Vec<String> {
    let mut out = Vec::new();
    let total = tasks.len();
    if total > 0 {
        let high: Vec<&str> = tasks
            .iter()
            .filter(|t| t.level == Level::High)
            .map(|t| t.text.as_str())
            .collect();
        if high.is_empty() {
            out.push(format!("None of the {total} tasks face high AI exposure."));
        } else {
            let noun = if total == 1 {
                "task faces"
            } else {
                "tasks face"
            };
            out.push(format!(
                "{} of {total} {noun} high AI exposure: {}.",
                high.len(),
                list(&high).trim_end_matches('.')
            ));
        }
        let low: Vec<&str> = tasks
            .iter()
            .filter(|t| t.level == Level::Low)
            .map(|t| t.text.as_str())
            .collect();
        if !low.is_empty() {
            let verb = if low.len() == 1 { "is" } else { "are" };
            out.push(format!(
                "{} of {total} {verb} resilient to AI: {}.",
                low.len(),
                list(&low).trim_end_matches('.')
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
        tasks.push(Task {
            id: task.id.clone(),
            slug: page,
            text: task.text.clone(),
            level,
            rationale,
            tools: e.tools.clone().unwrap_or_default(),
            tip: e.tip.clone(),
            onet_task_id: task.onet_task_id,
        });
    }
    let (mut vulnerable, mut resilient) = (Vec::new(), Vec::new());
    for skill in &occ.skills {
        let Some(e) = publishable(
            record.skill(&skill.id),
            || format!("{}/skills/{}", occ.slug, skill.id),
            skipped,
        ) else {
            continue;
        };
        let (Some(verdict), Some(reason)) = (e.verdict, e.reason.clone()) else {
            continue;
        };
        let s = Skill {
            id: skill.id.clone(),
            name: skill.name.clone(),
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

    fn task(text: &str, level: Level) -> Task {
        Task {
            id: text.into(),
            slug: text.into(),
            text: text.into(),
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
                "1 of 2 is resilient to AI: Paint housings.",
                "Painting remains resilient."
            ]
        );
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("ML Engineer"), "ML Engineers");
        assert_eq!(plural("Data Scientists"), "Data Scientists");
    }
}
