//! The terminal side of `willai review --audit`: the blind screen (the task and its
//! profession, the rubric, no level), the reveal (the editor's level beside the draft and
//! the record as it is now), and the keys. Raw mode, the alternate screen, signals,
//! `$EDITOR` and the way out are `tui`'s, shared with `willai review`.

use crossterm::event::{KeyCode, KeyModifiers};

use super::audit::{AuditSession, Phase, Summary, View};
use super::screen::{self, Line, Style, field, note_lines, span};
use super::session::{Decision, Note, OnScreen, Tone};
use super::tui::{self, Ended, Guard, Next, Stop};
use crate::record::Level;

/// The keys of each screen.
pub const BLIND_KEYS: &str = "1 HIGH  2 MEDIUM  3 LOW  s skip  u undo  q quit";
pub const REVEALED_KEYS: &str =
    "c set the record to your level  e edit  a approve  n next  u undo  q quit";
pub const FINISHED_KEYS: &str = "u undo the last decision   any other key quits";

/// The rubric, as the prompt gives it to the model (Eloundou et al. 2023).
const RUBRIC: [(Level, &str); 3] = [
    (
        Level::High,
        "a language model alone (a chat interface) could cut the time the task takes by half or more at the same quality",
    ),
    (
        Level::Medium,
        "that would take software built on top of a language model",
    ),
    (Level::Low, "neither: the task is resilient"),
];

fn header(view: &View, reviewer: &str) -> Line {
    vec![span(
        Style::Dim,
        format!(
            "willai review --audit {}   task {} of {}   {} judged   reviewer {reviewer}",
            view.name, view.number, view.total, view.judged
        ),
    )]
}

fn task_lines(view: &View, width: usize) -> Vec<Line> {
    let mut out = Vec::new();
    let profession = match view.occupation {
        Some(o) => match &o.onet_soc {
            Some(soc) => format!("{} (O*NET {soc})", o.name),
            None => o.name.clone(),
        },
        None => format!("{} (no longer in the catalog)", view.item.profession),
    };
    out.extend(field(
        "profession",
        vec![span(Style::Plain, profession)],
        width,
    ));
    let statement = view
        .statement
        .clone()
        .unwrap_or_else(|| format!("{} (no longer in the catalog)", view.item.task));
    out.extend(field("task", vec![span(Style::Bold, statement)], width));
    if let Some(kind) = view
        .occupation
        .and_then(|o| o.task(&view.item.task))
        .and_then(|t| t.kind)
    {
        out.extend(field(
            "type",
            vec![span(Style::Plain, format!("{kind:?}"))],
            width,
        ));
    }
    out
}

/// The blind screen: nothing of the draft.
fn blind(view: &View, reviewer: &str, note: Option<&Note>, width: usize) -> Vec<Line> {
    let mut out = vec![
        header(view, reviewer),
        vec![span(
            Style::Dim,
            "judge blind: the drafted level shows once you have given yours",
        )],
        Vec::new(),
    ];
    out.extend(task_lines(view, width));
    out.push(Vec::new());
    out.push(vec![span(Style::Plain, "which level is right?")]);
    for (i, (level, says)) in RUBRIC.iter().enumerate() {
        out.extend(field(
            &format!("  {} {}", i + 1, level.as_str()),
            vec![span(Style::Plain, *says)],
            width,
        ));
    }
    out.push(Vec::new());
    out.push(vec![span(Style::Dim, BLIND_KEYS)]);
    out.extend(note_lines(note, width));
    out
}

fn level(l: Option<Level>) -> Vec<crate::review::screen::Span> {
    match l {
        Some(l) => vec![span(Style::Level(l), l.as_str())],
        None => vec![span(Style::Dim, "(none)")],
    }
}

/// The reveal: the editor's level, the drafted one, and the record as it is now.
fn revealed(view: &View, reviewer: &str, note: Option<&Note>, width: usize) -> Vec<Line> {
    let mut out = vec![header(view, reviewer), Vec::new()];
    out.extend(task_lines(view, width));
    out.push(Vec::new());
    let judged = view.item.judged;
    out.extend(field("you judged", level(judged), width));
    let mut drafted = level(Some(view.item.drafted));
    drafted.push(if judged == Some(view.item.drafted) {
        span(Style::Done, "   you agree")
    } else {
        span(Style::Warning, "   you differ")
    });
    out.extend(field("drafted", drafted, width));
    let record = view.record.as_ref();
    match record.map(|r| &r.shown) {
        Some(OnScreen::Task(e)) => {
            let state = record
                .and_then(|r| r.state.as_ref())
                .map_or("", |s| s.state.as_str());
            let mut now = level(e.content.level);
            now.push(span(Style::Dim, format!("   {state}")));
            now.push(span(
                Style::Dim,
                screen::confidence(
                    e.machine
                        .as_ref()
                        .and_then(|m| m.provenance.confidence.as_ref()),
                ),
            ));
            out.extend(field("record now", now, width));
            if let Some(title) = &e.content.title {
                out.extend(field(
                    "title",
                    vec![span(Style::Plain, title.clone())],
                    width,
                ));
            }
            let text = |t: Option<&str>| match t {
                Some(t) if !t.is_empty() => span(Style::Plain, t.to_string()),
                _ => span(Style::Dim, "(none)"),
            };
            out.extend(field(
                "rationale",
                vec![text(e.content.rationale.as_deref())],
                width,
            ));
            let tools = e.content.tools.as_deref().unwrap_or_default().join(", ");
            out.extend(field("tools", vec![text(Some(&tools))], width));
            out.extend(field("tip", vec![text(e.content.tip.as_deref())], width));
            if e.proposal.is_some() {
                out.extend(field(
                    "proposal",
                    vec![span(
                        Style::Warning,
                        "new machine text waits beside this one: `willai review -p` shows it",
                    )],
                    width,
                ));
            }
        }
        _ => out.extend(field(
            "record now",
            vec![span(
                Style::Warning,
                "the task is no longer in the record: n goes on",
            )],
            width,
        )),
    }
    out.push(Vec::new());
    out.push(vec![span(Style::Dim, REVEALED_KEYS)]);
    out.extend(note_lines(note, width));
    out
}

