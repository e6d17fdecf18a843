//! The report as Markdown or plain text: the summary first, then each
//! section that has something to say, integrity last. Times are shown as
//! [`crate::words::time`] does; names come from the report's `house`.

use crate::doc::{Doc, Flavour};
use crate::model::{IntegrityStatus, PeriodKind, Report, StateAt};
use crate::tables;
use crate::words::{
    alarm_facts, cause, code_counts, controller_counts, count, duration, left_out, refused_inputs,
    state_words, time,
};

/// Widest bar in the text histogram.
const BAR_WIDTH: u64 = 40;

/// Renders `report` in `flavour`.
pub fn render(report: &Report, flavour: Flavour) -> String {
    let mut doc = Doc::new(flavour);
    header(&mut doc, report);
    timeline(&mut doc, report);
    alarms(&mut doc, report);
    activity(&mut doc, report);
    openings(&mut doc, report);
    health(&mut doc, report);
    input(&mut doc, report);
    system(&mut doc, report);
    days(&mut doc, report);
    comparison(&mut doc, report);
    integrity(&mut doc, report);
    doc.finish()
}

fn header(doc: &mut Doc, r: &Report) {
    let what = match r.period.kind {
        PeriodKind::Day => "day",
        PeriodKind::Week => "week",
        PeriodKind::Range => "period",
    };
    doc.heading(
        1,
        &format!("homesec report, {what} {} ({})", r.period.name, r.instance),
    );
    let running = if r.period.complete {
        ""
    } else {
        "; still running"
    };
    doc.para(&format!(
        "From {} to {} ({}{running}).",
        r.period.start.format("%Y-%m-%d %H:%M %:z"),
        r.period.end.format("%Y-%m-%d %H:%M %:z"),
        duration(r.period.length_ms)
    ));
    doc.lines(&r.summary.lines);
}

fn timeline(doc: &mut Doc, r: &Report) {
    let t = &r.timeline;
    if t.changes.is_empty() && t.at_start.state.is_none() {
        return;
    }
    doc.heading(2, "Armed timeline");
    let since = |s: &StateAt| {
        s.since
            .map(|at| format!(" since {}", time(r, &at)))
            .unwrap_or_default()
    };
    doc.lines(&[
        format!(
            "At the start: {}{}.",
            state_words(&t.at_start),
            since(&t.at_start)
        ),
        format!(
            "At the end: {}{}.",
            state_words(&t.at_end),
            since(&t.at_end)
        ),
        format!("Armed for {} in all.", duration(t.armed_ms)),
    ]);
    let rows = tables::changes(r);
    if !rows.is_empty() {
        doc.table(&rows.header, &rows.rows);
    }
    omitted(doc, t.changes.omitted, "change", "changes");
}

fn alarms(doc: &mut Doc, r: &Report) {
    if r.alarms.is_empty() {
        return;
    }
    doc.heading(2, "Alarms");
    for (n, alarm) in r.alarms.items.iter().enumerate() {
        let place = match (&alarm.sensor, &alarm.zone) {
            (Some(s), Some(z)) => format!(", {} ({})", r.sensor_name(s), r.zone_name(z)),
            (Some(s), None) => format!(", {}", r.sensor_name(s)),
            _ => String::new(),
        };
        doc.heading(
            3,
            &format!(
                "{}. {}{place}, {}",
                n + 1,
                cause(alarm.cause),
                time(r, &alarm.triggered_at)
            ),
        );
        doc.bullets(&alarm_facts(r, alarm));
    }
    omitted(doc, r.alarms.omitted, "alarm", "alarms");
}

fn activity(doc: &mut Doc, r: &Report) {
    let a = &r.activity;
    if a.events == 0 {
        return;
    }
    doc.heading(2, "Activity");
    doc.para(&format!(
        "{}.",
        count(a.events, "sensor event", "sensor events")
    ));
    let zones = tables::zones(r);
    doc.table(&zones.header, &zones.rows);
    let sensors = tables::sensors(r);
    doc.table(&sensors.header, &sensors.rows);
    if a.other_events > 0 {
        doc.para(&format!(
            "{} of sensors past the list's limit.",
            count(a.other_events, "event", "events")
        ));
    }
    histogram(doc, r);
}

