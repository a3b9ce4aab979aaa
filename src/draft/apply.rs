//! Where a run's answers go: the sink. The scheduler hands it every answer of a
//! profession at once; [`RecordSink`] applies them to a fresh read of the record by the
//! rules of `record::Entry::absorb` (untouched drafts and failures are replaced, approved
//! or edited text gets a proposal) and writes it, so an edit made while a long run was
//! going is kept too.

use crate::cache;
use crate::canonical;
use crate::catalog::Occupation;
use crate::lifecycle::PROPOSED_SKILLS;
use crate::record::{
    Absorbed, Content, Entry, Kind, Machine, Provenance, Record, SkillContent, SkillEntry, Status,
    TaskContent,
};
use crate::reply::{self, Reply};
use crate::slug;
use crate::store::{Store, StoreError};

use super::plan::Target;

/// The answer to one prompt: a validated cache entry and its reply, or why there is none.
#[derive(Debug)]
pub struct UnitResult {
    pub targets: Vec<Target>,
    /// The template fingerprint the prompt was rendered with.
    pub template: String,
    pub result: Result<(cache::CacheEntry, Reply), String>,
}

/// Item counts of a run.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub new: usize,
    pub replaced: usize,
    pub proposed: usize,
    pub unchanged: usize,
    pub failed: usize,
}

impl Changes {
    fn count(&mut self, a: Absorbed) {
        match a {
            Absorbed::New => self.new += 1,
            Absorbed::Replaced => self.replaced += 1,
            Absorbed::Proposed => self.proposed += 1,
            Absorbed::Unchanged => self.unchanged += 1,
        }
    }

    pub fn add(&mut self, o: &Changes) {
        self.new += o.new;
        self.replaced += o.replaced;
        self.proposed += o.proposed;
        self.unchanged += o.unchanged;
        self.failed += o.failed;
    }

    /// Items that got the machine's text (drafted, redrafted, proposed or confirmed).
    pub fn done(&self) -> usize {
        self.new + self.replaced + self.proposed + self.unchanged
    }
}

/// Takes the answers of one profession when the last of them is in.
pub trait Sink {
    /// Applies the results; returns what changed and whether a file was written.
    fn apply(
        &mut self,
        occ: &Occupation,
        results: &[UnitResult],
    ) -> Result<(Changes, bool), StoreError>;
}

/// The sink of a real run: the profession's record file.
pub struct RecordSink<'a> {
    pub store: &'a Store,
}

impl Sink for RecordSink<'_> {
    fn apply(
        &mut self,
        occ: &Occupation,
        results: &[UnitResult],
    ) -> Result<(Changes, bool), StoreError> {
        let mut record = self
            .store
            .record(&occ.slug)?
            .unwrap_or_else(|| Record::new(&occ.slug));
        let mut changes = Changes::default();
        for r in results {
            apply(&mut record, occ, r, &mut changes);
        }
        let task_order: Vec<&str> = occ.tasks.iter().map(|t| t.id.as_str()).collect();
        let skill_order: Vec<&str> = occ.skills.iter().map(|s| s.id.as_str()).collect();
        record.sort_like(&task_order, &skill_order);
        let written = self.store.write_record(&occ.slug, &record)?;
        Ok((changes, written))
    }
}

/// Applies one result to a record.
pub fn apply(record: &mut Record, occ: &Occupation, res: &UnitResult, changes: &mut Changes) {
    let (entry, reply) = match &res.result {
        Ok(answer) => answer,
        Err(why) => {
            for t in &res.targets {
                match t.kind {
                    Kind::Task => fail::<TaskContent>(record, &t.id, why, changes),
                    // No entry stands for skills not yet proposed: the run reports the
                    // failure and the next run asks again.
                    Kind::Skill if t.id == PROPOSED_SKILLS => changes.failed += 1,
                    Kind::Skill => fail::<SkillContent>(record, &t.id, why, changes),
                }
            }
            return;
        }
    };
    let confidence = match reply {
        Reply::Task { confidence, .. } => confidence.clone(),
        Reply::Skills(_) => None,
    };
    let source = entry.origin().unwrap_or_default();
    let provenance = |t: &Target| Provenance {
        model: entry.model.clone(),
        template: res.template.clone(),
        input: t.input.clone(),
        cache_key: entry.key.clone(),
        confidence: confidence.clone(),
        host: source.host.clone(),
        served_model: source.model.clone(),
        system_fingerprint: source.system_fingerprint.clone(),
    };
    match reply {
        Reply::Task { content, .. } => {
            for t in &res.targets {
                let machine = Machine {
                    provenance: provenance(t),
                    content: content.clone(),
                };
                offer(record, &t.id, machine, changes);
            }
        }
        Reply::Skills(proposed) if occ.skills.is_empty() => {
            let Some(first) = res.targets.first() else {
                return;
            };
            propose(record, proposed, &provenance(first), changes);
        }
        Reply::Skills(assessed) => {
            for t in &res.targets {
                // The reply follows the catalog's order of skills.
                let Some(content) = occ
                    .skills
                    .iter()
                    .position(|s| s.id == t.id)
                    .and_then(|i| assessed.get(i))
                else {
                    continue;
                };
                let machine = Machine {
                    provenance: provenance(t),
                    content: content.clone(),
                };
                offer(record, &t.id, machine, changes);
            }
        }
    }
}

