//! Putting the machine's answers into a record, by the rules of `record::*::absorb`:
//! untouched drafts and failures are replaced, approved or edited text gets a proposal.
//! Results are applied to a fresh read of the record just before it is written, so an
//! edit made while a long run was going is kept too.

use crate::cache::Entry;
use crate::catalog::Occupation;
use crate::record::{
    Absorbed, MachineSkill, MachineTask, Provenance, Record, SkillEntry, Status, TaskEntry,
};
use crate::reply;

use super::plan::Target;

/// The answer to one prompt: a validated cache entry, or why there is none.
#[derive(Debug)]
pub struct UnitResult {
    pub target: Target,
    /// The template fingerprint the prompt was rendered with.
    pub template: String,
    pub result: Result<Entry, String>,
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
}

/// Applies one result to a record.
pub fn apply(record: &mut Record, occ: &Occupation, res: &UnitResult, changes: &mut Changes) {
    match (&res.target, &res.result) {
        (Target::Task(t), Ok(entry)) => {
            let Some(draft) = entry.content().and_then(|c| reply::parse_task(c).ok()) else {
                return fail_task(
                    record,
                    &t.id,
                    "the cached reply no longer passes validation".into(),
                    changes,
                );
            };
            let machine = MachineTask::new(provenance(entry, &res.template, &t.input), draft);
            match record.task_mut(&t.id) {
                Some(e) => changes.count(e.absorb(machine)),
                None => {
                    record.tasks.push(TaskEntry::new_draft(&t.id, machine));
                    changes.new += 1;
                }
            }
        }
        (Target::Task(t), Err(why)) => fail_task(record, &t.id, why.clone(), changes),
        (Target::Skills { targets, names }, Ok(entry)) => {
            let names_ref: Vec<&str> = names.iter().map(String::as_str).collect();
            let Some(drafts) = entry
                .content()
                .and_then(|c| reply::parse_skills(c, &names_ref).ok())
            else {
                for t in targets {
                    fail_skill(
                        record,
                        &t.id,
                        "the cached reply no longer passes validation".into(),
                        changes,
                    );
                }
                return;
            };
            for t in targets {
                let Some(i) = occ.skills.iter().position(|s| s.id == t.id) else {
                    continue;
                };
                let machine = MachineSkill::new(
                    provenance(entry, &res.template, &t.input),
                    drafts[i].clone(),
                );
                match record.skill_mut(&t.id) {
                    Some(e) => changes.count(e.absorb(machine)),
                    None => {
                        record.skills.push(SkillEntry::new_draft(&t.id, machine));
                        changes.new += 1;
                    }
                }
            }
        }
        (Target::Skills { targets, .. }, Err(why)) => {
            for t in targets {
                fail_skill(record, &t.id, why.clone(), changes);
            }
        }
    }
}

fn provenance(entry: &Entry, template: &str, input: &str) -> Provenance {
    Provenance {
        model: entry.model.clone(),
        template: template.to_string(),
        input: input.to_string(),
        cache_key: entry.key.clone(),
    }
}

/// A failure is written down only where there is no text to keep: a missing entry
/// becomes `failed`; existing text (a person's or an earlier draft) stays as it is.
fn fail_task(record: &mut Record, id: &str, why: String, changes: &mut Changes) {
    changes.failed += 1;
    match record.task_mut(id) {
        None => record.tasks.push(TaskEntry::failed(id, why)),
        Some(e) if e.status == Status::Failed && !e.has_content() => e.error = Some(why),
        Some(_) => {}
    }
}

fn fail_skill(record: &mut Record, id: &str, why: String, changes: &mut Changes) {
    changes.failed += 1;
    match record.skill_mut(id) {
        None => record.skills.push(SkillEntry::failed(id, why)),
        Some(e) if e.status == Status::Failed && !e.has_content() => e.error = Some(why),
        Some(_) => {}
    }
}
