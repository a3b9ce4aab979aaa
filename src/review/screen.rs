//! One screen of `willai review`, as styled lines: the profession, the task's title and
//! statement, the level with the model's confidence, rationale, tools and tip, the
//! lifecycle flags (edited, stale, proposal), the keys, and what the last key did. For a
//! proposal, each field is a word diff from the current text to the proposed one.
//!
//! Rendering is a pure function of the item and the width, so it is tested without a
//! terminal; `tui` only maps [`Style`]s to colours. Changes are marked in the text too
//! (`[-removed-]{+added+}`, like `git diff --word-diff=plain`), so they read without
//! colour.

use super::session::{Note, OnScreen, Screenful, Summary, Tone};
use crate::lifecycle::State;
use crate::record::{Confidence, ConfidenceMethod, Level, Machine, SkillContent, TaskContent};
use crate::words::{self, Op};

/// How a span is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Dim,
    Bold,
    Level(Level),
    Delete,
    Insert,
    Warning,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub style: Style,
    pub text: String,
}

pub type Line = Vec<Span>;

/// Every text on screen goes through here: record text is shown, never obeyed, so a
/// control character becomes its escape (`\u001b`) before lines are wrapped and cut.
pub(super) fn span(style: Style, text: impl Into<String>) -> Span {
    let text = text.into();
    Span {
        style,
        text: match crate::text::visible(&text) {
            std::borrow::Cow::Borrowed(_) => text,
            std::borrow::Cow::Owned(shown) => shown,
        },
    }
}

/// A line's text without styles (what the tests read).
#[cfg(test)]
fn plain(line: &Line) -> String {
    line.iter().map(|s| s.text.as_str()).collect()
}

const LABEL: usize = 12;

/// The keys that mean something on this screen: `r` names what it does here (drop the
/// proposal, or reject the machine's untouched draft) and is left out where it does
/// nothing; the level keys are a task's only.
pub fn keys(view: &Screenful) -> String {
    let entry = view.shown.entry();
    let mut keys: Vec<&str> = Vec::new();
    if entry.is_some_and(|e| e.has_content() || e.has_proposal()) {
        keys.push("a approve");
    }
    match entry {
        Some(e) if e.has_proposal() => keys.push("r drop proposal"),
        Some(e)
            if e.status() == crate::record::Status::Draft && e.has_content() && !e.is_edited() =>
        {
            keys.push("r reject draft")
        }
        _ => {}
    }
    if entry.is_some() {
        keys.push("e edit");
    }
    if matches!(view.shown, OnScreen::Task(_)) {
        keys.extend(["1 HIGH", "2 MEDIUM", "3 LOW"]);
    }
    keys.extend(["s skip", "u undo", "q quit"]);
    keys.join("  ")
}

/// Wraps styled text to `width` columns under a label, continuation lines indented.
pub(super) fn field(label: &str, spans: Vec<Span>, width: usize) -> Vec<Line> {
    let width = width.max(LABEL + 20);
    let mut lines: Vec<Line> = Vec::new();
    let mut line: Line = vec![span(Style::Dim, format!("{label:<LABEL$}"))];
    let mut col = LABEL;
    for s in spans {
        // Split into words keeping the spaces with the word before them.
        let mut rest = s.text.as_str();
        while !rest.is_empty() {
            let end = rest
                .char_indices()
                .find(|(i, c)| *i > 0 && c.is_whitespace())
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            let tail = &rest[end..];
            let spaces = tail.len() - tail.trim_start().len();
            let (word, tail) = (&rest[..end + spaces], &tail[spaces..]);
            rest = tail;
            let w = word.trim_end().chars().count();
            if col + w > width && col > LABEL {
                if let Some(last) = line.last_mut() {
                    last.text.truncate(last.text.trim_end().len());
                }
                lines.push(std::mem::take(&mut line));
                line.push(span(Style::Plain, " ".repeat(LABEL)));
                col = LABEL;
            }
            let word = if col == LABEL {
                word.trim_start()
            } else {
                word
            };
            col += word.chars().count();
            match line.last_mut() {
                Some(last) if last.style == s.style => last.text.push_str(word),
                _ => line.push(span(s.style, word)),
            }
        }
    }
    lines.push(line);
    lines
}

