//! The integration tests: one binary (faster to build and link), one module per
//! command, all driving the real `willai` binary against real files and, for the
//! network, a real HTTP server on 127.0.0.1 (`fake-openai`).

mod aliases;
mod annotations;
mod audit;
#[cfg(unix)]
mod audit_tui;
mod batch;
#[cfg(unix)]
mod browser;
mod cache;
mod confidence;
mod config;
mod content;
mod diff;
mod draft;
mod e2e;
mod estimate;
mod eval;
mod faults;
mod init;
mod junk;
mod onet;
mod promises;
mod provenance;
mod publish;
mod quickstart;
mod reject;
mod review;
mod review_tui;
mod serve;
mod site;
mod site_safety;
mod util;
mod validate;
#[cfg(unix)]
mod workflow;
