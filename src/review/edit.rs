//! The text an editor edits in `$EDITOR` during `willai review`: one `field: value` line
//! per field of the content, instead of the record's JSON, so that a quote or a comma
//! typed in a rationale cannot break a file. Parsing is strict and every problem names
//! the line and what to write, so a typo never silently drops a field.
//!
//! ```text
//! title: Sort the widgets by colour
//! level: MEDIUM
//! rationale: Vision models can tell colours apart, but the sorting is physical work.
//! tools: ChatGPT, Robot arm
//! tip: Learn to configure the sorting line.
//! ```
//!
//! A line that starts with whitespace continues the field above it; `#` lines are
//! comments; an empty optional field (title, tools, tip) is left out.

use crate::record::{Level, SkillContent, TaskContent, Verdict};

/// Why an edited text cannot be taken; shown on the review screen, and the text is kept
/// for the next `e`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("no `{field}:` line: {what}")]
    Missing {
        field: &'static str,
        what: &'static str,
    },
}

const TASK_HELP: &str = "\
# Edit this task, save and close the editor; lines starting with # are ignored.
# level: HIGH, MEDIUM or LOW. tools: separated by commas. A line starting with a space
# continues the field above. An empty title, tools or tip is left out.
";

const SKILL_HELP: &str = "\
# Edit this skill, save and close the editor; lines starting with # are ignored.
# verdict: vulnerable or resilient. A line starting with a space continues the field
# above.
";

/// The text of a task for the editor.
pub fn task_text(c: &TaskContent) -> String {
    let mut out = String::from(TASK_HELP);
    out.push_str(&format!("title: {}\n", c.title.as_deref().unwrap_or("")));
    out.push_str(&format!(
        "level: {}\n",
        c.level.map(Level::as_str).unwrap_or("")
    ));
    out.push_str(&format!(
        "rationale: {}\n",
        c.rationale.as_deref().unwrap_or("")
    ));
    out.push_str(&format!(
        "tools: {}\n",
        c.tools.as_deref().unwrap_or_default().join(", ")
    ));
    out.push_str(&format!("tip: {}\n", c.tip.as_deref().unwrap_or("")));
    out
}

/// The text of a skill for the editor (`name:` only for a skill the model named).
pub fn skill_text(c: &SkillContent) -> String {
    let mut out = String::from(SKILL_HELP);
    if let Some(name) = &c.name {
        out.push_str(&format!("name: {name}\n"));
    }
    out.push_str(&format!(
        "verdict: {}\n",
        c.verdict.map(Verdict::as_str).unwrap_or("")
    ));
    out.push_str(&format!("reason: {}\n", c.reason.as_deref().unwrap_or("")));
    out
}

/// The fields of an edited text, each with the line it starts on.
fn fields<'a>(text: &str, known: &[&'a str]) -> Result<Vec<(&'a str, usize, String)>, EditError> {
    let mut out: Vec<(&'a str, usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim_start().starts_with('#') || raw.trim().is_empty() {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            match out.last_mut() {
                Some((_, _, value)) => {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(raw.trim());
                    continue;
                }
                None => {
                    return Err(EditError::Line {
                        line,
                        message: "a continuation line before any field: start the line with a field name, e.g. `rationale:`".into(),
                    });
                }
            }
        }
        let Some((name, value)) = raw.split_once(':') else {
            return Err(EditError::Line {
                line,
                message: format!(
                    "{:?} is not `field: value`: the fields are {}",
                    raw.trim(),
                    known.join(", ")
                ),
            });
        };
        let name = name.trim().to_ascii_lowercase();
        let Some(field) = known.iter().find(|k| **k == name) else {
            return Err(EditError::Line {
                line,
                message: format!(
                    "unknown field `{name}`: the fields are {}",
                    known.join(", ")
                ),
            });
        };
        if let Some((_, first, _)) = out.iter().find(|(f, _, _)| f == field) {
            return Err(EditError::Line {
                line,
                message: format!("`{field}` again (first on line {first}): keep one"),
            });
        }
        out.push((field, line, value.trim().to_string()));
    }
    Ok(out)
}

fn take<'f>(fields: &'f [(&str, usize, String)], name: &str) -> Option<(usize, &'f str)> {
    fields
        .iter()
        .find(|(f, _, _)| *f == name)
        .map(|(_, line, v)| (*line, v.as_str()))
        .filter(|(_, v)| !v.is_empty())
}

