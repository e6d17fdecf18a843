//! The tables every format shows, as a header and rows of text: the
//! Markdown, text and HTML renderers only decide how a table looks, so the
//! formats never disagree on what is in it.

use crate::model::{Change, ChangeAction, Comparison, Report, Totals};
use crate::words::{duration, time, words_of};

/// One table: column names and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Column names.
    pub header: Vec<&'static str>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&'static str], rows: Vec<Vec<String>>) -> Table {
        Table {
            header: header.to_vec(),
            rows,
        }
    }

    /// Whether it has no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

const TOTALS_HEADER: [&str; 8] = [
    "",
    "alarms",
    "arms",
    "disarms",
    "events",
    "faults",
    "rejected",
    "failed codes",
];

/// The armed timeline's changes.
pub fn changes(r: &Report) -> Table {
    let rows = r
        .timeline
        .changes
        .items
        .iter()
        .map(|c| change_row(r, c))
        .collect();
    Table::new(&["time", "what", "mode", "user", "source", "note"], rows)
}

fn change_row(r: &Report, c: &Change) -> Vec<String> {
    let action = match c.action {
        ChangeAction::Arm => "arm",
        ChangeAction::Armed => "armed (exit delay over)",
        ChangeAction::Disarm => "disarm",
        ChangeAction::AlarmEnded => "alarm over, disarmed",
        ChangeAction::Restore => "restored after restart",
        ChangeAction::Refused => "arming refused",
    };
    let sensors: Vec<&str> = c.sensors.iter().map(|s| r.sensor_name(s)).collect();
    let note = match c.action {
        ChangeAction::Refused => format!("in the way: {}", sensors.join(", ")),
        _ if !sensors.is_empty() => format!("forced, bypassed: {}", sensors.join(", ")),
        _ => c
            .delay_ms
            .map(|d| format!("exit delay {}", duration(d)))
            .unwrap_or_default(),
    };
    vec![
        time(r, &c.at),
        action.to_string(),
        c.mode.map(|m| m.to_string()).unwrap_or_default(),
        c.user.clone().unwrap_or_default(),
        c.source.clone(),
        note,
    ]
}

/// Events and activations per zone.
pub fn zones(r: &Report) -> Table {
    let rows = r
        .activity
        .zones
        .iter()
        .map(|z| {
            vec![
                r.zone_name(&z.zone).to_string(),
                z.events.to_string(),
                z.activations.to_string(),
            ]
        })
        .collect();
    Table::new(&["zone", "events", "activations"], rows)
}

/// Events and activations per sensor.
pub fn sensors(r: &Report) -> Table {
    let rows = r
        .activity
        .sensors
        .iter()
        .map(|s| {
            vec![
                r.sensor_name(&s.sensor).to_string(),
                r.zone_name(&s.zone).to_string(),
                s.kind.to_string(),
                s.events.to_string(),
                s.activations.to_string(),
            ]
        })
        .collect();
    Table::new(&["sensor", "zone", "kind", "events", "activations"], rows)
}

/// Doors and windows open too long or while armed.
pub fn openings(r: &Report) -> Table {
    let rows = r
        .openings
        .items
        .items
        .iter()
        .map(|x| {
            vec![
                r.sensor_name(&x.sensor).to_string(),
                time(r, &x.opened_at),
                x.closed_at
                    .map_or_else(|| "still open".to_string(), |c| time(r, &c)),
                duration(x.open_ms),
                if x.armed_ms > 0 {
                    duration(x.armed_ms)
                } else {
                    String::new()
                },
                x.bypass.map(|b| words_of(&b)).unwrap_or_default(),
            ]
        })
        .collect();
    Table::new(
        &[
            "sensor",
            "opened",
            "closed",
            "open for",
            "while armed",
            "bypass",
        ],
        rows,
    )
}

