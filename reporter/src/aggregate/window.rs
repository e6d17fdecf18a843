//! Which part of the report a record's time puts it in, and the small
//! helpers on times every builder shares.

use crate::model::Time;

/// Where a record falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before everything reported: it only moves state forward.
    Before,
    /// In the week before a reported week: counted for the comparison.
    Previous,
    /// In the period.
    In,
}

/// The instants that cut the log into phases.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Start of the week before, for a week.
    pub previous_start: Option<Time>,
    /// Period start.
    pub start: Time,
    /// Period end (exclusive).
    pub end: Time,
    /// Where open things are cut off: the period's end until the log is
    /// read, then the period's end or, for a period still running, now.
    pub until: Time,
}

impl Window {
    /// The phase of a record at `ts`; `None` past the end.
    pub fn phase(&self, ts: &Time) -> Option<Phase> {
        if *ts >= self.end {
            None
        } else if *ts >= self.start {
            Some(Phase::In)
        } else if self.previous_start.is_some_and(|p| *ts >= p) {
            Some(Phase::Previous)
        } else {
            Some(Phase::Before)
        }
    }

    /// The part of `[from, to)` inside the period, in ms.
    pub fn overlap_ms(&self, from: Time, to: Time) -> u64 {
        ms_between(from.max(self.start), to.min(self.until))
    }
}

/// Milliseconds from `a` to `b`, 0 if `b` is not later.
pub fn ms_between(a: Time, b: Time) -> u64 {
    u64::try_from((b - a).num_milliseconds()).unwrap_or(0)
}
