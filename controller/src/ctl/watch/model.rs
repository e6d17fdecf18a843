//! What the dashboard shows, as plain values: built from a reading of the
//! status segment, the recent event log records and the wall clock, with
//! no terminal in sight. The TUI (`view.rs`) and the plain listing
//! (`plain.rs`) draw the same [`Dashboard`], and tests check it directly.
//!
//! Every text that came from outside (ids, zones, event fields) is made
//! printable here, so neither renderer can be made to drive the terminal.

use crate::ctl::control::{describe, printable};
use crate::ctl::status::{age, clock_time};
use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::record::{Event, Record};
use homesec_ipc::status::{CameraSlot, Liveness, SensorSlot, Snapshot};
use std::collections::VecDeque;

/// How many of the newest records the dashboard keeps.
pub const EVENTS_SHOWN: usize = 20;

/// A reading of the status segment, or why there is none.
pub type Reading = Result<Status, String>;

/// The status segment as one read found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// Whether its controller is alive, judged at the read.
    pub live: Liveness,
    /// How many camera slots the segment has (the snapshot holds the used ones).
    pub camera_slots: u16,
}

/// The newest records the event feed delivered, and what the feed knows of
/// the alarm state's delay.
#[derive(Debug, Default)]
pub struct Recent {
    /// Newest last, at most [`EVENTS_SHOWN`].
    records: VecDeque<Record>,
    /// The newest `alarm` record's new state and delay.
    last_alarm: Option<(AlarmState, Option<u64>)>,
    /// Why the feed is down, while it is.
    problem: Option<String>,
}

impl Recent {
    /// Takes records in `seq` order; those not newer than the newest kept
    /// are dropped (a feed that reconnected may send them again). Clears
    /// the feed's problem: records came.
    pub fn add(&mut self, records: impl IntoIterator<Item = Record>) {
        self.problem = None;
        for record in records {
            if record.seq <= self.newest() {
                continue;
            }
            if let Event::Alarm { to, delay_ms, .. } = &record.event {
                self.last_alarm = Some((*to, *delay_ms));
            }
            if self.records.len() == EVENTS_SHOWN {
                self.records.pop_front();
            }
            self.records.push_back(record);
        }
    }

    /// The feed is down, for this reason.
    pub fn lost(&mut self, reason: String) {
        self.problem = Some(reason);
    }

    /// The feed is up again.
    pub fn found(&mut self) {
        self.problem = None;
    }

    /// Whether the feed is down.
    pub fn is_down(&self) -> bool {
        self.problem.is_some()
    }

    /// The newest `seq` kept, 0 before any.
    pub fn newest(&self) -> u64 {
        self.records.back().map_or(0, |r| r.seq)
    }

    /// The delay that started with `state`, if the newest `alarm` record
    /// entered it and told one.
    fn delay_of(&self, state: AlarmState) -> Option<u64> {
        match self.last_alarm {
            Some((to, delay)) if to == state => delay,
            _ => None,
        }
    }
}

/// Everything on the screen, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// `homesec 'home': controller alive (pid 42)`.
    pub title: String,
    /// House time now, `HH:MM:SS`.
    pub clock: String,
    /// The alarm line.
    pub alarm: Alarm,
    /// One line per system trouble condition.
    pub trouble: Vec<String>,
    /// One row per sensor.
    pub sensors: Vec<SensorRow>,
    /// The camera slots.
    pub cameras: Cameras,
    /// The newest records, newest first.
    pub events: Vec<EventRow>,
    /// Why no new events come, while the feed is down.
    pub events_problem: Option<String>,
}

/// The alarm state and its countdown.
#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    /// The state, when the segment could be read.
    pub state: Option<AlarmState>,
    /// `arming away: exit delay, 25 s left; siren off`, or why there is no
    /// state.
    pub text: String,
}

