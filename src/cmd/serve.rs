//! `willai serve`: the preview server until Ctrl-C (see `crate::serve`).

use crate::cli::ServeArgs;
use crate::config::CommandLine;
use crate::exit::Interrupted;
use crate::project::Project;
use crate::serve::{self, Request};

pub fn run(project: &Project, given: CommandLine, args: &ServeArgs) -> anyhow::Result<()> {
    let signal = serve::run(Request {
        root: Some(project.root.dir().to_path_buf()),
        given,
        drafts: args.drafts,
        port: args.port,
    })?;
    // A preview ends by a signal; the shell's convention tells a script how.
    Err(Interrupted {
        signal,
        message: "stopped serving (nothing was written outside its temporary folder)".into(),
    }
    .into())
}
