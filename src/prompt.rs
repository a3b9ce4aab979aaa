//! Prompts: the minijinja templates in `prompts/` turned into chat messages.
//!
//! The rubric lives in the templates, not in code, so editors change it in review like
//! any other text. Each template has a `system` and a `user` block, one message each.
//! A template's fingerprint (its source, the partials `_*.j2` it may include, and the
//! reply format) is recorded with every draft: a change marks those drafts stale.

use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value as JinjaValue};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::canonical;
use crate::catalog::{Occupation, Skill, Task};
use crate::reply::{self, Ask};
use crate::root::Root;

pub const TASK_TEMPLATE: &str = "task.j2";
pub const SKILLS_TEMPLATE: &str = "skills.j2";

/// A chat message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

/// A prompt ready to send: messages, what the reply must be, and what it was made from.
#[derive(Clone, Debug)]
pub struct Prompt {
    pub messages: Vec<Message>,
    /// What the reply must answer (its schema and its check).
    pub ask: Ask,
    /// `task.j2@<12 hex>`.
    pub template: String,
}

/// A template that cannot be used (exit 2): which template, which line, what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("{dir}/{name}{line}: {what}: fix the template (see the README's Prompts section)")]
    Template {
        dir: String,
        name: String,
        /// `:LINE`, or empty.
        line: String,
        what: String,
    },
    #[error(
        "cannot read the prompt templates in {dir}/ ({why}): is --root (or WILLAI_ROOT) the project root?"
    )]
    NoDirectory { dir: String, why: String },
    #[error("{dir}/{name} {why}")]
    Unreadable {
        dir: String,
        name: String,
        why: String,
    },
    #[error(
        "{dir}/{name} is missing: every project needs {TASK_TEMPLATE} and {SKILLS_TEMPLATE} (copy them from the willai repository)"
    )]
    Missing { dir: String, name: String },
    #[error(
        "{dir}/{name}: has no `{{% block {role} %}}`: every prompt template needs a system and a user block"
    )]
    NoBlock {
        dir: String,
        name: String,
        role: &'static str,
    },
    #[error("{dir}/{name}: the {role} block renders empty")]
    EmptyBlock {
        dir: String,
        name: String,
        role: &'static str,
    },
}

fn describe(dir: &str, err: &minijinja::Error) -> PromptError {
    let what = match err.detail() {
        Some(detail) => format!("{}: {detail}", err.kind()),
        None => err.kind().to_string(),
    };
    PromptError::Template {
        dir: dir.to_string(),
        name: err.name().unwrap_or("?").to_string(),
        line: err.line().map(|l| format!(":{l}")).unwrap_or_default(),
        what,
    }
}

/// The loaded templates of a root.
pub struct Prompts {
    env: Environment<'static>,
    dir_shown: String,
    task_fingerprint: String,
    skills_fingerprint: String,
}

impl Prompts {
    /// Loads and compiles every `*.j2` in the directory; `task.j2` and `skills.j2` must be
    /// there.
    /// The templates are read beneath `root` (no link followed, each at most
    /// `beneath::MAX_TEXT` bytes); `dir` is a folder of it.
    pub fn load(root: &Root, dir: &Path, dir_shown: &str) -> Result<Prompts, PromptError> {
        let no_dir = |why: String| PromptError::NoDirectory {
            dir: dir_shown.to_string(),
            why,
        };
        let mut files: Vec<PathBuf> = match root.list(dir) {
            Ok(Some(entries)) => entries
                .into_iter()
                .map(|e| dir.join(e.name))
                .filter(|p| p.extension().is_some_and(|e| e == "j2"))
                .collect(),
            Ok(None) => return Err(no_dir("there is no such folder".into())),
            Err(e) => return Err(no_dir(e.to_string())),
        };
        files.sort();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        let mut partials = Vec::new();
        let mut sources = Vec::new();
        for path in &files {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let unreadable = |why: String| PromptError::Unreadable {
                dir: dir_shown.to_string(),
                name: name.clone(),
                why,
            };
            let bytes = match root.read(path, crate::beneath::MAX_TEXT, "prompt template") {
                Ok(Some(bytes)) => bytes,
                Ok(None) => continue,
                Err(e) => return Err(unreadable(e.reason())),
            };
            let source = String::from_utf8(bytes)
                .map_err(|_| unreadable("is not valid UTF-8: save it as UTF-8".into()))?;
            if name.starts_with('_') {
                partials.push((name.clone(), source.clone()));
            }
            sources.push((name.clone(), source.clone()));
            env.add_template_owned(name, source)
                .map_err(|e| describe(dir_shown, &e))?;
        }
        let fingerprint =
            |entry: &str| -> Result<String, PromptError> {
                let (_, source) = sources.iter().find(|(n, _)| n == entry).ok_or_else(|| {
                    PromptError::Missing {
                        dir: dir_shown.to_string(),
                        name: entry.to_string(),
                    }
                })?;
                let mut bytes = Vec::new();
                for part in [reply::FORMAT_VERSION, entry, source.as_str()] {
                    bytes.extend_from_slice(part.as_bytes());
                    bytes.push(0);
                }
                for (name, src) in &partials {
                    bytes.extend_from_slice(name.as_bytes());
                    bytes.push(0);
                    bytes.extend_from_slice(src.as_bytes());
                    bytes.push(0);
                }
                Ok(format!("{entry}@{}", &canonical::sha256_hex(&bytes)[..12]))
            };
        let task_fingerprint = fingerprint(TASK_TEMPLATE)?;
        let skills_fingerprint = fingerprint(SKILLS_TEMPLATE)?;
        Ok(Prompts {
            env,
            dir_shown: dir_shown.to_string(),
            task_fingerprint,
            skills_fingerprint,
        })
    }