/// A word diff as spans, marked in the text as well as by style.
fn diff_spans(old: &str, new: &str) -> Vec<Span> {
    words::diff(old, new)
        .into_iter()
        .map(|p| match p.op {
            Op::Equal => span(Style::Plain, p.text),
            Op::Delete => span(Style::Delete, format!("[-{}-]", p.text)),
            Op::Insert => span(Style::Insert, format!("{{+{}+}}", p.text)),
        })
        .collect()
}

fn text_or_diff(old: Option<&str>, new: Option<&str>, proposal: bool) -> Vec<Span> {
    let (old, new) = (old.unwrap_or(""), new.unwrap_or(""));
    if proposal && old != new {
        diff_spans(old, new)
    } else if new.is_empty() {
        vec![span(Style::Dim, "(none)")]
    } else {
        vec![span(Style::Plain, new)]
    }
}

pub(super) fn confidence(c: Option<&Confidence>) -> String {
    match c {
        None => String::new(),
        Some(c) => match (c.method, c.samples) {
            (ConfidenceMethod::Samples, Some(n)) => {
                format!("   confidence {:.2} ({n} samples)", c.value)
            }
            (ConfidenceMethod::Samples, None) => format!("   confidence {:.2} (samples)", c.value),
            (ConfidenceMethod::Logprobs, _) => format!("   confidence {:.2} (logprobs)", c.value),
        },
    }
}

fn level_spans(old: Option<Level>, new: Option<Level>, sure: String) -> Vec<Span> {
    let lvl = |l: Option<Level>| match l {
        Some(l) => span(Style::Level(l), l.as_str()),
        None => span(Style::Dim, "(none)"),
    };
    let mut out = Vec::new();
    if old != new {
        out.push(lvl(old));
        out.push(span(Style::Plain, " -> "));
    }
    out.push(lvl(new));
    out.push(span(Style::Dim, sure));
    out
}

fn task_fields(
    current: &TaskContent,
    proposal: Option<&Machine<TaskContent>>,
    sure: String,
    width: usize,
) -> Vec<Line> {
    let is_p = proposal.is_some();
    let new = proposal.map_or(current, |p| &p.content);
    let tools = |c: &TaskContent| c.tools.as_deref().unwrap_or_default().join(", ");
    let mut out = Vec::new();
    out.extend(field(
        "level",
        level_spans(current.level, new.level, sure),
        width,
    ));
    out.extend(field(
        "rationale",
        text_or_diff(current.rationale.as_deref(), new.rationale.as_deref(), is_p),
        width,
    ));
    out.extend(field(
        "tools",
        text_or_diff(Some(&tools(current)), Some(&tools(new)), is_p),
        width,
    ));
    out.extend(field(
        "tip",
        text_or_diff(current.tip.as_deref(), new.tip.as_deref(), is_p),
        width,
    ));
    out
}

fn skill_fields(
    current: &SkillContent,
    proposal: Option<&Machine<SkillContent>>,
    width: usize,
) -> Vec<Line> {
    let is_p = proposal.is_some();
    let new = proposal.map_or(current, |p| &p.content);
    let verdict = |c: &SkillContent| c.verdict.map(|v| v.as_str()).unwrap_or("");
    let mut out = Vec::new();
    out.extend(field(
        "verdict",
        text_or_diff(Some(verdict(current)), Some(verdict(new)), is_p),
        width,
    ));
    out.extend(field(
        "reason",
        text_or_diff(current.reason.as_deref(), new.reason.as_deref(), is_p),
        width,
    ));
    out
}

