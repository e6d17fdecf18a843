//! The controller's clocks: house time for deadlines, wall time for what
//! records say.
//!
//! Every deadline — exit and entry delays, the trigger duration,
//! supervision, the code lockout — runs on **house time**, which advances
//! with the monotonic clock (`CLOCK_MONOTONIC` through [`Instant`], scaled
//! by `--speed` in a simulation) and never jumps: a Pi without a clock
//! battery that steps its wall clock by a day when NTP answers must not
//! trigger an entry delay at once, nor put every sensor offline.
//!
//! **Shown time** is what records, the status segment and the journal's day
//! files say. In a real house it is house time plus an offset that follows
//! the wall clock: [`Clock::check_wall`] compares the two at every turn of
//! the house task, and a difference of more than [`STEP`] is a wall-clock
//! step, taken into the offset and returned so that it becomes a `clock`
//! record. In a simulation shown time is house time, and a step only moves
//! the origin published in the status header (`homesec_ipc::clock`), so
//! that the other processes, which compute house time from their wall
//! clocks, keep agreeing with the controller.

use chrono::{DateTime, FixedOffset, Local, TimeZone};
use homesec_ipc::clock::HouseClock;
use std::time::{Duration, Instant};

/// Unix milliseconds of house time: the unit of time inside the controller.
pub type Millis = i64;

/// A difference between the wall clock and where it should be, beyond which
/// it stepped (rather than drifted, which NTP slews away).
pub const STEP: Millis = 2_000;

/// The controller's clock (see the module doc).
#[derive(Debug, Clone)]
pub struct Clock {
    speed: f64,
    /// The monotonic instant at which house time read `origin_house`.
    origin_mono: Instant,
    origin_house: Millis,
    /// The wall clock at `origin_mono` (moved by each step).
    origin_wall: Millis,
    /// Shown time minus house time (real houses only; moved by each step).
    offset: Millis,
    simulated: bool,
    /// Where the wall time comes from (a seam for tests).
    wall: fn() -> Millis,
}

/// A step of the wall clock: where it was expected, and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Shown time just before the step (the wall clock as it would have read).
    pub from: Millis,
    /// Shown time just after it (the wall clock now).
    pub to: Millis,
}

impl Clock {
    /// A clock that follows `house` from now on.
    pub fn new(house: HouseClock) -> Clock {
        Clock::with_wall(house, homesec_ipc::clock::wall_ms)
    }

    /// A clock that reads the wall clock from `wall` (tests step it).
    pub fn with_wall(house: HouseClock, wall: fn() -> Millis) -> Clock {
        let wall_now = wall();
        Clock {
            speed: house.speed,
            origin_mono: Instant::now(),
            origin_house: house.at(wall_now),
            origin_wall: wall_now,
            offset: 0,
            simulated: house.is_simulated(),
            wall,
        }
    }

    /// House time now: monotonic, scaled by the speed.
    pub fn now_ms(&self) -> Millis {
        let elapsed = self.origin_mono.elapsed().as_secs_f64() * 1000.0 * self.speed;
        self.origin_house.saturating_add(elapsed as Millis)
    }

    /// How long, in real (monotonic) time, until house time reads `at`.
    pub fn until(&self, at: Millis) -> Duration {
        let house = at.saturating_sub(self.now_ms()).max(0) as f64;
        Duration::try_from_secs_f64(house / self.speed / 1000.0).unwrap_or(Duration::MAX)
    }

