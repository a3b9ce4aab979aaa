//! `willai init`: a new content repository that validates and drafts at once, so a
//! publication starts from a working project rather than a copy of this one. The files
//! are templates built into the binary (the prompts are the repository's own), written
//! only into an empty directory.

use std::path::{Path, PathBuf};

use crate::fsx;
use crate::schema;

/// Why a project cannot be started there (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(
        "{dir} is not empty ({first} is there): `willai init` starts a new project in an empty or new directory; to add willai to an existing one, copy what you need from a fresh `willai init`"
    )]
    NotEmpty { dir: String, first: String },
    #[error("{0} is a file, not a directory: name a new or empty directory for the project")]
    NotADirectory(String),
    #[error(
        "{dir} is a symbolic link to {target}, which does not exist: create that directory first, or name another"
    )]
    DanglingLink { dir: String, target: String },
    #[error("cannot create {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("the name {0:?} {1}: give the publication a name on one line")]
    BadName(String, String),
}

impl InitError {
    /// Whether the user must change the command (exit 2) rather than the disk.
    pub fn is_usage(&self) -> bool {
        match self {
            InitError::NotEmpty { .. }
            | InitError::NotADirectory(_)
            | InitError::DanglingLink { .. }
            | InitError::BadName(..) => true,
            InitError::Write { .. } => false,
        }
    }
}

/// Where CI installs willai from when this binary does not know (built outside a git
/// checkout with an `origin`).
const UNKNOWN_GIT: &str =
    "https://github.com/OWNER/willai  # set to the repository willai is installed from";

/// Every file of a new project: its path and text.
pub fn files(name: &str) -> Vec<(String, String)> {
    let git_url = match env!("WILLAI_GIT_URL") {
        "" => UNKNOWN_GIT,
        url => url,
    };
    // The name as a TOML string: quotes and backslashes escaped.
    let name_toml = toml::Value::String(name.to_string()).to_string();
    let fill = |t: &str| {
        t.replace("{{NAME_TOML}}", &name_toml)
            .replace("{{NAME}}", name)
            .replace("{{WILLAI_GIT}}", git_url)
    };
    let mut out = vec![
        ("willai.toml".into(), fill(include_str!("willai.toml"))),
        ("README.md".into(), fill(include_str!("README.md"))),
        (
            "prompts/task.j2".into(),
            include_str!("../../prompts/task.j2").to_string(),
        ),
        (
            "prompts/skills.j2".into(),
            include_str!("../../prompts/skills.j2").to_string(),
        ),
        (
            "data/catalog/technical-writers.json".into(),
            include_str!("technical-writers.json").to_string(),
        ),
        ("cache/.gitkeep".into(), String::new()),
        (".gitignore".into(), include_str!("gitignore").to_string()),
        (
            ".gitattributes".into(),
            include_str!("gitattributes").to_string(),
        ),
        (
            ".github/workflows/willai.yml".into(),
            fill(include_str!("workflow.yml")),
        ),
        (
            ".pre-commit-config.yaml".into(),
            include_str!("pre-commit-config.yaml").to_string(),
        ),
    ];
    for (file, text) in schema::files() {
        out.push((format!("data/schema/{file}"), text));
    }
    out
}

/// The publication's name when none is given: the directory's, as words.
pub fn default_name(dir: &Path) -> String {
    let base = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "willai".into());
    let words: Vec<String> = base
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect();
    words.join(" ")
}

/// A publication's name: on one line, not blank.
pub fn check_name(name: &str) -> Result<(), InitError> {
    if name.trim().is_empty() {
        return Err(InitError::BadName(name.to_string(), "is blank".into()));
    }
    if let Some(f) = crate::text::forbidden(name) {
        return Err(InitError::BadName(name.to_string(), f.to_string()));
    }
    Ok(())
}

/// Creates a project in `dir` (made if missing; it must be empty but for `.git`).
/// Returns the paths written, relative to `dir`.
pub fn create(dir: &Path, name: &str) -> Result<Vec<String>, InitError> {
    check_name(name)?;
    if dir.exists() && !dir.is_dir() {
        return Err(InitError::NotADirectory(dir.display().to_string()));
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut present: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.file_name().is_none_or(|n| n != ".git"))
            .collect();
        present.sort();
        if let Some(first) = present.first() {
            return Err(InitError::NotEmpty {
                dir: dir.display().to_string(),
                first: first
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            });
        }
    }
    let mut written = Vec::new();
    for (rel, text) in files(name) {
        let path = dir.join(&rel);
        fsx::write_atomic(&path, text.as_bytes()).map_err(|source| InitError::Write {
            path: path.display().to_string(),
            source,
        })?;
        written.push(rel);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("future-of-work");
        std::fs::create_dir(&sub).unwrap();
        assert_eq!(default_name(&sub), "Future Of Work");
    }

    #[test]
    fn a_non_empty_directory_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = create(dir.path(), "P").unwrap_err();
        assert!(err.to_string().contains("notes.txt is there"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let git = tempfile::tempdir().unwrap();
        std::fs::create_dir(git.path().join(".git")).unwrap();
        assert!(
            create(git.path(), "P").is_ok(),
            "a fresh `git init` is fine"
        );
    }

    /// Hidden files count: a directory holding only a `.gitignore`, a `.github/` or any
    /// other dotfile is not empty, and nothing in it is touched. Only `.git` is allowed.
    #[test]
    fn a_dotfile_or_dot_directory_makes_a_directory_not_empty() {
        for hidden in [
            ".gitignore",
            ".github",
            ".gitattributes",
            ".env",
            ".willai.lock",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(hidden);
            if hidden == ".github" {
                std::fs::create_dir_all(path.join("workflows")).unwrap();
                std::fs::write(path.join("workflows/ci.yml"), "mine").unwrap();
            } else {
                std::fs::write(&path, "mine").unwrap();
            }
            let err = create(dir.path(), "P").unwrap_err();
            assert!(
                err.to_string().contains(&format!("{hidden} is there")),
                "{err}"
            );
            assert!(err.is_usage());
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                1,
                "{hidden}"
            );
            let kept = if hidden == ".github" {
                path.join("workflows/ci.yml")
            } else {
                path
            };
            assert_eq!(std::fs::read_to_string(kept).unwrap(), "mine", "{hidden}");
        }
    }

    #[test]
    fn names_with_quotes_and_backslashes_make_a_valid_willai_toml() {
        for name in [r#"The "Future" of Work"#, r"C:\Work", "Ünï 名前 's"] {
            let dir = tempfile::tempdir().unwrap();
            create(dir.path(), name).unwrap();
            let text = std::fs::read_to_string(dir.path().join("willai.toml")).unwrap();
            let v: toml::Table = toml::from_str(&text).unwrap();
            assert_eq!(v["site"]["name"].as_str(), Some(name));
        }
        let dir = tempfile::tempdir().unwrap();
        for blank in ["", "  "] {
            assert!(create(dir.path(), blank).unwrap_err().is_usage());
        }
    }

    #[test]
    fn a_file_is_not_a_project_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("afile");
        std::fs::write(&file, "mine").unwrap();
        let err = create(&file, "P").unwrap_err();
        assert!(err.is_usage());
        assert!(
            err.to_string().contains("is a file, not a directory"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }
}
