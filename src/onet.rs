//! Importing O*NET task statements into the catalog.
//!
//! Columns are found by header name (`O*NET-SOC Code`, `Title`, `Task ID`, `Task`,
//! `Task Type`), so both the GPTs-are-GPTs TSV (an unnamed index column first, Task IDs
//! written as floats) and O*NET's own `Task Statements.txt` work. The import is a merge
//! that never touches editorial fields: aliases, skills and a renamed profession stay as
//! the editor left them; tasks are added or updated by their O*NET Task ID, tasks the
//! file no longer has are kept, and a changed task text makes its draft stale (the
//! lifecycle sees the new text). Importing the same file twice changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use crate::catalog::{Catalog, Occupation, Task, TaskType};
use crate::slug;

pub const SOURCE: &str = "O*NET task statements, U.S. Department of Labor, Employment and Training Administration (USDOL/ETA), CC BY 4.0; via openai/GPTs-are-GPTs";

const SOC: &str = "O*NET-SOC Code";
const TITLE: &str = "Title";
const TASK_ID: &str = "Task ID";
const TASK: &str = "Task";
const TASK_TYPE: &str = "Task Type";

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub why: String,
}

/// One task statement as read.
#[derive(Debug, Clone)]
pub struct Row {
    pub soc: String,
    pub title: String,
    pub task_id: u64,
    pub text: String,
    pub kind: Option<TaskType>,
}

/// The rows of a file, grouped by occupation in file order, and the bad rows.
#[derive(Debug, Default)]
pub struct Parsed {
    pub occupations: Vec<(String, String, Vec<Row>)>,
    pub bad: Vec<BadRow>,
    pub rows: usize,
}

/// A file that cannot be imported at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum OnetError {
    #[error("cannot read {file}: {why}")]
    Read { file: String, why: String },
    #[error("{file}: cannot read the header line: {why}")]
    Header { file: String, why: String },
    #[error(
        "{file}: the header must name the columns {SOC:?}, {TITLE:?}, {TASK_ID:?} and {TASK:?} (tab-separated); it has {has}"
    )]
    Columns { file: String, has: String },
    #[error(
        "{file}: the header must name the columns \"O*NET-SOC Code\" and \"Alternate Title\" (tab-separated, as O*NET's Alternate Titles file does); it has {has}"
    )]
    TitleColumns { file: String, has: String },
    #[error(
        "no occupation in {file} has the title or O*NET-SOC code {}: check the spelling (titles are matched whole, case-insensitively)",
        wanted.iter().map(|o| format!("{o:?}")).collect::<Vec<_>>().join(", ")
    )]
    NoSuchOccupation { file: String, wanted: Vec<String> },
}

/// `8823`, `8823.0` -> 8823; anything else is not a Task ID.
fn task_id(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.split_once('.') {
        None => s.parse().ok(),
        Some((whole, frac)) if !frac.is_empty() && frac.bytes().all(|b| b == b'0') => {
            whole.parse().ok()
        }
        Some(_) => None,
    }
}

/// An O*NET file opened for reading: tab-separated, no quoting (O*NET's text files have
/// none), rows of any length; and its header line.
pub fn open_tsv(path: &Path) -> Result<(csv::Reader<std::fs::File>, csv::StringRecord), OnetError> {
    let shown = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .flexible(true)
        .from_path(path)
        .map_err(|e| OnetError::Read {
            file: shown.to_string(),
            why: e.to_string(),
        })?;
    let headers = reader
        .headers()
        .map_err(|e| OnetError::Header {
            file: shown.to_string(),
            why: e.to_string(),
        })?
        .clone();
    Ok((reader, headers))
}

/// Reads the next row of an O*NET file that holds anything into `record`: its line, or
/// why it could not be read (the reader goes on past it). `None` at the end.
pub fn next_row(
    reader: &mut csv::Reader<std::fs::File>,
    record: &mut csv::StringRecord,
) -> Option<Result<u64, BadRow>> {
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => {
                return Some(Err(BadRow {
                    line,
                    why: format!("unreadable row: {e}"),
                }));
            }
        }
        if !record.iter().all(|f| f.trim().is_empty()) {
            return Some(Ok(record.position().map(|p| p.line()).unwrap_or(line)));
        }
    }
}

