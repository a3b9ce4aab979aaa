//! The catalog: what is drafted. One JSON file per occupation in `data/catalog/`, typed
//! by editors or imported from O*NET task statements. Tasks and skills carry stable ids,
//! so records survive an edit of their wording.
//!
//! Parsing is strict (unknown fields are errors: an editor's typo must not vanish) and
//! every problem names the file and the line or JSON pointer.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::slug;

/// The longest task statement a catalog holds (the longest of O*NET's 19,265 is 332).
pub const MAX_TASK_TEXT: usize = 1000;
/// The longest name (an occupation's, an alias, a skill's) a catalog holds.
pub const MAX_NAME: usize = 120;
/// The longest short name: what a page title has room for beside a task's title.
pub const MAX_SHORT_NAME: usize = 40;

pub const SCHEMA_REF: &str = "../schema/catalog.schema.json";

/// One occupation: the file `data/catalog/<slug>.json`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Occupation {
    /// The JSON Schema this file follows, for editors' editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The name readers see, e.g. "ML Engineer".
    pub name: String,
    /// A shorter name for page titles, where a long name leaves no room (e.g.
    /// "Grinding Machine Operators" for O*NET's 105-character title); without one the site
    /// derives it by rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// File name and URL part: lowercase letters, digits and dashes.
    pub slug: String,
    /// Other names the profession is found by (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The O*NET-SOC code, e.g. "15-2051.00", when the occupation comes from O*NET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onet_soc: Option<String>,
    /// The O*NET title as last imported; `name` is the editor's to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onet_title: Option<String>,
    /// Where the tasks come from, for attribution on the site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub tasks: Vec<Task>,
    #[serde(default)]
    pub skills: Vec<Skill>,
}

/// One task of an occupation.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Stable id, unique in the occupation (e.g. "write-production-code", "onet-8823").
    pub id: String,
    /// The task statement.
    pub text: String,
    /// A headline for the site (at most 60 characters, e.g. "Write production code");
    /// when set it wins over the drafted title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// O*NET's task type, when known.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<TaskType>,
    /// O*NET's Task ID, when the task comes from O*NET (used by `willai eval`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub onet_task_id: Option<u64>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
pub enum TaskType {
    Core,
    Supplemental,
}

/// One skill of an occupation, assessed as vulnerable or resilient.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Skill {
    /// Stable id, unique in the occupation (e.g. "python").
    pub id: String,
    /// The name readers see.
    pub name: String,
}

impl Occupation {
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    pub fn skill(&self, id: &str) -> Option<&Skill> {
        self.skills.iter().find(|s| s.id == id)
    }
}

/// A problem in a catalog file: `path:location: message`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: String,
    /// `line:column` for syntax errors and repeated keys (the column in characters), a
    /// JSON pointer otherwise (may be empty: the whole file). `validate --format github`
    /// finds a pointer's line with `locate`.
    pub location: String,
    pub message: String,
}

/// One line, whatever the file held: the message may quote the file (a value serde
/// refused), so control characters and line breaks are shown as escapes.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let message = crate::text::visible_line(&self.message);
        let path = crate::text::visible_line(&self.path);
        if self.location.is_empty() {
            write!(f, "{path}: {message}")
        } else {
            let location = crate::text::visible_line(&self.location);
            write!(f, "{path}:{location}: {message}")
        }
    }
}

/// Every occupation of a root, sorted by slug.
#[derive(Debug, Default)]
pub struct Catalog {
    pub occupations: Vec<Occupation>,
    by_key: HashMap<String, usize>,
}

/// Parses JSON text strictly into `T`, reporting `line:column` and serde's message.
pub fn parse_strict<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, (String, String)> {
    serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line L column C"; the location goes in front instead.
        let msg = msg
            .rfind(" at line ")
            .map(|i| msg[..i].to_string())
            .unwrap_or(msg);
        // A repeated field: serde_json names the end of the object; the key and both its
        // lines say more.
        if msg.starts_with("duplicate field")
            && let Some(d) = crate::locate::Locator::new(text).duplicates().first()
        {
            return (d.again.to_string(), d.message());
        }
        // Columns in characters, as an editor counts them (serde_json counts bytes).
        let at = crate::locate::from_serde(text, e.line(), e.column());
        (at.to_string(), msg)
    })
}

