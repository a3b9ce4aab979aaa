//! `willai cache stats|verify|gc`: size and hit counts, integrity, and tidying.

use std::collections::{BTreeMap, HashSet};

use crate::answer;
use crate::cache::{CacheEntry, is_key};
use crate::cli::{CacheCommand, CompactArgs, GcArgs};
use crate::exit::problems;
use crate::llm::candidates;
use crate::project::Project;
use anyhow::Context;

pub fn run(project: &Project, cmd: &CacheCommand) -> anyhow::Result<()> {
    match cmd {
        CacheCommand::Stats => stats(project),
        CacheCommand::Verify => verify(project),
        CacheCommand::Gc(args) => gc(project, args),
        CacheCommand::Compact(args) => compact(project, args),
    }
}

#[derive(Default)]
struct ModelStats {
    entries: usize,
    bytes: u64,
    prompt_tokens: u64,
    completion_tokens: u64,
    reasked: usize,
    first_format: usize,
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
                s.first_format += usize::from(e.is_first_format());
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
    if total_entries > 0 {
        println!(
            "{} bytes per entry on average",
            total_bytes / total_entries as u64
        );
    }
    let first_format: usize = by_model.values().map(|s| s.first_format).sum();
    if first_format > 0 {
        println!(
            "{first_format} entries are in the first, larger format (read as they are): `willai cache compact` rewrites them in the compact one"
        );
    }
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

/// The problems of one entry file: where it is, whether it hashes to what it was
/// cached with (and, in the first format, whether its request hashes to its key), and
/// whether its reply still passes the checks a fresh reply must pass. Every problem is
/// named, not only the first.
fn problems_of(
    path: &std::path::Path,
    text: Result<String, String>,
) -> (Option<CacheEntry>, Vec<String>) {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let shard = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let e = match text
        .and_then(|t| serde_json::from_str::<CacheEntry>(&t).map_err(|e| e.to_string()))
    {
        Err(e) => return (None, vec![format!("not a cache entry ({e})")]),
        Ok(e) => e,
    };
    if !is_key(stem) || !stem.starts_with(shard) {
        return (
            Some(e),
            vec![
                "misplaced: the file name is not cache/<first two hex digits>/<sha256>.json"
                    .to_string(),
            ],
        );
    }
    if e.key != stem {
        let p = format!("holds key {} under the name {stem}", e.key);
        return (Some(e), vec![p]);
    }
    let mut problems = Vec::new();
    if e.format > crate::cache::FORMAT {
        problems.push(format!(
            "written in format {} by a newer willai: upgrade willai",
            e.format
        ));
        return (Some(e), problems);
    }
    problems.extend(e.tampered());
    match e.asked() {
        None => problems.push(
            "it names no reply schema willai knows, so its reply cannot be checked".to_string(),
        ),
        Some(ask) => {
            let max = e
                .request
                .as_ref()
                .and_then(|r| r["max_tokens"].as_u64())
                .unwrap_or(0) as u32;
            if let Err(why) = answer::read(&ask, &e.response, max) {
                problems.push(format!("the cached reply is not valid: {why}"));
            }
        }
    }
    (Some(e), problems)
}

/// Re-hashes every entry and checks its reply; exit 1 on any problem.
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
        let (entry, problems) = problems_of(path, read(&cache, path));
        if entry.as_ref().is_some_and(|e| !e.is_hashed()) && problems.is_empty() {
            unhashed += 1;
        }
        if !problems.is_empty() {
            bad += 1;
            println!(
                "{}: {}: delete it (a rerun asks again)",
                crate::text::visible_line(&shown),
                crate::text::visible_line(&problems.join("; "))
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

/// The text of an entry file (never through a link, within the cap), or why not.
fn read(cache: &crate::cache::Cache, path: &std::path::Path) -> Result<String, String> {
    cache
        .read(path)
        .and_then(|t| t.ok_or_else(|| "it is gone".to_string()))
}

/// Rewrites first-format entries in the compact format, each verified first (an entry
/// that fails is left as it is and named); the key, and so every lookup, stays.
fn compact(project: &Project, args: &CompactArgs) -> anyhow::Result<()> {
    let _lock = if args.dry_run {
        None
    } else {
        Some(project.lock("cache compact")?)
    };
    let cache = project.cache();
    let files = cache.scan()?.entries;
    let (mut rewritten, mut already, mut before, mut after) = (0usize, 0usize, 0u64, 0u64);
    let mut refused = 0usize;
    for path in &files {
        let text = read(&cache, path);
        let size = text.as_ref().map_or(0, |t| t.len() as u64);
        let (entry, problems) = problems_of(path, text);
        let shown = project.root.display(path);
        let Some(entry) = entry else {
            refused += 1;
            println!(
                "{}: {}: left as it is",
                crate::text::visible_line(&shown),
                crate::text::visible_line(&problems.join("; "))
            );
            continue;
        };
        if !entry.is_first_format() {
            already += 1;
            continue;
        }
        if !problems.is_empty() {
            refused += 1;
            println!(
                "{}: {}: left as it is (delete it; a rerun asks again)",
                crate::text::visible_line(&shown),
                crate::text::visible_line(&problems.join("; "))
            );
            continue;
        }
        let compacted = entry.compacted();
        // The compact entry must give the same reply, confidence included.
        let same = entry.asked().is_some_and(|ask| {
            answer::read(&ask, &entry.response, 0).ok()
                == answer::read(&ask, &compacted.response, 0).ok()
        });
        if !same {
            refused += 1;
            println!(
                "{}: its compact form would read differently: left as it is",
                crate::text::visible_line(&shown)
            );
            continue;
        }
        let new_size = crate::canonical::pretty(&compacted).len() as u64;
        if !args.dry_run {
            cache
                .put(&compacted)
                .with_context(|| format!("cannot rewrite {shown}"))?;
        }
        rewritten += 1;
        before += size;
        after += new_size;
    }
    let verb = if args.dry_run {
        "would rewrite"
    } else {
        "rewrote"
    };
    println!(
        "cache compact: {verb} {rewritten} entries ({before} -> {after} bytes), {already} already compact, {refused} left as they are"
    );
    if refused > 0 {
        return Err(problems(format!(
            "{refused} entries failed verification and were not rewritten (listed above)"
        )));
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