/// The names a header line holds, quoted, for an error that says which columns a file
/// has ("none" when it has none).
pub fn header_names(headers: &csv::StringRecord) -> String {
    let have: Vec<String> = headers
        .iter()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| format!("{h:?}"))
        .collect();
    if have.is_empty() {
        "none".to_string()
    } else {
        have.join(", ")
    }
}

/// The column a header names, without case or surrounding spaces.
pub fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

/// Reads task statements. `wanted` (titles or SOC codes, case-insensitive) limits the
/// occupations; empty means all.
pub fn parse(path: &Path, wanted: &[String]) -> Result<Parsed, OnetError> {
    let shown = path.display();
    let (mut reader, headers) = open_tsv(path)?;
    let find = |name: &str| column(&headers, name);
    let (Some(c_soc), Some(c_title), Some(c_id), Some(c_task)) =
        (find(SOC), find(TITLE), find(TASK_ID), find(TASK))
    else {
        return Err(OnetError::Columns {
            file: shown.to_string(),
            has: header_names(&headers),
        });
    };
    let c_type = find(TASK_TYPE);
    let wanted: Vec<String> = wanted.iter().map(|w| w.trim().to_lowercase()).collect();
    let mut parsed = Parsed::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut seen_ids: HashMap<u64, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    while let Some(next) = next_row(&mut reader, &mut record) {
        let line = match next {
            Ok(line) => line,
            Err(bad) => {
                parsed.bad.push(bad);
                continue;
            }
        };
        parsed.rows += 1;
        let field = |c: usize| record.get(c).map(str::trim);
        let needed = [c_soc, c_title, c_id, c_task]
            .into_iter()
            .max()
            .unwrap_or(0);
        if record.len() <= needed {
            parsed.bad.push(BadRow {
                line,
                why: format!(
                    "has {} columns; the header has {}",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        let (soc, title, id_raw, text) = (
            field(c_soc).unwrap_or(""),
            field(c_title).unwrap_or(""),
            field(c_id).unwrap_or(""),
            field(c_task).unwrap_or(""),
        );
        if !wanted.is_empty()
            && !wanted
                .iter()
                .any(|w| *w == soc.to_lowercase() || *w == title.to_lowercase())
        {
            continue;
        }
        if soc.is_empty() || title.is_empty() {
            parsed.bad.push(BadRow {
                line,
                why: "empty O*NET-SOC Code or Title".into(),
            });
            continue;
        }
        let Some(id) = task_id(id_raw) else {
            parsed.bad.push(BadRow {
                line,
                why: format!("Task ID {id_raw:?} is not a whole number"),
            });
            continue;
        };
        if text.is_empty() {
            parsed.bad.push(BadRow {
                line,
                why: format!("task {id} has an empty statement"),
            });
            continue;
        }
        if let Some(first) = seen_ids.insert(id, line) {
            parsed.bad.push(BadRow {
                line,
                why: format!("duplicate Task ID {id} (first on line {first})"),
            });
            continue;
        }
        let kind = match c_type.and_then(field).unwrap_or("") {
            "" => None,
            t if t.eq_ignore_ascii_case("core") => Some(TaskType::Core),
            t if t.eq_ignore_ascii_case("supplemental") => Some(TaskType::Supplemental),
            other => {
                seen_ids.remove(&id);
                parsed.bad.push(BadRow {
                    line,
                    why: format!(
                        "task {id}: Task Type {other:?} is not Core, Supplemental or empty"
                    ),
                });
                continue;
            }
        };
        // Whitespace runs become one space; what is left must be plain text.
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        // What validate would refuse in the catalog is a bad row here.
        use crate::catalog::{MAX_NAME, MAX_TASK_TEXT, text_problem};
        if let Some((what, problem)) = [
            ("statement", text.as_str(), MAX_TASK_TEXT),
            ("title", title.trim(), MAX_NAME),
        ]
        .into_iter()
        .find_map(|(what, s, max)| text_problem(s, max).map(|p| (what, p)))
        {
            seen_ids.remove(&id);
            parsed.bad.push(BadRow {
                line,
                why: format!("task {id}: the {what} {problem}"),
            });
            continue;
        }
        let i = *index.entry(soc.to_string()).or_insert_with(|| {
            parsed
                .occupations
                .push((soc.to_string(), title.to_string(), Vec::new()));
            parsed.occupations.len() - 1
        });
        parsed.occupations[i].2.push(Row {
            soc: soc.to_string(),
            title: title.to_string(),
            task_id: id,
            text,
            kind,
        });
    }
    Ok(parsed)
}

/// What the import did to one occupation.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    pub added_tasks: usize,
    pub changed_tasks: Vec<String>,
    pub kept_tasks: usize,
    pub unchanged_tasks: usize,
    pub renamed: bool,
}

/// The outcome for one occupation.
#[derive(Debug)]
pub enum Outcome {
    New(Occupation),
    Updated(Occupation, Change),
    Unchanged,
}

/// Merges one occupation's rows into the catalog entry with its SOC code, if any. `taken`
/// holds every slug in use and every name and alias (lowercased): a new occupation's
/// slug is none of them.
pub fn merge(
    existing: Option<&Occupation>,
    soc: &str,
    title: &str,
    rows: &[Row],
    taken: &HashSet<String>,
) -> Outcome {
    let Some(old) = existing else {
        // Suffixed until free: a slug already taken (by a file, or as another
        // occupation's name or alias) is never reused, so no occupation is replaced.
        let base = slug::portable(slug::slugify(title), "occupation");
        let mut slug = base.clone();
        let mut n = 1;
        while taken.contains(&slug) {
            slug = match n {
                1 => format!("{base}-{}", slug::slugify(soc)),
                _ => format!("{base}-{}-{n}", slug::slugify(soc)),
            };
            n += 1;
        }
        return Outcome::New(Occupation {
            schema: Some(crate::catalog::SCHEMA_REF.to_string()),
            name: title.to_string(),
            short_name: None,
            slug,
            aliases: Vec::new(),
            onet_soc: Some(soc.to_string()),
            onet_title: Some(title.to_string()),
            source: Some(SOURCE.to_string()),
            tasks: rows
                .iter()
                .map(|r| Task {
                    id: format!("onet-{}", r.task_id),
                    text: r.text.clone(),
                    title: None,
                    kind: r.kind,
                    onet_task_id: Some(r.task_id),
                })
                .collect(),
            skills: Vec::new(),
        });
    };
    let mut occ = old.clone();
    let mut change = Change::default();
    // The name is the editor's once they changed it from the imported title.
    if old.onet_title.as_deref() != Some(title) {
        if old.onet_title.as_deref().is_none_or(|t| t == old.name) && old.name != title {
            occ.name = title.to_string();
            change.renamed = true;
        }
        occ.onet_title = Some(title.to_string());
    }
    if occ.source.is_none() {
        occ.source = Some(SOURCE.to_string());
    }
    let by_id: BTreeMap<u64, &Row> = rows.iter().map(|r| (r.task_id, r)).collect();
    for task in &mut occ.tasks {
        let Some(row) = task.onet_task_id.and_then(|id| by_id.get(&id)) else {
            change.kept_tasks += 1;
            continue;
        };
        if task.text != row.text || task.kind != row.kind {
            if task.text != row.text {
                change.changed_tasks.push(task.id.clone());
            }
            task.text = row.text.clone();
            task.kind = row.kind;
        } else {
            change.unchanged_tasks += 1;
        }
    }
    let known: HashSet<u64> = occ.tasks.iter().filter_map(|t| t.onet_task_id).collect();
    let ids: HashSet<String> = occ.tasks.iter().map(|t| t.id.clone()).collect();
    for row in rows.iter().filter(|r| !known.contains(&r.task_id)) {
        let mut id = format!("onet-{}", row.task_id);
        while ids.contains(&id) {
            id.push_str("-onet");
        }
        occ.tasks.push(Task {
            id,
            text: row.text.clone(),
            title: None,
            kind: row.kind,
            onet_task_id: Some(row.task_id),
        });
        change.added_tasks += 1;
    }
    if occ == *old {
        Outcome::Unchanged
    } else {
        Outcome::Updated(occ, change)
    }
}

/// Finds the catalog entry of an O*NET-SOC code.
pub fn by_soc<'c>(catalog: &'c Catalog, soc: &str) -> Option<&'c Occupation> {
    catalog
        .occupations
        .iter()
        .find(|o| o.onet_soc.as_deref() == Some(soc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_written_as_floats_are_integers() {
        assert_eq!(task_id("8823.0"), Some(8823));
        assert_eq!(task_id("8823"), Some(8823));
        assert_eq!(task_id(" 12.00 "), Some(12));
        assert_eq!(task_id("8823.5"), None);
        assert_eq!(task_id("x"), None);
        assert_eq!(task_id(""), None);
    }

    /// A new occupation's slug is its title's, else suffixed with its SOC code, else with
    /// the code and a count from 2: the first free one, in that order, so the same
    /// import into the same catalog always gives the same slugs.
    #[test]
    fn a_taken_slug_is_suffixed_with_the_code_then_counted_until_free() {
        let slug_of = |taken: &[&str]| {
            let taken: HashSet<String> = taken.iter().map(|t| t.to_string()).collect();
            match merge(None, "11-1011.00", "Foo", &[], &taken) {
                Outcome::New(occ) => occ.slug,
                _ => panic!("a new occupation"),
            }
        };
        assert_eq!(slug_of(&[]), "foo");
        assert_eq!(slug_of(&["foo"]), "foo-11-1011-00");
        assert_eq!(slug_of(&["foo", "foo-11-1011-00"]), "foo-11-1011-00-2");
        assert_eq!(
            slug_of(&["foo", "foo-11-1011-00", "foo-11-1011-00-2"]),
            "foo-11-1011-00-3"
        );
    }

    /// A retitle in O*NET follows into the name only while the name is still O*NET's
    /// title: a name an editor chose stays, and the new title is noted beside it.
    #[test]
    fn a_retitle_renames_only_a_name_nobody_changed() {
        let rows = [Row {
            soc: "1-1".into(),
            title: "Widget Counters".into(),
            task_id: 1,
            text: "Count the widgets.".into(),
            kind: None,
        }];
        let Outcome::New(imported) = merge(None, "1-1", "Widget Counters", &rows, &HashSet::new())
        else {
            panic!("a new occupation")
        };
        // (the name before, the title in the newer file) -> (name after, renamed)
        let cases = [
            (
                "Widget Counters",
                "Widget Tallyers",
                "Widget Tallyers",
                true,
            ),
            (
                "Counters of Widgets",
                "Widget Tallyers",
                "Counters of Widgets",
                false,
            ),
            (
                "Widget Tallyers",
                "Widget Tallyers",
                "Widget Tallyers",
                false,
            ),
        ];
        for (name, title, want, renamed) in cases {
            let old = Occupation {
                name: name.into(),
                aliases: vec!["Tally Clerks".into()],
                ..imported.clone()
            };
            let Outcome::Updated(occ, change) =
                merge(Some(&old), "1-1", title, &rows, &HashSet::new())
            else {
                panic!("{name} -> {title}: the title changed, so the entry does")
            };
            assert_eq!(occ.name, want, "{name} -> {title}");
            assert_eq!(change.renamed, renamed, "{name} -> {title}");
            assert_eq!(occ.onet_title.as_deref(), Some(title));
            // Aliases and skills are the editor's: a retitle leaves them as they were.
            assert_eq!(occ.aliases, old.aliases, "{name} -> {title}");
            assert_eq!(occ.skills, old.skills, "{name} -> {title}");
        }
    }
}
