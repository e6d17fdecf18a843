//! Test harness: writes event logs with a valid hash chain (or damages them
//! on purpose) in temp dirs, and runs the real `homesec-reporter` binary on
//! them in a chosen time zone.
#![allow(dead_code)] // each test file uses its own part of the harness

use chrono::DateTime;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::chain::Chain;
use homesec_ipc::eventlog::record::{BypassReason, Cause, CodeResult, TroubleCondition};
use homesec_ipc::{AlarmState, Mode, SensorKind, SensorState};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const REPORTER: &str = env!("CARGO_BIN_EXE_homesec-reporter");

/// A data dir with an event log being written.
pub struct Log {
    pub dir: tempfile::TempDir,
    chain: Chain,
}

impl Log {
    pub fn new() -> Log {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("events")).unwrap();
        Log {
            dir,
            chain: Chain::new(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The day file for `date` (`YYYY-MM-DD`).
    pub fn file(&self, date: &str) -> PathBuf {
        self.dir.path().join("events").join(format!("{date}.jsonl"))
    }

    /// Appends a record at `ts` (RFC 3339) to the file of its date.
    pub fn add(&mut self, ts: &str, event: Event) -> &mut Self {
        let ts = DateTime::parse_from_rfc3339(ts).unwrap();
        let mut line = Vec::new();
        self.chain.append(ts, &event, &mut line).unwrap();
        let date = ts.format("%Y-%m-%d").to_string();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.file(&date))
            .unwrap();
        file.write_all(&line).unwrap();
        self
    }

    /// Rewrites a file's lines (without their newlines) through `edit`.
    pub fn edit(&self, date: &str, edit: impl FnOnce(&mut Vec<String>)) {
        let path = self.file(date);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        edit(&mut lines);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(&path, text).unwrap();
    }

    /// Appends raw bytes to a file.
    pub fn append_raw(&self, date: &str, bytes: &[u8]) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.file(date))
            .unwrap();
        file.write_all(bytes).unwrap();
    }
}

/// Runs the reporter on `data_dir` in time zone `tz` with `args`.
pub fn run(data_dir: &Path, tz: &str, args: &[&str]) -> Output {
    Command::new(REPORTER)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("TZ", tz)
        .output()
        .unwrap()
}

/// Runs the reporter for JSON; returns the exit code and the report.
pub fn json(data_dir: &Path, tz: &str, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(data_dir, tz, &all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (out.status.code().unwrap(), report)
}

/// A JSON string array's items.
pub fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

// Event builders, named after the record kinds.

pub fn start() -> Event {
    Event::Start {
        instance: "home".into(),
        pid: 42,
        version: "0.1.0".into(),
        schema: 1,
        config: "embedded default house".into(),
    }
}

pub fn stop() -> Event {
    Event::Stop {
        reason: "SIGTERM".into(),
    }
}

pub fn sensor(id: &str, zone: &str, kind: SensorKind, state: SensorState) -> Event {
    Event::Sensor {
        sensor: id.into(),
        zone: zone.into(),
        sensor_kind: kind,
        state,
        source: "fifo".into(),
    }
}

/// An alarm state change from the timer; see [`with`] for the other fields.
pub fn alarm(from: AlarmState, to: AlarmState, mode: Option<Mode>, cause: Cause) -> Event {
    Event::Alarm {
        from,
        to,
        mode,
        cause,
        sensor: None,
        zone: None,
        user: None,
        delay_ms: None,
        source: "timer".into(),
    }
}

/// Sets fields of an alarm event.
pub fn with(event: Event, f: impl FnOnce(&mut AlarmFields)) -> Event {
    let Event::Alarm {
        from,
        to,
        mode,
        cause,
        sensor,
        zone,
        user,
        delay_ms,
        source,
    } = event
    else {
        panic!("not an alarm event");
    };
    let mut fields = AlarmFields {
        sensor,
        zone,
        user,
        delay_ms,
        source,
    };
    f(&mut fields);
    Event::Alarm {
        from,
        to,
        mode,
        cause,
        sensor: fields.sensor,
        zone: fields.zone,
        user: fields.user,
        delay_ms: fields.delay_ms,
        source: fields.source,
    }
}

pub struct AlarmFields {
    pub sensor: Option<String>,
    pub zone: Option<String>,
    pub user: Option<String>,
    pub delay_ms: Option<u64>,
    pub source: String,
}

pub fn code(action: &str, result: CodeResult, user: Option<&str>) -> Event {
    Event::Code {
        action: action.into(),
        result,
        user: user.map(String::from),
        source: "fifo".into(),
    }
}

pub fn bypass(sensor: &str, reason: BypassReason, user: Option<&str>) -> Event {
    Event::Bypass {
        sensor: sensor.into(),
        reason,
        user: user.map(String::from),
        source: "fifo".into(),
    }
}

pub fn trouble(sensor: &str, zone: &str, condition: TroubleCondition, active: bool) -> Event {
    Event::Trouble {
        sensor: sensor.into(),
        zone: zone.into(),
        condition,
        active,
    }
}

pub fn rejected(reason: &str, input: &str) -> Event {
    Event::Rejected {
        source: "fifo".into(),
        reason: reason.into(),
        input: input.into(),
    }
}

pub fn siren(on: bool) -> Event {
    Event::siren(on)
}
