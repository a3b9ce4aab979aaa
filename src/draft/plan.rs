//! What a draft run works on: for each selected profession, the tasks and skills that
//! are missing, failed or stale (or all of them with `--redraft`), and the prompts to
//! ask for them. Planning reads records but renders nothing; prompts are rendered one
//! unit at a time as the run streams through them.

use crate::catalog::Occupation;
use crate::lifecycle::{self, Current, State};
use crate::prompt::{self, Prompt, PromptError, Prompts};
use crate::record::Record;

/// One task to draft.
#[derive(Clone, Debug)]
pub struct TaskTarget {
    pub id: String,
    pub input: String,
    /// Why the item is drafted ("missing", "stale: ...").
    pub why: String,
}

/// One skill to draft (skills are asked about together, one prompt per profession).
#[derive(Clone, Debug)]
pub struct SkillTarget {
    pub id: String,
    pub input: String,
    /// Why the item is drafted ("missing", "stale: ...").
    pub why: String,
}

/// The work for one profession.
#[derive(Clone, Debug)]
pub struct ProfessionPlan {
    pub slug: String,
    pub tasks: Vec<TaskTarget>,
    pub skills: Vec<SkillTarget>,
}

impl ProfessionPlan {
    /// Prompts this plan needs: one per task, one for all skills.
    pub fn units(&self) -> usize {
        self.tasks.len() + usize::from(!self.skills.is_empty())
    }
}

fn why(item: &lifecycle::Item, redraft: bool) -> String {
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
    let mut tasks = Vec::new();
    for task in &occ.tasks {
        let item = lifecycle::task_item(record.and_then(|r| r.task(&task.id)), occ, task, cur);
        if lifecycle::wants_draft(&item, redraft) {
            tasks.push(TaskTarget {
                id: task.id.clone(),
                input: prompt::task_input(occ, task),
                why: why(&item, redraft),
            });
        }
    }
    let mut skills = Vec::new();
    for skill in &occ.skills {
        let item = lifecycle::skill_item(record.and_then(|r| r.skill(&skill.id)), occ, skill, cur);
        if lifecycle::wants_draft(&item, redraft) {
            skills.push(SkillTarget {
                id: skill.id.clone(),
                input: prompt::skill_input(occ, skill),
                why: why(&item, redraft),
            });
        }
    }
    ProfessionPlan {
        slug: occ.slug.clone(),
        tasks,
        skills,
    }
}

/// What one prompt drafts.
#[derive(Clone, Debug)]
pub enum Target {
    Task(TaskTarget),
    /// The skills to take from the reply; `names` are all the profession's skills in
    /// catalog order, as the prompt lists them.
    Skills {
        targets: Vec<SkillTarget>,
        names: Vec<String>,
    },
}

/// One prompt of a run.
#[derive(Clone, Debug)]
pub struct Unit {
    pub slug: String,
    pub target: Target,
    pub prompt: Prompt,
}

impl Unit {
    /// `ml-engineer/write-production-code` or `ml-engineer/skills`.
    pub fn label(&self) -> String {
        match &self.target {
            Target::Task(t) => format!("{}/{}", self.slug, t.id),
            Target::Skills { .. } => format!("{}/skills", self.slug),
        }
    }

    /// Validates a reply for this unit (the check handed to the client).
    pub fn check(&self, content: &str) -> Result<(), String> {
        match &self.target {
            Target::Task(_) => crate::reply::parse_task(content).map(|_| ()),
            Target::Skills { names, .. } => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                crate::reply::parse_skills(content, &names).map(|_| ())
            }
        }
    }
}

/// Renders the units of a profession plan.
pub fn units(
    occ: &Occupation,
    plan: &ProfessionPlan,
    prompts: &Prompts,
) -> Result<Vec<Unit>, PromptError> {
    let mut out = Vec::with_capacity(plan.units());
    for t in &plan.tasks {
        let task = occ.task(&t.id).expect("planned from this occupation");
        out.push(Unit {
            slug: occ.slug.clone(),
            target: Target::Task(t.clone()),
            prompt: prompts.task(occ, task)?,
        });
    }
    if !plan.skills.is_empty() {
        out.push(Unit {
            slug: occ.slug.clone(),
            target: Target::Skills {
                targets: plan.skills.clone(),
                names: occ.skills.iter().map(|s| s.name.clone()).collect(),
            },
            prompt: prompts.skills(occ)?,
        });
    }
    Ok(out)
}
