//! The response cache: `cache/<first two hex digits>/<sha256>.json`, one validated
//! answer per file, keyed by the sha256 of the canonical request body.
//!
//! Plain sharded JSON files rather than a database or an append-only index: they are
//! committed to git, so they must read well in review and never conflict. Only
//! validated replies are stored, and an entry keeps what the cache exists for and no
//! more (format 2, about 1 KB): the reply's text, the one token a confidence is read
//! from, the token usage, the model asked for, where the answer came from (host, the
//! model the server reported, its `system_fingerprint`), what was asked (the reply
//! schema's name, so `cache verify` checks the reply again) and the sha256 of all of
//! it, so an edit shows. The request itself is not kept: the key is its hash, and a
//! run rebuilds it from the prompt; keeping it (3.5 KB of rubric, schema and messages)
//! and every token's log-probabilities (6 KB) made entries of 18 KB.
//!
//! Entries of the first format (`request` and the whole `response`, no `format`) are
//! read as they are, and `willai cache compact` rewrites them in this one. A corrupt
//! entry is reported and treated as a miss, never a crash.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::beneath::{self, FileError, Kind};
use crate::canonical;
use crate::reply::Ask;
use crate::root::Root;

/// The format entries are written in.
pub const FORMAT: u32 = 2;

/// Token counts as the server reported them (zero when it did not).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

