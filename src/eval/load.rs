//! Reading the two sides of `willai eval`: a label column of a TSV/CSV file (columns
//! found by header name, as in the GPTs-are-GPTs files and O*NET's task statements), or
//! the levels of the project's records for catalog tasks that carry an O*NET Task ID.
//!
//! Files are read whole (the full labelled set is 4 MB) and parsed with the `csv` crate
//! as bytes; only the few columns needed are decoded. Every problem names the file, the
//! line and what to change.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::path::Path;

use csv::{ByteRecord, ReaderBuilder};

use super::{EvalError, LabelMap, LabelSet, Labelled, Source};
use crate::catalog::{Catalog, TaskType};
use crate::record::Status;
use crate::store::Store;

pub const TASK_ID: &str = "Task ID";
pub const SOC: &str = "O*NET-SOC Code";
pub const TITLE: &str = "Title";
pub const TASK_TYPE: &str = "Task Type";

/// The delimiter of a file: a comma for `.csv`, a tab for `.tsv`/`.tab`/`.txt`, else
/// whichever of tab and comma the header line has (tab when neither).
pub fn delimiter(path: &Path, bytes: &[u8]) -> u8 {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => b',',
        Some("tsv" | "tab" | "txt") => b'\t',
        _ => {
            let header = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
            if !header.contains(&b'\t') && header.contains(&b',') {
                b','
            } else {
                b'\t'
            }
        }
    }
}

/// The index of a column by header name: exact match first, then ignoring ASCII case.
fn find_column(headers: &[String], name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .or_else(|| headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
}

/// A cell as trimmed text (lossy for bytes that are not UTF-8); empty when the row is
/// short of the column.
fn cell(record: &ByteRecord, index: usize) -> std::borrow::Cow<'_, str> {
    match record.get(index) {
        Some(bytes) => match String::from_utf8_lossy(bytes) {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.trim()),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.trim().to_string()),
        },
        None => std::borrow::Cow::Borrowed(""),
    }
}

/// O*NET writes Task IDs as integers, the GPTs-are-GPTs files as floats (`8823.0`).
pub fn parse_task_id(text: &str) -> Option<u64> {
    if let Ok(id) = text.parse::<u64>() {
        return Some(id);
    }
    let x: f64 = text.parse().ok()?;
    (x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 9_007_199_254_740_992.0)
        .then_some(x as u64)
}

fn parse_kind(text: &str) -> Result<Option<TaskType>, String> {
    if text.is_empty() {
        Ok(None)
    } else if text.eq_ignore_ascii_case("core") {
        Ok(Some(TaskType::Core))
    } else if text.eq_ignore_ascii_case("supplemental") {
        Ok(Some(TaskType::Supplemental))
    } else {
        Err(format!(
            "Task Type {text:?} is not Core, Supplemental or empty: fix the row"
        ))
    }
}

/// Reads the labels of one column of a TSV/CSV file; `flag` is the option that named
/// the column, for the message when it is missing.
pub fn file(path: &Path, column: &str, flag: &str, map: &LabelMap) -> Result<LabelSet, EvalError> {
    let bytes = std::fs::read(path).map_err(|source| EvalError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let delim = delimiter(path, bytes);
    let mut reader = ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);
    let row_error = |line: u64, message: String| EvalError::Row {
        path: path.to_path_buf(),
        line,
        message,
    };
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        row_error(line, format!("{e}: fix the quoting of this row"))
    };
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(EvalError::NoHeader {
            path: path.to_path_buf(),
        });
    }
    let required = |name: &str, why: &'static str, fix: String| {
        find_column(&headers, name).ok_or_else(|| EvalError::MissingColumn {
            path: path.to_path_buf(),
            column: name.to_string(),
            why,
            has: headers.clone(),
            fix,
        })
    };
    let id_col = required(
        TASK_ID,
        "tasks are matched by O*NET Task ID",
        "use a file with a `Task ID` column".into(),
    )?;
    let label_col = required(
        column,
        "the label column",
        format!("name one of them with {flag}"),
    )?;
    let soc_col = find_column(&headers, SOC);
    let title_col = find_column(&headers, TITLE);
    let kind_col = find_column(&headers, TASK_TYPE);

    let mut items: HashMap<u64, Labelled> = HashMap::new();
    let mut unlabelled = 0;
    let mut record = ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let id_text = cell(&record, id_col);
        if id_text.is_empty() {
            return Err(row_error(
                line,
                format!("no Task ID (column {TASK_ID:?}): fill it in or remove the row"),
            ));
        }
        let Some(id) = parse_task_id(&id_text) else {
            return Err(row_error(
                line,
                format!("Task ID {id_text:?} is not a task number: fix the row"),
            ));
        };
        let label = cell(&record, label_col);
        if label.is_empty() {
            unlabelled += 1;
            continue;
        }
        let Some(level) = map.get(&label) else {
            return Err(EvalError::Unmapped {
                path: path.to_path_buf(),
                line,
                column: headers[label_col].clone(),
                label: label.into_owned(),
                map: map.describe(),
            });
        };
        let kind = match kind_col {
            Some(i) => parse_kind(&cell(&record, i)).map_err(|m| row_error(line, m))?,
            None => None,
        };
        let text = |col: Option<usize>| {
            col.map(|i| cell(&record, i).into_owned())
                .filter(|s| !s.is_empty())
        };
        let item = Labelled {
            level,
            soc: text(soc_col),
            title: text(title_col),
            kind,
            line,
            confidence: None,
        };
        match items.entry(id) {
            Entry::Occupied(first) => {
                return Err(row_error(
                    line,
                    format!(
                        "Task ID {id} appears again (first on line {}): keep one row per task",
                        first.get().line
                    ),
                ));
            }
            Entry::Vacant(slot) => {
                slot.insert(item);
            }
        }
    }
    Ok(LabelSet {
        source: Source::File {
            path: path.to_path_buf(),
            column: headers[label_col].clone(),
        },
        items,
        unlabelled,
        has_kind: kind_col.is_some(),
    })
}

