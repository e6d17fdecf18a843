//! The armed timeline: a bar per row coloured by alarm state, the mode
//! written on armed stretches, a marker at each alarm, and its legend.

use super::page::{Page, table};
use super::section;
use super::sections::{alarm_title, omitted};
use super::svg::*;
use crate::model::StateAt;
use crate::model::{Alarm, Report, Time};
use crate::tables;
use crate::words::{duration, state_words, time};

pub(super) fn timeline(page: &mut Page, r: &Report) {
    let t = &r.timeline;
    if t.changes.is_empty() && t.at_start.state.is_none() {
        return;
    }
    section(page, "timeline", "Armed timeline");
    let since = |s: &StateAt| {
        s.since
            .map(|at| format!(" since {}", time(r, &at)))
            .unwrap_or_default()
    };
    page.leaf(
        "p",
        &[],
        &format!(
            "At the start: {}{}.",
            state_words(&t.at_start),
            since(&t.at_start)
        ),
    );
    page.leaf(
        "p",
        &[],
        &format!(
            "At the end: {}{}.",
            state_words(&t.at_end),
            since(&t.at_end)
        ),
    );
    page.leaf(
        "p",
        &[],
        &format!("Armed for {} in all.", duration(t.armed_ms)),
    );
    timeline_svg(page, r, &rows(r));
    legend(page, r);
    if t.segments.omitted > 0 {
        page.leaf(
            "p",
            &[("class", &"muted")],
            &format!(
                "The bar stops after {} segments; the rest of the period is not drawn.",
                t.segments.items.len()
            ),
        );
    }
    let rows = tables::changes(r);
    if !rows.is_empty() {
        table(page, &rows.header, &rows.rows);
    }
    omitted(page, t.changes.omitted, "change", "changes");
    page.close();
}

pub(super) fn state_class(state: Option<homesec_ipc::AlarmState>) -> &'static str {
    match state {
        Some(s) => match s {
            homesec_ipc::AlarmState::Disarmed => "s-disarmed",
            homesec_ipc::AlarmState::Arming => "s-arming",
            homesec_ipc::AlarmState::Armed => "s-armed",
            homesec_ipc::AlarmState::Pending => "s-pending",
            homesec_ipc::AlarmState::Triggered => "s-triggered",
        },
        None => "s-unknown",
    }
}

pub(super) fn timeline_svg(page: &mut Page, r: &Report, rows: &[Row]) {
    let left = if rows.len() > 1 { ROW_LABEL } else { 0.0 };
    let width = WIDTH - left;
    let height = rows.len() as f64 * ROW + AXIS;
    let view = format!("0 0 {WIDTH} {}", px(height));
    page.open(
        "svg",
        &[
            ("viewBox", &view),
            ("role", &"img"),
            ("aria-label", &"Alarm state over the period"),
        ],
    );
    for (n, row) in rows.iter().enumerate() {
        let top = n as f64 * ROW;
        let x_of = |t: &Time| left + fraction(t, &row.start, &row.end) * width;
        if let Some(label) = &row.label {
            page.leaf("text", &[("x", &0), ("y", &px(top + MARKER + 12.0))], label);
        }
        timeline_row(page, r, row, top, &x_of);
    }
    if let Some(last) = rows.last() {
        for (i, label) in hour_labels(last.buckets, 6) {
            let x = left + fraction(&last.buckets[i].start, &last.start, &last.end) * width;
            let anchor = if i == 0 { "start" } else { "middle" };
            page.leaf(
                "text",
                &[
                    ("x", &px(x)),
                    ("y", &px(height - 3.0)),
                    ("text-anchor", &anchor),
                ],
                &label,
            );
        }
    }
    page.close();
}

