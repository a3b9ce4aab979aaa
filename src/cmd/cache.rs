//! `willai cache stats|verify|gc`: size and hit counts, integrity, and tidying.

use std::collections::{BTreeMap, HashSet};

use crate::answer;
use crate::cache::CacheEntry;
use crate::cli::{CacheCommand, GcArgs};
use crate::exit::problems;
use crate::llm::candidates;
use crate::project::Project;
use crate::reply::Ask;

pub fn run(project: &Project, cmd: &CacheCommand) -> anyhow::Result<()> {
    match cmd {
        CacheCommand::Stats => stats(project),
        CacheCommand::Verify => verify(project),
        CacheCommand::Gc(args) => gc(project, args),
    }
}

#[derive(Default)]
struct ModelStats {
    entries: usize,
    bytes: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
    reasked: usize,
}

fn stats(project: &Project) -> anyhow::Result<()> {
    let cache = project.cache();
    let mut by_model: BTreeMap<String, ModelStats> = BTreeMap::new();
    let listing = cache.scan()?;
    let mut unreadable = listing.strays.len();
    for path in &listing.entries {
        let text = cache.read(path).ok().flatten();
        let bytes = text.as_ref().map_or(0, |t| t.len() as u64);
        match text.and_then(|t| serde_json::from_str::<CacheEntry>(&t).ok()) {
            Some(e) => {
                let s = by_model.entry(e.model.clone()).or_default();
                s.entries += 1;
                s.bytes += bytes;
                s.prompt_tokens = s.prompt_tokens.saturating_add(e.usage.prompt_tokens);
                s.completion_tokens = s
                    .completion_tokens
                    .saturating_add(e.usage.completion_tokens);
                s.reasked += usize::from(e.reask.is_some());
            }
            None => unreadable += 1,
        }
    }
    let total_entries: usize = by_model.values().map(|s| s.entries).sum();
    let total_bytes: u64 = by_model.values().map(|s| s.bytes).sum();
    println!(
        "{:<32} {:>9} {:>12} {:>14} {:>12} {:>8}",
        "MODEL", "ENTRIES", "BYTES", "TOKENS IN", "TOKENS OUT", "RE-ASKED"
    );
    for (model, s) in &by_model {
        println!(
            "{:<32} {:>9} {:>12} {:>14} {:>12} {:>8}",
            crate::text::visible_line(model),
            s.entries,
            s.bytes,
            s.prompt_tokens,
            s.completion_tokens,
            s.reasked
        );
    }
    println!("{:<32} {:>9} {:>12}", "total", total_entries, total_bytes);
    if let Some(price_note) = by_model.iter().find_map(|(m, s)| {
        project.settings.prices.get(m).map(|p| {
            (
                m,
                crate::draft::report::cost(*p, s.prompt_tokens, s.completion_tokens),
            )
        })
    }) {
        println!(
            "a rerun from the cache saves ~${:.4} of {} calls",
            price_note.1, price_note.0
        );
    }
    if unreadable > 0 {
        println!("{unreadable} file(s) are not cache entries: `willai cache verify` names them");
    }
    Ok(())
}

