//! # homesec-sensors — the sensor process
//!
//! Reads the house's sensors and publishes their reports to the controller:
//! GPIO inputs with edge interrupts on a Raspberry Pi ([`gpio`]), or the
//! scenario simulator elsewhere (`--sim`). Reports go out on the POSIX
//! message queue or as lines on stdout ([`output`]); a panic button also
//! sends SIGUSR1 to the controller ([`controller_link`]). One loop ([`run`])
//! drives it all from one channel of wake-ups; nothing polls.
#![deny(missing_docs)]

pub mod backend;
pub mod cli;
pub mod controller_link;
pub mod filter;
pub mod gpio;
pub mod output;
pub mod report;
mod run;
pub mod scheduled;
pub mod segment_watch;
pub mod sim;

pub use run::run;