/// Parses an edited task.
pub fn parse_task(text: &str) -> Result<TaskContent, EditError> {
    let f = fields(text, &["title", "level", "rationale", "tools", "tip"])?;
    let (line, level) = take(&f, "level").ok_or(EditError::Missing {
        field: "level",
        what: "write `level: HIGH`, `MEDIUM` or `LOW`",
    })?;
    let level = Level::parse(level).ok_or_else(|| EditError::Line {
        line,
        message: format!("level {level:?} is not HIGH, MEDIUM or LOW"),
    })?;
    let (_, rationale) = take(&f, "rationale").ok_or(EditError::Missing {
        field: "rationale",
        what: "write why the task is exposed, on a `rationale:` line",
    })?;
    let title = take(&f, "title").map(|(_, t)| t.to_string());
    let tools: Vec<String> = take(&f, "tools")
        .map(|(_, t)| {
            t.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    checked(
        TaskContent {
            title,
            level: Some(level),
            rationale: Some(rationale.to_string()),
            tools: (!tools.is_empty()).then_some(tools),
            tip: take(&f, "tip").map(|(_, t)| t.to_string()),
        },
        &f,
    )
}

/// The content if `validate` would take it in the record (lengths, tools, characters);
/// else its first problem, on the line of its field.
fn checked<C: crate::record::Content>(
    content: C,
    fields: &[(&str, usize, String)],
) -> Result<C, EditError> {
    match crate::validate::content_problems(&content)
        .into_iter()
        .next()
    {
        None => Ok(content),
        Some((at, message)) => {
            let field = at.trim_start_matches('/').split('/').next().unwrap_or("");
            let line = fields
                .iter()
                .find(|(f, _, _)| *f == field)
                .map_or(1, |(_, line, _)| *line);
            Err(EditError::Line {
                line,
                message: format!("{field} {message}"),
            })
        }
    }
}

/// Parses an edited skill; `name` is kept only where the skill had one.
pub fn parse_skill(text: &str, had_name: bool) -> Result<SkillContent, EditError> {
    let known: &[&str] = if had_name {
        &["name", "verdict", "reason"]
    } else {
        &["verdict", "reason"]
    };
    let f = fields(text, known)?;
    let (line, verdict) = take(&f, "verdict").ok_or(EditError::Missing {
        field: "verdict",
        what: "write `verdict: vulnerable` or `resilient`",
    })?;
    let verdict = Verdict::parse(verdict).ok_or_else(|| EditError::Line {
        line,
        message: format!("verdict {verdict:?} is not vulnerable or resilient"),
    })?;
    let (_, reason) = take(&f, "reason").ok_or(EditError::Missing {
        field: "reason",
        what: "write why, on a `reason:` line",
    })?;
    let name = if had_name {
        Some(
            take(&f, "name")
                .ok_or(EditError::Missing {
                    field: "name",
                    what: "the skill's name",
                })?
                .1
                .to_string(),
        )
    } else {
        None
    };
    checked(
        SkillContent {
            name,
            verdict: Some(verdict),
            reason: Some(reason.to_string()),
        },
        &f,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task() -> TaskContent {
        TaskContent {
            title: Some("Sort widgets".into()),
            level: Some(Level::High),
            rationale: Some("Vision models sort by colour.".into()),
            tools: Some(vec!["ChatGPT".into(), "Robot arm".into()]),
            tip: Some("Learn the line.".into()),
        }
    }

    #[test]
    fn a_task_round_trips() {
        assert_eq!(parse_task(&task_text(&task())).unwrap(), task());
        let skill = SkillContent {
            name: Some("Painting".into()),
            verdict: Some(Verdict::Resilient),
            reason: Some("Hands.".into()),
        };
        assert_eq!(parse_skill(&skill_text(&skill), true).unwrap(), skill);
    }

    #[test]
    fn continuation_lines_empty_optionals_and_case() {
        let got = parse_task(
            "level: medium\nrationale: First half,\n  second half.\ntools:\ntip:\ntitle:\n",
        )
        .unwrap();
        assert_eq!(got.level, Some(Level::Medium));
        assert_eq!(got.rationale.as_deref(), Some("First half, second half."));
        assert_eq!((got.tools, got.tip, got.title), (None, None, None));
    }

    #[test]
    fn errors_name_the_line_and_what_to_write() {
        let cases = [
            (
                "level: HGH\nrationale: r\n",
                "line 1: level \"HGH\" is not HIGH, MEDIUM or LOW",
            ),
            (
                "level: LOW\nrationale: r\ncolour: red\n",
                "line 3: unknown field `colour`: the fields are title, level, rationale, tools, tip",
            ),
            (
                "level: LOW\nlevel: HIGH\nrationale: r\n",
                "line 2: `level` again (first on line 1): keep one",
            ),
            (
                "rationale: r\n",
                "no `level:` line: write `level: HIGH`, `MEDIUM` or `LOW`",
            ),
            ("level: LOW\nrationale:\n", "no `rationale:` line"),
            (
                "level: LOW\njust words\n",
                "line 2: \"just words\" is not `field: value`",
            ),
            (
                "  indented\n",
                "line 1: a continuation line before any field",
            ),
        ];
        for (text, want) in cases {
            let err = parse_task(text).unwrap_err().to_string();
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
        let err = parse_skill("verdict: maybe\nreason: r\n", false)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "line 1: verdict \"maybe\" is not vulnerable or resilient"
        );
    }

    /// What `validate` would refuse in the record is refused here, on its field's line.
    #[test]
    fn an_edit_validate_would_refuse_is_refused_on_its_line() {
        let long = "x".repeat(601);
        let cases = [
            (
                format!("title: {}\nlevel: LOW\nrationale: r\n", "t".repeat(61)),
                "line 1: title is 61 characters long",
            ),
            (
                format!("level: LOW\nrationale: {long}\n"),
                "line 2: rationale is 601 characters long",
            ),
            (
                "level: LOW\nrationale: r\u{1b}[2J\n".to_string(),
                "line 2: rationale contains a control character (U+001B)",
            ),
            (
                "level: LOW\nrationale: r\ntools: a, b, c, d, e, f\n".to_string(),
                "line 3: tools lists 6 tools",
            ),
        ];
        for (text, want) in cases {
            let err = parse_task(&text).unwrap_err().to_string();
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
        let err = parse_skill("verdict: resilient\nreason: a\u{202e}b\n", false)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("line 2: reason contains a bidirectional"),
            "{err}"
        );
    }
}