fn histogram(doc: &mut Doc, r: &Report) {
    let h = &r.activity.histogram;
    let max = h.buckets.iter().map(|b| b.events).max().unwrap_or(0).max(1);
    let clocks_change = r.period.start.offset() != r.period.end.offset();
    let label = |b: &crate::model::Bucket| match (r.period.kind, clocks_change) {
        (PeriodKind::Day, true) => b.start.format("%H:%M %:z").to_string(),
        (PeriodKind::Day, false) => b.start.format("%H:%M").to_string(),
        _ => b.start.format("%a %d %H:%M").to_string(),
    };
    let rows: Vec<Vec<String>> = h
        .buckets
        .iter()
        .filter(|b| r.period.kind == PeriodKind::Day || b.events > 0)
        .map(|b| {
            let width = usize::try_from(b.events * BAR_WIDTH / max).unwrap_or(0);
            let bar = "#".repeat(if b.events > 0 { width.max(1) } else { 0 });
            vec![label(b), b.events.to_string(), bar]
        })
        .collect();
    doc.para(&format!(
        "Events per {}:",
        duration(u64::from(h.bucket_minutes) * 60_000)
    ));
    doc.table(&["from", "events", ""], &rows);
}

fn openings(doc: &mut Doc, r: &Report) {
    let o = &r.openings;
    if o.items.is_empty() {
        return;
    }
    doc.heading(2, "Doors and windows");
    doc.para(&format!(
        "Open {} or longer, or open while armed (which means bypassed):",
        duration(o.threshold_ms)
    ));
    let rows = tables::openings(r);
    doc.table(&rows.header, &rows.rows);
    omitted(doc, o.items.omitted, "opening", "openings");
}

fn health(doc: &mut Doc, r: &Report) {
    let h = &r.health;
    if h.troubles.is_empty() && h.tamper_events == 0 {
        return;
    }
    doc.heading(2, "Sensor health");
    let rows = tables::troubles(r);
    if !rows.is_empty() {
        doc.table(&rows.header, &rows.rows);
    }
    omitted(doc, h.troubles.omitted, "trouble period", "trouble periods");
    if h.tamper_events > 0 {
        doc.para(&format!(
            "{} from a device's own tamper switch.",
            count(h.tamper_events, "event", "events")
        ));
    }
}

fn input(doc: &mut Doc, r: &Report) {
    let i = &r.input;
    if i.rejected.is_empty() && i.failed_codes.is_empty() {
        return;
    }
    doc.heading(2, "Rejected input and failed codes");
    if !i.rejected.is_empty() {
        doc.para(&refused_inputs(i));
        let rows = tables::rejected(r);
        doc.table(&rows.header, &rows.rows);
        omitted(doc, i.rejected.omitted, "refused input", "refused inputs");
    }
    doc.para(&code_counts(&i.codes));
    let rows = tables::failed_codes(r);
    if !rows.is_empty() {
        doc.table(&rows.header, &rows.rows);
    }
    omitted(doc, i.failed_codes.omitted, "failed code", "failed codes");
}

fn system(doc: &mut Doc, r: &Report) {
    let s = &r.system;
    if s.events.is_empty() {
        return;
    }
    doc.heading(2, "Controller");
    doc.para(&controller_counts(s));
    let rows = tables::system_events(r);
    doc.table(&rows.header, &rows.rows);
    omitted(doc, s.events.omitted, "event", "events");
}

fn days(doc: &mut Doc, r: &Report) {
    if r.days.len() < 2 {
        return;
    }
    doc.heading(2, "Day by day");
    let rows = tables::days(r);
    doc.table(&rows.header, &rows.rows);
}

fn comparison(doc: &mut Doc, r: &Report) {
    let Some(c) = &r.comparison else {
        return;
    };
    doc.heading(2, "Against the week before");
    if !c.previous_logged {
        doc.para(&format!("No records for {}.", c.previous));
        return;
    }
    let rows = tables::comparison(r, c);
    doc.table(&rows.header, &rows.rows);
}

fn integrity(doc: &mut Doc, r: &Report) {
    let i = &r.integrity;
    doc.heading(2, "Integrity");
    let status = match i.status {
        IntegrityStatus::Ok => "OK",
        IntegrityStatus::Failed => "FAILED",
    };
    let seqs = match (i.first_seq, i.last_seq) {
        (Some(a), Some(b)) => format!(", seq {a} to {b}"),
        _ => String::new(),
    };
    doc.para(&format!(
        "{status}: {}{seqs}.",
        count(i.records, "record", "records")
    ));
    let files = tables::files(r);
    doc.table(&files.header, &files.rows);
    let rows = tables::problems(r);
    if !rows.is_empty() {
        doc.table(&rows.header, &rows.rows);
    }
    omitted(doc, i.problems.omitted, "problem", "problems");
    if let Some(sentence) = left_out(i.left_out) {
        doc.para(&sentence);
    }
}

fn omitted(doc: &mut Doc, n: u64, one: &str, many: &str) {
    if n > 0 {
        doc.para(&format!(
            "… and {n} more {}.",
            if n == 1 { one } else { many }
        ));
    }
}
