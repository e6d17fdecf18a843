//! The simulator: turns a plan into an endless (or `days`-long) stream of
//! `(house_ms, Report)` in time order.
//!
//! Memory stays bounded: one heartbeat per sensor waits in a priority queue,
//! and a day's life is planned only when the stream reaches that day's
//! local midnight (everything planned for a day happens at or after it).
//! Each day draws from its own random stream of the seed, and ties in time
//! keep the order things were planned in, so a scenario, a house, a seed and
//! a start time always give the same stream.

use super::emit::Emit;
use super::faults::{FaultBook, Window};
use super::resolve::{Plan, resolve};
use super::rng::Rng;
use super::routines::{Ctx, Household, Place, Task};
use super::scenario::{Routine, RoutineDays, ScenarioError, ScenarioFile};
use super::when::{At, Calendar, OnDays, When};
use crate::report::Report;
use chrono::Weekday;
use homesec_config::Config;
use homesec_ipc::SensorState;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt;

/// When the alarm is first set after the start (past the first heartbeats).
const SETTLE_AFTER_MS: i64 = 5_000;

/// A queued report: ordered by time, then by when it was planned.
#[derive(Debug)]
struct Due {
    at: i64,
    seq: u64,
    emit: Emit,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// A scenario running against a house: an iterator of `(house_ms, Report)`,
/// non-decreasing in time, that ends only when a scenario with `days` is
/// over. `Debug` shows progress only: the queue holds codes.
pub struct Simulator {
    plan: Plan,
    calendar: Calendar,
    seed: u64,
    queue: BinaryHeap<Reverse<Due>>,
    seq: u64,
    /// The next day to plan (0 = the start's date) and its midnight.
    next_day: u32,
    next_day_start: i64,
    /// The end of the last day, for a scenario with `days`.
    end_ms: Option<i64>,
    faults: FaultBook,
    household: Household,
    finished: bool,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("start_ms", &self.calendar.start_ms)
            .field("days_planned", &self.next_day)
            .field("queued", &self.queue.len())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Binds `scenario` to `house` (every sensor it names exists, is
    /// simulated and fits its use; every occupant's code is a user's code)
    /// and starts it at `start_house_ms` (unix ms of house time).
    pub fn new(
        scenario: &ScenarioFile,
        house: &Config,
        seed: u64,
        start_house_ms: i64,
    ) -> Result<Simulator, ScenarioError> {
        let plan = resolve(scenario, house)?;
        let calendar = Calendar::new(start_house_ms).ok_or(ScenarioError::Start {
            start_ms: start_house_ms,
        })?;
        let places = starting_places(&plan, &calendar);
        let end_ms = plan.days.map(|days| calendar.day_start(days));
        let mut simulator = Simulator {
            household: Household::new(places, start_house_ms),
            next_day_start: calendar.day_start(0),
            plan,
            calendar,
            seed,
            queue: BinaryHeap::new(),
            seq: 0,
            next_day: 0,
            end_ms,
            faults: FaultBook::default(),
            finished: false,
        };
        for sensor in 0..simulator.plan.sensors.len() {
            simulator.push(start_house_ms, Emit::Heartbeat(sensor));
        }
        Ok(simulator)
    }

    fn push(&mut self, at: i64, emit: Emit) {
        self.seq += 1;
        let seq = self.seq;
        self.queue.push(Reverse(Due { at, seq, emit }));
    }

    /// Plans days until the earliest queued report lies before the next
    /// unplanned midnight.
    fn plan_ahead(&mut self) {
        let last_day = self.plan.days.unwrap_or(u32::MAX);
        while self.next_day < last_day
            && self
                .queue
                .peek()
                .is_none_or(|Reverse(due)| due.at >= self.next_day_start)
        {
            self.plan_day(self.next_day);
            self.next_day += 1;
            self.next_day_start = self.calendar.day_start(self.next_day);
        }
    }

    fn plan_day(&mut self, day: u32) {
        let mut rng = Rng::stream(self.seed, u64::from(day));
        let mut out = Vec::new();
        let windows: Vec<Window> = self
            .plan
            .faults
            .iter()
            .filter_map(|fault| {
                let from = self.anchor(fault.when, day, &mut rng)?;
                Some(Window {
                    sensor: fault.sensor,
                    kind: fault.kind,
                    from,
                    to: fault.lasts_ms.map_or(i64::MAX, |l| from.saturating_add(l)),
                })
            })
            .collect();
        for window in windows {
            self.faults.add(window);
            out.extend(window.reports());
        }
        let tasks = self.agenda(day, &mut rng);
        let ctx = Ctx {
            plan: &self.plan,
            faults: &self.faults,
        };
        let day = (
            self.calendar.day_start(day),
            self.calendar.day_start(day.saturating_add(1)),
        );
        self.household
            .run_day(&ctx, &tasks, day, &mut rng, &mut out);
        for (at, emit) in out {
            self.push(at, emit);
        }
    }

    /// The day's tasks in time order, each with its (jittered) time.
    fn agenda(&self, day: u32, rng: &mut Rng) -> Vec<(i64, Task)> {
        let mut tasks = Vec::new();
        if day == 0 {
            tasks.push((self.calendar.start_ms + SETTLE_AFTER_MS, Task::Settle));
        }
        let weekday = self.calendar.weekday(day);
        for (who, occupant) in self.plan.occupants.iter().enumerate() {
            for routine in occupant.routines.iter().filter(|r| runs_on(r, weekday)) {
                let when = When {
                    at: At::TimeOfDay(routine.at),
                    days: OnDays::Every,
                    jitter_ms: routine.jitter_ms,
                };
                if let Some(at) = self.anchor(when, day, rng) {
                    let action = routine.action;
                    tasks.push((at, Task::Routine { who, action }));
                }
            }
        }
        for (index, intrusion) in self.plan.intrusions.iter().enumerate() {
            if let Some(at) = self.anchor(intrusion.when, day, rng) {
                tasks.push((at, Task::Intrusion(index)));
            }
        }
        for (index, line) in self.plan.keypad.iter().enumerate() {
            if let Some(at) = self.anchor(line.when, day, rng) {
                tasks.push((at, Task::Keypad(index)));
            }
        }
        // Stable: equal times keep the order above.
        tasks.sort_by_key(|&(at, _)| at);
        tasks
    }

    /// When `when` happens on `day`, if it does: its nominal time plus
    /// jitter, kept within the day and not before the start. A time of day
    /// already past at the start does not happen on the first day.
    fn anchor(&self, when: When, day: u32, rng: &mut Rng) -> Option<i64> {
        let start = self.calendar.start_ms;
        let day_start = self.calendar.day_start(day);
        let day_end = self.calendar.day_start(day.saturating_add(1));
        let nominal = match (when.at, when.days) {
            (At::TimeOfDay(_), OnDays::Once(d)) if d != day => return None,
            (At::TimeOfDay(seconds), _) => self.calendar.at(day, seconds),
            (At::Offset(offset), _) => start.saturating_add(offset),
        };
        if nominal < start || nominal < day_start || nominal >= day_end {
            return None;
        }
        let jittered = nominal + rng.between(-when.jitter_ms, when.jitter_ms);
        Some(jittered.clamp(day_start.max(start), day_end - 1))
    }

    fn report(&self, emit: Emit) -> Report {
        match emit {
            Emit::Heartbeat(sensor) => Report::Sensor {
                sensor: self.plan.sensors[sensor].id.clone(),
                state: SensorState::Heartbeat,
            },
            Emit::Sensor { sensor, state, .. } => Report::Sensor {
                sensor: self.plan.sensors[sensor].id.clone(),
                state,
            },
            Emit::Keypad(line) => Report::Keypad(line),
        }
    }
}

impl Iterator for Simulator {
    type Item = (i64, Report);

