//! The changes of `willai diff` for people (text, like `git diff --word-diff=plain`),
//! for a pull request (Markdown: `~~removed~~ **added**`) and for scripts (JSON, the
//! report's fields in order). One sentence per field, so a reviewer reads "level MEDIUM
//! -> HIGH" instead of two JSON lines.

use std::fmt::Write as _;

use serde_json::Value;

use super::{FieldDiff, FileChange, ItemChange, ItemDiff, ProfessionDiff, RevisionDiff};
use crate::record::Kind;
use crate::words::{Op, Piece};

/// Text or Markdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Text,
    Markdown,
}

impl Form {
    pub(super) fn arrow(self) -> &'static str {
        match self {
            Form::Text => "->",
            Form::Markdown => "→",
        }
    }

    /// User text, escaped for Markdown.
    pub(super) fn esc(self, s: &str) -> String {
        match self {
            Form::Text => s.to_string(),
            Form::Markdown => {
                let mut out = String::with_capacity(s.len());
                for c in s.chars() {
                    // A line break in a field would end the list item (or the table
                    // row) and let the text start a heading of its own.
                    if c == '\n' || c == '\r' {
                        out.push(' ');
                        continue;
                    }
                    if "\\`*_~[]<>#|".contains(c) {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out
            }
        }
    }

    fn words(self, pieces: &[Piece]) -> String {
        let mut out = String::new();
        for p in pieces {
            let (open, close) = match (self, p.op) {
                (_, Op::Equal) => ("", ""),
                (Form::Text, Op::Delete) => ("[-", "-]"),
                (Form::Text, Op::Insert) => ("{+", "+}"),
                (Form::Markdown, Op::Delete) => ("~~", "~~"),
                (Form::Markdown, Op::Insert) => ("**", "**"),
            };
            if open.is_empty() || self == Form::Text {
                out.push_str(open);
                out.push_str(&self.esc(&p.text));
                out.push_str(close);
                continue;
            }
            // Markdown emphasis cannot start or end with a space: keep spaces outside.
            let inner = p.text.trim();
            let lead = &p.text[..p.text.len() - p.text.trim_start().len()];
            let trail = &p.text[p.text.trim_end().len()..];
            out.push_str(lead);
            if p.op == Op::Insert && lead.is_empty() && out.ends_with("~~") {
                out.push(' ');
            }
            if !inner.is_empty() {
                out.push_str(open);
                out.push_str(&self.esc(inner));
                out.push_str(close);
            }
            out.push_str(trail);
        }
        out
    }
}

fn str_of(v: &Value) -> Option<&str> {
    v.as_str()
}

fn list(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn approval(v: &Value) -> String {
    format!(
        "by {} on {}",
        v["reviewer"].as_str().unwrap_or("?"),
        v["date"].as_str().unwrap_or("?")
    )
}

fn machine(v: &Value) -> String {
    let model = v["model"].as_str().unwrap_or("?");
    let mut s = model.to_string();
    if let Some(c) = v["confidence"].as_f64() {
        let _ = write!(s, " (confidence {c:.2})");
    }
    // Where it came from, as the record says (a control character as its escape).
    let shown = |s: &str| crate::text::visible_line(s).into_owned();
    if let Some(host) = v["host"].as_str() {
        let _ = write!(s, " at {}", shown(host));
    }
    if let Some(served) = v["served_model"].as_str().filter(|m| *m != model) {
        let _ = write!(s, ", served as {}", shown(served));
    }
    if let Some(fp) = v["system_fingerprint"].as_str() {
        let _ = write!(s, ", {}", shown(fp));
    }
    s
}

/// The sentences of one field change (a new proposal has its own, indented).
fn field(f: &FieldDiff, form: Form) -> Vec<String> {
    let a = form.arrow();
    let e = |s: &str| form.esc(s);
    let name = f.field;
    let one = match name {
        "level" | "verdict" | "status" => match (str_of(&f.old), str_of(&f.new)) {
            (None, Some(n)) => format!("{name}: {n}"),
            (Some(o), None) => format!("{name}: removed (was {o})"),
            (Some(o), Some(n)) => format!("{name}: {o} {a} {n}"),
            (None, None) => return Vec::new(),
        },
        "tools" => {
            let added = f.added.as_deref().unwrap_or_default();
            let removed = f.removed.as_deref().unwrap_or_default();
            if f.note == Some("reordered") {
                format!("tools: reordered ({})", e(&list(&f.new)))
            } else if f.old.as_array().is_none_or(Vec::is_empty) {
                format!("tools: {}", e(&list(&f.new)))
            } else {
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("added {}", e(&added.join(", "))));
                }
                if !removed.is_empty() {
                    parts.push(format!("removed {}", e(&removed.join(", "))));
                }
                format!("tools: {}", parts.join("; "))
            }
        }
        "approval" => match f.note {
            Some("approved") => format!("approved {}", e(&approval(&f.new))),
            Some("withdrawn") => format!("approval withdrawn (was {})", e(&approval(&f.old))),
            Some("no longer holds") => format!(
                "approval {} no longer holds: the text changed since it was approved (approve it again, or undo the edit)",
                e(&approval(&f.new))
            ),
            _ => format!(
                "approved again {} (was {})",
                e(&approval(&f.new)),
                e(&approval(&f.old))
            ),
        },
        "proposal" => match f.note {
            Some("accepted") => "proposal accepted".to_string(),
            Some("dropped") => "proposal dropped".to_string(),
            note => {
                let what = if note == Some("new") {
                    "new proposal"
                } else {
                    "proposal replaced"
                };
                let mut out = vec![format!(
                    "{what} from {}, as changes to the current text:",
                    e(&machine(&f.new))
                )];
                for c in f.changes.iter().flatten() {
                    out.extend(field(c, form).into_iter().map(|l| format!("  {l}")));
                }
                return out;
            }
        },
        "machine" => format!("redrafted by {}", e(&machine(&f.new))),
        "error" => match str_of(&f.new) {
            Some(why) => format!("failed: {}", e(why)),
            None => "no longer failed".to_string(),
        },
        _ => match (str_of(&f.old), str_of(&f.new), &f.words) {
            (None | Some(""), Some(n), _) => format!("{name}: {}", e(n)),
            (Some(_), None, _) => format!("{name}: removed"),
            (_, _, Some(w)) => format!("{name}: {}", form.words(w)),
            _ => format!("{name}: changed"),
        },
    };
    vec![one]
}

