//! Problems as CI annotations: each `validate` problem at the line and column of the key
//! or value it names, as a GitHub workflow command (`::error file=...,line=...::`, shown
//! inline on a pull request's diff) or a GitLab Code Quality report (shown in a merge
//! request). Problems are named by JSON pointer or by `line:column`; [`crate::locate`]
//! turns a pointer into its line, so a check added anywhere gets its line for free.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalog::Problem;
use crate::locate::{Locator, Position};

/// One problem at its place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// The file, as the CI system names it (relative to the repository's root).
    pub path: String,
    pub at: Position,
    /// The problem's message, with its JSON pointer in front when it has one (an
    /// annotation shows only its message).
    pub message: String,
}

/// A `line:column` location (a syntax error, a repeated key; the column in characters),
/// as opposed to a JSON pointer.
fn line_column(location: &str) -> Option<(usize, usize)> {
    let (l, c) = location.split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?))
}

/// Places every problem in its file. `read` gives a file's text by the problem's path
/// (`None` when it cannot be read: the problem then goes to line 1, or to the line and
/// column it names); `shown` turns that path into the one the CI system knows. Each file
/// is read and scanned once.
pub fn place(
    problems: &[Problem],
    read: &dyn Fn(&str) -> Option<String>,
    shown: &dyn Fn(&str) -> String,
) -> Vec<Annotation> {
    let mut texts: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for p in problems {
        texts
            .entry(p.path.as_str())
            .or_insert_with(|| read(&p.path));
    }
    let locators: BTreeMap<&str, Locator> = texts
        .iter()
        .filter_map(|(path, text)| Some((*path, Locator::new(text.as_deref()?))))
        .collect();
    problems
        .iter()
        .map(|p| {
            let (at, message) = match line_column(&p.location) {
                Some((line, column)) => {
                    let at = Position {
                        line: line.max(1),
                        column: column.max(1),
                    };
                    (at, p.message.clone())
                }
                None => {
                    let at = locators
                        .get(p.path.as_str())
                        .map_or(Position { line: 1, column: 1 }, |l| l.nearest(&p.location));
                    let message = if p.location.is_empty() {
                        p.message.clone()
                    } else {
                        format!("{}: {}", p.location, p.message)
                    };
                    (at, message)
                }
            };
            Annotation {
                path: shown(&p.path),
                at,
                message,
            }
        })
        .collect()
}

/// A workflow command's message: `%`, CR and LF escaped, so no text can end the command
/// or start another.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as a message, and `:` and `,` too, which would
/// end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The GitHub workflow command of an annotation, one line.
pub fn github(a: &Annotation) -> String {
    format!(
        "::error file={},line={},col={}::{}",
        escape_property(&a.path),
        a.at.line,
        a.at.column,
        escape_data(&a.message)
    )
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

/// A GitLab Code Quality report (the Code Climate subset GitLab reads) of every
/// annotation, as pretty JSON. Each issue's fingerprint is the sha256 of its path, line
/// and message, so the merge request shows which problems are new.
pub fn gitlab(annotations: &[Annotation]) -> String {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let issues: Vec<Issue> = annotations
        .iter()
        .map(|a| {
            let mut h = Sha256::new();
            h.update(a.path.as_bytes());
            h.update([0]);
            h.update(a.message.as_bytes());
            let mut fingerprint = hex::encode(h.finalize());
            // Two equal problems in one file still need two fingerprints.
            let n = seen.entry(fingerprint.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                fingerprint = format!("{fingerprint}-{n}");
            }
            Issue {
                description: &a.message,
                check_name: "willai-validate",
                fingerprint,
                severity: "major",
                location: Location {
                    path: &a.path,
                    lines: Lines { begin: a.at.line },
                },
            }
        })
        .collect();
    crate::canonical::pretty(&issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(path: &str, location: &str, message: &str) -> Problem {
        Problem {
            path: path.into(),
            location: location.into(),
            message: message.into(),
        }
    }

    #[test]
    fn pointers_and_syntax_errors_land_on_their_lines() {
        let text = "{\n  \"tasks\": [\n    {\n      \"level\": \"é\", \"x\": 1\n    }\n  ]\n}\n";
        let problems = [
            problem("a.json", "/tasks/0/x", "unknown field"),
            problem("a.json", "/tasks/0/status", "missing"),
            problem("a.json", "4:22", "syntax"),
            problem("a.json", "", "not canonical"),
            problem("gone.json", "/tasks/0", "unreadable"),
            problem("gone.json", "7:3", "bytes"),
        ];
        let read = |p: &str| (p == "a.json").then(|| text.to_string());
        let shown = |p: &str| format!("sub/{p}");
        let a = place(&problems, &read, &shown);
        let got: Vec<(String, usize, usize, &str)> = a
            .iter()
            .map(|a| (a.path.clone(), a.at.line, a.at.column, a.message.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("sub/a.json".into(), 4, 21, "/tasks/0/x: unknown field"),
                ("sub/a.json".into(), 3, 5, "/tasks/0/status: missing"),
                ("sub/a.json".into(), 4, 22, "syntax"),
                ("sub/a.json".into(), 1, 1, "not canonical"),
                ("sub/gone.json".into(), 1, 1, "/tasks/0: unreadable"),
                ("sub/gone.json".into(), 7, 3, "bytes"),
            ]
        );
    }

    #[test]
    fn workflow_commands_escape_what_would_end_them() {
        let a = Annotation {
            path: "data/records/a,b:c%.json".into(),
            at: Position { line: 3, column: 7 },
            message: "100% wrong\r\n::error::forged, yes: really".into(),
        };
        assert_eq!(
            github(&a),
            "::error file=data/records/a%2Cb%3Ac%25.json,line=3,col=7::100%25 wrong%0D%0A::error::forged, yes: really"
        );
        assert_eq!(github(&a).lines().count(), 1);
    }

    #[test]
    fn the_gitlab_report_is_code_quality_json_with_unique_fingerprints() {
        let a = Annotation {
            path: "data/records/a.json".into(),
            at: Position { line: 3, column: 7 },
            message: "m".into(),
        };
        let report: serde_json::Value =
            serde_json::from_str(&gitlab(&[a.clone(), a.clone()])).unwrap();
        let issues = report.as_array().unwrap();
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0]["location"]["path"], "data/records/a.json");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 3);
        assert_eq!(issues[0]["severity"], "major");
        assert_eq!(issues[0]["description"], "m");
        assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
        assert_eq!(gitlab(&[]).trim(), "[]");
    }
}
