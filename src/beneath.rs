//! Every read, write, listing and removal of a project file goes through here, relative
//! to one open directory: the project root. A pull request can carry any file (a record,
//! a template, a cache entry, `.willai.lock`) and a symbolic link in place of any of
//! them, so nothing found below the root may lead outside it:
//!
//! - no symbolic link below the root is followed, in the last component or in any folder
//!   on the way (the root itself may be one: the user named it). Links that stay inside
//!   the project are refused too: `static/x -> ../.git/config` would publish CI's token;
//! - a path is relative and has no `..`; it names the file the code built, nothing else;
//! - only regular files are read (a FIFO would block, `/dev/zero` never ends), and no
//!   read goes past a cap ([`MAX_TEXT`], [`MAX_ASSET`]), checked before reading;
//! - writes are atomic (a temporary file beside the target, then a rename, which
//!   replaces a link rather than writing through it); removals unlink the entry itself.
//!
//! On Linux one `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` opens a file, the cost
//! of a plain `open`; where the kernel lacks it (before 5.6, some sandboxes) and on other
//! Unixes, the path is walked one folder at a time with `O_NOFOLLOW`, which is also how a
//! refusal names the link it met. The capability crate cap-std was considered: it
//! follows links that stay inside the directory, which is the case this module must also
//! refuse, so the few system calls are made here with rustix.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

/// The most willai reads of one text file of a project: a record, a catalog file, a
/// cache entry, a prompt, a template, `willai.toml`, `about.md`. The largest record of
/// the full O*NET catalog is under 200 KB; a file past this is not one willai wrote.
pub const MAX_TEXT: u64 = 16 * 1024 * 1024;

/// The most willai copies of one file of `static/` into a site (GitHub refuses files
/// over 100 MB, and warns at 50 MB).
pub const MAX_ASSET: u64 = 64 * 1024 * 1024;

/// The prefix of the temporary files writes go through; a process killed half way may
/// leave one behind, which is safe to delete.
pub const TEMP_PREFIX: &str = crate::fsx::TEMP_PREFIX;

/// What a directory entry is, told without following it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Link,
    /// A FIFO, socket or device, named for messages.
    Special(&'static str),
}

impl Kind {
    fn of(t: FileType) -> Kind {
        match t {
            FileType::RegularFile => Kind::File,
            FileType::Directory => Kind::Dir,
            FileType::Symlink => Kind::Link,
            FileType::Fifo => Kind::Special("a named pipe (FIFO)"),
            FileType::Socket => Kind::Special("a socket"),
            FileType::CharacterDevice | FileType::BlockDevice => Kind::Special("a device"),
            FileType::Unknown => Kind::Special("of an unknown kind"),
        }
    }
}

/// One entry of a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: OsString,
    pub kind: Kind,
}

/// A project file willai will not touch, or an operation that failed. `path` is the
/// path inside the project, as messages show it.
#[derive(Debug)]
pub enum FileError {
    Link {
        path: String,
    },
    Special {
        path: String,
        kind: &'static str,
    },
    TooLarge {
        path: String,
        size: u64,
        cap: u64,
        what: &'static str,
    },
    Outside {
        path: String,
    },
    Io {
        op: &'static str,
        path: String,
        source: io::Error,
    },
}

