//! `willai trust`: the user's consent for this project's willai.toml to send their key to
//! the endpoint it names (see `config::consent`), listed and revoked too.

use crate::cli::TrustArgs;
use crate::config::consent::{self, KeyConsent, Trust};
use crate::config::redact_url;
use crate::project::Project;

pub fn run(project: &Project, args: &TrustArgs) -> anyhow::Result<()> {
    let store = consent::store_path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(no XDG_CONFIG_HOME or HOME: nowhere)".into());
    let mut trusts = consent::load()?;
    if args.list {
        if trusts.is_empty() {
            println!("no endpoint is trusted ({store})");
        }
        for t in &trusts {
            println!("{}  {}", t.endpoint, t.project);
        }
        return Ok(());
    }
    let here = consent::project_key(project.root.dir());
    if args.revoke {
        let before = trusts.len();
        trusts.retain(|t| t.project != here);
        let gone = before - trusts.len();
        if gone > 0 {
            consent::save(trusts)?;
        }
        println!("revoked {gone} consent(s) of {here} ({store})");
        return Ok(());
    }
    let Some(url) = project
        .file
        .base_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    else {
        println!(
            "nothing to trust: willai.toml names no base_url, so the key goes only where you point it (OPENAI_BASE_URL, --base-url, or the default)"
        );
        return Ok(());
    };
    let shown = redact_url(url);
    if consent::origin(url).is_none() {
        anyhow::bail!(crate::config::ConfigError::Consent(format!(
            "willai.toml's base_url {shown:?} is not a URL with a host: fix it first"
        )));
    }
    match consent::needed(url, true, true) {
        KeyConsent::Needed { endpoint } => {
            if !trusts
                .iter()
                .any(|t| t.project == here && t.endpoint == endpoint)
            {
                trusts.push(Trust {
                    project: here.clone(),
                    endpoint: endpoint.clone(),
                });
            }
            let path = consent::save(trusts)?;
            println!(
                "trusted {endpoint} (willai.toml's base_url {shown}) with OPENAI_API_KEY for {here}, recorded in {}; another endpoint in willai.toml needs another `willai trust`",
                path.display()
            );
        }
        _ => println!(
            "nothing to trust: {shown} is this machine (loopback) or the default endpoint, where the key may go without consent"
        ),
    }
    Ok(())
}
