//! State shared between the test thread and the server's request handlers.
//!
//! Counters and settings are atomics so the hot path (benchmarks push tens of
//! thousands of requests through) takes no lock unless it must: recording a
//! request body is a reference-counted `Bytes` clone pushed under a short
//! mutex, and bodies are only parsed when a test asks for them.

use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::Value;

use crate::Options;
use crate::fault::{Fault, Scripts};
use crate::levels::{Distribution, ScriptedLevels};
use crate::support::Support;

#[derive(Debug)]
pub(crate) struct State {
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Never reset: numbers completion ids.
    sequence: AtomicU64,
    delay_nanos: AtomicU64,
    /// 0 means "accept `json_schema` requests".
    reject_json_schema: AtomicU16,
    /// [`Support`] for `logprobs` and for `n`, encoded by [`Support::encode`].
    logprobs: AtomicU32,
    n: AtomicU32,
    record_bodies: bool,
    log: Mutex<Log>,
    scripts: Mutex<Scripts>,
    levels: Mutex<ScriptedLevels>,
    /// What `GET /v1/models` answers (a list, as JSON); `None`: no list (404).
    models: Mutex<Option<Value>>,
    /// What `GET /props` answers (llama.cpp's server); `None`: 404.
    props: Mutex<Option<Value>>,
    /// GETs of `/v1/models` and `/props` (chat requests are counted apart).
    listings: AtomicUsize,
    /// What completions say of themselves: the `model` they report (the request's when
    /// `None`) and a `system_fingerprint` (none when `None`).
    served: Mutex<(Option<String>, Option<String>)>,
}

/// Chat requests as received, in arrival order.
#[derive(Debug, Default)]
struct Log {
    bodies: Vec<Bytes>,
    authorization: Vec<Option<String>>,
    /// When each request's body had arrived.
    arrivals: Vec<Instant>,
}

/// Locks without panicking: a panic elsewhere cannot leave these structures half-updated.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl State {
    pub(crate) fn new(options: &Options) -> Self {
        let state = State {
            requests: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            sequence: AtomicU64::new(0),
            delay_nanos: AtomicU64::new(0),
            reject_json_schema: AtomicU16::new(0),
            logprobs: AtomicU32::new(options.logprobs.encode()),
            n: AtomicU32::new(options.n.encode()),
            record_bodies: options.record_bodies,
            log: Mutex::default(),
            scripts: Mutex::default(),
            levels: Mutex::default(),
            models: Mutex::new(options.models.as_deref().map(crate::model_list)),
            props: Mutex::default(),
            listings: AtomicUsize::new(0),
            served: Mutex::default(),
        };
        state.set_delay(options.delay);
        state.set_reject_json_schema(options.reject_json_schema);
        state
    }

    /// Marks a chat request as being handled until the guard is dropped
    /// (also when the client disconnects and the handler future is cancelled).
    pub(crate) fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, SeqCst) + 1;
        self.max_in_flight.fetch_max(now, SeqCst);
        InFlight(self)
    }

    /// Counts a chat request, records it if enabled, and returns its sequence number.
    pub(crate) fn record(&self, body: &Bytes, authorization: Option<String>) -> u64 {
        self.requests.fetch_add(1, SeqCst);
        if self.record_bodies {
            let mut log = lock(&self.log);
            log.bodies.push(body.clone());
            log.authorization.push(authorization);
            log.arrivals.push(Instant::now());
        }
        self.sequence.fetch_add(1, SeqCst) + 1
    }

    pub(crate) fn take_fault(&self, body: &[u8]) -> Option<Fault> {
        lock(&self.scripts).take(body)
    }

    pub(crate) fn script(&self, needle: &str, faults: Vec<Fault>) {
        lock(&self.scripts).add(needle, faults);
    }

    pub(crate) fn requests(&self) -> usize {
        self.requests.load(SeqCst)
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(SeqCst)
    }

    /// Recorded bodies parsed as JSON; bodies that are not JSON come back as strings.
    pub(crate) fn bodies(&self) -> Vec<Value> {
        lock(&self.log)
            .bodies
            .iter()
            .map(|body| {
                serde_json::from_slice(body)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
            })
            .collect()
    }

    pub(crate) fn authorization_headers(&self) -> Vec<Option<String>> {
        lock(&self.log).authorization.clone()
    }

    pub(crate) fn arrivals(&self) -> Vec<Instant> {
        lock(&self.log).arrivals.clone()
    }

    pub(crate) fn delay(&self) -> Duration {
        Duration::from_nanos(self.delay_nanos.load(SeqCst))
    }

    pub(crate) fn set_delay(&self, delay: Duration) {
        let nanos = u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX);
        self.delay_nanos.store(nanos, SeqCst);
    }

    pub(crate) fn reject_json_schema(&self) -> Option<u16> {
        Some(self.reject_json_schema.load(SeqCst)).filter(|status| *status != 0)
    }

    pub(crate) fn set_models(&self, models: Option<Value>) {
        *lock(&self.models) = models;
    }

    /// `GET /v1/models`: what it answers, counted.
    pub(crate) fn models(&self) -> Option<Value> {
        self.listings.fetch_add(1, SeqCst);
        lock(&self.models).clone()
    }

    pub(crate) fn set_props(&self, props: Option<Value>) {
        *lock(&self.props) = props;
    }

    /// `GET /props`: what it answers, counted.
    pub(crate) fn props(&self) -> Option<Value> {
        self.listings.fetch_add(1, SeqCst);
        lock(&self.props).clone()
    }

    pub(crate) fn listings(&self) -> usize {
        self.listings.load(SeqCst)
    }

    pub(crate) fn set_served(&self, model: Option<String>, fingerprint: Option<String>) {
        *lock(&self.served) = (model, fingerprint);
    }

    pub(crate) fn served(&self) -> (Option<String>, Option<String>) {
        lock(&self.served).clone()
    }

    pub(crate) fn set_reject_json_schema(&self, status: Option<u16>) {
        self.reject_json_schema.store(status.unwrap_or(0), SeqCst);
    }

    pub(crate) fn logprobs(&self) -> Support {
        Support::decode(self.logprobs.load(SeqCst))
    }

    pub(crate) fn set_logprobs(&self, support: Support) {
        self.logprobs.store(support.encode(), SeqCst);
    }

    pub(crate) fn n(&self) -> Support {
        Support::decode(self.n.load(SeqCst))
    }

    pub(crate) fn set_n(&self, support: Support) {
        self.n.store(support.encode(), SeqCst);
    }

    /// The scripted level distribution for a request body, if any needle matches.
    pub(crate) fn scripted_levels(&self, body: &[u8]) -> Option<Distribution> {
        lock(&self.levels).find(body)
    }

    pub(crate) fn script_levels(&self, needle: &str, distribution: Distribution) {
        lock(&self.levels).set(needle, distribution);
    }

    pub(crate) fn clear_levels(&self) {
        lock(&self.levels).clear();
    }

    pub(crate) fn reset_counts(&self) {
        let mut log = lock(&self.log);
        log.bodies.clear();
        log.authorization.clear();
        log.arrivals.clear();
        self.requests.store(0, SeqCst);
        self.max_in_flight.store(0, SeqCst);
    }
}

/// See [`State::enter`].
pub(crate) struct InFlight<'a>(&'a State);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, SeqCst);
    }
}
