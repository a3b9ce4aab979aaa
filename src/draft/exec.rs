//! The scheduler of a run: prompts are rendered one profession at a time, looked up in
//! the cache, and the misses sent by at most `concurrency` tasks at once. When the last
//! answer of a profession is in, all of its answers go to the sink (the record file), so
//! memory stays bounded on the full O*NET catalog and a run stopped at any point loses
//! nothing the cache holds.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::catalog::Catalog;
use crate::llm::{Client, ModelCheck, build_body, first_variant};
use crate::prompt::Prompts;

use super::DraftError;
use super::apply::{Sink, UnitResult};
use super::batch_out::BatchWriter;
use super::lookup::Lookup;
use super::plan::{self, ProfessionPlan, Unit};
use super::report::{Progress, Tally};

/// What happens to a prompt that is not in the cache, decided before the run starts.
pub enum Misses {
    /// Send it.
    Send(Arc<Client>),
    /// Stop the run: no endpoint is configured (exit 2).
    NoEndpoint,
    /// Stop the run: the key would go to an endpoint willai.toml chose, without the
    /// user's consent (exit 2; the error says what to run).
    Untrusted(Option<crate::config::ConfigError>),
    /// Count it (`--offline`).
    Offline,
    /// Write its request line for the provider's batch engine (`--batch-out`).
    Batch(BatchWriter),
}

pub struct Scheduler<'a> {
    pub catalog: &'a Catalog,
    pub prompts: &'a Prompts,
    pub lookup: Lookup<'a>,
    pub misses: Misses,
    pub progress: Arc<Progress>,
}

/// A profession whose answers are still coming in.
struct InFlight {
    pending: usize,
    results: Vec<UnitResult>,
}

type Joined = (
    Unit,
    Result<(crate::cache::CacheEntry, crate::reply::Reply), String>,
);