/// Parses and checks one catalog file; `None` when it does not parse (the problem is
/// recorded).
pub fn parse_file(
    shown: &str,
    stem: &str,
    text: &str,
    problems: &mut Vec<Problem>,
) -> Option<Occupation> {
    match parse_strict::<Occupation>(text) {
        Ok(occ) => {
            check_occupation(&occ, stem, shown, problems);
            Some(occ)
        }
        Err((location, message)) => {
            problems.push(Problem {
                path: shown.to_string(),
                location,
                message: format!("{message} (see data/schema/catalog.schema.json)"),
            });
            None
        }
    }
}

/// Why a command cannot use the catalog, or a profession named in it (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("unknown profession {name:?}: {hint}")]
    UnknownProfession { name: String, hint: String },
    #[error(
        "the catalog has {} problem(s); fix them (`willai validate` lists them all):\n{}",
        .0.len(),
        shown_problems(.0)
    )]
    Problems(Vec<Problem>),
    #[error(
        "the catalog in {dir}/ is empty: add an occupation file or run `willai import onet FILE`"
    )]
    Empty { dir: String },
    #[error("fix the catalog before importing into it (`willai validate` lists every problem):\n{}", shown_problems(.0))]
    NotImportable(Vec<Problem>),
}

fn shown_problems(problems: &[Problem]) -> String {
    let mut lines: Vec<String> = problems.iter().take(20).map(|p| format!("  {p}")).collect();
    if problems.len() > 20 {
        lines.push(format!("  ... and {} more", problems.len() - 20));
    }
    lines.join("\n")
}

impl Catalog {
    /// A catalog of parsed occupations, sorted by slug; clashes between them (duplicate
    /// slugs) are added to the problems.
    pub fn with_problems(
        mut occupations: Vec<Occupation>,
        problems: &mut Vec<Problem>,
    ) -> (Catalog, Vec<Problem>) {
        occupations.sort_by(|a, b| a.slug.cmp(&b.slug));
        let mut catalog = Catalog {
            occupations,
            by_key: HashMap::new(),
        };
        catalog.index(problems);
        (catalog, std::mem::take(problems))
    }

    /// Builds a catalog from values already in memory (importer, tests).
    pub fn from_occupations(occupations: Vec<Occupation>) -> Catalog {
        Catalog::with_problems(occupations, &mut Vec::new()).0
    }

