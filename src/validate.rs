//! `willai validate`, the CI gate: every catalog, record and audit file must parse strictly,
//! follow its JSON Schema, hold together (ids, slugs, references to the catalog), carry
//! intact approvals, and be in canonical formatting. Every problem of every file is
//! reported in one run, one `path:json-pointer: message` line each (`path:line:column`
//! for syntax errors, repeated keys and the first line out of canonical form), each
//! saying what to do. `--format github` places each at its line through `locate`.
//!
//! Each file is checked twice over: by the JSON Schema generated from the Rust types,
//! and by the typed parser the rest of the tool uses, so the schema and the code cannot
//! silently disagree about a file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use jsonschema::error::ValidationErrorKind;
use rayon::prelude::*;
use serde_json::Value;

use crate::audit;
use crate::beneath::{self, Kind};
use crate::catalog::{self, Occupation, Problem, check_text};
use crate::junk::Instructions;
use crate::record::{
    Approval, Content, Entry, Provenance, Record, SkillContent, SkillEntry, Status, TaskContent,
    TaskEntry,
};
use crate::reply::{self, Shape};
use crate::root::Root;
use crate::schema;
use crate::store::json_files;

/// What `validate` found.
#[derive(Debug, Default)]
pub struct Findings {
    pub files: usize,
    pub problems: Vec<Problem>,
}

struct Checker {
    catalog_schema: jsonschema::Validator,
    record_schema: jsonschema::Validator,
    audit_schema: jsonschema::Validator,
    /// The project's templates' own words, when they load (a text that gives them back
    /// is junk).
    instructions: Option<Instructions>,
}

/// Checks every catalog and record file of a root.
pub fn validate(root: &Root) -> anyhow::Result<Findings> {
    let checker = Checker {
        catalog_schema: jsonschema::validator_for(&schema::catalog())
            .map_err(|e| anyhow::anyhow!("catalog schema: {e}"))?,
        record_schema: jsonschema::validator_for(&schema::record())
            .map_err(|e| anyhow::anyhow!("record schema: {e}"))?,
        audit_schema: jsonschema::validator_for(&schema::audit())
            .map_err(|e| anyhow::anyhow!("audit schema: {e}"))?,
        instructions: crate::prompt::Prompts::load(root, &root.prompts_dir(), "prompts")
            .ok()
            .map(|p| p.instructions().as_ref().clone()),
    };
    let mut report = Findings::default();
    report.problems.extend(check_schema_files(root));
    let mut refused = links_and_special_files(root);

    let (catalog_files, skipped) = json_files(root, &root.catalog_dir())?;
    refused.extend(skipped);
    let parsed: Vec<(Vec<Problem>, Option<Occupation>)> = catalog_files
        .par_iter()
        .map(|path| checker.catalog_file(root, path))
        .collect();
    let mut occupations: HashMap<String, Occupation> = HashMap::new();
    // Catalog files that exist but do not read (their problems are reported): their
    // records cannot be checked against them, and are not "without a catalog file".
    let mut unread: HashSet<String> = HashSet::new();
    for (path, (problems, occ)) in catalog_files.iter().zip(parsed) {
        report.problems.extend(problems);
        match occ {
            Some(occ) => {
                occupations.insert(occ.slug.clone(), occ);
            }
            None => {
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    unread.insert(stem.to_string());
                }
            }
        }
    }
    report.problems.extend(cross_catalog(&occupations));

    let (record_files, skipped) = json_files(root, &root.records_dir())?;
    refused.extend(skipped);
    let (audit_files, skipped) = json_files(root, &root.audits_dir())?;
    refused.extend(skipped);
    refused.sort();
    refused.dedup();
    report.problems.extend(refused);
    let catalog = Catalog {
        read: &occupations,
        unread: &unread,
    };
    let record_problems: Vec<Vec<Problem>> = record_files
        .par_iter()
        .map(|path| checker.record_file(root, path, &catalog))
        .collect();
    report
        .problems
        .extend(record_problems.into_iter().flatten());
    for path in &audit_files {
        report.problems.extend(checker.audit_file(root, path));
    }
    report.files = catalog_files.len() + record_files.len() + audit_files.len();
    Ok(report)
}

fn problem(path: &str, location: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        location: location.into(),
        message: message.into(),
    }
}

