//! The simulator as a [`Backend`]: reports stamped with a house time go out
//! when the house clock reaches it; the loop waits the wall time that the
//! clock's speed makes of the gap. When the controller restarts with a
//! clock that jumped (another start or speed), the scenario starts over at
//! the new house time rather than flood or stall.

use crate::backend::{Backend, Edge};
use crate::report::Report;
use homesec_ipc::SensorState;
use homesec_ipc::clock::HouseClock;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The next report and its house time (unix ms), until the scenario ends.
pub type Feed = Box<dyn FnMut() -> Option<(i64, Report)>>;

/// Makes a feed whose scenario starts at a house time (unix ms).
pub type StartFeed = Box<dyn FnMut(i64) -> Feed>;

/// A clock change smaller than this keeps the scenario running.
const RESTART_JUMP_MS: i64 = 60_000;

/// Reports scheduled by house time.
pub struct Scheduled {
    start: StartFeed,
    feed: Feed,
    next: Option<(i64, Report)>,
    /// The last level state and the last battery state sent, per sensor.
    sent: BTreeMap<(String, bool), SensorState>,
}

impl Scheduled {
    /// Starts the scenario at the house time `start_ms`.
    pub fn new(mut start: StartFeed, start_ms: i64) -> Scheduled {
        let mut feed = start(start_ms);
        let next = feed();
        Scheduled {
            start,
            feed,
            next,
            sent: BTreeMap::new(),
        }
    }
}

impl Scheduled {
    /// Drops the reports due before `house_ms`: the past of a scenario that
    /// a restarted process plays from its origin again.
    pub fn skip_before(&mut self, house_ms: i64) -> usize {
        let mut skipped = 0;
        while self.next.as_ref().is_some_and(|(at, _)| *at < house_ms) {
            self.next = (self.feed)();
            skipped += 1;
        }
        skipped
    }
}

impl Backend for Scheduled {
    fn due(&mut self, _now: Instant, clock: &HouseClock, out: &mut Vec<Report>) {
        let house_now = clock.now_ms();
        while let Some((at, _)) = &self.next {
            if *at > house_now {
                return;
            }
            if let Some((_, report)) = self.next.take() {
                self.remember(&report);
                out.push(report);
            }
            self.next = (self.feed)();
        }
    }

    fn next_due(&self, now: Instant, clock: &HouseClock) -> Option<Instant> {
        let (at, _) = self.next.as_ref()?;
        let wait = clock.wall_duration(at.saturating_sub(clock.now_ms()));
        // Clamp what a far-future stamp or a crawling clock could make of it.
        Some(now + wait.min(Duration::from_secs(86_400)))
    }

    fn on_edge(&mut self, _edge: Edge, _out: &mut Vec<Report>) {}

    fn clock_changed(&mut self, old: &HouseClock, new: &HouseClock) {
        let (was, is) = (old.now_ms(), new.now_ms());
        if (is - was).abs() < RESTART_JUMP_MS {
            return;
        }
        tracing::info!(
            jump_ms = is - was,
            speed = new.speed,
            "the house clock jumped: restarting the scenario at the new house time"
        );
        self.feed = (self.start)(is);
        self.next = (self.feed)();
    }

    fn finished(&self) -> bool {
        self.next.is_none()
    }

    fn current(&self, out: &mut Vec<Report>) {
        out.extend(self.sent.iter().map(|((sensor, _), state)| Report::Sensor {
            sensor: sensor.clone(),
            state: *state,
        }));
    }
}

impl Scheduled {
    /// Notes a sensor's level or battery state as the one it has now.
    fn remember(&mut self, report: &Report) {
        let Report::Sensor { sensor, state } = report else {
            return;
        };
        let battery = matches!(state, SensorState::LowBattery | SensorState::BatteryOk);
        if state.is_level() || battery {
            self.sent.insert((sensor.clone(), battery), *state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_ipc::clock::wall_ms;

    fn report(n: u8) -> Report {
        Report::Keypad(format!("@disarm 123{n}"))
    }

    /// Reports 1 s, 2 s and 3 s of house time after the start.
    fn start() -> StartFeed {
        Box::new(|start_ms| {
            let mut n = 0u8;
            Box::new(move || {
                n += 1;
                (n <= 3).then(|| (start_ms + 1_000 * i64::from(n), report(n)))
            })
        })
    }

    fn clock_at(house_ms: i64, speed: f64) -> HouseClock {
        HouseClock {
            origin_wall_ms: wall_ms(),
            origin_house_ms: house_ms,
            speed,
        }
    }

    #[test]
    fn reports_go_out_when_the_house_clock_reaches_them() {
        let mut sched = Scheduled::new(start(), 0);
        let now = Instant::now();
        let mut out = Vec::new();
        sched.due(now, &clock_at(1_500, 0.001), &mut out);
        assert_eq!(out, [report(1)]);
        sched.due(now, &clock_at(10_000, 0.001), &mut out);
        assert_eq!(out, [report(1), report(2), report(3)]);
        assert!(sched.finished());
        assert_eq!(sched.next_due(now, &clock_at(10_000, 1.0)), None);
    }

    #[test]
    fn a_late_start_skips_the_past_instead_of_replaying_it() {
        let mut sched = Scheduled::new(start(), 0);
        assert_eq!(sched.skip_before(2_500), 2);
        let mut out = Vec::new();
        sched.due(Instant::now(), &clock_at(10_000, 0.001), &mut out);
        assert_eq!(out, [report(3)]);
    }

    #[test]
    fn the_wait_is_house_time_divided_by_the_speed() {
        let sched = Scheduled::new(start(), 0);
        let now = Instant::now();
        // 1 s of house time at 1000× is about 1 ms of wall time.
        let fast = sched.next_due(now, &clock_at(0, 1000.0)).expect("due");
        assert!(fast - now <= Duration::from_millis(2), "{:?}", fast - now);
        let real = sched.next_due(now, &clock_at(0, 1.0)).expect("due");
        assert!(real - now > Duration::from_millis(900), "{:?}", real - now);
    }

    #[test]
    fn a_clock_jump_restarts_the_scenario_at_the_new_time() {
        let mut sched = Scheduled::new(start(), 0);
        let mut out = Vec::new();
        let now = Instant::now();
        sched.due(now, &clock_at(3_000, 0.001), &mut out);
        assert!(sched.finished());
        let day = 86_400_000;
        sched.clock_changed(&clock_at(3_000, 1.0), &clock_at(day, 1.0));
        out.clear();
        sched.due(now, &clock_at(day + 1_000, 0.001), &mut out);
        assert_eq!(out, [report(1)]);
        // A small change keeps the scenario where it is.
        sched.clock_changed(&clock_at(day, 1.0), &clock_at(day + 10, 1.0));
        sched.due(now, &clock_at(day + 2_000, 0.001), &mut out);
        assert_eq!(out, [report(1), report(2)]);
    }
}
