//! The test harness (after ripgrep's `tests/util.rs`): each test gets its own project
//! root in a temp dir, built from the repository's real `prompts/` and the fixture
//! catalog, and runs the real binary with a blank environment, so nothing from the
//! developer's machine (keys, base URLs, git identity) leaks in.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

pub const KEY: &str = "sk-test-SECRET-0123456789abcdefXYZ";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    copy_dir_except(from, to, &[]);
}

/// Copies a directory but the paths (relative to `from`) in `except`.
pub fn copy_dir_except(from: &Path, to: &Path, except: &[&str]) {
    fn walk(from: &Path, to: &Path, rel: &Path, except: &[&str]) {
        fs::create_dir_all(to.join(rel)).unwrap();
        for entry in fs::read_dir(from.join(rel)).unwrap() {
            let entry = entry.unwrap();
            let rel = rel.join(entry.file_name());
            if except.iter().any(|e| Path::new(e) == rel) {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                walk(from, to, &rel, except);
            } else {
                fs::copy(entry.path(), to.join(&rel)).unwrap();
            }
        }
    }
    walk(from, to, Path::new(""), except);
}

pub struct Project {
    pub dir: TempDir,
    home: TempDir,
}

impl Project {
    /// A root with the repository's prompts, the test willai.toml and the fixture catalog.
    pub fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("prompts"), &dir.path().join("prompts"));
        copy_dir(
            &repo().join("tests/fixtures/catalog"),
            &dir.path().join("data/catalog"),
        );
        fs::copy(
            repo().join("tests/fixtures/willai.toml"),
            dir.path().join("willai.toml"),
        )
        .unwrap();
        Project {
            dir,
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// The binary as a plain process, with a blank environment rooted here.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("willai"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.git_config())
            .env("WILLAI_ROOT", self.root())
            .current_dir(self.root());
        cmd
    }

    /// The global git configuration the binary sees (empty unless a test writes it).
    pub fn git_config(&self) -> PathBuf {
        self.home.path().join("gitconfig")
    }

    /// The binary, with a blank environment rooted here.
    pub fn willai(&self) -> Command {
        Command::from_std(self.process())
    }

    /// The binary pointed at a server, with the test key.
    pub fn willai_at(&self, base_url: &str) -> Command {
        Command::from_std(self.process_at(base_url))
    }

    /// [`Project::willai_at`] as a plain process (to run several at once).
    pub fn process_at(&self, base_url: &str) -> std::process::Command {
        let mut cmd = self.process();
        cmd.env("OPENAI_BASE_URL", base_url)
            .env("OPENAI_API_KEY", KEY);
        cmd
    }

    /// Every cache entry file, sorted.
    pub fn cache_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let Ok(shards) = fs::read_dir(self.path("cache")) else {
            return out;
        };
        for shard in shards.flatten() {
            for f in fs::read_dir(shard.path()).into_iter().flatten().flatten() {
                if f.path().extension().is_some_and(|e| e == "json") {
                    out.push(f.path());
                }
            }
        }
        out.sort();
        out
    }

    /// Waits (polling) until the cache holds at least `n` entries, for tests that stop a
    /// run in the middle; panics after 20 s.
    pub fn wait_for_cache_files(&self, n: usize) {
        let start = std::time::Instant::now();
        while self.cache_files().len() < n {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "the run never cached {n} answers"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Every file under the root with its bytes (for leak checks and byte comparisons),
    /// but the lock file, which names the process that last held it.
    pub fn all_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for e in fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if !p.ends_with(".willai.lock") {
                    out.push((p.clone(), fs::read(&p).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.root(), &mut out);
        out.sort();
        out
    }

    /// `willai approve -p SLUG --all --reviewer WHO`, which must succeed.
    pub fn approve_all(&self, slug: &str, reviewer: &str) {
        run_ok(
            self.willai()
                .args(["approve", "-p", slug, "--all", "--reviewer", reviewer]),
            0,
        );
    }

    /// Edits a record as an editor would (any change to its JSON), leaving the file in
    /// canonical form with `willai fmt`.
    pub fn edit_record(&self, slug: &str, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut rec = self.record(slug);
        edit(&mut rec);
        self.write(
            &format!("data/records/{slug}.json"),
            &serde_json::to_string_pretty(&rec).unwrap(),
        );
        run_ok(self.willai().arg("fmt"), 0);
    }

    pub fn record(&self, slug: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(&format!("data/records/{slug}.json"))).unwrap()
    }
}

/// The sha256 of a JSON value's canonical form (keys sorted at every depth, no
/// whitespace), written here independently of `willai::canonical`, which it checks.
pub fn canonical_sha256(v: &serde_json::Value) -> String {
    fn write(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    write(&map[*k], out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            scalar => out.push_str(&serde_json::to_string(scalar).unwrap()),
        }
    }
    use sha2::Digest;
    let mut text = String::new();
    write(v, &mut text);
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// stdout and stderr of a finished command, as text.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

pub fn run(cmd: &mut Command) -> Ran {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    Ran {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Runs and asserts the exit code, showing the output when it differs.
pub fn run_ok(cmd: &mut Command, code: i32) -> Ran {
    let r = run(cmd);
    assert_eq!(
        r.code, code,
        "exit code\n--- stdout\n{}\n--- stderr\n{}",
        r.stdout, r.stderr
    );
    r
}

/// The value of a summary line, e.g. `line_of(out, "requests")`.
pub fn summary_line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no `{name}` line in\n{out}"))
}
