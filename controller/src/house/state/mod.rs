//! [`House`]: all alarm state in one value — every sensor's last state,
//! flags and counters, the alarm state machine ([`alarm`]), supervision and
//! the code lockout ([`lockout`]). The house task owns the one instance.
//!
//! A pure type with time passed in: every method takes `now` (controller
//! clock, unix ms) and returns the event log records it decided, in order;
//! nothing here sleeps, reads a clock or does I/O. A refused command shows
//! in its records (`code` wrong or locked, `arm_refused`, or `rejected`).
//! Every command that needs a code goes through the one code check
//! ([`lockout`]), so lockout and duress act alike for all of them.
//! The house task calls [`House::tick`] at [`House::next_deadline`] instead
//! of polling. Heartbeats
//! refresh supervision and are counted, but write no `sensor` record (they
//! are frequent and carry no state); every other accepted report writes one.

mod alarm;
mod lockout;
mod sensors;
mod siren;
mod spec;
mod supervision;
#[cfg(test)]
mod tests;

pub use sensors::Sensor;
pub use siren::MAX_REASON;
pub use spec::{CodeCheck, Entry, Millis, Role, Rules, SensorSpec};

use alarm::{Machine, Why};
use homesec_ipc::command::ArmOptions;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{BypassReason, Cause};
use homesec_ipc::line::redact;
use homesec_ipc::{AlarmState, Mode, SensorKind, SensorState};
use lockout::CodeLock;
pub use lockout::{CodeLockState, MAX_LOCKOUT};
use std::collections::HashMap;

/// Why the house refused an input or a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HouseError {
    /// A report or bypass named a sensor the house does not have.
    #[error("unknown sensor '{sensor}': it is not in the house configuration")]
    UnknownSensor {
        /// The id as given.
        sensor: String,
    },
    /// A sensor reported a level state its kind cannot have.
    #[error(
        "sensor '{sensor}' is a {kind} sensor and cannot report '{state}' (it reports {expected})"
    )]
    StateNotForKind {
        /// Sensor id.
        sensor: String,
        /// Its kind.
        kind: SensorKind,
        /// The state it reported.
        state: SensorState,
        /// The level states its kind reports.
        expected: String,
    },
    /// Code entry is locked after too many wrong codes.
    #[error(
        "code entry is locked for {}s more after too many wrong codes; {action} not done",
        (remaining_ms + 999) / 1000
    )]
    CodeLocked {
        /// What the code was for.
        action: &'static str,
        /// How long the lockout still lasts.
        remaining_ms: Millis,
    },
    /// The code matched no user.
    #[error("wrong code; {action} not done")]
    WrongCode {
        /// What the code was for.
        action: &'static str,
    },
    /// A command only taken while disarmed (arm, siren test) was asked
    /// for in another state.
    #[error("cannot {action}: the system is {state}; disarm first")]
    NotDisarmed {
        /// What was asked, in words (`arm`, `test the siren`).
        action: &'static str,
        /// The state it is in.
        state: AlarmState,
    },
    /// Silence was asked for while no alarm is raised.
    #[error("cannot silence: the system is {state}, not triggered")]
    NotTriggered {
        /// The state it is in.
        state: AlarmState,
    },
    /// An un-bypass named a sensor that is not bypassed.
    #[error("sensor '{sensor}' is not bypassed")]
    NotBypassed {
        /// Sensor id.
        sensor: String,
    },
    /// An un-bypass named a sensor the controller bypassed itself.
    #[error(
        "sensor '{sensor}' was bypassed by the controller ({}); that bypass ends at the next disarm",
        controller_bypass_words(*reason)
    )]
    BypassedByController {
        /// Sensor id.
        sensor: String,
        /// Why the controller bypassed it.
        reason: BypassReason,
    },
    /// Sensors the mode counts are open, tampered or offline.
    #[error(
        "cannot arm {mode}: open or faulted sensors: {}; close or bypass them, or force the arm",
        sensors.join(", ")
    )]
    ArmRefused {
        /// The mode asked for.
        mode: Mode,
        /// The sensors in the way, in configuration order.
        sensors: Vec<String>,
    },
}

/// All house state. See the module doc.
#[derive(Debug)]
pub struct House {
    /// In configuration order, ids unique.
    sensors: Vec<Sensor>,
    /// Sensor id → position in `sensors`.
    index: HashMap<String, usize>,
    rules: Rules,
    alarm: Machine,
    codes: CodeLock,
}

