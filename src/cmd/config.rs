//! `willai config`: the settings in effect and where each comes from, so "which endpoint
//! will this draft with?" has an answer before anything is sent. The API key is shown as
//! set or not, never its value; a URL's password never.

use crate::cli::ConfigArgs;
use crate::config::{Endpoint, Origin, Resolved, Settings, redact_url};
use crate::project::Project;

fn row<T: ToString>(out: &mut String, name: &str, r: Option<&Resolved<T>>) {
    let (value, origin) = match r {
        Some(r) => (r.value.to_string(), r.origin.to_string()),
        None => ("(not set)".to_string(), String::new()),
    };
    out.push_str(&format!("{name:<24} {value:<40} {origin}\n"));
}

fn table(s: &Settings) -> String {
    let mut out = String::new();
    row(&mut out, "model", s.model.as_ref());
    let url = Resolved {
        value: redact_url(&s.base_url.value),
        origin: s.base_url.origin.clone(),
    };
    row(&mut out, "base_url", Some(&url));
    row(&mut out, "api_key", s.api_key.as_ref());
    row(&mut out, "concurrency", Some(&s.concurrency));
    row(
        &mut out,
        "requests_per_minute",
        s.requests_per_minute.as_ref(),
    );
    row(&mut out, "tokens_per_minute", s.tokens_per_minute.as_ref());
    row(&mut out, "timeout_secs", Some(&s.timeout_secs));
    row(
        &mut out,
        "connect_timeout_secs",
        Some(&s.connect_timeout_secs),
    );
    row(&mut out, "retries", Some(&s.retries));
    row(&mut out, "retry_base_secs", Some(&s.retry_base_secs));
    row(&mut out, "max_reply_bytes", Some(&s.max_reply_bytes));
    row(&mut out, "structured_output", Some(&s.structured_output));
    row(&mut out, "confidence", Some(&s.confidence));
    row(&mut out, "samples", Some(&s.samples));
    row(&mut out, "temperature", Some(&s.temperature));
    row(&mut out, "seed", Some(&s.seed));
    row(&mut out, "max_tokens", Some(&s.max_tokens));
    row(&mut out, "[site] name", Some(&s.site.name));
    row(&mut out, "[site] base_url", s.site.base_url.as_ref());
    row(&mut out, "[site] volume", s.site.volume.as_ref());
    row(&mut out, "[site] number", s.site.number.as_ref());
    row(&mut out, "[site] date", s.site.date.as_ref());
    row(&mut out, "[site] license", s.site.license.as_ref());
    row(&mut out, "[site] license_url", s.site.license_url.as_ref());
    row(&mut out, "[site] signup_url", s.site.signup_url.as_ref());
    row(&mut out, "[site] signup_text", s.site.signup_text.as_ref());
    row(
        &mut out,
        "[site] rank_coverage",
        Some(&s.site.rank_coverage),
    );
    row(
        &mut out,
        "[site] rank_min_tasks",
        Some(&s.site.rank_min_tasks),
    );
    row(&mut out, "[site] deep_dives", Some(&s.site.deep_dives));
    for (model, p) in &s.prices {
        out.push_str(&format!(
            "{:<24} ${} in, ${} out per 1M tokens\n",
            format!("[prices] {model}"),
            p.input,
            p.output
        ));
    }
    out
}

pub fn run(project: &Project, args: &ConfigArgs) -> anyhow::Result<()> {
    let mut s = project.settings.clone();
    s.base_url.value = redact_url(&s.base_url.value);
    if args.json {
        print!("{}", crate::canonical::pretty(&s));
    } else {
        // Values come from willai.toml too: no raw control sequence.
        print!("{}", crate::text::visible(&table(&s)));
    }
    // The values as `draft` will check them (a model aside: not every command needs
    // one), so a bad one is said here, where it is looked for, not at the next draft.
    let mut checked = project.settings.clone();
    if checked.model.is_none() {
        checked.model = Some(Resolved {
            value: "any".into(),
            origin: Origin::Default,
        });
    }
    if let Some(warning) = s
        .site
        .base_url
        .as_ref()
        .and_then(|u| crate::init::example_site_warning(&u.value))
    {
        eprintln!("{warning}");
    }
    Endpoint::new(&checked)?;
    Ok(())
}
