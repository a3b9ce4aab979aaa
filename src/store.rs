//! The record store: reading and writing the files of `data/` (catalog and records), below
//! every engine. `draft`, `eval`, `publish` and the commands get a `Store` and never open
//! a data file themselves, so there is one place that decides how a file is read, what
//! a broken one says, and how one is written (canonically, atomically).
//!
//! The error policy is the same everywhere: a file that cannot be read or parsed is a
//! [`StoreError`] naming the file, the position and what to do, and the file is left as
//! it is. A command that only reports (status) shows the error and goes on; a command
//! whose output would silently lose the profession (publish, gc) stops on it.

use std::path::{Path, PathBuf};

use crate::beneath::{self, FileError, Kind};
use crate::canonical;
use crate::catalog::{self, Catalog, Occupation, Problem};
use crate::fsx;
use crate::record::Record;
use crate::root::Root;
use crate::slug;

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
    #[error("{0}")]
    Write(FileError),
    #[error("{0}")]
    List(FileError),
    /// A record is written under the name of the file it was read from (its identity),
    /// never under a path built from a field.
    #[error(
        "{path}: the record says its profession is {profession:?}: a record's profession is its file name; fix the field (`willai validate` shows it)"
    )]
    Identity { path: String, profession: String },
    #[error("{name:?} is not a profession slug (lowercase letters, digits and dashes)")]
    NotASlug { name: String },
}

/// The `*.json` files of a data folder, sorted by name; an entry so named that is not a
/// regular file (a link, a folder, a FIFO) is a problem and is never read.
pub fn json_files(root: &Root, dir: &Path) -> Result<(Vec<PathBuf>, Vec<Problem>), StoreError> {
    let entries = root
        .list(dir)
        .map_err(StoreError::List)?
        .unwrap_or_default();
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for e in entries {
        if !e.name.as_encoded_bytes().ends_with(b".json") {
            continue;
        }
        let path = dir.join(&e.name);
        let shown = root.display(&path);
        let refusal = match e.kind {
            Kind::File => {
                files.push(path);
                continue;
            }
            Kind::Link => FileError::Link { path: shown },
            Kind::Dir => FileError::Special {
                path: shown,
                kind: "a folder",
            },
            Kind::Special(kind) => FileError::Special { path: shown, kind },
        };
        problems.push(Problem {
            path: refusal.path().to_string(),
            location: String::new(),
            message: refusal.reason(),
        });
    }
    Ok((files, problems))
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
        let (files, mut problems) = json_files(&self.root, &self.root.catalog_dir())?;
        let mut occupations = Vec::new();
        for path in files {
            let shown = self.root.display(&path);
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let bytes = match self.root.read(&path, beneath::MAX_TEXT, "catalog file") {
                Ok(Some(b)) => b,
                Ok(None) => continue,
                Err(e) => {
                    problems.push(Problem {
                        path: shown,
                        location: String::new(),
                        message: e.reason(),
                    });
                    continue;
                }
            };
            match fsx::decode(&bytes) {
                Ok(text) => {
                    // An occupation is known by its file name: one whose slug says
                    // otherwise is reported (by parse_file) and left out, so no path is
                    // ever built from what the file says.
                    if let Some(occ) = catalog::parse_file(&shown, stem, text, &mut problems)
                        && occ.slug == stem
                        && slug::is_slug(stem)
                    {
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
        let occ: Option<Occupation> = self.read_parsed(&self.root.catalog_path(checked(slug)?))?;
        Ok(occ.filter(|o| o.slug == slug))
    }

    /// Writes an occupation's catalog file canonically and atomically; true when the
    /// bytes changed.
    pub fn write_occupation(&self, occ: &Occupation) -> Result<bool, StoreError> {
        self.write(
            &self.root.catalog_path(checked(&occ.slug)?),
            canonical::pretty(occ).as_bytes(),
        )
    }

    /// Reads a profession's record; `Ok(None)` when there is none yet. A record whose
    /// `profession` is not its file name is refused: a command would otherwise write it
    /// where the field says (`../../elsewhere`, or another profession's file).
    pub fn record(&self, slug: &str) -> Result<Option<Record>, StoreError> {
        let path = self.root.record_path(checked(slug)?);
        let record: Option<Record> = self.read_parsed(&path)?;
        match record {
            Some(r) if r.profession != slug => Err(StoreError::Identity {
                path: format!("{}:/profession", self.root.display(&path)),
                profession: r.profession,
            }),
            other => Ok(other),
        }
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
        let bytes = match self.root.read(path, beneath::MAX_TEXT, "data file") {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            Err(e) => return Err(unreadable(String::new(), e.reason())),
        };
        let text = fsx::decode(&bytes).map_err(|e| unreadable(e.location, e.message))?;
        catalog::parse_strict::<T>(text)
            .map(Some)
            .map_err(|(location, message)| unreadable(location, message))
    }

    /// Writes the record of the profession `slug` (the file it was read from, or the
    /// catalog's file name for a new one) canonically and atomically; true when the bytes
    /// changed. A record whose `profession` says otherwise is refused, never written
    /// elsewhere.
    pub fn write_record(&self, slug: &str, record: &Record) -> Result<bool, StoreError> {
        let path = self.root.record_path(checked(slug)?);
        if record.profession != slug {
            return Err(StoreError::Identity {
                path: format!("{}:/profession", self.root.display(&path)),
                profession: record.profession.clone(),
            });
        }
        self.write(&path, record.to_canonical().as_bytes())
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

    /// The names (file stems) of the JSON files of a data folder, sorted. Entries so
    /// named that are not regular files are left out (validate names them).
    pub fn names_in(&self, dir: &Path) -> Result<Vec<String>, StoreError> {
        let (files, _) = json_files(&self.root, dir)?;
        Ok(files
            .iter()
            .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
            .collect())
    }

    /// Writes a data file atomically (beneath the root, never through a link); true when
    /// the bytes changed. For the files of modules above this one, such as audits
    /// (canonical text is theirs to make).
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<bool, StoreError> {
        self.root
            .write_if_changed(path, bytes)
            .map_err(StoreError::Write)
    }
}

/// A slug, or the error that it is not one (no path is built from anything else).
fn checked(name: &str) -> Result<&str, StoreError> {
    if slug::is_slug(name) {
        Ok(name)
    } else {
        Err(StoreError::NotASlug {
            name: name.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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
        assert!(store.write_record("x", &record).unwrap());
        assert!(!store.write_record("x", &record).unwrap());
        assert_eq!(store.record("x").unwrap(), Some(record));
    }
}
