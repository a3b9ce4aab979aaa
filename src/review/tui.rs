//! The terminal side of `willai review`: raw mode and the alternate screen, one key per
//! decision, `$EDITOR` for edits. Everything decided is already on disk when a key
//! returns (`session`), so this layer only has to leave the terminal as it found it:
//! a guard restores it on every way out (quit, Ctrl-C, which arrives as a key in raw
//! mode, an error, and a panic, through a hook installed for the session).

use std::io::{self, Write};
use std::path::Path;
use std::process::Command;

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::style::{Attribute, Color, Print, ResetColor, SetAttribute, SetForegroundColor};
use crossterm::{cursor, execute, queue, terminal};

use super::screen::{self, Line, Style};
use super::session::{Decision, Note, Session, Tone};
use crate::record::Level;

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// `q`, or any key on the last screen.
    Quit,
    /// Ctrl-C (a key in raw mode, or SIGINT), SIGTERM or SIGHUP (`kill`, a closed
    /// terminal), with the signal's number.
    Stopped(i32),
}

/// Waits up to `ms` for the terminal to have input; `true` when it went away (its window
/// closed, the connection dropped). crossterm's own wait spins forever on a terminal
/// that is gone, deaf to signals, so it is only asked once this says the terminal is
/// there (and then without waiting).
fn hung_up_waiting(ms: i32) -> bool {
    #[cfg(unix)]
    {
        let mut fd = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; it only reports the fd's state.
        let n = unsafe { libc::poll(&mut fd, 1, ms) };
        n > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
    #[cfg(not(unix))]
    {
        std::thread::sleep(std::time::Duration::from_millis(ms as u64));
        false
    }
}

fn hung_up() -> bool {
    hung_up_waiting(0)
}

/// A stopping signal, or the terminal gone (as SIGHUP, which is what a closed terminal
/// sends when it is the session's).
pub(super) fn stop_reason() -> Option<i32> {
    crate::signals::caught().or_else(|| hung_up().then_some(libc::SIGHUP))
}

/// Draws, or tells that the terminal is gone rather than failing on it.
pub(super) fn show(lines: &[Line], rows: usize, cols: usize) -> Result<(), Stop> {
    draw(lines, rows, cols).map_err(|e| match stop_reason() {
        Some(signal) => Stop::Signal(signal),
        None => Stop::Error(e),
    })
}

pub(super) enum Stop {
    Signal(i32),
    Error(io::Error),
}

/// Restores the terminal; safe to call more than once.
fn restore() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        ResetColor,
        cursor::Show,
        terminal::LeaveAlternateScreen
    );
}

fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    execute!(
        io::stdout(),
        terminal::EnterAlternateScreen,
        cursor::Hide,
        terminal::Clear(terminal::ClearType::All)
    )
}

/// Raw mode and the alternate screen for as long as it lives.
pub(super) struct Guard;

impl Guard {
    pub(super) fn new() -> io::Result<Guard> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        if let Err(e) = enter() {
            restore();
            return Err(e);
        }
        Ok(Guard)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
        // Back to the default hook (which prints the panic), the terminal being normal.
        let _ = std::panic::take_hook();
    }
}

fn color(style: Style) -> Option<Color> {
    match style {
        Style::Plain | Style::Bold => None,
        Style::Dim => Some(Color::DarkGrey),
        Style::Level(Level::High) => Some(Color::Red),
        Style::Level(Level::Medium) => Some(Color::Yellow),
        Style::Level(Level::Low) => Some(Color::Green),
        Style::Delete => Some(Color::Red),
        Style::Insert => Some(Color::Green),
        Style::Warning => Some(Color::Yellow),
        Style::Done => Some(Color::Cyan),
    }
}

