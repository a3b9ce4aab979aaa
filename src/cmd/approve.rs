//! `willai approve` and `willai reject`: an editor's decisions, written to the record.

use anyhow::Context;

use crate::catalog::Occupation;
use crate::cli::{ApproveArgs, RejectArgs};
use crate::exit::{problems, usage};
use crate::lifecycle::{self, Current};
use crate::project::Project;
use crate::record::{Entry, Record};
use crate::review::{self, ApproveOptions, Outcome};

/// The tasks and skills a command names (all of those with an entry for `--all`).
fn targets(
    occ: &Occupation,
    record: &Record,
    tasks: &[String],
    skills: &[String],
    all: bool,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    if all {
        let t = occ
            .tasks
            .iter()
            .filter(|t| record.task(&t.id).is_some())
            .map(|t| t.id.clone())
            .collect();
        let s = occ
            .skills
            .iter()
            .filter(|s| record.skill(&s.id).is_some())
            .map(|s| s.id.clone())
            .collect();
        return Ok((t, s));
    }
    if tasks.is_empty() && skills.is_empty() {
        return Err(usage(
            "name what to approve: --task TASK (id, slug or text), --skill SKILL, or --all",
        ));
    }
    Ok((
        review::resolve_tasks(occ, tasks).map_err(usage)?,
        review::resolve_skills(occ, skills).map_err(usage)?,
    ))
}

fn today() -> String {
    jiff::ZonedDateTime::now().date().to_string()
}

pub fn approve(project: &Project, args: &ApproveArgs) -> anyhow::Result<()> {
    let catalog = project.catalog()?;
    let occ = catalog.find(&args.profession).map_err(usage)?;
    let reviewer = review::reviewer(args.reviewer.as_deref(), project.root.dir()).map_err(usage)?;
    let date = match &args.date {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map_err(|_| usage(format!("--date {d:?} is not a date: use YYYY-MM-DD")))?
            .to_string(),
        None => today(),
    };
    let prompts = project.prompts()?;
    let model = project.model(args.model.as_deref());
    let cur = Current::new(model.as_deref(), &prompts);
    let _lock = project.lock("approve")?;
    let Some(mut record) = project.read_record(&occ.slug)? else {
        return Err(usage(format!(
            "nothing is drafted for {} yet: run `willai draft --profession {:?}` first",
            occ.name, occ.name
        )));
    };
    let (tasks, skills) = targets(occ, &record, &args.tasks, &args.skills, args.all)?;
    let opts = ApproveOptions {
        reviewer: reviewer.clone(),
        date: date.clone(),
        force: args.force,
        accept_proposal: args.accept_proposal,
    };
    let mut refused = 0;
    let mut approved = 0;
    for id in &tasks {
        let task = occ.task(id).expect("resolved in this occupation");
        let item = lifecycle::task_item(record.task(id), occ, task, &cur);
        let outcome = match record.task_mut(id) {
            Some(entry) => review::approve(entry, &item, &opts),
            None => Outcome::Refused("has not been drafted: run `willai draft` first".into()),
        };
        let level = record
            .task(id)
            .and_then(|e| e.level)
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        report(
            &format!("{}/{id}{level}", occ.slug),
            &outcome,
            &reviewer,
            &date,
            &mut approved,
            &mut refused,
        );
    }
    for id in &skills {
        let skill = occ.skill(id).expect("resolved in this occupation");
        let item = lifecycle::skill_item(record.skill(id), occ, skill, &cur);
        let outcome = match record.skill_mut(id) {
            Some(entry) => review::approve(entry, &item, &opts),
            None => Outcome::Refused("has not been drafted: run `willai draft` first".into()),
        };
        report(
            &format!("{}/skills/{id}", occ.slug),
            &outcome,
            &reviewer,
            &date,
            &mut approved,
            &mut refused,
        );
    }
    if approved > 0 {
        project
            .write_record(&record)
            .context("cannot save the approvals")?;
    }
    if tasks.is_empty() && skills.is_empty() {
        println!(
            "nothing to approve: no task or skill of {} has been drafted",
            occ.name
        );
    }
    if refused > 0 {
        return Err(problems(format!(
            "{refused} item(s) not approved (reasons above); {approved} approved"
        )));
    }
    Ok(())
}

fn report(
    label: &str,
    outcome: &Outcome,
    reviewer: &str,
    date: &str,
    approved: &mut usize,
    refused: &mut usize,
) {
    match outcome {
        Outcome::Approved => {
            *approved += 1;
            println!("approved   {label} by {reviewer} on {date}");
        }
        Outcome::Unchanged => println!("unchanged  {label}: already approved with this text"),
        Outcome::Refused(why) => {
            *refused += 1;
            println!("refused    {label}: {why}");
        }
    }
}

pub fn reject(project: &Project, args: &RejectArgs) -> anyhow::Result<()> {
    let catalog = project.catalog()?;
    let occ = catalog.find(&args.profession).map_err(usage)?;
    let _lock = project.lock("reject")?;
    let Some(mut record) = project.read_record(&occ.slug)? else {
        return Err(usage(format!("nothing is drafted for {} yet", occ.name)));
    };
    let (tasks, skills) = if args.all {
        (
            record
                .tasks
                .iter()
                .filter(|t| t.proposal.is_some())
                .map(|t| t.id.clone())
                .collect(),
            record
                .skills
                .iter()
                .filter(|s| s.proposal.is_some())
                .map(|s| s.id.clone())
                .collect(),
        )
    } else {
        if args.tasks.is_empty() && args.skills.is_empty() {
            return Err(usage(
                "name whose proposal to drop: --task TASK, --skill SKILL, or --all",
            ));
        }
        (
            review::resolve_tasks(occ, &args.tasks).map_err(usage)?,
            review::resolve_skills(occ, &args.skills).map_err(usage)?,
        )
    };
    let mut dropped = 0;
    for id in &tasks {
        if record.task_mut(id).is_some_and(|e| e.reject_proposal()) {
            dropped += 1;
            println!(
                "dropped    {}/{id}: the proposal is gone, the current text stays",
                occ.slug
            );
        } else {
            println!("no change  {}/{id}: has no proposal", occ.slug);
        }
    }
    for id in &skills {
        if record.skill_mut(id).is_some_and(|e| e.reject_proposal()) {
            dropped += 1;
            println!(
                "dropped    {}/skills/{id}: the proposal is gone, the current text stays",
                occ.slug
            );
        } else {
            println!("no change  {}/skills/{id}: has no proposal", occ.slug);
        }
    }
    if dropped > 0 {
        project
            .write_record(&record)
            .context("cannot save the record")?;
    } else if args.all {
        println!("no proposals waiting for {}", occ.name);
    }
    Ok(())
}
