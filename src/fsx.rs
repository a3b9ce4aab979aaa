//! File writes that never leave half a file, and the lock that keeps two writers apart.
//!
//! Every file the tool writes (records, catalog, cache entries, site pages) goes through
//! [`write_atomic`]: a temporary file beside the target, fsync, rename. A crash, Ctrl-C
//! or `kill -9` leaves either the old file or the new one. Writers of one root hold
//! [`RootLock`], an OS file lock that the kernel releases when the process dies.

use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::Context;

use crate::root::Root;

/// The name prefix of the temporary files writes go through; a process killed half way
/// may leave one behind, which is safe to delete.
pub const TEMP_PREFIX: &str = ".willai-tmp-";

/// Writes `bytes` to `path` atomically (temp file in the same directory, fsync, rename),
/// creating parent directories. The file is readable by everyone (0644 on Unix), like a
/// file written by an editor, since these files are committed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, bytes, true)
}

/// [`write_atomic`] with the fsync optional. Without it a crash of the process still
/// leaves the old file or the new one (the rename is atomic); only a power cut could
/// leave an empty file. Cache entries use that: a damaged entry is a miss, never a
/// loss, and thousands of fsyncs would dominate a large run.
pub fn write_atomic_with(path: &Path, bytes: &[u8], durable: bool) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    // The directory usually exists: create it only when the first try says it does not.
    let mut tmp = match builder.tempfile_in(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir)?;
            builder.tempfile_in(dir)?
        }
        other => other?,
    };
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_atomic`] but leaves the file alone when it already holds exactly these
/// bytes, so a rerun does not touch modification times. Returns whether it wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    if holds(path, bytes) {
        return Ok(false);
    }
    write_atomic(path, bytes).map(|()| true)
}

/// Whether `path` is a regular file holding exactly `bytes`. Its size is compared first,
/// so a file of another size (a huge one planted in an output folder among them) is
/// never read, nor anything but a regular file.
pub fn holds(path: &Path, bytes: &[u8]) -> bool {
    fs::symlink_metadata(path)
        .is_ok_and(|m| m.file_type().is_file() && m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|existing| existing == bytes)
}

/// Why a data file's bytes are not text willai can read: where (`line:column`) and what
/// to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    pub location: String,
    pub message: String,
}

/// The text of a data file, which must be UTF-8 without a byte-order mark. The errors
/// name the cause and the fix: a text editor's encoding setting, not the JSON.
pub fn decode(bytes: &[u8]) -> Result<&str, NotText> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err(NotText {
            location: "1:1".into(),
            message: "the file starts with a byte-order mark (BOM): save it as UTF-8 without BOM, or run `willai fmt`, which removes it".into(),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        NotText {
            location: format!("{line}:{column}"),
            message: format!(
                "is not valid UTF-8 (byte 0x{:02X}): save the file as UTF-8",
                bytes[at]
            ),
        }
    })
}

/// An exclusive lock on a project root, held by every command that writes to it.
/// A second writer waits for the first and says so.
#[derive(Debug)]
pub struct RootLock {
    _file: fs::File,
}

impl RootLock {
    /// Takes the lock, waiting (with a message on stderr) while another process holds it.
    pub fn acquire(root: &Root, command: &str) -> anyhow::Result<RootLock> {
        match Self::try_acquire(root, command)? {
            Ok(lock) => Ok(lock),
            Err((file, holder)) => {
                eprintln!(
                    "willai: another willai is writing to this project ({holder}); waiting for it to finish (Ctrl-C to stop waiting)"
                );
                file.lock()
                    .with_context(|| format!("cannot lock {}", root.display(&root.lock_file())))?;
                Ok(Self::held(file, command))
            }
        }
    }

    /// The lock if it is free now; else the open lock file and who holds it (for a
    /// caller that must not block, such as `review` between keys). The lock file is
    /// opened without following a link and must be a regular file: a pull request could
    /// put a link in its place, and taking the lock truncates the file.
    pub fn try_acquire(
        root: &Root,
        command: &str,
    ) -> anyhow::Result<Result<RootLock, (fs::File, String)>> {
        let mut file = root.open_lock().map_err(LockError)?;
        match file.try_lock() {
            Ok(()) => Ok(Ok(Self::held(file, command))),
            Err(fs::TryLockError::WouldBlock) => {
                // Who holds it, as that process wrote it: a short line, shown as text.
                let mut holder = Vec::new();
                let _ = io::Read::by_ref(&mut file)
                    .take(200)
                    .read_to_end(&mut holder);
                let holder = String::from_utf8_lossy(&holder);
                let holder = crate::text::visible_line(holder.trim());
                let holder = match &*holder {
                    "" => "unknown process".to_string(),
                    h => h.to_string(),
                };
                Ok(Err((file, holder)))
            }
            Err(fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", root.display(&root.lock_file())))
            }
        }
    }

    /// Says who holds the lock, for the message a second writer prints.
    fn held(mut file: fs::File, command: &str) -> RootLock {
        file.set_len(0).ok();
        let _ = io::Seek::rewind(&mut file);
        let _ = write!(file, "pid {}, willai {command}", std::process::id());
        let _ = file.flush();
        RootLock { _file: file }
    }
}

/// `.willai.lock` cannot be used: a link or a special file in its place (exit 2: the
/// project needs fixing before any command writes to it), or an error opening it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LockError(#[source] pub crate::beneath::FileError);

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a regular file of the same bytes counts as holding them: a FIFO in its place
    /// (which a read would wait on forever) is replaced, not read.
    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_of_the_same_bytes_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.txt");
        fs::write(&target, "same\n").unwrap();
        assert!(holds(&target, b"same\n"));
        assert!(!holds(&target, b"diff\n"));
        assert!(!holds(&target, b"longer\n"));
        assert!(!write_if_changed(&target, b"same\n").unwrap());
        assert!(write_if_changed(&target, b"diff\n").unwrap());
        assert_eq!(fs::read_to_string(&target).unwrap(), "diff\n");
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(!holds(&fifo, b""));
        assert!(write_if_changed(&fifo, b"now a file\n").unwrap());
        assert_eq!(fs::read_to_string(&fifo).unwrap(), "now a file\n");
    }

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/a.json");
        write_atomic(&target, b"one\n").unwrap();
        write_atomic(&target, b"two\n").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "two\n");
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["a.json".to_string()]);
    }

    /// A new file replaces the old one by a rename: a reader holding the old file (here a
    /// hard link to it) never sees it change or shrink; an in-place write would.
    #[cfg(unix)]
    #[test]
    fn writes_replace_the_file_rather_than_rewrite_it() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.json");
        write_atomic(&target, b"the old content\n").unwrap();
        let held = dir.path().join("held.json");
        fs::hard_link(&target, &held).unwrap();
        let before = fs::metadata(&target).unwrap().ino();
        write_atomic(&target, b"new\n").unwrap();
        assert_eq!(fs::read_to_string(&held).unwrap(), "the old content\n");
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
        assert_ne!(fs::metadata(&target).unwrap().ino(), before);
        write_atomic_with(&target, b"newer\n", false).unwrap();
        assert_eq!(fs::read_to_string(&held).unwrap(), "the old content\n");
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.json");
        write_atomic(&target, b"x").unwrap();
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn text_must_be_utf8_without_a_bom_and_errors_say_where() {
        assert_eq!(decode(b"{}\n").unwrap(), "{}\n");
        let bom = decode(b"\xEF\xBB\xBF{}").unwrap_err();
        assert_eq!(bom.location, "1:1");
        assert!(bom.message.contains("byte-order mark"));
        let latin1 = decode(b"{\n  \"name\": \"Caf\xE9\"\n}").unwrap_err();
        assert_eq!(latin1.location, "2:15");
        assert!(latin1.message.contains("0xE9") && latin1.message.contains("UTF-8"));
    }

    #[test]
    fn write_if_changed_skips_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.json");
        assert!(write_if_changed(&target, b"x").unwrap());
        assert!(!write_if_changed(&target, b"x").unwrap());
        assert!(write_if_changed(&target, b"y").unwrap());
    }
}