/// `data/schema/` must hold what the code generates.
fn check_schema_files(root: &Root) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, text) in schema::files() {
        let path = root.schema_dir().join(name);
        let shown = root.display(&path);
        match root.read(&path, beneath::MAX_TEXT, "schema file") {
            Ok(Some(committed)) if committed == text.as_bytes() => {}
            Ok(Some(_)) => {
                let why = "out of date with this version of willai: run `willai schema` and commit the result";
                out.push(problem(&shown, "", why))
            }
            Ok(None) => out.push(problem(
                &shown,
                "",
                "missing: run `willai schema` to write it",
            )),
            Err(e) => {
                let why = format!("{}; `willai schema` writes it anew", e.reason());
                out.push(problem(&shown, "", why))
            }
        }
    }
    out
}

/// A data file read as JSON: its text and value, or the problem that keeps it from
/// being read at all (unreadable, not UTF-8, a syntax error).
fn read_json(root: &Root, shown: &str, path: &Path) -> Result<(String, Value), Problem> {
    let bytes = match root.read(path, beneath::MAX_TEXT, "data file") {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return Err(problem(
                shown,
                "",
                "was removed while validate ran: run it again",
            ));
        }
        Err(e) => return Err(problem(shown, "", e.reason())),
    };
    let text = crate::fsx::decode(&bytes).map_err(|e| problem(shown, e.location, e.message))?;
    let value: Value = catalog::parse_strict(text)
        .map_err(|(loc, msg)| problem(shown, loc, format!("{msg}: fix the JSON syntax")))?;
    Ok((text.to_string(), value))
}

/// What parses of a list of entries, each with its index in the file: an entry that does
/// not parse is left out (the schema's messages say why), the others are still checked.
fn entries<C: Content>(value: &Value, field: &str) -> Vec<(usize, Entry<C>)> {
    value
        .get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| serde_json::from_value(v.clone()).ok().map(|e| (i, e)))
                .collect()
        })
        .unwrap_or_default()
}

impl Checker {
    /// The schema's problems of a file, one per place, worded for an editor.
    fn schema_problems(
        &self,
        shown: &str,
        value: &Value,
        schema: &jsonschema::Validator,
    ) -> Vec<Problem> {
        let mut errors: Vec<Problem> = Vec::new();
        for e in schema.iter_errors(value) {
            let is_enum = matches!(e.kind(), ValidationErrorKind::Enum { .. });
            for p in schema_problem(shown, value, &e) {
                // One message per place: a value of the wrong type that is not in the enum
                // either is one mistake, best told by the list of allowed values.
                match errors.iter_mut().find(|q| q.location == p.location) {
                    Some(q) if is_enum => *q = p,
                    Some(_) => {}
                    None => errors.push(p),
                }
            }
        }
        errors
    }

