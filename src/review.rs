//! The editor's side of the lifecycle: naming tasks and skills, approving them (reviewer,
//! date and the sha256 of exactly what was approved), taking or dropping the machine's
//! proposals. A machine never calls into this module.

use crate::catalog::Occupation;
use crate::lifecycle::{Item, State};
use crate::record::{Approval, Entry, Status};
use crate::slug;

/// Finds tasks by id, by the slug of their text, or by their text (case-insensitive).
pub fn resolve_tasks(occ: &Occupation, names: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let wanted = name.trim();
        let by_id = occ.tasks.iter().find(|t| t.id == wanted);
        let found = by_id.or_else(|| {
            let s = slug::slugify(wanted);
            occ.tasks
                .iter()
                .find(|t| slug::slugify(&t.text) == s || t.text.eq_ignore_ascii_case(wanted))
        });
        match found {
            Some(t) => {
                if !out.contains(&t.id) {
                    out.push(t.id.clone());
                }
            }
            None => {
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
                return Err(format!(
                    "no task {wanted:?} in {}: name it by id, slug or text; {hint}",
                    occ.name
                ));
            }
        }
    }
    Ok(out)
}

/// Finds skills by id or name (case-insensitive).
pub fn resolve_skills(occ: &Occupation, names: &[String]) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let wanted = name.trim();
        match occ.skills.iter().find(|s| {
            s.id == wanted || s.name.eq_ignore_ascii_case(wanted) || s.id == slug::slugify(wanted)
        }) {
            Some(s) => {
                if !out.contains(&s.id) {
                    out.push(s.id.clone());
                }
            }
            None => {
                let names: Vec<&str> = occ.skills.iter().map(|s| s.name.as_str()).collect();
                return Err(format!(
                    "no skill {wanted:?} in {}: its skills are {}",
                    occ.name,
                    names.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

/// How to approve.
#[derive(Clone, Debug)]
pub struct ApproveOptions {
    pub reviewer: String,
    pub date: String,
    pub force: bool,
    pub accept_proposal: bool,
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
    if opts.accept_proposal {
        if !has_proposal {
            return Some("has no proposal to accept".into());
        }
        return None;
    }
    if opts.force {
        return (!has_content)
            .then(|| "has no text to approve: write a level and a rationale first".into());
    }
    match item.state {
        State::Missing => Some("has not been drafted: run `willai draft` first".into()),
        State::Failed => Some("drafting failed: run `willai draft` again or write the text, or approve anyway with --force".into()),
        _ if !has_content => Some("has no text to approve: write a level and a rationale first".into()),
        _ if item.is_stale() => Some(format!(
            "is stale ({}): run `willai draft` to redraft it, or approve it as it is with --force",
            item.stale.join("; ")
        )),
        _ => None,
    }
}

/// Approves an entry (taking its proposal first with `accept_proposal`).
pub fn approve<E: Entry>(entry: &mut E, item: &Item, opts: &ApproveOptions) -> Outcome {
    if let Some(why) = refusal(item, opts, entry.proposal().is_some(), entry.has_content()) {
        return Outcome::Refused(why);
    }
    if opts.accept_proposal {
        entry.accept_proposal();
    }
    let sha256 = entry.content_hash();
    if entry.is_approved_intact() {
        return Outcome::Unchanged;
    }
    let parts = entry.parts();
    *parts.status = Status::Approved;
    *parts.error = None;
    *parts.approval = Some(Approval {
        reviewer: opts.reviewer.clone(),
        date: opts.date.clone(),
        sha256,
    });
    Outcome::Approved
}

/// The reviewer: the flag or `WILLAI_REVIEWER`, else `git config user.name` in the root.
pub fn reviewer(explicit: Option<&str>, root: &std::path::Path) -> Result<String, String> {
    if let Some(r) = explicit.map(str::trim).filter(|r| !r.is_empty()) {
        return Ok(r.to_string());
    }
    let from_git = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|n| !n.is_empty());
    from_git.ok_or_else(|| {
        "no reviewer: pass --reviewer NAME (or set WILLAI_REVIEWER), or set your name with `git config user.name \"Your Name\"`".to_string()
    })
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
        let got = resolve_tasks(
            &o,
            &[
                "train".into(),
                "write-production-code".into(),
                "Train and evaluate ML models".into(),
                "train-and-evaluate-ml-models".into(),
            ],
        )
        .unwrap();
        assert_eq!(got, vec!["train", "write-production-code"]);
        let err = resolve_tasks(&o, &["Write production cod".into()]).unwrap_err();
        assert!(
            err.contains("did you mean \"write-production-code\""),
            "{err}"
        );
    }

    #[test]
    fn skills_are_found_by_id_or_name() {
        assert_eq!(
            resolve_skills(&occ(), &["PYTHON".into()]).unwrap(),
            vec!["python"]
        );
        assert!(
            resolve_skills(&occ(), &["Rust".into()])
                .unwrap_err()
                .contains("its skills are Python")
        );
    }
}
