//! One small file per subcommand: each opens the project, calls into the pipeline
//! modules, and prints. Dispatch is here.

mod draft;

use crate::cli::{Cli, Command};
use crate::project::Project;

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let project = Project::open(cli.root.as_deref())?;
    match cli.command {
        Command::Draft(args) => draft::run(&project, &args),
        _ => Err(crate::exit::usage("not implemented yet")),
    }
}
