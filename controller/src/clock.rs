//! The controller's clock: what time it is, for timestamps, timers,
//! supervision and the day rotation of the event log.
//!
//! Everything that needs "now" asks this clock, so that a simulated clock
//! running at a different speed can later replace the wall clock in one place.

use chrono::{DateTime, FixedOffset, Local, TimeZone};

/// Unix milliseconds: the unit of time inside the controller.
pub type Millis = i64;

/// The wall clock, in the local time zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock;

impl Clock {
    /// Now, in unix milliseconds.
    pub fn now_ms(&self) -> Millis {
        Local::now().timestamp_millis()
    }

    /// A time as a local timestamp with its offset, for the event log.
    pub fn timestamp(&self, ms: Millis) -> DateTime<FixedOffset> {
        match Local.timestamp_millis_opt(ms) {
            chrono::LocalResult::Single(t) => t.fixed_offset(),
            chrono::LocalResult::Ambiguous(t, _) => t.fixed_offset(),
            // Unix milliseconds always map to one instant; only out-of-range
            // values (year > 262143) end here, and they get the epoch.
            chrono::LocalResult::None => DateTime::UNIX_EPOCH.fixed_offset(),
        }
    }
}
