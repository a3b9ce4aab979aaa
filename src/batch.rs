//! The provider's batch engine, the way back: result files (OpenAI Batch API, or
//! `vllm run-batch`) into the cache.
//!
//! The request files written by `draft --batch-out` are the ground truth: a request
//! line's `custom_id` must be the sha256 of its body (else the line was altered and is
//! refused), and a result is stored only under the key of a request it answers, after
//! its reply passes the same validation an online reply does. Then `draft --offline`
//! finishes the job from the cache.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::answer;
use crate::cache::{Cache, CacheEntry, Usage};
use crate::llm::body_of;
use crate::reply::Ask;

/// One refused line: where, and why.
#[derive(Debug, Clone)]
pub struct Refused {
    pub file: PathBuf,
    pub line: usize,
    pub why: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The reason may quote the provider's file: one line, escapes shown.
        write!(
            f,
            "{}:{}: {}",
            self.file.display(),
            self.line,
            crate::text::visible_line(&self.why)
        )
    }
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Imported {
    pub requests: usize,
    pub results: usize,
    pub stored: usize,
    pub already_cached: usize,
    /// Of the stored: results that replaced a corrupt or edited entry under their key.
    pub replaced: usize,
    pub refused: Vec<Refused>,
}

/// A batch file that cannot be read (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("cannot read a batch file: {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl BatchError {
    /// Whether the user must fix a file or the command (exit 2) rather than the disk.
    pub fn is_usage(&self) -> bool {
        match self {
            BatchError::Read { .. } => true,
        }
    }
}

/// One line of a batch file, or how long the line was when it passed the limit.
enum Line {
    Text(String),
    TooLong(u64),
}

/// The lines of a batch file, none read past `limit` bytes: a line that is longer is
/// skipped to its end and reported, so a huge line never sits in memory.
fn lines(
    path: &Path,
    limit: u64,
) -> Result<impl Iterator<Item = (usize, Result<Line, BatchError>)>, BatchError> {
    let read = |source| BatchError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = BufReader::new(File::open(path).map_err(read)?);
    let path = path.to_path_buf();
    let mut n = 0usize;
    Ok(std::iter::from_fn(move || {
        let mut buf: Vec<u8> = Vec::new();
        let mut total: u64 = 0;
        loop {
            let chunk = match reader.fill_buf() {
                Ok(c) => c,
                Err(source) => {
                    return Some((
                        n + 1,
                        Err(BatchError::Read {
                            path: path.clone(),
                            source,
                        }),
                    ));
                }
            };
            if chunk.is_empty() {
                if total == 0 {
                    return None;
                }
                break;
            }
            let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (&chunk[..i], i + 1),
                None => (chunk, chunk.len()),
            };
            total += done as u64;
            if total <= limit {
                buf.extend_from_slice(part);
            }
            let ended = done > part.len();
            reader.consume(done);
            if ended {
                break;
            }
        }
        n += 1;
        if total > limit {
            return Some((n, Ok(Line::TooLong(total))));
        }
        Some((
            n,
            String::from_utf8(buf)
                .map(Line::Text)
                .map_err(|e| BatchError::Read {
                    path: path.clone(),
                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                }),
        ))
    }))
}

fn too_long(len: u64, limit: u64) -> String {
    format!(
        "the line is {len} bytes, more than max_reply_bytes ({limit}): not read (raise max_reply_bytes in willai.toml if it is a real answer)"
    )
}