/// The screen of one item.
pub fn item(view: &Screenful, reviewer: &str, note: Option<&Note>, width: usize) -> Vec<Line> {
    let it = view.item;
    let mut out: Vec<Line> = vec![vec![span(
        Style::Dim,
        format!(
            "willai review   {} of {}   reviewer {reviewer}",
            view.index, view.total
        ),
    )]];
    let state = view.state.as_ref();
    let mut flags = vec![state.map_or("gone", |s| s.state.as_str()).to_string()];
    if state.is_some_and(|s| s.is_stale()) {
        flags.push("stale".into());
    }
    if view.shown.entry().is_some_and(|e| e.has_proposal()) {
        flags.push("proposal".into());
    }
    out.push(vec![span(
        Style::Dim,
        format!(
            "{} ({}) · {} {} · {}",
            it.profession,
            it.slug,
            it.kind.noun(),
            it.id,
            flags.join(", ")
        ),
    )]);
    let title = match &view.shown {
        OnScreen::Task(e) => e
            .proposal
            .as_ref()
            .map_or(&e.content, |p| &p.content)
            .title
            .clone()
            .unwrap_or_else(|| it.label.clone()),
        OnScreen::Skill(e) => e.content.name.clone().unwrap_or_else(|| it.label.clone()),
        OnScreen::Gone => it.label.clone(),
    };
    out.push(vec![span(Style::Bold, title.clone())]);
    if let Some(statement) = view.statement.as_deref().filter(|s| *s != title) {
        out.extend(field(
            "statement",
            vec![span(Style::Plain, statement)],
            width,
        ));
    }
    out.push(Vec::new());
    match &view.shown {
        OnScreen::Task(e) => {
            if let Some(p) = &e.proposal
                && e.content.title != p.content.title
            {
                out.extend(field(
                    "title",
                    text_or_diff(e.content.title.as_deref(), p.content.title.as_deref(), true),
                    width,
                ));
            }
            // The machine's confidence stands beside the machine's level only: a level an
            // editor set is theirs (the "edited" line below gives the machine's).
            let sure = match (&e.proposal, &e.machine) {
                (Some(p), _) => confidence(p.provenance.confidence.as_ref()),
                (None, Some(m)) if m.content.level == e.content.level => {
                    confidence(m.provenance.confidence.as_ref())
                }
                (None, _) if e.content.level.is_some() => "   set by an editor".to_string(),
                (None, _) => String::new(),
            };
            out.extend(task_fields(&e.content, e.proposal.as_ref(), sure, width));
        }
        OnScreen::Skill(e) => out.extend(skill_fields(&e.content, e.proposal.as_ref(), width)),
        OnScreen::Gone => out.push(vec![span(
            Style::Warning,
            "no longer in the record (another writer removed it): s skips it",
        )]),
    }
    // Where the machine's newest text came from: model, host, what the server said.
    if let Some(p) = view.shown.entry().and_then(|e| e.newest_provenance()) {
        out.extend(field(
            "drafted by",
            vec![span(Style::Dim, p.origin())],
            width,
        ));
    }
    out.push(Vec::new());
    if let Some(entry) = view.shown.entry() {
        if let Some(p) = entry.newest_provenance().filter(|_| entry.has_proposal()) {
            let beside = if entry.status() == crate::record::Status::Approved {
                "approved"
            } else {
                "edited"
            };
            out.extend(field(
                "proposal",
                vec![span(
                    Style::Warning,
                    format!(
                        "new text from {} beside the {beside} text, shown as changes to it: a takes it and approves, r drops it",
                        p.model
                    ),
                )],
                width,
            ));
        } else if state.is_some_and(|s| s.state == State::Edited) {
            let machine_level = match &view.shown {
                OnScreen::Task(e) => e
                    .machine
                    .as_ref()
                    .and_then(|m| m.content.level)
                    .filter(|l| Some(*l) != e.content.level),
                _ => None,
            };
            let what = match machine_level {
                Some(l) => format!("differs from the machine's draft (its level: {l})"),
                None => "differs from the machine's draft".to_string(),
            };
            out.extend(field("edited", vec![span(Style::Plain, what)], width));
        } else if state.is_some_and(|s| s.state == State::Approved) {
            // Approved, and intact: approved elsewhere since the queue was built (an
            // approval whose text changed is `Edited`, above).
            let by = match &view.shown {
                OnScreen::Task(e) => e.approval.as_ref(),
                OnScreen::Skill(e) => e.approval.as_ref(),
                OnScreen::Gone => None,
            }
            .map(|a| format!(" by {} on {}", a.reviewer, a.date))
            .unwrap_or_default();
            out.extend(field(
                "approved",
                vec![span(
                    Style::Done,
                    format!("already{by}, with this text: s goes on"),
                )],
                width,
            ));
        }
        if let Some(s) = state.filter(|s| s.is_stale()) {
            out.extend(field(
                "stale",
                vec![span(
                    Style::Warning,
                    format!(
                        "{}: `willai draft` redrafts it ({})",
                        s.stale.join("; "),
                        s.fixes.join("; ")
                    ),
                )],
                width,
            ));
        }
    }
    out.push(Vec::new());
    out.push(vec![span(Style::Dim, keys(view))]);
    out.extend(note_lines(note, width));
    out
}

