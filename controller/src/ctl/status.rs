//! `homesecctl status`: the status segment read, judged (alive, stopped,
//! dead, stale) and rendered as a table or as JSON.

use chrono::{Local, TimeZone};
use homesec_ipc::endpoint::Trust;
use homesec_ipc::status::{Liveness, Snapshot, StatusError, StatusReader, liveness};
use homesec_ipc::{paths, vocab};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// Exit code when the controller is not running (LSB `status` convention).
pub const EXIT_NOT_RUNNING: u8 = 3;
/// Exit code when the segment exists but cannot be read as status.
pub const EXIT_BAD_SEGMENT: u8 = 4;
/// Exit code when the controller runs but reports a trouble condition.
pub const EXIT_TROUBLE: u8 = 5;

/// The status of an instance as `homesecctl status --json` prints it.
#[derive(Debug, Serialize)]
pub struct StatusReport {
    /// `alive`, `stopped`, `dead` or `stale`.
    pub controller: &'static str,
    /// Milliseconds since the last heartbeat.
    pub heartbeat_age_ms: i64,
    /// Everything in the segment.
    #[serde(flatten)]
    pub snapshot: Snapshot,
}

/// Reads the status of `instance`; the error says why it could not.
pub fn read_status(
    instance: &str,
    trust: &Trust,
) -> Result<(StatusReport, Liveness), (u8, String)> {
    read(&open(instance, trust)?)
}

/// Opens the status segment of `instance`; the error says why it could not.
pub fn open(instance: &str, trust: &Trust) -> Result<StatusReader, (u8, String)> {
    let path = paths::status_segment(instance);
    StatusReader::open(&path, trust).map_err(|e| classify(&path, &e))
}

/// A snapshot of `reader`, judged now; the error says why there is none.
pub fn read(reader: &StatusReader) -> Result<(StatusReport, Liveness), (u8, String)> {
    let path = reader.path();
    let snapshot = reader.snapshot().map_err(|e| match e {
        // The seqlock stays odd only if the writer stopped in mid-publish.
        StatusError::Stale { .. } => (EXIT_NOT_RUNNING, format!("controller not running: {e}")),
        StatusError::Busy { .. } => (EXIT_NOT_RUNNING, format!("controller not responding: {e}")),
        e => (EXIT_BAD_SEGMENT, format!("{}: {e}", path.display())),
    })?;
    Ok(judge(snapshot, Local::now().timestamp_millis()))
}

/// The report on `snapshot` at wall clock `now` (unix ms).
pub fn judge(snapshot: Snapshot, now: i64) -> (StatusReport, Liveness) {
    let live = liveness(&snapshot, now);
    let controller = match live {
        Liveness::Alive => "alive",
        Liveness::Stopped => "stopped",
        Liveness::Dead { .. } => "dead",
        Liveness::Stale { .. } => "stale",
    };
    let report = StatusReport {
        controller,
        heartbeat_age_ms: now.saturating_sub(snapshot.heartbeat_ms),
        snapshot,
    };
    (report, live)
}

fn classify(path: &Path, e: &homesec_ipc::status::StatusError) -> (u8, String) {
    if path.exists() {
        (EXIT_BAD_SEGMENT, format!("{e}"))
    } else {
        (EXIT_NOT_RUNNING, format!("controller not running: {e}"))
    }
}

/// The human-readable status.
pub fn render(report: &StatusReport, live: Liveness) -> String {
    // Ages are in house time, which runs faster in a simulation.
    // The reader checked every time against `clock::TIMES`; saturating
    // arithmetic is the second line, for a clock that reads nonsense.
    let wall_now = report
        .snapshot
        .heartbeat_ms
        .saturating_add(report.heartbeat_age_ms);
    let now = report.snapshot.clock.at(wall_now);
    let mut out = header(report, live, now);
    out.push('\n');
    out.push_str(&sensor_table(&report.snapshot, now));
    out
}

