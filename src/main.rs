//! The `willai` binary: parse the command line, run it, turn the outcome into an exit
//! code. Everything else lives in the library so tests and benchmarks reach the same code.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Like other Unix tools, stop quietly when the reader of stdout goes away
    // (`willai status | head`) instead of failing on every later write.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    willai::main_entry()
}