/// One sensor, each cell as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorRow {
    /// Sensor id.
    pub id: String,
    /// Zone id.
    pub zone: String,
    /// Its last level state.
    pub state: String,
    /// `ok` or `LOW`.
    pub battery: &'static str,
    /// Since it was last heard from: `3s`, `never`.
    pub seen: String,
    /// `OFFLINE`, `TAMPER`, `bypassed`, space separated.
    pub trouble: String,
    /// Its state is an active one (open, motion, alarm, pressed).
    pub active: bool,
    /// Offline, tampered with or low on battery.
    pub faulty: bool,
}

/// The camera slots: how many are in use, and those.
#[derive(Debug, Clone, PartialEq)]
pub struct Cameras {
    /// `cameras: 1 of 2 slots in use`.
    pub summary: String,
    /// One row per slot in use.
    pub rows: Vec<String>,
}

/// One event log record, each cell as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// Its `seq`.
    pub seq: String,
    /// `HH:MM:SS` of its timestamp.
    pub time: String,
    /// Its kind and fields.
    pub what: String,
}

impl Dashboard {
    /// The dashboard of `instance` at wall clock `wall_ms` (unix ms).
    pub fn build(instance: &str, reading: &Reading, recent: &Recent, wall_ms: i64) -> Dashboard {
        let events = recent.records.iter().rev().map(event_row).collect();
        let events_problem = recent.problem.clone();
        let instance = printable(instance);
        let Ok(status) = reading else {
            return Dashboard {
                title: format!("homesec '{instance}': no status"),
                clock: clock_time(wall_ms),
                alarm: Alarm {
                    state: None,
                    text: reading.as_ref().err().cloned().unwrap_or_default(),
                },
                trouble: Vec::new(),
                sensors: Vec::new(),
                cameras: cameras(&[], 0, wall_ms),
                events,
                events_problem,
            };
        };
        let s = &status.snapshot;
        // Every time in the segment but the heartbeat is house time.
        let now = s.clock.at(wall_ms);
        Dashboard {
            title: format!("homesec '{instance}': {}", controller(status)),
            clock: clock_time(now),
            alarm: alarm(s, recent, now),
            trouble: trouble(s),
            sensors: s.sensors.iter().map(|x| sensor_row(x, now)).collect(),
            cameras: cameras(&s.cameras, status.camera_slots, now),
            events,
            events_problem,
        }
    }
}

/// Who runs the house: `controller alive (pid 42)`.
fn controller(status: &Status) -> String {
    let pid = status.snapshot.pid;
    match status.live {
        Liveness::Alive => format!("controller alive (pid {pid})"),
        Liveness::Stopped => format!("controller stopped (was pid {pid})"),
        Liveness::Dead { pid } => format!("controller NOT RUNNING (pid {pid} is gone)"),
        Liveness::Stale { age_ms } => {
            format!(
                "controller NOT RESPONDING (no heartbeat for {})",
                age(age_ms)
            )
        }
    }
}

/// The alarm line at house time `now`: the countdown of a delay when the
/// newest `alarm` record told it, else the time in the state.
fn alarm(s: &Snapshot, recent: &Recent, now: i64) -> Alarm {
    let mode = s.mode.map(|m| format!(" {m}")).unwrap_or_default();
    let in_state = now.saturating_sub(s.since_ms);
    let delay_name = match s.alarm {
        AlarmState::Arming => Some("exit delay"),
        AlarmState::Pending => Some("entry delay"),
        AlarmState::Triggered => Some("alarm time"),
        AlarmState::Disarmed | AlarmState::Armed => None,
    };
    let state = s.alarm;
    let how = match (delay_name, recent.delay_of(state)) {
        (Some(name), Some(delay)) => {
            let delay = i64::try_from(delay).unwrap_or(i64::MAX);
            let left = delay.saturating_sub(in_state).max(0);
            // Rounded up: "1 s left" until the very end.
            format!(": {name}, {} s left", left.saturating_add(999) / 1000)
        }
        (Some(_), None) => format!(" for {} s", in_state / 1000),
        (None, _) => format!(" since {} ({})", clock_time(s.since_ms), age(in_state)),
    };
    let siren = if s.siren { "ON" } else { "off" };
    Alarm {
        state: Some(state),
        text: format!("{state}{mode}{how}; siren {siren}"),
    }
}

