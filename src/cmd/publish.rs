//! `willai publish`: loads approved content, builds the site, reports what it did.

use anyhow::Context;

use crate::cli::PublishArgs;
use crate::exit::usage;
use crate::project::Project;
use crate::publish::{self, Site, model};

fn pick(flag: &Option<String>, file: &Option<String>) -> Option<String> {
    flag.clone()
        .or_else(|| file.clone())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The masthead and base URL: flags, then `[site]` of willai.toml; never the clock.
fn site(project: &Project, args: &PublishArgs) -> anyhow::Result<Site> {
    let cfg = &project.config.site;
    let base_url = pick(&args.base_url, &cfg.base_url).ok_or_else(|| {
        usage("no base URL for canonical links and the sitemap: pass --base-url https://example.org or set `base_url` under [site] in willai.toml")
    })?;
    let parsed = reqwest::Url::parse(&base_url)
        .map_err(|e| usage(format!("--base-url {base_url:?} is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(usage(format!(
            "--base-url {base_url:?} must start with http:// or https://"
        )));
    }
    let mut edition = Vec::new();
    if let Some(v) = pick(&args.volume, &cfg.volume) {
        edition.push(format!("Vol. {v}"));
    }
    if let Some(n) = pick(&args.number, &cfg.number) {
        edition.push(format!("No. {n}"));
    }
    if let Some(d) = pick(&args.date, &cfg.date) {
        let date: jiff::civil::Date = d.parse().map_err(|_| {
            usage(format!(
                "the edition date {d:?} is not a date: use YYYY-MM-DD"
            ))
        })?;
        edition.push(date.strftime("%B %-d, %Y").to_string());
    }
    Ok(Site {
        name: pick(&args.site_name, &cfg.name).unwrap_or_else(|| "WillAIReplaceMe".to_string()),
        edition,
        base_url: base_url.trim_end_matches('/').to_string(),
    })
}

pub fn run(project: &Project, args: &PublishArgs) -> anyhow::Result<()> {
    let site = site(project, args)?;
    let catalog = project.catalog()?;
    let mut records = Vec::new();
    for occ in &catalog.occupations {
        if let Some(r) = project
            .read_record(&occ.slug)
            .context("fix the records before publishing")?
        {
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
