//! Where a project's files live. Every path the tool reads or writes is derived here from
//! one root directory, so `--root DIR` (or `WILLAI_ROOT`) moves all of it at once: that
//! is how tests and benchmarks run in temporary directories.

use std::path::{Path, PathBuf};

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
}

impl Root {
    /// The root named on the command line, or else the nearest directory upwards from
    /// the current one that holds `willai.toml`, or else the current directory, not
    /// declared: commands that work on a project refuse it (see [`Root::is_declared`]).
    pub fn discover(explicit: Option<&Path>) -> std::io::Result<Root> {
        if let Some(dir) = explicit {
            return Ok(Root {
                dir: dir.to_path_buf(),
                declared: true,
            });
        }
        let cwd = std::env::current_dir()?;
        Ok(
            match cwd.ancestors().find(|d| d.join("willai.toml").is_file()) {
                Some(found) => Root {
                    dir: found.to_path_buf(),
                    declared: true,
                },
                None => Root {
                    dir: cwd,
                    declared: false,
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
}
