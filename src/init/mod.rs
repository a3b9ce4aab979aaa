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

/// Which CI system the new project is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Ci {
    /// `.github/workflows/willai.yml`: pull requests checked, Pages on main.
    Github,
    /// `.gitlab-ci.yml`: merge requests checked, Pages on the default branch.
    Gitlab,
    /// No CI file.
    None,
}

/// The placeholders CI fails on, loudly, when this binary does not know where it came
/// from: its install step names the variables to set.
pub const PLACEHOLDER_GIT: &str = "https://github.com/OWNER/willai";
pub const PLACEHOLDER_REV: &str = "COMMIT";

/// Where a new project's CI installs willai from: this binary's git repository and
/// commit, when it was built from a clean checkout whose `origin` is a URL CI can reach
/// (never a local path, never with credentials), else the placeholders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub git: Option<String>,
    pub rev: Option<String>,
}

impl Source {
    /// This binary's.
    pub fn of_this_build() -> Source {
        let origin = public_git_url(env!("WILLAI_GIT_URL"))
            .or_else(|| public_git_url(env!("CARGO_PKG_REPOSITORY")));
        let commit = env!("WILLAI_COMMIT");
        Source {
            git: origin,
            rev: (commit.len() == 40).then(|| commit.to_string()),
        }
    }

    fn git_or_placeholder(&self) -> &str {
        self.git.as_deref().unwrap_or(PLACEHOLDER_GIT)
    }

    fn rev_or_placeholder(&self) -> &str {
        self.rev.as_deref().unwrap_or(PLACEHOLDER_REV)
    }

    pub fn is_complete(&self) -> bool {
        self.git.is_some() && self.rev.is_some()
    }
}

/// A git remote as CI can use it: an https URL without user or password, from an
/// https, `ssh://` or `git@host:path` remote. A local path, `file://` or anything else is
/// `None`: CI cannot reach this machine.
pub fn public_git_url(remote: &str) -> Option<String> {
    let remote = remote.trim();
    let (host, path) = if let Some(rest) = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("ssh://"))
        .or_else(|| remote.strip_prefix("git+ssh://"))
    {
        let (authority, path) = rest.split_once('/')?;
        // No credentials (user:token@) and no port (an ssh port is not https's).
        let host = authority.rsplit('@').next()?;
        let host = if remote.starts_with("https://") {
            host
        } else {
            host.split(':').next()?
        };
        (host.to_string(), path.to_string())
    } else {
        // scp-like: git@github.com:owner/repo.git
        let (user_host, path) = remote.split_once(':')?;
        let host = user_host.rsplit('@').next()?;
        if path.starts_with('/') || path.starts_with("//") {
            return None;
        }
        (host.to_string(), path.to_string())
    };
    let host_ok = !host.is_empty()
        && host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    let path = path.trim_end_matches('/');
    let path_ok = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '~'));
    (host_ok && path_ok && !path.contains("..")).then(|| format!("https://{host}/{path}"))
}

/// The host of a site URL that is only an example (`https://example.org`, what a new
/// project's willai.toml says until it is set): `publish` and `config` warn about it.
pub fn example_site_host(url: &str) -> Option<String> {
    let host = reqwest::Url::parse(url)
        .ok()?
        .host_str()?
        .to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let reserved = ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || [".example", ".invalid", ".test"]
            .iter()
            .any(|tld| host.ends_with(tld))
        || host == "owner.github.io";
    reserved.then(|| host.to_string())
}

/// The warning `publish` and `config` print while the site's base URL is an example.
pub fn example_site_warning(url: &str) -> Option<String> {
    let host = example_site_host(url)?;
    Some(format!(
        "warning: the site's base URL {url} is an example ({host}): canonical links, robots.txt, the sitemap and the feed would point there; set base_url under [site] in willai.toml, or pass --base-url"
    ))
}

/// Every file of a new project: its path and text.
pub fn files(name: &str, ci: Ci) -> Vec<(String, String)> {
    files_from(name, ci, &Source::of_this_build())
}

