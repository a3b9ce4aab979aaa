//! Records: the drafts and approved content, one file per profession in
//! `data/records/<slug>.json`.
//!
//! An entry (`entry.rs`) holds the current text (what an editor reads and may rewrite),
//! the machine's own text with its provenance (to tell edited from untouched, and stale
//! from current), an optional proposal (new machine text beside approved or edited text)
//! and the approval. Tasks and skills differ only in their text (`content.rs`); the
//! rules that keep a person's words safe from the machine are written once, for both.
//!
//! Serialization is canonical: fields in the order of these types, two-space indent,
//! trailing newline, absent options omitted, no floats.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::canonical;

mod content;
mod entry;

pub use content::{Content, Kind, Level, SkillContent, TaskContent, Verdict};
pub use entry::{
    Absorbed, AnyEntry, Approval, Approved, Confidence, ConfidenceMethod, Entry, Machine,
    Provenance, Status,
};

pub type TaskEntry = Entry<TaskContent>;
pub type SkillEntry = Entry<SkillContent>;
pub type MachineTask = Machine<TaskContent>;
pub type MachineSkill = Machine<SkillContent>;

pub const SCHEMA_REF: &str = "../schema/record.schema.json";

/// The file `data/records/<slug>.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Record {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The catalog slug of the profession.
    pub profession: String,
    #[serde(default)]
    pub tasks: Vec<TaskEntry>,
    #[serde(default)]
    pub skills: Vec<SkillEntry>,
}

impl Record {
    pub fn new(profession: &str) -> Record {
        Record {
            schema: Some(SCHEMA_REF.to_string()),
            profession: profession.to_string(),
            tasks: Vec::new(),
            skills: Vec::new(),
        }
    }

    /// The canonical text of the record.
    pub fn to_canonical(&self) -> String {
        canonical::pretty(self)
    }

    pub fn task(&self, id: &str) -> Option<&TaskEntry> {
        self.tasks.iter().find(|t| t.id == id)
    }

    pub fn task_mut(&mut self, id: &str) -> Option<&mut TaskEntry> {
        self.tasks.iter_mut().find(|t| t.id == id)
    }

    pub fn skill(&self, id: &str) -> Option<&SkillEntry> {
        self.skills.iter().find(|s| s.id == id)
    }

    pub fn skill_mut(&mut self, id: &str) -> Option<&mut SkillEntry> {
        self.skills.iter_mut().find(|s| s.id == id)
    }

    /// The entry of an item of either kind.
    pub fn entry(&self, kind: Kind, id: &str) -> Option<&dyn AnyEntry> {
        match kind {
            Kind::Task => self.task(id).map(|e| e as &dyn AnyEntry),
            Kind::Skill => self.skill(id).map(|e| e as &dyn AnyEntry),
        }
    }

    pub fn entry_mut(&mut self, kind: Kind, id: &str) -> Option<&mut dyn AnyEntry> {
        match kind {
            Kind::Task => self.task_mut(id).map(|e| e as &mut dyn AnyEntry),
            Kind::Skill => self.skill_mut(id).map(|e| e as &mut dyn AnyEntry),
        }
    }

    /// Every entry, tasks first, in file order.
    pub fn entries(&self) -> impl Iterator<Item = &dyn AnyEntry> {
        self.tasks
            .iter()
            .map(|e| e as &dyn AnyEntry)
            .chain(self.skills.iter().map(|e| e as &dyn AnyEntry))
    }

    /// The entries of one kind, as the record holds them.
    pub fn of<C: Content>(&mut self) -> &mut Vec<Entry<C>> {
        C::entries_mut(self)
    }

    /// Puts entries in catalog order; entries whose id the catalog no longer has stay
    /// at the end, in their order (validate reports them; the machine deletes nothing).
    pub fn sort_like(&mut self, task_order: &[&str], skill_order: &[&str]) {
        let pos =
            |order: &[&str], id: &str| order.iter().position(|x| *x == id).unwrap_or(usize::MAX);
        self.tasks.sort_by_key(|t| pos(task_order, &t.id));
        self.skills.sort_by_key(|s| pos(skill_order, &s.id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(level: Level, rationale: &str, key: &str) -> MachineTask {
        Machine {
            provenance: Provenance {
                model: "m".into(),
                template: "task.j2@abc".into(),
                input: "i".into(),
                cache_key: key.into(),
                host: None,
                served_model: None,
                system_fingerprint: None,
                confidence: None,
            },
            content: TaskContent {
                title: Some("Do the task".into()),
                level: Some(level),
                rationale: Some(rationale.into()),
                tools: Some(vec!["ChatGPT".into()]),
                tip: Some("Learn.".into()),
            },
        }
    }

    #[test]
    fn untouched_drafts_are_replaced() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Replaced
        );
        assert_eq!(e.content.rationale.as_deref(), Some("new"));
        assert!(e.proposal.is_none());
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Unchanged
        );
    }

