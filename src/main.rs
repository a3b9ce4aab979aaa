//! The `willai` binary: parse the command line, run it, turn the outcome into an exit
//! code. Everything else lives in the library so tests and benchmarks reach the same code.

use std::process::ExitCode;

fn main() -> ExitCode {
    willai::main_entry()
}
