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
pub struct Tally {
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
    pub counts: Tally,
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
            aliases: vec![],
            onet_soc: soc.map(String::from),
            group: groups::of(soc),
            onet: false,
            counts: Tally::default(),
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
}
