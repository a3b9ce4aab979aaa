//! Reading a revision's record files with git: which files differ from the working tree
//! and their blobs at the revision (`git diff --raw`, plus untracked new files), and the
//! blobs' bytes from one `git cat-file --batch` process, so the full O*NET records (923
//! files) cost a handful of process starts, not two thousand.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::DiffError;

/// A file that differs between the revision and the working tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changed {
    /// Relative to the project root, `data/records/x.json`.
    pub path: String,
    /// The file's blob at the revision (`None`: not there).
    pub blob: Option<String>,
    pub in_tree: bool,
}

impl Changed {
    pub fn in_rev(&self) -> bool {
        self.blob.is_some()
    }
}

/// A git working tree holding a project root.
/// A blob's bytes, or why they were not read (over the cap of one record).
pub type Blob = Result<Vec<u8>, String>;

pub struct Repo {
    root: PathBuf,
}

fn git(root: &Path, args: &[&str]) -> Result<std::process::Output, DiffError> {
    Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| DiffError::NoGit { source })
}

fn failed(args: &[&str], out: &std::process::Output) -> DiffError {
    DiffError::Git {
        args: args.join(" "),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    }
}

impl Repo {
    /// The repository around `root`; an error when there is none.
    pub fn open(root: &Path) -> Result<Repo, DiffError> {
        let out = git(root, &["rev-parse", "--is-inside-work-tree"])?;
        if !out.status.success() || out.stdout.trim_ascii() != b"true" {
            return Err(DiffError::NotGit {
                root: root.display().to_string(),
            });
        }
        Ok(Repo {
            root: root.to_path_buf(),
        })
    }

    /// The commit a revision names.
    pub fn resolve(&self, rev: &str) -> Result<String, DiffError> {
        let spec = format!("{rev}^{{commit}}");
        let out = git(
            &self.root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ],
        )?;
        if !out.status.success() || rev.starts_with('-') {
            let any = git(&self.root, &["rev-parse", "--verify", "--quiet", "HEAD"])?;
            if !any.status.success() {
                return Err(DiffError::NoCommits);
            }
            return Err(DiffError::UnknownRevision {
                rev: rev.to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The files under `dir` (relative to the root) that differ between `commit` and
    /// the working tree, tracked or not (ignored files are left out), sorted.
    pub fn changed(&self, commit: &str, dir: &str) -> Result<Vec<Changed>, DiffError> {
        // `--raw` gives each file's blob id at the revision: reading blobs by id is far
        // cheaper than by `REV:path`, which walks the tree again for every file.
        let args = [
            "diff",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-renames",
            "--no-ext-diff",
            "--relative",
            commit,
            "--",
            dir,
        ];
        let out = git(&self.root, &args)?;
        if !out.status.success() {
            return Err(failed(&args, &out));
        }
        let mut files = Vec::new();
        let mut parts = out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty());
        while let (Some(meta), Some(path)) = (parts.next(), parts.next()) {
            // `:100644 100644 <blob at the revision> <blob now, or zeros> M`
            let meta = String::from_utf8_lossy(meta);
            let fields: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
            let (Some(blob), Some(status)) = (fields.get(2), fields.get(4)) else {
                return Err(DiffError::Git {
                    args: args.join(" "),
                    stderr: format!("unexpected line {meta:?}"),
                });
            };
            files.push(Changed {
                path: String::from_utf8_lossy(path).into_owned(),
                blob: (!status.starts_with('A')).then(|| blob.to_string()),
                in_tree: !status.starts_with('D'),
            });
        }
        let args = [
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            dir,
        ];
        let out = git(&self.root, &args)?;
        if !out.status.success() {
            return Err(failed(&args, &out));
        }
        for path in out.stdout.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            files.push(Changed {
                path: String::from_utf8_lossy(path).into_owned(),
                blob: None,
                in_tree: true,
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Ok(files)
    }

    /// The bytes of each blob, in order (`None` for one git does not have). One
    /// `git cat-file --batch` for all.
    pub fn read_all(&self, blobs: &[&str]) -> Result<Vec<Option<Blob>>, DiffError> {
        if blobs.is_empty() {
            return Ok(Vec::new());
        }
        let args = ["cat-file", "--batch"];
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| DiffError::NoGit { source })?;
        let mut stdin = child.stdin.take().expect("piped");
        let requests: String = blobs.iter().map(|b| format!("{b}\n")).collect();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(requests.as_bytes());
        });
        let mut reader = BufReader::new(child.stdout.take().expect("piped"));
        let mut out = Vec::with_capacity(blobs.len());
        let broken = |why: &str| DiffError::Git {
            args: args.join(" "),
            stderr: why.to_string(),
        };
        for _ in blobs {
            let mut header = String::new();
            if reader
                .read_line(&mut header)
                .map_err(|e| broken(&e.to_string()))?
                == 0
            {
                return Err(broken("git stopped answering"));
            }
            let header = header.trim_end();
            if header.ends_with(" missing") || header.ends_with(" ambiguous") {
                out.push(None);
                continue;
            }
            let size: usize = header
                .rsplit(' ')
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| broken(&format!("unexpected answer {header:?}")))?;
            // A blob past the cap is skipped, not held: a record is far smaller.
            if size as u64 > crate::beneath::MAX_TEXT {
                std::io::copy(
                    &mut (&mut reader).take(size as u64 + 1),
                    &mut std::io::sink(),
                )
                .map_err(|e| broken(&e.to_string()))?;
                out.push(Some(Err(format!(
                    "{size} bytes, over the {} willai reads of one record",
                    crate::beneath::human(crate::beneath::MAX_TEXT)
                ))));
                continue;
            }
            let mut bytes = vec![0; size + 1];
            reader
                .read_exact(&mut bytes)
                .map_err(|e| broken(&e.to_string()))?;
            bytes.pop();
            out.push(Some(Ok(bytes)));
        }
        let _ = writer.join();
        let _ = child.wait();
        Ok(out)
    }
}
