//! `willai eval`: agreement between two sets of exposure labels (a file column against
//! human labels, or the project's records), or with `--overrides` how often editors
//! changed the machine's level. A table for people, stable JSON for scripts. Exit 0
//! whenever the report is produced, however low the agreement.

use anyhow::Context;

use crate::canonical;
use crate::cli::EvalArgs;
use crate::eval::{EvalError, LabelMap, load, overrides, report::Report};
use crate::exit::usage;
use crate::project::Project;

/// Input and flag problems exit 2; read failures exit 1.
fn fail(err: EvalError) -> anyhow::Error {
    if err.is_usage() {
        usage(err.to_string())
    } else {
        anyhow::Error::new(err)
    }
}

/// Prints the report; a reader that stops early (`| head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("cannot write the report to stdout"))
        }
        _ => Ok(()),
    }
}

pub fn run(project: &Project, args: &EvalArgs) -> anyhow::Result<()> {
    if args.overrides {
        let report = overrides::collect(project)?;
        return emit(&if args.json {
            canonical::pretty(&report)
        } else {
            report.table()
        });
    }
    let Some(gold_path) = &args.gold else {
        return Err(usage(
            "name the gold labels: --gold FILE (and --gold-column COL), or use --overrides",
        ));
    };
    let map = LabelMap::parse(&args.map).map_err(fail)?;
    let gold = load::file(gold_path, &args.gold_column, "--gold-column", &map).map_err(fail)?;
    let predicted = match (&args.predicted, &args.predicted_column) {
        (Some(path), Some(column)) => {
            load::file(path, column, "--predicted-column", &map).map_err(fail)?
        }
        (Some(_), None) => {
            return Err(usage(
                "--predicted FILE needs --predicted-column COL: the column to compare",
            ));
        }
        (None, _) => {
            let (set, notes) = load::records(project, args.approved).context(
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
    let report = Report::build(&gold, &predicted, &map, args.by_occupation);
    emit(&if args.json {
        canonical::pretty(&report)
    } else {
        report.table(&gold.source, &predicted.source)
    })
}
