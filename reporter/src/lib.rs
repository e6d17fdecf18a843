//! # homesec-reporter — security reports from the event log
//!
//! Reads the controller's event log (`<data-dir>/events/YYYY-MM-DD.jsonl`)
//! for a local day, an ISO week or a range, and writes the report a
//! homeowner reads in the morning: summary, armed timeline, alarms,
//! activity, doors and windows left open, sensor health, refused input,
//! and whether the log is intact. Run from cron; see `deploy/`.
//!
//! ```text
//! period ─► read_period::plan (which files) ─► ipc Reader (streams, verifies)
//!        ─► aggregate::Aggregator (bounded) ─► model::Report
//!        ─► markdown / json / html ─► stdout or out::write_atomic
//! ```
#![deny(missing_docs)]

pub mod aggregate;
pub mod cli;
pub mod doc;
pub mod html;
pub mod json;
pub mod markdown;
pub mod model;
pub mod out;
pub mod period;
pub mod read_period;
pub mod summary;
pub mod tables;
pub mod words;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, TimeZone};
use cli::{Args, Format};
use homesec_config::{Config, ConfigError};
use homesec_ipc::paths;
use homesec_ipc::status::{Liveness, StatusReader, liveness};
use model::Report;
use period::PeriodError;
use std::io::{self, Write};
use std::path::PathBuf;

/// Why no report could be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The config file is missing or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `--instance` is not a valid name.
    #[error("instance name '{0}' is not valid: use 1 to 32 of a-z, 0-9, '-' and '_'")]
    Instance(String),
    /// The period arguments make no period.
    #[error(transparent)]
    Period(#[from] PeriodError),
    /// The data dir does not exist.
    #[error("data dir {} does not exist (give --data-dir, or paths.data_dir in the config)", .0.display())]
    NoDataDir(PathBuf),
    /// The data dir has no event log.
    #[error("no event log in {}: the controller has not written one there", .0.display())]
    NoEventLog(PathBuf),
    /// The events dir cannot be listed.
    #[error("cannot list {}: {source}", path.display())]
    ListDir {
        /// The events dir.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A log file cannot be read.
    #[error("cannot read {}: {reason}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A report file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Standard output cannot be written.
    #[error("cannot write the report to stdout: {0}")]
    Stdout(io::Error),
}

impl ReportError {
    /// Whether the command line was wrong (exit code 2, like clap's own
    /// errors) rather than the data or the machine.
    pub fn is_usage(&self) -> bool {
        matches!(self, ReportError::Period(_) | ReportError::Instance(_))
    }
}

/// How a run ended when it made a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The log is intact.
    Clean,
    /// The log failed its integrity check; the report says where.
    IntegrityFailed,
}

/// Makes the report the command line asks for and prints or writes it.
pub fn run(args: &Args) -> Result<Outcome, ReportError> {
    let report = make_report(args)?;
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
                path: dir.clone(),
                source,
            })?;
            for format in args.formats() {
                let name = format!("{}.{}", report.period.name, format.extension());
                out::write_atomic(dir, &name, &render(&report, format))?;
            }
        }
        None => {
            let mut stdout = io::stdout().lock();
            for format in args.formats() {
                stdout
                    .write_all(render(&report, format).as_bytes())
                    .and_then(|()| stdout.flush())
                    .map_err(ReportError::Stdout)?;
            }
        }
    }
    Ok(if report.integrity_failed() {
        Outcome::IntegrityFailed
    } else {
        Outcome::Clean
    })
}

/// The date of the current house day: the house clock of a live controller
/// of `instance` (a simulated house runs its own days), else today.
fn house_today(instance: &str, config: &Config, now: DateTime<FixedOffset>) -> NaiveDate {
    let wall_ms = now.timestamp_millis();
    let live = config
        .access
        .client_trust()
        .ok()
        .and_then(|trust| StatusReader::open(&paths::status_segment(instance), &trust).ok())
        .and_then(|reader| reader.snapshot().ok())
        .filter(|snap| liveness(snap, wall_ms) == Liveness::Alive);
    let house_ms = live.map_or(wall_ms, |snap| snap.clock.at(wall_ms));
    Local
        .timestamp_millis_opt(house_ms)
        .single()
        .map_or(now.date_naive(), |t| t.date_naive())
}

/// Reads the log and makes the report, without writing it anywhere.
pub fn make_report(args: &Args) -> Result<Report, ReportError> {
    make_report_reading(args, read_period::Records::Borrowed)
}

fn make_report_reading(args: &Args, records: read_period::Records) -> Result<Report, ReportError> {
    let config = match &args.config {
        Some(path) => homesec_config::load(path)?,
        None => homesec_config::default_house(),
    };
    let instance = args
        .instance
        .clone()
        .unwrap_or_else(|| config.instance.clone());
    if !paths::valid_instance_name(&instance) {
        return Err(ReportError::Instance(instance));
    }
    let now = Local::now().fixed_offset();
    let period = args.period(now.date_naive())?;
    let events_dir = events_dir(args, &config, &instance)?;
    let plan = read_period::plan(&events_dir, &period, house_today(&instance, &config, now))?;
    let options = aggregate::Options {
        instance,
        open_threshold_ms: u64::try_from(args.open_threshold.as_millis()).unwrap_or(u64::MAX),
        now,
    };
    let mut report = read_period::report(plan, period, config, options, records)?;
    summary::fill(&mut report);
    Ok(report)
}

