//! One record as prose, for git's textconv driver (`willai textconv FILE`): a profession
//! line, then per task and skill one `field: value` line per field, in a fixed order, so
//! that `git diff` of two versions shows exactly the fields that changed, in words.
//!
//! git hands textconv a temporary copy of the file, from wherever it runs, so this needs
//! no project: with a root (and the profession's catalog file) it adds names and task
//! statements, without one it shows ids. A file that does not parse is printed as it
//! is (its control characters shown as escapes, as everywhere), so git still shows the
//! change.

use std::fmt::Write as _;

use crate::catalog::Occupation;
use crate::record::{
    Confidence, ConfidenceMethod, Entry, Machine, Record, SkillContent, Status, TaskContent,
};

fn confidence(c: Option<&Confidence>) -> String {
    match c {
        None => String::new(),
        Some(c) => match (c.method, c.samples) {
            (ConfidenceMethod::Samples, Some(n)) => {
                format!(" (confidence {:.2}, {n} samples)", c.value)
            }
            (ConfidenceMethod::Samples, None) => format!(" (confidence {:.2}, samples)", c.value),
            (ConfidenceMethod::Logprobs, _) => format!(" (confidence {:.2}, logprobs)", c.value),
        },
    }
}

fn status<C: crate::record::Content>(e: &Entry<C>) -> String {
    match (e.status, &e.approval) {
        (Status::Approved, Some(a)) if e.is_approved_intact() => {
            format!("approved by {} on {}", a.reviewer, a.date)
        }
        (Status::Approved, Some(a)) => format!(
            "approved by {} on {}, edited since (re-approve)",
            a.reviewer, a.date
        ),
        (Status::Approved, None) => "approved (no approval recorded)".into(),
        (Status::Failed, _) if !e.has_content() => format!(
            "failed: {}",
            e.error.as_deref().unwrap_or("no reason recorded")
        ),
        (Status::Rejected, _) if !e.has_content() => {
            "rejected: the machine's draft is not drafted again until its prompt changes".into()
        }
        (Status::Rejected, _) => "rejected, then written by an editor".into(),
        (_, _) if e.is_edited() => "draft, edited".into(),
        (Status::Failed, _) => "failed".into(),
        (Status::Draft, _) => "draft".into(),
    }
}

fn line(out: &mut String, indent: &str, name: &str, value: Option<&str>) {
    if let Some(v) = value.filter(|v| !v.is_empty()) {
        let _ = writeln!(out, "{indent}{name}: {v}");
    }
}

fn task_text(out: &mut String, indent: &str, c: &TaskContent, sure: String) {
    if let Some(level) = c.level {
        let _ = writeln!(out, "{indent}level: {level}{sure}");
    }
    line(out, indent, "rationale", c.rationale.as_deref());
    line(
        out,
        indent,
        "tools",
        c.tools.as_ref().map(|t| t.join(", ")).as_deref(),
    );
    line(out, indent, "tip", c.tip.as_deref());
}

fn skill_text(out: &mut String, indent: &str, c: &SkillContent) {
    line(out, indent, "verdict", c.verdict.map(|v| v.as_str()));
    line(out, indent, "reason", c.reason.as_deref());
}

fn drafted<C>(out: &mut String, m: Option<&Machine<C>>) {
    if let Some(m) = m {
        let _ = writeln!(
            out,
            "  drafted by: {} ({}){}",
            m.provenance.model,
            m.provenance.template,
            m.provenance.whereabouts()
        );
    }
}

/// A record as text; `occ` (its catalog entry, when found) adds names and statements.
pub fn record(r: &Record, occ: Option<&Occupation>) -> String {
    let mut out = String::new();
    match occ {
        Some(o) => {
            let _ = writeln!(out, "profession: {} ({})", o.name, r.profession);
        }
        None => {
            let _ = writeln!(out, "profession: {}", r.profession);
        }
    }
    for t in &r.tasks {
        let cat = occ.and_then(|o| o.task(&t.id));
        let title = cat
            .and_then(|c| c.title.as_deref())
            .or(t.content.title.as_deref())
            .or(cat.map(|c| c.text.as_str()));
        out.push('\n');
        match title {
            Some(title) => {
                let _ = writeln!(out, "task {}: {title}", t.id);
            }
            None => {
                let _ = writeln!(out, "task {}", t.id);
            }
        }
        if let Some(c) = cat.filter(|c| Some(c.text.as_str()) != title) {
            line(&mut out, "  ", "statement", Some(&c.text));
        }
        line(&mut out, "  ", "status", Some(&status(t)));
        if t.content.title.as_deref() != title {
            line(&mut out, "  ", "title", t.content.title.as_deref());
        }
        // The machine's confidence is in its own level: shown beside the current level
        // only while that is still the machine's.
        let machine_sure = |m: &Machine<TaskContent>| confidence(m.provenance.confidence.as_ref());
        let sure = t
            .machine
            .as_ref()
            .filter(|m| m.content.level == t.content.level)
            .map(machine_sure)
            .unwrap_or_default();
        task_text(&mut out, "  ", &t.content, sure);
        drafted(&mut out, t.machine.as_ref());
        if let Some(m) = t.machine.as_ref().filter(|m| m.content != t.content) {
            let _ = writeln!(out, "  machine's text:");
            line(&mut out, "    ", "title", m.content.title.as_deref());
            task_text(&mut out, "    ", &m.content, machine_sure(m));
        }
        if let Some(p) = &t.proposal {
            let sure = confidence(p.provenance.confidence.as_ref());
            let _ = writeln!(out, "  proposal from {}:", p.provenance.origin());
            line(&mut out, "    ", "title", p.content.title.as_deref());
            task_text(&mut out, "    ", &p.content, sure);
        }
        line(&mut out, "  ", "source", t.source.as_deref());
    }
    for s in &r.skills {
        let name = s
            .content
            .name
            .as_deref()
            .or_else(|| occ.and_then(|o| o.skill(&s.id)).map(|k| k.name.as_str()));
        out.push('\n');
        match name {
            Some(n) => {
                let _ = writeln!(out, "skill {}: {n}", s.id);
            }
            None => {
                let _ = writeln!(out, "skill {}", s.id);
            }
        }
        line(&mut out, "  ", "status", Some(&status(s)));
        skill_text(&mut out, "  ", &s.content);
        drafted(&mut out, s.machine.as_ref());
        if let Some(m) = s.machine.as_ref().filter(|m| m.content != s.content) {
            let _ = writeln!(out, "  machine's text:");
            skill_text(&mut out, "    ", &m.content);
        }
        if let Some(p) = &s.proposal {
            let _ = writeln!(out, "  proposal from {}:", p.provenance.origin());
            skill_text(&mut out, "    ", &p.content);
        }
        line(&mut out, "  ", "source", s.source.as_deref());
    }
    out
}

/// The textconv output of a file's bytes: prose when it is a record, else the bytes as
/// they are. `occupation` looks up the catalog entry of a profession slug.
pub fn textconv(bytes: &[u8], occupation: &dyn Fn(&str) -> Option<Occupation>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    match crate::catalog::parse_strict::<Record>(text) {
        Ok(r) => {
            let occ = occupation(&r.profession);
            record(&r, occ.as_ref()).into_bytes()
        }
        Err(_) => bytes.to_vec(),
    }
}
