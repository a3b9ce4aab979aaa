//! The record lifecycle of DESIGN.md: missing, draft, edited, approved, stale (and
//! failed). Only `draft`, `failed` and `approved` are stored; `edited` and `stale` are
//! derived here, from the entry and the current catalog, templates and model, so they
//! can never disagree with the files.

use serde::Serialize;

use crate::catalog::{Occupation, Skill, Task};
use crate::prompt;
use crate::record::{Entry, Machine, Provenance, SkillEntry, Status, TaskEntry};

/// What drafts are compared with to tell whether they are stale.
#[derive(Clone, Copy, Debug)]
pub struct Current<'a> {
    /// The configured model; `None` when none is configured, and then no draft is stale
    /// by its model.
    pub model: Option<&'a str>,
    pub task_template: &'a str,
    pub skills_template: &'a str,
}

impl<'a> Current<'a> {
    pub fn new(model: Option<&'a str>, prompts: &'a crate::prompt::Prompts) -> Current<'a> {
        Current {
            model,
            task_template: prompts.task_fingerprint(),
            skills_template: prompts.skills_fingerprint(),
        }
    }
}

/// The state of one task or skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Missing,
    Failed,
    Draft,
    Edited,
    Approved,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Missing => "missing",
            State::Failed => "failed",
            State::Draft => "draft",
            State::Edited => "edited",
            State::Approved => "approved",
        }
    }
}

/// A state with why it is stale (empty when current) and whether a proposal waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub state: State,
    pub stale: Vec<String>,
    pub proposal: bool,
}

impl Item {
    pub fn is_stale(&self) -> bool {
        !self.stale.is_empty()
    }
}

/// Why a machine text no longer matches what would be drafted now.
fn stale_reasons(
    p: &Provenance,
    model: Option<&str>,
    template: &str,
    input: &str,
    what: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    if p.input != input {
        out.push(format!("{what} changed since drafting"));
    }
    if p.template != template {
        out.push(format!("template changed ({} -> {template})", p.template));
    }
    if let Some(model) = model
        && p.model != model
    {
        out.push(format!("model changed ({} -> {model})", p.model));
    }
    out
}

fn state_of<E: Entry>(e: &E) -> State {
    match e.status() {
        Status::Approved => State::Approved,
        Status::Failed if !e.has_content() => State::Failed,
        _ if e.is_edited() => State::Edited,
        Status::Failed => State::Failed,
        Status::Draft => State::Draft,
    }
}

/// The state of an entry, given the template fingerprint and the input hash it would be
/// drafted with now. `what` names the input in the staleness reason.
pub fn item<E: Entry>(
    entry: Option<&E>,
    model: Option<&str>,
    template: &str,
    input: &str,
    what: &str,
) -> Item {
    let Some(e) = entry else {
        return Item {
            state: State::Missing,
            stale: Vec::new(),
            proposal: false,
        };
    };
    // The newest machine text counts: a proposal made under the current settings means
    // the item has been redrafted already.
    let stale = match e.proposal().or(e.machine()) {
        Some(m) => stale_reasons(&m.provenance(), model, template, input, what),
        None => Vec::new(),
    };
    Item {
        state: state_of(e),
        stale,
        proposal: e.proposal().is_some(),
    }
}

/// The state of a task of an occupation.
pub fn task_item(entry: Option<&TaskEntry>, occ: &Occupation, task: &Task, cur: &Current) -> Item {
    item(
        entry,
        cur.model,
        cur.task_template,
        &prompt::task_input(occ, task),
        "task text",
    )
}

/// The state of a skill of an occupation.
pub fn skill_item(
    entry: Option<&SkillEntry>,
    occ: &Occupation,
    skill: &Skill,
    cur: &Current,
) -> Item {
    item(
        entry,
        cur.model,
        cur.skills_template,
        &prompt::skill_input(occ, skill),
        "skill or profession name",
    )
}

/// Whether `draft` works on an item: missing, failed, stale, or everything with
/// `--redraft`.
pub fn wants_draft(item: &Item, redraft: bool) -> bool {
    redraft || matches!(item.state, State::Missing | State::Failed) || item.is_stale()
}
