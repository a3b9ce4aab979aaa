//! The lifecycle rules shared by task and skill entries, written once: what is edited,
//! how new machine text is absorbed (replacing untouched drafts, proposing beside a
//! person's text), accepting and rejecting proposals, and whether an approval still
//! holds.

use super::{
    Approval, MachineSkill, MachineTask, Provenance, SkillDraft, SkillEntry, Status, TaskDraft,
    TaskEntry, skill_content_hash, task_content_hash,
};

/// What happened to an entry when the machine's text was offered to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absorbed {
    /// A new draft (the entry was missing or failed).
    New,
    /// The machine's previous, untouched draft was replaced.
    Replaced,
    /// Approved or edited text kept; the new text went beside it as a proposal.
    Proposed,
    /// Nothing to change (same text as before).
    Unchanged,
}

/// The machine's text of a task or a skill, with its provenance.
pub trait Machine: Clone + PartialEq {
    type Draft: Clone + PartialEq;
    fn draft(&self) -> Self::Draft;
    fn provenance(&self) -> Provenance;
}

impl Machine for MachineTask {
    type Draft = TaskDraft;
    fn draft(&self) -> TaskDraft {
        MachineTask::draft(self)
    }
    fn provenance(&self) -> Provenance {
        MachineTask::provenance(self)
    }
}

impl Machine for MachineSkill {
    type Draft = SkillDraft;
    fn draft(&self) -> SkillDraft {
        MachineSkill::draft(self)
    }
    fn provenance(&self) -> Provenance {
        MachineSkill::provenance(self)
    }
}

/// The lifecycle fields of an entry, to change them.
pub struct Parts<'a, M> {
    pub status: &'a mut Status,
    pub error: &'a mut Option<String>,
    pub machine: &'a mut Option<M>,
    pub proposal: &'a mut Option<M>,
    pub approval: &'a mut Option<Approval>,
}

/// What task and skill entries share: a status, content with a hash, the machine's
/// text, a proposal, an approval. The rules that keep a person's words safe from the
/// machine are written once, here, as provided methods.
pub trait Entry: Sized {
    type Machine: Machine;
    fn id(&self) -> &str;
    fn status(&self) -> Status;
    /// Whether there is text to show (a task's level and rationale; a skill's verdict
    /// and reason). Tools and tip are optional for a person's text.
    fn has_content(&self) -> bool;
    /// Whether the current text is exactly this machine text.
    fn matches(&self, d: &<Self::Machine as Machine>::Draft) -> bool;
    /// The sha256 an approval of the current content records.
    fn content_hash(&self) -> String;
    /// Makes the machine's text the current text.
    fn set_content(&mut self, d: &<Self::Machine as Machine>::Draft);
    fn machine(&self) -> Option<&Self::Machine>;
    fn proposal(&self) -> Option<&Self::Machine>;
    fn approval(&self) -> Option<&Approval>;
    fn error(&self) -> Option<&str>;
    fn parts(&mut self) -> Parts<'_, Self::Machine>;
    fn new_draft(id: &str, machine: Self::Machine) -> Self;
    fn failed(id: &str, error: String) -> Self;

    /// Whether a person changed the text the machine wrote (or wrote it without one).
    fn is_edited(&self) -> bool {
        match self.machine() {
            Some(m) => !self.matches(&m.draft()),
            None => self.has_content(),
        }
    }

    /// Approved, and the approved text is still what was approved.
    fn is_approved_intact(&self) -> bool {
        self.status() == Status::Approved
            && self
                .approval()
                .is_some_and(|a| a.sha256 == self.content_hash())
    }

    /// Offers new machine text. Untouched drafts and failures are replaced; approved or
    /// edited content is never changed: the text goes beside it as a proposal.
    fn absorb(&mut self, machine: Self::Machine) -> Absorbed {
        let untouched = self.status() != Status::Approved && !self.is_edited();
        if self.status() == Status::Failed || untouched {
            if self.machine() == Some(&machine) && self.status() == Status::Draft {
                return Absorbed::Unchanged;
            }
            let was_failed = self.status() == Status::Failed && !self.has_content();
            *self = Self::new_draft(self.id(), machine);
            return if was_failed {
                Absorbed::New
            } else {
                Absorbed::Replaced
            };
        }
        // A person's text: keep it.
        if self.matches(&machine.draft()) {
            // The machine now says what the person kept: just refresh the provenance.
            let changed = self.machine() != Some(&machine) || self.proposal().is_some();
            let parts = self.parts();
            *parts.machine = Some(machine);
            *parts.proposal = None;
            return if changed {
                Absorbed::Replaced
            } else {
                Absorbed::Unchanged
            };
        }
        // Already proposed, or proposed before and dropped by the editor (`reject` makes
        // a dropped proposal the machine's latest word): nothing new to offer.
        if self.proposal() == Some(&machine) || self.machine() == Some(&machine) {
            return Absorbed::Unchanged;
        }
        *self.parts().proposal = Some(machine);
        Absorbed::Proposed
    }