fn files_from(name: &str, ci: Ci, source: &Source) -> Vec<(String, String)> {
    // The name as a TOML string: quotes and backslashes escaped.
    let name_toml = toml::Value::String(name.to_string()).to_string();
    let fill = |t: &str| {
        t.replace("{{NAME_TOML}}", &name_toml)
            .replace("{{NAME}}", name)
            .replace("{{WILLAI_GIT}}", source.git_or_placeholder())
            .replace("{{WILLAI_REV}}", source.rev_or_placeholder())
            .replace(
                "{{WILLAI_VERSION}}",
                &format!("willai {}", env!("WILLAI_VERSION")),
            )
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
            ".pre-commit-config.yaml".into(),
            include_str!("pre-commit-config.yaml").to_string(),
        ),
    ];
    match ci {
        Ci::Github => {
            out.push((
                ".github/workflows/willai.yml".into(),
                fill(include_str!("workflow.yml")),
            ));
            out.push((
                ".github/dependabot.yml".into(),
                include_str!("dependabot.yml").to_string(),
            ));
        }
        Ci::Gitlab => out.push((".gitlab-ci.yml".into(), fill(include_str!("gitlab-ci.yml")))),
        Ci::None => {}
    }
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
pub fn create(dir: &Path, name: &str, ci: Ci) -> Result<Vec<String>, InitError> {
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
    for (rel, text) in files(name, ci) {
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
        let err = create(dir.path(), "P", Ci::Github).unwrap_err();
        assert!(err.to_string().contains("notes.txt is there"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let git = tempfile::tempdir().unwrap();
        std::fs::create_dir(git.path().join(".git")).unwrap();
        assert!(
            create(git.path(), "P", Ci::Github).is_ok(),
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
            let err = create(dir.path(), "P", Ci::Github).unwrap_err();
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
            create(dir.path(), name, Ci::Github).unwrap();
            let text = std::fs::read_to_string(dir.path().join("willai.toml")).unwrap();
            let v: toml::Table = toml::from_str(&text).unwrap();
            assert_eq!(v["site"]["name"].as_str(), Some(name));
        }
        let dir = tempfile::tempdir().unwrap();
        for blank in ["", "  "] {
            assert!(
                create(dir.path(), blank, Ci::Github)
                    .unwrap_err()
                    .is_usage()
            );
        }
    }

    #[test]
    fn only_a_url_ci_can_reach_is_recorded_and_never_a_credential() {
        for (remote, want) in [
            (
                "https://github.com/acme/willai",
                Some("https://github.com/acme/willai"),
            ),
            (
                "https://github.com/acme/willai.git/",
                Some("https://github.com/acme/willai.git"),
            ),
            (
                "https://x-token:ghp_SECRET@github.com/acme/willai.git",
                Some("https://github.com/acme/willai.git"),
            ),
            (
                "git@github.com:acme/willai.git",
                Some("https://github.com/acme/willai.git"),
            ),
            (
                "ssh://git@gitlab.example.com:2222/team/willai",
                Some("https://gitlab.example.com/team/willai"),
            ),
            ("/work/main", None),
            ("../willai", None),
            ("file:///work/main", None),
            ("C:\\src\\willai", None),
            ("localhost:/srv/willai", None),
            ("https://github.com/acme/willai\n  evil: x", None),
            ("https://github.com/acme/$(id)", None),
            ("https://github.com/../etc", None),
            ("", None),
        ] {
            assert_eq!(public_git_url(remote).as_deref(), want, "{remote:?}");
        }
    }

    #[test]
    fn the_workflow_pins_the_commit_and_placeholders_name_what_to_set() {
        let known = Source {
            git: Some("https://github.com/acme/willai".into()),
            rev: Some("0123456789abcdef0123456789abcdef01234567".into()),
        };
        let text = |source: &Source, ci: Ci| {
            files_from("P", ci, source)
                .into_iter()
                .find(|(p, _)| p.ends_with(".yml"))
                .map(|(_, t)| t)
                .unwrap()
        };
        for ci in [Ci::Github, Ci::Gitlab] {
            let t = text(&known, ci);
            assert!(
                t.contains("WILLAI_GIT: https://github.com/acme/willai\n"),
                "{t}"
            );
            assert!(
                t.contains("WILLAI_REV: 0123456789abcdef0123456789abcdef01234567\n"),
                "{t}"
            );
            assert!(
                !t.contains("{{NAME") && !t.contains("{{WILLAI"),
                "every placeholder filled: {t}"
            );
            let t = text(
                &Source {
                    git: None,
                    rev: None,
                },
                ci,
            );
            assert!(
                t.contains(&format!("WILLAI_GIT: {PLACEHOLDER_GIT}\n")),
                "{t}"
            );
            assert!(
                t.contains(&format!("WILLAI_REV: {PLACEHOLDER_REV}\n")),
                "{t}"
            );
        }
        assert!(
            files_from("P", Ci::None, &known)
                .iter()
                .all(|(p, _)| !p.ends_with(".yml") || p == ".pre-commit-config.yaml")
        );
    }

    #[test]
    fn example_hosts_are_recognised_and_real_ones_are_not() {
        for url in [
            "https://example.org",
            "https://www.example.com/sub/",
            "http://EXAMPLE.NET.",
            "https://news.test",
            "https://owner.github.io/REPOSITORY",
        ] {
            assert!(example_site_host(url).is_some(), "{url}");
        }
        for url in [
            "https://acme.github.io/future-of-work",
            "https://examples.org",
            "https://notexample.com",
            "https://willai.news",
            "not a url",
        ] {
            assert_eq!(example_site_host(url), None, "{url}");
        }
    }

    #[test]
    fn a_file_is_not_a_project_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("afile");
        std::fs::write(&file, "mine").unwrap();
        let err = create(&file, "P", Ci::Github).unwrap_err();
        assert!(err.is_usage());
        assert!(
            err.to_string().contains("is a file, not a directory"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }
}