    /// The monotonic instant at which house time reads `at`.
    pub fn instant_of(&self, at: Millis) -> Instant {
        Instant::now()
            .checked_add(self.until(at))
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365))
    }

    /// Shown time of a house time: what records and the status say.
    pub fn shown(&self, ms: Millis) -> Millis {
        ms.saturating_add(self.offset)
    }

    /// A house time as the timestamp a record shows, in the local zone.
    pub fn timestamp(&self, ms: Millis) -> DateTime<FixedOffset> {
        self.stamp(self.shown(ms))
    }

    /// A shown time in the local zone.
    pub fn stamp(&self, shown: Millis) -> DateTime<FixedOffset> {
        match Local.timestamp_millis_opt(shown) {
            chrono::LocalResult::Single(t) => t.fixed_offset(),
            chrono::LocalResult::Ambiguous(t, _) => t.fixed_offset(),
            // Unix milliseconds always map to one instant; only out-of-range
            // values (year > 262143) end here, and they get the epoch.
            chrono::LocalResult::None => DateTime::UNIX_EPOCH.fixed_offset(),
        }
    }

    /// The house clock as the status header publishes it, for the other
    /// processes: the wall clock itself for a real house, else the origin
    /// and speed they compute house time from.
    pub fn published(&self) -> HouseClock {
        if !self.simulated {
            return HouseClock::REAL;
        }
        let elapsed = self.origin_mono.elapsed().as_millis();
        let elapsed = Millis::try_from(elapsed).unwrap_or(Millis::MAX);
        HouseClock {
            origin_wall_ms: self.origin_wall.saturating_add(elapsed),
            origin_house_ms: self.now_ms(),
            speed: self.speed,
        }
    }

    /// Whether the house clock is simulated.
    pub fn is_simulated(&self) -> bool {
        self.simulated
    }

    /// Compares the wall clock with where it should be; a difference of
    /// more than [`STEP`] is a step, taken into the shown time (or, in a
    /// simulation, into the published origin) and returned.
    pub fn check_wall(&mut self) -> Option<Step> {
        let elapsed = Millis::try_from(self.origin_mono.elapsed().as_millis()).unwrap_or(0);
        let expected = self.origin_wall.saturating_add(elapsed);
        let actual = (self.wall)();
        let jump = actual.saturating_sub(expected);
        if jump.abs() <= STEP {
            return None;
        }
        self.origin_wall = self.origin_wall.saturating_add(jump);
        let step = if self.simulated {
            Step {
                from: self.now_ms(),
                to: self.now_ms(),
            }
        } else {
            let now = self.now_ms();
            let from = self.shown(now);
            self.offset = self.offset.saturating_add(jump);
            Step {
                from,
                to: self.shown(now),
            }
        };
        tracing::warn!(
            jump_ms = jump,
            "the wall clock stepped by {}; timers run on, records show the new time",
            describe(jump)
        );
        Some(step)
    }
}

/// A signed duration in words: `+1d 0h`, `-5m 3s`.
fn describe(ms: Millis) -> String {
    let sign = if ms < 0 { '-' } else { '+' };
    let s = ms.unsigned_abs() / 1000;
    match s {
        0..60 => format!("{sign}{}ms", ms.unsigned_abs()),
        60..3600 => format!("{sign}{}m {}s", s / 60, s % 60),
        3600..86_400 => format!("{sign}{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{sign}{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    /// The fake wall clock of the step tests.
    static WALL: AtomicI64 = AtomicI64::new(1_800_000_000_000);

    fn fake_wall() -> Millis {
        WALL.load(Ordering::SeqCst)
    }

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

    #[test]
    fn a_wall_clock_step_moves_what_records_show_never_the_deadlines() {
        let mut clock = Clock::with_wall(HouseClock::REAL, fake_wall);
        let start = clock.now_ms();
        assert_eq!(clock.check_wall(), None);
        let deadline = start + 10_000;
        // NTP answers: the wall clock jumps a day ahead.
        WALL.fetch_add(86_400_000, Ordering::SeqCst);
        let step = clock.check_wall().expect("a step is seen");
        assert!((step.to - step.from - 86_400_000).abs() < 1_000, "{step:?}");
        // House time did not jump: the entry delay still has ~10 s to run.
        assert!(clock.now_ms() - start < 1_000);
        assert!(clock.until(deadline) > Duration::from_secs(8));
        // What records show did.
        assert!((clock.shown(clock.now_ms()) - fake_wall()).abs() < 1_000);
        assert_eq!(clock.check_wall(), None, "seen once");
        // And back again (a second step), a day less.
        WALL.fetch_sub(86_400_000, Ordering::SeqCst);
        let back = clock.check_wall().expect("the step back is seen");
        assert!(back.to < back.from);
        assert!(clock.until(deadline) > Duration::from_secs(8));
    }

    #[test]
    fn describes_steps_in_words() {
        assert_eq!(describe(86_400_000 + 3_600_000), "+1d 1h");
        assert_eq!(describe(-65_000), "-1m 5s");
        assert_eq!(describe(2_500), "+2500ms");
    }
}
