//! The alarm state machine: `disarmed → arming → armed → pending → triggered`
//! and back (ALARM.md, "States"), with the rules that move it.
//!
//! Invariants: `mode` is `Some` exactly while not disarmed, except a 24-hour
//! alarm raised while disarmed (`triggered` with no mode, which returns to
//! `disarmed`). `timer` is the end of the exit delay, entry delay or trigger
//! duration of the current state and `None` in `disarmed` and `armed`. The
//! siren is on while `triggered` unless the alarm was silenced, and while a
//! siren test runs (only ever in `disarmed`); every change of state, even
//! `triggered` raised again, ends a silence and a test. Every change writes
//! one `alarm` record, followed by a `siren` record when the siren switches.

use super::House;
use super::spec::{Entry, Millis, Role, SensorSpec, delay_ms, millis};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{BypassReason, Cause, SirenCause};
use homesec_ipc::{AlarmState, Mode, SensorKind, SensorState};
use std::time::Duration;

/// Source of the changes the machine makes on its own.
const TIMER: &str = "timer";
/// Source of the bypasses the controller decides (swinger limit).
const CONTROLLER: &str = "controller";

/// The sensor that caused a change, as its record names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Origin {
    sensor: String,
    zone: String,
}

impl Origin {
    fn of(spec: &SensorSpec) -> Self {
        Origin {
            sensor: spec.id.clone(),
            zone: spec.zone.clone(),
        }
    }
}

/// Why a change happens, for its `alarm` record.
pub(super) struct Why<'a> {
    pub(super) cause: Cause,
    pub(super) origin: Option<Origin>,
    pub(super) user: Option<String>,
    pub(super) source: &'a str,
}

/// The alarm state and what belongs to it.
#[derive(Debug)]
pub(super) struct Machine {
    pub(super) state: AlarmState,
    pub(super) mode: Option<Mode>,
    pub(super) since: Millis,
    pub(super) timer: Option<Millis>,
    /// The sensor whose entry delay runs, while `pending`.
    entry: Option<Origin>,
    /// Sensors that started the current entry delay or alarm; at the end of
    /// the trigger duration those still active are bypassed.
    culprits: Vec<String>,
    /// The current alarm was silenced: `triggered`, siren off.
    silenced: bool,
    /// The end of the siren test sounding now, if one is.
    pub(super) test_until: Option<Millis>,
}

impl Machine {
    pub(super) fn new(now: Millis) -> Self {
        Machine {
            state: AlarmState::Disarmed,
            mode: None,
            since: now,
            timer: None,
            entry: None,
            culprits: Vec::new(),
            silenced: false,
            test_until: None,
        }
    }

    /// Whether the siren sounds.
    pub(super) fn siren(&self) -> bool {
        (self.state == AlarmState::Triggered && !self.silenced) || self.test_until.is_some()
    }

    /// Silences the alarm sounding now: `true` when this switched the
    /// siren off, `false` when it was off already. Only while `triggered`.
    pub(super) fn silence(&mut self) -> bool {
        let was_on = self.siren();
        self.silenced = true;
        was_on
    }

    /// Moves to `to` at `at`; `delay` is how long `to` lasts before its timer.
    fn enter(
        &mut self,
        to: AlarmState,
        at: Millis,
        delay: Option<Duration>,
        why: Why<'_>,
        out: &mut Vec<Event>,
    ) {
        let from = self.state;
        let siren_was_on = self.siren();
        self.silenced = false;
        self.test_until = None;
        if to == AlarmState::Disarmed {
            self.mode = None;
        }
        if matches!(to, AlarmState::Disarmed | AlarmState::Armed) {
            self.culprits.clear();
        }
        self.entry = if to == AlarmState::Pending {
            why.origin.clone()
        } else {
            None
        };
        self.state = to;
        self.since = at;
        self.timer = delay.map(|d| at.saturating_add(millis(d)));
        let (sensor, zone) = why.origin.map(|o| (o.sensor, o.zone)).unzip();
        out.push(Event::Alarm {
            from,
            to,
            mode: self.mode,
            cause: why.cause,
            sensor,
            zone,
            user: why.user,
            delay_ms: delay.map(delay_ms),
            source: why.source.to_string(),
        });
        let siren_is_on = self.siren();
        if siren_was_on != siren_is_on {
            out.push(Event::siren(siren_is_on));
        }
    }

    fn add_culprit(&mut self, sensor: &str) {
        if !self.culprits.iter().any(|c| c == sensor) {
            self.culprits.push(sensor.to_string());
        }
    }
}