/// The screen after the last task.
fn finished(name: &str, summary: &Summary, note: Option<&Note>, width: usize) -> Vec<Line> {
    let mut out = vec![
        vec![span(
            Style::Bold,
            format!("willai review --audit {name}: no task left to judge in this run"),
        )],
        Vec::new(),
        vec![span(Style::Plain, summary.to_string())],
        vec![span(
            Style::Plain,
            format!("`willai audit report {name}` says what the judgments measure"),
        )],
        Vec::new(),
        vec![span(Style::Dim, FINISHED_KEYS)],
    ];
    out.extend(note_lines(note, width));
    out
}

fn warning(text: String) -> Note {
    Note {
        tone: Tone::Warning,
        text,
    }
}

/// Runs the judging until the editor quits; the terminal is restored however it ends.
pub fn run(session: &mut AuditSession, editor: &str) -> anyhow::Result<Ended> {
    crate::signals::catch();
    let _guard = Guard::new()?;
    let mut note: Option<Note> = None;
    let failed = |e: anyhow::Error| {
        warning(format!(
            "not done: {e:#}; fix it and press the key again, or q quits"
        ))
    };
    loop {
        let (rows, cols) = tui::size();
        if let Some(signal) = tui::stop_reason() {
            return Ok(Ended::Stopped(signal));
        }
        let reviewer = session.reviewer().to_string();
        let name = session.name().to_string();
        let (lines, on_task) = match session.current() {
            Ok(Some(view)) => (
                match view.phase {
                    Phase::Blind => blind(&view, &reviewer, note.as_ref(), cols),
                    Phase::Revealed => revealed(&view, &reviewer, note.as_ref(), cols),
                },
                Some(view.phase),
            ),
            Ok(None) => (
                finished(&name, &session.summary(), note.as_ref(), cols),
                None,
            ),
            // A file another program broke: say so and wait; what was decided is on disk.
            Err(e) => (
                screen::unreadable(&format!("{e:#}"), cols),
                Some(Phase::Blind),
            ),
        };
        match tui::show(&lines, rows, cols) {
            Ok(()) => {}
            Err(Stop::Signal(signal)) => return Ok(Ended::Stopped(signal)),
            Err(Stop::Error(e)) => return Err(e.into()),
        }
        let key = match tui::next_key()? {
            Next::Stopped(signal) => return Ok(Ended::Stopped(signal)),
            Next::Resize => continue,
            Next::Key(k) => k,
        };
        if tui::is_interrupt(&key) {
            return Ok(Ended::Stopped(libc::SIGINT));
        }
        note = match (key.code, on_task) {
            (KeyCode::Char('q') | KeyCode::Esc, _) => return Ok(Ended::Quit),
            (KeyCode::Char('d'), _) if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Ok(Ended::Quit);
            }
            (KeyCode::Char('u'), _) => Some(session.undo().unwrap_or_else(failed)),
            (_, None) => return Ok(Ended::Quit),
            (KeyCode::Char(c @ ('1' | '2' | '3')), Some(_)) => {
                let level = Level::ALL[(c as u8 - b'1') as usize];
                Some(session.judge(level).unwrap_or_else(failed))
            }
            (KeyCode::Char('s' | 'n' | ' ') | KeyCode::Right | KeyCode::Enter, Some(_)) => {
                Some(session.go_on())
            }
            (KeyCode::Char('c'), Some(Phase::Revealed)) => {
                Some(session.correct().unwrap_or_else(failed))
            }
            (KeyCode::Char('a'), Some(Phase::Revealed)) => {
                Some(session.decide(Decision::Approve).unwrap_or_else(failed))
            }
            (KeyCode::Char('e'), Some(Phase::Revealed)) => match session.edit_text() {
                Ok(Some(text)) => match tui::edit_in(editor, &text) {
                    Ok(edited) => Some(
                        session
                            .decide(Decision::Edit(edited))
                            .unwrap_or_else(failed),
                    ),
                    Err(e) => Some(warning(format!("{e:#}"))),
                },
                Ok(None) => Some(warning("nothing to edit: n goes on".into())),
                Err(e) => Some(failed(e)),
            },
            (_, Some(Phase::Blind)) => Some(warning(format!(
                "no key {:?} before you judge: {BLIND_KEYS}",
                key.code
            ))),
            (_, Some(Phase::Revealed)) => {
                Some(warning(format!("no key {:?}: {REVEALED_KEYS}", key.code)))
            }
        };
    }
}
