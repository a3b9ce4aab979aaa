//! `willai approve` and `willai reject`: an editor's decisions, written to the record.

use anyhow::Context;

use crate::catalog::Occupation;
use crate::cli::{ApproveArgs, RejectArgs};
use crate::exit::problems;
use crate::lifecycle::{self, Item};
use crate::project::Project;
use crate::record::{Approved, Kind, Record};
use crate::review::{self, ApproveOptions, Outcome, ReviewError};

/// What a command names: `--task`s and `--skill`s, or `--all`.
struct Named<'a> {
    tasks: &'a [String],
    skills: &'a [String],
    all: bool,
    /// What the command does with them, for the message when nothing is named.
    what: &'static str,
}

/// The items a command names, or with `--all` those of the profession's items that
/// `keep` accepts.
fn selected(
    occ: &Occupation,
    record: &Record,
    items: Vec<Item>,
    named: Named,
    keep: impl Fn(&Item) -> bool,
) -> Result<Vec<Item>, ReviewError> {
    if named.all {
        return Ok(items.into_iter().filter(keep).collect());
    }
    if named.tasks.is_empty() && named.skills.is_empty() {
        return Err(ReviewError::NothingNamed { what: named.what });
    }
    let mut wanted = Vec::new();
    for (kind, names) in [(Kind::Task, named.tasks), (Kind::Skill, named.skills)] {
        for id in review::resolve(occ, Some(record), kind, names)? {
            wanted.push((kind, id));
        }
    }
    Ok(items
        .into_iter()
        .filter(|i| wanted.iter().any(|(k, id)| *k == i.kind && *id == i.id))
        .collect())
}

/// The record of a profession that has one; none yet is a usage error.
fn drafted(project: &Project, occ: &Occupation) -> anyhow::Result<Record> {
    project.store.record(&occ.slug)?.ok_or_else(|| {
        ReviewError::NothingDrafted {
            name: occ.name.clone(),
        }
        .into()
    })
}

pub fn approve(project: &Project, args: &ApproveArgs) -> anyhow::Result<()> {
    let catalog = project.catalog()?;
    let occ = catalog.find(&args.profession)?;
    let reviewer = review::reviewer(project.settings.reviewer.as_ref(), project.root.dir())?;
    let date = review::date(args.date.as_deref())?;
    let prompts = project.prompts()?;
    let cur = project.current(&prompts);
    let _lock = project.lock("approve")?;
    let mut record = drafted(project, occ)?;
    let items = lifecycle::items(occ, Some(&record), &cur);
    let named = Named {
        tasks: &args.tasks,
        skills: &args.skills,
        all: args.all,
        what: "what to approve",
    };
    let targets = selected(occ, &record, items, named, |i| {
        record.entry(i.kind, &i.id).is_some()
    })?;
    let opts = ApproveOptions {
        reviewer: reviewer.clone(),
        date: date.clone(),
        force: args.force,
        accept_proposal: args.accept_proposal,
        how: if args.all {
            Approved::InBulk
        } else {
            Approved::OneByOne
        },
    };
    let (mut approved, mut refused) = (0, 0);
    for item in &targets {
        let outcome = review::approve(record.entry_mut(item.kind, &item.id), item, &opts);
        let label = match (item.kind, record.entry(item.kind, &item.id)) {
            (Kind::Task, Some(e)) => match e.headline() {
                Some(level) => format!("{} ({level})", item.label_in(&occ.slug)),
                None => item.label_in(&occ.slug),
            },
            _ => item.label_in(&occ.slug),
        };
        match outcome {
            Outcome::Approved => {
                approved += 1;
                println!("approved   {label} by {reviewer} on {date}");
            }
            Outcome::Unchanged => println!("unchanged  {label}: already approved with this text"),
            Outcome::Refused(why) => {
                refused += 1;
                println!("refused    {label}: {why}");
            }
        }
    }
    if approved > 0 {
        project
            .store
            .write_record(&occ.slug, &record)
            .context("cannot save the approvals")?;
    }
    if targets.is_empty() {
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

/// `willai reject`: an item's proposal is dropped (the current text stays); an untouched
/// draft is rejected (its text goes, and the same prompt's answer is not drafted again).
pub fn reject(project: &Project, args: &RejectArgs) -> anyhow::Result<()> {
    let catalog = project.catalog()?;
    let occ = catalog.find(&args.profession)?;
    let _lock = project.lock("reject")?;
    let mut record = drafted(project, occ)?;
    let prompts = project.prompts()?;
    let cur = project.current(&prompts);
    let items = lifecycle::items(occ, Some(&record), &cur);
    let named = Named {
        tasks: &args.tasks,
        skills: &args.skills,
        all: args.all,
        what: "whose proposal to drop or draft to reject",
    };
    let targets = selected(occ, &record, items, named, |i| i.proposal)?;
    let (mut changed, mut refused) = (0, 0);
    for item in &targets {
        let label = item.label_in(&occ.slug);
        let Some(entry) = record.entry_mut(item.kind, &item.id) else {
            refused += 1;
            println!("refused    {label}: has not been drafted");
            continue;
        };
        if entry.reject_proposal() {
            changed += 1;
            println!("dropped    {label}: the proposal is gone, the current text stays");
            continue;
        }
        match entry.reject_draft() {
            Ok(()) => {
                changed += 1;
                println!(
                    "rejected   {label}: the draft is gone; it is not drafted again unless its prompt changes (task text, template or model)"
                );
            }
            Err(why) => {
                refused += 1;
                println!("refused    {label}: {why}");
            }
        }
    }
    if changed > 0 {
        project
            .store
            .write_record(&occ.slug, &record)
            .context("cannot save the record")?;
    } else if args.all {
        println!("no proposals waiting for {}", occ.name);
    }
    if refused > 0 {
        return Err(problems(format!(
            "{refused} item(s) not rejected (reasons above); {changed} done"
        )));
    }
    Ok(())
}
