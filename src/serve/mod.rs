//! `willai serve`: the site as readers will see it, on 127.0.0.1, rebuilt on every change.
//!
//! An editor wants to see a page before approving it and to see an edit without running
//! anything; `publish` then a static server does neither. `serve` builds with the same
//! code as `publish` into a private temporary folder (never `--out`), polls the inputs'
//! modification times every 250 ms (settings, catalog, records, templates, static files,
//! `about.md`), rebuilds on a change, and every HTML page it serves loads a small script
//! that asks `/__willai/build` for the build number and reloads the page when it moves.
//! A rebuild that fails keeps the last good site and shows the error on the open page.
//! `--drafts` builds with drafts and proposals shown, each marked "not yet reviewed".
//!
//! The server is tokio's listener and a minimal HTTP/1.1 reader: GET and HEAD of files,
//! one request per connection. It is a preview for the people at this machine, so it
//! binds loopback only and serves nothing outside its folder.

mod http;
mod watch;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{CommandLine, Origin, Resolved};
use crate::project::Project;
use crate::publish::{self, Options, select};
use crate::signals;

use watch::Fingerprint;

/// Why the preview could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "cannot listen on 127.0.0.1:{port} ({reason}): pass another --port, or --port 0 for any free one"
    )]
    Bind { port: u16, reason: String },
}

/// How often the inputs are checked for changes.
pub const POLL: Duration = Duration::from_millis(250);

/// The most connections served at once.
pub const MAX_CONNECTIONS: usize = 256;

/// The pause after a failed accept (out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Connections served at once: [`MAX_CONNECTIONS`], or half the process's descriptor
/// limit when that is lower (the rest are for the files a build and a response open).
fn connections() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given, nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    let half = if ok {
        usize::try_from(limit.rlim_cur / 2).unwrap_or(usize::MAX)
    } else {
        MAX_CONNECTIONS
    };
    half.clamp(4, MAX_CONNECTIONS)
}

/// What `serve` was asked for.
#[derive(Clone, Debug)]
pub struct Request {
    pub root: Option<PathBuf>,
    pub given: CommandLine,
    pub drafts: bool,
    pub port: u16,
}

/// The state the HTTP side reads: the folder the site is built in, the number of the
/// last good build, and the error of the last build when it failed.
pub struct Shared {
    pub dir: PathBuf,
    state: Mutex<BuildState>,
    /// What the last build rendered, so the next renders only what changed.
    memo: Mutex<publish::Memo>,
}

#[derive(Clone, Debug, Default)]
pub struct BuildState {
    pub build: u64,
    pub error: Option<String>,
}

impl Shared {
    pub fn state(&self) -> BuildState {
        self.state.lock().expect("serve state").clone()
    }

    /// Records a build. The number, which open pages reload on, moves only when the
    /// site changed: an editor's save seen half-written, then whole, builds twice, and
    /// the second build (nothing new) must not reload the page again.
    fn set(&self, outcome: Result<publish::Summary, String>) {
        let mut s = self.state.lock().expect("serve state");
        match outcome {
            Ok(summary) => {
                if s.build == 0 || summary.written + summary.removed > 0 {
                    s.build += 1;
                }
                s.error = None;
            }
            Err(e) => s.error = Some(e),
        }
    }
}

/// Builds the site into `out` as `publish` would (approved content only), or with drafts
/// shown and marked. Settings are read afresh each time: a change to `willai.toml` shows.
/// Without a `[site] base_url`, canonical links point at the preview itself (`local`).
pub fn build(req: &Request, local: &str, shared: &Shared) -> anyhow::Result<publish::Summary> {
    let project = Project::open(req.root.as_deref(), req.given.clone())?;
    let mut settings = project.settings.site.clone();
    if settings.base_url.is_none() {
        settings.base_url = Some(Resolved {
            value: local.to_string(),
            origin: Origin::Default,
        });
    }
    let site = publish::Site::new(&settings)?;
    let catalog = project.catalog()?;
    let opts = Options {
        drafts: req.drafts,
        theme: Some(project.root.dir().to_path_buf()),
        audit: publish::audit::figures(&project.store, &catalog)?,
    };
    let (professions, _skipped) = select::load_store(&project.store, &catalog, &opts)
        .context("fix the record, and the page comes back")?;
    let mut memo = shared.memo.lock().expect("serve memo");
    publish::publish_with(professions, &site, &shared.dir, &opts, &mut memo)
}

/// The files whose change means a rebuild.
pub fn inputs(project: &Project) -> Vec<PathBuf> {
    let root = &project.root;
    vec![
        root.config_file(),
        root.catalog_dir(),
        root.records_dir(),
        root.dir().join("templates"),
        root.dir().join("static"),
        root.dir().join("about.md"),
    ]
}

