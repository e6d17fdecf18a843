//! What the controller runs with: the config (a file or the embedded default
//! house) merged with the command line, and the house model derived from it.
//!
//! Precedence for each setting: command line, then config file, then the
//! defaults of `homesec_ipc::paths`.

use crate::house::{Rules, SensorSpec};
use anyhow::Context;
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use homesec_config::{Config, ConfigSource};
use homesec_ipc::clock::HouseClock;
use homesec_ipc::endpoint::Trust;
use homesec_ipc::paths;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The command-line overrides.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--instance NAME`.
    pub instance: Option<String>,
    /// `--runtime-dir DIR`.
    pub runtime_dir: Option<PathBuf>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
    /// `--sim`: start the simulated sensor processes.
    pub sim: bool,
    /// `--scenario FILE` for the simulator.
    pub scenario: Option<PathBuf>,
    /// `--seed N` for the simulator.
    pub seed: Option<u64>,
    /// `--speed N` (1 is real time).
    pub speed: f64,
    /// `--start DATE-TIME`.
    pub start: Option<String>,
}

/// Where everything lives for this run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The house.
    pub config: Config,
    /// Instance name.
    pub instance: String,
    /// Runtime dir (FIFO, pidfile).
    pub runtime_dir: PathBuf,
    /// Data dir (event log).
    pub data_dir: PathBuf,
    /// Diagnostic log dir.
    pub log_dir: PathBuf,
    /// The house clock: the wall clock, or a simulated one.
    pub clock: HouseClock,
    /// Whether to start the simulated sensor processes.
    pub sim: bool,
    /// What the simulator is told besides the house: `--scenario`, `--seed`.
    pub sim_args: Vec<String>,
    /// Who may own and use the endpoints (`[access]`).
    pub trust: Trust,
    /// The house time a simulation continues from, when its log had gone
    /// past the `--start` asked for (unix ms), for the start-up message.
    pub resumed: Option<i64>,
}

impl Settings {
    /// Loads the config and applies the overrides.
    pub fn resolve(overrides: &Overrides) -> anyhow::Result<Settings> {
        let config = match &overrides.config {
            Some(path) => homesec_config::load(path).map_err(anyhow::Error::new)?,
            None => homesec_config::default_house(),
        };
        let instance = overrides
            .instance
            .clone()
            .unwrap_or_else(|| config.instance.clone());
        anyhow::ensure!(
            paths::valid_instance_name(&instance),
            "instance name '{instance}' is not valid: use 1 to 32 of a-z, 0-9, '-' and '_'"
        );
        let runtime_dir = overrides
            .runtime_dir
            .clone()
            .or_else(|| config.paths.runtime_dir.clone())
            .unwrap_or_else(|| paths::default_runtime_dir(&instance));
        let data_dir = overrides
            .data_dir
            .clone()
            .or_else(|| config.paths.data_dir.clone())
            .unwrap_or_else(|| paths::default_data_dir(&instance));
        let log_dir = config
            .paths
            .log_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("logs"));
        let mut clock = house_clock(overrides.speed, overrides.start.as_deref())?;
        let resumed = continue_simulation(&mut clock, &paths::events_dir(&data_dir));
        let trust = config.access.controller_trust()?;
        Ok(Settings {
            config,
            instance,
            runtime_dir,
            data_dir,
            log_dir,
            clock,
            sim: overrides.sim,
            sim_args: sim_args(overrides),
            trust,
            resumed,
        })
    }

    /// Where the config came from, in words.
    pub fn config_origin(&self) -> String {
        match &self.config.source {
            ConfigSource::File(path) => path.display().to_string(),
            ConfigSource::Embedded => "embedded default house".to_string(),
        }
    }

    /// The named FIFO.
    pub fn fifo(&self) -> PathBuf {
        paths::fifo(&self.runtime_dir)
    }

    /// The control socket.
    pub fn control_socket(&self) -> PathBuf {
        paths::control_socket(&self.runtime_dir)
    }

    /// The pidfile.
    pub fn pidfile(&self) -> PathBuf {
        paths::pidfile(&self.runtime_dir)
    }

    /// The status segment.
    pub fn status_segment(&self) -> PathBuf {
        paths::status_segment(&self.instance)
    }

    /// The event log dir.
    pub fn events_dir(&self) -> PathBuf {
        paths::events_dir(&self.data_dir)
    }
}

/// The simulator's own arguments, passed through.
fn sim_args(overrides: &Overrides) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(scenario) = &overrides.scenario {
        args.extend(["--scenario".to_string(), scenario.display().to_string()]);
    }
    if let Some(seed) = overrides.seed {
        args.extend(["--seed".to_string(), seed.to_string()]);
    }
    args
}

/// The house clock for `--speed` and `--start`.
fn house_clock(speed: f64, start: Option<&str>) -> anyhow::Result<HouseClock> {
    anyhow::ensure!(
        homesec_ipc::clock::SPEEDS.contains(&speed),
        "--speed {speed} is out of range (0.001 to 1000000)"
    );
    let start_ms = match start {
        Some(text) => {
            let start = parse_start(text)?;
            // Every reader of the status segment refuses times outside
            // this range as damage.
            anyhow::ensure!(
                homesec_ipc::clock::TIMES.contains(&start),
                "--start '{text}' is out of range (1970-01-01 to 9999-12-31)"
            );
            start
        }
        None if speed == 1.0 => return Ok(HouseClock::REAL),
        None => homesec_ipc::clock::wall_ms(),
    };
    Ok(HouseClock::starting(start_ms, speed))
}

/// A simulated house whose event log already went past the start it is
/// given (a restart with the same `--start`) continues from the log's last
/// record instead: its records must never go back in time. Returns the
/// house time it continues from, when it does.
fn continue_simulation(clock: &mut HouseClock, events_dir: &std::path::Path) -> Option<i64> {
    if !clock.is_simulated() {
        return None;
    }
    let last = homesec_ipc::eventlog::tail::resume_point(events_dir)
        .ok()
        .flatten()?
        .last_ts
        .timestamp_millis();
    if last < clock.origin_house_ms {
        return None;
    }
    let from = last + 1;
    *clock = HouseClock::starting(from, clock.speed);
    Some(from)
}

/// A start time: RFC 3339, or a local `YYYY-MM-DD[ HH:MM[:SS]]`.
fn parse_start(text: &str) -> anyhow::Result<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.timestamp_millis());
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| d.and_time(NaiveTime::MIN))
        })
        .map_err(|_| {
            anyhow::anyhow!("--start '{text}': use YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]' or RFC 3339")
        })?;
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| anyhow::anyhow!("--start '{text}' does not exist in the local time zone"))
}

/// `--check-config`: reads the config and says what it describes, or why
/// it is not valid (with the file's own error and location).
pub fn check_config(path: Option<&Path>) -> anyhow::Result<String> {
    let config = match path {
        Some(path) => homesec_config::load(path)
            .with_context(|| format!("{} is not a valid homesec config", path.display()))?,
        None => homesec_config::default_house(),
    };
    Ok(format!(
        "config OK: instance '{}', {} zones, {} sensors, {} users, {} cameras, {} detectors",
        config.instance,
        config.zones.len(),
        config.sensors.len(),
        config.users.len(),
        config.cameras.len(),
        config.detectors.len()
    ))
}

/// How long a siren test sounds. Not in the house description (yet): a
/// short fixed burst is all a test needs.
pub const SIREN_TEST: Duration = Duration::from_secs(3);

/// The alarm state machine's view of a config.
pub fn house_model(config: &Config) -> (Vec<SensorSpec>, Rules) {
    let sensors = config
        .sensors
        .iter()
        .map(|s| SensorSpec {
            id: s.id.clone(),
            zone: s.zone.clone(),
            kind: s.kind,
            role: s.role,
            night: s.night,
            entry: s.entry,
            supervision_timeout: s.supervision_timeout,
        })
        .collect();
    let rules = Rules {
        exit_delay: config.timers.exit_delay,
        trigger_duration: config.timers.trigger_duration,
        swinger_limit: config.alarm.swinger_limit,
        max_wrong_codes: config.codes.max_wrong,
        lockout: config.codes.lockout,
        siren_test: SIREN_TEST,
    };
    (sensors, rules)
}

#[cfg(test)]
mod tests {
    use super::house_clock;

    #[test]
    fn a_start_outside_the_times_readers_accept_is_refused() {
        let err = house_clock(60.0, Some("1969-12-31T23:59:59Z")).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
        let clock = house_clock(60.0, Some("1970-01-01T00:00:00Z")).unwrap();
        assert_eq!(clock.origin_house_ms, 0);
        assert!(house_clock(60.0, Some("2026-11-23 06:00")).is_ok());
    }
}
