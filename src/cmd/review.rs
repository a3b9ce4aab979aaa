//! `willai review`: the interactive review. Checks that there is a terminal and a
//! reviewer, builds the queue, runs the session (`review::tui`), prints the summary;
//! with `--audit NAME`, the blind judging of an audit's sample (`review::audit_tui`).

use std::io::{IsTerminal, Write};

use crate::cli::ReviewArgs;
use crate::exit::Interrupted;
use crate::project::Project;
use crate::record::Approved;
use crate::review::audit::AuditSession;
use crate::review::audit_tui;
use crate::review::session::Session;
use crate::review::tui::{self, Ended};
use crate::review::{self, ApproveOptions, ReviewError, queue};

pub fn run(project: &Project, args: &ReviewArgs) -> anyhow::Result<()> {
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        return Err(ReviewError::NoTerminal.into());
    }
    let reviewer = review::reviewer(project.settings.reviewer.as_ref(), project.root.dir())?;
    let date = review::date(args.date.as_deref())?;
    if let Some(name) = &args.audit {
        let opts = ApproveOptions {
            reviewer,
            date,
            force: args.force,
            accept_proposal: false,
            how: Approved::OneByOne,
        };
        return judge(project, name, opts, &args.editor);
    }
    let catalog = project.catalog()?;
    let selected = project.select(&catalog, &args.selection.professions, args.selection.all)?;
    let prompts = project.prompts()?;
    let cur = project.current(&prompts);
    let queue = queue::build(&project.store, selected, &cur, args.only, args.order)?;
    if queue.is_empty() {
        println!(
            "nothing to review: no draft awaits approval and no proposal waits (`willai status` shows every state)"
        );
        return Ok(());
    }
    let opts = ApproveOptions {
        reviewer,
        date,
        force: args.force,
        accept_proposal: false,
        how: Approved::OneByOne,
    };
    let mut session = Session::new(&project.store, &catalog, cur, queue, opts);
    let ended = tui::run(&mut session, &args.editor);
    // What was decided is on disk whatever ended the session: say so, then the error.
    // Not `println!`: after a closed terminal, stdout is gone, and that must not panic.
    let summary = session.summary();
    let _ = writeln!(std::io::stdout(), "{summary}");
    // An edit that was not taken is not lost: it goes to a file, and the path is said.
    for (name, text) in session.unsaved_edits() {
        let file = std::env::temp_dir().join(format!(
            "willai-review-{}-{}.txt",
            name.replace('/', "--"),
            std::process::id()
        ));
        let saved = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&file)
            .and_then(|mut f| f.write_all(text.as_bytes()));
        let _ = match saved {
            Ok(()) => writeln!(
                std::io::stdout(),
                "your edit of {name} was not saved in the record; it is in {} (`willai review`, then e, and paste it)",
                file.display()
            ),
            Err(e) => writeln!(
                std::io::stdout(),
                "your edit of {name} was not saved in the record, nor in {} ({e}); here it is:\n{text}",
                file.display()
            ),
        };
    }
    finish(ended?, "`willai review` again goes on")
}

/// `willai review --audit NAME`: the audit's tasks not judged yet, blind.
fn judge(project: &Project, name: &str, opts: ApproveOptions, editor: &str) -> anyhow::Result<()> {
    let catalog = project.catalog()?;
    let prompts = project.prompts()?;
    let cur = project.current(&prompts);
    let mut session = AuditSession::new(&project.store, &catalog, cur, name, opts)?;
    if session.is_empty() {
        println!(
            "nothing to judge: every task of audit {name} is judged (`willai audit report {name}` says what they measure)"
        );
        return Ok(());
    }
    let ended = audit_tui::run(&mut session, editor);
    let summary = session.summary();
    let _ = writeln!(std::io::stdout(), "{summary}");
    finish(
        ended?,
        &format!("`willai review --audit {name}` again goes on"),
    )
}

fn finish(ended: Ended, again: &str) -> anyhow::Result<()> {
    match ended {
        Ended::Quit => Ok(()),
        Ended::Stopped(signal) => Err(Interrupted {
            signal,
            message: format!("every decision made is saved; {again}"),
        }
        .into()),
    }
}
