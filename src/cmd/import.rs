//! `willai import onet [FILE] [--alternate-titles FILE]`: O*NET task statements into the
//! catalog (see `onet`), and O*NET's alternate titles as aliases (see `aliases`).

use std::collections::HashSet;

use crate::aliases;
use crate::catalog::{CatalogError, Occupation};
use crate::cli::{BadRows, ImportCommand, OnetArgs};
use crate::exit::problems;
use crate::onet::{self, OnetError, Outcome};
use crate::project::Project;

pub fn run(project: &Project, cmd: &ImportCommand) -> anyhow::Result<()> {
    match cmd {
        ImportCommand::Onet(args) => onet_import(project, args),
    }
}

fn onet_import(project: &Project, args: &OnetArgs) -> anyhow::Result<()> {
    // Both files are read before anything is written: a bad header stops the command.
    let titles = match &args.alternate_titles {
        Some(path) => Some((path, aliases::parse(path, &args.occupations)?)),
        None => None,
    };
    let _lock = if args.dry_run {
        None
    } else {
        Some(project.lock("import")?)
    };
    let mut occupations = match &args.file {
        Some(file) => task_import(project, args, file)?,
        None => {
            let (catalog, problems) = project.store.catalog()?;
            if !problems.is_empty() {
                return Err(CatalogError::NotImportable(problems).into());
            }
            catalog.occupations
        }
    };
    if let Some((path, parsed)) = titles {
        alias_import(project, args, path, &parsed, &mut occupations)?;
    }
    Ok(())
}

/// Adds O*NET's alternate titles as aliases (to the catalog as the task import left it).
fn alias_import(
    project: &Project,
    args: &OnetArgs,
    path: &std::path::Path,
    parsed: &aliases::Parsed,
    occupations: &mut [Occupation],
) -> anyhow::Result<()> {
    let shown = path.display();
    for bad in &parsed.bad {
        println!("{shown}:{}: {}", bad.line, bad.why);
    }
    if !parsed.bad.is_empty() && args.bad_rows == BadRows::Refuse {
        return Err(problems(format!(
            "{} bad row(s) in {shown} (listed above): no alias added. Fix them, or pass --bad-rows skip to add the rest",
            parsed.bad.len()
        )));
    }
    let merged = aliases::merge(occupations, &parsed.rows);
    for occ in &merged.changed {
        if !args.dry_run {
            project.store.write_occupation(occ)?;
        }
        if let Some(o) = occupations.iter_mut().find(|o| o.slug == occ.slug) {
            *o = occ.clone();
        }
    }
    const SHOWN: usize = 5;
    for l in merged.left_out.iter().take(SHOWN) {
        println!("left out   {:?} ({}): {}", l.title, l.soc, l.why);
    }
    if merged.left_out.len() > SHOWN {
        println!(
            "left out   {} more title(s) that could find another profession",
            merged.left_out.len() - SHOWN
        );
    }
    println!(
        "{}aliases: {} added to {} occupation(s), {} already there, {} left out (they could find another profession), {} for O*NET-SOC codes not in the catalog; {} bad row(s) skipped ({} rows read)",
        if args.dry_run {
            "dry run (nothing written): "
        } else {
            ""
        },
        merged.added,
        merged.changed.len(),
        merged.known,
        merged.left_out.len(),
        merged.unknown.len(),
        parsed.bad.len(),
        parsed.read
    );
    Ok(())
}

/// Imports task statements; returns the catalog's occupations as they are after it.
fn task_import(
    project: &Project,
    args: &OnetArgs,
    file: &std::path::Path,
) -> anyhow::Result<Vec<Occupation>> {
    let parsed = onet::parse(file, &args.occupations)?;
    let shown = file.display();
    for bad in &parsed.bad {
        println!("{shown}:{}: {}", bad.line, bad.why);
    }
    if !args.occupations.is_empty() && parsed.occupations.is_empty() {
        return Err(OnetError::NoSuchOccupation {
            file: shown.to_string(),
            wanted: args.occupations.clone(),
        }
        .into());
    }
    if !parsed.bad.is_empty() && args.bad_rows == BadRows::Refuse {
        return Err(problems(format!(
            "{} bad row(s) in {shown} (listed above): nothing imported. Fix them, or pass --bad-rows skip to import the rest",
            parsed.bad.len()
        )));
    }
    // The catalog as it is (it may be empty: a first import starts it).
    let (catalog, catalog_problems) = project.store.catalog()?;
    if !catalog_problems.is_empty() {
        return Err(CatalogError::NotImportable(catalog_problems).into());
    }
    // Every slug, name and alias in use: a new occupation's slug must find it alone.
    let mut taken: HashSet<String> = catalog
        .occupations
        .iter()
        .flat_map(|o| {
            std::iter::once(o.slug.clone()).chain(
                std::iter::once(&o.name)
                    .chain(&o.aliases)
                    .map(|k| k.trim().to_lowercase()),
            )
        })
        .collect();
    let mut occupations = catalog.occupations.clone();
    let (mut new, mut updated, mut unchanged) = (0, 0, 0);
    let (mut added_tasks, mut changed_tasks, mut kept_tasks, mut renamed) = (0, 0, 0, 0);
    let mut stale_hint = Vec::new();
    for (soc, title, rows) in &parsed.occupations {
        let outcome = onet::merge(onet::by_soc(&catalog, soc), soc, title, rows, &taken);
        let occ = match outcome {
            Outcome::Unchanged => {
                unchanged += 1;
                continue;
            }
            Outcome::New(occ) => {
                new += 1;
                added_tasks += occ.tasks.len();
                println!(
                    "added      {} ({soc}): {} task(s)",
                    occ.slug,
                    occ.tasks.len()
                );
                taken.insert(occ.slug.clone());
                occ
            }
            Outcome::Updated(occ, change) => {
                updated += 1;
                added_tasks += change.added_tasks;
                changed_tasks += change.changed_tasks.len();
                kept_tasks += change.kept_tasks;
                renamed += usize::from(change.renamed);
                println!(
                    "updated    {} ({soc}): {} task(s) added, {} changed, {} kept (not in the file), {} unchanged{}",
                    occ.slug,
                    change.added_tasks,
                    change.changed_tasks.len(),
                    change.kept_tasks,
                    change.unchanged_tasks,
                    if change.renamed {
                        ", renamed after O*NET"
                    } else {
                        ""
                    }
                );
                for id in &change.changed_tasks {
                    stale_hint.push(format!("{}/{id}", occ.slug));
                }
                occ
            }
        };
        if !args.dry_run {
            project.store.write_occupation(&occ)?;
        }
        taken.insert(occ.name.trim().to_lowercase());
        match occupations.iter_mut().find(|o| o.slug == occ.slug) {
            Some(o) => *o = occ,
            None => occupations.push(occ),
        }
    }
    println!(
        "{}{} occupation(s) added, {updated} updated, {unchanged} unchanged; tasks: {added_tasks} added, {changed_tasks} changed, {kept_tasks} kept; {renamed} renamed; {} bad row(s) skipped ({} rows read)",
        if args.dry_run {
            "dry run (nothing written): "
        } else {
            ""
        },
        new,
        parsed.bad.len(),
        parsed.rows
    );
    if !stale_hint.is_empty() {
        println!(
            "{} task text(s) changed: their drafts are now stale (`willai status` lists them; `willai draft` redrafts them, with proposals beside edited or approved text)",
            stale_hint.len()
        );
    }
    Ok(occupations)
}
