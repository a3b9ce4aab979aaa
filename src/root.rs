//! Where a project's files live. Every path the tool reads or writes is derived here from
//! one root directory, so `--root DIR` (or `WILLAI_ROOT`) moves all of it at once: that
//! is how tests and benchmarks run in temporary directories.
//!
//! And every access to them goes through the root too: [`Root::read`], [`Root::write_atomic`],
//! [`Root::list`], [`Root::remove_file`] and the lock open the file relative to the root
//! directory with `beneath`, which follows no link below it and reads no special file
//! and nothing past a cap. So no file or link of a project leads outside it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};

use crate::beneath::{self, Entry, FileError, Kind};

/// No project to work on (exit 2): the message says how to name one.
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("the project root {root} is not a directory: check --root or WILLAI_ROOT")]
    NotADirectory { root: String },
    #[error(
        "no willai.toml in {dir} or any folder above it: run willai inside your project, \
         pass --root DIR (or set WILLAI_ROOT), or start a project with `willai init`"
    )]
    NoProject { dir: String },
    #[error("--root is blank: name the project folder, or leave the flag out to find it")]
    BlankRoot,
}

/// The project root: the directory holding `willai.toml`, `prompts/`, `data/`, `cache/`.
#[derive(Clone, Debug)]
pub struct Root {
    dir: PathBuf,
    /// Named with `--root`/`WILLAI_ROOT`, or found by its `willai.toml`; `false` for
    /// the current directory used only because nothing above it is a project.
    declared: bool,
    /// The root directory, opened once on first use: the base of every access.
    fd: Arc<OnceLock<OwnedFd>>,
}

impl Root {
    /// The root named on the command line, or else the nearest directory upwards from
    /// the current one that holds `willai.toml`, or else the current directory, not
    /// declared: commands that work on a project refuse it (see [`Root::is_declared`]).
    pub fn discover(explicit: Option<&Path>) -> std::io::Result<Root> {
        if let Some(dir) = explicit {
            return Ok(Root::at(dir));
        }
        let cwd = std::env::current_dir()?;
        Ok(
            match cwd.ancestors().find(|d| d.join("willai.toml").is_file()) {
                Some(found) => Root::at(found),
                None => Root {
                    declared: false,
                    ..Root::at(cwd)
                },
            },
        )
    }

    /// Whether this is a project: named, or found by its `willai.toml`. Validating or
    /// writing schemas in a folder that is neither would pass on nothing, or write
    /// into the wrong place.
    pub fn is_declared(&self) -> bool {
        self.declared
    }

    /// The root at exactly this directory.
    pub fn at(dir: impl Into<PathBuf>) -> Root {
        Root {
            dir: dir.into(),
            declared: true,
            fd: Arc::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config_file(&self) -> PathBuf {
        self.dir.join("willai.toml")
    }

    pub fn prompts_dir(&self) -> PathBuf {
        self.dir.join("prompts")
    }

    pub fn catalog_dir(&self) -> PathBuf {
        self.dir.join("data").join("catalog")
    }

    pub fn records_dir(&self) -> PathBuf {
        self.dir.join("data").join("records")
    }

    pub fn schema_dir(&self) -> PathBuf {
        self.dir.join("data").join("schema")
    }

    pub fn audits_dir(&self) -> PathBuf {
        self.dir.join("data").join("audits")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.dir.join("cache")
    }

    pub fn lock_file(&self) -> PathBuf {
        self.dir.join(".willai.lock")
    }

    pub fn catalog_path(&self, slug: &str) -> PathBuf {
        self.catalog_dir().join(format!("{slug}.json"))
    }

    pub fn record_path(&self, slug: &str) -> PathBuf {
        self.records_dir().join(format!("{slug}.json"))
    }

    pub fn audit_path(&self, name: &str) -> PathBuf {
        self.audits_dir().join(format!("{name}.json"))
    }

    /// A path as messages show it: relative to the root when it is inside, so that
    /// `data/records/ml-engineer.json:/tasks/0/level: ...` reads the same on every machine.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.dir)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// The root directory as the base of every access (opened on first use).
    fn base(&self) -> Result<BorrowedFd<'_>, FileError> {
        if let Some(fd) = self.fd.get() {
            return Ok(fd.as_fd());
        }
        let fd = beneath::open_root(&self.dir).map_err(|source| FileError::Io {
            op: "open",
            path: self.dir.display().to_string(),
            source,
        })?;
        let _ = self.fd.set(fd);
        Ok(self.fd.get().expect("just set").as_fd())
    }

    /// `path` relative to the root; a path not under it is refused.
    fn rel<'p>(&self, path: &'p Path) -> Result<&'p Path, FileError> {
        path.strip_prefix(&self.dir)
            .map_err(|_| FileError::Outside {
                path: path.display().to_string(),
            })
    }

    /// Reads a file of the project whole: a regular file, at most `cap` bytes, reached
    /// through no link (`what` names the kind of file in the message about the cap).
    /// `Ok(None)`: there is no such file.
    pub fn read(
        &self,
        path: &Path,
        cap: u64,
        what: &'static str,
    ) -> Result<Option<Vec<u8>>, FileError> {
        beneath::read(self.base()?, self.rel(path)?, cap, what)
    }

    /// The entries of a folder of the project, sorted, each with its kind (links are not
    /// followed). `Ok(None)`: there is no such folder.
    pub fn list(&self, path: &Path) -> Result<Option<Vec<Entry>>, FileError> {
        beneath::list(self.base()?, self.rel(path)?)
    }

    /// What a path of the project is, without following it.
    pub fn kind(&self, path: &Path) -> Result<Option<Kind>, FileError> {
        beneath::kind(self.base()?, self.rel(path)?)
    }

    /// Writes a file of the project atomically (see `beneath::write_atomic`).
    pub fn write_atomic(&self, path: &Path, bytes: &[u8], durable: bool) -> Result<(), FileError> {
        beneath::write_atomic(self.base()?, self.rel(path)?, bytes, durable)
    }

    /// Writes a file of the project atomically unless it holds these bytes already.
    pub fn write_if_changed(&self, path: &Path, bytes: &[u8]) -> Result<bool, FileError> {
        beneath::write_if_changed(self.base()?, self.rel(path)?, bytes)
    }

    /// Removes a file (or a link) of the project, never following a link.
    pub fn remove_file(&self, path: &Path) -> Result<(), FileError> {
        beneath::remove_file(self.base()?, self.rel(path)?)
    }

    /// Removes an empty folder of the project.
    pub fn remove_dir(&self, path: &Path) -> Result<(), FileError> {
        beneath::remove_dir(self.base()?, self.rel(path)?)
    }

    /// Opens `.willai.lock` (creating it): a regular file, never through a link.
    pub fn open_lock(&self) -> Result<File, FileError> {
        beneath::open_lock(self.base()?, self.rel(&self.lock_file())?)
    }
}
