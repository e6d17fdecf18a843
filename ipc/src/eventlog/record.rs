//! The event log record schema, version 3 (version 1 had no
//! `rejected_summary`, `system_trouble`, `clock` and `superseded`; version 2
//! had no `unbypass` and `activate_alarm`, no cause `medical`, and no
//! `cause`, `user` and `source` on `siren`; a version-3 reader reads older
//! logs as they are). `ts` is wall time as the controller
//! knew it; a `clock` record marks where the wall clock stepped, so `ts`
//! may go back (or jump ahead) there and only there.
//!
//! Every line of an event log file is one JSON object with these fields, in
//! this order:
//!
//! | field | type | meaning |
//! | --- | --- | --- |
//! | `seq` | integer ≥ 1 | increases by exactly one from record to record, across restarts and days |
//! | `ts` | string, RFC 3339 with offset | when the controller decided it (its clock; local offset) |
//! | `kind` | string | which event this is; the remaining fields depend on it (see [`Event`]) |
//! | ...  | | the fields of that kind |
//! | `prev` | string, 64 lowercase hex | SHA-256 of the previous record's line (its exact bytes without the newline); 64 zeros for the very first record |
//!
//! Optional fields are left out when they have no value. A reader must ignore
//! fields it does not know, so that later versions can add fields; a new kind
//! or a changed meaning is a new version, announced in the `start` record.
//!
//! `source` fields name the input a thing came through: `fifo`, `pipe:<detector>`,
//! `mq`, `rpc`, `signal`, `timer` or `controller`.

use crate::{AlarmKind, AlarmState, Mode, SensorKind, SensorState};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// The schema version written in every `start` record.
pub const SCHEMA_VERSION: u32 = 3;

/// One line of the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Sequence number, contiguous across restarts and days.
    pub seq: u64,
    /// When the controller decided it.
    pub ts: DateTime<FixedOffset>,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
    /// SHA-256 (hex) of the previous record's line.
    pub prev: String,
}

