//! Writing the site into `--out`, safely.
//!
//! - **Only its own folder.** `--out` must be new, empty, or an earlier publish (it holds
//!   the manifest, [`MANIFEST`]); publish never deletes a file it did not write.
//! - **Never through a link.** Before anything is written, every path this publish will
//!   write or delete is checked: no folder on its way inside `--out`, and not the file
//!   itself, may be a symbolic link (a link would let a write or a delete land in another
//!   folder). `--out` itself may be a link when it is outside the project; inside it, no
//!   link on its way from the root is taken ([`refuse_inside_project`]), since the
//!   repository's own files (a committed `site -> /anywhere`) must not choose where CI
//!   writes.
//! - **Recoverable.** The manifest is written *first*, listing every file this publish
//!   may write and every file the last one wrote; so an interrupted publish (Ctrl-C,
//!   `kill -9`, a full disk) leaves a folder the next publish recognises, finishes and
//!   tidies, temporary files included. At the end the manifest lists exactly what is there.
//! - **Atomic and quiet.** Each file is written to a temporary file and renamed
//!   ([`fsx`]); a file that already holds the bytes is not touched.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;

use super::error::PublishError;
use crate::fsx;

/// The manifest of the files a publish wrote, kept in the output directory.
pub const MANIFEST: &str = ".willai-site";

/// A relative output path, checked to stay inside the output directory.
pub fn safe(rel: &str) -> anyhow::Result<&str> {
    let ok = !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !ok {
        anyhow::bail!("refusing to write {rel:?}: it would leave the output directory");
    }
    Ok(rel)
}

fn is_temp(name: &str) -> bool {
    name.starts_with(fsx::TEMP_PREFIX)
}

/// The output directory, opened for one publish.
pub struct Output {
    dir: PathBuf,
    /// What the previous publish wrote (its manifest), or nothing.
    before: BTreeSet<String>,
    /// Whether the directory held nothing: no file to compare, no link to fear.
    fresh: bool,
    /// Every path this publish may write (set by [`Output::begin`]).
    planned: HashSet<String>,
}

