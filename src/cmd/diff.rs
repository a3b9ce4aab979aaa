//! `willai diff` and `willai textconv`: records in words for git users (see `diff`).

use std::path::Path;

use crate::cli::{DiffArgs, TextconvArgs};
use crate::diff::{self, FileChange, render, summary};
use crate::exit::problems;
use crate::project::Project;
use crate::root::Root;
use crate::store::Store;

pub fn run(project: &Project, args: &DiffArgs) -> anyhow::Result<()> {
    let store = &project.store;
    let occupation = |slug: &str| store.occupation(slug).ok().flatten();
    let report = diff::build(&project.root, &args.rev, &occupation)?;
    let text = if args.json {
        crate::canonical::pretty(&report)
    } else if args.markdown {
        let max = args
            .max_bytes
            .map_or(summary::DEFAULT_MAX_BYTES, |m| m as usize);
        summary::markdown(&report, max)
    } else {
        render::render(&report, render::Form::Text)
    };
    // Record text is anyone's (a pull request's): never raw control sequences.
    super::emit(&crate::text::visible(&text))?;
    let unreadable = report
        .professions
        .iter()
        .filter(|p| p.change == FileChange::Unreadable)
        .count();
    if unreadable > 0 {
        return Err(problems(format!(
            "{unreadable} record file(s) could not be compared (shown above)"
        )));
    }
    Ok(())
}

/// Prints a record as prose for git. The root (from --root, WILLAI_ROOT or the nearest
/// willai.toml) only adds names from the catalog; nothing here fails on a bad file.
pub fn textconv(root: Option<&Path>, args: &TextconvArgs) -> anyhow::Result<()> {
    let bytes = crate::beneath::read_named(&args.file, crate::beneath::MAX_TEXT, "record")?;
    let store = Root::discover(root).ok().map(Store::new);
    let occupation = |slug: &str| {
        store
            .as_ref()
            .and_then(|s| s.occupation(slug).ok().flatten())
    };
    let text = diff::prose::textconv(&bytes, &occupation);
    // git shows this in a terminal: no raw control sequences from the file.
    super::emit(&crate::text::visible(&String::from_utf8_lossy(&text)))
}
