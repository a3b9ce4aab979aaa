//! The signals that stop a run: Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal
//! (SIGHUP). Each is handled the same way by every command that runs for a while
//! (`draft`, `serve`, `review`): stop, keep what is done, print the summary, exit 128 +
//! the signal's number. Async code awaits [`listen`]; the review's key loop, which is
//! not async, [`catch`]es them and asks [`caught`] between keys.

/// The last stopping signal caught by [`catch`]'s handler; 0 when none.
static CAUGHT: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

#[cfg(unix)]
extern "C" fn on_stop(signal: libc::c_int) {
    CAUGHT.store(signal, std::sync::atomic::Ordering::SeqCst);
}

/// Takes over SIGINT, SIGTERM and SIGHUP for a synchronous loop: none ends the process
/// from here on (a terminal in raw mode is then always restored); [`caught`] tells.
pub fn catch() {
    #[cfg(unix)]
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            libc::signal(signal, on_stop as *const () as libc::sighandler_t);
        }
    }
}

/// The stopping signal [`catch`] caught, if any.
pub fn caught() -> Option<i32> {
    match CAUGHT.load(std::sync::atomic::Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Waits for the first stopping signal and returns its number.
#[cfg(unix)]
pub async fn stopped() -> i32 {
    listen().await
}

/// Takes over the stopping signals now (so none of them ends the process from here on,
/// even before the returned future is first polled) and returns a future of the first
/// one's number. Call it inside a tokio runtime.
#[cfg(unix)]
pub fn listen() -> impl std::future::Future<Output = i32> {
    use tokio::signal::unix::{Signal, SignalKind, signal};
    async fn next(s: &mut Option<Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let mut int = signal(SignalKind::interrupt()).ok();
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    async move {
        tokio::select! {
            () = next(&mut int) => libc::SIGINT,
            () = next(&mut term) => libc::SIGTERM,
            () = next(&mut hup) => libc::SIGHUP,
        }
    }
}

/// Waits for Ctrl-C (the one stopping signal elsewhere) and returns SIGINT's number.
#[cfg(not(unix))]
pub fn listen() -> impl std::future::Future<Output = i32> {
    stopped()
}

/// Waits for Ctrl-C (the one stopping signal elsewhere) and returns SIGINT's number.
#[cfg(not(unix))]
pub async fn stopped() -> i32 {
    let _ = tokio::signal::ctrl_c().await;
    2
}
