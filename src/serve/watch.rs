//! What changed: the size and modification time of every file under the watched paths.
//! Polling rather than inotify: four times a second over a few thousand files costs
//! little, works on every filesystem (network and container mounts included) and needs
//! no crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Every watched file with its size and modification time.
pub type Fingerprint = BTreeMap<PathBuf, (u64, Option<SystemTime>)>;

/// The fingerprint of the files at or under `paths` (missing ones are simply absent).
/// Hidden files and editors' backups (`.x.swp`, `x~`) are left out: saving in an editor
/// should rebuild once, not for each of its scratch files.
pub fn fingerprint(paths: &[PathBuf]) -> Fingerprint {
    let mut out = Fingerprint::new();
    for p in paths {
        add(p, &mut out);
    }
    out
}

fn add(path: &Path, out: &mut Fingerprint) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if meta.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.ends_with('~') {
                continue;
            }
            add(&e.path(), out);
        }
    } else {
        // A link counts by what it points to (a template linked from elsewhere changes
        // there); a dangling one by itself. Linked folders are not walked: no loops.
        let meta = if meta.is_symlink() {
            std::fs::metadata(path).unwrap_or(meta)
        } else {
            meta
        };
        out.insert(path.to_path_buf(), (meta.len(), meta.modified().ok()));
    }
}

/// What differs between two fingerprints, for the log line: the one path, or a count.
pub fn changed(before: &Fingerprint, after: &Fingerprint, root: &Path) -> String {
    let mut paths: Vec<&PathBuf> = after
        .iter()
        .filter(|(p, v)| before.get(*p) != Some(v))
        .map(|(p, _)| p)
        .chain(before.keys().filter(|p| !after.contains_key(*p)))
        .collect();
    paths.sort();
    paths.dedup();
    let show = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    match paths.as_slice() {
        [] => "changed".to_string(),
        [one] => format!("{} changed", show(one)),
        [first, rest @ ..] => format!("{} and {} more changed", show(first), rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_change_to_the_target_of_a_linked_file_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.html");
        std::fs::write(&outside, "one").unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir(&templates).unwrap();
        std::os::unix::fs::symlink(&outside, templates.join("_footer.html")).unwrap();
        let watched = vec![templates];
        let first = fingerprint(&watched);
        std::fs::write(&outside, "two, longer").unwrap();
        assert_ne!(fingerprint(&watched), first);
    }

    #[test]
    fn a_new_edited_or_removed_file_changes_the_fingerprint_and_scratch_files_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("data/records")).unwrap();
        std::fs::write(root.join("data/records/a.json"), "{}\n").unwrap();
        let watched = vec![root.join("data/records"), root.join("about.md")];
        let first = fingerprint(&watched);
        assert_eq!(first.len(), 1);

        std::fs::write(root.join("data/records/.a.json.swp"), "x").unwrap();
        std::fs::write(root.join("data/records/a.json~"), "x").unwrap();
        assert_eq!(
            fingerprint(&watched),
            first,
            "scratch files are not watched"
        );

        std::fs::write(root.join("about.md"), "# About\n").unwrap();
        let second = fingerprint(&watched);
        assert_eq!(changed(&first, &second, root), "about.md changed");

        std::fs::write(root.join("data/records/a.json"), "{\"x\": 1}\n").unwrap();
        std::fs::remove_file(root.join("about.md")).unwrap();
        let third = fingerprint(&watched);
        assert_eq!(
            changed(&second, &third, root),
            "about.md and 1 more changed"
        );
    }
}
