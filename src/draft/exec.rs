//! The streaming run: prompts are rendered one profession at a time, looked up in the
//! cache, and the misses sent by at most `concurrency` tasks at once. A profession's
//! record is written as soon as its last answer is in, so memory stays bounded on the
//! full O*NET catalog and a run killed at any point loses nothing the cache holds.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::cache::{Cache, Entry};
use crate::catalog::Catalog;
use crate::config::Endpoint;
use crate::exit::{Interrupted, usage};
use crate::llm::{Client, build_body};
use crate::project::Project;
use crate::prompt::Prompts;
use crate::record::Record;

use super::apply::{Changes, UnitResult, apply};
use super::batch_out::BatchWriter;
use super::plan::{self, ProfessionPlan, Target, Unit};
use super::report::{Progress, Tally};

/// What happens to a prompt that is not in the cache.
pub enum Misses {
    Send(Arc<Client>),
    Offline,
    DryRun { show_prompts: bool },
    Batch(BatchWriter),
}

pub struct Run<'a> {
    pub project: &'a Project,
    pub catalog: &'a Catalog,
    pub prompts: &'a Prompts,
    pub endpoint: &'a Endpoint,
    pub cache: Cache,
    /// The keys in the cache when the run started.
    pub cached: std::collections::HashSet<String>,
    pub plans: Vec<ProfessionPlan>,
    pub misses: Misses,
    pub progress: Arc<Progress>,
    pub concurrency: usize,
}

struct InFlight {
    pending: usize,
    results: Vec<UnitResult>,
}

/// What the producer hands the coordinator.
enum Next {
    Miss(Unit),
    Done,
}

