//! The editor's side of the lifecycle: naming tasks and skills, approving them (reviewer,
//! date and the sha256 of exactly what was approved), taking or dropping the machine's
//! proposals. A machine never calls into this module.
//!
//! The rules are here, used by `willai approve`/`reject` and by the interactive
//! `willai review`, whose parts live beside them:
//! - [`queue`]: what is reviewed, and in which order (lowest confidence first);
//! - [`session`]: keys become decisions, each written at once under the lock, with undo;
//! - [`screen`]: one item as styled lines (word diffs for proposals);
//! - [`edit`]: the `field: value` text an editor edits in `$EDITOR`;
//! - [`tui`]: the terminal (raw mode, alternate screen, restored on every way out);
//! - [`audit`] and [`audit_tui`]: `willai review --audit`, judging an audit's sample
//!   blind, then correcting the record through the same session.

pub mod audit;
pub mod audit_tui;
pub mod edit;
pub mod queue;
pub mod screen;
pub mod session;
pub mod tui;

use crate::catalog::Occupation;
use crate::lifecycle::{Item, State};
use crate::record::{AnyEntry, Approved, Kind, Record};
use crate::slug;

/// What an editor's command asks that cannot be done (exit 2); each says what to type.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("no task {wanted:?} in {profession}: name it by id, slug or text; {hint}")]
    UnknownTask {
        wanted: String,
        profession: String,
        hint: String,
    },
    #[error("no skill {wanted:?} in {profession}: its skills are {names}")]
    UnknownSkill {
        wanted: String,
        profession: String,
        names: String,
    },
    #[error(
        "no reviewer: pass --reviewer NAME (or set WILLAI_REVIEWER), or set your name with `git config user.name \"Your Name\"`"
    )]
    NoReviewer,
    #[error("the reviewer from {origin} {why}: give a name on one line")]
    BadReviewer { origin: String, why: String },
    #[error("--date {0:?} is not a date: use YYYY-MM-DD")]
    BadDate(String),
    #[error("name {what}: --task TASK (id, slug or text), --skill SKILL, or --all")]
    NothingNamed { what: &'static str },
    #[error("nothing is drafted for {name} yet: run `willai draft --profession {name:?}` first")]
    NothingDrafted { name: String },
    #[error(
        "willai review needs a terminal (stdin and stdout): from a script or CI, approve with `willai approve -p NAME --task TASK` (or --all) and drop proposals with `willai reject`"
    )]
    NoTerminal,
}

/// The approval date: `--date` checked as `YYYY-MM-DD`, else today.
pub fn date(given: Option<&str>) -> Result<String, ReviewError> {
    match given {
        Some(d) => d
            .parse::<jiff::civil::Date>()
            .map(|d| d.to_string())
            .map_err(|_| ReviewError::BadDate(d.to_string())),
        None => Ok(jiff::ZonedDateTime::now().date().to_string()),
    }
}

/// Finds tasks by id, by their text or title, or the slug of either (case-insensitive);
/// skills by id, name or the slug of their name, catalog skills or the skills the model
/// proposed (which the record holds).
pub fn resolve(
    occ: &Occupation,
    record: Option<&Record>,
    kind: Kind,
    names: &[String],
) -> Result<Vec<String>, ReviewError> {
    // Every (id, names it answers to) of this kind.
    let candidates: Vec<(&str, Vec<&str>)> = match kind {
        Kind::Task => occ
            .tasks
            .iter()
            .map(|t| {
                let drafted = record
                    .and_then(|r| r.task(&t.id))
                    .and_then(|e| e.content.title.as_deref());
                let names = [Some(t.text.as_str()), t.title.as_deref(), drafted];
                (t.id.as_str(), names.into_iter().flatten().collect())
            })
            .collect(),
        Kind::Skill if occ.skills.is_empty() => record
            .map(|r| r.skills.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    e.id.as_str(),
                    e.content.name.as_deref().into_iter().collect(),
                )
            })
            .collect(),
        Kind::Skill => occ
            .skills
            .iter()
            .map(|s| (s.id.as_str(), vec![s.name.as_str()]))
            .collect(),
    };
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let wanted = name.trim();
        let s = slug::slugify(wanted);
        let found = candidates
            .iter()
            .find(|(id, _)| *id == wanted)
            .or_else(|| {
                candidates.iter().find(|(id, names)| {
                    *id == s
                        || names
                            .iter()
                            .any(|n| n.eq_ignore_ascii_case(wanted) || slug::slugify(n) == s)
                })
            })
            .map(|(id, _)| id.to_string());
        match found {
            Some(id) if !out.contains(&id) => out.push(id),
            Some(_) => {}
            None => return Err(unknown(occ, kind, wanted, &candidates)),
        }
    }
    Ok(out)
}

