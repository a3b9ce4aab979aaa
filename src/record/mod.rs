//! Records: the drafts and approved content, one file per profession in
//! `data/records/<slug>.json`.
//!
//! A record entry holds the current text (what an editor reads and may rewrite), the
//! machine's own values with their provenance (to tell edited from untouched, and stale
//! from current), an optional proposal (new machine text beside approved or edited text)
//! and the approval. The rules that keep a person's words safe from the machine live
//! once, in the [`Entry`] trait both kinds implement (`entry.rs`).
//!
//! Serialization is canonical: fields in the order of these types, two-space indent,
//! trailing newline, absent options omitted, no floats.

use std::fmt;
use std::fs;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::canonical;

mod entry;

pub use entry::{Absorbed, Entry, Machine, Parts};

pub const SCHEMA_REF: &str = "../schema/record.schema.json";

/// How exposed a task is to AI (Eloundou et al. 2023: E1 = HIGH, E2 = MEDIUM, E0 = LOW).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    High,
    Medium,
    Low,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::High, Level::Medium, Level::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::High => "HIGH",
            Level::Medium => "MEDIUM",
            Level::Low => "LOW",
        }
    }

    /// Parses `HIGH`/`MEDIUM`/`LOW` in any case.
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_uppercase().as_str() {
            "HIGH" => Some(Level::High),
            "MEDIUM" => Some(Level::Medium),
            "LOW" => Some(Level::Low),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A skill's assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Vulnerable,
    Resilient,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Vulnerable => "vulnerable",
            Verdict::Resilient => "resilient",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vulnerable" => Some(Verdict::Vulnerable),
            "resilient" => Some(Verdict::Resilient),
            _ => None,
        }
    }
}

/// The stored lifecycle state. `edited` and `stale` are derived, not stored (see
/// `review::State`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Written by the machine, perhaps edited since; not yet approved.
    Draft,
    /// The machine could not produce a valid draft; `error` says why.
    Failed,
    /// A person approved the content; `approval` says who and when.
    Approved,
}

/// What the machine wrote for a task: the content plus where it came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDraft {
    pub level: Level,
    pub rationale: String,
    pub tools: Vec<String>,
    pub tip: String,
}

/// What the machine wrote for a skill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillDraft {
    pub verdict: Verdict,
    pub reason: String,
}

/// Where a machine text came from: enough to tell whether it is stale and to find its
/// cache entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The model that wrote it.
    pub model: String,
    /// The prompt template and its fingerprint, `task.j2@<12 hex>`.
    pub template: String,
    /// sha256 of the prompt's inputs (task text, profession name, skill name).
    pub input: String,
    /// The cache entry holding the request and the raw response.
    pub cache_key: String,
}

/// The machine's text for a task with its provenance (the `machine` and `proposal`
/// fields of a task entry).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineTask {
    pub model: String,
    pub template: String,
    pub input: String,
    pub cache_key: String,
    pub level: Level,
    pub rationale: String,
    pub tools: Vec<String>,
    pub tip: String,
}

impl MachineTask {
    pub fn new(p: Provenance, d: TaskDraft) -> MachineTask {
        MachineTask {
            model: p.model,
            template: p.template,
            input: p.input,
            cache_key: p.cache_key,
            level: d.level,
            rationale: d.rationale,
            tools: d.tools,
            tip: d.tip,
        }
    }

    pub fn draft(&self) -> TaskDraft {
        TaskDraft {
            level: self.level,
            rationale: self.rationale.clone(),
            tools: self.tools.clone(),
            tip: self.tip.clone(),
        }
    }

    pub fn provenance(&self) -> Provenance {
        Provenance {
            model: self.model.clone(),
            template: self.template.clone(),
            input: self.input.clone(),
            cache_key: self.cache_key.clone(),
        }
    }
}

/// The machine's text for a skill with its provenance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MachineSkill {
    pub model: String,
    pub template: String,
    pub input: String,
    pub cache_key: String,
    pub verdict: Verdict,
    pub reason: String,
}

impl MachineSkill {
    pub fn new(p: Provenance, d: SkillDraft) -> MachineSkill {
        MachineSkill {
            model: p.model,
            template: p.template,
            input: p.input,
            cache_key: p.cache_key,
            verdict: d.verdict,
            reason: d.reason,
        }
    }

    pub fn draft(&self) -> SkillDraft {
        SkillDraft {
            verdict: self.verdict,
            reason: self.reason.clone(),
        }
    }

    pub fn provenance(&self) -> Provenance {
        Provenance {
            model: self.model.clone(),
            template: self.template.clone(),
            input: self.input.clone(),
            cache_key: self.cache_key.clone(),
        }
    }
}

