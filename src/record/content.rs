//! What a task or skill says: the fields an editor reads and may rewrite, and that an
//! approval hashes. One struct per kind, used three times over in an entry (the current
//! text, the machine's own text, the machine's proposal), so a new field is added once.
//!
//! Every field is optional here because a person's text may leave some out (tools and a
//! tip are optional on the published page) and a failed entry has none; that a machine's
//! text is complete is checked where it is made (`reply`) and by `validate`.

use std::fmt;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{Entry, Record};
use crate::canonical;

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

/// The two kinds of drafted item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Task,
    Skill,
}

impl Kind {
    /// "task" or "skill", as messages and flags name it.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Skill => "skill",
        }
    }

    /// The record field holding entries of this kind, "tasks" or "skills".
    pub fn field(self) -> &'static str {
        match self {
            Kind::Task => "tasks",
            Kind::Skill => "skills",
        }
    }

    /// What an entry of this kind must have to be shown.
    pub fn needs(self) -> &'static str {
        match self {
            Kind::Task => "a `level` and a `rationale`",
            Kind::Skill => "a `verdict` and a `reason`",
        }
    }
}

/// The text of one kind of item.
pub trait Content:
    Clone + PartialEq + Default + fmt::Debug + Serialize + DeserializeOwned + JsonSchema
{
    const KIND: Kind;

    /// Whether there is text to show (a task's level and rationale; a skill's verdict
    /// and reason). Tools and a tip are optional in a person's text.
    fn is_complete(&self) -> bool;

    /// The sha256 an approval of this content records. Fields left out hash as they
    /// always have, so approvals made before a field existed stay valid.
    fn hash(&self) -> String;

    /// The headline value, for one-line messages: `HIGH`, `vulnerable`.
    fn headline(&self) -> Option<&'static str>;

    /// Where a record keeps the entries of this kind.
    fn entries_mut(record: &mut Record) -> &mut Vec<Entry<Self>>;

    /// What is left of the text when the machine's draft is rejected: nothing, but for
    /// what names the item (a proposed skill's name).
    fn without_text(&self) -> Self {
        Self::default()
    }
}

/// What a task says.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "Task")]
pub struct TaskContent {
    /// A headline of at most 60 characters in the imperative ("Write production code").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<String>,
}

impl Content for TaskContent {
    const KIND: Kind = Kind::Task;

    fn is_complete(&self) -> bool {
        self.level.is_some() && self.rationale.is_some()
    }

    fn hash(&self) -> String {
        let mut fields = serde_json::json!({
            "level": self.level,
            "rationale": self.rationale,
            "tools": self.tools.as_deref().unwrap_or(&[]),
            "tip": self.tip,
        });
        // Approvals made before titles existed hash without one.
        if let Some(title) = &self.title {
            fields["title"] = serde_json::json!(title);
        }
        canonical::hash_value(&fields)
    }

    fn headline(&self) -> Option<&'static str> {
        self.level.map(Level::as_str)
    }

    fn entries_mut(record: &mut Record) -> &mut Vec<Entry<Self>> {
        &mut record.tasks
    }
}

/// What a skill assessment says.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "Skill")]
pub struct SkillContent {
    /// The skill's name, for a skill the model proposed (when the catalog lists none);
    /// a catalog skill's name is the catalog's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Content for SkillContent {
    const KIND: Kind = Kind::Skill;

    fn is_complete(&self) -> bool {
        self.verdict.is_some() && self.reason.is_some()
    }

    fn hash(&self) -> String {
        canonical::hash_value(
            &serde_json::json!({ "verdict": self.verdict, "reason": self.reason }),
        )
    }

    fn headline(&self) -> Option<&'static str> {
        self.verdict.map(Verdict::as_str)
    }

    fn entries_mut(record: &mut Record) -> &mut Vec<Entry<Self>> {
        &mut record.skills
    }

    fn without_text(&self) -> Self {
        SkillContent {
            name: self.name.clone(),
            ..SkillContent::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Approvals in committed records were made with these exact hashes: a change to the
    /// hashing would make every one of them "edited after approval".
    #[test]
    fn hashes_are_those_of_the_committed_approvals() {
        let task = TaskContent {
            title: None,
            level: Some(Level::High),
            rationale: Some("LLMs can draft and transform code quickly. Human review is still needed for architecture, edge cases, and system fit.".into()),
            tools: None,
            tip: None,
        };
        assert_eq!(
            task.hash(),
            "5d5bb71c672615584ac2f406b4e4e673a98182648deb8517ca06b380e1951561"
        );
        let skill = SkillContent {
            name: None,
            verdict: Some(Verdict::Vulnerable),
            reason: Some("Raw implementation is under more pressure from code generation.".into()),
        };
        assert_eq!(
            skill.hash(),
            "b060c510c72ee760d7fcd9f2b9680ffec061884e4597d67ba9df4bf1dd6e3bb2"
        );
    }

    /// A text is complete with its level (verdict) and its rationale (reason), and not
    /// with either alone: an incomplete text is never approved or published.
    #[test]
    fn a_text_is_complete_with_both_parts_only() {
        let task = |level: Option<Level>, rationale: Option<&str>| TaskContent {
            level,
            rationale: rationale.map(String::from),
            ..TaskContent::default()
        };
        assert!(task(Some(Level::Low), Some("r")).is_complete());
        assert!(!task(Some(Level::Low), None).is_complete());
        assert!(!task(None, Some("r")).is_complete());
        assert!(!TaskContent::default().is_complete());
        let skill = |verdict: Option<Verdict>, reason: Option<&str>| SkillContent {
            verdict,
            reason: reason.map(String::from),
            ..SkillContent::default()
        };
        assert!(skill(Some(Verdict::Resilient), Some("r")).is_complete());
        assert!(!skill(Some(Verdict::Resilient), None).is_complete());
        assert!(!skill(None, Some("r")).is_complete());
        assert!(!SkillContent::default().is_complete());
    }

    /// Text that says what the machine said is not an edit, even where the two are
    /// written differently (`tools` absent or empty).
    #[test]
    fn the_same_text_written_differently_is_not_an_edit() {
        let machine: Entry<TaskContent> = serde_json::from_value(serde_json::json!({
            "id": "t", "status": "draft", "level": "LOW", "rationale": "r", "tools": [],
            "machine": {"model": "m", "template": "task.j2@0123456789ab", "input": "a".repeat(64),
                        "cache_key": "1".repeat(64), "level": "LOW", "rationale": "r"}
        }))
        .unwrap();
        assert_ne!(machine.content, machine.machine.as_ref().unwrap().content);
        assert!(!machine.is_edited());
        let mut edited = machine.clone();
        edited.content.rationale = Some("r2".into());
        assert!(edited.is_edited());
    }

    #[test]
    fn missing_tools_hash_like_an_empty_list() {
        let a = TaskContent {
            title: None,
            level: Some(Level::Low),
            rationale: Some("r".into()),
            tools: None,
            tip: Some("t".into()),
        };
        let b = TaskContent {
            tools: Some(vec![]),
            ..a.clone()
        };
        assert_eq!(a.hash(), b.hash());
    }
}
