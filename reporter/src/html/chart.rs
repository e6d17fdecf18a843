//! The activity chart: one bar per histogram bucket (an hour, or a day's
//! hours per row for a longer period), on a scale with a round top.

use super::page::{Attr, Page, table};
use super::section;
use super::svg::*;
use crate::model::Report;
use crate::tables;
use crate::words::{count, duration};

pub(super) fn activity(page: &mut Page, r: &Report) {
    let a = &r.activity;
    if a.events == 0 {
        return;
    }
    section(page, "activity", "Activity");
    page.leaf(
        "p",
        &[],
        &format!("{}.", count(a.events, "sensor event", "sensor events")),
    );
    let rows = rows(r);
    let top = a
        .histogram
        .buckets
        .iter()
        .map(|b| b.events)
        .max()
        .unwrap_or(0);
    let scale = nice_ceiling(top);
    let plot = if rows.len() > 1 { PLOT_PER_DAY } else { PLOT };
    for row in &rows {
        page.open("figure", &[]);
        if let Some(label) = &row.label {
            page.leaf("figcaption", &[], label);
        }
        chart(page, r, row, scale, plot);
        page.close();
    }
    let clocks = if r.period.start.offset() != r.period.end.offset() {
        "; the clocks changed, so a day has more or fewer than 24 hours"
    } else {
        ""
    };
    page.leaf(
        "p",
        &[("class", &"muted")],
        &format!(
            "Sensor events per {} (local time); the darker part counts active states (open, motion, alarm, pressed){clocks}.",
            duration(u64::from(a.histogram.bucket_minutes) * 60_000)
        ),
    );
    let zones = tables::zones(r);
    table(page, &zones.header, &zones.rows);
    let sensors = tables::sensors(r);
    table(page, &sensors.header, &sensors.rows);
    if a.other_events > 0 {
        page.leaf(
            "p",
            &[],
            &format!(
                "{} of sensors past the list's limit.",
                count(a.other_events, "event", "events")
            ),
        );
    }
    page.close();
}

/// The smallest of 1, 2, 5, 10, 20, 50, … at least `n`: the chart's top.
pub(super) fn nice_ceiling(n: u64) -> u64 {
    let mut unit = 1u64;
    loop {
        for step in [1, 2, 5] {
            let nice = unit.saturating_mul(step);
            if nice >= n || nice == u64::MAX {
                return nice;
            }
        }
        unit = unit.saturating_mul(10);
    }
}

/// The hourly chart of one row: a bar per bucket, `scale` events high at
/// `plot` units.
pub(super) fn chart(page: &mut Page, r: &Report, row: &Row, scale: u64, plot: f64) {
    let left = 10.0 + 7.0 * scale.to_string().len() as f64;
    let width = WIDTH - left - 2.0;
    // Room above the plot for the top grid line's label.
    let bottom = 8.0 + plot;
    let view = format!("0 0 {WIDTH} {}", px(bottom + AXIS));
    let label = format!("{} hourly bars of sensor events", row.buckets.len());
    page.open(
        "svg",
        &[("viewBox", &view), ("role", &"img"), ("aria-label", &label)],
    );
    let mut grid = vec![0, scale];
    if scale >= 2 && scale % 2 == 0 {
        grid.insert(1, scale / 2);
    }
    for value in grid {
        let y = px(bottom - value as f64 / scale as f64 * plot);
        page.empty(
            "line",
            &[
                ("class", &"grid"),
                ("x1", &px(left)),
                ("x2", &WIDTH),
                ("y1", &y),
                ("y2", &y),
            ],
        );
        // The label's middle on the line: the baseline a third of a line lower.
        let baseline = px(bottom - value as f64 / scale as f64 * plot + 4.0);
        let attrs: [Attr; 3] = [
            ("x", &px(left - 4.0)),
            ("y", &baseline),
            ("text-anchor", &"end"),
        ];
        page.leaf("text", &attrs, &value.to_string());
    }
    let slot = width / row.buckets.len().max(1) as f64;
    let bar_width = (slot * 0.75).max(0.5);
    let minutes = i64::from(r.activity.histogram.bucket_minutes);
    for (i, b) in row.buckets.iter().enumerate() {
        let x = left + i as f64 * slot + (slot - bar_width) / 2.0;
        let height = b.events as f64 / scale as f64 * plot;
        let to = b.start + chrono::Duration::minutes(minutes);
        let title = format!(
            "{} to {}: {}, {} active",
            b.start.format("%H:%M"),
            to.format("%H:%M"),
            count(b.events, "event", "events"),
            b.activations
        );
        let (x, w) = (px(x), px(bar_width));
        let attrs: [Attr; 5] = [
            ("class", &"bar"),
            ("x", &x),
            ("y", &px(bottom - height)),
            ("width", &w),
            ("height", &px(height)),
        ];
        page.open("rect", &attrs);
        page.leaf("title", &[], &title);
        page.close();
        if b.activations > 0 {
            let active = b.activations as f64 / scale as f64 * plot;
            let y = px(bottom - active);
            page.empty(
                "rect",
                &[
                    ("class", &"act"),
                    ("x", &x),
                    ("y", &y),
                    ("width", &w),
                    ("height", &px(active)),
                ],
            );
        }
    }
    for (i, text) in hour_labels(row.buckets, 3) {
        let x = left + (i as f64 + 0.5) * slot;
        page.leaf(
            "text",
            &[
                ("x", &px(x)),
                ("y", &px(bottom + 13.0)),
                ("text-anchor", &"middle"),
            ],
            &text,
        );
    }
    page.close();
}
