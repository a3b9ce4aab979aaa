//! One entry of a record, for a task or a skill alike, and the lifecycle rules that keep a
//! person's words safe from the machine, written once: what is edited, how new machine
//! text is absorbed (replacing untouched drafts, proposing beside a person's text),
//! accepting and rejecting proposals, and whether an approval still holds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::content::{Content, Kind};

/// The stored lifecycle state: `draft` (written by the machine, perhaps edited since;
/// not yet approved), `failed` (the machine could not produce a valid draft; `error`
/// says why), `approved` (a person approved the content; `approval` says who and when)
/// or `rejected` (a person said no to the machine's text, which `machine` keeps; it is
/// not drafted again until its prompt changes). `edited` and `stale` are derived, not
/// stored (see `lifecycle::State`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Failed,
    Approved,
    Rejected,
}

/// Where a machine text came from: enough to tell whether it is stale and to find its
/// cache entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Provenance {
    /// The model that wrote it.
    pub model: String,
    /// The prompt template and its fingerprint, `task.j2@<12 hex>`.
    pub template: String,
    /// sha256 of the prompt's inputs (task text, profession name, skill name).
    pub input: String,
    /// The cache entry holding the answer.
    pub cache_key: String,
    /// How sure the model was of the level (tasks; when the endpoint could tell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Where the answer came from: the endpoint's `host[:port]` (never its credentials,
    /// path or query). Absent for answers cached before willai recorded it, or imported
    /// from a provider's batch results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The model the server said answered (the response's `model`), when it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_model: Option<String>,
    /// The response's `system_fingerprint`, when the server gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
}

impl Provenance {
    /// Where the text came from, in words: `gpt-4o-mini at api.openai.com (served as
    /// gpt-4o-mini-2024-07-18, fp_0ba0d124f1)`, `smollm2 at 127.0.0.1:8080`.
    /// A record is a file anyone may have edited: a control character in any of it shows
    /// as its escape.
    pub fn origin(&self) -> String {
        format!(
            "{}{}",
            crate::text::visible_line(&self.model),
            self.whereabouts()
        )
    }

    /// [`Self::origin`] without the model: ` at api.openai.com (served as ...)`.
    pub fn whereabouts(&self) -> String {
        let shown = |s: &str| crate::text::visible_line(s).into_owned();
        let mut out = String::new();
        match &self.host {
            Some(h) => {
                out.push_str(" at ");
                out.push_str(&shown(h));
            }
            None => out.push_str(" (host not recorded)"),
        }
        let mut served = Vec::new();
        if let Some(m) = self.served_model.as_deref().filter(|m| *m != self.model) {
            served.push(format!("served as {}", shown(m)));
        }
        if let Some(fp) = &self.system_fingerprint {
            served.push(shown(fp));
        }
        if !served.is_empty() {
            out.push_str(&format!(" ({})", served.join(", ")));
        }
        out
    }
}

/// How sure the model was of a drafted level: machine provenance, shown to editors to
/// decide where to start reviewing; it never blocks anything by itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confidence {
    /// `logprobs`: the probability of the level's token, normalised over HIGH, MEDIUM and
    /// LOW; `samples`: the share of sampled answers that gave the majority level.
    pub method: ConfidenceMethod,
    /// Between 0 and 1, two decimals.
    pub value: f64,
    /// How many answers were sampled (`samples` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceMethod {
    Logprobs,
    Samples,
}

impl Confidence {
    /// A confidence rounded to two decimals, so records carry no float noise.
    pub fn new(method: ConfidenceMethod, value: f64, samples: Option<u32>) -> Confidence {
        let value = if value.is_finite() {
            (value.clamp(0.0, 1.0) * 100.0).round() / 100.0
        } else {
            0.0
        };
        Confidence {
            method,
            value,
            samples,
        }
    }
}

/// The machine's text with its provenance (the `machine` and `proposal` fields).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Machine{C}")]
pub struct Machine<C> {
    #[serde(flatten)]
    pub provenance: Provenance,
    #[serde(flatten)]
    pub content: C,
}

/// Who approved what, when, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    pub reviewer: String,
    /// The day of approval, `YYYY-MM-DD`.
    pub date: String,
    /// sha256 of the approved content (canonical JSON of the content fields).
    pub sha256: String,
    /// How it was approved: on its own, or in bulk with the rest of its profession;
    /// omitted in approvals made before willai recorded it (then the site says nothing
    /// about how).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<Approved>,
}

/// How an item was approved, for the site's byline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Approved {
    /// On its own: shown in `willai review` (or `review --audit`), or named with
    /// `willai approve --task`/`--skill`.
    OneByOne,
    /// With every item of its profession: `willai approve --all`.
    InBulk,
}