    /// The next report and the house time it is due at.
    fn next(&mut self) -> Option<(i64, Report)> {
        loop {
            if self.finished {
                return None;
            }
            self.plan_ahead();
            let Reverse(due) = self.queue.pop()?;
            if self.end_ms.is_some_and(|end| due.at >= end) {
                self.finished = true;
                self.queue.clear();
                return None;
            }
            if let Emit::Heartbeat(sensor) = due.emit {
                let interval = self.plan.sensors[sensor].supervision_interval;
                let interval = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
                self.push(due.at.saturating_add(interval.max(1)), due.emit.clone());
            }
            self.faults.forget_before(due.at);
            if !self.faults.swallows(&due.emit, due.at) {
                return Some((due.at, self.report(due.emit)));
            }
        }
    }
}

fn runs_on(routine: &Routine, weekday: Weekday) -> bool {
    let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
    match routine.days {
        RoutineDays::Daily => true,
        RoutineDays::Weekdays => !weekend,
        RoutineDays::Weekends => weekend,
    }
}

/// Where each occupant is at the start: their routines of the day before
/// and of the start's date up to the start, at their nominal times, played
/// from "at home".
fn starting_places(plan: &Plan, calendar: &Calendar) -> Vec<Place> {
    let today = calendar.weekday(0);
    let start_seconds = |seconds: u32| calendar.at(0, seconds) < calendar.start_ms;
    plan.occupants
        .iter()
        .map(|occupant| {
            let mut day_before: Vec<&Routine> = occupant
                .routines
                .iter()
                .filter(|r| runs_on(r, today.pred()))
                .collect();
            let mut so_far: Vec<&Routine> = occupant
                .routines
                .iter()
                .filter(|r| runs_on(r, today) && start_seconds(r.at))
                .collect();
            day_before.sort_by_key(|r| r.at);
            so_far.sort_by_key(|r| r.at);
            day_before
                .into_iter()
                .chain(so_far)
                .fold(Place::Home, |place, r| {
                    place.after(r.action).unwrap_or(place)
                })
        })
        .collect()
}
