//! `willai eval`: agreement between two sets of exposure labels (a file column against
//! human labels, or the project's records), or with `--overrides` how often editors
//! changed the machine's level. A table for people, stable JSON for scripts. Exit 0
//! whenever the report is produced, however low the agreement.

use anyhow::Context;

use super::emit;
use crate::canonical;
use crate::cli::EvalArgs;
use crate::eval::{EvalError, LabelMap, load, overrides, report::Agreement};
use crate::project::Project;

pub fn run(project: &Project, args: &EvalArgs) -> anyhow::Result<()> {
    if args.overrides {
        let catalog = project.catalog()?;
        let report = overrides::collect(&project.store, &catalog)?;
        return emit(&if args.json {
            canonical::pretty(&report)
        } else {
            report.table()
        });
    }
    let Some(gold_path) = &args.gold else {
        return Err(EvalError::NoGold.into());
    };
    let map = LabelMap::parse(&args.map)?;
    let gold = load::file(gold_path, &args.gold_column, "--gold-column", &map)?;
    let predicted = match (&args.predicted, &args.predicted_column) {
        (Some(path), Some(column)) => load::file(path, column, "--predicted-column", &map)?,
        (Some(_), None) => return Err(EvalError::NoPredictedColumn.into()),
        (None, _) => {
            let catalog = project.catalog()?;
            let (set, notes) = load::records(&project.store, &catalog, args.approved).context(
                "cannot use the project's records as predictions (to compare two files instead, pass --predicted FILE --predicted-column COL)",
            )?;
            if notes.onet_tasks == 0 {
                eprintln!(
                    "eval: no catalog task has an O*NET Task ID (`onet_task_id`), so the records predict nothing: import tasks with `willai import onet FILE`, or compare with --predicted FILE"
                );
            }
            if notes.edited_after_approval > 0 {
                eprintln!(
                    "eval: {} approved task(s) were edited after approval and are left out: `willai validate` lists them; re-approve them",
                    notes.edited_after_approval
                );
            }
            set
        }
    };
    let report = Agreement::build(&gold, &predicted, &map, args.by_occupation);
    emit(&if args.json {
        canonical::pretty(&report)
    } else {
        report.table(&gold.source, &predicted.source)
    })
}
