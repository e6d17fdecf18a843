//! Per-sensor state: last level state, supervision time, trouble flags,
//! bypass and the swinger count of the current armed period.
//!
//! A sensor writes the records for its own changes: one `sensor` record per
//! accepted report (none for a heartbeat), and a `trouble` record only when a
//! trouble flag actually flips. Its level state is always one its kind accepts.

use super::spec::{Millis, Role, SensorSpec};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{BypassReason, SensorSnapshot, TroubleCondition};
use homesec_ipc::{Mode, SensorKind, SensorState};

/// One sensor of the house and what is known about it.
#[derive(Debug, Clone)]
pub struct Sensor {
    spec: SensorSpec,
    state: SensorState,
    last_seen: Millis,
    last_change: Millis,
    events: u64,
    /// Why it is bypassed, while it is.
    bypass: Option<BypassReason>,
    offline: bool,
    low_battery: bool,
    tamper: bool,
    triggers: u32,
}

impl Sensor {
    /// A sensor at its kind's rest state, last seen (and changed) at `now`.
    pub(super) fn new(spec: SensorSpec, now: Millis) -> Self {
        Sensor {
            state: spec.kind.rest_state(),
            spec,
            last_seen: now,
            last_change: now,
            events: 0,
            bypass: None,
            offline: false,
            low_battery: false,
            tamper: false,
            triggers: 0,
        }
    }

    /// Sensor id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// Zone id.
    pub fn zone(&self) -> &str {
        &self.spec.zone
    }

    /// What the sensor physically is.
    pub fn kind(&self) -> SensorKind {
        self.spec.kind
    }

    /// The spec it was configured with.
    pub fn spec(&self) -> &SensorSpec {
        &self.spec
    }

    /// Its last level state (its kind's rest state until it reports one).
    pub fn state(&self) -> SensorState {
        self.state
    }

    /// Bypassed until the next disarm (or an un-bypass).
    pub fn bypassed(&self) -> bool {
        self.bypass.is_some()
    }

    /// Why it is bypassed, while it is.
    pub fn bypass_reason(&self) -> Option<BypassReason> {
        self.bypass
    }

    /// Silent past its supervision timeout.
    pub fn offline(&self) -> bool {
        self.offline
    }

    /// Its last battery report was `low-battery`.
    pub fn low_battery(&self) -> bool {
        self.low_battery
    }

    /// It reported `tamper` and no level state since.
    pub fn tamper(&self) -> bool {
        self.tamper
    }

    /// Reports accepted from it (heartbeats included) since the house was built.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// When its level state last changed (or the house first saw it).
    pub fn last_change(&self) -> Millis {
        self.last_change
    }

    /// When it last reported anything (or the house first saw it).
    pub fn last_seen(&self) -> Millis {
        self.last_seen
    }

    /// Its trouble conditions in force.
    pub fn trouble(&self) -> Vec<TroubleCondition> {
        [
            (self.offline, TroubleCondition::Offline),
            (self.low_battery, TroubleCondition::LowBattery),
            (self.tamper, TroubleCondition::Tamper),
        ]
        .into_iter()
        .filter_map(|(on, condition)| on.then_some(condition))
        .collect()
    }

    /// Whether it counts in `mode` (`None`: disarmed), per ALARM.md "Modes".
    pub fn counts_in(&self, mode: Option<Mode>) -> bool {
        match (self.spec.role, mode) {
            (Role::TwentyFourHour, _) => true,
            (_, None) => false,
            (Role::Perimeter, Some(_)) => true,
            (Role::Interior, Some(Mode::Away)) => true,
            (Role::Interior, Some(Mode::Night)) => self.spec.night,
            (Role::Interior, Some(Mode::Home)) => false,
        }
    }

    /// Whether it is in the way of arming: active, tampered or offline.
    pub(super) fn faulted(&self) -> bool {
        self.still_active() || self.offline
    }

    /// Whether it would raise an alarm again: active level or tampered.
    pub(super) fn still_active(&self) -> bool {
        self.state.is_active() || self.tamper
    }

    pub(super) fn triggers(&self) -> u32 {
        self.triggers
    }