impl Scheduler<'_> {
    /// Runs the plans to the end, or until a stopping signal: then the answers that are
    /// in are filed, and the signal's number returned (what it means for the exit code
    /// is the command's to say).
    pub async fn run(
        mut self,
        plans: Vec<ProfessionPlan>,
        sink: &mut dyn Sink,
        tally: &mut Tally,
    ) -> anyhow::Result<Option<i32>> {
        let mut concurrency = self.lookup.endpoint.concurrency;
        let mut plans: VecDeque<ProfessionPlan> = plans.into();
        let mut units: VecDeque<Unit> = VecDeque::new();
        let mut inflight: HashMap<String, InFlight> = HashMap::new();
        let mut tasks: JoinSet<Joined> = JoinSet::new();
        let mut spawned: HashMap<tokio::task::Id, Unit> = HashMap::new();
        let stop = crate::signals::stopped();
        tokio::pin!(stop);
        let mut exhausted = false;
        let mut interrupted: Option<i32> = None;
        let mut abort: Option<anyhow::Error> = None;
        let mut writer = crate::cache::Writer::start(self.lookup.cache.clone());
        // Whether the endpoint was asked for its models: once, before the first prompt
        // is sent (a run the cache answers whole never asks).
        let mut models_checked = false;

        while !(exhausted && tasks.is_empty()) {
            let can_produce = !exhausted && tasks.len() < concurrency;
            tokio::select! {
                biased;
                signal = &mut stop => {
                    interrupted = Some(signal);
                    break;
                }
                // Keep the pipe full first: a free slot is filled before finished
                // answers are filed.
                () = std::future::ready(()), if can_produce => {
                    match self.next_miss(&mut plans, &mut units, &mut inflight, sink, tally) {
                        Ok(Some((unit, client))) => {
                            if !models_checked {
                                models_checked = true;
                                if let Err(e) =
                                    self.probe(&client, &mut concurrency, tally).await
                                {
                                    abort = Some(e);
                                    exhausted = true;
                                    plans.clear();
                                    units.clear();
                                    continue;
                                }
                            }
                            let store = writer.sender();
                            let info = unit.clone();
                            let handle = tasks.spawn(async move {
                                let result = match client.complete(&unit.prompt).await {
                                    Ok(answered) => {
                                        // The writer outlives every task: a send cannot fail.
                                        for entry in &answered.entries {
                                            let _ = store.send(entry.clone());
                                        }
                                        let first = answered.entries.into_iter().next();
                                        first
                                            .map(|entry| (entry, answered.reply))
                                            .ok_or_else(|| "internal error: an answer without its entry".to_string())
                                    }
                                    Err(e) => Err(e.to_string()),
                                };
                                (unit, result)
                            });
                            spawned.insert(handle.id(), info);
                        }
                        Ok(None) => exhausted = true,
                        Err(e) => {
                            abort = Some(e);
                            exhausted = true;
                            plans.clear();
                            units.clear();
                        }
                    }
                }
                Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                    let (unit, result) = match joined {
                        Ok((id, done)) => {
                            spawned.remove(&id);
                            done
                        }
                        Err(e) => {
                            let unit = spawned.remove(&e.id()).expect("every task is registered");
                            (unit, Err(format!("internal error: {e}")))
                        }
                    };
                    if result.is_ok() {
                        tally.sent += 1;
                    }
                    self.progress.inc(1);
                    self.settle(&mut inflight, unit, Some(result), sink, tally)?;
                }
            }
        }

        if interrupted.is_some() {
            tasks.abort_all();
            while let Some(joined) = tasks.join_next_with_id().await {
                if let Ok((id, (unit, result))) = joined {
                    spawned.remove(&id);
                    if result.is_ok() {
                        tally.sent += 1;
                        let slug = unit.slug.clone();
                        let f = inflight.entry(slug).or_insert(InFlight {
                            pending: 1,
                            results: Vec::new(),
                        });
                        f.results.push(UnitResult {
                            targets: unit.targets,
                            template: unit.prompt.template,
                            result,
                        });
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
            if let Some(f) = inflight.remove(&slug) {
                self.file(&slug, f.results, sink, tally)?;
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
        Ok(interrupted)
    }

    /// Asks the endpoint, before the first prompt is sent, what it serves: a model it
    /// does not list stops the run (nothing sent); its slots bound the concurrency.
    async fn probe(
        &self,
        client: &Client,
        concurrency: &mut usize,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        let probe = client.probe().await;
        if let ModelCheck::NotServed(ids) = &probe.model {
            let endpoint = self.lookup.endpoint;
            if !self.lookup.no_model_check {
                return Err(DraftError::model_not_served(endpoint, ids).into());
            }
            self.progress.line(&format!(
                "warning: {} does not list {} (it lists {}); sending anyway, as --no-model-check asks",
                endpoint.shown_url(),
                endpoint.model,
                super::listed(ids)
            ));
        }
        if let Some((slots, how)) = probe.slots
            && slots < *concurrency
        {
            self.progress.line(&format!(
                "concurrency: {} works on {slots} request(s) at once ({how}): sending {slots} at a time instead of {concurrency}",
                self.lookup.endpoint.host()
            ));
            *concurrency = slots;
            tally.concurrency = Some(slots);
        }
        Ok(())
    }

    /// Walks the plans until it finds a prompt that must be sent, filing cache hits
    /// (and misses, by the policy) on the way. `None` when every plan is done.
    fn next_miss(
        &mut self,
        plans: &mut VecDeque<ProfessionPlan>,
        units: &mut VecDeque<Unit>,
        inflight: &mut HashMap<String, InFlight>,
        sink: &mut dyn Sink,
        tally: &mut Tally,
    ) -> anyhow::Result<Option<(Unit, Arc<Client>)>> {
        loop {
            let Some(unit) = units.pop_front() else {
                let Some(plan) = plans.pop_front() else {
                    return Ok(None);
                };
                let occ = self
                    .catalog
                    .get(&plan.slug)
                    .expect("planned from the catalog");
                let rendered = plan::units(occ, &plan, self.prompts)?;
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
            let progress = Arc::clone(&self.progress);
            if let Some(answer) = self
                .lookup
                .find(&unit.prompt, &|w: String| progress.line(&w))
            {
                tally.from_cache += 1;
                let host = super::lookup::host_of(&answer.0).map(String::from);
                if host.as_deref() != Some(self.lookup.endpoint.host().as_str()) {
                    *tally.other_hosts.entry(host).or_default() += 1;
                }
                self.progress.inc(1);
                self.settle(inflight, unit, Some(Ok(answer)), sink, tally)?;
                continue;
            }
            match &mut self.misses {
                Misses::Send(client) => return Ok(Some((unit, Arc::clone(client)))),
                Misses::NoEndpoint => return Err(DraftError::NoEndpoint.into()),
                Misses::Untrusted(refusal) => {
                    return Err(match refusal.take() {
                        Some(e) => e.into(),
                        None => DraftError::NoEndpoint.into(),
                    });
                }
                Misses::Offline => {
                    tally.not_cached += 1;
                    tally.not_cached_labels.push(unit.label());
                }
                Misses::Batch(writer) => {
                    let endpoint = self.lookup.endpoint;
                    let variant = first_variant(endpoint, &unit.prompt.ask, endpoint.mode);
                    writer.write(&build_body(endpoint, &unit.prompt, variant, &[]))?;
                    tally.batched += 1;
                }
            }
            self.progress.inc(1);
            self.settle(inflight, unit, None, sink, tally)?;
        }
    }

    /// Records one unit as done; hands the profession's answers to the sink when it was
    /// the last.
    fn settle(
        &self,
        inflight: &mut HashMap<String, InFlight>,
        unit: Unit,
        result: Option<Result<(crate::cache::CacheEntry, crate::reply::Reply), String>>,
        sink: &mut dyn Sink,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        let Some(f) = inflight.get_mut(&unit.slug) else {
            return Ok(());
        };
        f.pending = f.pending.saturating_sub(1);
        if let Some(result) = result {
            f.results.push(UnitResult {
                targets: unit.targets,
                template: unit.prompt.template,
                result,
            });
        }
        if f.pending > 0 {
            return Ok(());
        }
        let f = inflight.remove(&unit.slug).expect("present");
        self.file(&unit.slug, f.results, sink, tally)
    }

    /// Hands a profession's answers to the sink and counts what it did.
    fn file(
        &self,
        slug: &str,
        results: Vec<UnitResult>,
        sink: &mut dyn Sink,
        tally: &mut Tally,
    ) -> anyhow::Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let occ = self.catalog.get(slug).expect("planned from the catalog");
        for r in &results {
            if let Err(why) = &r.result {
                tally
                    .failures
                    .push((plan::label(slug, &r.targets), why.clone()));
            }
        }
        // A record that cannot be written (a full disk, an immutable or broken file)
        // fails its profession alone: the answers are in the cache, the run goes on,
        // and the summary names it.
        let (changes, written) = match sink.apply(occ, &results) {
            Ok(done) => done,
            Err(e) => {
                let items: usize = results.iter().map(|r| r.targets.len()).sum();
                tally.changes.failed += items;
                tally.unsaved += 1;
                let why = format!(
                    "{items} answer(s) not saved: {e} (they are in the cache: a rerun saves them without sending anything)"
                );
                self.progress.line(&format!("{slug}: {why}"));
                tally.failures.push((slug.to_string(), why));
                return Ok(());
            }
        };
        tally.records_written += usize::from(written);
        if written {
            tally.record_files.push(self.lookup.root.record_path(slug));
        }
        let mut line = format!("{slug}: {} drafted", changes.done());
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
