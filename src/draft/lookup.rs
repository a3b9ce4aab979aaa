//! Finding a prompt's answer in the cache: under every key it may have been answered
//! with ([`crate::llm::candidates`]), and only if the cached reply still passes the
//! checks a fresh reply must pass.

use std::collections::HashSet;

use crate::cache::{Cache, Entry};
use crate::config::Endpoint;
use crate::llm::candidates;
use crate::prompt::Prompt;
use crate::reply::Reply;
use crate::root::Root;

/// The cache as a run sees it.
pub struct Lookup<'a> {
    pub cache: Cache,
    /// The keys in the cache when the run started.
    pub cached: HashSet<String>,
    pub endpoint: &'a Endpoint,
    pub root: &'a Root,
}

impl Lookup<'_> {
    /// The cached, valid answer to a prompt, if any; `warn` hears of entries that are
    /// there but cannot be used (each is then a miss).
    pub fn find(&self, prompt: &Prompt, warn: &dyn Fn(String)) -> Option<(Entry, Reply)> {
        if self.cached.is_empty() {
            // A first run: no body to build and hash just to miss.
            return None;
        }
        for body in candidates(self.endpoint, prompt) {
            if !self.cached.contains(&body.key) {
                continue;
            }
            match self.cache.get(&body.key) {
                Ok(Some(entry)) => {
                    let Some(content) = entry.content() else {
                        continue;
                    };
                    match prompt.ask.check(content) {
                        Ok(reply) => return Some((entry, reply)),
                        Err(why) => warn(format!(
                            "warning: {}: the cached reply fails validation ({why}); treated as a miss",
                            self.root.display(&self.cache.path(&body.key))
                        )),
                    }
                }
                Ok(None) => {}
                Err(corrupt) => warn(format!("warning: {corrupt}")),
            }
        }
        None
    }
}