/// One task or skill of a profession.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "{C}Entry")]
pub struct Entry<C> {
    /// The catalog id of the task or skill.
    pub id: String,
    pub status: Status,
    /// The current text: what is published once approved.
    #[serde(flatten)]
    pub content: C,
    /// Why drafting failed (status `failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where content that no machine wrote came from (e.g. the published page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The machine's own text and provenance, as last drafted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<Machine<C>>,
    /// New machine text offered beside approved or edited text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Machine<C>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
}

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

impl<C: Content> Entry<C> {
    /// A fresh draft of the machine's text.
    pub fn new_draft(id: &str, machine: Machine<C>) -> Entry<C> {
        Entry {
            id: id.to_string(),
            status: Status::Draft,
            content: machine.content.clone(),
            error: None,
            source: None,
            machine: Some(machine),
            proposal: None,
            approval: None,
        }
    }

    /// An entry whose drafting failed, and why.
    pub fn failed(id: &str, error: String) -> Entry<C> {
        Entry {
            id: id.to_string(),
            status: Status::Failed,
            content: C::default(),
            error: Some(error),
            source: None,
            machine: None,
            proposal: None,
            approval: None,
        }
    }

    pub fn has_content(&self) -> bool {
        self.content.is_complete()
    }

    /// The sha256 an approval of the current content records.
    pub fn content_hash(&self) -> String {
        self.content.hash()
    }

    /// Whether the current text says what this machine text says.
    fn matches(&self, m: &Machine<C>) -> bool {
        self.content == m.content || self.content.hash() == m.content.hash()
    }

    /// Whether a person changed the text the machine wrote (or wrote it without one, or
    /// after rejecting the machine's).
    pub fn is_edited(&self) -> bool {
        if self.status == Status::Rejected {
            return self.has_content();
        }
        match &self.machine {
            Some(m) => !self.matches(m),
            None => self.has_content(),
        }
    }

    /// Whether the entry holds a rejection and nothing a person wrote since.
    pub fn is_rejected(&self) -> bool {
        self.status == Status::Rejected && !self.has_content()
    }

    /// Approved, and the approved text is still what was approved.
    pub fn is_approved_intact(&self) -> bool {
        self.status == Status::Approved
            && self
                .approval
                .as_ref()
                .is_some_and(|a| a.sha256 == self.content_hash())
    }

    /// Offers new machine text. Untouched drafts and failures are replaced; approved or
    /// edited content is never changed: the text goes beside it as a proposal.
    pub fn absorb(&mut self, machine: Machine<C>) -> Absorbed {
        // A rejection holds for the prompt it was made on: the same prompt's answer (the
        // same text, or another sample of it) is not offered again; a new prompt's is.
        if self.is_rejected() {
            let same_prompt = self.machine.as_ref().is_some_and(|m| {
                let (a, b) = (&m.provenance, &machine.provenance);
                (&a.template, &a.input, &a.model) == (&b.template, &b.input, &b.model)
            });
            if same_prompt {
                return Absorbed::Unchanged;
            }
            *self = Entry::new_draft(&self.id, machine);
            return Absorbed::New;
        }
        let untouched = self.status != Status::Approved && !self.is_edited();
        // A failure an editor filled in is a person's text like any other: kept.
        let was_failed = self.status == Status::Failed && !self.has_content();
        if was_failed || untouched {
            if self.machine.as_ref() == Some(&machine) && self.status == Status::Draft {
                return Absorbed::Unchanged;
            }
            *self = Entry::new_draft(&self.id, machine);
            return if was_failed {
                Absorbed::New
            } else {
                Absorbed::Replaced
            };
        }
        // A person's text: keep it.
        if self.matches(&machine) {
            // The machine now says what the person kept: just refresh the provenance.
            let changed = self.machine.as_ref() != Some(&machine) || self.proposal.is_some();
            self.machine = Some(machine);
            self.proposal = None;
            return if changed {
                Absorbed::Replaced
            } else {
                Absorbed::Unchanged
            };
        }
        // Already proposed, or proposed before and dropped by the editor (`reject` makes
        // a dropped proposal the machine's latest word): nothing new to offer.
        if self.proposal.as_ref() == Some(&machine) || self.machine.as_ref() == Some(&machine) {
            return Absorbed::Unchanged;
        }
        self.proposal = Some(machine);
        Absorbed::Proposed
    }

    /// Records a failure where there is no text to keep: a failed entry gets the new
    /// reason; existing text (a person's or an earlier draft) stays as it is.
    pub fn fail(&mut self, why: String) {
        if self.status == Status::Failed && !self.has_content() {
            self.error = Some(why);
        }
    }
}

