//! The record lifecycle: missing, draft, edited, approved, stale (and failed). Only
//! `draft`, `failed` and `approved` are stored; `edited` and `stale` are derived here,
//! from the entry and the current catalog, templates and model, so they can never
//! disagree with the files.
//!
//! [`items`] is the one list of a profession's tasks and skills with their states that
//! `status`, `approve`, `reject`, `draft` and `cache gc` all work from.

use serde::Serialize;

use crate::catalog::Occupation;
use crate::prompt;
use crate::record::{AnyEntry, Kind, Record, Status};

/// What drafts are compared with to tell whether they are stale.
#[derive(Clone, Copy, Debug)]
pub struct Current<'a> {
    /// The configured model; `None` when none is configured, and then no draft is stale
    /// by its model.
    pub model: Option<&'a str>,
    /// Where the model setting comes from (`--model`, `WILLAI_MODEL`, willai.toml), for
    /// stale messages to say which setting to change.
    pub model_origin: Option<&'a crate::config::Origin>,
    pub task_template: &'a str,
    pub skills_template: &'a str,
}

impl<'a> Current<'a> {
    pub fn new(model: Option<&'a str>, prompts: &'a crate::prompt::Prompts) -> Current<'a> {
        Current {
            model,
            model_origin: None,
            task_template: prompts.task_fingerprint(),
            skills_template: prompts.skills_fingerprint(),
        }
    }

    /// The same, naming where the model setting comes from.
    pub fn with_origin(mut self, origin: Option<&'a crate::config::Origin>) -> Current<'a> {
        self.model_origin = origin;
        self
    }

    fn template(&self, kind: Kind) -> &'a str {
        match kind {
            Kind::Task => self.task_template,
            Kind::Skill => self.skills_template,
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
    /// An editor rejected the machine's draft (and wrote nothing since).
    Rejected,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Missing => "missing",
            State::Failed => "failed",
            State::Draft => "draft",
            State::Edited => "edited",
            State::Approved => "approved",
            State::Rejected => "rejected",
        }
    }
}

/// A task or skill of a profession, with its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    /// The catalog id.
    pub id: String,
    /// The task statement or the skill name.
    pub label: String,
    /// sha256 of what its prompt is made from.
    pub input: String,
    pub state: State,
    /// Why it is stale (empty when current).
    pub stale: Vec<String>,
    /// For each reason, which setting or file differs and how to change it.
    pub fixes: Vec<String>,
    /// Whether a proposal waits.
    pub proposal: bool,
}

impl Item {
    pub fn is_stale(&self) -> bool {
        !self.stale.is_empty()
    }

    /// `ml-engineer/write-production-code` or `ml-engineer/skills/python`.
    pub fn label_in(&self, slug: &str) -> String {
        match self.kind {
            Kind::Task => format!("{slug}/{}", self.id),
            Kind::Skill => format!("{slug}/skills/{}", self.id),
        }
    }
}

/// The lifecycle state of an entry (stale or not: see [`item`]).
pub fn state_of(e: &dyn AnyEntry) -> State {
    match e.status() {
        Status::Approved if e.is_approved_intact() => State::Approved,
        // Text changed since its approval is an edit waiting for approval, whoever's
        // words it now holds: `publish` leaves it out and `validate` fails on it.
        Status::Approved => State::Edited,
        Status::Failed if !e.has_content() => State::Failed,
        Status::Rejected if !e.has_content() => State::Rejected,
        _ if e.is_edited() => State::Edited,
        Status::Failed => State::Failed,
        Status::Draft => State::Draft,
        Status::Rejected => State::Edited,
    }
}

