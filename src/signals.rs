//! The signals that stop a run: Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal
//! (SIGHUP). Each is handled the same way: stop sending, save what is answered, print
//! the summary, exit 128 + the signal's number.

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
