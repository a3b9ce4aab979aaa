//! Putting the machine's answers into a record, by the rules of `record::*::absorb`:
//! untouched drafts and failures are replaced, approved or edited text gets a proposal.
//! Results are applied to a fresh read of the record just before it is written, so an
//! edit made while a long run was going is kept too.

use crate::cache;
use crate::catalog::Occupation;
use crate::record::{Absorbed, Entry, MachineSkill, MachineTask, Provenance, Record, Status};
use crate::reply;

use super::plan::Target;

/// The answer to one prompt: a validated cache entry, or why there is none.
#[derive(Debug)]
pub struct UnitResult {
    pub target: Target,
    /// The template fingerprint the prompt was rendered with.
    pub template: String,
    pub result: Result<cache::Entry, String>,
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
    const STALE_CACHE: &str = "the cached reply no longer passes validation";
    match (&res.target, &res.result) {
        (Target::Task(t), Ok(entry)) => {
            match entry.content().and_then(|c| reply::parse_task(c).ok()) {
                Some(draft) => {
                    let machine =
                        MachineTask::new(provenance(entry, &res.template, &t.input), draft);
                    offer(&mut record.tasks, &t.id, machine, changes);
                }
                None => fail(&mut record.tasks, &t.id, STALE_CACHE.into(), changes),
            }
        }
        (Target::Task(t), Err(why)) => fail(&mut record.tasks, &t.id, why.clone(), changes),
        (Target::Skills { targets, names }, Ok(entry)) => {
            let names_ref: Vec<&str> = names.iter().map(String::as_str).collect();
            let Some(drafts) = entry
                .content()
                .and_then(|c| reply::parse_skills(c, &names_ref).ok())
            else {
                for t in targets {
                    fail(&mut record.skills, &t.id, STALE_CACHE.into(), changes);
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
                offer(&mut record.skills, &t.id, machine, changes);
            }
        }
        (Target::Skills { targets, .. }, Err(why)) => {
            for t in targets {
                fail(&mut record.skills, &t.id, why.clone(), changes);
            }
        }
    }
}

/// Offers the machine's text to the entry with this id (a new draft when there is none).
fn offer<E: Entry>(entries: &mut Vec<E>, id: &str, machine: E::Machine, changes: &mut Changes) {
    match entries.iter_mut().find(|e| e.id() == id) {
        Some(e) => changes.count(e.absorb(machine)),
        None => {
            entries.push(E::new_draft(id, machine));
            changes.new += 1;
        }
    }
}

fn provenance(entry: &cache::Entry, template: &str, input: &str) -> Provenance {
    Provenance {
        model: entry.model.clone(),
        template: template.to_string(),
        input: input.to_string(),
        cache_key: entry.key.clone(),
    }
}

/// A failure is written down only where there is no text to keep: a missing entry
/// becomes `failed`; existing text (a person's or an earlier draft) stays as it is.
fn fail<E: Entry>(entries: &mut Vec<E>, id: &str, why: String, changes: &mut Changes) {
    changes.failed += 1;
    match entries.iter_mut().find(|e| e.id() == id) {
        None => entries.push(E::failed(id, why)),
        Some(e) if e.status() == Status::Failed && !e.has_content() => *e.parts().error = Some(why),
        Some(_) => {}
    }
}