    pub fn task_fingerprint(&self) -> &str {
        &self.task_fingerprint
    }

    pub fn skills_fingerprint(&self) -> &str {
        &self.skills_fingerprint
    }

    fn render(&self, name: &str, ctx: JinjaValue) -> Result<Vec<Message>, PromptError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| describe(&self.dir_shown, &e))?;
        let mut captured = template
            .render_captured(ctx)
            .map_err(|e| describe(&self.dir_shown, &e))?;
        let mut messages = Vec::with_capacity(2);
        for role in ["system", "user"] {
            let text = captured
                .with_state_mut(|state| state.render_block(role))
                .map_err(|e| {
                    if e.kind() == minijinja::ErrorKind::UnknownBlock {
                        PromptError::NoBlock {
                            dir: self.dir_shown.clone(),
                            name: name.to_string(),
                            role,
                        }
                    } else {
                        describe(&self.dir_shown, &e)
                    }
                })?;
            let text = text.trim().to_string();
            if text.is_empty() {
                return Err(PromptError::EmptyBlock {
                    dir: self.dir_shown.clone(),
                    name: name.to_string(),
                    role,
                });
            }
            messages.push(Message {
                role,
                content: text,
            });
        }
        Ok(messages)
    }

    /// The prompt for one task.
    pub fn task(&self, occ: &Occupation, task: &Task) -> Result<Prompt, PromptError> {
        let ask = Ask::Task;
        let schema = ask.schema(false);
        let ctx = serde_json::json!({
            "profession": {"name": occ.name},
            "task": {"text": task.text, "type": task.kind},
            "response_schema": String::from_utf8(canonical::hash_bytes(&schema)).unwrap_or_default(),
        });
        Ok(Prompt {
            messages: self.render(TASK_TEMPLATE, JinjaValue::from(Serde(&ctx)))?,
            ask,
            template: self.task_fingerprint.clone(),
        })
    }

    /// The prompt assessing every skill of a profession at once, or, when its catalog
    /// lists none, asking the model to name the skills most central to its tasks.
    pub fn skills(&self, occ: &Occupation) -> Result<Prompt, PromptError> {
        let names: Vec<String> = occ.skills.iter().map(|s| s.name.clone()).collect();
        let ask = if names.is_empty() {
            Ask::ProposeSkills
        } else {
            Ask::Skills {
                names: names.clone(),
            }
        };
        let schema = ask.schema(false);
        let tasks: Vec<&str> = occ.tasks.iter().map(|t| t.text.as_str()).collect();
        let ctx = serde_json::json!({
            "profession": {"name": occ.name},
            "skills": names,
            "tasks": tasks,
            "propose": {"min": reply::PROPOSED_SKILLS.start(), "max": reply::PROPOSED_SKILLS.end()},
            "response_schema": String::from_utf8(canonical::hash_bytes(&schema)).unwrap_or_default(),
        });
        Ok(Prompt {
            messages: self.render(SKILLS_TEMPLATE, JinjaValue::from(Serde(&ctx)))?,
            ask,
            template: self.skills_fingerprint.clone(),
        })
    }

    /// Every prompt a profession can be drafted with now: one per task ([`Self::task`]),
    /// and the skills prompt ([`Self::skills`]), which asks the model to propose skills
    /// when the catalog lists none. `cache gc` keeps what these look up; `draft`'s plan
    /// renders the ones it needs with the same two functions.
    pub fn of_profession(&self, occ: &Occupation) -> Result<Vec<Prompt>, PromptError> {
        let mut out = Vec::with_capacity(occ.tasks.len() + 1);
        for task in &occ.tasks {
            out.push(self.task(occ, task)?);
        }
        out.push(self.skills(occ)?);
        Ok(out)
    }
}

