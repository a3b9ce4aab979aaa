//! An in-process fake of an OpenAI-compatible chat-completions server.
//!
//! willai drafts structured JSON answers through any OpenAI-compatible
//! endpoint. Its tests and benchmarks need such an endpoint that is fast,
//! deterministic and able to misbehave on demand, without a network, an API
//! key or a GPU. [`FakeServer`] is that endpoint: a real HTTP/1.1 server on
//! 127.0.0.1 (hyper, keep-alive, any number of concurrent connections), so the
//! client under test runs its genuine network stack, including connection
//! pooling, timeouts and dropped connections.
//!
//! * Replies are JSON generated from the JSON Schema the request asks for,
//!   deterministically from the request body, so willai's validation passes
//!   and snapshots are stable.
//! * Faults are scripted per request content with [`FakeServer::script`].
//! * `"logprobs": true` and `"n": N` are honoured as `OpenAI` does: choices
//!   carry token log-probabilities, and an answer's `"level"` (`HIGH`,
//!   `MEDIUM`, `LOW`) comes from a probability distribution over the three
//!   levels, derived from the request or scripted with
//!   [`FakeServer::script_levels`]. Servers that ignore or refuse these
//!   parameters are played with [`Support`].
//! * Requests, their bodies, `Authorization` headers and the peak concurrency
//!   are recorded for assertions.
//!
//! The server runs on its own thread with its own tokio runtime, so plain
//! synchronous `#[test]` functions can use it:
//!
//! ```
//! let server = fake_openai::FakeServer::start();
//! assert!(server.base_url().starts_with("http://127.0.0.1:"));
//! assert_eq!(server.requests(), 0);
//! ```

mod fault;
mod generate;
mod handler;
mod levels;
mod logprobs;
mod reply;
mod state;
mod support;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use fault::Fault;
pub use support::Support;

/// The reply content the server gives a request when no fault applies: a JSON object
/// valid against the schema the request names (`{}` without one), deterministic for the
/// body's bytes. Tests that play a batch provider write their result files with it.
pub fn reply_content(body: &[u8]) -> String {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return "{}".to_owned();
    };
    match generate::find_schema(&request) {
        Some(schema) => generate::generate(&schema, generate::fnv1a(body)).to_string(),
        None => "{}".to_owned(),
    }
}

use state::State;

/// How long dropping a [`FakeServer`] waits for in-flight handlers to be cancelled.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Start-up settings of a [`FakeServer`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Every chat reply waits this long first (see [`FakeServer::set_delay`]).
    pub delay: Duration,
    /// Answer `json_schema` requests with this status (see [`FakeServer::set_reject_json_schema`]).
    pub reject_json_schema: Option<u16>,
    /// Port to listen on; 0 picks any free port.
    pub port: u16,
    /// Keep every chat request body and `Authorization` header for
    /// [`FakeServer::bodies`] and [`FakeServer::authorization_headers`].
    /// Long benchmark runs turn this off to keep memory flat.
    pub record_bodies: bool,
    /// Whether `"logprobs": true` is honoured, ignored or refused (see [`FakeServer::set_logprobs`]).
    pub logprobs: Support,
    /// Whether `"n": N` is honoured, ignored or refused (see [`FakeServer::set_n`]).
    pub n: Support,
    /// The models `GET /v1/models` lists (see [`FakeServer::set_models`]); `None`: the
    /// server has no such list (404), like a proxy that only forwards chat.
    pub models: Option<Vec<String>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            delay: Duration::ZERO,
            reject_json_schema: None,
            port: 0,
            record_bodies: true,
            logprobs: Support::Yes,
            n: Support::Yes,
            models: None,
        }
    }
}

/// An OpenAI-style list of these models.
pub(crate) fn model_list(models: &[String]) -> Value {
    let data: Vec<Value> = models
        .iter()
        .map(|id| serde_json::json!({"id": id, "object": "model", "owned_by": "fake-openai"}))
        .collect();
    serde_json::json!({"object": "list", "data": data})
}

/// A running fake server. Dropping it stops accepting connections, cancels
/// in-flight requests and joins the server thread.
#[derive(Debug)]
pub struct FakeServer {
    state: Arc<State>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Starts a server with default [`Options`] on a free port.
    ///
    /// # Panics
    /// If no socket or thread can be created; see [`FakeServer::try_start_with`].
    #[must_use = "dropping the FakeServer shuts it down"]
    pub fn start() -> FakeServer {
        FakeServer::start_with(Options::default())
    }

