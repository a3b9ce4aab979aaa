//! `willai eval` (placeholder, being written).

use crate::cli::EvalArgs;
use crate::project::Project;

pub fn run(_project: &Project, _args: &EvalArgs) -> anyhow::Result<()> {
    Err(crate::exit::usage("willai eval is not written yet"))
}