impl Run<'_> {
    pub async fn execute(mut self, tally: &mut Tally) -> anyhow::Result<()> {
        let mut plans: VecDeque<ProfessionPlan> = std::mem::take(&mut self.plans).into();
        let mut units: VecDeque<Unit> = VecDeque::new();
        let mut inflight: HashMap<String, InFlight> = HashMap::new();
        let mut tasks: JoinSet<(Unit, Result<Entry, String>)> = JoinSet::new();
        let mut spawned: HashMap<tokio::task::Id, (String, Target, String)> = HashMap::new();
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let mut exhausted = false;
        let mut interrupted = false;
        let mut abort: Option<anyhow::Error> = None;
        let mut writer = crate::cache::Writer::start(self.cache.clone());

        while !(exhausted && tasks.is_empty()) {
            let can_produce = !exhausted && tasks.len() < self.concurrency;
            tokio::select! {
                biased;
                _ = &mut ctrl_c => {
                    interrupted = true;
                    break;
                }
                // Keep the pipe full first: a free slot is filled before finished
                // answers are filed.
                next = std::future::ready(()), if can_produce => {
                    let () = next;
                    match self.next_miss(&mut plans, &mut units, &mut inflight, tally) {
                        Ok(Next::Miss(unit)) => {
                            let Misses::Send(client) = &self.misses else { unreachable!("only Send yields misses") };
                            let client = Arc::clone(client);
                            let store = writer.sender();
                            let info = (unit.slug.clone(), unit.target.clone(), unit.prompt.template.clone());
                            let handle = tasks.spawn(async move {
                                let result = match client.complete(&unit.prompt, &|c| unit.check(c)).await {
                                    Ok(entry) => {
                                        // The writer outlives every task: a send cannot fail.
                                        let _ = store.send(entry.clone());
                                        Ok(entry)
                                    }
                                    Err(e) => Err(e.to_string()),
                                };
                                (unit, result)
                            });
                            spawned.insert(handle.id(), info);
                        }
                        Ok(Next::Done) => exhausted = true,
                        Err(e) => {
                            abort = Some(e);
                            exhausted = true;
                            plans.clear();
                            units.clear();
                        }
                    }
                }
                Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                    let (slug, result) = match joined {
                        Ok((id, (unit, result))) => {
                            spawned.remove(&id);
                            let template = unit.prompt.template.clone();
                            (unit.slug, UnitResult { target: unit.target, template, result })
                        }
                        Err(e) => {
                            let (slug, target, template) = spawned.remove(&e.id()).expect("every task is registered");
                            (slug, UnitResult { target, template, result: Err(format!("internal error: {e}")) })
                        }
                    };
                    if result.result.is_ok() {
                        tally.sent += 1;
                    }
                    self.progress.inc(1);
                    self.settle(&mut inflight, &slug, Some(result), tally)?;
                }
            }
        }

        if interrupted {
            tasks.abort_all();
            while let Some(joined) = tasks.join_next_with_id().await {
                if let Ok((id, (unit, result))) = joined {
                    spawned.remove(&id);
                    if result.is_ok() {
                        tally.sent += 1;
                        let template = unit.prompt.template.clone();
                        let res = UnitResult {
                            target: unit.target,
                            template,
                            result,
                        };
                        inflight
                            .entry(unit.slug)
                            .or_insert(InFlight {
                                pending: 1,
                                results: Vec::new(),
                            })
                            .results
                            .push(res);
                    }
                }
            }
        }
        for problem in writer.finish() {
            self.progress.line(&format!("warning: {problem}"));
        }
        // Whatever is still open (Ctrl-C, or an abort): save the answers that are in.
        let open: Vec<String> = inflight.keys().cloned().collect();
        for slug in open {
            if let Some(mut f) = inflight.remove(&slug) {
                f.pending = 0;
                inflight.insert(slug.clone(), f);
                self.settle(&mut inflight, &slug, None, tally)?;
            }
        }
        if let Misses::Batch(writer) = &mut self.misses {
            writer.finish()?;
            tally.batch_files = writer.files.clone();
        }
        self.progress.finish();
        if let Some(e) = abort {
            return Err(e);
        }
        if interrupted {
            return Err(anyhow::Error::new(Interrupted(format!(
                "{} answer(s) were saved to the cache and records; run the same command again to continue",
                tally.sent + tally.from_cache
            ))));
        }
        Ok(())
    }

    /// Walks the plans until it finds a prompt that must be sent, handling cache hits
    /// (and, by policy, misses) on the way.
    fn next_miss(
        &mut self,
        plans: &mut VecDeque<ProfessionPlan>,
        units: &mut VecDeque<Unit>,
        inflight: &mut HashMap<String, InFlight>,
        tally: &mut Tally,
    ) -> anyhow::Result<Next> {
        loop {
            let Some(unit) = units.pop_front() else {
                let Some(plan) = plans.pop_front() else {
                    return Ok(Next::Done);
                };
                let occ = self
                    .catalog
                    .get(&plan.slug)
                    .expect("planned from the catalog");
                let rendered = plan::units(occ, &plan, self.prompts).map_err(|e| usage(e.0))?;
                tally.professions += 1;
                tally.units += rendered.len();
                inflight.insert(
                    plan.slug.clone(),
                    InFlight {
                        pending: rendered.len(),
                        results: Vec::new(),
                    },
                );
                units.extend(rendered);
                continue;
            };
            let hit = self.lookup(&unit);
            if let Misses::DryRun { show_prompts } = &self.misses {
                let status = match &hit {
                    Some(e) => format!("cached {}", &e.key[..12]),
                    None => "not cached: would send".to_string(),
                };
                println!("{:<60} {status}  [{}]", unit.label(), why_of(&unit.target));
                if *show_prompts {
                    for m in &unit.prompt.messages {
                        println!("--- {}\n{}", m.role, m.content);
                    }
                    println!("---");
                }
                if hit.is_some() {
                    tally.from_cache += 1;
                } else {
                    tally.not_cached += 1;
                }
                self.settle(inflight, &unit.slug.clone(), None, tally)?;
                continue;
            }
            if let Some(entry) = hit {
                tally.from_cache += 1;
                self.progress.inc(1);
                let slug = unit.slug.clone();
                let res = UnitResult {
                    target: unit.target,
                    template: unit.prompt.template,
                    result: Ok(entry),
                };
                self.settle(inflight, &slug, Some(res), tally)?;
                continue;
            }
            match &mut self.misses {
                Misses::Send(_) => {
                    if !self.endpoint.is_configured() {
                        return Err(usage(
                            "prompts are not in the cache and no endpoint is configured: set OPENAI_API_KEY (for api.openai.com) \
                             or OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1 from scripts/local-llm), or draft from the cache \
                             only with --offline",
                        ));
                    }
                    return Ok(Next::Miss(unit));
                }
                Misses::Offline => {
                    tally.not_cached += 1;
                    tally.not_cached_labels.push(unit.label());
                    self.progress.inc(1);
                    self.settle(inflight, &unit.slug.clone(), None, tally)?;
                }
                Misses::Batch(writer) => {
                    let body = build_body(self.endpoint, &unit.prompt, self.endpoint.mode, &[]);
                    writer.write(&body)?;
                    tally.batched += 1;
                    self.progress.inc(1);
                    self.settle(inflight, &unit.slug.clone(), None, tally)?;
                }
                Misses::DryRun { .. } => unreachable!("handled above"),
            }
        }
    }

    /// The cached, valid answer to a unit in any structured-output mode the run may
    /// use (a server that made the run fall back answered under the fallback's key).
    fn lookup(&self, unit: &Unit) -> Option<Entry> {
        if self.cached.is_empty() {
            // A first run: no body to build and hash just to miss.
            return None;
        }
        for mode in self.endpoint.mode.chain() {
            let body = build_body(self.endpoint, &unit.prompt, mode, &[]);
            if !self.cached.contains(&body.key) {
                continue;
            }
            match self.cache.get(&body.key) {
                Ok(Some(entry)) => match entry.content().map(|c| unit.check(c)) {
                    Some(Ok(())) => return Some(entry),
                    Some(Err(why)) => self.progress.line(&format!(
                        "warning: {}: the cached reply fails validation ({why}); treated as a miss",
                        self.project.root.display(&self.cache.path(&body.key))
                    )),
                    None => {}
                },
                Ok(None) => {}
                Err(corrupt) => self.progress.line(&format!("warning: {corrupt}")),
            }
        }
        None
    }

    /// Records one unit as done; writes the profession's record when it was the last.
    fn settle(
        &self,
        inflight: &mut HashMap<String, InFlight>,
        slug: &str,
        result: Option<UnitResult>,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        let Some(f) = inflight.get_mut(slug) else {
            return Ok(());
        };
        f.pending = f.pending.saturating_sub(1);
        if let Some(r) = result {
            f.results.push(r);
        }
        if f.pending > 0 {
            return Ok(());
        }
        let f = inflight.remove(slug).expect("present");
        if f.results.is_empty() || matches!(self.misses, Misses::DryRun { .. }) {
            return Ok(());
        }
        let occ = self.catalog.get(slug).expect("planned from the catalog");
        let mut record = match self.project.read_record(slug) {
            Ok(r) => r.unwrap_or_else(|| Record::new(slug)),
            Err(e) => {
                tally.failures.push((slug.to_string(), format!("{e:#}")));
                tally.changes.failed += f.results.len();
                return Ok(());
            }
        };
        let mut changes = Changes::default();
        for r in &f.results {
            apply(&mut record, occ, r, &mut changes);
            if let Err(why) = &r.result {
                let label = match &r.target {
                    Target::Task(t) => format!("{slug}/{}", t.id),
                    Target::Skills { .. } => format!("{slug}/skills"),
                };
                tally.failures.push((label, why.clone()));
            }
        }
        let task_order: Vec<&str> = occ.tasks.iter().map(|t| t.id.as_str()).collect();
        let skill_order: Vec<&str> = occ.skills.iter().map(|s| s.id.as_str()).collect();
        record.sort_like(&task_order, &skill_order);
        if self.project.write_record(&record)? {
            tally.records_written += 1;
        }
        let done = changes.new + changes.replaced + changes.proposed + changes.unchanged;
        let mut line = format!("{slug}: {done} drafted");
        if changes.proposed > 0 {
            line.push_str(&format!(" ({} as proposals)", changes.proposed));
        }
        if changes.failed > 0 {
            line.push_str(&format!(", {} failed", changes.failed));
        }
        self.progress.line(&line);
        tally.changes.add(&changes);
        Ok(())
    }
}

fn why_of(target: &Target) -> String {
    match target {
        Target::Task(t) => t.why.clone(),
        Target::Skills { targets, .. } => {
            let mut whys: Vec<&str> = targets.iter().map(|t| t.why.as_str()).collect();
            whys.dedup();
            format!("{} skill(s): {}", targets.len(), whys.join("; "))
        }
    }
}
