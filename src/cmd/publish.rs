//! `willai publish`: loads approved content, builds the site, reports what it did.

use anyhow::Context;

use crate::cli::PublishArgs;
use crate::config::Site;
use crate::project::Project;
use crate::publish::{self, Options, model};

pub fn run(project: &Project, args: &PublishArgs) -> anyhow::Result<()> {
    // The masthead and base URL: flags, then `[site]` of willai.toml; never the clock.
    let site = Site::new(&project.settings.site)?;
    let catalog = project.catalog()?;
    let opts = Options {
        drafts: false,
        theme: Some(project.root.dir().to_path_buf()),
    };
    // One writer at a time: a second publish of this root waits for the first.
    let _lock = project.lock("publish")?;
    let mut records = Vec::new();
    for (occ, read) in project.store.records(&catalog.occupations) {
        // A record that cannot be read would drop its profession from the site.
        if let Some(r) = read.context("fix the records before publishing")? {
            records.push((occ.slug.clone(), r));
        }
    }
    let (professions, skipped) = model::load(&catalog, &records, &opts);
    for s in &skipped {
        eprintln!("skipped {}: {}", s.what, s.why);
    }
    let none = professions.is_empty();
    refuse_out_inside_inputs(project, &args.out)?;
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
    if none {
        println!("nothing is approved yet: approve with `willai approve`, then publish again");
    }
    Ok(())
}

/// A path made absolute through its nearest existing folder (links resolved there), so
/// `static/site` and `./static/../static/site` compare equal before `site` exists.
fn resolved(path: &std::path::Path) -> std::path::PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut at = path.as_path();
    loop {
        if let Ok(real) = at.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path,
        }
    }
}

/// The site must not land in what publish reads (it would copy itself into itself on
/// every run) or among the project's data.
fn refuse_out_inside_inputs(
    project: &Project,
    out: &std::path::Path,
) -> Result<(), publish::PublishError> {
    let out_real = resolved(out);
    let root = project.root.dir();
    for (dir, why) in [
        ("static", "publish copies into every site"),
        ("templates", "publish reads its templates from"),
        ("data", "holds the catalog and the records"),
        ("prompts", "holds the prompts"),
        ("cache", "holds the cached replies"),
    ] {
        let inside = resolved(&root.join(dir));
        if out_real.starts_with(&inside) {
            return Err(publish::PublishError::InsideProject {
                out: out.display().to_string(),
                inside: format!("{dir}/"),
                why,
            });
        }
    }
    Ok(())
}
