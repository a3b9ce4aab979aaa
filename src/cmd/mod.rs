//! One small file per subcommand: each opens the project, calls into the pipeline
//! modules, and prints. Dispatch is here.

mod approve;
mod audit;
mod batch;
mod cache;
mod config;
mod diff;
mod draft;
mod eval;
mod import;
mod init;
mod publish;
mod review;
mod serve;
pub mod status;
mod trust;
mod validate;

use crate::cli::{Cli, Command, Sources};
use crate::project::Project;
use crate::root::RootError;

pub fn run(cli: Cli, sources: &Sources) -> anyhow::Result<()> {
    // Commands that need no project. git runs textconv on a temporary copy, from
    // anywhere: a broken willai.toml must not hide a record's diff.
    let root = cli.root(sources)?;
    match &cli.command {
        Command::Init(args) => return init::init(args),
        Command::Completions(args) => return init::completions(args),
        Command::Man(args) => return init::man(args),
        Command::Textconv(args) => return diff::textconv(root.as_deref(), args),
        _ => {}
    }
    let given = cli.command.given(sources);
    let project = Project::open(root.as_deref(), given.clone())?;
    // `eval` of one file against another, and `config` (what willai would use here),
    // need no project; everything else works on one.
    if !project.root.is_declared()
        && !matches!(
            cli.command,
            Command::Eval(_)
                | Command::Config(_)
                | Command::Trust(crate::cli::TrustArgs { list: true, .. })
        )
    {
        return Err(RootError::NoProject {
            dir: project.root.dir().display().to_string(),
        }
        .into());
    }
    match cli.command {
        Command::Draft(args) => draft::run(&project, &args),
        Command::Status(args) => status::run(&project, &args),
        Command::Approve(args) => approve::approve(&project, &args),
        Command::Reject(args) => approve::reject(&project, &args),
        Command::Review(args) => review::run(&project, &args),
        Command::Diff(args) => diff::run(&project, &args),
        Command::Validate(args) => validate::validate(&project, &args),
        Command::Fmt(args) => validate::fmt(&project, &args),
        Command::Schema(args) => validate::schema(&project, &args),
        Command::Publish(args) => publish::run(&project, &args),
        Command::Serve(args) => serve::run(&project, given, &args),
        Command::Eval(args) => eval::run(&project, &args),
        Command::Audit(cmd) => audit::run(&project, &cmd),
        Command::Import(cmd) => import::run(&project, &cmd),
        Command::Cache(cmd) => cache::run(&project, &cmd),
        Command::Batch(cmd) => batch::run(&project, &cmd),
        Command::Config(args) => config::run(&project, &args),
        Command::Trust(args) => trust::run(&project, &args),
        Command::Init(_) | Command::Completions(_) | Command::Man(_) | Command::Textconv(_) => {
            unreachable!("handled before the project is opened")
        }
    }
}

/// Prints a command's output; a reader that stops early (`| head`, git's pager) is not an
/// error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write to stdout"))
        }
        _ => Ok(()),
    }
}
