//! The controller's clock: what time it is in the house, for timestamps,
//! timers, supervision and the day rotation of the event log.
//!
//! Everything that needs "now" asks this clock. On a real house it is the
//! wall clock; with `--sim --speed N --start T` it runs N times faster from
//! T, and the status segment publishes its definition so that every other
//! process shares the same time (see `homesec_ipc::clock`).

use chrono::{DateTime, FixedOffset, Local, TimeZone};
use homesec_ipc::clock::HouseClock;
use std::time::Duration;

/// Unix milliseconds of house time: the unit of time inside the controller.
pub type Millis = i64;

/// The house clock, in the local time zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    house: HouseClock,
}

impl Clock {
    /// A clock that follows `house`.
    pub fn new(house: HouseClock) -> Clock {
        Clock { house }
    }

    /// Its definition, as published in the status segment.
    pub fn house(&self) -> HouseClock {
        self.house
    }

    /// Now, in unix milliseconds of house time.
    pub fn now_ms(&self) -> Millis {
        self.house.now_ms()
    }

    /// How long, in wall time, until the house clock reads `at`.
    pub fn until(&self, at: Millis) -> Duration {
        self.house.wall_duration(at - self.now_ms())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_clock_shortens_waits_by_its_speed() {
        let clock = Clock::new(HouseClock::starting(1_800_000_000_000, 1440.0));
        let now = clock.now_ms();
        // A house day is a wall minute, give or take the time this test took.
        let wait = clock.until(now + 86_400_000);
        assert!(
            wait <= Duration::from_secs(60) && wait > Duration::from_secs(59),
            "{wait:?}"
        );
    }
}