    fn index(&mut self, problems: &mut Vec<Problem>) {
        let mut seen_slug: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, occ) in self.occupations.iter().enumerate() {
            if let Some(&j) = seen_slug.get(occ.slug.as_str()) {
                problems.push(Problem {
                    path: format!("data/catalog/{}.json", occ.slug),
                    location: "/slug".into(),
                    message: format!(
                        "duplicate slug {:?} (also used by {:?}): give each occupation its own slug",
                        occ.slug, self.occupations[j].name
                    ),
                });
                continue;
            }
            seen_slug.insert(&occ.slug, i);
        }
        // Slugs first, then names, then aliases: an alias equal to another profession's
        // slug or name never takes it over (validate reports the clash).
        let pass = |occ: &Occupation, round: usize| -> Vec<String> {
            match round {
                0 => vec![occ.slug.clone()],
                1 => vec![key(&occ.name)],
                _ => occ.aliases.iter().map(|a| key(a)).collect(),
            }
        };
        for round in 0..3 {
            for (i, occ) in self.occupations.iter().enumerate() {
                for k in pass(occ, round) {
                    self.by_key.entry(k).or_insert(i);
                }
            }
        }
    }

    pub fn get(&self, slug: &str) -> Option<&Occupation> {
        self.occupations
            .binary_search_by(|o| o.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.occupations[i])
    }

    /// Finds a profession by slug, name or alias (in that order), case-insensitively.
    pub fn find(&self, name: &str) -> Result<&Occupation, CatalogError> {
        if let Some(&i) = self.by_key.get(&key(name)) {
            return Ok(&self.occupations[i]);
        }
        let slugged = slug::slugify(name);
        if let Some(occ) = self.get(&slugged) {
            return Ok(occ);
        }
        let near = self.nearest(name, 3);
        let hint = if near.is_empty() {
            "run `willai status` to list the professions in data/catalog/".to_string()
        } else {
            format!(
                "did you mean {}? (`willai status` lists them all)",
                near.iter()
                    .map(|n| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Err(CatalogError::UnknownProfession {
            name: name.to_string(),
            hint,
        })
    }

    /// The names nearest to `name`, best first (for "did you mean").
    pub fn nearest(&self, name: &str, n: usize) -> Vec<String> {
        let wanted = name.trim().to_lowercase();
        let mut scored: Vec<(f64, &str)> = Vec::new();
        for occ in &self.occupations {
            let best = std::iter::once(&occ.name)
                .chain(occ.aliases.iter())
                .chain(std::iter::once(&occ.slug))
                .map(|k| {
                    let k = k.to_lowercase();
                    let mut score = strsim::jaro_winkler(&wanted, &k);
                    if !wanted.is_empty() && k.contains(&wanted) {
                        score = score.max(0.9);
                    }
                    score
                })
                .fold(0.0, f64::max);
            if best >= 0.75 {
                scored.push((best, &occ.name));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(n)
            .map(|(_, name)| name.to_string())
            .collect()
    }
}

/// A name, alias or slug as looked up: trimmed, case aside.
pub fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub fn check_occupation(
    occ: &Occupation,
    file_stem: &str,
    path: &str,
    problems: &mut Vec<Problem>,
) {
    let mut push = |location: String, message: String| {
        problems.push(Problem {
            path: path.to_string(),
            location,
            message,
        });
    };
    if !slug::is_slug(&occ.slug) {
        push(
            "/slug".into(),
            format!(
                "{:?} is not a slug: use {:?}",
                occ.slug,
                slug::slugify(&occ.slug)
            ),
        );
    } else if slug::is_windows_reserved(&occ.slug) {
        push(
            "/slug".into(),
            format!(
                "{:?} is a name Windows reserves for a device, so a checkout there cannot hold {}.json: use {:?} (and rename the file)",
                occ.slug,
                occ.slug,
                slug::portable(occ.slug.clone(), "occupation")
            ),
        );
    } else if occ.slug != file_stem {
        push(
            "/slug".into(),
            format!(
                "slug {:?} does not match the file name: rename the file to {}.json",
                occ.slug, occ.slug
            ),
        );
    }
    check_text(&occ.name, "/name", MAX_NAME, &mut push);
    if let Some(short) = &occ.short_name {
        check_text(short, "/short_name", MAX_SHORT_NAME, &mut push);
    }
    for (i, alias) in occ.aliases.iter().enumerate() {
        check_text(alias, &format!("/aliases/{i}"), MAX_NAME, &mut push);
    }
    if occ.tasks.is_empty() {
        push(
            "/tasks".into(),
            "an occupation needs at least one task: add one".into(),
        );
    }
    let mut ids = HashMap::new();
    for (i, task) in occ.tasks.iter().enumerate() {
        check_id(&task.id, &format!("/tasks/{i}/id"), &mut push);
        if let Some(j) = ids.insert(task.id.as_str(), i) {
            push(
                format!("/tasks/{i}/id"),
                format!(
                    "duplicate task id {:?} (also /tasks/{j}): give each task its own id",
                    task.id
                ),
            );
        }
        check_text(
            &task.text,
            &format!("/tasks/{i}/text"),
            MAX_TASK_TEXT,
            &mut push,
        );
        if let Some(title) = &task.title {
            check_text(title, &format!("/tasks/{i}/title"), 60, &mut push);
        }
    }
    let mut ids = HashMap::new();
    for (i, skill) in occ.skills.iter().enumerate() {
        check_id(&skill.id, &format!("/skills/{i}/id"), &mut push);
        if let Some(j) = ids.insert(skill.id.as_str(), i) {
            push(
                format!("/skills/{i}/id"),
                format!(
                    "duplicate skill id {:?} (also /skills/{j}): give each skill its own id",
                    skill.id
                ),
            );
        }
        check_text(
            &skill.name,
            &format!("/skills/{i}/name"),
            MAX_NAME,
            &mut push,
        );
    }
}

fn check_id(id: &str, pointer: &str, push: &mut dyn FnMut(String, String)) {
    if !slug::is_slug(id) {
        push(
            pointer.to_string(),
            format!(
                "id {id:?} must be lowercase letters, digits and single dashes: use {:?}",
                slug::slugify(id)
            ),
        );
    }
}

/// Text must be non-empty, trimmed, one line and not overlong.
pub fn check_text(text: &str, pointer: &str, max: usize, push: &mut dyn FnMut(String, String)) {
    if let Some(problem) = text_problem(text, max) {
        push(pointer.to_string(), problem);
    }
}

/// What is wrong with a one-line catalog text, if anything: the rule `validate` applies,
/// for every other reader of text that ends up in a catalog (`import onet`) to apply too.
pub fn text_problem(text: &str, max: usize) -> Option<String> {
    let n = text.chars().count();
    if text.trim().is_empty() {
        Some("must not be empty: write the text".into())
    } else if text.trim() != text {
        Some("has leading or trailing whitespace: trim it".into())
    } else if n > max {
        Some(format!(
            "is {n} characters long: shorten it to {max} at most"
        ))
    } else if text.contains('\n') {
        Some("must be one line: remove the line breaks".into())
    } else {
        crate::text::forbidden(text).map(|f| f.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Limits count characters, as the README says, not bytes: 60 accented letters fit
    /// 60; blank text is empty text.
    #[test]
    fn text_is_measured_in_characters_and_blank_is_empty() {
        assert_eq!(text_problem(&"é".repeat(60), 60), None);
        assert_eq!(
            text_problem(&"é".repeat(61), 60).as_deref(),
            Some("is 61 characters long: shorten it to 60 at most")
        );
        for blank in ["", "   "] {
            assert_eq!(
                text_problem(blank, 60).as_deref(),
                Some("must not be empty: write the text")
            );
        }
    }

    fn occ(name: &str, slug: &str, aliases: &[&str]) -> Occupation {
        Occupation {
            schema: None,
            name: name.into(),
            short_name: None,
            slug: slug.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            onet_soc: None,
            onet_title: None,
            source: None,
            tasks: vec![Task {
                id: "t".into(),
                text: "Do it".into(),
                title: None,
                kind: None,
                onet_task_id: None,
            }],
            skills: vec![],
        }
    }

    fn catalog() -> Catalog {
        Catalog::from_occupations(vec![
            occ("ML Engineer", "ml-engineer", &["Machine Learning Engineer"]),
            occ("Data Scientists", "data-scientists", &[]),
            occ("Chief Executives", "chief-executives", &["CEO"]),
        ])
    }

    #[test]
    fn finds_by_name_alias_or_slug_in_any_case() {
        let c = catalog();
        assert_eq!(c.find("ml engineer").unwrap().slug, "ml-engineer");
        assert_eq!(
            c.find("MACHINE LEARNING ENGINEER").unwrap().slug,
            "ml-engineer"
        );
        assert_eq!(c.find("ceo").unwrap().slug, "chief-executives");
        assert_eq!(c.find("data-scientists").unwrap().slug, "data-scientists");
    }

    #[test]
    fn unknown_names_suggest_the_nearest() {
        let err = catalog().find("ML Enginer").unwrap_err().to_string();
        assert!(err.contains("did you mean \"ML Engineer\""), "{err}");
        let err = catalog().find("Zookeeper").unwrap_err().to_string();
        assert!(err.contains("willai status"), "{err}");
    }

    #[test]
    fn strict_parse_reports_line_and_column() {
        let (loc, msg) =
            parse_strict::<Occupation>("{\n  \"name\": \"x\",\n  \"nmae\": 1\n}").unwrap_err();
        assert_eq!(loc, "3:8");
        assert!(msg.contains("unknown field `nmae`"), "{msg}");
    }
}