/// Reads request files: `custom_id` -> body, refusing lines whose id is not the hash of
/// their body.
pub fn read_requests(
    paths: &[PathBuf],
    limit: u64,
    report: &mut Imported,
) -> Result<HashMap<String, Value>, BatchError> {
    let mut out = HashMap::new();
    for path in paths {
        for (n, line) in lines(path, limit)? {
            let refuse = |why: String| Refused {
                file: path.clone(),
                line: n,
                why,
            };
            let line = match line? {
                Line::Text(line) => line,
                Line::TooLong(len) => {
                    report.refused.push(refuse(too_long(len, limit)));
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = match serde_json::from_str(&line) {
                Ok(v) => v,
                Err(e) => {
                    report
                        .refused
                        .push(refuse(format!("not a JSON line ({e})")));
                    continue;
                }
            };
            let (Some(id), Some(body)) =
                (v.get("custom_id").and_then(Value::as_str), v.get("body"))
            else {
                report.refused.push(refuse(
                    "not a batch request line (needs `custom_id` and `body`)".into(),
                ));
                continue;
            };
            let key = body_of(body.clone()).key;
            if key != id {
                report.refused.push(refuse(format!(
                    "custom_id {id} does not match its body (whose sha256 is {key}): the line was altered; write the request file again with `willai draft --batch-out`"
                )));
                continue;
            }
            report.requests += 1;
            out.insert(key, body.clone());
        }
    }
    Ok(out)
}

/// The check a reply to this request must pass, from the schema the request carries.
fn check(body: &Value, response: &Value, max_tokens: u32) -> Result<(), String> {
    if body.get("response_format").is_none() {
        return Err("the request carries no response schema; batch files are written with --structured-output json_schema or json_object".into());
    }
    let ask = Ask::of_request(body).ok_or("the request's schema is not one willai asks for")?;
    answer::read(&ask, response, max_tokens).map(|_| ())
}

/// The chat completion of a result line, from either format: OpenAI's
/// `response.body` (with `response.status_code`), or an older vLLM's bare completion.
fn completion(line: &Value) -> Result<&Value, String> {
    if let Some(err) = line.get("error").filter(|e| !e.is_null()) {
        let msg = err
            .get("message")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| err.to_string());
        return Err(format!("the provider reports an error: {msg}"));
    }
    let response = line
        .get("response")
        .filter(|r| !r.is_null())
        .ok_or("no `response` in the line")?;
    if let Some(body) = response.get("body") {
        let status = response
            .get("status_code")
            .and_then(Value::as_u64)
            .unwrap_or(200);
        if status != 200 {
            let msg = crate::llm::one_line(body.to_string().as_bytes(), None);
            return Err(format!("the provider answered HTTP {status}: {msg}"));
        }
        return Ok(body);
    }
    if response.get("choices").is_some() {
        return Ok(response);
    }
    Err("the `response` holds no chat completion".into())
}

/// Reads result files into the cache.
pub fn import_results(
    paths: &[PathBuf],
    requests: &HashMap<String, Value>,
    cache: &Cache,
    limit: u64,
    report: &mut Imported,
) -> Result<(), BatchError> {
    for path in paths {
        for (n, line) in lines(path, limit)? {
            let line = match line? {
                Line::Text(line) => line,
                Line::TooLong(len) => {
                    report.results += 1;
                    report.refused.push(Refused {
                        file: path.clone(),
                        line: n,
                        why: too_long(len, limit),
                    });
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            report.results += 1;
            let mut refuse = |why: String| {
                report.refused.push(Refused {
                    file: path.clone(),
                    line: n,
                    why,
                })
            };
            let v: Value = match serde_json::from_str(&line) {
                Ok(v) => v,
                Err(e) => {
                    refuse(format!("not a JSON line ({e})"));
                    continue;
                }
            };
            let Some(id) = v.get("custom_id").and_then(Value::as_str) else {
                refuse("no `custom_id`".into());
                continue;
            };
            let Some(body) = requests.get(id) else {
                refuse(format!(
                    "no request line of the --requests file(s) has custom_id {id}: this result is from another batch; pass the request file(s) that batch was made from"
                ));
                continue;
            };
            let response = match completion(&v) {
                Ok(r) => r,
                Err(why) => {
                    refuse(format!("{id}: {why}"));
                    continue;
                }
            };
            let asked = body
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if let Some(answered) = response.get("model").and_then(Value::as_str)
                && !answered.starts_with(asked)
            {
                refuse(format!(
                    "{id}: answered by model {answered:?}, but the request asked for {asked:?}"
                ));
                continue;
            }
            let max_tokens = body.get("max_tokens").and_then(Value::as_u64).unwrap_or(0) as u32;
            if let Err(why) = check(body, response, max_tokens) {
                refuse(format!("{id}: invalid reply: {why}"));
                continue;
            }
            // Only an intact entry is "already there"; a corrupt or edited one (that
            // every lookup would miss) is replaced by this checked result.
            let replacing = match cache.get(id) {
                Ok(Some(entry)) if entry.tampered().is_none() => {
                    report.already_cached += 1;
                    continue;
                }
                Ok(None) => false,
                Ok(Some(_)) | Err(_) => true,
            };
            let mut response = response.clone();
            crate::answer::prune_logprobs(&mut response);
            // No host: a provider's batch engine answered, by way of a file.
            let source = crate::cache::Source::of(None, &response);
            let entry = CacheEntry::new(
                id.to_string(),
                asked.to_string(),
                Usage::of(&response),
                None,
                body.clone(),
                response,
            )
            .with_source(source);
            // A result that cannot be stored fails alone; the others go on.
            if let Err(e) = cache.put(&entry) {
                refuse(format!("{id}: cannot store it in the cache: {e}"));
                continue;
            }
            report.stored += 1;
            report.replaced += usize::from(replacing);
        }
    }
    Ok(())
}
