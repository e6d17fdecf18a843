//! The alarm state over time: what it was at the period's start (from the
//! records before it), the segments it cut the period into, and the list
//! of arming changes. A `start` record means the controller began
//! disarmed (a restore record follows when it takes up an armed state); a
//! snapshot states the state outright.

use super::window::{Phase, Window, ms_between};
use crate::model::{Capped, Change, ChangeAction, Segment, StateAt, Time, Timeline};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{BypassReason, Cause};
use homesec_ipc::{AlarmState, Mode};

/// Most segments kept (the rest still count in `armed_ms`).
const MAX_SEGMENTS: usize = 2000;
/// Most arming changes kept.
const MAX_CHANGES: usize = 500;
/// Most sensors named on one change.
const MAX_SENSORS: usize = 16;

/// Builds the [`Timeline`].
#[derive(Debug)]
pub struct TimelineBuilder {
    now: StateAt,
    at_start: Option<StateAt>,
    segment_start: Option<Time>,
    armed_ms: u64,
    segments: Capped<Segment>,
    changes: Capped<Change>,
}

impl TimelineBuilder {
    /// Nothing known yet.
    pub fn new() -> Self {
        TimelineBuilder {
            now: StateAt {
                state: None,
                mode: None,
                since: None,
            },
            at_start: None,
            segment_start: None,
            armed_ms: 0,
            segments: Capped::default(),
            changes: Capped::default(),
        }
    }

    /// The alarm state now.
    pub fn state(&self) -> StateAt {
        self.now
    }

    /// Marks the period's start: the state now is the state at the start.
    pub fn cross_start(&mut self, start: Time) {
        self.at_start = Some(self.now);
        self.segment_start = Some(start);
    }

    /// Takes one record at `ts`.
    pub fn record(&mut self, ts: Time, event: &Event, phase: Phase) {
        match event {
            Event::Alarm {
                to, mode, cause, ..
            } => {
                self.set(ts, Some(*to), *mode);
                if phase == Phase::In {
                    self.change(ts, event, *cause);
                }
            }
            Event::Start { .. } => self.set(ts, Some(AlarmState::Disarmed), None),
            Event::Snapshot { state, mode, .. }
                if self.now.state != Some(*state) || self.now.mode != *mode =>
            {
                self.set(ts, Some(*state), *mode);
            }
            Event::ArmRefused {
                mode,
                sensors,
                user,
                source,
            } if phase == Phase::In => self.changes.push(
                MAX_CHANGES,
                Change {
                    at: ts,
                    action: ChangeAction::Refused,
                    state: None,
                    mode: Some(*mode),
                    user: user.clone(),
                    source: source.clone(),
                    delay_ms: None,
                    sensors: sensors.iter().take(MAX_SENSORS).cloned().collect(),
                },
            ),
            Event::Bypass {
                sensor,
                reason: BypassReason::Forced,
                ..
            } if phase == Phase::In => self.forced_bypass(sensor),
            _ => {}
        }
    }

    fn set(&mut self, ts: Time, state: Option<AlarmState>, mode: Option<Mode>) {
        if let Some(start) = self.segment_start {
            self.close_segment(start, ts);
            self.segment_start = Some(ts);
        }
        self.now = StateAt {
            state,
            mode,
            since: Some(ts),
        };
    }

    fn close_segment(&mut self, start: Time, end: Time) {
        if end <= start {
            return;
        }
        if self.now.mode.is_some() {
            self.armed_ms += ms_between(start, end);
        }
        self.segments.push(
            MAX_SEGMENTS,
            Segment {
                start,
                end,
                state: self.now.state,
                mode: self.now.mode,
            },
        );
    }

    fn change(&mut self, ts: Time, event: &Event, cause: Cause) {
        let Event::Alarm {
            to,
            mode,
            user,
            delay_ms,
            source,
            ..
        } = event
        else {
            return;
        };
        let action = match cause {
            Cause::Arm => ChangeAction::Arm,
            Cause::ExitDelay => ChangeAction::Armed,
            Cause::Disarm => ChangeAction::Disarm,
            Cause::Restore => ChangeAction::Restore,
            Cause::TriggerTimeout if *to == AlarmState::Disarmed => ChangeAction::AlarmEnded,
            _ => return,
        };
        self.changes.push(
            MAX_CHANGES,
            Change {
                at: ts,
                action,
                state: Some(*to),
                mode: *mode,
                user: user.clone(),
                source: source.clone(),
                delay_ms: if action == ChangeAction::Arm {
                    *delay_ms
                } else {
                    None
                },
                sensors: Vec::new(),
            },
        );
    }

    /// A forced arm's bypasses follow its arm record: name them on it.
    fn forced_bypass(&mut self, sensor: &str) {
        if let Some(last) = self.changes.items.last_mut() {
            if last.action == ChangeAction::Arm && last.sensors.len() < MAX_SENSORS {
                last.sensors.push(sensor.to_string());
            }
        }
    }

    /// The finished timeline; `cross_start` must have been called.
    pub fn finish(mut self, window: &Window) -> Timeline {
        if let Some(start) = self.segment_start {
            self.close_segment(start, window.until);
        }
        Timeline {
            at_start: self.at_start.unwrap_or(self.now),
            at_end: self.now,
            armed_ms: self.armed_ms,
            segments: self.segments,
            changes: self.changes,
        }
    }
}