/// Why a machine text no longer matches what would be drafted now, and for each reason
/// which setting or file differs and how to change it.
fn stale_reasons(
    entry: &dyn AnyEntry,
    kind: Kind,
    input: &str,
    slug: &str,
    cur: &Current,
) -> (Vec<String>, Vec<String>) {
    let Some(p) = entry.newest_provenance() else {
        return (Vec::new(), Vec::new());
    };
    let what = match kind {
        Kind::Task => "task text",
        Kind::Skill => "skill or profession name",
    };
    let template = cur.template(kind);
    let (mut out, mut fixes) = (Vec::new(), Vec::new());
    if p.input != input {
        out.push(format!("{what} changed since drafting"));
        fixes.push(format!(
            "the {what} in data/catalog/{slug}.json is not the one drafted: `willai draft` drafts the new one"
        ));
    }
    if p.template != template {
        out.push(format!("template changed ({} -> {template})", p.template));
        let file = template.split('@').next().unwrap_or(template);
        fixes.push(format!(
            "prompts/{file} (or a template it includes, or willai's reply format) changed since drafting: `willai draft` asks with it"
        ));
    }
    if let Some(model) = cur.model
        && p.model != model
    {
        let was = &p.model;
        out.push(format!("model changed ({was} -> {model})"));
        let from = cur
            .model_origin
            .map(|o| format!(" (from {o})"))
            .unwrap_or_default();
        fixes.push(format!(
            "the model setting{from} is {model}, the draft's {was}: to keep the drafts, set it back to {was} (`--model {was}`, `WILLAI_MODEL={was}` or `model = \"{was}\"` in willai.toml); to redraft with {model}, run `willai draft` against an endpoint that serves {model}"
        ));
    }
    (out, fixes)
}

/// The state of an item given its entry (if any) and the input hash it would be drafted
/// with now.
pub fn item(
    kind: Kind,
    (slug, id): (&str, &str),
    label: &str,
    input: String,
    entry: Option<&dyn AnyEntry>,
    cur: &Current,
) -> Item {
    let (state, (stale, fixes), proposal) = match entry {
        None => (State::Missing, (Vec::new(), Vec::new()), false),
        Some(e) => (
            state_of(e),
            stale_reasons(e, kind, &input, slug, cur),
            e.has_proposal(),
        ),
    };
    Item {
        kind,
        id: id.to_string(),
        label: label.to_string(),
        input,
        state,
        stale,
        fixes,
        proposal,
    }
}

/// The id of the one item that stands for a profession's skills before the model has
/// proposed any (its catalog lists none).
pub const PROPOSED_SKILLS: &str = "proposed-skills";

/// Every task and then every skill of a profession, in catalog order, with its state.
///
/// A profession whose catalog lists no skills gets the skills the model proposed, as
/// the record holds them (all drafted from one prompt, so they share its input); before
/// the first proposal, one missing item ([`PROPOSED_SKILLS`]) stands for them.
pub fn items(occ: &Occupation, record: Option<&Record>, cur: &Current) -> Vec<Item> {
    let entry = |kind, id: &str| record.and_then(|r| r.entry(kind, id));
    let mut out: Vec<Item> = occ
        .tasks
        .iter()
        .map(|t| {
            let input = prompt::task_input(occ, t);
            let drafted = record
                .and_then(|r| r.task(&t.id))
                .and_then(|e| e.content.title.as_deref());
            let label = t.title.as_deref().or(drafted).unwrap_or(&t.text);
            item(
                Kind::Task,
                (&occ.slug, &t.id),
                label,
                input,
                entry(Kind::Task, &t.id),
                cur,
            )
        })
        .collect();
    if !occ.skills.is_empty() {
        out.extend(occ.skills.iter().map(|s| {
            let input = prompt::skill_input(occ, s);
            item(
                Kind::Skill,
                (&occ.slug, &s.id),
                &s.name,
                input,
                entry(Kind::Skill, &s.id),
                cur,
            )
        }));
        return out;
    }
    let input = prompt::proposal_input(occ);
    let proposed = record.map(|r| r.skills.as_slice()).unwrap_or_default();
    if proposed.is_empty() {
        out.push(item(
            Kind::Skill,
            (&occ.slug, PROPOSED_SKILLS),
            "(skills to be proposed)",
            input,
            None,
            cur,
        ));
        return out;
    }
    out.extend(proposed.iter().map(|e| {
        let name = e.content.name.as_deref().unwrap_or(&e.id);
        item(
            Kind::Skill,
            (&occ.slug, &e.id),
            name,
            input.clone(),
            Some(e),
            cur,
        )
    }));
    out
}

/// Whether `draft` works on an item: missing, failed, stale, or everything with
/// `--redraft`.
pub fn wants_draft(item: &Item, redraft: bool) -> bool {
    redraft || matches!(item.state, State::Missing | State::Failed) || item.is_stale()
}