impl Usage {
    /// The `usage` of a chat-completions response (zero where the server gives none).
    pub fn of(response: &Value) -> Usage {
        let count = |field: &str| {
            response
                .pointer(&format!("/usage/{field}"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        Usage {
            prompt_tokens: count("prompt_tokens"),
            completion_tokens: count("completion_tokens"),
        }
    }

    /// Prompt and completion together: what a call took from a tokens/min budget.
    /// (Saturating: a server's `u64::MAX` must not wrap.)
    pub fn total(&self) -> u64 {
        self.prompt_tokens.saturating_add(self.completion_tokens)
    }

    pub fn add(&mut self, other: Usage) {
        self.prompt_tokens = self.prompt_tokens.saturating_add(other.prompt_tokens);
        self.completion_tokens = self
            .completion_tokens
            .saturating_add(other.completion_tokens);
    }

    /// Each count held to `cap`: what a server reports is believed only up to what the
    /// request could have used.
    pub fn at_most(self, cap: Usage) -> Usage {
        Usage {
            prompt_tokens: self.prompt_tokens.min(cap.prompt_tokens),
            completion_tokens: self.completion_tokens.min(cap.completion_tokens),
        }
    }
}

/// Why the first reply was asked again, when it was invalid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reask {
    /// What was wrong with the first reply.
    pub error: String,
    /// The follow-up request (entries of the first format kept it, with the invalid
    /// reply replaced by a note of its size); not written any more.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub request: Value,
}

/// Where an answer came from: never a credential, a path or a query (they may hold
/// secrets), only the host (`api.openai.com`, `127.0.0.1:8080`), the model the server
/// said it answered with, and its `system_fingerprint` when it gave one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// `host[:port]` of the base URL; none for a provider's batch results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The response's `model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_fingerprint: Option<String>,
}

/// The most of a source's text kept (a server's `model` or fingerprint is a short name).
pub const SOURCE_CHARS: usize = 200;

/// A text a server (or a hand-edited entry) gave, as a record may hold it: one line, a
/// control character as its escape, at most [`SOURCE_CHARS`]; `None` when nothing is left.
fn source_text(s: &str) -> Option<String> {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = crate::text::visible(&one_line)
        .chars()
        .take(SOURCE_CHARS)
        .collect();
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

impl Source {
    /// What a response says of itself (its `model` and `system_fingerprint`), with the
    /// host it came from.
    pub fn of(host: Option<String>, response: &Value) -> Source {
        let text = |field: &str| {
            response
                .get(field)
                .and_then(Value::as_str)
                .and_then(source_text)
        };
        Source {
            host,
            model: text("model"),
            system_fingerprint: text("system_fingerprint"),
        }
    }

    /// The same, every text as a record may hold it (an entry is read from a file
    /// anyone may have written).
    pub fn cleaned(&self) -> Source {
        let clean = |t: &Option<String>| t.as_deref().and_then(source_text);
        Source {
            host: clean(&self.host),
            model: clean(&self.model),
            system_fingerprint: clean(&self.system_fingerprint),
        }
    }
}

fn first_format() -> u32 {
    1
}

/// One cached answer. Read from either format; written in [`FORMAT`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheEntry {
    /// 2; absent in entries of the first format.
    #[serde(default = "first_format")]
    pub format: u32,
    /// sha256 of the canonical JSON of the request body that was sent.
    pub key: String,
    /// The model named in the request.
    pub model: String,
    /// Where the answer came from (entries cached before willai recorded it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The name of the reply schema asked for: `task_exposure`, `skills_assessment`
    /// (with `skills`) or `skills_proposal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ask: Option<String>,
    /// The skills assessed, in the order asked (`skills_assessment`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// First format: sha256 of the canonical JSON of `response` (entries written before
    /// willai kept it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_sha256: Option<String>,
    /// Tokens used to get this response (both calls when there was a re-ask).
    pub usage: Usage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reask: Option<Reask>,
    /// First format: the request body as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    /// The answer: `choices`, each with `message.content` (and `finish_reason` when it
    /// is not `stop`, and the level's token as `level_logprob`). The first format kept
    /// the raw response (log-probabilities of every token).
    pub response: Value,
    /// sha256 of the canonical JSON of the entry without this field, so an edit of
    /// anything in it shows (format 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl CacheEntry {
    /// A new entry in the compact format: of the request only its key and what it asked
    /// (read from the body), of the response only what the reply and its confidence are
    /// read from; the hash is computed here.
    pub fn new(
        key: String,
        model: String,
        usage: Usage,
        reask: Option<Reask>,
        request: Value,
        response: Value,
    ) -> CacheEntry {
        let ask = Ask::of_request(&request);
        let choices: Vec<Value> = crate::answer::choices(&response)
            .iter()
            .map(crate::answer::compact_choice)
            .collect();
        let mut entry = CacheEntry {
            format: FORMAT,
            key,
            model,
            source: None,
            ask: ask.as_ref().map(|a| a.schema_name().to_string()),
            skills: match ask {
                Some(Ask::Skills { names }) => names,
                _ => Vec::new(),
            },
            response_sha256: None,
            usage,
            reask: reask.map(|r| Reask {
                error: r.error,
                request: Value::Null,
            }),
            request: None,
            response: serde_json::json!({ "choices": choices }),
            sha256: None,
        };
        entry.seal();
        entry
    }

    /// The same entry with where it came from, sealed again.
    pub fn with_source(mut self, source: Source) -> CacheEntry {
        self.source = Some(source);
        self.seal();
        self
    }

    /// Computes the hash of a compact entry.
    fn seal(&mut self) {
        self.sha256 = None;
        self.sha256 = Some(self.computed_sha256());
    }

    fn computed_sha256(&self) -> String {
        let mut v = serde_json::to_value(self).expect("entries serialize");
        if let Some(o) = v.as_object_mut() {
            o.remove("sha256");
        }
        canonical::hash_value(&v)
    }

    /// Where the answer came from, as records name it: the stored source, or (first
    /// format, which kept the whole response) what the response says of itself; the same
    /// before and after `willai cache compact`.
    pub fn origin(&self) -> Option<Source> {
        let source = match &self.source {
            Some(s) => s.cleaned(),
            None if self.is_first_format() => Source::of(None, &self.response),
            None => return None,
        };
        (source != Source::default()).then_some(source)
    }

    /// Whether it is in the first format (a candidate for `willai cache compact`).
    pub fn is_first_format(&self) -> bool {
        self.format < FORMAT
    }

    /// The same answer in the compact format (for `willai cache compact`).
    pub fn compacted(&self) -> CacheEntry {
        let mut e = CacheEntry::new(
            self.key.clone(),
            self.model.clone(),
            self.usage,
            self.reask.clone(),
            self.request.clone().unwrap_or(Value::Null),
            self.response.clone(),
        );
        if self.ask.is_some() {
            e.ask = self.ask.clone();
            e.skills = self.skills.clone();
        }
        // The first format kept the response whole: what it says of itself.
        e.source = self.origin();
        e.seal();
        e
    }

    /// What was asked, to check the reply again: the stored schema name, or (first
    /// format) the schema the stored request carries.
    pub fn asked(&self) -> Option<Ask> {
        match self.ask.as_deref() {
            Some(name) => Ask::of_name(name, &self.skills),
            None => self.request.as_ref().and_then(Ask::of_request),
        }
    }

    /// Why the entry cannot be trusted, if it cannot: it was edited since it was cached
    /// (its hash no longer matches), or (first format) its request no longer hashes to
    /// its key.
    pub fn tampered(&self) -> Option<String> {
        if let Some(request) = &self.request {
            let actual = canonical::hash_value(request);
            if actual != self.key {
                return Some(format!(
                    "the stored request hashes to {actual}, not to its key: it was edited"
                ));
            }
        }
        self.response_edited()
    }

    /// Why the answer cannot be trusted: it no longer hashes to what it was cached with.
    /// (A lookup checks only this: the request is the one it just built.)
    pub fn response_edited(&self) -> Option<String> {
        let edited = match (&self.sha256, &self.response_sha256) {
            (Some(h), _) => *h != self.computed_sha256(),
            (None, Some(h)) => *h != canonical::hash_value(&self.response),
            (None, None) => false,
        };
        edited.then(|| {
            "the stored answer was edited after it was checked and cached (its sha256 no longer matches)"
                .to_string()
        })
    }

    /// Whether the entry can tell an edit at all (entries of an early willai cannot).
    pub fn is_hashed(&self) -> bool {
        self.sha256.is_some() || self.response_sha256.is_some()
    }

    /// The assistant message's text.
    pub fn content(&self) -> Option<&str> {
        message_content(&self.response)
    }
}

/// `choices[0].message.content` of a chat-completions response.
pub fn message_content(response: &Value) -> Option<&str> {
    response.pointer("/choices/0/message/content")?.as_str()
}

/// Why an entry could not be used.
#[derive(Debug)]
pub struct CorruptEntry {
    /// The entry's path inside the project.
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for CorruptEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (treated as a miss; it is rewritten when the request is sent again)",
            self.path,
            crate::text::visible_line(&self.reason)
        )
    }
}

