//! What a page is made of: the view types the templates, the API and the CSV read (a
//! profession, its tasks and skills as they may be shown, their counts and reviews).
//! Plain data: which entries may be shown is decided in [`super::select`], and every
//! sentence about them is written in [`super::text`].

use serde::Serialize;

use super::audit::How;
use super::groups::Group;
use crate::catalog::TaskType;
use crate::record::{Approved, Level, Verdict};

/// Who approved a text, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Review {
    pub reviewer: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// "April 20, 2026".
    pub date_text: String,
    /// How it was approved, as the approval records it.
    pub approved: Option<Approved>,
    /// How it was approved, as the byline says it ([`super::audit::annotate`]).
    pub how: Option<How>,
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
    /// Its place in the profession's list, from 1: the row `#t-3` of the profession's
    /// page links to it whether or not it has a page of its own.
    pub number: usize,
    /// Whether it has a deep-dive page (`[site] deep_dives = "core"` leaves Supplemental
    /// tasks on their profession's page only).
    pub page: bool,
    /// The deep dive's title and description ([`super::heads`]).
    pub head: Head,
}

/// A page's `<title>` and meta description: unique across the site, naming the
/// profession ([`super::heads`] writes them once every page is known).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Head {
    pub title: String,
    pub description: String,
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

/// How many of a profession's tasks are shown, by level, and of its skills.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LevelCounts {
    pub tasks: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub skills: usize,
    /// Tasks O*NET marks Supplemental (less central to the occupation than its Core ones).
    pub supplemental: usize,
}

/// How much of a profession its page covers: the tasks shown against the tasks of its
/// catalog entry. Until every task is reviewed, every figure of the profession says so.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Coverage {
    /// Tasks with a review (in a preview with drafts, fewer than those shown).
    pub reviewed: usize,
    /// Tasks in the catalog.
    pub tasks: usize,
    /// Tasks in the catalog not shown (not yet reviewed, or left out).
    pub missing: usize,
    /// Whether every catalog task is shown.
    pub complete: bool,
    /// "8 of 30 tasks reviewed so far", or "all 30 tasks reviewed".
    pub text: String,
}

/// Where a profession stands in the ranking of the most exposed ([`super::rank`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Enough of it reviewed, and enough tasks: ranked by its share of HIGH tasks.
    Ranked,
    /// Reviewed enough, but with fewer tasks than `[site] rank_min_tasks`: one task
    /// moves its share too much to rank it with the others, so it is ranked apart.
    FewTasks,
    /// Less of it reviewed than `[site] rank_coverage`: listed, not ranked, and its
    /// shares are not given as the profession's.
    #[default]
    InReview,
}

/// A profession beside its field and all professions: shares of HIGH tasks over the
/// reviewed tasks of the professions that are not in review ([`super::rank`]).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Compare {
    /// The field's (its O*NET major group's) share, in percent, and how many professions
    /// it is made of.
    pub field: u32,
    pub field_professions: usize,
    /// Every such profession's.
    pub all: u32,
    pub all_professions: usize,
    /// Its rank among the ranked professions, and how many there are.
    pub rank: Option<usize>,
    pub ranked: usize,
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
    /// How its items were approved ([`super::audit::annotate`]).
    pub how: Option<How>,
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
    /// A shorter name for page titles: the catalog's `short_name`, else derived by rule
    /// ([`super::text::short_name`]); the name itself when it is short.
    pub short_name: String,
    pub counts: LevelCounts,
    pub coverage: Coverage,
    /// Ranked, ranked apart or in review; its rank and its comparison with its field and
    /// with every profession ([`super::rank`]).
    pub standing: Standing,
    pub rank: Option<usize>,
    pub compare: Compare,
    /// Share of HIGH tasks, in whole percent (as in `shares`).
    pub high_share: u32,
    /// The shares of the tasks shown (of the profession's only when it is not in review).
    pub shares: Shares,
    /// "7 of 20 tasks HIGH, 8 MEDIUM, 5 LOW" (and how much of it is reviewed, if not all).
    pub summary: String,
    pub tasks: Vec<Task>,
    pub vulnerable: Vec<Skill>,
    pub resilient: Vec<Skill>,
    pub insights: Vec<String>,
    pub review: Byline,
    /// Its page's title and description ([`super::heads`]).
    pub head: Head,
}

/// "high", "medium", "low".
pub fn level_class(level: Level) -> &'static str {
    match level {
        Level::High => "high",
        Level::Medium => "medium",
        Level::Low => "low",
    }
}

/// Small views for the unit tests of the modules that read them.
#[cfg(test)]
pub(super) mod sample {
    use super::*;
    use crate::publish::groups;

    pub fn task(title: &str, level: Level) -> Task {
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
            number: 1,
            page: true,
            head: Head::default(),
        }
    }

    pub fn skill(name: &str, verdict: Verdict) -> Skill {
        Skill {
            id: name.into(),
            name: name.into(),
            verdict,
            reason: "r".into(),
            review: None,
            pending: None,
        }
    }

    pub fn profession(id: &str, soc: Option<&str>) -> Profession {
        Profession {
            id: id.into(),
            slug: id.into(),
            name: id.into(),
            short_name: id.into(),
            aliases: vec![],
            onet_soc: soc.map(String::from),
            group: groups::of(soc),
            onet: false,
            counts: LevelCounts::default(),
            coverage: Coverage::default(),
            standing: Standing::default(),
            rank: None,
            compare: Compare::default(),
            high_share: 0,
            shares: Shares::default(),
            summary: String::new(),
            tasks: vec![],
            vulnerable: vec![],
            resilient: vec![],
            insights: vec![],
            review: Byline::default(),
            head: Head::default(),
        }
    }
}
