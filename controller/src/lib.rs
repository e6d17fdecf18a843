//! # homesec-controller — the daemon and its operator CLI
//!
//! The controller owns the state of the house and every IPC endpoint. Inputs
//! — the named FIFO ([`fifo`]), detector children's stdout ([`detectors`]),
//! Unix signals ([`signals`]) — become [`input::Input`]s on one bounded
//! channel into the house task ([`house_task`]), the only code that changes
//! state. It applies them to the pure alarm state machine ([`house`]) and
//! sends what happened to the event log writer ([`journal`]), the siren
//! ([`siren`]) and the shared-memory status segment. [`daemon`] starts and
//! stops it all in order; [`ctl`] is `homesecctl`'s side.
//!
//! The binaries in `src/main.rs` and `src/bin/` are thin: arguments, then a
//! call into this library.
#![deny(missing_docs)]

pub mod cli;
pub mod clock;
pub mod codes;
pub mod ctl;
pub mod daemon;
pub mod detectors;
pub mod diagnostics;
pub mod fifo;
pub mod house;
pub mod house_task;
pub mod input;
pub mod journal;
pub mod lines;
pub mod load;
pub mod memory;
pub mod mq_ingest;
pub mod narrate;
pub mod pidfile;
pub mod settings;
pub mod signals;
pub mod simulation;
pub mod siren;