    #[test]
    fn edited_text_is_kept_and_the_machine_proposes() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        e.content.rationale = Some("an editor's words".into());
        assert!(e.is_edited());
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Proposed
        );
        assert_eq!(e.content.rationale.as_deref(), Some("an editor's words"));
        assert_eq!(
            e.proposal.as_ref().unwrap().content.rationale.as_deref(),
            Some("new")
        );
        assert_eq!(
            e.machine.as_ref().unwrap().content.rationale.as_deref(),
            Some("old")
        );
    }

    #[test]
    fn approved_text_is_never_replaced() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        e.approve("Ann".into(), "2026-01-01".into(), Approved::OneByOne);
        let before = e.clone();
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Proposed
        );
        assert_eq!(
            (&e.content, &e.approval, e.status),
            (&before.content, &before.approval, before.status)
        );
    }

    #[test]
    fn a_dropped_proposal_is_not_offered_again() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        e.content.rationale = Some("an editor's words".into());
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Proposed
        );
        assert!(e.reject_proposal());
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Unchanged
        );
        assert!(e.proposal.is_none());
        assert_eq!(
            e.absorb(machine(Level::Medium, "newer", "k3")),
            Absorbed::Proposed
        );
    }

    #[test]
    fn failed_entries_take_the_new_draft() {
        let mut e = TaskEntry::failed("t", "timeout".into());
        assert_eq!(e.absorb(machine(Level::Medium, "r", "k")), Absorbed::New);
        assert_eq!(e.status, Status::Draft);
        assert!(e.error.is_none());
    }

    /// A failure an editor wrote the text for is a person's text: a redraft proposes
    /// beside it and never replaces it.
    #[test]
    fn a_failure_filled_in_by_an_editor_is_kept() {
        let mut e = TaskEntry::failed("t", "timeout".into());
        e.content.level = Some(Level::Low);
        e.content.rationale = Some("An editor's own words.".into());
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Proposed
        );
        assert_eq!(
            e.content.rationale.as_deref(),
            Some("An editor's own words.")
        );
        assert_eq!(e.status, Status::Failed);
        assert_eq!(
            e.proposal.as_ref().unwrap().content.rationale.as_deref(),
            Some("new")
        );
    }

    /// When the machine comes to say what a person kept, only the provenance moves (and
    /// a pending proposal goes); the same word again changes nothing.
    #[test]
    fn a_machine_agreeing_with_the_kept_text_refreshes_its_provenance() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        e.content.rationale = Some("agreed".into());
        assert_eq!(
            e.absorb(machine(Level::High, "other", "k2")),
            Absorbed::Proposed
        );
        let mut agreeing = machine(Level::Low, "agreed", "k3");
        agreeing.content = e.content.clone();
        assert_eq!(e.absorb(agreeing.clone()), Absorbed::Replaced);
        assert!(e.proposal.is_none(), "the pending proposal goes");
        assert_eq!(e.machine.as_ref().unwrap().provenance.cache_key, "k3");
        assert_eq!(e.absorb(agreeing.clone()), Absorbed::Unchanged);
        // The same text under a new provenance is a refresh, not "unchanged".
        let mut again = agreeing;
        again.provenance.cache_key = "k4".into();
        assert_eq!(e.absorb(again), Absorbed::Replaced);

        // Approved text the machine now agrees with, no proposal pending: the approval
        // stays and the new provenance is recorded (and reported, so the record is saved).
        let mut approved = TaskEntry::new_draft("t", machine(Level::Low, "same", "k1"));
        approved.approve("Ann".into(), "2026-01-01".into(), Approved::InBulk);
        let before = approved.clone();
        let refreshed = machine(Level::Low, "same", "k5");
        assert_eq!(approved.absorb(refreshed.clone()), Absorbed::Replaced);
        assert_eq!(approved.machine.as_ref(), Some(&refreshed));
        assert_eq!(
            (&approved.content, &approved.approval, approved.status),
            (&before.content, &before.approval, before.status)
        );
        assert_eq!(approved.absorb(refreshed), Absorbed::Unchanged);
    }

    /// A failure records its newest reason; text that exists is left alone.
    #[test]
    fn a_failure_updates_the_reason_of_a_failed_entry_only() {
        let mut e = TaskEntry::failed("t", "timeout".into());
        e.fail("HTTP 500".into());
        assert_eq!(e.error.as_deref(), Some("HTTP 500"));
        let mut draft = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        let before = draft.clone();
        draft.fail("HTTP 500".into());
        assert_eq!(draft, before);
        // A failure an editor filled in keeps its text and its recorded reason.
        let mut filled = TaskEntry::failed("t", "timeout".into());
        filled.content.level = Some(Level::Low);
        filled.content.rationale = Some("words".into());
        let before = filled.clone();
        filled.fail("HTTP 500".into());
        assert_eq!(filled, before);
    }

    #[test]
    fn content_hash_follows_the_content() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        let h = e.content_hash();
        e.content.tip = Some("Other.".into());
        assert_ne!(h, e.content_hash());
    }

    #[test]
    fn entries_serialize_flat_in_a_fixed_order() {
        let e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        let text = canonical::pretty(&e);
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \""))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "status",
                "title",
                "level",
                "rationale",
                "tools",
                "tip",
                "machine"
            ]
        );
        let back: TaskEntry = serde_json::from_str(&text).unwrap();
        assert_eq!(back, e);
        let typo = text.replace("\"rationale\"", "\"rationalle\"");
        let err = serde_json::from_str::<TaskEntry>(&typo).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `rationalle`"),
            "{err}"
        );
    }

    #[test]
    fn each_content_type_reaches_its_own_entries() {
        let mut r = Record::new("p");
        r.of::<TaskContent>()
            .push(TaskEntry::failed("t", "x".into()));
        r.of::<SkillContent>()
            .push(SkillEntry::failed("s", "x".into()));
        assert_eq!((r.tasks.len(), r.skills.len()), (1, 1));
        assert_eq!(r.entry(Kind::Skill, "s").unwrap().kind(), Kind::Skill);
    }
}
