//! `willai publish`: loads approved content, builds the site, reports what it did.

use anyhow::Context;

use crate::cli::PublishArgs;
use crate::config::Site;
use crate::project::Project;
use crate::publish::{self, Options, select};

pub fn run(project: &Project, args: &PublishArgs) -> anyhow::Result<()> {
    // The masthead and base URL: flags, then `[site]` of willai.toml; never the clock.
    let site = Site::new(&project.settings.site)?;
    if let Some(warning) = crate::init::example_site_warning(&site.base_url) {
        eprintln!("{warning}");
    }
    let catalog = project.catalog()?;
    let opts = Options {
        drafts: false,
        theme: Some(project.root.dir().to_path_buf()),
        audit: publish::audit::figures(&project.store, &catalog)?,
    };
    // One writer at a time: a second publish of this root waits for the first.
    let _lock = project.lock("publish")?;
    let (professions, skipped) = select::load_store(&project.store, &catalog, &opts)
        .context("fix the records before publishing")?;
    for s in &skipped {
        eprintln!("skipped {}: {}", s.what, s.why);
    }
    let none = professions.is_empty();
    let summary = publish::publish(professions, &site, &args.out, &opts)?;
    println!(
        "published {} profession(s), {} task(s) to {}: {} file(s) written, {} unchanged, {} removed",
        summary.professions,
        summary.tasks,
        args.out.display(),
        summary.written,
        summary.unchanged,
        summary.removed
    );
    println!(
        "the site: {} file(s), {:.1} MB",
        summary.size.files,
        summary.size.bytes as f64 / 1e6
    );
    for note in publish::hosting::notes(&summary.size) {
        eprintln!("note: {note}");
    }
    if none {
        println!("nothing is approved yet: approve with `willai approve`, then publish again");
    }
    Ok(())
}
