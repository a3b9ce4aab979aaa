//! What a draft run shows: an indicatif progress bar on stderr when it is a terminal,
//! plain lines otherwise, and the summary at the end (stdout).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::{Endpoint, Price};
use crate::llm::{Notice, Stats};
use crate::text::thousands_u64 as thousands;

use super::apply::Changes;

/// At most this many retry lines are printed; the rest are only counted.
const MAX_RETRY_LINES: u64 = 10;

pub struct Progress {
    bar: Option<ProgressBar>,
    retries_shown: AtomicU64,
    fallbacks: Mutex<Vec<String>>,
    /// Optional parameters the server refused or ignored (`logprobs`, `n`).
    dropped: Mutex<Vec<&'static str>>,
}

impl Progress {
    pub fn new(total: u64, allow_bar: bool) -> Progress {
        let bar = (allow_bar && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} prompts  {per_sec}  ETA {eta}  {msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            retries_shown: AtomicU64::new(0),
            fallbacks: Mutex::new(Vec::new()),
            dropped: Mutex::new(Vec::new()),
        }
    }

    /// A line above the bar, or on stderr. Its text may quote the server (`retry: HTTP
    /// 500: ...`) or a file: control characters are shown as escapes, never sent raw.
    pub fn line(&self, msg: &str) {
        let msg = crate::text::visible_line(msg);
        match &self.bar {
            Some(bar) => bar.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    pub fn notice(&self, n: Notice) {
        match n {
            Notice::Retry {
                why,
                attempt,
                delay,
            } => {
                let shown = self.retries_shown.fetch_add(1, Ordering::Relaxed);
                if shown < MAX_RETRY_LINES {
                    self.line(&format!(
                        "retry: {why}; attempt {} in {:.1} s",
                        attempt + 1,
                        delay.as_secs_f64()
                    ));
                } else if shown == MAX_RETRY_LINES {
                    self.line("retry: further retries are counted in the summary");
                }
            }
            Notice::Fallback { from, to, why } => {
                let msg = format!(
                    "structured output: the server refused response_format {from} ({why}); falling back to {to} for this run"
                );
                self.fallbacks
                    .lock()
                    .expect("fallbacks lock")
                    .push(format!("{from} -> {to}"));
                self.line(&msg);
            }
            Notice::Reask { why } => self.line(&format!("re-ask: invalid reply ({why})")),
            Notice::Waiting { wait, why } => self.line(&format!(
                "waiting {:.1} s: {why}",
                wait.as_secs_f64()
            )),
            Notice::Usage { reported, counted } => self.line(&format!(
                "usage: the server reported {reported} tokens for a request that could use at most {counted}; counted {counted} (for the tokens/min budget and the summary), here and for any other such reply"
            )),
            Notice::Feature { what, why, instead } => {
                self.dropped.lock().expect("dropped lock").push(what);
                self.line(&format!(
                    "{what}: the server refused or ignored it ({why}); {instead} for this run"
                ));
            }
        }
    }

    /// Structured-output fallbacks (`json_schema -> json_object`), then the optional
    /// parameters dropped (`without logprobs`), as the summary lists them.
    pub fn fallbacks(&self) -> Vec<String> {
        let mut out = self.fallbacks.lock().expect("fallbacks lock").clone();
        let dropped = self.dropped.lock().expect("dropped lock");
        out.extend(dropped.iter().map(|d| format!("without {d}")));
        out
    }
}

/// The run's totals.
#[derive(Debug, Default)]
pub struct Tally {
    pub professions: usize,
    pub units: usize,
    pub from_cache: usize,
    /// The concurrency the server's slots bounded the run to, when they did.
    pub concurrency: Option<usize>,
    /// Of those, the answers another host gave (`None`: an entry that does not say,
    /// cached before willai recorded it or from a batch), by host.
    pub other_hosts: std::collections::BTreeMap<Option<String>, usize>,
    pub sent: usize,
    pub not_cached: usize,
    /// Which prompts an offline run could not answer.
    pub not_cached_labels: Vec<String>,
    pub batched: usize,
    /// The request files `--batch-out` wrote.
    pub batch_files: Vec<std::path::PathBuf>,
    pub changes: Changes,
    pub failures: Vec<(String, String)>,
    pub records_written: usize,
    /// The record files written.
    pub record_files: Vec<std::path::PathBuf>,
    /// Professions whose record could not be written (each is among `failures`).
    pub unsaved: usize,
}

/// Estimated cost in USD of some tokens at a price.
pub fn cost(price: Price, prompt_tokens: u64, completion_tokens: u64) -> f64 {
    (prompt_tokens as f64 * price.input + completion_tokens as f64 * price.output) / 1_000_000.0
}

/// The summary printed at the end of a run.
/// The summary's line under `from cache` when answers another host gave (or one the
/// entry does not name) were taken: how many, from where, and how to ask `here` instead.
fn other_hosts(
    hosts: &std::collections::BTreeMap<Option<String>, usize>,
    here: &str,
) -> Option<String> {
    if hosts.is_empty() {
        return None;
    }
    let n: usize = hosts.values().sum();
    let named: Vec<String> = hosts
        .iter()
        .map(|(h, n)| match h {
            Some(h) => format!("{} ({n})", crate::text::visible_line(h)),
            None => format!(
                "a host not recorded ({n}: cached before willai recorded hosts, or a batch's results)"
            ),
        })
        .collect();
    Some(format!(
        "            {n} of them answered elsewhere than this run's endpoint ({here}): {}; `--same-host` asks {here} instead\n",
        named.join(", ")
    ))
}

pub fn summary(
    t: &Tally,
    stats: Option<&Stats>,
    endpoint: &Endpoint,
    fallbacks: &[String],
    started: Instant,
) -> String {
    let mut out = String::new();
    let c = &t.changes;
    let done = c.new + c.replaced + c.proposed + c.unchanged;
    out.push_str(&format!(
        "drafted     {done} item(s) from {} prompt(s) in {} profession(s): {} new, {} redrafted, {} proposal(s) beside edited or approved text, {} unchanged\n",
        t.units, t.professions, c.new, c.replaced, c.proposed, c.unchanged
    ));
    out.push_str(&format!("from cache  {} prompt(s)\n", t.from_cache));
    if let Some(line) = other_hosts(&t.other_hosts, &endpoint.host()) {
        out.push_str(&line);
    }
    if t.not_cached > 0 {
        out.push_str(&format!(
            "not cached  {} prompt(s) (offline: nothing sent)\n",
            t.not_cached
        ));
        for label in t.not_cached_labels.iter().take(20) {
            out.push_str(&format!("  {label}\n"));
        }
        if t.not_cached_labels.len() > 20 {
            out.push_str(&format!(
                "  ... and {} more\n",
                t.not_cached_labels.len() - 20
            ));
        }
    }
    if t.batched > 0 {
        out.push_str(&format!(
            "batched     {} request(s) written for the batch engine\n",
            t.batched
        ));
    }
    let (requests, retries, pt, ct, reasks, fixed) = match stats {
        Some(s) => (
            s.requests.load(Ordering::Relaxed),
            s.retries.load(Ordering::Relaxed),
            s.prompt_tokens.load(Ordering::Relaxed),
            s.completion_tokens.load(Ordering::Relaxed),
            s.reasks.load(Ordering::Relaxed),
            s.reasks_fixed.load(Ordering::Relaxed),
        ),
        None => (0, 0, 0, 0, 0, 0),
    };
    let mut req_line = format!("requests    {requests} sent, {retries} retried");
    if let Some(n) = t.concurrency {
        req_line.push_str(&format!(", {n} at a time (the server's slots)"));
    }
    if reasks > 0 {
        req_line.push_str(&format!(
            ", {reasks} re-asked after an invalid reply ({fixed} fixed)"
        ));
    }
    let (dropped, modes): (Vec<&String>, Vec<&String>) =
        fallbacks.iter().partition(|f| f.starts_with("without "));
    if !modes.is_empty() {
        let modes: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
        req_line.push_str(&format!(
            ", structured output fell back {}",
            modes.join(", ")
        ));
    }
    for d in dropped {
        req_line.push_str(&format!(", then {d} (refused or ignored)"));
    }
    out.push_str(&req_line);
    out.push('\n');
    out.push_str(&format!(
        "tokens      {} in, {} out\n",
        thousands(pt),
        thousands(ct)
    ));
    let cost_line = match endpoint.price {
        Some(p) => format!(
            "cost        ~${:.4} ({} at ${}/${} per 1M tokens in/out)\n",
            cost(p, pt, ct),
            endpoint.model,
            p.input,
            p.output
        ),
        None if requests == 0 => "cost        $0 (nothing sent)\n".to_string(),
        None => format!(
            "cost        unknown: no price for {:?} in willai.toml [prices]\n",
            endpoint.model
        ),
    };
    out.push_str(&cost_line);
    let unsaved = if t.unsaved > 0 {
        format!(", {} record(s) not written", t.unsaved)
    } else {
        String::new()
    };
    out.push_str(&format!(
        "failed      {} item(s) in {} prompt(s){unsaved}\n",
        c.failed,
        t.failures.len() - t.unsaved
    ));
    for (label, why) in &t.failures {
        // The reason may quote the server: one line, escapes shown.
        out.push_str(&format!("  {label}: {}\n", crate::text::visible_line(why)));
    }
    out.push_str(&format!(
        "records     {} file(s) written{}\n",
        t.records_written,
        files_written(&t.record_files)
    ));
    out.push_str(&format!(
        "elapsed     {:.2} s\n",
        started.elapsed().as_secs_f64()
    ));
    out
}

/// A path as the person who ran the command can open it: relative to where they are
/// when it is below it.
fn shown(path: &std::path::Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| {
        path.strip_prefix(cwd)
            .ok()
            .map(std::path::Path::to_path_buf)
    });
    crate::text::visible_line(&relative.as_deref().unwrap_or(path).display().to_string())
        .into_owned()
}

/// Which record files a run wrote, in name order: each of a few, else their folder and
/// the first.
fn files_written(files: &[std::path::PathBuf]) -> String {
    const NAMED: usize = 3;
    let mut files = files.to_vec();
    files.sort();
    match files.as_slice() {
        [] => String::new(),
        few if few.len() <= NAMED => {
            let names: Vec<String> = few.iter().map(|f| shown(f)).collect();
            format!(": {}", names.join(", "))
        }
        many => {
            let dir = many[0].parent().map(shown).unwrap_or_default();
            let names: Vec<String> = many[..NAMED]
                .iter()
                .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            format!(
                " in {dir}/: {} and {} more",
                names.join(", "),
                many.len() - NAMED
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_from_other_hosts_are_counted_by_host_and_unrecorded_ones_said_so() {
        let mut hosts = std::collections::BTreeMap::new();
        assert_eq!(other_hosts(&hosts, "api.openai.com"), None);
        hosts.insert(Some("127.0.0.1:8080".to_string()), 3);
        hosts.insert(Some("evil\u{1b}[2J".to_string()), 1);
        hosts.insert(None, 2);
        assert_eq!(
            other_hosts(&hosts, "api.openai.com").unwrap(),
            "            6 of them answered elsewhere than this run's endpoint (api.openai.com): a host not recorded (2: cached before willai recorded hosts, or a batch's results), 127.0.0.1:8080 (3), evil\\u001b[2J (1); `--same-host` asks api.openai.com instead\n"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn cost_is_per_million_tokens() {
        let p = Price {
            input: 0.15,
            output: 0.60,
        };
        assert!((cost(p, 1_000_000, 500_000) - 0.45).abs() < 1e-12);
    }
}