/// Draws lines from the top, cut to the terminal's size.
fn draw(lines: &[Line], rows: usize, cols: usize) -> io::Result<()> {
    let mut out = io::stdout().lock();
    queue!(out, terminal::Clear(terminal::ClearType::All))?;
    // Keep the last two lines (keys and note) on screen when the item is long.
    let shown: Vec<&Line> = if lines.len() > rows && rows > 3 {
        let keep = rows - 2;
        lines[..keep - 1]
            .iter()
            .chain(std::iter::once(&lines[lines.len() - 3]))
            .chain(&lines[lines.len() - 2..])
            .collect()
    } else {
        lines.iter().take(rows).collect()
    };
    for (row, line) in shown.into_iter().enumerate() {
        queue!(out, cursor::MoveTo(0, row as u16))?;
        let mut col = 0;
        for s in line {
            let room = cols.saturating_sub(col);
            if room == 0 {
                break;
            }
            let text: String = s.text.chars().take(room).collect();
            col += text.chars().count();
            if let Some(c) = color(s.style) {
                queue!(out, SetForegroundColor(c))?;
            }
            if s.style == Style::Bold {
                queue!(out, SetAttribute(Attribute::Bold))?;
            }
            queue!(out, Print(text), SetAttribute(Attribute::Reset), ResetColor)?;
        }
    }
    out.flush()
}

pub(super) fn size() -> (usize, usize) {
    match terminal::size() {
        Ok((c, r)) if c > 0 && r > 0 => (r as usize, c as usize),
        _ => (24, 80),
    }
}

/// Opens `text` in the editor command (run by `sh`, so `code --wait` works) and returns
/// what was saved.
pub(super) fn edit_in(editor: &str, text: &str) -> anyhow::Result<String> {
    let file = tempfile::Builder::new()
        .prefix("willai-review-")
        .suffix(".txt")
        .tempfile()?;
    std::fs::write(file.path(), text)?;
    restore();
    let status = run_editor(editor, file.path());
    enter()?;
    let status = status?;
    if !status.success() {
        anyhow::bail!("the editor ({editor}) exited with {status}: nothing was changed");
    }
    Ok(std::fs::read_to_string(file.path())?)
}

fn run_editor(editor: &str, path: &Path) -> io::Result<std::process::ExitStatus> {
    Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .status()
}

fn decision(key: KeyEvent) -> Option<Decision> {
    match key.code {
        KeyCode::Char('a') => Some(Decision::Approve),
        KeyCode::Char('r') => Some(Decision::Reject),
        KeyCode::Char('1') => Some(Decision::Level(Level::High)),
        KeyCode::Char('2') => Some(Decision::Level(Level::Medium)),
        KeyCode::Char('3') => Some(Decision::Level(Level::Low)),
        KeyCode::Char('s') | KeyCode::Right => Some(Decision::Skip),
        _ => None,
    }
}

