//! Shell completion that knows the project: `-p`/`--profession` completes to the slugs
//! of the catalog (found as every command finds its project: `WILLAI_ROOT`, else the
//! nearest folder upwards with `willai.toml`), not to file names. Through clap's dynamic
//! completion (`clap_complete`'s `CompleteEnv`): the script `willai completions SHELL`
//! prints calls the binary back at each Tab, so the list is the catalog's of the moment.

use std::ffi::OsStr;

use clap_complete::engine::CompletionCandidate;

use crate::root::Root;

/// The most candidates that get their profession's name as help (each costs a read).
const NAMED: usize = 40;

/// The professions whose slug (or name, slugified) starts with what was typed.
pub fn professions(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    // Nothing typed yet: every profession (`slugify` would make "" into "x").
    let want = if typed.trim().is_empty() {
        String::new()
    } else {
        crate::slug::slugify(&typed)
    };
    let explicit =
        std::env::var_os("WILLAI_ROOT").filter(|r| !r.to_string_lossy().trim().is_empty());
    let Ok(root) = Root::discover(explicit.as_deref().map(std::path::Path::new)) else {
        return Vec::new();
    };
    let Ok(Some(entries)) = root.list(&root.catalog_dir()) else {
        return Vec::new();
    };
    let mut slugs: Vec<String> = entries
        .into_iter()
        .filter(|e| e.kind == crate::beneath::Kind::File)
        .filter_map(|e| {
            e.name
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(String::from)
        })
        .filter(|slug| !slug.starts_with('.') && slug.starts_with(&want))
        .collect();
    slugs.sort();
    let named = slugs.len() <= NAMED;
    slugs
        .into_iter()
        .map(|slug| {
            let name = named.then(|| name_of(&root, &slug)).flatten();
            CompletionCandidate::new(slug).help(name.map(Into::into))
        })
        .collect()
}

/// A profession's name from its catalog file, for the help beside a candidate.
fn name_of(root: &Root, slug: &str) -> Option<String> {
    let path = root.catalog_dir().join(format!("{slug}.json"));
    let bytes = root
        .read(&path, crate::beneath::MAX_TEXT, "catalog file")
        .ok()
        .flatten()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let name = value.get("name")?.as_str()?;
    Some(crate::text::visible_line(name).into_owned())
}