/// The events dir: `--data-dir`, else the config's, else the default.
fn events_dir(args: &Args, config: &Config, instance: &str) -> Result<PathBuf, ReportError> {
    let data_dir = args
        .data_dir
        .clone()
        .or_else(|| config.paths.data_dir.clone())
        .unwrap_or_else(|| paths::default_data_dir(instance));
    if !data_dir.is_dir() {
        return Err(ReportError::NoDataDir(data_dir));
    }
    let events = paths::events_dir(&data_dir);
    if !events.is_dir() {
        return Err(ReportError::NoEventLog(data_dir));
    }
    Ok(events)
}

/// The report in one format.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => markdown::render(report, doc::Flavour::Text),
        Format::Md => markdown::render(report, doc::Flavour::Markdown),
        Format::Json => json::render(report),
        Format::Html => html::render(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use homesec_ipc::eventlog::chain::Chain;
    use homesec_ipc::eventlog::record::{BypassReason, Cause, TroubleCondition};
    use homesec_ipc::eventlog::{Event, files};
    use homesec_ipc::{AlarmState, Mode, SensorKind, SensorState};

    /// A day of every kind of record the house writes, in a made-up but
    /// plausible order.
    fn write_day(events_dir: &std::path::Path) {
        std::fs::create_dir_all(events_dir).unwrap();
        let sensors = [
            (
                "front-door",
                "entry",
                SensorKind::Door,
                [SensorState::Open, SensorState::Closed],
            ),
            (
                "hall-motion",
                "hall",
                SensorKind::Motion,
                [SensorState::Motion, SensorState::Clear],
            ),
            (
                "kitchen-window",
                "ground",
                SensorKind::Window,
                [SensorState::Open, SensorState::Closed],
            ),
        ];
        let mut chain = Chain::new();
        let mut out = Vec::new();
        let base = chrono::DateTime::parse_from_rfc3339("2026-11-22T00:00:05+00:00").unwrap();
        for i in 0..3000i64 {
            let ts = base + chrono::Duration::seconds(i * 28);
            let (id, zone, kind, states) = sensors[(i % 3) as usize];
            let state = match i % 97 {
                13 => SensorState::Tamper,
                14 => SensorState::Heartbeat,
                15 => SensorState::LowBattery,
                _ => states[(i / 3 % 2) as usize],
            };
            let sensor = Event::Sensor {
                sensor: id.into(),
                zone: zone.into(),
                sensor_kind: kind,
                state,
                source: "mq".into(),
            };
            chain.append(ts, &sensor, &mut out).unwrap();
            let extra = match i % 250 {
                0 => Some(Event::Alarm {
                    from: AlarmState::Disarmed,
                    to: AlarmState::Armed,
                    mode: Some(Mode::Away),
                    cause: Cause::Arm,
                    sensor: None,
                    zone: None,
                    user: Some("resident".into()),
                    delay_ms: None,
                    source: "mq".into(),
                }),
                100 => Some(Event::Alarm {
                    from: AlarmState::Armed,
                    to: AlarmState::Triggered,
                    mode: Some(Mode::Away),
                    cause: Cause::Intrusion,
                    sensor: Some(id.into()),
                    zone: Some(zone.into()),
                    user: None,
                    delay_ms: Some(180_000),
                    source: "mq".into(),
                }),
                150 => Some(Event::Bypass {
                    sensor: id.into(),
                    reason: BypassReason::StillActive,
                    user: None,
                    source: "timer".into(),
                }),
                200 => Some(Event::Alarm {
                    from: AlarmState::Armed,
                    to: AlarmState::Disarmed,
                    mode: None,
                    cause: Cause::Disarm,
                    sensor: None,
                    zone: None,
                    user: Some("resident".into()),
                    delay_ms: None,
                    source: "mq".into(),
                }),
                220 => Some(Event::Trouble {
                    sensor: id.into(),
                    zone: zone.into(),
                    condition: TroubleCondition::Offline,
                    active: i % 500 == 220,
                }),
                _ => None,
            };
            if let Some(event) = extra {
                chain.append(ts, &event, &mut out).unwrap();
            }
        }
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        std::fs::write(events_dir.join(files::file_name(day)), out).unwrap();
    }

    #[test]
    fn borrowed_sensor_records_count_exactly_as_owned_ones() {
        let dir = tempfile::tempdir().unwrap();
        write_day(&dir.path().join("events"));
        let args = Args::try_parse_from([
            "homesec-reporter",
            "--day",
            "2026-11-22",
            "--data-dir",
            dir.path().to_str().unwrap(),
        ])
        .unwrap();
        let borrowed = make_report_reading(&args, read_period::Records::Borrowed).unwrap();
        let owned = make_report_reading(&args, read_period::Records::Owned).unwrap();
        assert!(
            borrowed.totals.events > 2900,
            "the log was read: {:?}",
            borrowed.totals
        );
        assert_eq!(json::render(&borrowed), json::render(&owned));
    }
}
