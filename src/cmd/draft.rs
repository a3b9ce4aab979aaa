//! `willai draft`: plan what is missing or stale, run it through the cache and the
//! endpoint, print the summary, and decide the exit code.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use crate::cli::DraftArgs;
use crate::config::Endpoint;
use crate::draft::batch_out::{self, BatchWriter};
use crate::draft::exec::{Misses, Run};
use crate::draft::plan;
use crate::draft::report::{self, Progress, Tally};
use crate::exit::problems;
use crate::lifecycle::Current;
use crate::llm::Client;
use crate::project::Project;

pub fn run(project: &Project, args: &DraftArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let catalog = project.catalog()?;
    let selected = project.select(&catalog, &args.selection.professions, args.selection.all)?;
    let endpoint = Endpoint::resolve(&project.config, args.endpoint.overrides())?;
    let prompts = project.prompts()?;
    if args.batch_out.is_some() && endpoint.mode == crate::config::Mode::None {
        return Err(crate::exit::usage(
            "batch request files carry the reply schema: use --structured-output json_schema (OpenAI, vLLM) or json_object",
        ));
    }
    let _lock = if args.dry_run {
        None
    } else {
        Some(project.lock("draft")?)
    };

    let cur = Current::new(Some(&endpoint.model), &prompts);
    let mut tally = Tally::default();
    let mut plans = Vec::new();
    for occ in &selected {
        match project.read_record(&occ.slug) {
            Ok(record) => {
                let p = plan::plan(occ, record.as_ref(), &cur, args.redraft);
                if p.units() > 0 {
                    plans.push(p);
                }
            }
            Err(e) => tally.failures.push((occ.slug.clone(), format!("{e:#}"))),
        }
    }
    let total: usize = plans.iter().map(|p| p.units()).sum();
    if total == 0 && tally.failures.is_empty() {
        println!(
            "nothing to draft: every selected task and skill is drafted and current ({} profession(s)); --redraft drafts them again",
            selected.len()
        );
        return Ok(());
    }

    let progress = Arc::new(Progress::new(
        total as u64,
        !args.no_progress && !args.dry_run,
    ));
    let misses = if args.dry_run {
        Misses::DryRun {
            show_prompts: args.show_prompts,
        }
    } else if args.offline {
        Misses::Offline
    } else if let Some(path) = &args.batch_out {
        Misses::Batch(BatchWriter::new(path, batch_out::MAX_LINES))
    } else {
        let p = Arc::clone(&progress);
        Misses::Send(Arc::new(Client::new(
            endpoint.clone(),
            Box::new(move |n| p.notice(n)),
        )?))
    };
    let client = match &misses {
        Misses::Send(c) => Some(Arc::clone(c)),
        _ => None,
    };
    let run = Run {
        project,
        catalog: &catalog,
        prompts: &prompts,
        endpoint: &endpoint,
        cached: project.cache().keys().context("cannot list the cache")?,
        cache: project.cache(),
        plans,
        misses,
        progress: Arc::clone(&progress),
        concurrency: endpoint.concurrency,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(run.execute(&mut tally));
    // The summary is printed whatever happened, so a stopped run still says what it did.
    if args.dry_run {
        println!(
            "dry run: {} prompt(s), {} cached, {} would be sent; nothing was sent",
            tally.units, tally.from_cache, tally.not_cached
        );
        return outcome;
    }
    print!(
        "{}",
        report::summary(
            &tally,
            client.as_ref().map(|c| &c.stats),
            &endpoint,
            &progress.fallbacks(),
            started
        )
    );
    outcome?;
    if args.batch_out.is_some() {
        let files = &tally.batch_files;
        if files.is_empty() {
            println!("batch: every prompt is in the cache; no request file written");
        } else {
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            println!(
                "batch: {} request line(s) in {}\nnext: run them through the provider's batch engine (README: `willai batch import`), then `willai batch import RESULTS.jsonl --requests {}`, then `willai draft` with the same selection and --offline",
                tally.batched,
                names.join(", "),
                names.join(" ")
            );
        }
    }
    if tally.not_cached > 0 && args.offline {
        return Err(problems(format!(
            "{} prompt(s) are not in the cache; run without --offline to send them",
            tally.not_cached
        )));
    }
    if !tally.failures.is_empty() {
        return Err(problems(format!(
            "{} prompt(s) failed (listed above); every success was saved. Run the same command again to retry the failures",
            tally.failures.len()
        )));
    }
    Ok(())
}