    /// Starts a server with `options`.
    ///
    /// # Panics
    /// If the port cannot be bound or no thread can be created; see
    /// [`FakeServer::try_start_with`] for the fallible version.
    #[must_use = "dropping the FakeServer shuts it down"]
    pub fn start_with(options: Options) -> FakeServer {
        FakeServer::try_start_with(options)
            .unwrap_or_else(|err| panic!("fake-openai: cannot start the server: {err}"))
    }

    /// Starts a server with `options`, reporting failures instead of panicking.
    ///
    /// # Errors
    /// When the port cannot be bound (e.g. already in use) or the runtime or
    /// server thread cannot be created.
    pub fn try_start_with(options: Options) -> io::Result<FakeServer> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fake-openai-worker")
            .enable_all()
            .build()?;
        let state = Arc::new(State::new(&options));
        let (shutdown, stop) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("fake-openai".into())
            .spawn({
                let state = Arc::clone(&state);
                move || {
                    runtime.block_on(serve(listener, state, stop));
                    runtime.shutdown_timeout(SHUTDOWN_GRACE);
                }
            })?;
        Ok(FakeServer {
            state,
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The models `GET /v1/models` lists from now on (`{"object": "list", "data":
    /// [{"id": ...}]}`); `None`: no list (404). Chat answers under any model name, as
    /// llama.cpp's server does, whatever the list says.
    pub fn set_models(&self, models: Option<&[&str]>) {
        let models: Option<Vec<String>> =
            models.map(|m| m.iter().map(|s| (*s).to_owned()).collect());
        self.state.set_models(models.as_deref().map(model_list));
    }

    /// `GET /v1/models` answers exactly this from now on (a server's own shape, such as
    /// llama-cpp-python's `"owned_by": "me"`); `None`: 404.
    pub fn set_models_json(&self, models: Option<Value>) {
        self.state.set_models(models);
    }

    /// `GET /props` (llama.cpp's server: `{"total_slots": N, ...}`) answers this from
    /// now on; `None` (the default): 404.
    pub fn set_props(&self, props: Option<Value>) {
        self.state.set_props(props);
    }

    /// What completions say of themselves from now on: the `model` they report (the
    /// request's when `None`, as before) and a `system_fingerprint` (none when `None`).
    pub fn set_served(&self, model: Option<&str>, system_fingerprint: Option<&str>) {
        self.state.set_served(
            model.map(str::to_owned),
            system_fingerprint.map(str::to_owned),
        );
    }

    /// GETs of `/v1/models` and `/props` so far (never reset).
    pub fn listings(&self) -> usize {
        self.state.listings()
    }

    /// `http://127.0.0.1:PORT/v1`, the base URL an `OpenAI` client expects.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Chat-completion requests that reached the handler, faulted ones included.
    pub fn requests(&self) -> usize {
        self.state.requests()
    }

    /// The highest number of chat requests handled at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight()
    }

    /// Every chat request body in arrival order; bodies that are not JSON come
    /// back as [`Value::String`]. Empty when [`Options::record_bodies`] is off.
    pub fn bodies(&self) -> Vec<Value> {
        self.state.bodies()
    }

    /// The `Authorization` header of each chat request, in arrival order.
    /// Empty when [`Options::record_bodies`] is off.
    pub fn authorization_headers(&self) -> Vec<Option<String>> {
        self.state.authorization_headers()
    }

    /// When each chat request arrived, in the order of [`FakeServer::bodies`] (so a test
    /// can measure the gaps a client leaves between attempts, without sleeping itself).
    /// Empty when [`Options::record_bodies`] is off.
    pub fn arrivals(&self) -> Vec<std::time::Instant> {
        self.state.arrivals()
    }

    /// Queues `faults` for requests whose raw body contains `needle`: each
    /// matching request takes the next fault; once the queue is empty such
    /// requests are answered normally. When several scripts match, the first
    /// registered one that still has faults wins.
    pub fn script(&self, needle: &str, faults: Vec<Fault>) {
        self.state.script(needle, faults);
    }

    /// Makes every chat reply (faulted or not) wait `delay` first.
    pub fn set_delay(&self, delay: Duration) {
        self.state.set_delay(delay);
    }

    /// `Some(status)` answers every request with `response_format.type ==
    /// "json_schema"` with that status and an error body, as servers without
    /// structured-output support do (llama.cpp's python server: 422, vLLM: 400).
    pub fn set_reject_json_schema(&self, status: Option<u16>) {
        self.state.set_reject_json_schema(status);
    }

    /// How the server treats `"logprobs": true` (and `top_logprobs`).
    ///
    /// [`Support::Yes`]: every choice carries `"logprobs": {"content": [...]}`,
    /// one entry per token of its content, each with `token`, `logprob`,
    /// `bytes` and `top_logprobs` (`top_logprobs` alternatives, 0 to 20, default
    /// 0 as in `OpenAI`: ask for at least 3 to see all three levels). The value
    /// of a top-level `"level"` field is one token whose alternatives are
    /// `HIGH`, `MEDIUM` and `LOW` with the request's level distribution; every
    /// other token has logprob -0.0001. [`Support::Ignore`]: no `logprobs` in
    /// the choices. [`Support::Refuse`]: that status, error message
    /// "logprobs is not supported by this model", `param` `"logprobs"`.
    pub fn set_logprobs(&self, support: Support) {
        self.state.set_logprobs(support);
    }

    /// How the server treats `"n": N`.
    ///
    /// [`Support::Yes`]: N choices (1 to 16), indexed 0..N, each generated from
    /// its own seed (only enum values depend on the seed, so choices differ in
    /// those). With N > 1 every choice's level, choice 0's included, is drawn
    /// from the request's level distribution (see [`FakeServer::script_levels`]);
    /// N = 1 gets the most probable level, as without `n`. `usage.completion_tokens`
    /// counts every choice. A scripted content fault gives every choice the
    /// fault's content. [`Support::Ignore`]: one choice. [`Support::Refuse`]: that status
    /// unless N is 1, error message "n must be 1", `param` `"n"`.
    pub fn set_n(&self, support: Support) {
        self.state.set_n(support);
    }

    /// Scripts the level distribution of every request whose raw body contains
    /// `needle`: `probs` are the weights of `[HIGH, MEDIUM, LOW]`, scaled to sum to 1.
    ///
    /// Such a request's answer states the most probable level (ties: the first
    /// of HIGH, MEDIUM, LOW), or with `n` > 1 each choice a level drawn from the
    /// distribution: a level of probability `p` is stated by `floor(n * p)` or
    /// `ceil(n * p)` of the choices. The level token's log-probabilities are
    /// `ln(p)` (a probability of 0 shows as `ln(1e-6)` to stay finite). The rest
    /// of the answer is still generated from the schema. Unlike [`FakeServer::script`]
    /// the distribution is not used up: it applies until `needle` is scripted
    /// again or [`FakeServer::clear_levels`] is called. When several needles
    /// match, the first registered wins.
    ///
    /// Without a script, a request's distribution is derived from its body:
    /// the level the schema generator picks gets a probability in `[0.45, 0.99)`.
    ///
    /// # Panics
    /// If a weight is negative or not finite, or all are zero (a mistake in
    /// the test, reported where it is made rather than on a later request).
    pub fn script_levels(&self, needle: &str, probs: [f64; 3]) {
        let Some(distribution) = levels::Distribution::normalised(probs) else {
            panic!(
                "fake-openai: script_levels({needle:?}, {probs:?}): weights must be finite, \
                 non-negative and not all zero"
            );
        };
        self.state.script_levels(needle, distribution);
    }

    /// Forgets every distribution set with [`FakeServer::script_levels`].
    pub fn clear_levels(&self) {
        self.state.clear_levels();
    }

    /// Zeroes the request count and peak concurrency and forgets recorded
    /// bodies and headers. Scripts and settings are kept.
    pub fn reset_counts(&self) {
        self.state.reset_counts();
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // An error only means the server loop has already ended.
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panicked server thread has nothing left to clean up.
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `stop` fires (or its sender is dropped), serving
/// each on its own task. Dropping the runtime afterwards ends those tasks.
async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stop: oneshot::Receiver<()>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("fake-openai: cannot listen: {err}");
            return;
        }
    };
    loop {
        let stream = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Typically out of file descriptors under load: back off briefly.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            },
        };
        // Small request/response exchanges: Nagle would only add latency.
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| handler::handle(Arc::clone(&state), request));
            // Errors are routine here: clients hang up, Drop faults abort on purpose.
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