/// The cache of one project root.
#[derive(Clone, Debug)]
pub struct Cache {
    root: Root,
    dir: PathBuf,
}

/// What the cache folder holds: the entries, and everything else (never read as an
/// entry, never deleted by `cache gc`: reported for a person to look at).
#[derive(Debug, Default)]
pub struct Listing {
    /// Regular files at `cache/<two hex digits>/<sha256>.json` whose name starts with
    /// their folder's, sorted.
    pub entries: Vec<PathBuf>,
    /// Anything else, with why it is not an entry, sorted. Hidden files (`.gitkeep`, a
    /// temporary file a killed write left) are left out.
    pub strays: Vec<(PathBuf, String)>,
}

/// Whether a name is a shard folder's: two lowercase hex digits.
fn is_shard(name: &str) -> bool {
    name.len() == 2 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether a string is a lowercase hex sha256.
pub fn is_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Cache {
    /// The cache of a project: its `cache/` folder.
    pub fn new(root: &Root) -> Cache {
        Cache {
            root: root.clone(),
            dir: root.cache_dir(),
        }
    }

    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }

    /// Reads an entry. `Ok(None)` is a miss; `Err` is a corrupt entry (report it and
    /// treat it as a miss): one that does not parse, holds another key, has no reply,
    /// was edited, or is not a regular file within the cap (a link is never followed).
    pub fn get(&self, key: &str) -> Result<Option<CacheEntry>, CorruptEntry> {
        let path = self.path(key);
        let shown = || self.root.display(&path);
        let text = match self.read(&path) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(None),
            Err(reason) => {
                return Err(CorruptEntry {
                    path: shown(),
                    reason,
                });
            }
        };
        let path = shown();
        let entry: CacheEntry = serde_json::from_str(&text).map_err(|e| CorruptEntry {
            path: path.clone(),
            reason: format!("not a cache entry: {e}"),
        })?;
        if entry.format > FORMAT {
            return Err(CorruptEntry {
                path,
                reason: format!(
                    "written in format {} by a newer willai: upgrade willai",
                    entry.format
                ),
            });
        }
        if entry.key != key {
            return Err(CorruptEntry {
                path,
                reason: format!("holds key {} instead", entry.key),
            });
        }
        if entry.content().is_none() {
            return Err(CorruptEntry {
                path,
                reason: "the response has no choices[0].message.content".into(),
            });
        }
        if let Some(reason) = entry.response_edited() {
            return Err(CorruptEntry { path, reason });
        }
        Ok(Some(entry))
    }

    /// The text of a cache file (an entry or a stray), or why it cannot be read.
    pub fn read(&self, path: &std::path::Path) -> Result<Option<String>, String> {
        match self.root.read(path, beneath::MAX_TEXT, "cache entry") {
            Ok(Some(bytes)) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|e| format!("not a cache entry: not UTF-8 ({e})")),
            Ok(None) => Ok(None),
            Err(e) => Err(e.reason()),
        }
    }

    /// Stores an entry atomically (without fsync: see `fsx::write_atomic_with`). What was
    /// in its place (a corrupt entry, a link) is replaced, never written through.
    pub fn put(&self, entry: &CacheEntry) -> Result<(), FileError> {
        self.root.write_atomic(
            &self.path(&entry.key),
            canonical::pretty(entry).as_bytes(),
            false,
        )
    }

    /// Removes an entry file (never through a link), and its shard folder once empty.
    pub fn remove(&self, path: &std::path::Path) -> Result<(), FileError> {
        self.root.remove_file(path)?;
        if let Some(dir) = path.parent() {
            let _ = self.root.remove_dir(dir);
        }
        Ok(())
    }

    /// The keys of every entry, from the directory listings alone (one `readdir` per
    /// shard): a run asks this set first, so a miss costs no file-system call.
    pub fn keys(&self) -> Result<std::collections::HashSet<String>, FileError> {
        let mut keys = std::collections::HashSet::new();
        for path in self.scan()?.entries {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                keys.insert(stem.to_string());
            }
        }
        Ok(keys)
    }

    /// The entry files and everything else in `cache/` (for `cache stats|verify|gc` and
    /// a run's lookups). Only a regular file named `<sha256>.json` in a real folder named
    /// by its first two hex digits is an entry: a link (to a folder or a file), a file
    /// named otherwise, a folder in a shard are strays, never read as entries and never
    /// deleted.
    pub fn scan(&self) -> Result<Listing, FileError> {
        let mut out = Listing::default();
        let Some(shards) = self.root.list(&self.dir)? else {
            return Ok(out);
        };
        let not_entry = "not a cache entry (entries are regular files at cache/<first two hex digits>/<sha256>.json): look at it, and remove it if nothing needs it";
        for shard in shards {
            let name = shard.name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let path = self.dir.join(&shard.name);
            match shard.kind {
                Kind::Dir if is_shard(&name) => {}
                Kind::Link => {
                    out.strays.push((
                        path,
                        FileError::Link {
                            path: String::new(),
                        }
                        .reason(),
                    ));
                    continue;
                }
                _ => {
                    out.strays.push((path, not_entry.to_string()));
                    continue;
                }
            }
            for file in self.root.list(&path)?.unwrap_or_default() {
                let fname = file.name.to_string_lossy();
                if fname.starts_with('.') {
                    continue;
                }
                let fpath = path.join(&file.name);
                let key = fname
                    .strip_suffix(".json")
                    .filter(|k| is_key(k) && k.starts_with(&*name));
                match (file.kind, key) {
                    (Kind::File, Some(_)) => out.entries.push(fpath),
                    (Kind::Link, _) => out.strays.push((
                        fpath,
                        FileError::Link {
                            path: String::new(),
                        }
                        .reason(),
                    )),
                    (Kind::Special(kind), _) => out.strays.push((
                        fpath,
                        FileError::Special {
                            path: String::new(),
                            kind,
                        }
                        .reason(),
                    )),
                    _ => out.strays.push((fpath, not_entry.to_string())),
                }
            }
        }
        out.entries.sort();
        out.strays.sort();
        Ok(out)
    }
}

