//! `willai init`, `willai completions`, `willai man`: commands that need no project.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, InitArgs};
use crate::init;

pub fn init(args: &InitArgs) -> anyhow::Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| ".".into());
    // A name given is checked before anything is made: a refusal leaves nothing behind.
    if let Some(name) = &args.name {
        init::check_name(name)?;
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
    let written = match init::create(&dir, &name) {
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
    Ok(())
}

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "willai", &mut std::io::stdout());
    Ok(())
}

pub fn man() -> anyhow::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
    Ok(())
}
