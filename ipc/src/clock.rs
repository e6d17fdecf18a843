//! The house clock: the one time every homesec process agrees on.
//!
//! On a real house it is the wall clock. In a simulation the controller
//! runs it faster (`--speed N`) from a chosen start (`--start`), and
//! publishes it in the status segment header as three numbers:
//!
//! ```text
//! house_ms = origin_house_ms + (wall_ms - origin_wall_ms) × speed
//! ```
//!
//! so the sensors, `homesecctl` and anyone else compute the same "now"
//! without asking. All values are unix milliseconds; `speed` is a float
//! (1.0 is real time). A segment that holds zeros here means real time.

use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The house clock's definition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HouseClock {
    /// The wall-clock time at which the house clock read `origin_house_ms`.
    pub origin_wall_ms: i64,
    /// The house time at `origin_wall_ms`.
    pub origin_house_ms: i64,
    /// House milliseconds per wall millisecond.
    pub speed: f64,
}

/// The speeds a house clock may run at.
pub const SPEEDS: std::ops::RangeInclusive<f64> = 0.001..=1_000_000.0;

/// The times homesec works with, unix ms: from 1970 to the last
/// millisecond of the year 9999 (what a four-digit year and every date
/// library can show). A simulation starts inside it, and a reader takes a
/// time outside it in shared memory as a sign of damage, not as a time.
pub const TIMES: std::ops::RangeInclusive<i64> = 0..=253_402_300_799_999;

impl Default for HouseClock {
    fn default() -> Self {
        HouseClock::REAL
    }
}

impl HouseClock {
    /// The wall clock itself.
    pub const REAL: HouseClock = HouseClock {
        origin_wall_ms: 0,
        origin_house_ms: 0,
        speed: 1.0,
    };

    /// A clock that reads `start_house_ms` now and runs at `speed`.
    pub fn starting(start_house_ms: i64, speed: f64) -> HouseClock {
        HouseClock {
            origin_wall_ms: wall_ms(),
            origin_house_ms: start_house_ms,
            speed,
        }
    }

    /// The house time at a wall-clock time. Saturates rather than
    /// overflowing: the numbers may come from a damaged segment.
    pub fn at(&self, wall_ms: i64) -> i64 {
        // `as i64` saturates (and NaN becomes 0), so no input can overflow.
        let elapsed = wall_ms.saturating_sub(self.origin_wall_ms) as f64 * self.speed;
        self.origin_house_ms.saturating_add(elapsed as i64)
    }

    /// The house time now.
    pub fn now_ms(&self) -> i64 {
        self.at(wall_ms())
    }

    /// How long to wait, in wall time, for `house_ms` of house time to pass.
    pub fn wall_duration(&self, house_ms: i64) -> Duration {
        let wall = house_ms.max(0) as f64 / self.speed;
        Duration::try_from_secs_f64(wall / 1000.0).unwrap_or(Duration::MAX)
    }

    /// Whether this runs faster or slower than the wall clock, or from
    /// another start.
    pub fn is_simulated(&self) -> bool {
        *self != HouseClock::REAL
    }

    /// The clock a status header describes: zeros (or a speed outside
    /// [`SPEEDS`]) mean real time.
    pub fn from_header(origin_wall_ms: i64, origin_house_ms: i64, speed: f64) -> HouseClock {
        if SPEEDS.contains(&speed) {
            HouseClock {
                origin_wall_ms,
                origin_house_ms,
                speed,
            }
        } else {
            HouseClock::REAL
        }
    }
}

/// The wall clock, unix milliseconds.
pub fn wall_ms() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_time_is_the_wall_clock() {
        assert_eq!(HouseClock::REAL.at(1_700_000_000_123), 1_700_000_000_123);
        assert!(!HouseClock::REAL.is_simulated());
        assert_eq!(HouseClock::from_header(0, 0, 0.0), HouseClock::REAL);
        assert_eq!(HouseClock::from_header(5, 7, 1e-12), HouseClock::REAL);
        assert_eq!(HouseClock::from_header(5, 7, f64::NAN), HouseClock::REAL);
        // A huge wait saturates instead of panicking.
        let slow = HouseClock {
            origin_wall_ms: 0,
            origin_house_ms: 0,
            speed: 1e-300,
        };
        assert_eq!(slow.wall_duration(i64::MAX), Duration::MAX);
    }

    #[test]
    fn a_fast_clock_runs_from_its_origin() {
        let day_start = 1_800_000_000_000;
        let clock = HouseClock {
            origin_wall_ms: 1_000,
            origin_house_ms: day_start,
            speed: 1440.0,
        };
        // One wall minute is one house day.
        assert_eq!(clock.at(61_000), day_start + 86_400_000);
        assert_eq!(clock.wall_duration(86_400_000), Duration::from_secs(60));
        assert!(clock.is_simulated());
    }
}
