//! `willai draft`: plan what is missing or stale, run it through the cache and the
//! endpoint, print the summary, and decide the exit code.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use crate::cli::DraftArgs;
use crate::config::Origin;
use crate::config::{ConfigError, StructuredOutput};
use crate::draft::DraftError;
use crate::draft::apply::RecordSink;
use crate::draft::batch_out::{self, BatchWriter};
use crate::draft::dry_run::dry_run;
use crate::draft::estimate::{Counter, Estimate};
use crate::draft::exec::{Misses, Scheduler};
use crate::draft::lookup::Lookup;
use crate::draft::plan;
use crate::draft::report::{self, Progress, Tally};
use crate::exit::{Interrupted, problems};
use crate::lifecycle::Current;
use crate::llm::{Client, remembered};
use crate::project::Project;

pub fn run(project: &Project, args: &DraftArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let catalog = project.catalog()?;
    let selected = project.select(&catalog, &args.selection.professions, args.selection.all)?;
    let endpoint = project.endpoint()?;
    let prompts = project.prompts()?;
    if args.batch_out.is_some() && endpoint.mode == StructuredOutput::None {
        return Err(DraftError::BatchNeedsSchema.into());
    }
    let _lock = if args.dry_run {
        None
    } else {
        Some(project.lock("draft")?)
    };

    let cur = Current::new(Some(&endpoint.model), &prompts)
        .with_origin(project.settings.model.as_ref().map(|m| &m.origin));
    let mut tally = Tally::default();
    let (plans, unreadable) = plan::plan_all(&project.store, &selected, &cur, args.redraft);
    for (slug, e) in unreadable {
        tally.failures.push((slug, e.to_string()));
    }
    let total: usize = plans.iter().map(|p| p.units()).sum();
    if total == 0 && tally.failures.is_empty() {
        println!(
            "nothing to draft: every selected task and skill is drafted and current ({} profession(s)); --redraft drafts them again",
            selected.len()
        );
        return Ok(());
    }
    // A tokens/min budget smaller than one request would send it and then wait forever.
    let sends = !(args.dry_run || args.offline || args.batch_out.is_some());
    if let (Some(tpm), true) = (endpoint.tpm, sends)
        && let Some((needed, label)) = plan::largest_request(&plans, &catalog, &prompts, &endpoint)?
        && needed > tpm
    {
        let origin = project
            .settings
            .tokens_per_minute
            .as_ref()
            .map(|r| r.origin.clone())
            .unwrap_or(crate::config::Origin::Default);
        return Err(ConfigError::BudgetTooSmall {
            tpm,
            origin,
            needed,
            label,
        }
        .into());
    }
    let lookup = Lookup {
        cached: project.cache().keys().context("cannot list the cache")?,
        cache: project.cache(),
        endpoint: &endpoint,
        root: &project.root,
        same_host: args.same_host,
        no_model_check: args.no_model_check,
    };

    if args.dry_run {
        let mut counter = Counter::for_model(&endpoint.model);
        let mut estimate = Estimate::new(&endpoint);
        dry_run(
            &plans,
            &catalog,
            &prompts,
            &lookup,
            &mut counter,
            &mut estimate,
            &mut |row| {
                let status = match &row.cached {
                    Some(key) => format!("cached {}", &key[..12]),
                    None => "not cached: would send".to_string(),
                };
                println!("{:<60} {status}  [{}]", row.label, row.why);
                if args.show_prompts {
                    for m in &row.messages {
                        println!("--- {}\n{}", m.role, m.content);
                    }
                    println!("---");
                }
            },
        )?;
        let figures = estimate.figures(&lookup.cache, &endpoint, counter.encoding());
        print!("{}", figures.lines(&endpoint));
        return Ok(());
    }

    let progress = Arc::new(Progress::new(total as u64, !args.no_progress));
    let misses = if args.offline {
        Misses::Offline
    } else if let Some(path) = &args.batch_out {
        Misses::Batch(BatchWriter::new(path, batch_out::MAX_LINES))
    } else if !endpoint.is_configured() {
        Misses::NoEndpoint
    } else if let Err(refusal) = endpoint.check_consent(project.root.dir()) {
        // willai.toml chose the endpoint and the user has not consented to their key
        // going there: the run stops at the first prompt it would send (a rerun from the
        // cache needs no consent), before any request is made.
        Misses::Untrusted(Some(refusal))
    } else {
        let p = Arc::clone(&progress);
        let client = Client::new(endpoint.clone(), Box::new(move |n| p.notice(n)))?;
        // A mode this endpoint refused before is not asked for again (unless the command
        // line asks for it).
        let typed = matches!(
            project.settings.structured_output.origin,
            Origin::Flag(_) | Origin::Env(_)
        );
        match remembered::mode(&endpoint) {
            Ok(Some(mode))
                if !typed && mode != endpoint.mode && endpoint.mode.chain().contains(&mode) =>
            {
                client.start_in(mode);
                progress.line(&format!(
                    "structured output: {} refused {} before, so this run starts in {mode} (remembered in {}; remove that line, or pass --structured-output {}, to try it again)",
                    endpoint.shown_url(),
                    endpoint.mode,
                    remembered::path().map(|p| remembered::shown(&p)).unwrap_or_default(),
                    endpoint.mode
                ));
            }
            Ok(_) => {}
            Err(why) => progress.line(&format!(
                "structured output: the modes remembered per endpoint are not read ({why}): fix or remove the file"
            )),
        }
        Misses::Send(Arc::new(client))
    };
    let started_in = match &misses {
        Misses::Send(c) => Some(c.mode()),
        _ => None,
    };
    let client = match &misses {
        Misses::Send(c) => Some(Arc::clone(c)),
        _ => None,
    };
    let scheduler = Scheduler {
        catalog: &catalog,
        prompts: &prompts,
        lookup,
        misses,
        progress: Arc::clone(&progress),
    };
    let mut sink = RecordSink {
        store: &project.store,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(scheduler.run(plans, &mut sink, &mut tally));
    // A fallback this run made is remembered for the next one, on this machine only.
    if let (Some(c), Some(from)) = (&client, started_in)
        && c.mode() != from
    {
        match remembered::remember(&endpoint, c.mode()) {
            Ok(path) => progress.line(&format!(
                "structured output: remembered that {} takes {} (in {}): the next run starts there",
                endpoint.shown_url(),
                c.mode(),
                remembered::shown(&path)
            )),
            Err(e) => progress.line(&format!(
                "structured output: cannot remember the fallback ({e}); the next run will fall back again"
            )),
        }
    }
    // The summary is printed whatever happened, so a stopped run still says what it did.
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
    if let Some(signal) = outcome? {
        return Err(Interrupted {
            signal,
            message: format!(
                "{} answer(s) were saved to the cache and records; run the same command again to continue",
                tally.sent + tally.from_cache
            ),
        }
        .into());
    }
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
    if tally.unsaved > 0 {
        return Err(problems(format!(
            "{} record(s) could not be written (listed above); every other success was saved. Fix the cause, then run the same command again: the answers come from the cache",
            tally.unsaved
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