/// Who approved what, when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub reviewer: String,
    /// The day of approval, `YYYY-MM-DD`.
    pub date: String,
    /// sha256 of the approved content (canonical JSON of the content fields).
    pub sha256: String,
}

/// One task of a profession.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskEntry {
    /// The catalog task id.
    pub id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<String>,
    /// Why drafting failed (status `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where content that no machine wrote came from (e.g. the published page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The machine's own text and provenance, as last drafted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineTask>,
    /// New machine text offered beside approved or edited text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<MachineTask>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
}

/// One skill of a profession.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillEntry {
    /// The catalog skill id.
    pub id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineSkill>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<MachineSkill>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
}

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

/// sha256 of a task's content fields, as approvals record it.
pub fn task_content_hash(
    level: Option<Level>,
    rationale: Option<&str>,
    tools: Option<&[String]>,
    tip: Option<&str>,
) -> String {
    canonical::hash_value(&serde_json::json!({
        "level": level,
        "rationale": rationale,
        "tools": tools.unwrap_or(&[]),
        "tip": tip,
    }))
}

/// sha256 of a skill's content fields, as approvals record it.
pub fn skill_content_hash(verdict: Option<Verdict>, reason: Option<&str>) -> String {
    canonical::hash_value(&serde_json::json!({ "verdict": verdict, "reason": reason }))
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

    /// Reads a record file; `Ok(None)` when it does not exist. Errors carry the
    /// `line:column` and serde's message.
    pub fn read(path: &Path) -> Result<Option<Record>, RecordReadError> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(RecordReadError {
                    location: String::new(),
                    message: format!("cannot read: {e}"),
                });
            }
        };
        crate::catalog::parse_strict::<Record>(&text)
            .map(Some)
            .map_err(|(location, message)| RecordReadError { location, message })
    }

    /// The canonical text of the record.
    pub fn to_canonical(&self) -> String {
        canonical::pretty(self)
    }

    pub fn task_mut(&mut self, id: &str) -> Option<&mut TaskEntry> {
        self.tasks.iter_mut().find(|t| t.id == id)
    }

    pub fn task(&self, id: &str) -> Option<&TaskEntry> {
        self.tasks.iter().find(|t| t.id == id)
    }

    pub fn skill_mut(&mut self, id: &str) -> Option<&mut SkillEntry> {
        self.skills.iter_mut().find(|s| s.id == id)
    }

    pub fn skill(&self, id: &str) -> Option<&SkillEntry> {
        self.skills.iter().find(|s| s.id == id)
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

/// A record file that did not parse.
#[derive(Debug)]
pub struct RecordReadError {
    pub location: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(level: Level, rationale: &str, key: &str) -> MachineTask {
        MachineTask::new(
            Provenance {
                model: "m".into(),
                template: "task.j2@abc".into(),
                input: "i".into(),
                cache_key: key.into(),
            },
            TaskDraft {
                level,
                rationale: rationale.into(),
                tools: vec!["ChatGPT".into()],
                tip: "Learn.".into(),
            },
        )
    }

    #[test]
    fn untouched_drafts_are_replaced() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Replaced
        );
        assert_eq!(e.rationale.as_deref(), Some("new"));
        assert!(e.proposal.is_none());
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Unchanged
        );
    }

    #[test]
    fn edited_text_is_kept_and_the_machine_proposes() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        e.rationale = Some("an editor's words".into());
        assert!(e.is_edited());
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Proposed
        );
        assert_eq!(e.rationale.as_deref(), Some("an editor's words"));
        assert_eq!(e.proposal.as_ref().unwrap().rationale, "new");
        assert_eq!(e.machine.as_ref().unwrap().rationale, "old");
    }

    #[test]
    fn approved_text_is_never_replaced() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        e.status = Status::Approved;
        e.approval = Some(Approval {
            reviewer: "Ann".into(),
            date: "2026-01-01".into(),
            sha256: e.content_hash(),
        });
        let before = e.clone();
        assert_eq!(
            e.absorb(machine(Level::High, "new", "k2")),
            Absorbed::Proposed
        );
        assert_eq!(
            (e.level, &e.rationale, &e.approval, e.status),
            (
                before.level,
                &before.rationale,
                &before.approval,
                before.status
            )
        );
    }

    #[test]
    fn a_dropped_proposal_is_not_offered_again() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        e.rationale = Some("an editor's words".into());
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

    #[test]
    fn content_hash_follows_the_content() {
        let mut e = TaskEntry::new_draft("t", machine(Level::Low, "old", "k1"));
        let h = e.content_hash();
        e.tip = Some("Other.".into());
        assert_ne!(h, e.content_hash());
    }
}
