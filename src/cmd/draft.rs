//! `willai draft`: see the `draft` module.

use crate::cli::DraftArgs;
use crate::project::Project;

pub fn run(project: &Project, args: &DraftArgs) -> anyhow::Result<()> {
    crate::draft::run(project, args)
}