/// What a record says happened, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The controller started.
    Start {
        /// Instance name.
        instance: String,
        /// Controller pid.
        pid: u32,
        /// Controller version.
        version: String,
        /// Record schema version ([`SCHEMA_VERSION`]).
        schema: u32,
        /// Where the house description came from (a path or `embedded default house`).
        config: String,
    },
    /// The controller stopped cleanly.
    Stop {
        /// Why (for example `SIGTERM`).
        reason: String,
    },
    /// A sensor event was accepted.
    Sensor {
        /// Sensor id.
        sensor: String,
        /// The sensor's zone id.
        zone: String,
        /// The sensor's kind.
        sensor_kind: SensorKind,
        /// What it reported.
        state: SensorState,
        /// The input it came through.
        source: String,
    },
    /// A sensor report arrived after a newer one of the same sensor had
    /// been applied (queue priorities reordered them): it was not applied.
    Superseded {
        /// Sensor id.
        sensor: String,
        /// What it reported.
        state: SensorState,
        /// The input it came through.
        source: String,
    },
    /// An input line or message was refused.
    Rejected {
        /// The input it came through.
        source: String,
        /// Why it was refused, in words.
        reason: String,
        /// The start of the offending input (lossy UTF-8, at most 120 characters).
        input: String,
    },
    /// More input from one source was refused than the log records one by
    /// one (the first few a minute per source are `rejected` records): how
    /// many more, and the first and last of them. Written when the minute
    /// ends, and at a stop.
    RejectedSummary {
        /// The input they came through.
        source: String,
        /// How many were refused and not recorded one by one.
        count: u64,
        /// Why the first of them was refused.
        first_reason: String,
        /// The start of the first of them.
        first_input: String,
        /// Why the last of them was refused.
        last_reason: String,
        /// The start of the last of them.
        last_input: String,
    },
    /// The alarm state changed.
    Alarm {
        /// State before.
        from: AlarmState,
        /// State after.
        to: AlarmState,
        /// The armed mode (absent while disarmed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<Mode>,
        /// Why it changed.
        cause: Cause,
        /// The sensor that caused it, if one did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sensor: Option<String>,
        /// That sensor's zone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zone: Option<String>,
        /// The user whose code caused it, if one did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// The delay that starts with this state (exit delay for `arming`,
        /// entry delay for `pending`, trigger duration for `triggered`), in ms.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delay_ms: Option<u64>,
        /// The input it came through.
        source: String,
    },
    /// Arming was refused because sensors the mode counts are open or faulted.
    ArmRefused {
        /// The mode asked for.
        mode: Mode,
        /// The sensors in the way.
        sensors: Vec<String>,
        /// Who asked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// The input it came through.
        source: String,
    },
    /// A code was entered.
    Code {
        /// What the code was for (`arm`, `disarm`, `bypass`, `unbypass`,
        /// `silence`, `siren_test`).
        action: String,
        /// The outcome.
        result: CodeResult,
        /// The user the code belongs to, when it matched one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// The input it came through.
        source: String,
    },
    /// A duress code was used: a silent alarm.
    Duress {
        /// The user whose duress code it was.
        user: String,
        /// The input it came through.
        source: String,
    },
    /// A sensor was bypassed (ignored until the next disarm).
    Bypass {
        /// Sensor id.
        sensor: String,
        /// Why.
        reason: BypassReason,
        /// Who asked, for a manual or forced bypass.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// The input it came through.
        source: String,
    },
    /// A user ended a sensor's bypass: it counts again from now on.
    Unbypass {
        /// Sensor id.
        sensor: String,
        /// Who asked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// The input it came through.
        source: String,
    },
    /// An alarm was raised on purpose (RPC `activate_alarm`, SIGUSR1). A
    /// `panic`, `fire` or `medical` one is followed by the `alarm` record
    /// of the change to `triggered`; a `silent` one changes no state and
    /// sounds nothing: this record is the silent alarm.
    ActivateAlarm {
        /// What for.
        alarm_kind: AlarmKind,
        /// Why, in the caller's words (control characters escaped, digit
        /// runs that could be a code masked, at most 200 bytes).
        reason: String,
        /// The input it came through.
        source: String,
    },
    /// A trouble condition of a sensor started or ended.
    Trouble {
        /// Sensor id.
        sensor: String,
        /// The sensor's zone id.
        zone: String,
        /// Which condition.
        condition: TroubleCondition,
        /// `true` when it starts, `false` when it ends.
        active: bool,
    },
    /// A trouble condition of the controller itself started or ended
    /// (see [`crate::status::SystemTrouble`]).
    SystemTrouble {
        /// Which condition.
        condition: SystemCondition,
        /// `true` when it starts, `false` when it ends.
        active: bool,
        /// What happened, in words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// The wall clock stepped (NTP on a Pi without a clock battery, a
    /// person setting it). Timers ran on untouched; records after this one
    /// show the new time.
    Clock {
        /// The time the wall clock should have read.
        from: DateTime<FixedOffset>,
        /// The time it read instead.
        to: DateTime<FixedOffset>,
    },
    /// The siren was switched. Without `cause`, the alarm state switched
    /// it (the `alarm` record just before says why).
    Siren {
        /// On or off.
        on: bool,
        /// Why, when a command or the end of a siren test switched it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<SirenCause>,
        /// The user whose code switched it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
        /// The input it came through, when `cause` is given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    /// A Unix signal was acted on.
    Signal {
        /// Its name (`SIGHUP`, ...).
        signal: String,
        /// The sending process, when the kernel told us.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sender_pid: Option<i32>,
    },
    /// The configuration was reloaded, or a reload was refused.
    Config {
        /// Whether the new configuration is now in force.
        accepted: bool,
        /// Where it was read from.
        path: String,
        /// Why it was refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A snapshot of the whole status (on SIGUSR2).
    Snapshot {
        /// Alarm state.
        state: AlarmState,
        /// Armed mode.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<Mode>,
        /// Siren on or off.
        siren: bool,
        /// Every sensor.
        sensors: Vec<SensorSnapshot>,
        /// Inputs accepted since start.
        accepted: u64,
        /// Inputs rejected since start.
        rejected: u64,
    },
}

impl Event {
    /// A `siren` record of a switch the alarm state made (no cause: the
    /// `alarm` record before it says why).
    pub fn siren(on: bool) -> Event {
        Event::Siren {
            on,
            cause: None,
            user: None,
            source: None,
        }
    }
}

/// Why the alarm state changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// A user armed.
    Arm,
    /// A user disarmed.
    Disarm,
    /// The exit delay ended.
    ExitDelay,
    /// The entry delay ended without a disarm.
    EntryDelay,
    /// A sensor the mode counts became active.
    Intrusion,
    /// A panic button, SIGUSR1 or `activate_alarm` for a panic.
    Panic,
    /// A tamper loop or a device's tamper switch.
    Tamper,
    /// A smoke detector, or `activate_alarm` for a fire.
    Fire,
    /// `activate_alarm` for a medical emergency.
    Medical,
    /// The trigger duration ended.
    TriggerTimeout,
    /// The controller restarted and took up the state its last run left
    /// (`triggered` if it stopped during an entry delay or an alarm).
    Restore,
}

/// Why a command, not the alarm state, switched the siren.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SirenCause {
    /// A user silenced a raised alarm; it stays `triggered`.
    Silence,
    /// A siren test started (on) or ran out (off).
    Test,
}

/// The outcome of a code entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeResult {
    /// A user's code.
    Accepted,
    /// A user's duress code: the disarm looks normal, a silent alarm is recorded.
    Duress,
    /// No user's code.
    Wrong,
    /// Code entry is locked after too many wrong codes; the code was not checked.
    Locked,
}