/// Applies the skills the model proposed for a profession whose catalog lists none. Each
/// is offered to the entry of its name (a new draft when there is none; a skill an
/// editor rejected comes back only from a new prompt). Of the skills the new proposal no
/// longer names, untouched drafts go (they were the machine's words alone); a person's
/// skills stay, and rejected ones, marked as seen by this proposal, so they are current.
fn propose(
    record: &mut Record,
    proposed: &[SkillContent],
    provenance: &Provenance,
    changes: &mut Changes,
) {
    let mut named: Vec<String> = Vec::new();
    for content in proposed {
        let name = content.name.as_deref().unwrap_or("skill");
        let id = proposed_id(record, name, &named);
        let machine = Machine {
            provenance: provenance.clone(),
            content: content.clone(),
        };
        offer(record, &id, machine, changes);
        named.push(id);
    }
    // An editor's word stays: what they approved, edited or rejected (a rejected skill
    // kept, so that the same proposal does not bring it back).
    record.skills.retain(|e| {
        named.contains(&e.id)
            || matches!(e.status, Status::Approved | Status::Rejected)
            || e.is_edited()
    });
    for e in record.skills.iter_mut().filter(|e| !named.contains(&e.id)) {
        if let Some(m) = &mut e.machine {
            m.provenance = provenance.clone();
        }
    }
}

/// The id of a proposed skill: that of the record's entry of the same name when there is
/// one (so a redraft that lists the skills in another order offers each to its own
/// entry), else one made from the name that no other skill has. Names that slug alike
/// (`C++` and `C#`, any two in Cyrillic or CJK) get distinct ids: `+` and `#` are spelled
/// out, a name with nothing in ASCII is known by a short hash of it, and a clash left
/// takes a number.
fn proposed_id(record: &Record, name: &str, named: &[String]) -> String {
    let key = reply::same_name_key(name);
    let entry_name = |e: &SkillEntry| {
        e.content
            .name
            .clone()
            .or_else(|| e.machine.as_ref().and_then(|m| m.content.name.clone()))
    };
    if let Some(e) = record.skills.iter().find(|e| {
        !named.contains(&e.id) && entry_name(e).is_some_and(|n| reply::same_name_key(&n) == key)
    }) {
        return e.id.clone();
    }
    let spelled = name.replace('+', " plus ").replace('#', " sharp ");
    let base = if spelled.chars().any(|c| c.is_ascii_alphanumeric()) {
        slug::slugify(&spelled)
    } else {
        format!(
            "skill-{}",
            &canonical::hash_value(&serde_json::json!(key))[..8]
        )
    };
    // Not an id this run named, nor one the record gives another name.
    let free = |id: &str| {
        !named.iter().any(|n| n == id)
            && !record.skills.iter().any(|e| {
                e.id == id && entry_name(e).is_some_and(|n| reply::same_name_key(&n) != key)
            })
    };
    let mut id = base.clone();
    let mut n = 2;
    while !free(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Offers the machine's text to the entry with this id (a new draft when there is none).
fn offer<C: Content>(record: &mut Record, id: &str, machine: Machine<C>, changes: &mut Changes) {
    let entries = record.of::<C>();
    match entries.iter_mut().find(|e| e.id == id) {
        Some(e) => changes.count(e.absorb(machine)),
        None => {
            entries.push(Entry::new_draft(id, machine));
            changes.new += 1;
        }
    }
}

/// A failure is written down only where there is no text to keep: a missing entry
/// becomes `failed`; existing text (a person's or an earlier draft) stays as it is.
fn fail<C: Content>(record: &mut Record, id: &str, why: &str, changes: &mut Changes) {
    changes.failed += 1;
    // The reason often quotes the server: kept as one line of visible text, as validate
    // requires of every text in a record.
    let why = crate::text::visible_line(why);
    let why = why.as_ref();
    let entries = record.of::<C>();
    match entries.iter_mut().find(|e| e.id == id) {
        None => entries.push(Entry::failed(id, why.to_string())),
        Some(e) => e.fail(why.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Verdict;

    fn provenance(key: &str) -> Provenance {
        Provenance {
            model: "m".into(),
            template: "skills_proposal.j2@000000000000".into(),
            input: "i".into(),
            cache_key: key.into(),
            host: None,
            served_model: None,
            system_fingerprint: None,
            confidence: None,
        }
    }

    fn skill(name: &str) -> SkillContent {
        SkillContent {
            name: Some(name.into()),
            verdict: Some(Verdict::Vulnerable),
            reason: Some(format!("{name} is routine.")),
        }
    }

    fn ids(record: &Record) -> Vec<&str> {
        record.skills.iter().map(|e| e.id.as_str()).collect()
    }

    /// A proposal that no longer names a skill drops it only if it is the machine's
    /// untouched draft: a skill an editor edited or approved stays, as they left it.
    #[test]
    fn a_new_proposal_drops_only_the_untouched_skills_it_no_longer_names() {
        let mut record = Record::new("clerks");
        let mut changes = Changes::default();
        let first = [
            skill("Filing"),
            skill("Typing"),
            skill("Sorting"),
            skill("Tact"),
        ];
        propose(&mut record, &first, &provenance("k1"), &mut changes);
        assert_eq!(ids(&record), ["filing", "typing", "sorting", "tact"]);
        // Typing edited, Sorting approved, Filing and Tact untouched.
        record.skills[1].content.reason = Some("An editor's own words.".into());
        record.skills[2].status = Status::Approved;

        let second = [skill("Tact"), skill("Planning")];
        propose(&mut record, &second, &provenance("k2"), &mut changes);
        assert_eq!(ids(&record), ["typing", "sorting", "tact", "planning"]);
        let typing = &record.skills[0];
        assert_eq!(
            typing.content.reason.as_deref(),
            Some("An editor's own words.")
        );
        // Kept skills are marked as seen by the new proposal, so they are current.
        for e in &record.skills {
            let key = &e.machine.as_ref().unwrap().provenance.cache_key;
            assert_eq!(key, "k2", "{}", e.id);
        }
    }
}
