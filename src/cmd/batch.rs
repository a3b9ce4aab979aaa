//! `willai batch import`: provider batch results into the cache (see `batch`).

use crate::batch::{self, Imported};
use crate::cli::BatchCommand;
use crate::exit::problems;
use crate::project::Project;

pub fn run(project: &Project, cmd: &BatchCommand) -> anyhow::Result<()> {
    let BatchCommand::Import(args) = cmd;
    let _lock = project.lock("batch import")?;
    let mut report = Imported::default();
    // A request line is far smaller than a reply: one limit keeps both from filling memory.
    let limit = project.settings.max_reply_bytes.value;
    let requests = batch::read_requests(&args.requests, limit, &mut report)?;
    batch::import_results(
        &args.results,
        &requests,
        &project.cache(),
        limit,
        &mut report,
    )?;
    for r in &report.refused {
        println!("refused  {r}");
    }
    let replaced = if report.replaced > 0 {
        format!(" ({} replacing a corrupt entry)", report.replaced)
    } else {
        String::new()
    };
    println!(
        "batch import: {} result line(s) for {} request(s): {} stored in the cache{replaced}, {} already there, {} refused",
        report.results,
        report.requests,
        report.stored,
        report.already_cached,
        report.refused.len()
    );
    if report.stored + report.already_cached > 0 {
        println!(
            "next: `willai draft --offline` (with the same selection) writes the records from the cache"
        );
    }
    if !report.refused.is_empty() {
        return Err(problems(format!(
            "{} line(s) refused (listed above); the rest were imported. Draft the refused prompts online, or in a new batch",
            report.refused.len()
        )));
    }
    Ok(())
}
