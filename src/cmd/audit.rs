//! `willai audit draw` and `willai audit report`: open the project, find the population,
//! draw or report (`crate::audit`), print.

use crate::audit::{self, AuditError, Audits, Population, report};
use crate::cli::{AuditCommand, AuditDrawArgs, AuditReportArgs};
use crate::project::Project;
use crate::text::thousands;

pub fn run(project: &Project, cmd: &AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Draw(args) => draw(project, args),
        AuditCommand::Report(args) => report(project, args),
    }
}

fn draw(project: &Project, args: &AuditDrawArgs) -> anyhow::Result<()> {
    if let Some(name) = &args.name
        && !audit::file::is_name(name)
    {
        return Err(AuditError::BadName(name.clone()).into());
    }
    let date = crate::review::date(args.date.as_deref())?;
    let seed = match &args.seed {
        Some(s) if s.trim().is_empty() => return Err(AuditError::BlankSeed.into()),
        Some(s) => s.clone(),
        None => audit::random_seed(),
    };
    if args.size == 0 {
        return Err(AuditError::ZeroSize.into());
    }
    let _lock = project.lock("audit draw")?;
    let audits = Audits::new(&project.store);
    let taken = audits.names()?;
    let name = match &args.name {
        Some(name) if taken.contains(name) => return Err(AuditError::Exists(name.clone()).into()),
        Some(name) => name.clone(),
        // The date, or the date with the first free number.
        None => std::iter::once(date.clone())
            .chain((2..).map(|k| format!("{date}-{k}")))
            .find(|n| !taken.contains(n))
            .expect("some number is free"),
    };
    let catalog = project.catalog()?;
    let population = Population::of(&project.store, &catalog)?;
    let sample = audit::draw(&population, &seed, args.size, &date)?;
    audits.write(&name, &sample)?;
    println!(
        "drew {} of the {} tasks with a level (seed {seed:?}) into {}",
        thousands(sample.items.len()),
        thousands(population.len()),
        project.root.display(&project.root.audit_path(&name)),
    );
    println!(
        "next: `willai review --audit {name}` to judge them without seeing their levels, then `willai audit report {name}`"
    );
    Ok(())
}

fn report(project: &Project, args: &AuditReportArgs) -> anyhow::Result<()> {
    let audits = Audits::new(&project.store);
    let (name, audit) = match &args.name {
        Some(name) => (name.clone(), audits.get(name)?),
        None => audits.latest()?.ok_or(AuditError::None)?,
    };
    let catalog = project.catalog()?;
    let population = Population::of(&project.store, &catalog)?;
    let r = report::compute(&name, &audit, &population);
    if args.json {
        super::emit(&crate::canonical::pretty(&report::json(&r)))
    } else {
        super::emit(&report::text(&r))
    }
}