/// Who is running, the alarm state and the input counters.
fn header(report: &StatusReport, live: Liveness, now: i64) -> String {
    let s = &report.snapshot;
    let who = match live {
        Liveness::Alive => format!("running (pid {})", s.pid),
        Liveness::Stopped => format!("stopped (was pid {})", s.pid),
        Liveness::Dead { pid } => format!("NOT RUNNING: pid {pid} is gone (crashed or killed)"),
        Liveness::Stale { age_ms } => {
            format!(
                "NOT RESPONDING: pid {}, no heartbeat for {}",
                s.pid,
                age(age_ms)
            )
        }
    };
    let mode = s.mode.map(|m| format!(" ({m})")).unwrap_or_default();
    let siren = if s.siren { "ON" } else { "off" };
    let mut out = format!(
        "homesec '{}': controller {who}\nalarm:   {}{mode} since {} ({} ago); siren {siren}\ninputs:  {} accepted, {} rejected\n",
        report.snapshot.instance,
        s.alarm,
        clock_time(s.since_ms),
        age(now.saturating_sub(s.since_ms)),
        s.accepted,
        s.rejected
    );
    for line in trouble_lines(s) {
        let _ = writeln!(out, "TROUBLE: {line}");
    }
    out
}

/// What each active system trouble means, for the person reading.
fn trouble_lines(s: &Snapshot) -> Vec<String> {
    let mut lines = Vec::new();
    if s.trouble.memory_lost {
        lines.push("the alarm memory could not be read at start; the house took the state the event log last showed; enter a code to confirm".to_string());
    }
    if s.trouble.disk_fault {
        lines.push(format!(
            "the event log cannot be written (disk full or failing); records wait in memory, durable up to seq {}",
            s.logged_seq
        ));
    }
    if s.trouble.input_failed {
        lines.push("an input (FIFO, queue or a pipe) failed and is being restarted; see the diagnostic log".to_string());
    }
    lines
}

/// One line per sensor: state, age of the last change, events, flags.
fn sensor_table(s: &Snapshot, now: i64) -> String {
    let w = s
        .sensors
        .iter()
        .map(|x| x.id.len())
        .max()
        .unwrap_or(0)
        .clamp(6, vocab::MAX_ID_LEN);
    let mut out = format!(
        "{:<w$}  {:<12}  {:<7}  {:<11}  {:>8}  {:>8}  flags\n",
        "SENSOR", "ZONE", "KIND", "STATE", "CHANGED", "EVENTS"
    );
    for x in &s.sensors {
        let flags: Vec<&str> = [
            (x.bypassed, "bypassed"),
            (x.offline, "OFFLINE"),
            (x.low_battery, "low-battery"),
            (x.tamper, "TAMPER"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        let _ = writeln!(
            out,
            "{:<w$}  {:<12}  {:<7}  {:<11}  {:>8}  {:>8}  {}",
            x.id,
            x.zone,
            x.kind.as_str(),
            x.state.as_str(),
            age(now.saturating_sub(x.last_change_ms)),
            x.events,
            flags.join(" ")
        );
    }
    out
}

/// `ms` (unix ms) as a local `HH:MM:SS`.
pub(crate) fn clock_time(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "?".into())
}

/// A short human age: `850ms`, `12s`, `5m`, `3h`, `2d`.
pub(crate) fn age(ms: i64) -> String {
    let ms = ms.max(0);
    match ms {
        0..1_000 => format!("{ms}ms"),
        1_000..60_000 => format!("{}s", ms / 1_000),
        60_000..3_600_000 => format!("{}m", ms / 60_000),
        3_600_000..86_400_000 => format!("{}h", ms / 3_600_000),
        _ => format!("{}d", ms / 86_400_000),
    }
}

#[cfg(test)]
mod tests {
    use super::age;

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        assert_eq!(age(-5), "0ms");
        assert_eq!(age(850), "850ms");
        assert_eq!(age(12_400), "12s");
        assert_eq!(age(5 * 60_000 + 1), "5m");
        assert_eq!(age(3 * 3_600_000), "3h");
        assert_eq!(age(2 * 86_400_000), "2d");
    }
}