/// Why a sensor was bypassed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BypassReason {
    /// A user asked for it.
    Manual,
    /// A forced arm bypassed an open or faulted sensor.
    Forced,
    /// The sensor triggered too often in one armed period (swinger limit).
    Swinger,
    /// The trigger duration ended while the sensor was still active.
    StillActive,
    /// It was bypassed when the controller last stopped; the restart keeps it.
    Restored,
}

/// A sensor trouble condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TroubleCondition {
    /// Silent past its supervision timeout.
    Offline,
    /// Its battery is low.
    LowBattery,
    /// Its case or wiring was tampered with.
    Tamper,
}

/// A trouble condition of the controller itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SystemCondition {
    /// The alarm memory could not be read at start.
    MemoryLost,
    /// The event log cannot be written.
    DiskFault,
    /// An input failed and is being restarted.
    InputFailed,
}

/// One sensor in a [`Event::Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensorSnapshot {
    /// Sensor id.
    pub id: String,
    /// Last level state.
    pub state: SensorState,
    /// Bypassed until the next disarm.
    pub bypassed: bool,
    /// Trouble conditions in force.
    pub trouble: Vec<TroubleCondition>,
    /// Events accepted from it since start.
    pub events: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_json_has_documented_field_order() {
        let rec = Record {
            seq: 7,
            ts: DateTime::parse_from_rfc3339("2026-11-22T08:15:00.250+01:00").unwrap(),
            event: Event::Sensor {
                sensor: "front-door".into(),
                zone: "entry".into(),
                sensor_kind: SensorKind::Door,
                state: SensorState::Open,
                source: "fifo".into(),
            },
            prev: "0".repeat(64),
        };
        let json = serde_json::to_string(&rec).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"seq":7,"ts":"2026-11-22T08:15:00.250+01:00","kind":"sensor","sensor":"front-door","zone":"entry","sensor_kind":"door","state":"open","source":"fifo","prev":"{}"}}"#,
                "0".repeat(64)
            )
        );
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rec);
    }

    #[test]
    fn unknown_fields_are_ignored_by_readers() {
        let line = r#"{"seq":1,"ts":"2026-11-22T00:00:00+00:00","kind":"siren","on":true,"volume":11,"prev":"00"}"#;
        let rec: Record = serde_json::from_str(line).unwrap();
        assert_eq!(rec.event, Event::siren(true));
    }

    fn json(event: &Event) -> String {
        serde_json::to_string(event).unwrap()
    }

    #[test]
    fn a_plain_siren_record_keeps_its_version_2_form() {
        assert_eq!(json(&Event::siren(false)), r#"{"kind":"siren","on":false}"#);
    }

    #[test]
    fn version_3_records_have_one_json_form() {
        let forms = [
            (
                Event::Siren {
                    on: false,
                    cause: Some(SirenCause::Silence),
                    user: Some("alice".into()),
                    source: Some("rpc".into()),
                },
                r#"{"kind":"siren","on":false,"cause":"silence","user":"alice","source":"rpc"}"#,
            ),
            (
                Event::Siren {
                    on: false,
                    cause: Some(SirenCause::Test),
                    user: None,
                    source: Some("timer".into()),
                },
                r#"{"kind":"siren","on":false,"cause":"test","source":"timer"}"#,
            ),
            (
                Event::Unbypass {
                    sensor: "back-window".into(),
                    user: Some("alice".into()),
                    source: "fifo".into(),
                },
                r#"{"kind":"unbypass","sensor":"back-window","user":"alice","source":"fifo"}"#,
            ),
            (
                Event::ActivateAlarm {
                    alarm_kind: AlarmKind::Silent,
                    reason: "held up".into(),
                    source: "rpc".into(),
                },
                r#"{"kind":"activate_alarm","alarm_kind":"silent","reason":"held up","source":"rpc"}"#,
            ),
        ];
        for (event, text) in forms {
            assert_eq!(json(&event), text);
            assert_eq!(serde_json::from_str::<Event>(text).unwrap(), event);
        }
        let medical: Event = serde_json::from_str(
            r#"{"kind":"alarm","from":"disarmed","to":"triggered","cause":"medical","source":"rpc"}"#,
        )
        .unwrap();
        assert!(matches!(
            medical,
            Event::Alarm {
                cause: Cause::Medical,
                ..
            }
        ));
    }

    #[test]
    fn version_2_bypass_and_siren_lines_still_parse() {
        let line = r#"{"seq":3,"ts":"2026-11-22T00:00:00+00:00","kind":"bypass","sensor":"back-window","reason":"manual","user":"alice","source":"fifo","prev":"00"}"#;
        let rec: Record = serde_json::from_str(line).unwrap();
        assert!(matches!(
            rec.event,
            Event::Bypass {
                reason: BypassReason::Manual,
                ..
            }
        ));
        let line =
            r#"{"seq":4,"ts":"2026-11-22T00:00:00+00:00","kind":"siren","on":true,"prev":"00"}"#;
        let rec: Record = serde_json::from_str(line).unwrap();
        assert_eq!(rec.event, Event::siren(true));
    }
}