/// The fields worth a sentence: a status that became `approved` goes without saying
/// when the approval line follows.
fn shown(i: &ItemDiff) -> impl Iterator<Item = &FieldDiff> {
    let approved = i
        .fields
        .iter()
        .any(|f| f.field == "approval" && matches!(f.note, Some("approved" | "reapproved")));
    i.fields
        .iter()
        .filter(move |f| !(approved && f.field == "status" && f.new == "approved"))
}

fn headline(p: &ProfessionDiff, i: &ItemDiff, form: Form) -> String {
    let what = match i.kind {
        Kind::Task => String::new(),
        Kind::Skill => "skill ".to_string(),
    };
    let title = match form {
        Form::Text => format!("{} / {what}{}", p.profession, i.title),
        Form::Markdown => format!(
            "**{}**{}",
            form.esc(&i.title),
            if i.kind == Kind::Skill {
                " (skill)"
            } else {
                ""
            }
        ),
    };
    match i.change {
        ItemChange::Modified => title,
        ItemChange::Added => format!("{title}: new {}", i.kind.noun()),
        ItemChange::Removed => format!("{title}: removed"),
    }
}

fn counts(r: &RevisionDiff) -> (usize, usize) {
    let items = r.professions.iter().map(|p| p.items.len()).sum();
    (r.professions.len(), items)
}

/// One record file in Markdown: its heading (with what happened to the file) and one
/// block per item, each ending in a line break, so a summary can stop between items.
pub(super) fn markdown_profession(p: &ProfessionDiff, note: Option<&str>) -> (String, Vec<String>) {
    let form = Form::Markdown;
    let mut heading = format!("#### {}\n", form.esc(&p.profession));
    if let Some(n) = note {
        let _ = writeln!(heading, "\n_{}_\n", form.esc(n));
    }
    let items = p
        .items
        .iter()
        .map(|i| {
            let mut out = format!("- {}\n", headline(p, i, form));
            for f in shown(i) {
                for l in field(f, form) {
                    let indent = l.len() - l.trim_start().len();
                    let _ = writeln!(out, "  {}- {}", " ".repeat(indent), l.trim_start());
                }
            }
            out
        })
        .collect();
    (heading, items)
}

/// What happened to a whole record file, when it is more than its items.
pub(super) fn file_note(p: &ProfessionDiff) -> Option<String> {
    match p.change {
        FileChange::Added => Some("new record".to_string()),
        FileChange::Removed => Some("record removed".to_string()),
        FileChange::Unreadable => Some(format!(
            "cannot compare: {}",
            p.error.as_deref().unwrap_or("unreadable")
        )),
        FileChange::Modified => None,
    }
}

/// The report as text or Markdown.
pub fn render(r: &RevisionDiff, form: Form) -> String {
    let mut out = String::new();
    let short = &r.commit[..r.commit.len().min(10)];
    let (files, items) = counts(r);
    let head = if files == 0 {
        "no record changed".to_string()
    } else {
        format!("{files} record file(s), {items} item(s) changed")
    };
    match form {
        Form::Text => {
            let _ = writeln!(
                out,
                "willai diff {} ({short}) -> working tree: {head}",
                r.rev
            );
        }
        Form::Markdown => {
            let _ = writeln!(
                out,
                "**willai diff** `{}` (`{short}`) → working tree: {head}",
                r.rev.replace('`', "")
            );
        }
    }
    for p in &r.professions {
        out.push('\n');
        let file_note = file_note(p);
        match form {
            Form::Text => {
                if let Some(n) = &file_note {
                    let _ = writeln!(out, "{}: {n}", p.profession);
                }
                for i in &p.items {
                    let _ = writeln!(out, "{}", headline(p, i, form));
                    for f in shown(i) {
                        for l in field(f, form) {
                            let _ = writeln!(out, "  {l}");
                        }
                    }
                }
            }
            Form::Markdown => {
                let (heading, items) = markdown_profession(p, file_note.as_deref());
                out.push_str(&heading);
                for item in items {
                    out.push_str(&item);
                }
            }
        }
    }
    out
}