/// One row's segments, hour ticks and alarm markers.
pub(super) fn timeline_row(
    page: &mut Page,
    r: &Report,
    row: &Row,
    top: f64,
    x_of: &dyn Fn(&Time) -> f64,
) {
    let bar_top = top + MARKER + 1.0;
    let segments = &r.timeline.segments;
    let mut drawn_to = row.start;
    for seg in &segments.items {
        let start = seg.start.max(row.start);
        let end = seg.end.min(row.end);
        if end <= start {
            continue;
        }
        drawn_to = drawn_to.max(end);
        let (x0, x1) = (x_of(&start), x_of(&end));
        let state = seg
            .state
            .map_or_else(|| "unknown".to_string(), |s| s.to_string());
        let mode = seg.mode.map(|m| format!(" ({m})")).unwrap_or_default();
        let title = format!(
            "{state}{mode}: {} to {}",
            time(r, &seg.start),
            time(r, &seg.end)
        );
        let class = format!("seg {}", state_class(seg.state));
        page.open(
            "rect",
            &[
                ("class", &class),
                ("x", &px(x0)),
                ("y", &px(bar_top)),
                ("width", &px((x1 - x0).max(MIN_SEGMENT))),
                ("height", &px(BAR)),
            ],
        );
        page.leaf("title", &[], &title);
        page.close();
        mode_label(page, seg, x0, x1, bar_top);
    }
    if drawn_to < row.end {
        let (x0, x1) = (x_of(&drawn_to), x_of(&row.end));
        page.open(
            "rect",
            &[
                ("class", &"seg s-unknown"),
                ("x", &px(x0)),
                ("y", &px(bar_top)),
                ("width", &px(x1 - x0)),
                ("height", &px(BAR)),
            ],
        );
        let why = if segments.omitted > 0 {
            "not drawn: too many changes"
        } else {
            "not known: after the last record"
        };
        page.leaf("title", &[], why);
        page.close();
    }
    for (i, _) in hour_labels(row.buckets, 6)
        .into_iter()
        .filter(|(i, _)| *i > 0)
    {
        let x = px(x_of(&row.buckets[i].start));
        let (y1, y2) = (px(bar_top), px(bar_top + BAR));
        page.empty(
            "line",
            &[
                ("class", &"tick"),
                ("x1", &x),
                ("x2", &x),
                ("y1", &y1),
                ("y2", &y2),
            ],
        );
    }
    for alarm in r
        .alarms
        .items
        .iter()
        .filter(|a| a.triggered_at >= row.start && a.triggered_at < row.end)
    {
        alarm_marker(page, r, alarm, x_of(&alarm.triggered_at), top, bar_top);
    }
}

/// The mode written inside an armed segment wide enough to hold it.
pub(super) fn mode_label(
    page: &mut Page,
    seg: &crate::model::Segment,
    x0: f64,
    x1: f64,
    bar_top: f64,
) {
    let Some(mode) = seg.mode else {
        return;
    };
    let text = mode.to_string();
    if x1 - x0 < 8.0 + 6.5 * text.len() as f64 {
        return;
    }
    let light = matches!(
        seg.state,
        Some(homesec_ipc::AlarmState::Arming | homesec_ipc::AlarmState::Pending)
    );
    let class = if light { "mode dark" } else { "mode" };
    page.leaf(
        "text",
        &[
            ("class", &class),
            ("x", &px((x0 + x1) / 2.0)),
            ("y", &px(bar_top + BAR - 4.5)),
            ("text-anchor", &"middle"),
        ],
        &text,
    );
}

pub(super) fn alarm_marker(
    page: &mut Page,
    r: &Report,
    alarm: &Alarm,
    x: f64,
    top: f64,
    bar_top: f64,
) {
    page.open("g", &[("class", &"alarm-marker")]);
    page.leaf("title", &[], &format!("alarm: {}", alarm_title(r, alarm)));
    let path = format!("M{} {}h9l-4.5 {MARKER}z", px(x - 4.5), px(top));
    page.empty("path", &[("d", &path)]);
    let (x, y1, y2) = (px(x), px(bar_top), px(bar_top + BAR));
    page.empty(
        "line",
        &[
            ("x1", &x),
            ("x2", &x),
            ("y1", &y1),
            ("y2", &y2),
            ("stroke-width", &1.5),
        ],
    );
    page.close();
}

pub(super) fn legend(page: &mut Page, r: &Report) {
    use homesec_ipc::AlarmState;
    let segments = &r.timeline.segments.items;
    // The bar's tail past the last segment is drawn as not known.
    let tail = segments.last().is_none_or(|s| s.end < r.period.end);
    let present = |state: Option<AlarmState>| {
        segments.iter().any(|s| s.state == state) || (state.is_none() && tail)
    };
    let mut states: Vec<Option<AlarmState>> = AlarmState::ALL.iter().map(|s| Some(*s)).collect();
    states.push(None);
    page.open("ul", &[("class", &"legend")]);
    for state in states.into_iter().filter(|s| present(*s)) {
        page.open("li", &[]);
        let class = format!("sw {}", state_class(state));
        page.leaf("span", &[("class", &class)], "");
        page.text(&state.map_or_else(|| "not known".to_string(), |s| s.to_string()));
        page.close();
    }
    if !r.alarms.is_empty() {
        page.open("li", &[]);
        page.leaf("span", &[("class", &"sw alarm")], "\u{25bc}");
        page.text("alarm");
        page.close();
    }
    page.close();
}