impl House {
    /// A disarmed house with every sensor at rest and last seen at `now`.
    /// Ids are unique in a valid configuration; a repeated id keeps its first spec.
    pub fn new(sensors: Vec<SensorSpec>, rules: Rules, now: Millis) -> Self {
        let mut house = House {
            sensors: Vec::new(),
            index: HashMap::new(),
            rules,
            alarm: Machine::new(now),
            codes: CodeLock::default(),
        };
        house.set_sensors(sensors, HashMap::new(), now, &mut Vec::new());
        house
    }

    /// Takes a reloaded configuration: sensors whose id remains keep their
    /// state (with the new spec), new ones start at rest seen at `now`,
    /// removed ones are dropped. Running delays keep their deadlines. A
    /// sensor no longer supervised stops being offline (its records are returned).
    #[must_use = "the records of sensors no longer offline belong in the event log"]
    pub fn reconfigure(
        &mut self,
        sensors: Vec<SensorSpec>,
        rules: Rules,
        now: Millis,
    ) -> Vec<Event> {
        let mut out = Vec::new();
        let old = std::mem::take(&mut self.sensors)
            .into_iter()
            .map(|s| (s.id().to_string(), s))
            .collect();
        self.rules = rules;
        self.set_sensors(sensors, old, now, &mut out);
        out
    }

    fn set_sensors(
        &mut self,
        specs: Vec<SensorSpec>,
        mut old: HashMap<String, Sensor>,
        now: Millis,
        out: &mut Vec<Event>,
    ) {
        self.sensors.clear();
        self.index.clear();
        for spec in specs {
            if self.index.contains_key(&spec.id) {
                continue;
            }
            let sensor = match old.remove(&spec.id) {
                Some(mut kept) => {
                    kept.respec(spec, out);
                    kept
                }
                None => Sensor::new(spec, now),
            };
            self.index
                .insert(sensor.id().to_string(), self.sensors.len());
            self.sensors.push(sensor);
        }
    }

    /// A sensor report. An unknown sensor or a state its kind cannot report
    /// is an error and writes nothing (the caller logs the rejection).
    pub fn sensor_event(
        &mut self,
        now: Millis,
        sensor: &str,
        state: SensorState,
        source: &str,
    ) -> Result<Vec<Event>, HouseError> {
        let idx = self.find(sensor)?;
        let kind = self.sensors[idx].kind();
        if !kind.accepts(state) {
            return Err(HouseError::StateNotForKind {
                sensor: sensor.to_string(),
                kind,
                state,
                expected: expected_states(kind),
            });
        }
        let mut out = Vec::new();
        self.sensors[idx].report(now, state, source, &mut out);
        self.apply_rules(now, idx, state, source, &mut out);
        Ok(out)
    }

    /// Arms in `mode` from `disarmed`. Counted sensors that are active,
    /// tampered or offline (and not bypassed) refuse the arm, naming them,
    /// unless `options.force`, which bypasses them (reason `forced`) first.
    /// With `options.skip_delay` it is `armed` at once, without the exit
    /// delay. Arming when not disarmed changes nothing (a `rejected` record
    /// says why).
    pub fn arm(
        &mut self,
        now: Millis,
        mode: Mode,
        code: CodeCheck,
        options: ArmOptions,
        source: &str,
    ) -> Vec<Event> {
        let input = format!("arm {mode}");
        command(source, input, |out| {
            self.try_arm(now, mode, code, options, source, out)
        })
    }

    fn try_arm(
        &mut self,
        now: Millis,
        mode: Mode,
        code: CodeCheck,
        options: ArmOptions,
        source: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), HouseError> {
        let user = self
            .codes
            .check(now, code, "arm", &self.rules, source, out)?;
        if self.alarm.state != AlarmState::Disarmed {
            return Err(HouseError::NotDisarmed {
                action: "arm",
                state: self.alarm.state,
            });
        }
        let in_the_way: Vec<usize> = (0..self.sensors.len())
            .filter(|&i| {
                let s = &self.sensors[i];
                s.counts_in(Some(mode)) && !s.bypassed() && s.faulted()
            })
            .collect();
        if !in_the_way.is_empty() && !options.force {
            let sensors: Vec<String> = in_the_way
                .iter()
                .map(|&i| self.sensors[i].id().to_string())
                .collect();
            out.push(Event::ArmRefused {
                mode,
                sensors: sensors.clone(),
                user: Some(user),
                source: source.to_string(),
            });
            return Err(HouseError::ArmRefused { mode, sensors });
        }
        for i in in_the_way {
            self.sensors[i].bypass(BypassReason::Forced, Some(&user), source, out);
        }
        self.start_arming(now, mode, user, options.skip_delay, source, out);
        Ok(())
    }

