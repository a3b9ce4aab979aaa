//! Records as people read them in git: `willai diff` (what changed between a revision and
//! the working tree, per item and field, in words) and `willai textconv` (one record as
//! prose, for git's textconv driver, so `git diff`, `git log -p` and `git show` read
//! records as text instead of JSON).
//!
//! - [`git`]: the revision's files, read with a handful of git processes (`rev-parse`,
//!   `diff`, `ls-files`, one `cat-file --batch`) however many files changed;
//! - [`compare`]: two versions of a record into per-item, per-field changes;
//! - [`render`]: those changes as text, Markdown (a pull-request comment) or JSON;
//! - [`summary`]: the Markdown cut to fit a job summary or a comment, counts first;
//! - [`prose`]: one record as text, the textconv form.

pub mod compare;
pub mod git;
pub mod prose;
pub mod render;
pub mod summary;

use serde::Serialize;
use serde_json::Value;

use crate::record::Kind;
use crate::words::Piece;

/// Why `willai diff` cannot compare. Everything but a failing git command is a problem
/// of where it runs or what it was asked (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(
        "{root} is not in a git repository: `willai diff` compares the records with a git revision; commit them first (`git init`, `git add data`, `git commit`)"
    )]
    NotGit { root: String },
    #[error("unknown revision {rev:?}: name a commit, branch or tag (e.g. HEAD, HEAD~1, main)")]
    UnknownRevision { rev: String },
    #[error(
        "the repository has no commits yet, so there is nothing to compare with: commit the records first (`git add data && git commit`)"
    )]
    NoCommits,
    #[error("cannot run git: install git, or put it on PATH")]
    NoGit {
        #[source]
        source: std::io::Error,
    },
    #[error("`git {args}` failed: {stderr}")]
    Git { args: String, stderr: String },
}

impl DiffError {
    /// Whether the user must change the command or the repository (exit 2) rather
    /// than look at what git said.
    pub fn is_usage(&self) -> bool {
        match self {
            DiffError::NotGit { .. }
            | DiffError::UnknownRevision { .. }
            | DiffError::NoCommits
            | DiffError::NoGit { .. } => true,
            DiffError::Git { .. } => false,
        }
    }
}

/// How a whole record file changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileChange {
    Added,
    Removed,
    Modified,
    /// One side does not parse; `error` says which and why.
    Unreadable,
}

/// How one task or skill changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemChange {
    Added,
    Removed,
    Modified,
}

/// One field's change. `old`/`new` are the values as JSON (`null` when absent);
/// `words` is the word diff of a text field, `added`/`removed` the tools of a tools
/// change, `note` says what happened to a proposal or approval (`new`, `accepted`, ...),
/// `changes` what a new proposal would change in the current text.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldDiff {
    pub field: &'static str,
    pub old: Value,
    pub new: Value,
    pub words: Option<Vec<Piece>>,
    pub added: Option<Vec<String>>,
    pub removed: Option<Vec<String>>,
    pub note: Option<&'static str>,
    pub changes: Option<Vec<FieldDiff>>,
}

impl FieldDiff {
    pub fn new(field: &'static str, old: Value, new: Value) -> FieldDiff {
        FieldDiff {
            field,
            old,
            new,
            words: None,
            added: None,
            removed: None,
            note: None,
            changes: None,
        }
    }
}

/// One item of a record that changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemDiff {
    pub kind: Kind,
    pub id: String,
    /// The task's title (else its statement, from the catalog) or the skill's name.
    pub title: String,
    pub change: ItemChange,
    pub fields: Vec<FieldDiff>,
}

/// One record file that changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProfessionDiff {
    pub profession: String,
    pub file: String,
    pub change: FileChange,
    pub error: Option<String>,
    pub items: Vec<ItemDiff>,
}

/// Every change of the records between a revision and the working tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RevisionDiff {
    pub rev: String,
    pub commit: String,
    pub professions: Vec<ProfessionDiff>,
}

