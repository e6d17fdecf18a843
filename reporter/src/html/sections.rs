//! The sections that are text and tables: alarms, doors left open,
//! health, refused input, the system, the days of a longer period, the
//! week-against-week comparison and the log's integrity.

use super::page::{Page, table};
use super::section;
use crate::model::{Alarm, IntegrityStatus, Report};
use crate::tables;
use crate::words::{
    alarm_facts, cause, code_counts, controller_counts, count, duration, left_out, refused_inputs,
    time,
};

pub(super) fn alarm_title(r: &Report, alarm: &Alarm) -> String {
    let place = match (&alarm.sensor, &alarm.zone) {
        (Some(s), Some(z)) => format!(", {} ({})", r.sensor_name(s), r.zone_name(z)),
        (Some(s), None) => format!(", {}", r.sensor_name(s)),
        _ => String::new(),
    };
    format!(
        "{}{place}, {}",
        cause(alarm.cause),
        time(r, &alarm.triggered_at)
    )
}

pub(super) fn alarms(page: &mut Page, r: &Report) {
    if r.alarms.is_empty() {
        return;
    }
    section(page, "alarms", "Alarms");
    for (n, alarm) in r.alarms.items.iter().enumerate() {
        page.open("article", &[("class", &"alarm")]);
        page.leaf("h3", &[], &format!("{}. {}", n + 1, alarm_title(r, alarm)));
        page.open("ul", &[("class", &"facts")]);
        for fact in alarm_facts(r, alarm) {
            page.leaf("li", &[], &fact);
        }
        page.close();
        page.close();
    }
    omitted(page, r.alarms.omitted, "alarm", "alarms");
    page.close();
}

pub(super) fn openings(page: &mut Page, r: &Report) {
    let o = &r.openings;
    if o.items.is_empty() {
        return;
    }
    section(page, "openings", "Doors and windows");
    page.leaf(
        "p",
        &[],
        &format!(
            "Open {} or longer, or open while armed (which means bypassed):",
            duration(o.threshold_ms)
        ),
    );
    let rows = tables::openings(r);
    table(page, &rows.header, &rows.rows);
    omitted(page, o.items.omitted, "opening", "openings");
    page.close();
}

pub(super) fn health(page: &mut Page, r: &Report) {
    let h = &r.health;
    if h.troubles.is_empty() && h.tamper_events == 0 {
        return;
    }
    section(page, "health", "Sensor health");
    let rows = tables::troubles(r);
    if !rows.is_empty() {
        table(page, &rows.header, &rows.rows);
    }
    omitted(
        page,
        h.troubles.omitted,
        "trouble period",
        "trouble periods",
    );
    if h.tamper_events > 0 {
        page.leaf(
            "p",
            &[],
            &format!(
                "{} from a device's own tamper switch.",
                count(h.tamper_events, "event", "events")
            ),
        );
    }
    page.close();
}

pub(super) fn input(page: &mut Page, r: &Report) {
    let i = &r.input;
    if i.rejected.is_empty() && i.failed_codes.is_empty() {
        return;
    }
    section(page, "input", "Rejected input and failed codes");
    if !i.rejected.is_empty() {
        page.leaf("p", &[], &refused_inputs(i));
        let rows = tables::rejected(r);
        table(page, &rows.header, &rows.rows);
        omitted(page, i.rejected.omitted, "refused input", "refused inputs");
    }
    page.leaf("p", &[], &code_counts(&i.codes));
    let rows = tables::failed_codes(r);
    if !rows.is_empty() {
        table(page, &rows.header, &rows.rows);
    }
    omitted(page, i.failed_codes.omitted, "failed code", "failed codes");
    page.close();
}

pub(super) fn system(page: &mut Page, r: &Report) {
    let s = &r.system;
    if s.events.is_empty() {
        return;
    }
    section(page, "system", "Controller");
    page.leaf("p", &[], &controller_counts(s));
    let rows = tables::system_events(r);
    table(page, &rows.header, &rows.rows);
    omitted(page, s.events.omitted, "event", "events");
    page.close();
}

pub(super) fn days(page: &mut Page, r: &Report) {
    if r.days.len() < 2 {
        return;
    }
    section(page, "days", "Day by day");
    let rows = tables::days(r);
    table(page, &rows.header, &rows.rows);
    page.close();
}

pub(super) fn comparison(page: &mut Page, r: &Report) {
    let Some(c) = &r.comparison else {
        return;
    };
    section(page, "comparison", "Against the week before");
    if !c.previous_logged {
        page.leaf("p", &[], &format!("No records for {}.", c.previous));
        page.close();
        return;
    }
    let rows = tables::comparison(r, c);
    table(page, &rows.header, &rows.rows);
    page.close();
}

pub(super) fn integrity(page: &mut Page, r: &Report) {
    let i = &r.integrity;
    section(page, "integrity", "Integrity");
    let (status, class) = match i.status {
        IntegrityStatus::Ok => ("OK", "good"),
        IntegrityStatus::Failed => ("FAILED", "bad"),
    };
    let seqs = match (i.first_seq, i.last_seq) {
        (Some(a), Some(b)) => format!(", seq {a} to {b}"),
        _ => String::new(),
    };
    page.open("p", &[]);
    page.leaf("span", &[("class", &class)], status);
    page.text(&format!(
        ": {}{seqs}.",
        count(i.records, "record", "records")
    ));
    page.close();
    let files = tables::files(r);
    table(page, &files.header, &files.rows);
    let rows = tables::problems(r);
    if !rows.is_empty() {
        table(page, &rows.header, &rows.rows);
    }
    omitted(page, i.problems.omitted, "problem", "problems");
    if let Some(sentence) = left_out(i.left_out) {
        page.leaf("p", &[], &sentence);
    }
    page.close();
}

pub(super) fn omitted(page: &mut Page, n: u64, one: &str, many: &str) {
    if n > 0 {
        page.leaf(
            "p",
            &[("class", &"muted")],
            &format!("… and {} more.", count(n, one, many)),
        );
    }
}