/// sha256 of what a task prompt is made from: a change makes its draft stale.
pub fn task_input(occ: &Occupation, task: &Task) -> String {
    canonical::hash_value(
        &serde_json::json!({"profession": occ.name, "task": task.text, "type": task.kind}),
    )
}

/// sha256 of what a skill's assessment is made from.
pub fn skill_input(occ: &Occupation, skill: &Skill) -> String {
    canonical::hash_value(&serde_json::json!({"profession": occ.name, "skill": skill.name}))
}

/// sha256 of what a proposal of skills is made from: the profession and its tasks.
pub fn proposal_input(occ: &Occupation) -> String {
    let tasks: Vec<&str> = occ.tasks.iter().map(|t| t.text.as_str()).collect();
    canonical::hash_value(&serde_json::json!({"profession": occ.name, "tasks": tasks}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    fn occ() -> Occupation {
        serde_json::from_value(serde_json::json!({
            "name": "ML Engineer", "slug": "ml-engineer",
            "tasks": [{"id": "code", "text": "Write production code"}],
            "skills": [{"id": "python", "name": "Python"}]
        }))
        .unwrap()
    }

    const OK: &str = "{% block system %}Rubric.{% endblock %}{% block user %}Task: {{ task.text }} of {{ profession.name }}{% endblock %}";
    const OK_SKILLS: &str = "{% block system %}S{% endblock %}{% block user %}{% for s in skills %}- {{ s }}\n{% endfor %}{% endblock %}";

    #[test]
    fn renders_system_and_user_messages() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "task.j2", OK);
        write(dir.path(), "skills.j2", OK_SKILLS);
        let p = Prompts::load(&Root::at(dir.path()), dir.path(), "prompts").unwrap();
        let o = occ();
        let prompt = p.task(&o, &o.tasks[0]).unwrap();
        assert_eq!(prompt.messages[0].content, "Rubric.");
        assert_eq!(
            prompt.messages[1].content,
            "Task: Write production code of ML Engineer"
        );
        assert!(prompt.template.starts_with("task.j2@"));
        assert_eq!(p.skills(&o).unwrap().messages[1].content, "- Python");
    }

    #[test]
    fn template_errors_name_the_template_and_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "task.j2",
            "{% block system %}\nRubric\n{{ task.nope }}{% endblock %}{% block user %}x{% endblock %}",
        );
        write(dir.path(), "skills.j2", OK_SKILLS);
        let p = Prompts::load(&Root::at(dir.path()), dir.path(), "prompts").unwrap();
        let o = occ();
        let err = p.task(&o, &o.tasks[0]).unwrap_err().to_string();
        assert!(
            err.starts_with("prompts/task.j2:3: undefined value"),
            "{err}"
        );

        write(
            dir.path(),
            "task.j2",
            "{% block system %}\n{% if %}{% endblock %}",
        );
        let err = Prompts::load(&Root::at(dir.path()), dir.path(), "prompts")
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("prompts/task.j2:2: syntax error"), "{err}");
    }

    #[test]
    fn a_changed_template_changes_only_its_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "task.j2", OK);
        write(dir.path(), "skills.j2", OK_SKILLS);
        let a = Prompts::load(&Root::at(dir.path()), dir.path(), "prompts").unwrap();
        write(dir.path(), "task.j2", &format!("{OK}\n"));
        let b = Prompts::load(&Root::at(dir.path()), dir.path(), "prompts").unwrap();
        assert_ne!(a.task_fingerprint(), b.task_fingerprint());
        assert_eq!(a.skills_fingerprint(), b.skills_fingerprint());
    }

    #[test]
    fn a_missing_block_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "task.j2", "{% block system %}x{% endblock %}");
        write(dir.path(), "skills.j2", OK_SKILLS);
        let p = Prompts::load(&Root::at(dir.path()), dir.path(), "prompts").unwrap();
        let o = occ();
        let err = p.task(&o, &o.tasks[0]).unwrap_err().to_string();
        assert!(err.contains("has no `{% block user %}`"), "{err}");
    }
}