/// Runs the server until a stopping signal; returns the signal's number.
pub fn run(req: Request) -> anyhow::Result<i32> {
    let project = Project::open(req.root.as_deref(), req.given.clone())?;
    let watched = inputs(&project);
    // Taken before the first build: a save during it is a change, and rebuilds.
    let seen = watch::fingerprint(&watched);
    let root = project.root.dir().to_path_buf();
    let tmp = tempfile::Builder::new()
        .prefix("willai-serve-")
        .tempdir()
        .context("cannot create a temporary folder for the site")?;
    // Canonical once, here: every request checks that a file resolves inside it.
    let dir = tmp
        .path()
        .canonicalize()
        .context("cannot resolve the temporary folder")?
        .join("site");
    let shared = Arc::new(Shared {
        dir,
        state: Mutex::new(BuildState::default()),
        memo: Mutex::new(publish::Memo::default()),
    });

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let outcome = rt.block_on(async move {
        // Ctrl-C from here on stops the preview cleanly (the temporary folder removed),
        // even during the first build.
        let stopped = signals::listen();
        tokio::pin!(stopped);
        // The port first: a port in use is said before any work, and the address is
        // the base URL of a preview without one.
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, req.port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Bind {
                port: req.port,
                reason: e.to_string(),
            })?;
        let local = format!("http://{}", listener.local_addr()?);

        let started = Instant::now();
        let first = {
            let (req, local, shared) = (req.clone(), local.clone(), shared.clone());
            let building = tokio::task::spawn_blocking(move || build(&req, &local, &shared));
            tokio::select! {
                built = building => built
                    .map_err(|e| anyhow::anyhow!("the build stopped: {e}"))
                    .and_then(|r| r),
                signal = &mut stopped => return Ok(signal),
            }
        };
        match &first {
            Ok(s) => println!(
                "built {} profession(s), {} task(s) in {:.2} s{}",
                s.professions,
                s.tasks,
                started.elapsed().as_secs_f64(),
                if req.drafts {
                    " (drafts and proposals shown, marked \"not yet reviewed\")"
                } else {
                    " (approved content only; --drafts shows drafts too)"
                }
            ),
            Err(e) => eprintln!(
                "willai: the site did not build: {e:#}\nFix it and save: the page reloads."
            ),
        }
        shared.set(first.map_err(|e| format!("{e:#}")));
        println!("serving at {local}/ (Ctrl-C stops)");

        let watcher = tokio::spawn(watch_loop(
            req.clone(),
            local,
            root,
            (watched, seen),
            shared.clone(),
        ));
        // At most `connections()` at once: a free slot is taken before accepting, so
        // clients that never read hold a bounded number of descriptors, and the rest
        // wait in the kernel's queue instead of failing the accept.
        let slots = Arc::new(tokio::sync::Semaphore::new(connections()));
        loop {
            let slot = tokio::select! {
                signal = &mut stopped => {
                    watcher.abort();
                    return Ok::<i32, anyhow::Error>(signal);
                }
                slot = slots.clone().acquire_owned() => slot.expect("never closed"),
            };
            tokio::select! {
                signal = &mut stopped => {
                    watcher.abort();
                    return Ok::<i32, anyhow::Error>(signal);
                }
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let shared = shared.clone();
                        tokio::spawn(async move {
                            http::handle(stream, shared).await;
                            drop(slot);
                        });
                    }
                    // Out of descriptors (or another passing error): wait a little
                    // rather than spin on an accept that fails at once.
                    Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
                },
            }
        }
    });
    // A build still running is not waited for; the temporary folder goes with `tmp`.
    rt.shutdown_background();
    drop(tmp);
    outcome
}

async fn watch_loop(
    req: Request,
    local: String,
    root: PathBuf,
    (watched, mut seen): (Vec<PathBuf>, Fingerprint),
    shared: Arc<Shared>,
) {
    loop {
        tokio::time::sleep(POLL).await;
        let now = watch::fingerprint(&watched);
        if now == seen {
            continue;
        }
        let changed = watch::changed(&seen, &now, &root);
        seen = now;
        let (req, local, building) = (req.clone(), local.clone(), shared.clone());
        let started = Instant::now();
        let outcome = tokio::task::spawn_blocking(move || build(&req, &local, &building))
            .await
            .map_err(|e| anyhow::anyhow!("the build stopped: {e}"))
            .and_then(|r| r);
        match &outcome {
            Ok(s) => println!(
                "{}: rebuilt in {:.2} s ({} profession(s), {} file(s) written)",
                changed,
                started.elapsed().as_secs_f64(),
                s.professions,
                s.written
            ),
            Err(e) => eprintln!(
                "{changed}: the site did not build, still serving the last good one: {e:#}"
            ),
        }
        shared.set(outcome.map_err(|e| format!("{e:#}")));
    }
}