/// Ctrl-C: in raw mode the terminal sends it as a key, not as a signal.
pub(super) fn is_interrupt(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

pub(super) enum Next {
    Key(KeyEvent),
    Resize,
    Stopped(i32),
}

/// Waits for a key press or a resize, or a stopping signal or a closed terminal.
pub(super) fn next_key() -> io::Result<Next> {
    loop {
        if let Some(signal) = crate::signals::caught() {
            return Ok(Next::Stopped(signal));
        }
        if hung_up_waiting(100) {
            return Ok(Next::Stopped(libc::SIGHUP));
        }
        // The terminal is there: crossterm reads what it has (keys, or a resize)
        // without waiting.
        if !event::poll(std::time::Duration::ZERO)? {
            continue;
        }
        match event::read()? {
            Event::Key(k) if k.kind != KeyEventKind::Release => return Ok(Next::Key(k)),
            Event::Resize(..) => return Ok(Next::Resize),
            _ => {}
        }
    }
}

/// Runs the review until the editor quits; the terminal is restored however it ends.
pub fn run(session: &mut Session, editor: &str) -> anyhow::Result<Ended> {
    crate::signals::catch();
    let _guard = Guard::new()?;
    let mut note: Option<Note> = None;
    loop {
        let (rows, cols) = size();
        let reviewer = session.reviewer().to_string();
        if let Some(signal) = stop_reason() {
            return Ok(Ended::Stopped(signal));
        }
        let current = match session.current() {
            Ok(current) => current,
            Err(e) => {
                // A record that does not read (another program broke it): say so and
                // wait; the decisions made so far are on disk.
                if let Err(stop) = show(&screen::unreadable(&format!("{e:#}"), cols), rows, cols) {
                    return match stop {
                        Stop::Signal(signal) => Ok(Ended::Stopped(signal)),
                        Stop::Error(e) => Err(e.into()),
                    };
                }
                match next_key()? {
                    Next::Stopped(signal) => return Ok(Ended::Stopped(signal)),
                    Next::Resize => {}
                    Next::Key(k) if is_interrupt(&k) => return Ok(Ended::Stopped(libc::SIGINT)),
                    Next::Key(k) => match k.code {
                        KeyCode::Char('q') | KeyCode::Esc => return Ok(Ended::Quit),
                        KeyCode::Char('s') => {
                            note = Some(session.decide(Decision::Skip).unwrap_or_else(|e| Note {
                                tone: Tone::Warning,
                                text: format!("{e:#}"),
                            }));
                        }
                        _ => note = None,
                    },
                }
                continue;
            }
        };
        // What is on screen, and the keys that mean something there.
        let (shown, keys, drawn) = match current {
            Some(view) => (
                Some(view.shown.clone()),
                screen::keys(&view),
                show(
                    &screen::item(&view, &reviewer, note.as_ref(), cols),
                    rows,
                    cols,
                ),
            ),
            None => (
                None,
                String::new(),
                show(
                    &screen::finished(&session.summary(), note.as_ref(), cols),
                    rows,
                    cols,
                ),
            ),
        };
        match drawn {
            Ok(()) => {}
            Err(Stop::Signal(signal)) => return Ok(Ended::Stopped(signal)),
            Err(Stop::Error(e)) => return Err(e.into()),
        }
        let key = match next_key()? {
            Next::Stopped(signal) => return Ok(Ended::Stopped(signal)),
            Next::Resize => continue,
            Next::Key(k) => k,
        };
        if is_interrupt(&key) {
            return Ok(Ended::Stopped(libc::SIGINT));
        }
        // A decision that cannot be written (a record another program broke, a full
        // disk) is said on screen; the session goes on, nothing else was touched.
        let failed = |e: anyhow::Error| Note {
            tone: Tone::Warning,
            text: format!("not done: {e:#}; fix it and press the key again, or s skips"),
        };
        note = match (key.code, shown) {
            (KeyCode::Char('u'), _) => Some(session.undo().unwrap_or_else(failed)),
            (KeyCode::Char('q') | KeyCode::Esc, _) => return Ok(Ended::Quit),
            (KeyCode::Char('d'), _) if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Ok(Ended::Quit);
            }
            (_, None) => return Ok(Ended::Quit),
            (KeyCode::Char('e'), Some(shown)) => match session.edit_text(&shown) {
                None => Some(Note {
                    tone: Tone::Warning,
                    text: "nothing to edit: s skips".into(),
                }),
                Some(text) => match edit_in(editor, &text) {
                    Ok(edited) => Some(
                        session
                            .decide(Decision::Edit(edited))
                            .unwrap_or_else(failed),
                    ),
                    Err(e) => Some(Note {
                        tone: Tone::Warning,
                        text: format!("{e:#}"),
                    }),
                },
            },
            (_, Some(_)) => match decision(key) {
                Some(d) => Some(session.decide(d).unwrap_or_else(failed)),
                None => Some(Note {
                    tone: Tone::Warning,
                    text: format!("no key {:?}: {keys}", key.code),
                }),
            },
        };
    }
}
