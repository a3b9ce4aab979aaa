//! `willai init`, `willai completions`, `willai man`: commands that need no project.

use clap::CommandFactory;

use anyhow::Context;

use crate::cli::{Cli, CompletionsArgs, InitArgs, ManArgs};
use crate::init;

pub fn init(args: &InitArgs) -> anyhow::Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| ".".into());
    // A name given is checked before anything is made: a refusal leaves nothing behind.
    if let Some(name) = &args.name {
        init::check_name(name)?;
    }
    // A link whose target is missing: said once, plainly (creating through it fails).
    if let Ok(target) = std::fs::read_link(&dir)
        && !dir.exists()
    {
        return Err(init::InitError::DanglingLink {
            dir: dir.display().to_string(),
            target: target.display().to_string(),
        }
        .into());
    }
    if dir.exists() && !dir.is_dir() {
        return Err(init::InitError::NotADirectory(dir.display().to_string()).into());
    }
    let made = !dir.exists();
    std::fs::create_dir_all(&dir).ok();
    let name = match &args.name {
        Some(n) => n.trim().to_string(),
        None => init::default_name(&dir),
    };
    let written = match init::create(&dir, &name, args.ci) {
        Ok(w) => w,
        Err(e) => {
            if made {
                let _ = std::fs::remove_dir(&dir);
            }
            return Err(e.into());
        }
    };
    for f in &written {
        println!("created {}", dir.join(f).display());
    }
    let cd = match &args.dir {
        Some(d) => format!("cd {} && ", d.display()),
        None => String::new(),
    };
    println!(
        "\n{name} is ready. Next:\n  {cd}git init && git config diff.willai.textconv \"willai textconv\"\n  willai validate                                   # what CI runs\n  willai draft --all --dry-run                      # the prompts, nothing sent\n  export OPENAI_API_KEY=sk-...  (or set base_url in willai.toml for a local server)\n  willai draft --all && willai status\n  willai import onet \"Task Statements.txt\"          # every O*NET occupation"
    );
    println!("Before the first CI run:");
    for line in before_ci(args.ci, &init::Source::of_this_build()) {
        println!("  - {line}");
    }
    Ok(())
}

/// What to set before the first CI run: the site's address, and where CI installs
/// willai from when this binary does not know.
fn before_ci(ci: init::Ci, source: &init::Source) -> Vec<String> {
    let mut out = vec![
        "set base_url under [site] in willai.toml (it says https://example.org, which publish warns about): canonical links, robots.txt and the sitemap use it".to_string(),
    ];
    let file = match ci {
        init::Ci::Github => ".github/workflows/willai.yml",
        init::Ci::Gitlab => ".gitlab-ci.yml",
        init::Ci::None => return out,
    };
    if !source.is_complete() {
        out.push(format!(
            "set WILLAI_GIT and WILLAI_REV in {file}: the git URL of willai and a commit or tag of it (this willai was not built from a clean checkout of a public repository, so CI fails until they are set)"
        ));
    } else {
        out.push(format!(
            "CI installs willai {} from {} (WILLAI_REV and WILLAI_GIT in {file}); push that commit there first if it is only on this machine",
            source.rev.as_deref().unwrap_or_default(),
            source.git.as_deref().unwrap_or_default()
        ));
    }
    if ci == init::Ci::Github {
        out.push("turn on Pages with Settings > Pages > Source: GitHub Actions".to_string());
    }
    out
}

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "willai", &mut std::io::stdout());
    Ok(())
}

pub fn man(args: &ManArgs) -> anyhow::Result<()> {
    let Some(dir) = &args.out else {
        clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
        return Ok(());
    };
    // As clap_mangen's `generate_to`, but each page written atomically.
    fn pages(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
            pages(sub, out)?;
        }
        let man = clap_mangen::Man::new(cmd);
        let mut roff = Vec::new();
        man.render(&mut roff)?;
        out.push((man.get_filename(), roff));
        Ok(())
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    pages(cmd, &mut out)?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {}: check the path", dir.display()))?;
    out.sort();
    for (name, roff) in &out {
        let path = dir.join(name);
        crate::fsx::write_atomic(&path, roff)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
