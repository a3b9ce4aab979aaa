//! What a draft run works on: for each selected profession, the tasks and skills that
//! are missing, failed or stale (or all of them with `--redraft`), and the prompts to
//! ask for them. Planning reads records but renders nothing; prompts are rendered one
//! profession at a time as the run streams through them.

use crate::catalog::Occupation;
use crate::lifecycle::{self, Current, Item, State};
use crate::prompt::{Prompt, PromptError, Prompts};
use crate::record::{Kind, Record};
use crate::store::{Store, StoreError};

/// One task or skill to draft.
#[derive(Clone, Debug)]
pub struct Target {
    pub kind: Kind,
    pub id: String,
    /// sha256 of the prompt's inputs, recorded as provenance.
    pub input: String,
    /// Why the item is drafted ("missing", "stale: ...").
    pub why: String,
}

/// The work for one profession: its tasks, then its skills.
#[derive(Clone, Debug)]
pub struct ProfessionPlan {
    pub slug: String,
    pub targets: Vec<Target>,
}

impl ProfessionPlan {
    /// Prompts this plan needs: one per task, one for all skills.
    pub fn units(&self) -> usize {
        let tasks = self.targets.iter().filter(|t| t.kind == Kind::Task).count();
        tasks + usize::from(self.targets.len() > tasks)
    }
}

fn why(item: &Item, redraft: bool) -> String {
    match item.state {
        State::Missing => "missing".to_string(),
        State::Failed => "failed before".to_string(),
        _ if item.is_stale() => format!("stale: {}", item.stale.join("; ")),
        _ if redraft => "--redraft".to_string(),
        _ => "current".to_string(),
    }
}

/// Plans one profession against its record.
pub fn plan(
    occ: &Occupation,
    record: Option<&Record>,
    cur: &Current,
    redraft: bool,
) -> ProfessionPlan {
    let targets = lifecycle::items(occ, record, cur)
        .into_iter()
        .filter(|item| lifecycle::wants_draft(item, redraft))
        .map(|item| Target {
            why: why(&item, redraft),
            kind: item.kind,
            id: item.id,
            input: item.input,
        })
        .collect();
    ProfessionPlan {
        slug: occ.slug.clone(),
        targets,
    }
}

/// Plans every selected profession that has work; a record that cannot be read is
/// reported with its profession, which is left out.
pub fn plan_all(
    store: &Store,
    selected: &[&Occupation],
    cur: &Current,
    redraft: bool,
) -> (Vec<ProfessionPlan>, Vec<(String, StoreError)>) {
    let mut plans = Vec::new();
    let mut unreadable = Vec::new();
    for (occ, read) in store.records(selected.iter().copied()) {
        match read {
            Ok(record) => {
                let p = plan(occ, record.as_ref(), cur, redraft);
                if p.units() > 0 {
                    plans.push(p);
                }
            }
            Err(e) => unreadable.push((occ.slug.clone(), e)),
        }
    }
    (plans, unreadable)
}

/// What a prompt drafts, for messages: `ml-engineer/write-production-code` or
/// `ml-engineer/skills`.
pub fn label(slug: &str, targets: &[Target]) -> String {
    match targets.first() {
        Some(t) if t.kind == Kind::Task => format!("{slug}/{}", t.id),
        _ => format!("{slug}/skills"),
    }
}

/// One prompt of a run, and the items its reply drafts.
#[derive(Clone, Debug)]
pub struct Unit {
    pub slug: String,
    pub targets: Vec<Target>,
    pub prompt: Prompt,
}

impl Unit {
    pub fn label(&self) -> String {
        label(&self.slug, &self.targets)
    }

    /// Why its items are drafted.
    pub fn why(&self) -> String {
        match self.targets.as_slice() {
            [one] if one.kind == Kind::Task => one.why.clone(),
            targets => {
                let mut whys: Vec<&str> = targets.iter().map(|t| t.why.as_str()).collect();
                whys.dedup();
                format!("{} skill(s): {}", targets.len(), whys.join("; "))
            }
        }
    }
}

/// The largest request the plans would send, in estimated tokens, and what it drafts:
/// a tokens/min budget below it could never send it.
pub fn largest_request(
    plans: &[ProfessionPlan],
    catalog: &crate::catalog::Catalog,
    prompts: &Prompts,
    endpoint: &crate::config::Endpoint,
) -> Result<Option<(u64, String)>, PromptError> {
    let mut largest: Option<(u64, String)> = None;
    for p in plans {
        let occ = catalog.get(&p.slug).expect("planned from the catalog");
        for unit in units(occ, p, prompts)? {
            let variant = crate::llm::first_variant(endpoint, &unit.prompt.ask, endpoint.mode);
            let body = crate::llm::build_body(endpoint, &unit.prompt, variant, &[]);
            let tokens = body.token_estimate(endpoint.max_tokens);
            if largest.as_ref().is_none_or(|(t, _)| tokens > *t) {
                largest = Some((tokens, unit.label()));
            }
        }
    }
    Ok(largest)
}

/// Renders the units of a profession plan: one per task, one for all its skills.
pub fn units(
    occ: &Occupation,
    plan: &ProfessionPlan,
    prompts: &Prompts,
) -> Result<Vec<Unit>, PromptError> {
    let mut out = Vec::with_capacity(plan.units());
    let (tasks, skills): (Vec<&Target>, Vec<&Target>) =
        plan.targets.iter().partition(|t| t.kind == Kind::Task);
    for t in tasks {
        let task = occ.task(&t.id).expect("planned from this occupation");
        out.push(Unit {
            slug: occ.slug.clone(),
            targets: vec![t.clone()],
            prompt: prompts.task(occ, task)?,
        });
    }
    if !skills.is_empty() {
        out.push(Unit {
            slug: occ.slug.clone(),
            targets: skills.into_iter().cloned().collect(),
            prompt: prompts.skills(occ)?,
        });
    }
    Ok(out)
}