/// Stores entries on a thread of its own, so that a run's network tasks never wait for
/// the file system (creating thousands of small files costs real kernel time).
pub struct Writer {
    tx: Option<std::sync::mpsc::Sender<CacheEntry>>,
    handle: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Writer {
    pub fn start(cache: Cache) -> Writer {
        let (tx, rx) = std::sync::mpsc::channel::<CacheEntry>();
        let handle = std::thread::spawn(move || {
            let mut errors = Vec::new();
            for entry in rx {
                if let Err(e) = cache.put(&entry) {
                    errors.push(format!("cannot write the cache entry: {e}"));
                }
            }
            errors
        });
        Writer {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    /// A handle for one task.
    pub fn sender(&self) -> std::sync::mpsc::Sender<CacheEntry> {
        self.tx.clone().expect("the writer is running")
    }

    /// Waits until every entry sent is on disk; returns the write errors.
    pub fn finish(&mut self) -> Vec<String> {
        self.tx.take();
        match self.handle.take().map(std::thread::JoinHandle::join) {
            Some(Ok(errors)) => errors,
            Some(Err(_)) => vec!["the cache writer stopped unexpectedly".to_string()],
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::fs;

    #[test]
    fn usage_reads_the_counts_a_server_gives_and_totals_them() {
        let u = Usage::of(&json!({"usage": {"prompt_tokens": 120, "completion_tokens": 7}}));
        assert_eq!(
            (u.prompt_tokens, u.completion_tokens, u.total()),
            (120, 7, 127)
        );
        let none = Usage::of(&json!({"choices": []}));
        assert_eq!(none.total(), 0);
    }

    fn entry(key: &str) -> CacheEntry {
        CacheEntry::new(
            key.into(),
            "m".into(),
            Usage {
                prompt_tokens: 3,
                completion_tokens: 4,
            },
            None,
            json!({"model": "m"}),
            json!({"choices": [{"message": {"content": "{}"}}]}),
        )
    }

    /// A cache in a new temporary project.
    fn temp_cache() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(&Root::at(dir.path()));
        (dir, cache)
    }

    #[test]
    fn put_then_get_round_trips_under_a_sharded_path() {
        let (dir, cache) = temp_cache();
        let key = "ab".repeat(32);
        cache.put(&entry(&key)).unwrap();
        assert!(
            dir.path()
                .join("cache/ab")
                .join(format!("{key}.json"))
                .is_file()
        );
        assert_eq!(cache.get(&key).unwrap().unwrap(), entry(&key));
        assert!(cache.get(&"cd".repeat(32)).unwrap().is_none());
    }

    #[test]
    fn the_writer_thread_stores_everything_before_finish_returns() {
        let (_dir, cache) = temp_cache();
        let mut writer = Writer::start(cache.clone());
        let keys: Vec<String> = (0..50).map(|i| format!("{i:064x}")).collect();
        for k in &keys {
            writer.sender().send(entry(k)).unwrap();
        }
        assert!(writer.finish().is_empty());
        assert_eq!(cache.keys().unwrap().len(), 50);
    }

    #[test]
    fn an_edited_response_is_told_from_the_cached_one() {
        let (_dir, cache) = temp_cache();
        let key = "ab".repeat(32);
        cache.put(&entry(&key)).unwrap();
        let path = cache.path(&key);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(
            &path,
            text.replace("\"content\": \"{}\"", "\"content\": \"{ }\""),
        )
        .unwrap();
        let err = cache.get(&key).unwrap_err().to_string();
        assert!(
            err.contains("edited after it was checked and cached"),
            "{err}"
        );
    }

    #[test]
    fn corrupt_entries_are_errors_not_panics() {
        let (dir, cache) = temp_cache();
        let key = "ab".repeat(32);
        fs::create_dir_all(dir.path().join("cache/ab")).unwrap();
        fs::write(cache.path(&key), "{ half a fi").unwrap();
        let err = cache.get(&key).unwrap_err();
        assert!(err.to_string().contains("not a cache entry"), "{err}");
        let mut other = entry(&"cd".repeat(32));
        other.key = "cd".repeat(32);
        fs::write(cache.path(&key), canonical::pretty(&other)).unwrap();
        assert!(
            cache
                .get(&key)
                .unwrap_err()
                .to_string()
                .contains("holds key")
        );
        // An entry that cannot be read is reported, not taken for a miss; a missing one
        // is a miss.
        fs::remove_file(cache.path(&key)).unwrap();
        assert!(cache.get(&key).unwrap().is_none());
        fs::create_dir(cache.path(&key)).unwrap();
        let err = cache.get(&key).unwrap_err();
        assert!(
            err.to_string().contains("is a folder, not a regular file"),
            "{err}"
        );
    }

    /// Only regular files named like an entry in a real shard folder are entries.
    #[cfg(unix)]
    #[test]
    fn links_and_misnamed_files_are_strays_not_entries() {
        use std::os::unix::fs::symlink;
        let (dir, cache) = temp_cache();
        let key = "ab".repeat(32);
        cache.put(&entry(&key)).unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::write(
            outside.path().join(format!("{}.json", "cd".repeat(32))),
            "{}",
        )
        .unwrap();
        let c = dir.path().join("cache");
        symlink(outside.path(), c.join("cd")).unwrap();
        fs::write(c.join("ab/notes.json"), "{}").unwrap();
        fs::write(c.join(format!("ab/{}.json", "ef".repeat(32))), "{}").unwrap();
        fs::write(c.join(".gitkeep"), "").unwrap();
        let listing = cache.scan().unwrap();
        assert_eq!(listing.entries, vec![cache.path(&key)]);
        let strays: Vec<String> = listing
            .strays
            .iter()
            .map(|(p, _)| p.strip_prefix(&c).unwrap().display().to_string())
            .collect();
        assert_eq!(
            strays,
            vec![
                format!("ab/{}.json", "ef".repeat(32)),
                "ab/notes.json".to_string(),
                "cd".to_string()
            ]
        );
        assert!(listing.strays[2].1.contains("symbolic link"));
    }

    /// A real answer as the server sent it: every token's log-probabilities.
    fn task_response() -> (Value, Value) {
        let content = r#"{"title":"Check the proofs","level":"LOW","rationale":"A person reads the page.","tools":[],"tip":"Keep reading."}"#;
        let tokens: Vec<Value> = content
            .split_inclusive(['"', ':', ','])
            .map(|t| {
                let alts: Vec<Value> = ["LOW", "HIGH", "MEDIUM", "the", "a"]
                    .iter()
                    .enumerate()
                    .map(|(i, a)| json!({"token": a, "logprob": -(i as f64) - 0.25, "bytes": a.as_bytes()}))
                    .collect();
                json!({"token": t, "logprob": -0.125, "bytes": t.as_bytes(), "top_logprobs": alts})
            })
            .collect();
        let request = json!({"model": "m", "messages": [{"role": "system", "content": "x".repeat(3500)}],
            "response_format": {"type": "json_object", "schema": crate::reply::Ask::Task.schema(true)}});
        let response = json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m-2024",
            "system_fingerprint": "fp_1", "usage": {"prompt_tokens": 900, "completion_tokens": 40},
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}, "logprobs": {"content": tokens}}]});
        (request, response)
    }

    #[test]
    fn a_compact_entry_keeps_the_reply_its_confidence_and_its_source_in_little_room() {
        let (request, response) = task_response();
        let key = canonical::hash_value(&request);
        let entry = CacheEntry::new(
            key.clone(),
            "m".into(),
            Usage::of(&response),
            None,
            request,
            response.clone(),
        )
        .with_source(Source::of(Some("127.0.0.1:8080".into()), &response));
        let text = canonical::pretty(&entry);
        assert!(text.len() < 1500, "{} bytes:\n{text}", text.len());
        assert!(!text.contains("xxxx"), "the request is not kept");
        assert_eq!(entry.asked(), Some(crate::reply::Ask::Task));
        let source = entry.source.clone().unwrap();
        assert_eq!(
            (
                source.host.as_deref(),
                source.model.as_deref(),
                source.system_fingerprint.as_deref()
            ),
            (Some("127.0.0.1:8080"), Some("m-2024"), Some("fp_1"))
        );
        let read = |r: &Value| crate::answer::read(&crate::reply::Ask::Task, r, 600).unwrap();
        assert_eq!(
            read(&entry.response),
            read(&response),
            "same reply and confidence"
        );
        // Stored and read back, it is the same entry, and it can tell an edit.
        let (_dir, cache) = temp_cache();
        cache.put(&entry).unwrap();
        assert_eq!(cache.get(&key).unwrap().unwrap(), entry);
        for (from, to) in [
            ("127.0.0.1:8080", "api.openai.com"),
            ("\"completion_tokens\": 40", "\"completion_tokens\": 4"),
        ] {
            fs::write(cache.path(&key), text.replace(from, to)).unwrap();
            let err = cache.get(&key).unwrap_err().to_string();
            assert!(
                err.contains("edited after it was checked and cached"),
                "{from}: {err}"
            );
        }
    }

    /// Entries of the first format (the request and the whole response) are read as they
    /// are, checked as they were, and rewritten compact with the same key and reply.
    #[test]
    fn first_format_entries_are_read_and_compacted() {
        let (request, mut response) = task_response();
        crate::answer::prune_logprobs(&mut response);
        let key = canonical::hash_value(&request);
        let old = json!({"key": key, "model": "m", "response_sha256": canonical::hash_value(&response),
            "usage": {"prompt_tokens": 900, "completion_tokens": 40}, "request": request, "response": response});
        let (_dir, cache) = temp_cache();
        fs::create_dir_all(cache.path(&key).parent().unwrap()).unwrap();
        fs::write(cache.path(&key), canonical::pretty(&old)).unwrap();
        let entry = cache.get(&key).unwrap().unwrap();
        assert!(entry.is_first_format() && entry.tampered().is_none());
        let compact = entry.compacted();
        assert!(!compact.is_first_format() && compact.tampered().is_none());
        assert_eq!(compact.key, key);
        assert_eq!(
            compact.source.as_ref().unwrap().model.as_deref(),
            Some("m-2024")
        );
        let read = |r: &Value| crate::answer::read(&crate::reply::Ask::Task, r, 600).unwrap();
        assert_eq!(read(&compact.response), read(&entry.response));
        assert!(canonical::pretty(&compact).len() * 4 < canonical::pretty(&entry).len());
        // An edited request of the first format is still told.
        let mut edited = old.clone();
        edited["request"]["model"] = json!("other");
        fs::write(cache.path(&key), canonical::pretty(&edited)).unwrap();
        let e: CacheEntry = serde_json::from_value(edited).unwrap();
        assert!(e.tampered().unwrap().contains("not to its key"));
    }
}