    /// Accepts a report the kind accepts: refreshes supervision, counts it,
    /// records it (not a heartbeat) and updates the level and trouble flags.
    pub(super) fn report(
        &mut self,
        now: Millis,
        state: SensorState,
        source: &str,
        out: &mut Vec<Event>,
    ) {
        self.events = self.events.saturating_add(1);
        self.last_seen = now;
        if state != SensorState::Heartbeat {
            out.push(Event::Sensor {
                sensor: self.spec.id.clone(),
                zone: self.spec.zone.clone(),
                sensor_kind: self.spec.kind,
                state,
                source: source.to_string(),
            });
        }
        self.set_trouble(TroubleCondition::Offline, false, out);
        match state {
            SensorState::Heartbeat => {}
            SensorState::LowBattery => self.set_trouble(TroubleCondition::LowBattery, true, out),
            SensorState::BatteryOk => self.set_trouble(TroubleCondition::LowBattery, false, out),
            SensorState::Tamper => self.set_trouble(TroubleCondition::Tamper, true, out),
            level => {
                if level != self.state {
                    self.state = level;
                    self.last_change = now;
                }
                self.set_trouble(TroubleCondition::Tamper, false, out);
            }
        }
    }

    /// Sets a trouble flag, writing a `trouble` record only when it flips.
    pub(super) fn set_trouble(
        &mut self,
        condition: TroubleCondition,
        active: bool,
        out: &mut Vec<Event>,
    ) {
        let flag = match condition {
            TroubleCondition::Offline => &mut self.offline,
            TroubleCondition::LowBattery => &mut self.low_battery,
            TroubleCondition::Tamper => &mut self.tamper,
        };
        if *flag == active {
            return;
        }
        *flag = active;
        out.push(Event::Trouble {
            sensor: self.spec.id.clone(),
            zone: self.spec.zone.clone(),
            condition,
            active,
        });
    }

    /// Bypasses it until the next disarm, writing the `bypass` record; a
    /// sensor already bypassed is left alone.
    pub(super) fn bypass(
        &mut self,
        reason: BypassReason,
        user: Option<&str>,
        source: &str,
        out: &mut Vec<Event>,
    ) {
        if self.bypass.is_some() {
            return;
        }
        self.bypass = Some(reason);
        out.push(Event::Bypass {
            sensor: self.spec.id.clone(),
            reason,
            user: user.map(str::to_string),
            source: source.to_string(),
        });
    }

    /// Ends its bypass, writing the `unbypass` record: it counts again from
    /// its next report on. A sensor not bypassed is left alone.
    pub(super) fn unbypass(&mut self, user: Option<&str>, source: &str, out: &mut Vec<Event>) {
        if self.bypass.take().is_none() {
            return;
        }
        out.push(Event::Unbypass {
            sensor: self.spec.id.clone(),
            user: user.map(str::to_string),
            source: source.to_string(),
        });
    }

    /// Counts one trigger (entry delay or alarm) it caused in this armed period.
    pub(super) fn count_trigger(&mut self) {
        self.triggers = self.triggers.saturating_add(1);
    }

    /// Ends the armed period: no bypass, no triggers counted.
    pub(super) fn end_period(&mut self) {
        self.bypass = None;
        self.triggers = 0;
    }

    /// Takes a reloaded spec for the same id; a level state the new kind does
    /// not accept becomes its rest state, and an unsupervised sensor is not offline.
    pub(super) fn respec(&mut self, spec: SensorSpec, out: &mut Vec<Event>) {
        if !spec.kind.accepts(self.state) {
            self.state = spec.kind.rest_state();
        }
        self.spec = spec;
        if self.spec.supervision_timeout.is_zero() {
            self.set_trouble(TroubleCondition::Offline, false, out);
        }
    }

    /// Its entry in a status snapshot.
    pub(super) fn snapshot(&self) -> SensorSnapshot {
        SensorSnapshot {
            id: self.spec.id.clone(),
            state: self.state,
            bypassed: self.bypassed(),
            trouble: self.trouble(),
            events: self.events,
        }
    }
}
