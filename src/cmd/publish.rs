//! `willai publish`: loads approved content, builds the site, reports what it did.

use anyhow::Context;

use crate::cli::PublishArgs;
use crate::config::Site;
use crate::project::Project;
use crate::publish::{self, model};

pub fn run(project: &Project, args: &PublishArgs) -> anyhow::Result<()> {
    // The masthead and base URL: flags, then `[site]` of willai.toml; never the clock.
    let site = Site::new(&project.settings.site)?;
    let catalog = project.catalog()?;
    let mut records = Vec::new();
    for (occ, read) in project.store.records(&catalog.occupations) {
        // A record that cannot be read would drop its profession from the site.
        if let Some(r) = read.context("fix the records before publishing")? {
            records.push((occ.slug.clone(), r));
        }
    }
    let (professions, skipped) = model::load(&catalog, &records);
    for s in &skipped {
        eprintln!("skipped {}: {}", s.what, s.why);
    }
    let summary = publish::publish(&professions, &site, &args.out)?;
    println!(
        "published {} profession(s), {} task(s) to {}: {} file(s) written, {} unchanged, {} removed",
        summary.professions,
        summary.tasks,
        args.out.display(),
        summary.written,
        summary.unchanged,
        summary.removed
    );
    if professions.is_empty() {
        println!("nothing is approved yet: approve with `willai approve`, then publish again");
    }
    Ok(())
}