/// The cause of a 24-hour alarm from `spec` reporting `state`, if it is one:
/// a device `tamper` from any sensor, or an active state of a 24-hour sensor.
fn round_the_clock_cause(spec: &SensorSpec, state: SensorState) -> Option<Cause> {
    if state == SensorState::Tamper {
        return Some(Cause::Tamper);
    }
    if spec.role != Role::TwentyFourHour || !state.is_active() {
        return None;
    }
    Some(match spec.kind {
        SensorKind::Panic => Cause::Panic,
        SensorKind::Tamper => Cause::Tamper,
        SensorKind::Smoke => Cause::Fire,
        _ => Cause::Intrusion,
    })
}

/// The entry delay of `entry`; `None` for instant (a zero delay is instant).
fn entry_delay(entry: Entry) -> Option<Duration> {
    match entry {
        Entry::Delayed(d) if !d.is_zero() => Some(d),
        _ => None,
    }
}

impl House {
    /// Applies the alarm rules to an accepted report of sensor `idx`.
    pub(super) fn apply_rules(
        &mut self,
        now: Millis,
        idx: usize,
        state: SensorState,
        source: &str,
        out: &mut Vec<Event>,
    ) {
        let sensor = &self.sensors[idx];
        let spec = sensor.spec().clone();
        let round_the_clock = round_the_clock_cause(&spec, state);
        // A bypass keeps a sensor from blocking arming and from intrusion
        // and tamper alarms, but nobody may silence a fire or a panic.
        let never_silenced = matches!(round_the_clock, Some(Cause::Fire | Cause::Panic));
        if sensor.bypassed() && !never_silenced {
            return;
        }
        if let Some(cause) = round_the_clock {
            self.alarm.add_culprit(&spec.id);
            self.trigger(now, cause, Some(Origin::of(&spec)), source, out);
            return;
        }
        if !state.is_active() || !sensor.counts_in(self.alarm.mode) {
            return;
        }
        match (self.alarm.state, entry_delay(spec.entry)) {
            (AlarmState::Armed, Some(delay)) => {
                let why = Why {
                    cause: Cause::Intrusion,
                    origin: Some(Origin::of(&spec)),
                    user: None,
                    source,
                };
                self.alarm.add_culprit(&spec.id);
                self.alarm
                    .enter(AlarmState::Pending, now, Some(delay), why, out);
            }
            (AlarmState::Armed, None) => {
                self.alarm.add_culprit(&spec.id);
                self.trigger(now, Cause::Intrusion, Some(Origin::of(&spec)), source, out);
            }
            // During the exit and entry delays only an instant perimeter
            // sensor is off the exit or entry route.
            (AlarmState::Arming | AlarmState::Pending, None) if spec.role == Role::Perimeter => {
                self.alarm.add_culprit(&spec.id);
                self.trigger(now, Cause::Intrusion, Some(Origin::of(&spec)), source, out);
            }
            _ => return,
        }
        self.count_swing(idx, out);
    }

    /// Raises the alarm (`triggered` for the trigger duration) from any
    /// state. Raised again while `triggered` (a fire during a burglary), it
    /// is recorded with its own cause and the trigger duration starts anew.
    pub(super) fn trigger(
        &mut self,
        now: Millis,
        cause: Cause,
        origin: Option<Origin>,
        source: &str,
        out: &mut Vec<Event>,
    ) {
        let why = Why {
            cause,
            origin,
            user: None,
            source,
        };
        let duration = self.rules.trigger_duration;
        self.alarm
            .enter(AlarmState::Triggered, now, Some(duration), why, out);
    }

    /// Starts arming in `mode` (straight to `armed` with no exit delay, or
    /// when `skip_delay`).
    pub(super) fn start_arming(
        &mut self,
        now: Millis,
        mode: Mode,
        user: String,
        skip_delay: bool,
        source: &str,
        out: &mut Vec<Event>,
    ) {
        self.alarm.mode = Some(mode);
        let why = Why {
            cause: Cause::Arm,
            origin: None,
            user: Some(user),
            source,
        };
        let exit = self.rules.exit_delay;
        if exit.is_zero() || skip_delay {
            self.alarm.enter(AlarmState::Armed, now, None, why, out);
        } else {
            self.alarm
                .enter(AlarmState::Arming, now, Some(exit), why, out);
        }
    }

    /// Disarms: ends the armed period (bypasses, swinger counts) and the siren.
    pub(super) fn enter_disarmed(&mut self, at: Millis, why: Why<'_>, out: &mut Vec<Event>) {
        self.alarm.enter(AlarmState::Disarmed, at, None, why, out);
        for sensor in &mut self.sensors {
            sensor.end_period();
        }
    }