/// What reading the records found besides the labels, for notes to the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordNotes {
    /// Catalog tasks with an O*NET Task ID.
    pub onet_tasks: u64,
    /// With `--approved`: approved tasks whose content changed after approval (left out).
    pub edited_after_approval: u64,
}

/// The levels of the project's records for every catalog task with an O*NET Task ID:
/// the machine's drafted level, or with `approved` the level of a valid approval
/// (status approved and the approval's sha256 matching the content).
pub fn records(
    store: &Store,
    catalog: &Catalog,
    approved: bool,
) -> anyhow::Result<(LabelSet, RecordNotes)> {
    let mut items: HashMap<u64, Labelled> = HashMap::new();
    let mut owner: HashMap<u64, String> = HashMap::new();
    let mut notes = RecordNotes::default();
    let mut unlabelled = 0;
    let with_onet = catalog
        .occupations
        .iter()
        .filter(|occ| occ.tasks.iter().any(|t| t.onet_task_id.is_some()));
    for (occ, read) in store.records(with_onet) {
        let record = read?;
        for task in &occ.tasks {
            let Some(id) = task.onet_task_id else {
                continue;
            };
            let here = format!("{}/{}", occ.slug, task.id);
            if let Some(first) = owner.insert(id, here.clone()) {
                return Err(EvalError::DuplicateCatalogId {
                    id,
                    first,
                    second: here,
                }
                .into());
            }
            notes.onet_tasks += 1;
            let entry = record.as_ref().and_then(|r| r.task(&task.id));
            // The machine's confidence in its own level, whichever level is compared.
            let confidence = entry
                .and_then(|e| e.machine.as_ref())
                .and_then(|m| m.provenance.confidence.as_ref())
                .map(|c| c.value);
            let level = entry.and_then(|e| {
                if !approved {
                    return e.machine.as_ref().and_then(|m| m.content.level);
                }
                if e.status != Status::Approved {
                    return None;
                }
                if !e.is_approved_intact() {
                    notes.edited_after_approval += 1;
                    return None;
                }
                e.content.level
            });
            let Some(level) = level else {
                unlabelled += 1;
                continue;
            };
            items.insert(
                id,
                Labelled {
                    level,
                    soc: occ.onet_soc.clone(),
                    title: Some(occ.onet_title.clone().unwrap_or_else(|| occ.name.clone())),
                    kind: task.kind,
                    line: 0,
                    confidence,
                },
            );
        }
    }
    Ok((
        LabelSet {
            source: Source::Records { approved },
            items,
            unlabelled,
            has_kind: true,
        },
        notes,
    ))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn task_ids_may_be_written_as_floats() {
        assert_eq!(parse_task_id("8823"), Some(8823));
        assert_eq!(parse_task_id("8823.0"), Some(8823));
        assert_eq!(parse_task_id("8823.5"), None);
        assert_eq!(parse_task_id("-1"), None);
        assert_eq!(parse_task_id("abc"), None);
        assert_eq!(parse_task_id("NaN"), None);
    }

    #[test]
    fn the_delimiter_follows_the_extension_then_the_header() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(delimiter(&p("a.csv"), b"x\ty\n"), b',');
        assert_eq!(delimiter(&p("a.TSV"), b"x,y\n"), b'\t');
        assert_eq!(delimiter(&p("labels"), b"Task ID,gold\n1,E0\n"), b',');
        assert_eq!(delimiter(&p("labels"), b"Task ID\tgold,x\n"), b'\t');
        assert_eq!(delimiter(&p("labels"), b""), b'\t');
    }

    #[test]
    fn columns_are_found_by_name_then_case_insensitively() {
        let h: Vec<String> = ["", "Task ID", "task type", "Task Type"]
            .map(String::from)
            .to_vec();
        assert_eq!(find_column(&h, "Task Type"), Some(3));
        assert_eq!(find_column(&h, "task id"), Some(1));
        assert_eq!(find_column(&h, ""), Some(0));
        assert_eq!(find_column(&h, "Title"), None);
    }
}