/// What every entry offers, whatever its kind: the view of code that handles tasks and
/// skills alike (status, approve, reject, gc, review).
pub trait AnyEntry {
    fn kind(&self) -> Kind;
    fn id(&self) -> &str;
    fn status(&self) -> Status;
    fn has_content(&self) -> bool;
    fn is_edited(&self) -> bool;
    fn is_approved_intact(&self) -> bool;
    fn error(&self) -> Option<&str>;
    fn approval(&self) -> Option<&Approval>;
    /// The machine's provenance, and the proposal's, in that order.
    fn provenances(&self) -> Vec<&Provenance>;
    /// The newest machine text's provenance: a proposal made under the current settings
    /// means the item has been redrafted already.
    fn newest_provenance(&self) -> Option<&Provenance>;
    fn has_proposal(&self) -> bool;
    /// `HIGH`, `vulnerable`, ... of the current text.
    fn headline(&self) -> Option<&'static str>;
    /// How sure the machine was of its newest text.
    fn confidence(&self) -> Option<&Confidence> {
        self.newest_provenance().and_then(|p| p.confidence.as_ref())
    }
    /// How sure the machine was of the current text's level: its confidence when that
    /// level is the machine's own, none when an editor set it.
    fn current_confidence(&self) -> Option<&Confidence>;
    /// Marks the current content approved.
    fn approve(&mut self, reviewer: String, date: String, how: Approved);
    /// Takes the proposal as the current text.
    fn accept_proposal(&mut self) -> bool;
    /// Drops the proposal: the person's text stays, and the proposal becomes the
    /// machine's latest word, so the item is no longer stale and is not proposed again.
    fn reject_proposal(&mut self) -> bool;
    /// Rejects the machine's draft: its text goes (a proposed skill keeps its name), the
    /// machine's text stays as what was rejected, and the status is `rejected`, so the
    /// same prompt's answer is not drafted again. Only an untouched draft can be
    /// rejected: `Err` says why this one cannot.
    fn reject_draft(&mut self) -> Result<(), &'static str>;
    /// Whether it holds a rejection (and no text a person wrote since).
    fn is_rejected(&self) -> bool;
}

impl<C: Content> AnyEntry for Entry<C> {
    fn kind(&self) -> Kind {
        C::KIND
    }

    fn id(&self) -> &str {
        &self.id
    }

    fn status(&self) -> Status {
        self.status
    }

    fn has_content(&self) -> bool {
        Entry::has_content(self)
    }

    fn is_edited(&self) -> bool {
        Entry::is_edited(self)
    }

    fn is_approved_intact(&self) -> bool {
        Entry::is_approved_intact(self)
    }

    fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn approval(&self) -> Option<&Approval> {
        self.approval.as_ref()
    }

    fn provenances(&self) -> Vec<&Provenance> {
        self.machine
            .iter()
            .chain(&self.proposal)
            .map(|m| &m.provenance)
            .collect()
    }

    fn newest_provenance(&self) -> Option<&Provenance> {
        self.proposal
            .as_ref()
            .or(self.machine.as_ref())
            .map(|m| &m.provenance)
    }

    fn has_proposal(&self) -> bool {
        self.proposal.is_some()
    }

    fn current_confidence(&self) -> Option<&Confidence> {
        self.machine
            .as_ref()
            .filter(|m| m.content.headline() == self.content.headline())
            .and_then(|m| m.provenance.confidence.as_ref())
    }

    fn headline(&self) -> Option<&'static str> {
        self.content.headline()
    }

    fn approve(&mut self, reviewer: String, date: String, how: Approved) {
        self.status = Status::Approved;
        self.error = None;
        self.approval = Some(Approval {
            reviewer,
            date,
            sha256: self.content_hash(),
            how: Some(how),
        });
    }

    fn accept_proposal(&mut self) -> bool {
        let Some(p) = self.proposal.take() else {
            return false;
        };
        self.content = p.content.clone();
        self.machine = Some(p);
        true
    }

    fn reject_proposal(&mut self) -> bool {
        match self.proposal.take() {
            Some(p) => {
                self.machine = Some(p);
                true
            }
            None => false,
        }
    }

    fn reject_draft(&mut self) -> Result<(), &'static str> {
        match self.status {
            Status::Rejected if !self.has_content() => return Err("is rejected already"),
            Status::Approved => {
                return Err("is approved: edit it, or approve another text, instead");
            }
            _ if self.proposal.is_some() => {
                return Err("has a proposal: dropping the proposal is what r does here");
            }
            _ if self.machine.is_none() || !self.has_content() => {
                return Err("has no draft of the machine's to reject");
            }
            _ if self.is_edited() => {
                return Err("holds an editor's text, not the machine's: edit it, or approve it");
            }
            _ => {}
        }
        self.status = Status::Rejected;
        self.content = self.content.without_text();
        self.error = None;
        self.approval = None;
        Ok(())
    }

    fn is_rejected(&self) -> bool {
        Entry::is_rejected(self)
    }
}