    /// Takes the proposal as the current text.
    fn accept_proposal(&mut self) -> bool {
        let Some(p) = self.parts().proposal.take() else {
            return false;
        };
        self.set_content(&p.draft());
        *self.parts().machine = Some(p);
        true
    }

    /// Drops the proposal: the person's text stays, and the proposal becomes the
    /// machine's latest word, so the item is no longer stale and is not proposed again.
    fn reject_proposal(&mut self) -> bool {
        let parts = self.parts();
        match parts.proposal.take() {
            Some(p) => {
                *parts.machine = Some(p);
                true
            }
            None => false,
        }
    }
}

impl Entry for TaskEntry {
    type Machine = MachineTask;

    fn id(&self) -> &str {
        &self.id
    }

    fn status(&self) -> Status {
        self.status
    }

    fn has_content(&self) -> bool {
        self.level.is_some() && self.rationale.is_some()
    }

    fn matches(&self, d: &TaskDraft) -> bool {
        self.level == Some(d.level)
            && self.rationale.as_deref() == Some(d.rationale.as_str())
            && self.tools.as_deref().unwrap_or(&[]) == d.tools.as_slice()
            && self.tip.as_deref() == Some(d.tip.as_str())
    }

    fn content_hash(&self) -> String {
        task_content_hash(
            self.level,
            self.rationale.as_deref(),
            self.tools.as_deref(),
            self.tip.as_deref(),
        )
    }

    fn set_content(&mut self, d: &TaskDraft) {
        self.level = Some(d.level);
        self.rationale = Some(d.rationale.clone());
        self.tools = Some(d.tools.clone());
        self.tip = Some(d.tip.clone());
    }

    fn machine(&self) -> Option<&MachineTask> {
        self.machine.as_ref()
    }

    fn proposal(&self) -> Option<&MachineTask> {
        self.proposal.as_ref()
    }

    fn approval(&self) -> Option<&Approval> {
        self.approval.as_ref()
    }

    fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn parts(&mut self) -> Parts<'_, MachineTask> {
        Parts {
            status: &mut self.status,
            error: &mut self.error,
            machine: &mut self.machine,
            proposal: &mut self.proposal,
            approval: &mut self.approval,
        }
    }

    fn new_draft(id: &str, machine: MachineTask) -> TaskEntry {
        let mut e = TaskEntry::failed(id, String::new());
        e.status = Status::Draft;
        e.error = None;
        e.set_content(&machine.draft());
        e.machine = Some(machine);
        e
    }

    fn failed(id: &str, error: String) -> TaskEntry {
        TaskEntry {
            id: id.to_string(),
            status: Status::Failed,
            level: None,
            rationale: None,
            tools: None,
            tip: None,
            error: Some(error),
            source: None,
            machine: None,
            proposal: None,
            approval: None,
        }
    }
}

impl Entry for SkillEntry {
    type Machine = MachineSkill;

    fn id(&self) -> &str {
        &self.id
    }

    fn status(&self) -> Status {
        self.status
    }

    fn has_content(&self) -> bool {
        self.verdict.is_some() && self.reason.is_some()
    }

    fn matches(&self, d: &SkillDraft) -> bool {
        self.verdict == Some(d.verdict) && self.reason.as_deref() == Some(d.reason.as_str())
    }

    fn content_hash(&self) -> String {
        skill_content_hash(self.verdict, self.reason.as_deref())
    }

    fn set_content(&mut self, d: &SkillDraft) {
        self.verdict = Some(d.verdict);
        self.reason = Some(d.reason.clone());
    }

    fn machine(&self) -> Option<&MachineSkill> {
        self.machine.as_ref()
    }

    fn proposal(&self) -> Option<&MachineSkill> {
        self.proposal.as_ref()
    }

    fn approval(&self) -> Option<&Approval> {
        self.approval.as_ref()
    }

    fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn parts(&mut self) -> Parts<'_, MachineSkill> {
        Parts {
            status: &mut self.status,
            error: &mut self.error,
            machine: &mut self.machine,
            proposal: &mut self.proposal,
            approval: &mut self.approval,
        }
    }

    fn new_draft(id: &str, machine: MachineSkill) -> SkillEntry {
        let mut e = SkillEntry::failed(id, String::new());
        e.status = Status::Draft;
        e.error = None;
        e.set_content(&machine.draft());
        e.machine = Some(machine);
        e
    }

    fn failed(id: &str, error: String) -> SkillEntry {
        SkillEntry {
            id: id.to_string(),
            status: Status::Failed,
            verdict: None,
            reason: None,
            error: Some(error),
            source: None,
            machine: None,
            proposal: None,
            approval: None,
        }
    }
}