    /// Disarms from any state (a no-op past the code record when already
    /// disarmed). A duress code disarms the same way; its `duress` record is
    /// the only difference.
    pub fn disarm(&mut self, now: Millis, code: CodeCheck, source: &str) -> Vec<Event> {
        command(source, "disarm".to_string(), |out| {
            self.try_disarm(now, code, source, out)
        })
    }

    fn try_disarm(
        &mut self,
        now: Millis,
        code: CodeCheck,
        source: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), HouseError> {
        let user = self
            .codes
            .check(now, code, "disarm", &self.rules, source, out)?;
        if self.alarm.state == AlarmState::Disarmed {
            return Ok(());
        }
        let why = Why {
            cause: Cause::Disarm,
            origin: None,
            user: Some(user),
            source,
        };
        self.enter_disarmed(now, why, out);
        Ok(())
    }

    /// Bypasses `sensor` until the next disarm (in any state). An unknown
    /// sensor is refused (a `rejected` record) before the code is looked at.
    pub fn bypass(
        &mut self,
        now: Millis,
        sensor: &str,
        code: CodeCheck,
        source: &str,
    ) -> Vec<Event> {
        let input = format!("bypass {sensor}");
        command(source, input, |out| {
            self.try_bypass(now, sensor, code, source, out)
        })
    }

    fn try_bypass(
        &mut self,
        now: Millis,
        sensor: &str,
        code: CodeCheck,
        source: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), HouseError> {
        let idx = self.find(sensor)?;
        let user = self
            .codes
            .check(now, code, "bypass", &self.rules, source, out)?;
        self.sensors[idx].bypass(BypassReason::Manual, Some(&user), source, out);
        Ok(())
    }

    /// Ends the manual, forced or restored bypass of `sensor` (in any
    /// state); the memory keeps no reason, so a restored bypass may have
    /// been a user's. The controller's own bypasses (swinger limit, still
    /// active after an alarm) are refused: they keep a faulty or open
    /// sensor from sounding again and again, and end at the next disarm.
    /// An unknown sensor is refused before the code is looked at, like a
    /// bypass; a sensor not bypassed is refused after it.
    ///
    /// The sensor counts again from now on, never retroactively: one that
    /// is active (open, moving, tampered) at the un-bypass raises nothing
    /// then — whoever entered the code is at the panel and chose this —
    /// and its next active report counts as usual (entry delay or alarm
    /// while armed). Its swinger count goes on.
    pub fn unbypass(
        &mut self,
        now: Millis,
        sensor: &str,
        code: CodeCheck,
        source: &str,
    ) -> Vec<Event> {
        let input = format!("unbypass {sensor}");
        command(source, input, |out| {
            self.try_unbypass(now, sensor, code, source, out)
        })
    }

    fn try_unbypass(
        &mut self,
        now: Millis,
        sensor: &str,
        code: CodeCheck,
        source: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), HouseError> {
        let idx = self.find(sensor)?;
        let user = self
            .codes
            .check(now, code, "unbypass", &self.rules, source, out)?;
        match self.sensors[idx].bypass_reason() {
            None => Err(HouseError::NotBypassed {
                sensor: sensor.to_string(),
            }),
            Some(reason @ (BypassReason::Swinger | BypassReason::StillActive)) => {
                Err(HouseError::BypassedByController {
                    sensor: sensor.to_string(),
                    reason,
                })
            }
            Some(BypassReason::Manual | BypassReason::Forced | BypassReason::Restored) => {
                self.sensors[idx].unbypass(Some(&user), source, out);
                Ok(())
            }
        }
    }

    /// Takes up where the previous run of the controller left off (see
    /// [`crate::outputs::memory`]): its alarm state, mode and bypasses, and
    /// the wrong-code count with its lockout.
    pub fn restore(
        &mut self,
        now: Millis,
        state: AlarmState,
        mode: Option<Mode>,
        bypassed: &[String],
        codes: CodeLockState,
    ) -> Vec<Event> {
        let mut out = Vec::new();
        self.restore_state(now, state, mode, bypassed, &mut out);
        self.codes.restore(now, codes, &self.rules);
        out
    }

