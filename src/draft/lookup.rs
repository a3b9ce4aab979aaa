//! Finding a prompt's answer in the cache: under every key it may have been answered
//! with ([`crate::llm::candidates`]), and only if the cached reply still passes the
//! checks a fresh reply must pass.

use std::collections::HashSet;

use crate::answer;
use crate::cache::{Cache, CacheEntry};
use crate::config::Endpoint;
use crate::llm::candidates;
use crate::prompt::Prompt;
use crate::reply::Reply;
use crate::root::Root;
use serde_json::Value;

/// The cache as a run sees it.
pub struct Lookup<'a> {
    pub cache: Cache,
    /// The keys in the cache when the run started.
    pub cached: HashSet<String>,
    pub endpoint: &'a Endpoint,
    pub root: &'a Root,
    /// Take only answers this endpoint's host gave (`draft --same-host`); by default an
    /// answer from another host is taken too, and the summary says so.
    pub same_host: bool,
    /// Send even when the endpoint's model list does not name the model
    /// (`draft --no-model-check`).
    pub no_model_check: bool,
}

/// The host an entry's answer came from, as the summary names it.
pub fn host_of(entry: &CacheEntry) -> Option<&str> {
    entry.source.as_ref().and_then(|s| s.host.as_deref())
}

impl Lookup<'_> {
    /// The cached, valid answer to a prompt, if any; `warn` hears of entries that are
    /// there but cannot be used (each is then a miss).
    pub fn find(&self, prompt: &Prompt, warn: &dyn Fn(String)) -> Option<(CacheEntry, Reply)> {
        if self.cached.is_empty() {
            // A first run: no body to build and hash just to miss.
            return None;
        }
        for set in candidates(self.endpoint, prompt) {
            if !set.iter().all(|b| self.cached.contains(&b.key)) {
                continue;
            }
            let mut entries = Vec::with_capacity(set.len());
            for body in &set {
                match self.cache.get(&body.key) {
                    Ok(Some(entry)) => entries.push(entry),
                    Ok(None) => {}
                    Err(corrupt) => warn(format!("warning: {corrupt}")),
                }
            }
            if entries.len() < set.len() {
                continue;
            }
            let host = self.endpoint.host();
            if self.same_host && entries.iter().any(|e| host_of(e) != Some(host.as_str())) {
                continue;
            }
            // Samples asked one by one answer together, as one response's choices.
            let response = if entries.len() == 1 {
                entries[0].response.clone()
            } else {
                let choices: Vec<Value> = entries
                    .iter()
                    .filter_map(|e| answer::choices(&e.response).first().cloned())
                    .collect();
                serde_json::json!({ "choices": choices })
            };
            match answer::read_with(
                &prompt.ask,
                &response,
                self.endpoint.max_tokens,
                Some(&prompt.instructions),
            ) {
                Ok(reply) => return Some((entries.swap_remove(0), reply)),
                Err(why) => warn(format!(
                    "warning: {}: the cached reply fails validation ({why}); treated as a miss",
                    self.root.display(&self.cache.path(&set[0].key))
                )),
            }
        }
        None
    }
}
