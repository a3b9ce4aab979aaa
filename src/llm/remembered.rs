//! Structured-output modes an endpoint refused, remembered between runs, so a second
//! run against llama.cpp's Python server does not spend a request per worker on a
//! refused `json_schema` before falling back again.
//!
//! Kept on the user's machine, not in the project: the key names the endpoint (its base
//! URL, without credentials or query, and the model), a host the user chose and may not
//! want in a shared repository, and what a server takes is a fact of that server, not of
//! the publication. The file is `$XDG_CACHE_HOME/willai/endpoints.json` (else
//! `~/.cache/willai/endpoints.json`), JSON an editor can read and edit: delete a line
//! (or the file), or pass `--structured-output` on the command line, to try the mode
//! again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::config::{Endpoint, StructuredOutput};

/// The most the file may hold: a line an endpoint, a few dozen bytes each.
const CAP: u64 = 1 << 20;

/// The file, when a home or cache folder is known (`XDG_CACHE_HOME` only when absolute,
/// as the XDG rules say).
pub fn path() -> Option<PathBuf> {
    let nonblank = |v: &str| {
        std::env::var_os(v)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    };
    let base = nonblank("XDG_CACHE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| nonblank("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("willai").join("endpoints.json"))
}

/// The key of an endpoint: its base URL as it may be shown (no user:password, query
/// values hidden) and the model, for a server may take a mode for one model and not for
/// another.
pub fn key(endpoint: &Endpoint) -> String {
    format!("{} {}", endpoint.shown_url(), endpoint.model)
}

/// Shown in a message: the file's path, a control character as its escape.
pub fn shown(path: &std::path::Path) -> String {
    crate::text::visible_line(&path.display().to_string()).into_owned()
}

/// Everything the file holds (values as they are: another version's or a hand-edited
/// line is kept, never read as a mode); empty when there is no file. `Err` says why the
/// file does not read (too large, not a regular file, not a JSON object).
fn load(path: &std::path::Path) -> Result<BTreeMap<String, Value>, String> {
    let bytes = match crate::beneath::read_named(path, CAP, "remembered endpoints") {
        Ok(b) => b,
        Err(crate::beneath::FileError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(BTreeMap::new());
        }
        Err(e) => return Err(crate::text::visible_line(&e.to_string()).into_owned()),
    };
    serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{}: not a JSON object of endpoints and modes ({e})",
            shown(path)
        )
    })
}

/// The mode this endpoint fell back to before, if it did; `Err` when the file does not
/// read (then nothing is remembered: the worst it costs is a refused request a worker).
pub fn mode(endpoint: &Endpoint) -> Result<Option<StructuredOutput>, String> {
    let Some(path) = path() else {
        return Ok(None);
    };
    Ok(load(&path)?
        .get(&key(endpoint))
        .and_then(|v| serde_json::from_value(v.clone()).ok()))
}

/// Remembers that this endpoint takes `mode` (and refused the ones before it), keeping
/// every other line; a file that does not read is left as it is.
pub fn remember(endpoint: &Endpoint, mode: StructuredOutput) -> Result<PathBuf, String> {
    let path = path().ok_or_else(|| "neither XDG_CACHE_HOME nor HOME is set".to_string())?;
    let mut all = load(&path)?;
    all.insert(key(endpoint), Value::from(mode.name()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", shown(dir)))?;
    }
    crate::fsx::write_atomic(&path, crate::canonical::pretty(&all).as_bytes())
        .map_err(|e| format!("{}: {e}", shown(&path)))?;
    Ok(path)
}
