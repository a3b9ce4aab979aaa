//! The record store: reading and writing the files of `data/` (catalog and records), below
//! every engine. `draft`, `eval`, `publish` and the commands get a `Store` and never open
//! a data file themselves, so there is one place that decides how a file is read, what
//! a broken one says, and how one is written (canonically, atomically).
//!
//! The error policy is the same everywhere: a file that cannot be read or parsed is a
//! [`StoreError`] naming the file, the position and what to do, and the file is left as
//! it is. A command that only reports (status) shows the error and goes on; a command
//! whose output would silently lose the profession (publish, gc) stops on it.

use std::fs;
use std::path::Path;

use crate::canonical;
use crate::catalog::{self, Catalog, Occupation, Problem};
use crate::fsx;
use crate::record::Record;
use crate::root::Root;

/// A data file that could not be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}{}: {message}: fix the file (`willai validate` shows every problem); it was left untouched", at(.location))]
    Unreadable {
        path: String,
        /// `line:column`, or empty when the file could not be read at all.
        location: String,
        message: String,
    },
    #[error("cannot write {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot list {path}")]
    List {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn at(location: &str) -> String {
    if location.is_empty() {
        String::new()
    } else {
        format!(":{location}")
    }
}

/// The data files of one project root.
#[derive(Clone, Debug)]
pub struct Store {
    root: Root,
}

impl Store {
    pub fn new(root: Root) -> Store {
        Store { root }
    }

    pub fn root(&self) -> &Root {
        &self.root
    }

    /// Every catalog file, parsed and checked; problems are collected, not stopped at
    /// (the caller decides whether they are fatal).
    pub fn catalog(&self) -> Result<(Catalog, Vec<Problem>), StoreError> {
        let dir = self.root.catalog_dir();
        let files = catalog::json_files(&dir).map_err(|source| StoreError::List {
            path: self.root.display(&dir),
            source,
        })?;
        let mut problems = Vec::new();
        let mut occupations = Vec::new();
        for path in files {
            let shown = self.root.display(&path);
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let bytes = match fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    problems.push(Problem {
                        path: shown,
                        location: String::new(),
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            match fsx::decode(&bytes) {
                Ok(text) => {
                    if let Some(occ) = catalog::parse_file(&shown, stem, text, &mut problems) {
                        occupations.push(occ);
                    }
                }
                Err(e) => problems.push(Problem {
                    path: shown,
                    location: e.location,
                    message: e.message,
                }),
            }
        }
        Ok(Catalog::with_problems(occupations, &mut problems))
    }

    /// One occupation's catalog file, parsed (without the checks across the catalog);
    /// `Ok(None)` when there is no such file. For readers that need one profession
    /// fast, such as `willai textconv`, which git runs once per file.
    pub fn occupation(&self, slug: &str) -> Result<Option<Occupation>, StoreError> {
        self.read_parsed(&self.root.catalog_path(slug))
    }

    /// Writes an occupation's catalog file canonically and atomically; true when the
    /// bytes changed.
    pub fn write_occupation(&self, occ: &Occupation) -> Result<bool, StoreError> {
        self.write(
            &self.root.catalog_path(&occ.slug),
            canonical::pretty(occ).as_bytes(),
        )
    }

    /// Reads a profession's record; `Ok(None)` when there is none yet.
    pub fn record(&self, slug: &str) -> Result<Option<Record>, StoreError> {
        self.read_parsed(&self.root.record_path(slug))
    }

    /// A data file read as UTF-8 (a BOM, bad bytes named with their position) and parsed
    /// strictly; `Ok(None)` when there is no such file. For the files of modules above
    /// this one, such as audits.
    pub fn read_parsed<T: serde::de::DeserializeOwned>(
        &self,
        path: &std::path::Path,
    ) -> Result<Option<T>, StoreError> {
        let unreadable = |location: String, message: String| StoreError::Unreadable {
            path: self.root.display(path),
            location,
            message,
        };
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(String::new(), format!("cannot read: {e}"))),
        };
        let text = fsx::decode(&bytes).map_err(|e| unreadable(e.location, e.message))?;
        catalog::parse_strict::<T>(text)
            .map(Some)
            .map_err(|(location, message)| unreadable(location, message))
    }

    /// Writes a record canonically and atomically; true when the bytes changed.
    pub fn write_record(&self, record: &Record) -> Result<bool, StoreError> {
        self.write(
            &self.root.record_path(&record.profession),
            record.to_canonical().as_bytes(),
        )
    }

    /// Each profession with its record, in the order given: the one loop over records
    /// every command uses.
    pub fn records<'s, 'c, I>(
        &'s self,
        occupations: I,
    ) -> impl Iterator<Item = (&'c Occupation, Result<Option<Record>, StoreError>)> + 's
    where
        I: IntoIterator<Item = &'c Occupation>,
        I::IntoIter: 's,
        'c: 's,
    {
        occupations
            .into_iter()
            .map(move |occ| (occ, self.record(&occ.slug)))
    }

    /// The names (file stems) of the JSON files of a data folder, sorted.
    pub fn names_in(&self, dir: &Path) -> Result<Vec<String>, StoreError> {
        let files = catalog::json_files(dir).map_err(|source| StoreError::List {
            path: self.root.display(dir),
            source,
        })?;
        Ok(files
            .iter()
            .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
            .collect())
    }

    /// Writes a data file atomically; true when the bytes changed. For the files of
    /// modules above this one, such as audits (canonical text is theirs to make).
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<bool, StoreError> {
        fsx::write_if_changed(path, bytes).map_err(|source| StoreError::Write {
            path: self.root.display(path),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_record_names_file_and_position_and_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(Root::at(dir.path()));
        let path = dir.path().join("data/records/x.json");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{\n  \"profession\": \"x\",\n  \"tasks\": [1\n").unwrap();
        let err = store.record("x").unwrap_err().to_string();
        assert!(err.starts_with("data/records/x.json:3:"), "{err}");
        assert!(err.contains("left untouched"), "{err}");
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "{\n  \"profession\": \"x\",\n  \"tasks\": [1\n"
        );
        assert!(store.record("missing").unwrap().is_none());
    }

    #[test]
    fn records_are_written_canonically_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(Root::at(dir.path()));
        let record = Record::new("x");
        assert!(store.write_record(&record).unwrap());
        assert!(!store.write_record(&record).unwrap());
        assert_eq!(store.record("x").unwrap(), Some(record));
    }
}
