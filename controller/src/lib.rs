//! # homesec-controller — the daemon and its operator tools
//!
//! The controller owns the state of the house and every IPC endpoint. Read
//! it in the order the data flows:
//!
//! - [`ingest`]: every way in — the named FIFO, detector children's pipes,
//!   the POSIX message queue, Unix signals — turned into one
//!   [`ingest::Input`] type on one bounded channel. Keypad codes are checked
//!   here, off the async threads.
//! - [`house`]: the pure alarm state machine ([`house::state`]) and the one
//!   task that owns it ([`house::task`]), the only code that changes state.
//! - [`outputs`]: where the house's decisions go — the event log writer
//!   ([`outputs::journal`]), the shared-memory status segment, the siren and
//!   the alarm memory.
//! - [`daemon`]: the wiring; it starts and stops the parts above in order.
//!   [`endpoints`] claims and releases the named endpoints (runtime dir,
//!   locks, pidfile), [`settings`] resolves the config and command line.
//!
//! Beside the daemon, in modules of their own: [`ctl`], the logic of the
//! operator CLI `homesecctl`, and [`load`], the load and latency tool
//! `homesec-load`. The binaries in `src/main.rs` and `src/bin/` are thin:
//! arguments, then a call into this library.
#![deny(missing_docs)]

pub mod cli;
pub mod clock;
pub mod daemon;
pub mod diagnostics;
pub mod endpoints;
pub mod house;
pub mod ingest;
pub mod outputs;
pub mod rpc;
pub mod settings;

pub mod ctl;
pub mod load;
