//! Where reports go: the POSIX message queue ([`MqOutput`], the default) or
//! stdout in the FIFO line format ([`StdoutOutput`], when the controller
//! spawns this process and reads its stdout over a pipe).
//!
//! No report is ever lost silently: an output either delivers it, keeps it
//! waiting (bounded), or logs and counts the drop.

mod mq;
mod stdout;

pub use mq::{FULL_WAIT, MqOutput, RETRY_EVERY, WAITING_CAPACITY};
pub use stdout::StdoutOutput;

use crate::report::Report;
use std::time::Instant;

/// An output that cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The reader of stdout went away (the controller stopped).
    #[error("stdout is closed: the controller stopped reading")]
    Closed,
    /// Writing stdout failed otherwise.
    #[error("writing a report to stdout failed: {0}")]
    Io(#[source] std::io::Error),
}

/// How many reports went out and how many were dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Delivered.
    pub sent: u64,
    /// Dropped (logged when it happened).
    pub dropped: u64,
    /// Still waiting locally for the queue.
    pub waiting: usize,
}

/// A destination for reports.
pub trait Output {
    /// Delivers `report`, keeps it waiting, or logs and counts its drop.
    fn send(&mut self, report: &Report) -> Result<(), OutputError>;

    /// When [`Output::retry`] should run next, if the output waits for something.
    fn retry_at(&self) -> Option<Instant>;

    /// Retries what waits (opening the queue, then the waiting reports).
    fn retry(&mut self, now: Instant);

    /// The controller restarted: drop connections that may point at its predecessor.
    fn controller_restarted(&mut self);

    /// What went out so far.
    fn counts(&self) -> Counts;
}