impl Output {
    /// Opens (or creates) the output directory; refuses one that holds files it did not
    /// write.
    pub fn open(dir: &Path) -> anyhow::Result<Output> {
        let shown = || dir.display().to_string();
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                fs::create_dir_all(dir).with_context(|| format!("cannot create {}", shown()))?;
                return Ok(Output {
                    dir: dir.to_path_buf(),
                    before: BTreeSet::new(),
                    fresh: true,
                    planned: HashSet::new(),
                });
            }
            Err(e) if e.kind() == ErrorKind::NotADirectory => {
                return Err(PublishError::NotADirectory { dir: shown() }.into());
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", shown())),
        };
        let mut others = false;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", shown()))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name != MANIFEST && !is_temp(&name) {
                others = true;
            }
        }
        let manifest = dir.join(MANIFEST);
        let before = match fs::symlink_metadata(&manifest) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(PublishError::Link {
                    path: manifest.display().to_string(),
                }
                .into());
            }
            // A regular file of bounded size (--out may be a folder a pull request can
            // reach): never a FIFO that blocks, nor gigabytes.
            Ok(_) => String::from_utf8_lossy(&crate::beneath::read_named(
                &manifest,
                crate::beneath::MAX_TEXT,
                "publish manifest",
            )?)
            .lines()
            .filter(|l| !l.is_empty() && safe(l).is_ok())
            .map(String::from)
            .collect(),
            Err(_) if others => {
                return Err(PublishError::NotEmpty {
                    dir: shown(),
                    manifest: MANIFEST,
                }
                .into());
            }
            Err(_) => BTreeSet::new(),
        };
        Ok(Output {
            dir: dir.to_path_buf(),
            fresh: !others,
            before,
            planned: HashSet::new(),
        })
    }

    /// Checks every path this publish writes or deletes for links, then writes the
    /// manifest of everything that may be there once this publish has run (or stopped
    /// half way).
    pub fn begin(&mut self, paths: &[String]) -> anyhow::Result<()> {
        if !self.fresh {
            let mut dirs_ok: HashSet<PathBuf> = HashSet::new();
            for rel in paths.iter().chain(&self.before) {
                self.check_links(safe(rel)?, &mut dirs_ok)?;
            }
        }
        let all: BTreeSet<&str> = paths
            .iter()
            .map(String::as_str)
            .chain(self.before.iter().map(String::as_str))
            .collect();
        self.write_manifest(all)?;
        self.planned = paths.iter().cloned().collect();
        Ok(())
    }

    /// No component of `rel` under the output directory is a symbolic link.
    fn check_links(&self, rel: &str, dirs_ok: &mut HashSet<PathBuf>) -> anyhow::Result<()> {
        let mut at = self.dir.clone();
        let parts: Vec<&str> = rel.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let last = i + 1 == parts.len();
            if !last && dirs_ok.contains(&at) {
                continue;
            }
            match fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(PublishError::Link {
                        path: at.display().to_string(),
                    }
                    .into());
                }
                Ok(_) => {
                    if !last {
                        dirs_ok.insert(at.clone());
                    }
                }
                // Nothing there (yet): nothing below it either.
                Err(_) => return Ok(()),
            }
        }
        Ok(())
    }

    fn write_manifest<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> anyhow::Result<()> {
        let mut text: String = paths.into_iter().map(|p| format!("{p}\n")).collect();
        if text.is_empty() {
            text.push('\n');
        }
        let path = self.dir.join(MANIFEST);
        fsx::write_if_changed(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(())
    }

    /// Writes a file unless it already holds these bytes; returns whether it wrote.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<bool> {
        // The manifest written first must cover every write, or an interruption could
        // leave a file no later publish knows about.
        anyhow::ensure!(
            self.planned.contains(rel),
            "internal error: {rel} was not planned (please report this)"
        );
        let path = self.dir.join(safe(rel)?);
        if !self.fresh && fsx::holds(&path, bytes) {
            return Ok(false);
        }
        fsx::write_atomic_with(&path, bytes, false)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(true)
    }

    /// Removes what the previous publish wrote and this one did not, temporary files an
    /// interrupted publish left, and folders left empty; writes the final manifest.
    /// Returns how many files were removed.
    pub fn finish(self, paths: &[String]) -> anyhow::Result<usize> {
        let now: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
        let mut removed = 0;
        let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
        for old in self.before.iter().filter(|l| !now.contains(l.as_str())) {
            let path = self.dir.join(old);
            if fs::remove_file(&path).is_ok() {
                removed += 1;
            }
            if let Some(parent) = path.parent() {
                dirs.insert(parent.to_path_buf());
            }
        }
        // Temporary files of an interrupted publish: in the output directory always (one
        // killed before its manifest leaves nothing else), and in every folder this
        // publish uses when an earlier one may have been there.
        let mut used: BTreeSet<PathBuf> = BTreeSet::from([self.dir.clone()]);
        if !self.fresh || !self.before.is_empty() {
            for p in &now {
                if let Some(parent) = self.dir.join(p).parent() {
                    used.insert(parent.to_path_buf());
                }
            }
        }
        for dir in used.iter().chain(&dirs) {
            for e in fs::read_dir(dir).into_iter().flatten().flatten() {
                let is_file = e.file_type().is_ok_and(|t| t.is_file());
                if is_file && is_temp(&e.file_name().to_string_lossy()) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        // Folders left empty go too (deepest first), never the output directory.
        for dir in dirs.iter().rev() {
            let mut d = dir.as_path();
            while d != self.dir && d.starts_with(&self.dir) && fs::remove_dir(d).is_ok() {
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
        }
        self.write_manifest(now)?;
        Ok(removed)
    }
}

/// A path made absolute through its nearest existing folder (links resolved there), so
/// `static/site` and `./static/../static/site` compare equal before `site` exists.
fn resolved(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut at = path.as_path();
    loop {
        if let Ok(real) = at.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path,
        }
    }
}

/// The site must not land in what publish reads from the project at `root` (it would
/// copy itself into itself on every run) or among the project's data; and an `--out`
/// inside the project must not go through a symbolic link there (a committed `site ->
/// /elsewhere` would have CI's `publish --out site` write outside the project).
pub fn refuse_inside_project(out: &Path, root: &Path) -> Result<(), PublishError> {
    refuse_links_on_the_way(out, root)?;
    let out_real = resolved(out);
    for (dir, why) in [
        ("static", "publish copies into every site"),
        ("templates", "publish reads its templates from"),
        ("data", "holds the catalog and the records"),
        ("prompts", "holds the prompts"),
        ("cache", "holds the cached replies"),
    ] {
        let inside = resolved(&root.join(dir));
        if out_real.starts_with(&inside) {
            return Err(PublishError::InsideProject {
                out: out.display().to_string(),
                inside: format!("{dir}/"),
                why,
            });
        }
    }
    Ok(())
}

/// Every folder on `out`'s way below `root`, and `out` itself, checked not to be a link
/// (where it exists). A path outside the project is the user's choice and not checked.
fn refuse_links_on_the_way(out: &Path, root: &Path) -> Result<(), PublishError> {
    let (Ok(out_abs), Ok(root_abs)) = (std::path::absolute(out), std::path::absolute(root)) else {
        return Ok(());
    };
    let Ok(below) = out_abs.strip_prefix(&root_abs) else {
        return Ok(());
    };
    let mut at = root_abs.clone();
    for part in below.components() {
        at.push(part);
        if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            let link = at.strip_prefix(&root_abs).unwrap_or(&at);
            return Err(PublishError::OutThroughLink {
                out: out.display().to_string(),
                link: link.display().to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_holding_only_temporary_files_is_taken_and_tidied() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(format!("{}abc", fsx::TEMP_PREFIX));
        fs::write(&tmp, "half").unwrap();
        let mut out = Output::open(dir.path()).unwrap();
        let paths = vec!["index.html".to_string()];
        out.begin(&paths).unwrap();
        out.put("index.html", b"page").unwrap();
        assert!(
            out.put("other.html", b"x").is_err(),
            "only what was planned"
        );
        out.finish(&paths).unwrap();
        assert!(!tmp.exists());
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [MANIFEST, "index.html"]);
    }

    #[test]
    fn a_foreign_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = Output::open(dir.path()).err().unwrap();
        assert!(
            err.to_string().contains("holds no earlier publish"),
            "{err}"
        );
        // A dotfile is something too: a folder holding only `.gitignore` is not empty.
        let dotted = tempfile::tempdir().unwrap();
        fs::write(dotted.path().join(".gitignore"), "mine").unwrap();
        let err = Output::open(dotted.path()).err().unwrap();
        assert!(
            err.to_string().contains("holds no earlier publish"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(dotted.path().join(".gitignore")).unwrap(),
            "mine"
        );
        let file = dir.path().join("notes.txt");
        let err = Output::open(&file).err().unwrap();
        assert!(err.to_string().contains("is not a directory"), "{err}");
    }

    #[test]
    fn paths_that_leave_the_directory_are_refused() {
        assert!(safe("../x/index.html").is_err());
        assert!(safe("/etc/passwd").is_err());
        assert!(safe("").is_err());
        assert!(safe("a/b.html").is_ok());
    }
}