/// Trouble periods of the sensors.
pub fn troubles(r: &Report) -> Table {
    let rows = r
        .health
        .troubles
        .items
        .iter()
        .map(|t| {
            vec![
                r.sensor_name(&t.sensor).to_string(),
                words_of(&t.condition),
                time(r, &t.started_at),
                t.ended_at
                    .map_or_else(|| "still".to_string(), |e| time(r, &e)),
                duration(t.duration_ms),
            ]
        })
        .collect();
    Table::new(&["sensor", "trouble", "from", "to", "in period"], rows)
}

/// Refused input.
pub fn rejected(r: &Report) -> Table {
    let rows = r
        .input
        .rejected
        .items
        .iter()
        .map(|x| {
            vec![
                time(r, &x.at),
                x.source.clone(),
                x.reason.clone(),
                x.input.clone(),
            ]
        })
        .collect();
    Table::new(&["time", "source", "reason", "input"], rows)
}

/// Wrong codes and codes entered while locked out.
pub fn failed_codes(r: &Report) -> Table {
    let rows = r
        .input
        .failed_codes
        .items
        .iter()
        .map(|x| {
            vec![
                time(r, &x.at),
                x.action.clone(),
                words_of(&x.result),
                x.source.clone(),
            ]
        })
        .collect();
    Table::new(&["time", "for", "result", "source"], rows)
}

/// The controller's starts, stops, reloads and signals.
pub fn system_events(r: &Report) -> Table {
    let rows = r
        .system
        .events
        .items
        .iter()
        .map(|e| vec![time(r, &e.at), e.what.replace('_', " "), e.detail.clone()])
        .collect();
    Table::new(&["time", "what", "detail"], rows)
}

/// The totals of each day of a longer period.
pub fn days(r: &Report) -> Table {
    let rows = r
        .days
        .iter()
        .map(|d| {
            let hours = d.length_ms / 3_600_000;
            let label = if hours == 24 {
                d.date.format("%a %Y-%m-%d").to_string()
            } else {
                format!("{} ({hours} h)", d.date.format("%a %Y-%m-%d"))
            };
            totals_row(label, &d.totals)
        })
        .collect();
    Table::new(&TOTALS_HEADER, rows)
}

/// This period's totals, the week before's, and the change (signed).
pub fn comparison(r: &Report, c: &Comparison) -> Table {
    let (now, before) = (&r.totals, &c.previous_totals);
    let change = |a: u64, b: u64| {
        let d = i128::from(a) - i128::from(b);
        if d > 0 {
            format!("+{d}")
        } else {
            d.to_string()
        }
    };
    let delta = vec![
        "change".to_string(),
        change(now.alarms, before.alarms),
        change(now.arms, before.arms),
        change(now.disarms, before.disarms),
        change(now.events, before.events),
        change(now.faults, before.faults),
        change(now.rejected, before.rejected),
        change(now.failed_codes, before.failed_codes),
    ];
    let rows = vec![
        totals_row(r.period.name.clone(), now),
        totals_row(c.previous.clone(), before),
        delta,
    ];
    Table::new(&TOTALS_HEADER, rows)
}

fn totals_row(label: String, t: &Totals) -> Vec<String> {
    let counts = [
        t.alarms,
        t.arms,
        t.disarms,
        t.events,
        t.faults,
        t.rejected,
        t.failed_codes,
    ];
    std::iter::once(label)
        .chain(counts.iter().map(u64::to_string))
        .collect()
}

/// The log files read and their records.
pub fn files(r: &Report) -> Table {
    let rows = r
        .integrity
        .files
        .iter()
        .map(|f| {
            let records = if f.present {
                f.records.to_string()
            } else {
                "missing".to_string()
            };
            vec![f.path.clone(), records]
        })
        .collect();
    Table::new(&["file", "records"], rows)
}

/// What the integrity check found, with file and line.
pub fn problems(r: &Report) -> Table {
    let rows = r
        .integrity
        .problems
        .items
        .iter()
        .map(|p| {
            vec![
                format!("{}:{}", p.file, p.line),
                words_of(&p.kind),
                p.detail.clone(),
            ]
        })
        .collect();
    Table::new(&["where", "problem", "detail"], rows)
}