/// One short line per active system trouble condition.
fn trouble(s: &Snapshot) -> Vec<String> {
    let t = &s.trouble;
    [
        (
            t.memory_lost,
            "TROUBLE: alarm memory lost at start; a valid code confirms the state".to_string(),
        ),
        (
            t.disk_fault,
            format!(
                "TROUBLE: event log not writable; durable up to seq {}",
                s.logged_seq
            ),
        ),
        (
            t.input_failed,
            "TROUBLE: an input failed and is being restarted".to_string(),
        ),
    ]
    .into_iter()
    .filter_map(|(on, line)| on.then_some(line))
    .collect()
}

fn sensor_row(x: &SensorSlot, now: i64) -> SensorRow {
    let trouble: Vec<&str> = [
        (x.offline, "OFFLINE"),
        (x.tamper, "TAMPER"),
        (x.bypassed, "bypassed"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    SensorRow {
        id: printable(&x.id),
        zone: printable(&x.zone),
        state: x.state.as_str().to_string(),
        battery: if x.low_battery { "LOW" } else { "ok" },
        seen: seen(x.last_seen_ms, now),
        trouble: trouble.join(" "),
        active: x.state.is_active(),
        faulty: x.offline || x.tamper || x.low_battery,
    }
}

/// Since `ms`, or `never` for the zero of a sensor not heard from yet.
fn seen(ms: i64, now: i64) -> String {
    if ms <= 0 {
        "never".to_string()
    } else {
        age(now.saturating_sub(ms))
    }
}

fn cameras(used: &[CameraSlot], slots: u16, now: i64) -> Cameras {
    let summary = match (used.len(), slots) {
        (_, 0) => "cameras: none configured".to_string(),
        (0, _) => format!("cameras: {slots} slots, none connected yet"),
        (n, _) => format!("cameras: {n} of {slots} slots in use"),
    };
    let rows = used
        .iter()
        .map(|c| {
            format!(
                "{:<16} {:<12} {:>8} frames, last {}",
                printable(&c.id),
                if c.connected {
                    "connected"
                } else {
                    "disconnected"
                },
                c.frames,
                seen(c.last_frame_ms, now)
            )
        })
        .collect();
    Cameras { summary, rows }
}

fn event_row(record: &Record) -> EventRow {
    EventRow {
        seq: record.seq.to_string(),
        time: record.ts.format("%H:%M:%S").to_string(),
        what: what(&record.event),
    }
}

/// A record in a few words, the most frequent kinds told the short way
/// (`alarm disarmed -> arming away (arm, resident)`), the rest as
/// `homesecctl events` tells them.
fn what(event: &Event) -> String {
    let text = match event {
        Event::Alarm {
            from,
            to,
            mode,
            cause,
            sensor,
            user,
            ..
        } => {
            let mode = mode.map(|m| format!(" {m}")).unwrap_or_default();
            let why: Vec<String> = std::iter::once(word(cause))
                .chain(sensor.iter().cloned())
                .chain(user.iter().cloned())
                .collect();
            format!("alarm {from} -> {to}{mode} ({})", why.join(", "))
        }
        Event::Sensor {
            sensor,
            zone,
            state,
            ..
        } => format!("sensor {sensor} {state} ({zone})"),
        Event::Code {
            action,
            result,
            user,
            ..
        } => {
            let user = user.as_ref().map(|u| format!(" ({u})")).unwrap_or_default();
            format!("code for {action}: {}{user}", word(result))
        }
        Event::ArmRefused { mode, sensors, .. } => {
            format!("arm {mode} refused: open {}", sensors.join(", "))
        }
        Event::Bypass { sensor, reason, .. } => format!("bypass {sensor} ({})", word(reason)),
        other => return describe(other),
    };
    printable(&text)
}

/// A vocabulary word as the event log spells it (`exit_delay`).
fn word(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests;