impl FileError {
    /// A file the project should not hold (a link, a special file, one over the cap),
    /// as opposed to an operation that failed.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, FileError::Io { .. })
    }

    /// The file, as messages show it.
    pub fn path(&self) -> &str {
        match self {
            FileError::Link { path }
            | FileError::Special { path, .. }
            | FileError::TooLarge { path, .. }
            | FileError::Outside { path }
            | FileError::Io { path, .. } => path,
        }
    }

    /// What is wrong and what to do, without the path (for a `path: message` line).
    pub fn reason(&self) -> String {
        match self {
            FileError::Link { .. } => "is a symbolic link: willai follows no link inside a project (one in a pull request could point anywhere, such as /proc/self/environ or ~/.ssh): replace it with the file or folder itself".into(),
            FileError::Special { kind, .. } => format!(
                "is {kind}, not a regular file: willai reads only regular files in a project; remove it"
            ),
            FileError::TooLarge {
                size, cap, what, ..
            } => format!(
                "is {size} bytes, over the {} willai reads of one {what}: this is not a file willai wrote; remove it or shrink it",
                human(*cap)
            ),
            FileError::Outside { .. } => {
                "is not a path inside the project (absolute, or through `..`)".into()
            }
            FileError::Io { op, source, .. } => format!("cannot {op}: {source}"),
        }
    }

    fn io(op: &'static str, path: &Path, e: Errno) -> FileError {
        FileError::Io {
            op,
            path: path.display().to_string(),
            source: e.into(),
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A file name is the project's: shown with its control characters escaped.
        let path = crate::text::visible_line(self.path());
        match self {
            FileError::Io { op, source, .. } => write!(f, "cannot {op} {path}: {source}"),
            _ => write!(f, "{path} {}", self.reason()),
        }
    }
}

/// The I/O error is part of the message (these errors are often carried as text, in a
/// problem line), so it is not repeated as a source.
impl std::error::Error for FileError {}

