//! The three lines a person reads first: the alarms; arming, events and
//! faults; and whether the log is intact. Written once into the report so
//! that every format says the same.

use crate::model::{IntegrityStatus, Report};
use crate::words::{cause, count, time};

/// Alarms named in the first line before "and N more".
const NAMED_ALARMS: usize = 3;

/// Fills `report.summary.lines`.
pub fn fill(report: &mut Report) {
    report.summary.lines = vec![
        alarms_line(report),
        activity_line(report),
        integrity_line(report),
    ];
}

fn alarms_line(report: &Report) -> String {
    let alarms = &report.alarms;
    if alarms.is_empty() {
        return "No alarms.".to_string();
    }
    let named: Vec<String> = alarms
        .items
        .iter()
        .take(NAMED_ALARMS)
        .map(|a| {
            let what = match &a.sensor {
                Some(sensor) => format!("{} ({})", cause(a.cause), report.sensor_name(sensor)),
                None => cause(a.cause).to_string(),
            };
            format!("{what} at {}", time(report, &a.triggered_at))
        })
        .collect();
    let more = alarms.total() - named.len() as u64;
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "{}: {}{more}.",
        capitalise(&count(alarms.total(), "alarm", "alarms")),
        named.join(", ")
    )
}

fn activity_line(report: &Report) -> String {
    let t = &report.totals;
    format!(
        "{}, {}; {}; {}.",
        capitalise(&count(t.arms, "arm", "arms")),
        count(t.disarms, "disarm", "disarms"),
        count(t.events, "sensor event", "sensor events"),
        count(t.faults, "fault", "faults"),
    )
}

fn integrity_line(report: &Report) -> String {
    let i = &report.integrity;
    let c = &i.counts;
    if i.status == IntegrityStatus::Failed {
        let parts: Vec<String> = [
            (c.gaps, "sequence gap", "sequence gaps"),
            (c.chain_breaks, "hash chain break", "hash chain breaks"),
            (c.corrupt, "corrupt line", "corrupt lines"),
            (c.torn, "torn line", "torn lines"),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| count(*n, one, many))
        .collect();
        return format!("Log integrity FAILED: {}.", parts.join(", "));
    }
    let missing = i.files.iter().filter(|f| !f.present).count() as u64;
    let mut line = match (i.first_seq, i.last_seq) {
        (Some(first), Some(last)) => format!(
            "Log integrity OK: {}, seq {first} to {last}",
            count(i.records, "record", "records")
        ),
        _ => "Log integrity OK: no records".to_string(),
    };
    // Days still to come have no file yet; only a finished period's gaps count.
    if missing > 0 && report.period.complete {
        line.push_str(&format!(
            "; {} missing",
            count(missing, "day file", "day files")
        ));
    }
    if c.in_progress > 0 {
        line.push_str("; the last line is still being written");
    }
    line.push('.');
    line
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