/// The last decision's note, wrapped: a refusal's way out ("with --force") is at its end
/// and must not fall off a narrow terminal.
pub(super) fn note_lines(note: Option<&Note>, width: usize) -> Vec<Line> {
    match note {
        Some(n) => {
            let style = match n.tone {
                Tone::Done => Style::Done,
                Tone::Warning => Style::Warning,
            };
            field("", vec![span(style, n.text.clone())], width)
                .into_iter()
                .map(|mut line| {
                    // No label column: the note starts at the left edge.
                    if line.first().is_some_and(|s| s.text.trim().is_empty()) {
                        line.remove(0);
                    }
                    line
                })
                .collect()
        }
        None => vec![Vec::new()],
    }
}

/// The screen after the last item.
pub fn finished(summary: &Summary, note: Option<&Note>, width: usize) -> Vec<Line> {
    let mut out = vec![
        vec![span(Style::Bold, "willai review: end of the queue")],
        Vec::new(),
        vec![span(Style::Plain, summary.to_string())],
        Vec::new(),
        vec![span(
            Style::Dim,
            "u undo the last decision   any other key quits",
        )],
    ];
    out.extend(note_lines(note, width));
    out
}

/// The screen when the current item cannot be shown (its record does not read).
pub fn unreadable(error: &str, width: usize) -> Vec<Line> {
    let mut out = vec![
        vec![span(
            Style::Bold,
            "willai review: this item cannot be shown",
        )],
        Vec::new(),
    ];
    let note = Note {
        tone: super::session::Tone::Warning,
        text: error.to_string(),
    };
    out.extend(note_lines(Some(&note), width));
    out.push(Vec::new());
    out.push(vec![span(
        Style::Dim,
        "fix the file, then any key tries again   s skip   q quit",
    )]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_fields_wrap_under_their_label() {
        let lines = field(
            "rationale",
            vec![span(
                Style::Plain,
                "one two three four five six seven eight nine ten eleven",
            )],
            40,
        );
        let text: Vec<String> = lines.iter().map(plain).collect();
        assert_eq!(
            text,
            [
                "rationale   one two three four five six",
                "            seven eight nine ten eleven"
            ]
        );
        assert!(text.iter().all(|l| l.chars().count() <= 40));
    }

    #[test]
    fn a_proposal_shows_as_marked_changes() {
        let spans = text_or_diff(Some("AI drafts code."), Some("AI writes code."), true);
        let text: String = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, "AI [-drafts-]{+writes+} code.");
        assert!(spans.iter().any(|s| s.style == Style::Insert));
    }
}
