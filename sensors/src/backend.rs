//! The one interface the main loop drives: a [`Backend`] produces reports
//! when its time comes or when an input edge wakes the loop. Everything that
//! can wake the loop arrives as a [`Wake`] on one channel, so the loop
//! blocks in one place (`recv_timeout` until the earliest deadline) and
//! never polls.

use crate::report::Report;
use homesec_config::Level;
use homesec_ipc::clock::HouseClock;
use std::time::Instant;

/// Why the main loop woke up, besides a deadline passing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// A GPIO input changed level.
    Edge(Edge),
    /// The status segment was replaced: the controller may have restarted.
    SegmentChanged,
    /// SIGTERM or SIGINT (the signal number): stop.
    Stop(i32),
}

/// One edge on a watched input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Which of the backend's inputs (its own numbering).
    pub input: usize,
    /// The level after the edge.
    pub level: Level,
    /// When the edge was seen.
    pub at: Instant,
}

/// A source of reports: GPIO sensors or the simulator.
pub trait Backend {
    /// Pushes every report due by `now` (wall) or `clock.now_ms()` (house).
    fn due(&mut self, now: Instant, clock: &HouseClock, out: &mut Vec<Report>);

    /// When `due` has something next, if ever; `None` also when finished.
    fn next_due(&self, now: Instant, clock: &HouseClock) -> Option<Instant>;

    /// Handles an input edge.
    fn on_edge(&mut self, edge: Edge, out: &mut Vec<Report>);

    /// The house clock changed (the controller restarted); `now` is wall time.
    fn clock_changed(&mut self, old: &HouseClock, new: &HouseClock);

    /// Every sensor's current state, for a controller that just restarted:
    /// a report lost in the crash window must not leave the house believing
    /// an old state.
    fn current(&self, out: &mut Vec<Report>);

    /// Whether nothing will ever come again (a scenario that ended).
    fn finished(&self) -> bool;
}