/// Compares the records of `rev` with the working tree's. `occupation` gives a profession's
/// catalog entry (for tasks whose record has no title), looked up only for changed ones.
pub fn build(
    root: &crate::root::Root,
    rev: &str,
    occupation: &(dyn Fn(&str) -> Option<crate::catalog::Occupation> + Sync),
) -> Result<RevisionDiff, DiffError> {
    use rayon::prelude::*;

    let repo = git::Repo::open(root.dir())?;
    let commit = repo.resolve(rev)?;
    let dir = root.display(&root.records_dir());
    let changed: Vec<git::Changed> = repo
        .changed(&commit, &format!("{dir}/"))?
        .into_iter()
        .filter(|c| {
            let p = std::path::Path::new(&c.path);
            p.extension().is_some_and(|e| e == "json")
                && p.parent().is_some_and(|d| d == std::path::Path::new(&dir))
        })
        .collect();
    let wanted: Vec<&str> = changed.iter().filter_map(|c| c.blob.as_deref()).collect();
    let mut old_bytes = repo.read_all(&wanted)?.into_iter();
    let inputs: Vec<(&git::Changed, Option<git::Blob>)> = changed
        .iter()
        .map(|c| {
            let old = c.blob.as_ref().and_then(|_| old_bytes.next().flatten());
            (c, old)
        })
        .collect();
    let professions: Vec<ProfessionDiff> = inputs
        .into_par_iter()
        .filter_map(|(c, old)| profession(root, c, old, occupation))
        .collect();
    Ok(RevisionDiff {
        rev: rev.to_string(),
        commit,
        professions,
    })
}

/// The changes of one record file; `None` when its records say the same thing.
fn profession(
    root: &crate::root::Root,
    c: &git::Changed,
    old: Option<git::Blob>,
    occupation: &(dyn Fn(&str) -> Option<crate::catalog::Occupation> + Sync),
) -> Option<ProfessionDiff> {
    use crate::record::Record;

    let slug = std::path::Path::new(&c.path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parse = |bytes: &[u8], side: &str| -> Result<Record, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("{side}: not UTF-8: {e}"))?;
        crate::catalog::parse_strict::<Record>(text)
            .map_err(|(at, msg)| format!("{side}: {}:{at}: {msg}", c.path))
    };
    let new = if c.in_tree {
        // Beneath the root: a link or a special file in the working tree is refused.
        match root.read(
            &root.dir().join(&c.path),
            crate::beneath::MAX_TEXT,
            "record",
        ) {
            Ok(Some(b)) => Some(parse(&b, "working tree")),
            Ok(None) => Some(Err(format!("working tree: {} is gone", c.path))),
            Err(e) => Some(Err(format!("working tree: {e}"))),
        }
    } else {
        None
    };
    let old = old.map(|b| {
        b.map_err(|why| format!("revision: {}: {why}", c.path))
            .and_then(|b| parse(&b, "revision"))
    });
    let mut diff = ProfessionDiff {
        profession: slug.clone(),
        file: c.path.clone(),
        change: match (c.in_rev(), c.in_tree) {
            (false, _) => FileChange::Added,
            (_, false) => FileChange::Removed,
            _ => FileChange::Modified,
        },
        error: None,
        items: Vec::new(),
    };
    let (old, new) = match (old.transpose(), new.transpose()) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            diff.change = FileChange::Unreadable;
            diff.error = Some(format!(
                "{e}: fix the file (`willai validate` shows every problem)"
            ));
            return Some(diff);
        }
    };
    let occ = std::sync::OnceLock::new();
    let title = |kind: crate::record::Kind, id: &str| {
        let o = occ.get_or_init(|| occupation(&slug)).as_ref()?;
        match kind {
            crate::record::Kind::Task => o
                .task(id)
                .map(|t| t.title.clone().unwrap_or_else(|| t.text.clone())),
            crate::record::Kind::Skill => o.skill(id).map(|s| s.name.clone()),
        }
    };
    diff.items = compare::records(old.as_ref(), new.as_ref(), &title);
    if diff.items.is_empty() && diff.change == FileChange::Modified {
        return None;
    }
    Some(diff)
}