fn unknown(
    occ: &Occupation,
    kind: Kind,
    wanted: &str,
    candidates: &[(&str, Vec<&str>)],
) -> ReviewError {
    if kind == Kind::Skill {
        let names: Vec<&str> = candidates
            .iter()
            .map(|(id, names)| names.first().copied().unwrap_or(id))
            .collect();
        return ReviewError::UnknownSkill {
            wanted: wanted.to_string(),
            profession: occ.name.clone(),
            names: if names.is_empty() {
                "none yet".to_string()
            } else {
                names.join(", ")
            },
        };
    }
    let mut near: Vec<(f64, &str)> = occ
        .tasks
        .iter()
        .map(|t| {
            (
                strsim::jaro_winkler(&wanted.to_lowercase(), &t.text.to_lowercase())
                    .max(strsim::jaro_winkler(wanted, &t.id)),
                t.id.as_str(),
            )
        })
        .filter(|(score, _)| *score > 0.7)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let hint = match near.first() {
        Some((_, id)) => {
            let text = &occ.task(id).expect("from this occupation").text;
            format!("did you mean {id:?} ({text:?})?")
        }
        None => format!("`willai status --profession {}` lists its tasks", occ.slug),
    };
    ReviewError::UnknownTask {
        wanted: wanted.to_string(),
        profession: occ.name.clone(),
        hint,
    }
}

/// How to approve.
#[derive(Clone, Debug)]
pub struct ApproveOptions {
    pub reviewer: String,
    pub date: String,
    pub force: bool,
    pub accept_proposal: bool,
    /// Recorded in the approval, for the site's byline.
    pub how: Approved,
}

/// What approving one item did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    /// Already approved with this very content.
    Unchanged,
    /// Not approved, and why (with what to do).
    Refused(String),
}

fn refusal(
    item: &Item,
    opts: &ApproveOptions,
    has_proposal: bool,
    has_content: bool,
) -> Option<String> {
    let no_text = || {
        format!(
            "has no text to approve: write {} first",
            match item.kind {
                Kind::Task => "a level and a rationale",
                Kind::Skill => "a verdict and a reason",
            }
        )
    };
    if opts.accept_proposal {
        if !has_proposal {
            return Some("has no proposal to accept".into());
        }
        return None;
    }
    if opts.force {
        return (!has_content).then(no_text);
    }
    match item.state {
        State::Missing => Some("has not been drafted: run `willai draft` first".into()),
        State::Failed => Some("drafting failed: run `willai draft` again or write the text, or approve anyway with --force".into()),
        _ if !has_content => Some(no_text()),
        _ if item.is_stale() => Some(format!(
            "is stale ({}): run `willai draft` to redraft it, or approve it as it is with --force ({})",
            item.stale.join("; "),
            item.fixes.join("; ")
        )),
        _ => None,
    }
}

/// Approves an entry (taking its proposal first with `accept_proposal`); `None` as the
/// entry is an item never drafted.
pub fn approve(entry: Option<&mut dyn AnyEntry>, item: &Item, opts: &ApproveOptions) -> Outcome {
    let Some(entry) = entry else {
        return Outcome::Refused("has not been drafted: run `willai draft` first".into());
    };
    if let Some(why) = refusal(item, opts, entry.has_proposal(), entry.has_content()) {
        return Outcome::Refused(why);
    }
    if opts.accept_proposal {
        entry.accept_proposal();
    }
    if entry.is_approved_intact() {
        return Outcome::Unchanged;
    }
    entry.approve(opts.reviewer.clone(), opts.date.clone(), opts.how);
    Outcome::Approved
}

/// The reviewer: `--reviewer` or `WILLAI_REVIEWER` (resolved by the settings rule: a
/// blank flag is already an error, a blank variable is unset), else `git config
/// user.name` in the root. A name must be one line of plain text: it is recorded in
/// every approval and shown on the site.
pub fn reviewer(
    given: Option<&crate::config::Resolved<String>>,
    root: &std::path::Path,
) -> Result<String, ReviewError> {
    let (name, origin) = match given {
        Some(r) => (r.value.clone(), r.origin.to_string()),
        None => {
            let from_git = std::process::Command::new("git")
                .args(["config", "user.name"])
                .current_dir(root)
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .filter(|n| !n.is_empty());
            (
                from_git.ok_or(ReviewError::NoReviewer)?,
                "git config user.name".to_string(),
            )
        }
    };
    if let Some(f) = crate::text::forbidden(&name) {
        return Err(ReviewError::BadReviewer {
            origin,
            why: f.to_string(),
        });
    }
    if let Some(why) = crate::text::formula_like(&name) {
        return Err(ReviewError::BadReviewer { origin, why });
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn occ() -> Occupation {
        serde_json::from_value(serde_json::json!({
            "name": "ML Engineer", "slug": "ml-engineer",
            "tasks": [{"id": "write-production-code", "text": "Write production code"},
                      {"id": "train", "text": "Train and evaluate ML models"}],
            "skills": [{"id": "python", "name": "Python"}]
        }))
        .unwrap()
    }

    #[test]
    fn tasks_are_found_by_id_slug_or_text() {
        let o = occ();
        let got = resolve(
            &o,
            None,
            Kind::Task,
            &[
                "train".into(),
                "write-production-code".into(),
                "Train and evaluate ML models".into(),
                "train-and-evaluate-ml-models".into(),
            ],
        )
        .unwrap();
        assert_eq!(got, vec!["train", "write-production-code"]);
        let err = resolve(&o, None, Kind::Task, &["Write production cod".into()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("did you mean \"write-production-code\""),
            "{err}"
        );
    }

    #[test]
    fn skills_are_found_by_id_or_name() {
        assert_eq!(
            resolve(&occ(), None, Kind::Skill, &["PYTHON".into()]).unwrap(),
            vec!["python"]
        );
        assert!(
            resolve(&occ(), None, Kind::Skill, &["Rust".into()])
                .unwrap_err()
                .to_string()
                .contains("its skills are Python")
        );
    }
}