    /// Runs every state timer that ended at or before `now`, each at its own
    /// deadline (so a clock that jumped past several still chains them right).
    pub(super) fn run_timers(&mut self, now: Millis, out: &mut Vec<Event>) {
        while let Some(at) = self.alarm.timer.filter(|&at| at <= now) {
            match self.alarm.state {
                AlarmState::Arming => {
                    let why = timer_why(Cause::ExitDelay, None);
                    self.alarm.enter(AlarmState::Armed, at, None, why, out);
                    self.check_exit_route(at, out);
                }
                AlarmState::Pending => {
                    let why = timer_why(Cause::EntryDelay, self.alarm.entry.clone());
                    let duration = self.rules.trigger_duration;
                    self.alarm
                        .enter(AlarmState::Triggered, at, Some(duration), why, out);
                }
                AlarmState::Triggered => self.end_trigger(at, out),
                AlarmState::Disarmed | AlarmState::Armed => self.alarm.timer = None,
            }
        }
    }

    /// Ends the siren test when its time is up at `now`.
    pub(super) fn end_siren_test(&mut self, now: Millis, out: &mut Vec<Event>) {
        if self.alarm.test_until.is_some_and(|until| until <= now) {
            self.alarm.test_until = None;
            out.push(Event::Siren {
                on: false,
                cause: Some(SirenCause::Test),
                user: None,
                source: Some(TIMER.to_string()),
            });
        }
    }

    /// Takes up the alarm state a previous run left: `arming` starts a fresh
    /// exit delay, `armed` stays armed, and an entry delay or alarm that was
    /// running becomes an alarm — a crash or power cut must never silence
    /// one. Bypasses of that armed period are kept.
    pub(super) fn restore_state(
        &mut self,
        now: Millis,
        state: AlarmState,
        mode: Option<Mode>,
        bypassed: &[String],
        out: &mut Vec<Event>,
    ) {
        let why = timer_why(Cause::Restore, None);
        let why = Why {
            source: CONTROLLER,
            ..why
        };
        match (state, mode) {
            (AlarmState::Disarmed, _) => return,
            (AlarmState::Pending | AlarmState::Triggered, _) => {
                self.alarm.mode = mode;
                let duration = self.rules.trigger_duration;
                self.alarm
                    .enter(AlarmState::Triggered, now, Some(duration), why, out);
            }
            (AlarmState::Arming, Some(_)) => {
                self.alarm.mode = mode;
                let exit = self.rules.exit_delay;
                self.alarm
                    .enter(AlarmState::Arming, now, Some(exit), why, out);
            }
            (AlarmState::Armed, Some(_)) => {
                self.alarm.mode = mode;
                self.alarm.enter(AlarmState::Armed, now, None, why, out);
            }
            (AlarmState::Arming | AlarmState::Armed, None) => return,
        }
        for id in bypassed {
            if let Some(&idx) = self.index.get(id) {
                self.sensors[idx].bypass(BypassReason::Restored, None, CONTROLLER, out);
            }
        }
    }

    /// The exit delay ended: a perimeter sensor still open (a door left
    /// open on the way out) acts as if it opened now — entry delay or alarm.
    /// Interior motion is left alone: a detector may take a while to clear
    /// after the last person walked past.
    fn check_exit_route(&mut self, at: Millis, out: &mut Vec<Event>) {
        let still_open: Vec<usize> = (0..self.sensors.len())
            .filter(|&i| {
                let s = &self.sensors[i];
                s.spec().role == Role::Perimeter
                    && !s.bypassed()
                    && s.state().is_active()
                    && s.counts_in(self.alarm.mode)
            })
            .collect();
        for idx in still_open {
            let state = self.sensors[idx].state();
            self.apply_rules(at, idx, state, TIMER, out);
        }
    }

    /// The trigger duration ended: back to `armed` with the culprits still
    /// active bypassed, or to `disarmed` for an alarm raised while disarmed.
    fn end_trigger(&mut self, at: Millis, out: &mut Vec<Event>) {
        let why = timer_why(Cause::TriggerTimeout, None);
        if self.alarm.mode.is_none() {
            self.enter_disarmed(at, why, out);
            return;
        }
        let culprits = std::mem::take(&mut self.alarm.culprits);
        self.alarm.enter(AlarmState::Armed, at, None, why, out);
        for id in culprits {
            let Some(&idx) = self.index.get(&id) else {
                continue;
            };
            let sensor = &mut self.sensors[idx];
            if sensor.still_active() {
                sensor.bypass(BypassReason::StillActive, None, TIMER, out);
            }
        }
    }

    /// Counts a trigger of sensor `idx`; at the swinger limit it is bypassed.
    fn count_swing(&mut self, idx: usize, out: &mut Vec<Event>) {
        let limit = self.rules.swinger_limit;
        let sensor = &mut self.sensors[idx];
        sensor.count_trigger();
        if limit > 0 && sensor.triggers() >= limit {
            sensor.bypass(BypassReason::Swinger, None, CONTROLLER, out);
        }
    }
}

fn timer_why(cause: Cause, origin: Option<Origin>) -> Why<'static> {
    Why {
        cause,
        origin,
        user: None,
        source: TIMER,
    }
}
