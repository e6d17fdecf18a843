//! The geometry the SVG drawings share: the coordinate system, the row
//! heights, the rows themselves (the whole period, or one per day) and the
//! hour labels under them.

use crate::model::{Bucket, Report, Time};

/// Width of every SVG's coordinate system; the drawing scales to the page.
pub(super) const WIDTH: f64 = 400.0;
/// Height of one timeline row: alarm markers above, the bar below them.
pub(super) const ROW: f64 = 32.0;
pub(super) const MARKER: f64 = 8.0;
pub(super) const BAR: f64 = 18.0;
/// The narrowest segment drawn, so that a short alarm still shows.
pub(super) const MIN_SEGMENT: f64 = 1.5;
/// Room under the last row or the chart for the hour labels.
pub(super) const AXIS: f64 = 16.0;
/// Height of the activity chart's plot area: one chart, or one of a row per day.
pub(super) const PLOT: f64 = 100.0;
pub(super) const PLOT_PER_DAY: f64 = 56.0;
/// Left margin for row labels when a timeline has one row per day.
pub(super) const ROW_LABEL: f64 = 44.0;

/// One row of the drawings: the whole period, or one of its days.
pub(super) struct Row<'a> {
    /// `Mon 23` for a day of a longer period; none for a one-row drawing.
    pub(super) label: Option<String>,
    pub(super) start: Time,
    pub(super) end: Time,
    /// The histogram buckets that start in this row.
    pub(super) buckets: &'a [Bucket],
}

/// The period as one row, or one row per day when it spans several.
pub(super) fn rows(r: &Report) -> Vec<Row<'_>> {
    let buckets = &r.activity.histogram.buckets;
    let slice = |start: &Time, end: &Time| {
        let from = buckets.partition_point(|b| b.start < *start);
        let to = buckets.partition_point(|b| b.start < *end);
        &buckets[from..to.max(from)]
    };
    if r.days.len() < 2 {
        return vec![Row {
            label: None,
            start: r.period.start,
            end: r.period.end,
            buckets,
        }];
    }
    let mut start = r.period.start;
    r.days
        .iter()
        .map(|day| {
            let end = i64::try_from(day.length_ms)
                .ok()
                .and_then(chrono::Duration::try_milliseconds)
                .and_then(|length| start.checked_add_signed(length))
                .map_or(r.period.end, |end| end.min(r.period.end));
            let row = Row {
                label: Some(day.date.format("%a %d").to_string()),
                start,
                end,
                buckets: slice(&start, &end),
            };
            start = end;
            row
        })
        .collect()
}

/// Where `t` falls in `[start, end)`, from 0 to 1.
pub(super) fn fraction(t: &Time, start: &Time, end: &Time) -> f64 {
    let length = (*end - *start).num_milliseconds();
    if length <= 0 {
        return 0.0;
    }
    ((*t - *start).num_milliseconds() as f64 / length as f64).clamp(0.0, 1.0)
}

/// A coordinate with one decimal, enough for a drawing 400 units wide.
pub(super) fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// The buckets whose start gets an hour label: every `step` hours, and a
/// repeated hour (the clocks going back) only once.
pub(super) fn hour_labels(buckets: &[Bucket], step: u32) -> Vec<(usize, String)> {
    use chrono::Timelike;
    let mut labels: Vec<(usize, String)> = Vec::new();
    let mut previous = None;
    for (i, b) in buckets.iter().enumerate() {
        let hour = b.start.hour();
        if hour % step == 0 && previous != Some(hour) {
            let text = if b.start.minute() == 0 {
                b.start.format("%H").to_string()
            } else {
                b.start.format("%H:%M").to_string()
            };
            labels.push((i, text));
        }
        previous = Some(hour);
    }
    labels
}