    /// The wrong-code count and lockout, for the alarm memory.
    pub fn code_lock(&self) -> CodeLockState {
        self.codes.state()
    }

    /// Runs what is due at `now`: the end of the exit delay, entry delay or
    /// trigger duration, and supervision expiries.
    pub fn tick(&mut self, now: Millis) -> Vec<Event> {
        let mut out = Vec::new();
        self.run_timers(now, &mut out);
        self.end_siren_test(now, &mut out);
        supervision::check(&mut self.sensors, now, &mut out);
        out
    }

    /// The earliest time [`House::tick`] has something to do: a state
    /// timer, the end of a siren test, a supervision expiry. The end of a
    /// code lockout is not one: it changes nothing until the next code.
    pub fn next_deadline(&self) -> Option<Millis> {
        let supervision = supervision::next_expiry(&self.sensors);
        [self.alarm.timer, self.alarm.test_until, supervision]
            .into_iter()
            .flatten()
            .min()
    }

    /// The alarm state.
    pub fn state(&self) -> AlarmState {
        self.alarm.state
    }

    /// The armed mode (`None` while disarmed or in an alarm raised while disarmed).
    pub fn mode(&self) -> Option<Mode> {
        self.alarm.mode
    }

    /// Whether the siren is on: while `triggered` and not silenced, and
    /// during a siren test. A silent alarm never switches it.
    pub fn siren(&self) -> bool {
        self.alarm.siren()
    }

    /// When the current alarm state was entered.
    pub fn since(&self) -> Millis {
        self.alarm.since
    }

    /// Until when code entry is locked after wrong codes, if it is at `now`.
    pub fn code_entry_locked_until(&self, now: Millis) -> Option<Millis> {
        self.codes.locked_until(now)
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Every sensor, in configuration order.
    pub fn sensors(&self) -> std::slice::Iter<'_, Sensor> {
        self.sensors.iter()
    }

    /// The sensor with id `id`.
    pub fn sensor(&self, id: &str) -> Option<&Sensor> {
        self.index.get(id).map(|&i| &self.sensors[i])
    }

    /// The whole status as a `snapshot` record; `accepted` and `rejected`
    /// are the caller's input counters.
    pub fn snapshot(&self, accepted: u64, rejected: u64) -> Event {
        Event::Snapshot {
            state: self.state(),
            mode: self.mode(),
            siren: self.siren(),
            sensors: self.sensors.iter().map(Sensor::snapshot).collect(),
            accepted,
            rejected,
        }
    }

    fn find(&self, sensor: &str) -> Result<usize, HouseError> {
        self.index
            .get(sensor)
            .copied()
            .ok_or_else(|| HouseError::UnknownSensor {
                sensor: sensor.to_string(),
            })
    }
}

/// Runs a code command, adding a `rejected` record for a refusal that its
/// own records do not already show.
fn command(
    source: &str,
    input: String,
    run: impl FnOnce(&mut Vec<Event>) -> Result<(), HouseError>,
) -> Vec<Event> {
    let mut out = Vec::new();
    if let Err(
        error @ (HouseError::NotDisarmed { .. }
        | HouseError::UnknownSensor { .. }
        | HouseError::NotTriggered { .. }
        | HouseError::NotBypassed { .. }
        | HouseError::BypassedByController { .. }),
    ) = run(&mut out)
    {
        // The sensor of a refused bypass is input, and may be a code
        // typed in the wrong place.
        out.push(Event::Rejected {
            source: source.to_string(),
            reason: redact(&error.to_string()),
            input: redact(&input),
        });
    }
    out
}

/// Why the controller bypassed a sensor, in words.
fn controller_bypass_words(reason: BypassReason) -> &'static str {
    match reason {
        BypassReason::Swinger => "it triggered too often",
        BypassReason::StillActive => "still active when the alarm ended",
        BypassReason::Manual | BypassReason::Forced | BypassReason::Restored => "bypassed",
    }
}

/// "open or closed" style list of the level states of `kind`.
fn expected_states(kind: SensorKind) -> String {
    let names: Vec<&str> = kind.level_states().iter().map(|s| s.as_str()).collect();
    names.join(" or ")
}
