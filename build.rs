//! Build information for `willai --version` and `willai init`: the git commit the binary
//! was built from (with `-dirty` when the work tree had changes), and the repository's
//! `origin` URL and full commit, so a new publication's CI installs the very willai it
//! was made with. Outside a git checkout (a release tarball) all fall back: the version
//! alone, no URL, no commit (`init` then writes placeholders that fail loudly).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let long = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
            let date = git(&["log", "-1", "--format=%cs"]).unwrap_or_default();
            let dirty = if dirty { "-dirty" } else { "" };
            format!("{version} ({commit}{dirty} {date})")
        }
        None => version.to_string(),
    };
    println!("cargo:rustc-env=WILLAI_VERSION={long}");
    // The full commit, for the pin `willai init` writes into a new project's CI (empty
    // outside a checkout, or when the work tree has changes the commit does not hold).
    let commit = match git(&["rev-parse", "HEAD"]) {
        Some(c) if !long.contains("-dirty") => c,
        _ => String::new(),
    };
    println!("cargo:rustc-env=WILLAI_COMMIT={commit}");
    let url = git(&["remote", "get-url", "origin"]).unwrap_or_default();
    println!("cargo:rustc-env=WILLAI_GIT_URL={url}");
    // Rebuild when the commit or the index changes (not on every build). git names the
    // files: in a worktree `.git` is a file, and HEAD and the index live elsewhere.
    for what in ["HEAD", "index", "refs/heads", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", what])
            && std::path::Path::new(&path).exists()
        {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