    fn catalog_file(&self, root: &Root, path: &Path) -> (Vec<Problem>, Option<Occupation>) {
        let shown = root.display(path);
        let (text, value) = match read_json(root, &shown, path) {
            Ok(read) => read,
            Err(p) => return (vec![p], None),
        };
        let duplicates = repeated_keys(&shown, &text);
        let mut problems = duplicates.clone();
        problems.extend(self.schema_problems(&shown, &value, &self.catalog_schema));
        let occ = match serde_json::from_value::<Occupation>(value) {
            Ok(o) => o,
            Err(e) => {
                if problems.is_empty() {
                    problems.push(not_in_step(&shown, &e, schema::CATALOG_FILE));
                }
                return (problems, None);
            }
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        catalog::check_occupation(&occ, stem, &shown, &mut problems);
        check_schema_ref(
            &shown,
            occ.schema.as_deref(),
            catalog::SCHEMA_REF,
            &mut problems,
        );
        if duplicates.is_empty() {
            check_canonical(
                &shown,
                &text,
                &crate::canonical::pretty(&occ),
                &mut problems,
            );
        }
        (problems, Some(occ))
    }

    /// Every problem of a record file that parses as JSON: the schema's, and the checks
    /// of every entry that parses, even when others do not.
    fn record_file(&self, root: &Root, path: &Path, catalog: &Catalog) -> Vec<Problem> {
        let shown = root.display(path);
        let (text, value) = match read_json(root, &shown, path) {
            Ok(read) => read,
            Err(p) => return vec![p],
        };
        let duplicates = repeated_keys(&shown, &text);
        let mut problems = duplicates.clone();
        problems.extend(self.schema_problems(&shown, &value, &self.record_schema));
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let whole = serde_json::from_value::<Record>(value.clone());
        let profession = value.get("profession").and_then(Value::as_str);
        if let Some(profession) = profession {
            let tasks = entries::<TaskContent>(&value, "tasks");
            let skills = entries::<SkillContent>(&value, "skills");
            let parts = Parts {
                profession,
                tasks: tasks.iter().map(|(i, e)| (*i, e)).collect(),
                skills: skills.iter().map(|(i, e)| (*i, e)).collect(),
            };
            check_record(
                &parts,
                stem,
                catalog.read.get(profession),
                catalog.unread.contains(profession),
                &shown,
                self.instructions.as_ref(),
                &mut problems,
            );
        }
        match whole {
            Ok(record) => {
                check_schema_ref(
                    &shown,
                    record.schema.as_deref(),
                    crate::record::SCHEMA_REF,
                    &mut problems,
                );
                if duplicates.is_empty() {
                    check_canonical(&shown, &text, &record.to_canonical(), &mut problems);
                }
            }
            Err(e) if problems.is_empty() => {
                problems.push(not_in_step(&shown, &e, schema::RECORD_FILE))
            }
            Err(_) => {}
        }
        problems
    }
}

impl Checker {
    /// Every problem of an audit file: the schema's, and the audit's own rules.
    fn audit_file(&self, root: &Root, path: &Path) -> Vec<Problem> {
        let shown = root.display(path);
        let (text, value) = match read_json(root, &shown, path) {
            Ok(read) => read,
            Err(p) => return vec![p],
        };
        let mut problems = self.schema_problems(&shown, &value, &self.audit_schema);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if !audit::file::is_name(stem) {
            problems.push(problem(
                &shown,
                "",
                "the file name cannot name an audit: rename it with lowercase letters, digits and single dashes (at most 80), e.g. 2026-q4.json",
            ));
        }
        match serde_json::from_value::<audit::Audit>(value) {
            Ok(a) => {
                audit::file::check(&a, &mut |location, message| {
                    problems.push(problem(&shown, location, message))
                });
                check_schema_ref(
                    &shown,
                    a.schema.as_deref(),
                    audit::file::SCHEMA_REF,
                    &mut problems,
                );
                check_canonical(&shown, &text, &a.to_canonical(), &mut problems);
            }
            Err(e) if problems.is_empty() => problems.push(problem(
                &shown,
                "",
                format!(
                    "{e} (data/schema/{} accepts this but willai does not: please report it)",
                    schema::AUDIT_FILE
                ),
            )),
            Err(_) => {}
        }
        problems
    }
}

/// The parts of a record that parse, each entry with its index in the file.
pub struct Parts<'a> {
    pub profession: &'a str,
    pub tasks: Vec<(usize, &'a TaskEntry)>,
    pub skills: Vec<(usize, &'a SkillEntry)>,
}

impl<'a> Parts<'a> {
    /// All of a record that parsed whole.
    pub fn of(record: &'a Record) -> Parts<'a> {
        Parts {
            profession: &record.profession,
            tasks: record.tasks.iter().enumerate().collect(),
            skills: record.skills.iter().enumerate().collect(),
        }
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// One schema error as problems, worded for an editor.
fn schema_problem(shown: &str, root: &Value, e: &jsonschema::ValidationError) -> Vec<Problem> {
    let at = e.instance_path().to_string();
    let instance = root.pointer(&at).cloned().unwrap_or(Value::Null);
    let why = match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let unknown = |name: &String| {
                let why = format!(
                    "unknown field `{name}`: remove it or correct its spelling (data/schema/ lists the fields)"
                );
                problem(shown, format!("{at}/{}", crate::locate::escape(name)), why)
            };
            return unexpected.iter().map(unknown).collect();
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            format!("missing field `{name}`: add it")
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(|v| v.to_string()).collect())
                .unwrap_or_default();
            let is_allowed_but_for_case = |s: &str| {
                allowed
                    .iter()
                    .any(|a| a.trim_matches('"').eq_ignore_ascii_case(s))
            };
            let hint = match instance.as_str() {
                Some(state @ ("edited" | "stale" | "missing")) if at.ends_with("/status") => {
                    format!(
                        " (`{state}` is a state `willai status` shows, worked out from the text; it is not stored: write \"draft\", or \"approved\" with `willai approve`)"
                    )
                }
                Some(s) if is_allowed_but_for_case(s) => " (mind the case)".to_string(),
                _ => String::new(),
            };
            let allowed = allowed.join(", ");
            format!("{instance} is not allowed here: use one of {allowed}{hint}")
        }
        ValidationErrorKind::Type { kind } => {
            let found = describe(&instance);
            let kind = format!("{kind:?}").to_lowercase();
            let wanted = match kind.replace("single(", "").replace(')', "").as_str() {
                "string" => "a string",
                "integer" => "a whole number",
                "number" => "a number",
                "array" => "a list ([...])",
                "object" => "an object ({...})",
                "boolean" => "true or false",
                _ => "another type",
            };
            format!("expected {wanted}, found {found}: write it as {wanted}")
        }
        _ => e.to_string(),
    };
    vec![problem(shown, at, why)]
}

/// A file the schema accepts but the typed parser refuses: the two disagree, a bug.
fn not_in_step(shown: &str, e: &serde_json::Error, schema_file: &str) -> Problem {
    let why = format!(
        "{e} (data/schema/{schema_file} accepts this but willai does not: please report it)"
    );
    problem(shown, "", why)
}

fn check_schema_ref(shown: &str, got: Option<&str>, want: &str, problems: &mut Vec<Problem>) {
    if got != Some(want) {
        problems.push(problem(
            shown,
            "/$schema",
            format!(
                "should be {want:?}, so editors can check the file as they type: run `willai fmt`"
            ),
        ));
    }
}

/// [`duplicate_keys`], spared for a file a quick scan finds no repeated key in (nearly
/// every file): locating every key of every file took a third of `validate`'s time on a
/// large project.
fn repeated_keys(shown: &str, text: &str) -> Vec<Problem> {
    if !crate::locate::may_repeat_a_key(text) {
        return Vec::new();
    }
    duplicate_keys(shown, text)
}

/// Every key written twice in one object, at the line of its repetition: the parsed
/// value keeps only the last, so the first would vanish without a word. (The canonical
/// check is then left out: `fmt` refuses such a file, since it cannot know which to keep.)
pub fn duplicate_keys(shown: &str, text: &str) -> Vec<Problem> {
    crate::locate::Locator::new(text)
        .duplicates()
        .iter()
        .map(|d| problem(shown, d.again.to_string(), d.message()))
        .collect()
}

fn check_canonical(shown: &str, text: &str, canonical: &str, problems: &mut Vec<Problem>) {
    if text == canonical {
        return;
    }
    if text.contains("\r\n") {
        problems.push(problem(
            shown,
            "",
            "has Windows line endings (CRLF): run `willai fmt` to rewrite it with LF (and set `git config core.autocrlf false` or a `* text eol=lf` line in .gitattributes so they stay)",
        ));
        return;
    }
    let line = text
        .lines()
        .zip(canonical.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| text.lines().count().min(canonical.lines().count()))
        + 1;
    let why = format!(
        "not in canonical formatting (first difference at line {line}): run `willai fmt` to rewrite it"
    );
    problems.push(problem(shown, format!("{line}:1"), why));
}

/// Slugs, names and aliases must each find one profession: an alias equal to another
/// profession's slug or name would send an editor's `approve -p` to the wrong record.
/// The slug's owner keeps it, then the name's; each other claimant is told, at the field.
fn cross_catalog(occupations: &HashMap<String, Occupation>) -> Vec<Problem> {
    // Each key with its claimants: (rank: 0 slug, 1 name, 2 alias; slug; pointer).
    let mut owners: BTreeMap<String, Vec<(u8, &str, String)>> = BTreeMap::new();
    let mut sorted: Vec<&Occupation> = occupations.values().collect();
    sorted.sort_by(|a, b| a.slug.cmp(&b.slug));
    for occ in &sorted {
        let mut keys: Vec<(String, u8, String)> = vec![
            (occ.slug.clone(), 0, "/slug".to_string()),
            (catalog::key(&occ.name), 1, "/name".to_string()),
        ];
        for (i, a) in occ.aliases.iter().enumerate() {
            keys.push((catalog::key(a), 2, format!("/aliases/{i}")));
        }
        // One claim per key and profession (its alias may repeat its own name).
        keys.sort();
        keys.dedup_by(|a, b| a.0 == b.0);
        for (k, rank, at) in keys {
            owners.entry(k).or_default().push((rank, &occ.slug, at));
        }
    }
    let mut out = Vec::new();
    for (key, mut claims) in owners {
        if claims.len() < 2 {
            continue;
        }
        claims.sort();
        let (rank, owner, _) = &claims[0];
        let what = ["slug", "name", "alias"][*rank as usize];
        for (_, slug, at) in &claims[1..] {
            let fix = if at == "/slug" {
                "give this occupation another slug (and rename the file)"
            } else {
                "remove it or change it"
            };
            out.push(problem(
                &format!("data/catalog/{slug}.json"),
                at.clone(),
                format!("{key:?} is also the {what} of {owner:?}: {fix}, since a profession must be found by one name only"),
            ));
        }
    }
    out
}

fn check_approval(
    a: Option<&Approval>,
    expected_hash: &str,
    at: &str,
    fix: &str,
    push: &mut dyn FnMut(String, String),
) {
    let Some(a) = a else {
        push(
            format!("{at}/status"),
            format!("approved but no `approval` is recorded: approve it with `{fix}`"),
        );
        return;
    };
    if a.reviewer.trim().is_empty() {
        push(
            format!("{at}/approval/reviewer"),
            format!("an approval needs a reviewer: re-approve with `{fix} --reviewer NAME`"),
        );
    } else if let Some(f) = crate::text::forbidden(&a.reviewer) {
        push(
            format!("{at}/approval/reviewer"),
            format!("{f}, then re-approve with `{fix} --reviewer NAME`"),
        );
    } else if let Some(why) = crate::text::formula_like(&a.reviewer) {
        push(
            format!("{at}/approval/reviewer"),
            format!("{why}, then re-approve with `{fix} --reviewer NAME`"),
        );
    }
    if a.date.parse::<jiff::civil::Date>().is_err() {
        push(
            format!("{at}/approval/date"),
            format!(
                "{:?} is not a date (YYYY-MM-DD): re-approve with `{fix}`",
                a.date
            ),
        );
    }
    if a.sha256 != expected_hash {
        push(
            format!("{at}/approval/sha256"),
            format!("edited after approval: re-approve with `{fix}` (or undo the edit)"),
        );
    }
}

fn check_provenance(p: &Provenance, at: &str, push: &mut dyn FnMut(String, String)) {
    if p.model.trim().is_empty() {
        push(
            format!("{at}/model"),
            "must name the model: do not edit provenance by hand".into(),
        );
    }
    if p.template
        .split_once('@')
        .is_none_or(|(n, h)| n.is_empty() || h.is_empty())
    {
        push(
            format!("{at}/template"),
            "must be `NAME.j2@FINGERPRINT`: do not edit provenance by hand".into(),
        );
    }
    for (field, v) in [("input", &p.input), ("cache_key", &p.cache_key)] {
        if !crate::cache::is_key(v) {
            push(
                format!("{at}/{field}"),
                "must be a sha256 in lowercase hex: do not edit provenance by hand".into(),
            );
        }
    }
    // Where the answer came from: one line each, and a host only a host (never a
    // credential, path or query).
    for (field, v) in [
        ("host", &p.host),
        ("served_model", &p.served_model),
        ("system_fingerprint", &p.system_fingerprint),
    ] {
        if let Some(v) = v
            && let Some(problem) = crate::catalog::text_problem(v, crate::cache::SOURCE_CHARS)
        {
            push(
                format!("{at}/{field}"),
                format!("{problem}: do not edit provenance by hand (a redraft records it again)"),
            );
        }
    }
    if let Some(h) = &p.host
        && h.contains(['@', '/', '?', '#', ' '])
    {
        push(
            format!("{at}/host"),
            "must be a host[:port] alone, never a user, password, path or query: do not edit provenance by hand (a redraft records it again)".into(),
        );
    }
    if let Some(c) = &p.confidence {
        if !(0.0..=1.0).contains(&c.value) {
            push(
                format!("{at}/confidence/value"),
                format!(
                    "is {}, not a probability between 0 and 1: do not edit provenance by hand (a redraft records it again)",
                    c.value
                ),
            );
        }
        if let Some(n) = c.samples
            && !crate::config::SAMPLES.contains(&n)
        {
            push(
                format!("{at}/confidence/samples"),
                format!("is {n}; willai samples 1 to 16 answers: do not edit provenance by hand"),
            );
        }
    }
}

/// Where checks report a problem: (JSON pointer, message).
type Push<'p> = dyn FnMut(String, String) + 'p;

/// The texts of a content, checked against the reply's field table (the limits a
/// machine's reply must keep hold for a person's text too). With `complete`, every field
/// must be there (a machine's text).
/// The problems of a text an editor wrote (in `review`'s editor), as `validate` would
/// report them in the record: (the field's JSON pointer, the message).
pub fn content_problems<C: Content>(c: &C) -> Vec<(String, String)> {
    let mut out = Vec::new();
    check_content(c, "", false, Junk::On(None), &mut |at, message| {
        out.push((at, message))
    });
    out
}

/// Whether a text is checked for junk (a template placeholder, a verdict word alone, the
/// templates' instructions given back): what `draft` refuses from a model. The current
/// text and a proposal are (they are what is approved and published); the machine's text
/// beside an editor's is not (the editor has answered it).
#[derive(Clone, Copy)]
enum Junk<'a> {
    Off,
    On(Option<&'a Instructions>),
}

fn check_junk(text: &str, at: &str, shape: Shape, junk: Junk, push: &mut Push) {
    let Junk::On(instructions) = junk else {
        return;
    };
    let kind = match shape {
        Shape::Text { .. } => crate::junk::Kind::Sentence,
        _ => crate::junk::Kind::Headline,
    };
    let found = crate::junk::what(text).or_else(|| {
        instructions
            .and_then(|i| i.echo("it", text, kind))
            .map(|_| "repeats the prompt's instructions instead of answering".to_string())
    });
    if let Some(what) = found {
        push(
            at.to_string(),
            format!("{what}: rewrite it, or ask the model again with `willai draft --redraft`"),
        );
    }
}

fn check_content<C: Content>(c: &C, at: &str, complete: bool, junk: Junk, push: &mut Push) {
    let fields = reply::fields(C::KIND);
    let value = serde_json::to_value(c).unwrap_or_default();
    for f in fields {
        let here = format!("{at}/{}", f.name);
        match (value.get(f.name), f.shape) {
            (None, _) if complete && f.always => push(
                here,
                "missing from the machine's text: do not edit provenance by hand".into(),
            ),
            (Some(Value::String(text)), Shape::Text { max } | Shape::Title { max }) => {
                check_text(text, &here, max, push);
                check_junk(text, &here, f.shape, junk, push);
            }
            (Some(Value::Array(items)), Shape::Names { max_items, max_len }) => {
                if items.len() > max_items {
                    push(
                        here.clone(),
                        format!("lists {} tools; keep at most {max_items}", items.len()),
                    );
                }
                for (i, t) in items.iter().enumerate() {
                    let text = t.as_str().unwrap_or_default();
                    let here = format!("{here}/{i}");
                    check_text(text, &here, max_len, push);
                    check_junk(text, &here, f.shape, junk, push);
                }
            }
            _ => {}
        }
    }
}

/// The checks every entry of a kind must pass: unique, in the catalog, its text, its
/// status and approval, its provenance.
fn check_entries<C: Content>(
    entries: &[(usize, &Entry<C>)],
    membership: &dyn Fn(&Entry<C>) -> Option<String>,
    slug: &str,
    instructions: Option<&Instructions>,
    push: &mut Push,
) {
    let kind = C::KIND;
    let (noun, field) = (kind.noun(), kind.field());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for &(i, e) in entries {
        let at = format!("/{field}/{i}");
        let id = e.id.as_str();
        if let Some(j) = seen.insert(id, i) {
            push(
                format!("{at}/id"),
                format!("duplicate {noun} {id:?} (also /{field}/{j}): keep one entry per {noun}"),
            );
        }
        if let Some(problem) = membership(e) {
            push(format!("{at}/id"), problem);
        }
        check_content(&e.content, &at, false, Junk::On(instructions), push);
        if let Some(source) = &e.source {
            check_text(source, &format!("{at}/source"), 300, push);
        }
        // The reason a draft failed often quotes the server: one line of plain text,
        // like every other text in a record.
        if let Some(f) = e.error.as_deref().and_then(crate::text::forbidden) {
            push(
                format!("{at}/error"),
                format!("{f}: run `willai draft` to retry, which writes the reason anew"),
            );
        }
        let fix = format!("willai approve --profession {slug} --{noun} {id}");
        match e.status {
            Status::Approved => {
                if !e.has_content() {
                    push(
                        at.clone(),
                        format!("approved without {}: add them and re-approve", kind.needs()),
                    );
                }
                check_approval(e.approval.as_ref(), &e.content_hash(), &at, &fix, push);
            }
            Status::Draft => {
                if !e.has_content() {
                    push(
                        at.clone(),
                        format!(
                            "a draft needs {}: write them, or run `willai draft` to redraft",
                            kind.needs()
                        ),
                    );
                }
            }
            Status::Rejected => {
                if e.machine.is_none() {
                    push(
                        format!("{at}/status"),
                        "a rejected entry keeps the machine's text it rejects in `machine`: do not edit it by hand (`willai reject` records it)".into(),
                    );
                }
            }
            Status::Failed => {
                if e.error.as_deref().is_none_or(|x| x.trim().is_empty()) {
                    push(
                        format!("{at}/error"),
                        "a failed entry says why in `error`: run `willai draft` to retry".into(),
                    );
                }
            }
        }
        if e.status != Status::Approved && e.approval.is_some() {
            push(
                format!("{at}/approval"),
                format!(
                    "an approval is recorded but the status is not approved: approve with `{fix}`, or remove the approval"
                ),
            );
        }
        for (name, m) in [("machine", &e.machine), ("proposal", &e.proposal)] {
            if let Some(m) = m {
                let at = format!("{at}/{name}");
                check_provenance(&m.provenance, &at, push);
                let junk = if name == "proposal" {
                    Junk::On(instructions)
                } else {
                    Junk::Off
                };
                check_content(&m.content, &at, true, junk, push);
            }
        }
    }
}

/// The catalog files as far as they read, for checking records against them.
struct Catalog<'a> {
    read: &'a HashMap<String, Occupation>,
    /// Slugs whose catalog file exists but does not read.
    unread: &'a HashSet<String>,
}

/// The checks a record's parts must pass: against its catalog entry `occ` when there is
/// one. `catalog_unread`: its catalog file exists but does not read (reported there), so
/// the record is not "without a catalog file".
fn check_record(
    record: &Parts,
    stem: &str,
    occ: Option<&Occupation>,
    catalog_unread: bool,
    shown: &str,
    instructions: Option<&Instructions>,
    problems: &mut Vec<Problem>,
) {
    let mut push =
        |location: String, message: String| problems.push(problem(shown, location, message));
    let slug = record.profession;
    let is_slug = crate::slug::is_slug(slug);
    if !is_slug {
        // Never advice that builds a path from the field (`../../x`, `/etc/x`).
        push(
            "/profession".into(),
            format!(
                "{slug:?} is not a profession slug: a record's profession is its file name; write {stem:?}"
            ),
        );
    } else if slug != stem {
        push(
            "/profession".into(),
            format!(
                "{slug:?} does not match the file name: rename the file to {slug}.json or fix the field"
            ),
        );
    }
    if occ.is_none() && !catalog_unread && is_slug {
        push(
            "/profession".into(),
            format!(
                "no catalog file data/catalog/{slug}.json: add the occupation to the catalog or remove this record"
            ),
        );
    }
    let missing = |noun: &str, id: &str| {
        format!(
            "{noun} {id:?} is not in data/catalog/{slug}.json: remove this entry or restore the {noun} in the catalog"
        )
    };
    let task_in_catalog = |e: &TaskEntry| {
        occ.is_some_and(|o| o.task(&e.id).is_none())
            .then(|| missing("task", &e.id))
    };
    check_entries(
        &record.tasks,
        &task_in_catalog,
        slug,
        instructions,
        &mut push,
    );
    // A profession whose catalog lists no skills has the skills the model proposed, each
    // with its name; once the catalog lists skills, those are the ones assessed.
    let skill_in_catalog = |e: &SkillEntry| {
        let o = occ?;
        let named = e.content.name.is_some();
        match (o.skill(&e.id).is_some(), o.skills.is_empty(), named) {
            (true, _, false) => None,
            (true, _, true) => Some(format!(
                "skill {:?} is in the catalog, which names it: remove `name` here",
                e.id
            )),
            (false, true, true) => None,
            (false, true, false) => {
                Some("a proposed skill needs its `name`: add it, or remove the entry".to_string())
            }
            (false, false, true) => Some(format!(
                "skill {:?} was proposed when the catalog listed no skills; data/catalog/{slug}.json lists skills now: remove this entry, or add the skill to the catalog",
                e.id
            )),
            (false, false, false) => Some(missing("skill", &e.id)),
        }
    };
    check_entries(
        &record.skills,
        &skill_in_catalog,
        slug,
        instructions,
        &mut push,
    );
}

/// Every file `fmt` and `validate` look at, and the problems of entries named like one
/// that are not regular files (never read).
pub fn data_files(root: &Root) -> Result<(Vec<PathBuf>, Vec<Problem>), crate::store::StoreError> {
    let (mut files, mut skipped) = json_files(root, &root.catalog_dir())?;
    for dir in [root.records_dir(), root.audits_dir()] {
        let (more, also) = json_files(root, &dir)?;
        files.extend(more);
        skipped.extend(also);
    }
    Ok((files, skipped))
}

/// Every symbolic link and special file (FIFO, socket, device) among what willai reads
/// of a project: `willai.toml`, `about.md`, `prompts/`, `data/`, `cache/`, `templates/`
/// and `static/`, at any depth. willai refuses each when it meets it; validate names
/// them all up front, so a pull request that adds one fails its check.
pub fn links_and_special_files(root: &Root) -> Vec<Problem> {
    fn walk(root: &Root, path: &Path, depth: usize, out: &mut Vec<Problem>) {
        let entries = match root.list(path) {
            Ok(Some(entries)) => entries,
            Ok(None) => return,
            Err(e) => {
                out.push(problem(&root.display(path), "", e.reason()));
                return;
            }
        };
        for e in entries {
            let child = path.join(&e.name);
            match e.kind {
                Kind::Dir if depth < 32 => walk(root, &child, depth + 1, out),
                Kind::Dir | Kind::File => {}
                Kind::Link | Kind::Special(_) => out.push(refused(root, &child, e.kind)),
            }
        }
    }
    fn refused(root: &Root, path: &Path, kind: Kind) -> Problem {
        let shown = root.display(path);
        let e = match kind {
            Kind::Link => beneath::FileError::Link { path: shown },
            Kind::Special(kind) => beneath::FileError::Special { path: shown, kind },
            Kind::Dir => beneath::FileError::Special {
                path: shown,
                kind: "a folder",
            },
            Kind::File => unreachable!("a regular file is not refused"),
        };
        problem(e.path(), "", e.reason())
    }
    let mut out = Vec::new();
    for file in ["willai.toml", "about.md"] {
        let path = root.dir().join(file);
        match root.kind(&path) {
            Ok(Some(kind @ (Kind::Link | Kind::Special(_)))) => {
                out.push(refused(root, &path, kind))
            }
            Ok(Some(Kind::Dir)) if file == "about.md" => out.push(refused(root, &path, Kind::Dir)),
            Ok(_) => {}
            Err(e) => out.push(problem(&root.display(&path), "", e.reason())),
        }
    }
    for dir in ["prompts", "data", "cache", "templates", "static"] {
        let path = root.dir().join(dir);
        match root.kind(&path) {
            Ok(Some(Kind::Dir)) => walk(root, &path, 0, &mut out),
            Ok(Some(kind @ (Kind::Link | Kind::Special(_)))) => {
                out.push(refused(root, &path, kind))
            }
            Ok(_) => {}
            Err(e) => out.push(problem(&root.display(&path), "", e.reason())),
        }
    }
    out
}