/// Re-hashes every entry: the file name, the stored key and the sha256 of the stored
/// request must agree, and the response must hold a reply.
fn verify(project: &Project) -> anyhow::Result<()> {
    let cache = project.cache();
    let listing = cache.scan()?;
    let files = &listing.entries;
    let mut bad = 0;
    let mut unhashed = 0;
    for (path, why) in &listing.strays {
        bad += 1;
        println!(
            "{}: {why}",
            crate::text::visible_line(&project.root.display(path))
        );
    }
    for path in files {
        let shown = project.root.display(path);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let problem = match cache.read(path).and_then(|t| {
            serde_json::from_str::<CacheEntry>(&t.unwrap_or_default()).map_err(|e| e.to_string())
        }) {
            Err(e) => Some(format!("not a cache entry ({e})")),
            Ok(e) if e.key != stem => Some(format!("holds key {} under the name {stem}", e.key)),
            Ok(e) => {
                if e.response_sha256.is_none() {
                    unhashed += 1;
                }
                e.tampered().or_else(|| match Ask::of_request(&e.request) {
                    None => Some(
                        "its request carries no reply schema willai knows, so its reply cannot be checked"
                            .to_string(),
                    ),
                    Some(ask) => {
                        let max = e.request["max_tokens"].as_u64().unwrap_or(0) as u32;
                        answer::read(&ask, &e.response, max)
                            .err()
                            .map(|why| format!("the cached reply is not valid: {why}"))
                    }
                })
            }
        };
        if let Some(p) = problem {
            bad += 1;
            println!(
                "{}: {}: delete it (a rerun asks again)",
                crate::text::visible_line(&shown),
                crate::text::visible_line(&p)
            );
        }
    }
    if bad > 0 {
        return Err(problems(format!(
            "{bad} of {} cache files failed verification",
            files.len() + listing.strays.len()
        )));
    }
    println!("verify: {} entries, all intact", files.len());
    if unhashed > 0 {
        println!(
            "note: {unhashed} entries were cached by an earlier willai without the sha256 of their reply: their replies were checked, but an edit of them cannot be told"
        );
    }
    Ok(())
}

/// Removes entries that no record refers to and no current prompt would look up.
fn gc(project: &Project, args: &GcArgs) -> anyhow::Result<()> {
    let catalog = project.catalog()?;
    let prompts = project.prompts()?;
    let endpoint = project.endpoint()?;
    let _lock = if args.dry_run {
        None
    } else {
        Some(project.lock("cache gc")?)
    };
    let mut keep: HashSet<String> = HashSet::new();
    for (occ, read) in project.store.records(&catalog.occupations) {
        if let Some(r) = read? {
            for e in r.entries() {
                keep.extend(e.provenances().into_iter().map(|p| p.cache_key.clone()));
            }
        }
        for prompt in &prompts.of_profession(occ)? {
            keep.extend(candidates(&endpoint, prompt).flatten().map(|b| b.key));
        }
    }
    let cache = project.cache();
    let listing = cache.scan()?;
    let (mut removed, mut bytes, mut kept) = (0usize, 0u64, 0usize);
    let mut failed: Vec<String> = Vec::new();
    // What is not an entry is never deleted: a link (to a folder outside, perhaps), a
    // file named otherwise. Each is named for a person to look at.
    for (path, why) in &listing.strays {
        println!(
            "left alone {}: {why}",
            crate::text::visible_line(&project.root.display(path))
        );
    }
    for path in listing.entries {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if keep.contains(&stem) {
            kept += 1;
            continue;
        }
        // A regular file in a real folder (scan said so): its size, without following.
        let size = std::fs::symlink_metadata(&path).map_or(0, |m| m.len());
        if args.dry_run {
            println!("would remove {}", project.root.display(&path));
        } else if let Err(e) = cache.remove(&path) {
            // Go on with the rest; say which could not go, and exit 1 at the end.
            failed.push(format!(
                "cannot remove {}: {}",
                project.root.display(&path),
                e.reason()
            ));
            continue;
        }
        bytes += size;
        removed += 1;
    }
    for f in &failed {
        println!("{f}");
    }
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    println!(
        "cache gc: kept {kept} entries referred to by a record or a current prompt ({}), {verb} {removed} ({bytes} bytes)",
        endpoint.model
    );
    if !listing.strays.is_empty() {
        println!(
            "cache gc: left alone {} file(s) that are not entries (listed above)",
            listing.strays.len()
        );
    }
    if !failed.is_empty() {
        return Err(problems(format!(
            "{} entries could not be removed (listed above): check the permissions of cache/, then run `willai cache gc` again",
            failed.len()
        )));
    }
    Ok(())
}