/// A size in the unit a reader thinks in.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Opens the directory the user named (following links: it is theirs) as the base of
/// every later operation.
pub fn open_root(path: &Path) -> io::Result<OwnedFd> {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    Ok(rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

/// The normal components of a relative path; `..`, a root or a prefix make it refused.
fn components(rel: &Path) -> Result<Vec<&OsStr>, FileError> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => {
                return Err(FileError::Outside {
                    path: rel.display().to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// The path of the first `n` components, for messages.
fn prefix(comps: &[&OsStr], n: usize) -> PathBuf {
    comps[..n].iter().collect()
}

const DIR: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// Whether `openat2` is worth trying (it is not before Linux 5.6, nor in some sandboxes).
#[cfg(any(target_os = "linux", target_os = "android"))]
static OPENAT2: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// The one-call open: `openat2` refusing every link and anything outside `base`.
/// `None` means "walk instead" (unsupported, or an error the walk will name exactly).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn fast_open(
    base: BorrowedFd,
    comps: &[&OsStr],
    flags: OFlags,
    mode: Mode,
) -> Option<Result<OwnedFd, Errno>> {
    use rustix::fs::ResolveFlags;
    if comps.is_empty() || !OPENAT2.load(Ordering::Relaxed) {
        return None;
    }
    let path: PathBuf = comps.iter().collect();
    match rustix::fs::openat2(
        base,
        &path,
        flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        mode,
        ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
    ) {
        Ok(fd) => Some(Ok(fd)),
        Err(Errno::NOSYS | Errno::PERM | Errno::INVAL | Errno::TOOBIG) => {
            OPENAT2.store(false, Ordering::Relaxed);
            None
        }
        Err(Errno::NOENT) if !flags.contains(OFlags::CREATE) => Some(Err(Errno::NOENT)),
        // Anything else (a link, a missing folder to create, no permission) is walked,
        // which names the component at fault.
        Err(_) => None,
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn fast_open(_: BorrowedFd, _: &[&OsStr], _: OFlags, _: Mode) -> Option<Result<OwnedFd, Errno>> {
    None
}

/// Why opening `name` in `dir` failed with `e`: a link, something that is not a folder,
/// or the error itself.
fn classify(dir: BorrowedFd, name: &OsStr, shown: &Path, op: &'static str, e: Errno) -> FileError {
    if matches!(e, Errno::LOOP | Errno::NOTDIR | Errno::MLINK | Errno::NXIO)
        && let Ok(st) = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
    {
        return match Kind::of(FileType::from_raw_mode(st.st_mode)) {
            Kind::Link => FileError::Link {
                path: shown.display().to_string(),
            },
            Kind::Special(kind) => FileError::Special {
                path: shown.display().to_string(),
                kind,
            },
            _ => FileError::io(op, shown, e),
        };
    }
    FileError::io(op, shown, e)
}

/// Opens the folder made of `comps` below `base`, one component at a time, never
/// through a link; with `create`, missing folders are made. `None`: a folder is missing.
fn open_dir(
    base: BorrowedFd,
    comps: &[&OsStr],
    create: bool,
) -> Result<Option<OwnedFd>, FileError> {
    if let Some(fast) = fast_open(base, comps, DIR, Mode::empty()) {
        match fast {
            Ok(fd) => return Ok(Some(fd)),
            Err(Errno::NOENT) if !create => return Ok(None),
            Err(_) => {}
        }
    }
    let mut cur: Option<OwnedFd> = None;
    for (i, name) in comps.iter().enumerate() {
        let parent = cur.as_ref().map_or(base, |f| f.as_fd());
        let mut tries = 0;
        let next = loop {
            match rustix::fs::openat(parent, *name, DIR, Mode::empty()) {
                Ok(fd) => break fd,
                Err(Errno::NOENT) if create && tries < 3 => {
                    tries += 1;
                    match rustix::fs::mkdirat(parent, *name, Mode::from_raw_mode(0o755)) {
                        Ok(()) | Err(Errno::EXIST) => continue,
                        Err(e) => return Err(FileError::io("create", &prefix(comps, i + 1), e)),
                    }
                }
                Err(Errno::NOENT) => return Ok(None),
                Err(e) => return Err(classify(parent, name, &prefix(comps, i + 1), "open", e)),
            }
        };
        cur = Some(next);
    }
    match cur {
        Some(fd) => Ok(Some(fd)),
        // The base itself, as an owned descriptor.
        None => Ok(Some(
            rustix::fs::openat(base, ".", DIR, Mode::empty())
                .map_err(|e| FileError::io("open", Path::new("."), e))?,
        )),
    }
}

/// Opens the file `rel` below `base` with `flags` (never following a link). `None`:
/// it (or a folder on the way) does not exist.
fn open_file(
    base: BorrowedFd,
    rel: &Path,
    flags: OFlags,
    mode: Mode,
) -> Result<Option<OwnedFd>, FileError> {
    let comps = components(rel)?;
    let Some((name, dirs)) = comps.split_last() else {
        return Err(FileError::Outside {
            path: rel.display().to_string(),
        });
    };
    match fast_open(base, &comps, flags, mode) {
        Some(Ok(fd)) => return Ok(Some(fd)),
        // Only answered for an open that does not create.
        Some(Err(Errno::NOENT)) => return Ok(None),
        _ => {}
    }
    let Some(dir) = open_dir(base, dirs, flags.contains(OFlags::CREATE))? else {
        return Ok(None);
    };
    match rustix::fs::openat(
        &dir,
        *name,
        flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        mode,
    ) {
        Ok(fd) => Ok(Some(fd)),
        Err(Errno::NOENT) if !flags.contains(OFlags::CREATE) => Ok(None),
        Err(e) => Err(classify(dir.as_fd(), name, rel, "open", e)),
    }
}

/// Reads the regular file `rel` whole, refusing a link, a special file or one over
/// `cap` bytes (`what` names the kind of file in that message). `Ok(None)`: no such file.
pub fn read(
    base: BorrowedFd,
    rel: &Path,
    cap: u64,
    what: &'static str,
) -> Result<Option<Vec<u8>>, FileError> {
    let flags = OFlags::RDONLY | OFlags::NONBLOCK;
    let Some(fd) = open_file(base, rel, flags, Mode::empty())? else {
        return Ok(None);
    };
    read_open(fd, rel, cap, what).map(Some)
}

/// The bytes of an open file that must be regular and at most `cap` bytes (checked
/// before reading, and while reading: a file that grows is cut at the cap).
fn read_open(fd: OwnedFd, path: &Path, cap: u64, what: &'static str) -> Result<Vec<u8>, FileError> {
    let size = regular(&fd, path, cap, what)?;
    let mut bytes = Vec::with_capacity(size as usize);
    File::from(fd)
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| FileError::Io {
            op: "read",
            path: path.display().to_string(),
            source,
        })?;
    if bytes.len() as u64 > cap {
        return Err(FileError::TooLarge {
            path: path.display().to_string(),
            size: bytes.len() as u64,
            cap,
            what,
        });
    }
    Ok(bytes)
}

/// Reads a file the user named (a command-line argument, not a path found in the
/// project), whole: it may be reached through links, being the user's choice, but it must
/// be a regular file of at most `cap` bytes.
pub fn read_named(path: &Path, cap: u64, what: &'static str) -> Result<Vec<u8>, FileError> {
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| FileError::io("read", path, e))?;
    read_open(fd, path, cap, what)
}

/// The size of an open file that must be regular and at most `cap` bytes.
fn regular(fd: &OwnedFd, rel: &Path, cap: u64, what: &'static str) -> Result<u64, FileError> {
    let st = rustix::fs::fstat(fd).map_err(|e| FileError::io("read", rel, e))?;
    match Kind::of(FileType::from_raw_mode(st.st_mode)) {
        Kind::File => {}
        Kind::Dir => {
            return Err(FileError::Special {
                path: rel.display().to_string(),
                kind: "a folder",
            });
        }
        Kind::Link => {
            return Err(FileError::Link {
                path: rel.display().to_string(),
            });
        }
        Kind::Special(kind) => {
            return Err(FileError::Special {
                path: rel.display().to_string(),
                kind,
            });
        }
    }
    let size = st.st_size.max(0) as u64;
    if size > cap {
        return Err(FileError::TooLarge {
            path: rel.display().to_string(),
            size,
            cap,
            what,
        });
    }
    Ok(size)
}

/// What `rel` is, without following it (folders on the way are not followed either).
/// `Ok(None)`: it does not exist.
pub fn kind(base: BorrowedFd, rel: &Path) -> Result<Option<Kind>, FileError> {
    let comps = components(rel)?;
    let Some((name, dirs)) = comps.split_last() else {
        return Ok(Some(Kind::Dir));
    };
    let Some(dir) = open_dir(base, dirs, false)? else {
        return Ok(None);
    };
    match rustix::fs::statat(&dir, *name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => Ok(Some(Kind::of(FileType::from_raw_mode(st.st_mode)))),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(FileError::io("read", rel, e)),
    }
}

/// The entries of the folder `rel`, sorted by name (`.` and `..` left out). `Ok(None)`:
/// there is no such folder. A link in place of the folder is refused.
pub fn list(base: BorrowedFd, rel: &Path) -> Result<Option<Vec<Entry>>, FileError> {
    let comps = components(rel)?;
    let Some(dir) = open_dir(base, &comps, false)? else {
        return Ok(None);
    };
    let fail = |e: Errno| FileError::io("list", rel, e);
    let stat_dir = rustix::fs::openat(&dir, ".", DIR, Mode::empty()).map_err(fail)?;
    let mut out = Vec::new();
    for entry in rustix::fs::Dir::new(dir).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let name = OsStr::from_bytes(name).to_os_string();
        let kind = match entry.file_type() {
            FileType::Unknown => {
                match rustix::fs::statat(&stat_dir, &name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => Kind::of(FileType::from_raw_mode(st.st_mode)),
                    Err(Errno::NOENT) => continue,
                    Err(e) => return Err(fail(e)),
                }
            }
            t => Kind::of(t),
        };
        out.push(Entry { name, kind });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(out))
}

/// A process-wide counter for temporary file names (with the pid, unique across
/// processes; a leftover of a killed process is stepped over).
static TEMP_SEQ: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `rel` atomically: a temporary file in the same folder (created,
/// never opened through a link), optionally fsynced, then renamed over the target. A
/// link in the target's place is replaced, never written through; folders on the way
/// are created, never followed.
pub fn write_atomic(
    base: BorrowedFd,
    rel: &Path,
    bytes: &[u8],
    durable: bool,
) -> Result<(), FileError> {
    let comps = components(rel)?;
    let Some((name, dirs)) = comps.split_last() else {
        return Err(FileError::Outside {
            path: rel.display().to_string(),
        });
    };
    let dir = open_dir(base, dirs, true)?.expect("created");
    let fail = |op, e: io::Error| FileError::Io {
        op,
        path: rel.display().to_string(),
        source: e,
    };
    let (tmp, file) = loop {
        let tmp = format!(
            "{TEMP_PREFIX}{}-{}",
            std::process::id(),
            TEMP_SEQ.fetch_add(1, Ordering::Relaxed)
        );
        match rustix::fs::openat(
            &dir,
            tmp.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        ) {
            Ok(fd) => break (tmp, File::from(fd)),
            Err(Errno::EXIST) => continue,
            Err(e) => return Err(fail("write", e.into())),
        }
    };
    let written = (|| {
        let mut file = file;
        file.write_all(bytes)?;
        if durable {
            file.sync_all()?;
        }
        rustix::fs::renameat(&dir, tmp.as_str(), &dir, *name)?;
        Ok::<(), io::Error>(())
    })();
    if let Err(e) = written {
        let _ = rustix::fs::unlinkat(&dir, tmp.as_str(), AtFlags::empty());
        return Err(fail("write", e));
    }
    Ok(())
}

/// [`write_atomic`] (durable) unless the file already holds exactly these bytes, so a
/// rerun leaves modification times alone. Returns whether it wrote.
pub fn write_if_changed(base: BorrowedFd, rel: &Path, bytes: &[u8]) -> Result<bool, FileError> {
    // What is there now is compared only when it could be equal; a link or a special
    // file in the target's place is simply replaced.
    if let Ok(Some(existing)) = read(base, rel, bytes.len() as u64, "file")
        && existing == bytes
    {
        return Ok(false);
    }
    write_atomic(base, rel, bytes, true).map(|()| true)
}

/// Removes the entry `rel` itself (a link is removed, never followed); folders on the
/// way are not followed. Missing is not an error.
pub fn remove_file(base: BorrowedFd, rel: &Path) -> Result<(), FileError> {
    remove(base, rel, AtFlags::empty())
}

/// Removes the empty folder `rel`; missing is not an error.
pub fn remove_dir(base: BorrowedFd, rel: &Path) -> Result<(), FileError> {
    remove(base, rel, AtFlags::REMOVEDIR)
}

fn remove(base: BorrowedFd, rel: &Path, flags: AtFlags) -> Result<(), FileError> {
    let comps = components(rel)?;
    let Some((name, dirs)) = comps.split_last() else {
        return Err(FileError::Outside {
            path: rel.display().to_string(),
        });
    };
    let Some(dir) = open_dir(base, dirs, false)? else {
        return Ok(());
    };
    match rustix::fs::unlinkat(&dir, *name, flags) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(FileError::io("remove", rel, e)),
    }
}

/// Opens (creating it when missing) the regular file `rel` for reading and writing in
/// place, as a lock file: never through a link, never a FIFO or a device.
pub fn open_lock(base: BorrowedFd, rel: &Path) -> Result<File, FileError> {
    let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NONBLOCK;
    let fd = open_file(base, rel, flags, Mode::from_raw_mode(0o644))?
        .ok_or_else(|| FileError::io("open", rel, Errno::NOENT))?;
    regular(&fd, rel, u64::MAX, "lock file")?;
    // Back to blocking mode: the file is locked and written normally.
    rustix::fs::fcntl_setfl(&fd, OFlags::empty()).map_err(|e| FileError::io("open", rel, e))?;
    Ok(File::from(fd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    struct T {
        _dir: tempfile::TempDir,
        root: PathBuf,
        outside: PathBuf,
        fd: OwnedFd,
    }

    fn setup() -> T {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(root.join("data/records")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret.json"), "{\"secret\": 1}").unwrap();
        std::fs::write(root.join("data/records/a.json"), "{}").unwrap();
        let fd = open_root(&root).unwrap();
        T {
            _dir: dir,
            root,
            outside,
            fd,
        }
    }

    /// Runs `f` once with `openat2` and once walking, so both paths are held to the
    /// same answers.
    fn both(f: impl Fn()) {
        f();
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            OPENAT2.store(false, Ordering::Relaxed);
            f();
            OPENAT2.store(true, Ordering::Relaxed);
        }
    }

    #[test]
    fn reads_a_regular_file_and_misses_quietly() {
        let t = setup();
        both(|| {
            let got = read(
                t.fd.as_fd(),
                Path::new("data/records/a.json"),
                MAX_TEXT,
                "record",
            );
            assert_eq!(got.unwrap().unwrap(), b"{}");
            assert!(
                read(t.fd.as_fd(), Path::new("data/records/b.json"), 10, "record")
                    .unwrap()
                    .is_none()
            );
            assert!(
                read(t.fd.as_fd(), Path::new("nowhere/b.json"), 10, "record")
                    .unwrap()
                    .is_none()
            );
        });
    }

    #[test]
    fn a_link_anywhere_on_the_way_is_refused_and_named() {
        let t = setup();
        symlink(
            t.outside.join("secret.json"),
            t.root.join("data/records/x.json"),
        )
        .unwrap();
        symlink(&t.outside, t.root.join("data/catalog")).unwrap();
        // A link that stays inside the project is refused too.
        symlink("a.json", t.root.join("data/records/inside.json")).unwrap();
        both(|| {
            for (rel, named) in [
                ("data/records/x.json", "data/records/x.json"),
                ("data/catalog/secret.json", "data/catalog"),
                ("data/records/inside.json", "data/records/inside.json"),
            ] {
                let e = read(t.fd.as_fd(), Path::new(rel), MAX_TEXT, "record").unwrap_err();
                match &e {
                    FileError::Link { path } => assert_eq!(path, named),
                    other => panic!("{rel}: {other}"),
                }
                assert!(e.to_string().contains("is a symbolic link"), "{e}");
            }
            let e = list(t.fd.as_fd(), Path::new("data/catalog")).unwrap_err();
            assert!(matches!(e, FileError::Link { .. }), "{e}");
        });
    }

    #[test]
    fn paths_that_climb_out_are_refused() {
        let t = setup();
        for rel in [
            "../outside/secret.json",
            "/etc/passwd",
            "data/../../outside/secret.json",
        ] {
            let e = read(t.fd.as_fd(), Path::new(rel), MAX_TEXT, "record").unwrap_err();
            assert!(matches!(e, FileError::Outside { .. }), "{rel}: {e}");
            let e = write_atomic(t.fd.as_fd(), Path::new(rel), b"x", false).unwrap_err();
            assert!(matches!(e, FileError::Outside { .. }), "{rel}: {e}");
        }
        assert_eq!(
            std::fs::read_to_string(t.outside.join("secret.json")).unwrap(),
            "{\"secret\": 1}"
        );
    }

    #[test]
    fn special_files_are_refused_without_blocking_and_the_cap_holds() {
        let t = setup();
        let fifo = t.root.join("data/records/fifo.json");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        std::fs::write(t.root.join("data/records/big.json"), vec![b' '; 2000]).unwrap();
        std::fs::create_dir(t.root.join("data/records/dir.json")).unwrap();
        both(|| {
            let e = read(
                t.fd.as_fd(),
                Path::new("data/records/fifo.json"),
                10,
                "record",
            )
            .unwrap_err();
            assert!(
                e.to_string()
                    .contains("a named pipe (FIFO), not a regular file"),
                "{e}"
            );
            let e = read(
                t.fd.as_fd(),
                Path::new("data/records/big.json"),
                1024,
                "record",
            )
            .unwrap_err();
            assert_eq!(
                e.to_string(),
                "data/records/big.json is 2000 bytes, over the 1 KiB willai reads of one record: this is not a file willai wrote; remove it or shrink it"
            );
            let e = read(
                t.fd.as_fd(),
                Path::new("data/records/dir.json"),
                1024,
                "record",
            )
            .unwrap_err();
            assert!(e.to_string().contains("is a folder"), "{e}");
            let e = open_lock(t.fd.as_fd(), Path::new("data/records/fifo.json")).unwrap_err();
            assert!(matches!(e, FileError::Special { .. }), "{e}");
        });
    }

    #[test]
    fn writes_replace_a_link_and_never_follow_one() {
        let t = setup();
        let target = t.outside.join("secret.json");
        symlink(&target, t.root.join("data/records/x.json")).unwrap();
        symlink(&t.outside, t.root.join("cache")).unwrap();
        both(|| {
            write_atomic(
                t.fd.as_fd(),
                Path::new("data/records/x.json"),
                b"mine",
                false,
            )
            .unwrap();
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "{\"secret\": 1}");
            let written = t.root.join("data/records/x.json");
            assert!(!std::fs::symlink_metadata(&written).unwrap().is_symlink());
            std::fs::remove_file(&written).unwrap();
            symlink(&target, &written).unwrap();

            let e =
                write_atomic(t.fd.as_fd(), Path::new("cache/ab/k.json"), b"x", false).unwrap_err();
            assert!(
                matches!(e, FileError::Link { ref path } if path == "cache"),
                "{e}"
            );
            assert!(!t.outside.join("ab").exists());
            // New folders are made on the way.
            write_atomic(t.fd.as_fd(), Path::new("data/new/deep/a.json"), b"y", true).unwrap();
            assert_eq!(
                std::fs::read_to_string(t.root.join("data/new/deep/a.json")).unwrap(),
                "y"
            );
            std::fs::remove_dir_all(t.root.join("data/new")).unwrap();
        });
        let names: Vec<_> = std::fs::read_dir(t.root.join("data/records"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(TEMP_PREFIX)),
            "{names:?}"
        );
    }

    #[test]
    fn removal_unlinks_the_link_itself_and_no_folder_is_followed() {
        let t = setup();
        let target = t.outside.join("secret.json");
        symlink(&target, t.root.join("data/records/x.json")).unwrap();
        symlink(&t.outside, t.root.join("cache")).unwrap();
        remove_file(t.fd.as_fd(), Path::new("data/records/x.json")).unwrap();
        assert!(target.exists());
        assert!(!t.root.join("data/records/x.json").exists());
        let e = remove_file(t.fd.as_fd(), Path::new("cache/secret.json")).unwrap_err();
        assert!(matches!(e, FileError::Link { .. }), "{e}");
        assert!(target.exists());
    }

    #[test]
    fn listing_tells_kinds_without_following() {
        let t = setup();
        symlink(&t.outside, t.root.join("data/records/l.json")).unwrap();
        std::fs::create_dir(t.root.join("data/records/d")).unwrap();
        let got = list(t.fd.as_fd(), Path::new("data/records"))
            .unwrap()
            .unwrap();
        let kinds: Vec<(String, Kind)> = got
            .into_iter()
            .map(|e| (e.name.into_string().unwrap(), e.kind))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("a.json".to_string(), Kind::File),
                ("d".to_string(), Kind::Dir),
                ("l.json".to_string(), Kind::Link),
            ]
        );
        assert!(list(t.fd.as_fd(), Path::new("nope")).unwrap().is_none());
        assert_eq!(
            kind(t.fd.as_fd(), Path::new("data/records/l.json")).unwrap(),
            Some(Kind::Link)
        );
    }

    #[test]
    fn the_lock_file_is_created_but_never_through_a_link() {
        let t = setup();
        let target = t.outside.join("victim");
        std::fs::write(&target, "precious").unwrap();
        symlink(&target, t.root.join(".willai.lock")).unwrap();
        let e = open_lock(t.fd.as_fd(), Path::new(".willai.lock")).unwrap_err();
        assert!(matches!(e, FileError::Link { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        // A dangling link: its target is not created.
        std::fs::remove_file(t.root.join(".willai.lock")).unwrap();
        symlink(t.outside.join("created"), t.root.join(".willai.lock")).unwrap();
        assert!(open_lock(t.fd.as_fd(), Path::new(".willai.lock")).is_err());
        assert!(!t.outside.join("created").exists());
        std::fs::remove_file(t.root.join(".willai.lock")).unwrap();
        open_lock(t.fd.as_fd(), Path::new(".willai.lock")).unwrap();
        assert!(t.root.join(".willai.lock").is_file());
    }
}
