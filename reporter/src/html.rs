//! The report as one self-contained HTML page: inline CSS and inline SVG,
//! no script and nothing loaded from anywhere, readable on a phone and in
//! dark mode. It says what the Markdown report says, and draws the armed
//! timeline as a bar (segments coloured by state, alarm markers) and the
//! activity as a chart with one bar per histogram bucket; a report of
//! several days draws both as one row per day. Every text goes through
//! [`escape`], and tags are written through [`Page`], which closes exactly
//! what it opened.

use crate::model::{Alarm, Bucket, IntegrityStatus, PeriodKind, Report, StateAt, Time};
use crate::tables;
use crate::words::{alarm_facts, cause, controller_counts, count, duration, state_words, time};
use std::fmt::{Display, Write};

/// The page's style sheet: light and dark colours, a fluid column, tables
/// that scroll sideways on a narrow screen.
const STYLE: &str = "
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#5c6670;--line:#d6dce2;--card:#f3f5f7;
--bar:#3b82c4;--act:#1b4b7a;--ok:#1a7f37;--bad:#c62828;--disarmed:#b9c4cf;--arming:#f0c24b;
--armed:#2f6fb5;--pending:#ea7b22;--triggered:#c62828;--unknown:#dde2e7}
@media (prefers-color-scheme:dark){:root{--bg:#101418;--fg:#e3e8ed;--muted:#9aa5b0;--line:#2e363e;
--card:#1a2027;--bar:#5a9be0;--act:#b4d4f7;--ok:#4cc26a;--bad:#ff6b6b;--disarmed:#4a5560;
--arming:#c9a03a;--armed:#4d8fd8;--pending:#e38a3d;--triggered:#e04848;--unknown:#262d34}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);
font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}
main{max-width:48rem;margin:0 auto;padding:.75rem 1rem 2rem}
h1{font-size:1.3rem;line-height:1.25;margin:.5rem 0 .25rem}
h2{font-size:1.1rem;margin:1.75rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:1.1rem 0 .25rem}
p{margin:.35rem 0}
.muted,figcaption{color:var(--muted);font-size:.85rem}
.summary{background:var(--card);border-left:.3rem solid var(--ok);border-radius:.4rem;padding:.6rem .9rem;margin:1rem 0}
.summary.alert{border-left-color:var(--bad)}
.summary h2{margin:0 0 .2rem;border:0;padding:0}
.summary p{margin:.15rem 0}
.bad{color:var(--bad);font-weight:600}
.good{color:var(--ok);font-weight:600}
.scroll{overflow-x:auto;margin:.5rem 0}
table{border-collapse:collapse;font-size:.85rem;min-width:100%}
th,td{padding:.3rem .45rem;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
th{font-weight:600;white-space:nowrap}
.s{white-space:nowrap}
td.m{min-width:8rem}
td.w{min-width:13rem}
.nowrap{white-space:nowrap}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
ul.facts{padding-left:1.2rem;margin:.3rem 0}
code{font-size:.85em;overflow-wrap:anywhere}
figure{margin:.75rem 0}
svg{display:block;width:100%;height:auto;max-width:36rem}
svg text{fill:var(--muted);font:11px system-ui,sans-serif}
.bar{fill:var(--bar)}
.act{fill:var(--act)}
.grid{stroke:var(--line);stroke-width:1}
.tick{stroke:var(--bg);stroke-width:1}
.s-disarmed{fill:var(--disarmed);background:var(--disarmed)}
.s-arming{fill:var(--arming);background:var(--arming)}
.s-armed{fill:var(--armed);background:var(--armed)}
.s-pending{fill:var(--pending);background:var(--pending)}
.s-triggered{fill:var(--triggered);background:var(--triggered)}
.s-unknown{fill:var(--unknown);background:var(--unknown)}
svg text.mode{fill:#fff;font-weight:600;font-size:10px}
svg text.mode.dark{fill:#1f2328}
.alarm-marker{fill:var(--bad);stroke:var(--bad)}
.legend{display:flex;flex-wrap:wrap;gap:.15rem 1rem;list-style:none;padding:0;margin:.4rem 0;font-size:.8rem;color:var(--muted)}
.sw{display:inline-block;width:.75rem;height:.75rem;border-radius:.15rem;margin-right:.3rem;vertical-align:-.1rem}
.sw.alarm{background:none;color:var(--bad);width:auto;height:auto;vertical-align:0}
";

/// Width of every SVG's coordinate system; the drawing scales to the page.
const WIDTH: f64 = 400.0;
/// Height of one timeline row: alarm markers above, the bar below them.
const ROW: f64 = 32.0;
const MARKER: f64 = 8.0;
const BAR: f64 = 18.0;
/// The narrowest segment drawn, so that a short alarm still shows.
const MIN_SEGMENT: f64 = 1.5;
/// Room under the last row or the chart for the hour labels.
const AXIS: f64 = 16.0;
/// Height of the activity chart's plot area: one chart, or one of a row per day.
const PLOT: f64 = 100.0;
const PLOT_PER_DAY: f64 = 56.0;
/// Left margin for row labels when a timeline has one row per day.
const ROW_LABEL: f64 = 44.0;

/// The report as an HTML page.
pub fn render(report: &Report) -> String {
    let mut page = Page::default();
    head(&mut page, report);
    page.open("body", &[]);
    page.open("main", &[]);
    header(&mut page, report);
    summary(&mut page, report);
    timeline(&mut page, report);
    alarms(&mut page, report);
    activity(&mut page, report);
    openings(&mut page, report);
    health(&mut page, report);
    input(&mut page, report);
    system(&mut page, report);
    days(&mut page, report);
    comparison(&mut page, report);
    integrity(&mut page, report);
    page.finish()
}

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by their entities, safe
/// in element content and in quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An attribute: its name and a value, escaped when written.
type Attr<'a> = (&'a str, &'a dyn Display);

/// The page being written. Elements are opened and closed through it, so
/// every end tag matches its start tag; text and attribute values are
/// escaped on the way in.
#[derive(Debug, Default)]
struct Page {
    out: String,
    open: Vec<&'static str>,
}

/// Elements after whose end tag a newline keeps the source readable.
const BLOCKS: [&str; 20] = [
    "head",
    "body",
    "main",
    "header",
    "section",
    "article",
    "div",
    "p",
    "h1",
    "h2",
    "h3",
    "ul",
    "li",
    "table",
    "tr",
    "figure",
    "figcaption",
    "svg",
    "g",
    "style",
];

impl Page {
    fn start_tag(&mut self, tag: &str, attrs: &[Attr]) {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"{}\"", escape(&value.to_string()));
        }
    }

    /// Opens `tag`; [`Page::close`] ends it.
    fn open(&mut self, tag: &'static str, attrs: &[Attr]) {
        self.start_tag(tag, attrs);
        self.out.push('>');
        self.open.push(tag);
    }

    /// Ends the element opened last.
    fn close(&mut self) {
        if let Some(tag) = self.open.pop() {
            let _ = write!(self.out, "</{tag}>");
            if BLOCKS.contains(&tag) {
                self.out.push('\n');
            }
        }
    }

    /// An element without content: `<meta …/>`, `<rect …/>`.
    fn empty(&mut self, tag: &'static str, attrs: &[Attr]) {
        self.start_tag(tag, attrs);
        self.out.push_str("/>");
    }

    /// Escaped text.
    fn text(&mut self, text: &str) {
        self.out.push_str(&escape(text));
    }

    /// An element holding only text.
    fn leaf(&mut self, tag: &'static str, attrs: &[Attr], text: &str) {
        self.open(tag, attrs);
        self.text(text);
        self.close();
    }

    /// The style sheet: a constant of this module, never text from the log.
    fn style(&mut self, css: &'static str) {
        self.open("style", &[]);
        self.out.push_str(css);
        self.close();
    }

    /// The page, with any element still open closed.
    fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

fn head(page: &mut Page, r: &Report) {
    page.out.push_str("<!DOCTYPE html>\n");
    page.open("html", &[("lang", &"en")]);
    page.open("head", &[]);
    page.empty("meta", &[("charset", &"utf-8")]);
    page.empty(
        "meta",
        &[
            ("name", &"viewport"),
            ("content", &"width=device-width, initial-scale=1"),
        ],
    );
    page.empty(
        "meta",
        &[("name", &"color-scheme"), ("content", &"light dark")],
    );
    // Belt and braces: even a bug here cannot make the page load or run anything.
    page.empty(
        "meta",
        &[
            ("http-equiv", &"Content-Security-Policy"),
            ("content", &"default-src 'none'; style-src 'unsafe-inline'"),
        ],
    );
    page.empty("meta", &[("name", &"generator"), ("content", &r.generator)]);
    page.leaf(
        "title",
        &[],
        &format!("homesec {} ({})", r.period.name, r.instance),
    );
    page.style(STYLE);
    page.close();
}

fn header(page: &mut Page, r: &Report) {
    let what = match r.period.kind {
        PeriodKind::Day => "day",
        PeriodKind::Week => "week",
        PeriodKind::Range => "period",
    };
    page.open("header", &[]);
    page.open("h1", &[]);
    page.text(&format!("homesec report, {what} "));
    page.leaf("span", &[("class", &"nowrap")], &r.period.name);
    page.text(&format!(" ({})", r.instance));
    page.close();
    let running = if r.period.complete {
        ""
    } else {
        "; still running"
    };
    page.leaf(
        "p",
        &[("class", &"muted")],
        &format!(
            "From {} to {} ({}{running}).",
            r.period.start.format("%Y-%m-%d %H:%M %:z"),
            r.period.end.format("%Y-%m-%d %H:%M %:z"),
            duration(r.period.length_ms)
        ),
    );
    page.close();
}

fn summary(page: &mut Page, r: &Report) {
    let alert = !r.alarms.is_empty() || r.integrity_failed();
    let class = if alert { "summary alert" } else { "summary" };
    page.open("section", &[("class", &class), ("id", &"summary")]);
    page.leaf("h2", &[], "Summary");
    let last = r.summary.lines.len().saturating_sub(1);
    for (n, line) in r.summary.lines.iter().enumerate() {
        let bad = (n == 0 && !r.alarms.is_empty()) || (n == last && r.integrity_failed());
        let attrs: &[Attr] = if bad { &[("class", &"bad")] } else { &[] };
        page.leaf("p", attrs, line);
    }
    page.close();
}

fn section(page: &mut Page, id: &str, title: &str) {
    page.open("section", &[("id", &id)]);
    page.leaf("h2", &[], title);
}

fn timeline(page: &mut Page, r: &Report) {
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

/// One row of the drawings: the whole period, or one of its days.
struct Row<'a> {
    /// `Mon 23` for a day of a longer period; none for a one-row drawing.
    label: Option<String>,
    start: Time,
    end: Time,
    /// The histogram buckets that start in this row.
    buckets: &'a [Bucket],
}

/// The period as one row, or one row per day when it spans several.
fn rows(r: &Report) -> Vec<Row<'_>> {
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
fn fraction(t: &Time, start: &Time, end: &Time) -> f64 {
    let length = (*end - *start).num_milliseconds();
    if length <= 0 {
        return 0.0;
    }
    ((*t - *start).num_milliseconds() as f64 / length as f64).clamp(0.0, 1.0)
}

/// A coordinate with one decimal, enough for a drawing 400 units wide.
fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// The buckets whose start gets an hour label: every `step` hours, and a
/// repeated hour (the clocks going back) only once.
fn hour_labels(buckets: &[Bucket], step: u32) -> Vec<(usize, String)> {
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

fn state_class(state: Option<homesec_ipc::AlarmState>) -> &'static str {
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

fn timeline_svg(page: &mut Page, r: &Report, rows: &[Row]) {
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
fn timeline_row(page: &mut Page, r: &Report, row: &Row, top: f64, x_of: &dyn Fn(&Time) -> f64) {
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
fn mode_label(page: &mut Page, seg: &crate::model::Segment, x0: f64, x1: f64, bar_top: f64) {
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

fn alarm_marker(page: &mut Page, r: &Report, alarm: &Alarm, x: f64, top: f64, bar_top: f64) {
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

fn legend(page: &mut Page, r: &Report) {
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

fn alarm_title(r: &Report, alarm: &Alarm) -> String {
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

fn alarms(page: &mut Page, r: &Report) {
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

fn activity(page: &mut Page, r: &Report) {
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
fn nice_ceiling(n: u64) -> u64 {
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
fn chart(page: &mut Page, r: &Report, row: &Row, scale: u64, plot: f64) {
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

fn openings(page: &mut Page, r: &Report) {
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

fn health(page: &mut Page, r: &Report) {
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

fn input(page: &mut Page, r: &Report) {
    let i = &r.input;
    if i.rejected.is_empty() && i.failed_codes.is_empty() {
        return;
    }
    section(page, "input", "Rejected input and failed codes");
    if !i.rejected.is_empty() {
        let sources: Vec<String> = i
            .rejected_by_source
            .iter()
            .map(|c| format!("{} from {}", c.count, c.name))
            .collect();
        page.leaf(
            "p",
            &[],
            &format!(
                "{} ({}).",
                count(i.rejected.total(), "input refused", "inputs refused"),
                sources.join(", ")
            ),
        );
        let rows = tables::rejected(r);
        table(page, &rows.header, &rows.rows);
        omitted(page, i.rejected.omitted, "refused input", "refused inputs");
    }
    let c = &i.codes;
    page.leaf(
        "p",
        &[],
        &format!(
            "Codes: {} accepted, {} wrong, {} while locked out, {} duress.",
            c.accepted, c.wrong, c.locked, c.duress
        ),
    );
    let rows = tables::failed_codes(r);
    if !rows.is_empty() {
        table(page, &rows.header, &rows.rows);
    }
    omitted(page, i.failed_codes.omitted, "failed code", "failed codes");
    page.close();
}

fn system(page: &mut Page, r: &Report) {
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

fn days(page: &mut Page, r: &Report) {
    if r.days.len() < 2 {
        return;
    }
    section(page, "days", "Day by day");
    let rows = tables::days(r);
    table(page, &rows.header, &rows.rows);
    page.close();
}

fn comparison(page: &mut Page, r: &Report) {
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

fn integrity(page: &mut Page, r: &Report) {
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
    page.close();
}

fn omitted(page: &mut Page, n: u64, one: &str, many: &str) {
    if n > 0 {
        page.leaf(
            "p",
            &[("class", &"muted")],
            &format!("… and {} more.", count(n, one, many)),
        );
    }
}

fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Columns whose cells are all at most this long stay on one line.
const SHORT_CELL: usize = 16;
/// Cells longer than this make their column a wide one.
const LONG_CELL: usize = 24;

/// How a table column is laid out, as a CSS class of its cells.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    /// Numbers only: right-aligned, one line.
    Numeric,
    /// Short text: one line.
    Short,
    /// Text of a few words: wraps, but not narrower than a phrase.
    Medium,
    /// Long text: wraps, never narrower than a readable width.
    Wide,
}

impl Column {
    /// The column a table's cells call for.
    fn of<'a>(cells: impl Iterator<Item = &'a String> + Clone) -> Column {
        let cells = cells.filter(|s| !s.is_empty());
        let longest = cells.clone().map(|s| s.chars().count()).max().unwrap_or(0);
        if longest > LONG_CELL {
            Column::Wide
        } else if longest > SHORT_CELL {
            Column::Medium
        } else if longest > 0 && cells.clone().all(|s| is_number(s)) {
            Column::Numeric
        } else {
            Column::Short
        }
    }

    fn class(self) -> &'static str {
        match self {
            Column::Numeric => "n",
            Column::Short => "s",
            Column::Medium => "m",
            Column::Wide => "w",
        }
    }
}

/// A table in a box that scrolls sideways when the screen is narrower:
/// short cells stay on one line, longer text wraps at a readable width,
/// numbers are right-aligned.
fn table(page: &mut Page, header: &[&str], rows: &[Vec<String>]) {
    let classes: Vec<&str> = (0..header.len())
        .map(|c| Column::of(rows.iter().filter_map(move |row| row.get(c))).class())
        .collect();
    page.open("div", &[("class", &"scroll")]);
    page.open("table", &[]);
    page.open("thead", &[]);
    page.open("tr", &[]);
    for (class, name) in classes.iter().zip(header) {
        page.leaf("th", &[("class", class)], name);
    }
    page.close();
    page.close();
    page.open("tbody", &[]);
    for row in rows {
        page.open("tr", &[]);
        for (c, class) in classes.iter().enumerate() {
            let text = row.get(c).map_or("", String::as_str);
            page.leaf("td", &[("class", class)], text);
        }
        page.close();
    }
    page.close();
    page.close();
    page.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Activity, Capped, Change, CodeCounts, Comparison, Count, DaySummary, FileInfo, Health,
        Histogram, House, Input, Integrity, Openings, PeriodInfo, ProblemCounts, Rejected, Segment,
        SensorActivity, SensorInfo, Summary, System, Timeline, Totals, ZoneActivity, ZoneInfo,
    };
    use crate::model::{AlarmCause, ChangeAction, Disarm, SCHEMA};
    use chrono::{DateTime, Duration, NaiveDate};
    use homesec_ipc::{AlarmState, Mode, SensorKind};

    const HOSTILE_NAME: &str = "<script>alert(\"name\")</script>";
    const HOSTILE_INPUT: &str = "\"><img src=x onerror=alert(1)> 'q'";

    fn at(text: &str) -> Time {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn segment(start: Time, end: Time, state: AlarmState, mode: Option<Mode>) -> Segment {
        Segment {
            start,
            end,
            state: Some(state),
            mode,
        }
    }

    /// A report of `days` days from `start`, `hours` hours each, with an
    /// alarm at 14:05 of the first day and hostile names everywhere a log
    /// or config can put text.
    fn report(kind: PeriodKind, start: &str, days: usize, hours: i64) -> Report {
        let start = at(start);
        let day = Duration::hours(hours);
        let end = start + day * i32::try_from(days).unwrap();
        let alarm_at = start + Duration::minutes(14 * 60 + 5);
        let buckets: Vec<Bucket> = (0..hours * i64::try_from(days).unwrap())
            .map(|h| Bucket {
                start: start + Duration::hours(h),
                events: u64::try_from(h % 7).unwrap(),
                activations: u64::try_from(h % 3).unwrap(),
            })
            .collect();
        let events = buckets.iter().map(|b| b.events).sum();
        let armed = start + Duration::hours(8);
        let disarmed = alarm_at + Duration::minutes(6);
        Report {
            schema: SCHEMA,
            generator: "homesec-reporter 0.1.0".to_string(),
            instance: "home".to_string(),
            period: PeriodInfo {
                kind,
                name: "2026-11-23".to_string(),
                start,
                end,
                length_ms: u64::try_from((end - start).num_milliseconds()).unwrap(),
                complete: true,
                first_record: Some(start),
                last_record: Some(end),
            },
            summary: Summary {
                lines: vec![
                    format!("1 alarm: intrusion ({HOSTILE_NAME}) at 14:05:00."),
                    "1 arm, 1 disarm; 10 sensor events; 0 faults.".to_string(),
                    "Log integrity OK: 20 records, seq 1 to 20.".to_string(),
                ],
            },
            totals: Totals {
                alarms: 1,
                arms: 1,
                disarms: 1,
                events,
                ..Totals::default()
            },
            house: House {
                sensors: vec![SensorInfo {
                    id: "kitchen-window".to_string(),
                    name: HOSTILE_NAME.to_string(),
                    zone: Some("ground".to_string()),
                    kind: Some(SensorKind::Window),
                }],
                zones: vec![ZoneInfo {
                    id: "ground".to_string(),
                    name: "O'Hara \"floor\" & co".to_string(),
                }],
            },
            timeline: Timeline {
                at_start: StateAt {
                    state: Some(AlarmState::Disarmed),
                    mode: None,
                    since: None,
                },
                at_end: StateAt {
                    state: Some(AlarmState::Disarmed),
                    mode: None,
                    since: Some(disarmed),
                },
                armed_ms: 1,
                segments: Capped {
                    items: vec![
                        segment(start, armed, AlarmState::Disarmed, None),
                        segment(armed, alarm_at, AlarmState::Armed, Some(Mode::Away)),
                        segment(alarm_at, disarmed, AlarmState::Triggered, Some(Mode::Away)),
                        segment(disarmed, end, AlarmState::Disarmed, None),
                    ],
                    omitted: 0,
                },
                changes: Capped {
                    items: vec![Change {
                        at: armed,
                        action: ChangeAction::Arm,
                        state: Some(AlarmState::Arming),
                        mode: Some(Mode::Away),
                        user: Some(HOSTILE_NAME.to_string()),
                        source: "fifo".to_string(),
                        delay_ms: Some(30_000),
                        sensors: vec![],
                    }],
                    omitted: 0,
                },
            },
            alarms: Capped {
                items: vec![Alarm {
                    cause: AlarmCause::Intrusion,
                    sensor: Some("kitchen-window".to_string()),
                    zone: Some("ground".to_string()),
                    sensor_kind: Some(SensorKind::Window),
                    mode: Some(Mode::Away),
                    triggered_at: alarm_at,
                    before_period: false,
                    silent: false,
                    user: None,
                    source: "fifo".to_string(),
                    entry_started_at: None,
                    entry_delay_ms: None,
                    entry_used_ms: None,
                    also: vec![],
                    timed_out_at: None,
                    disarmed: Some(Disarm {
                        at: disarmed,
                        user: Some("resident".to_string()),
                        source: "mq".to_string(),
                        after_ms: 360_000,
                    }),
                    clips: vec![],
                }],
                omitted: 0,
            },
            activity: Activity {
                events,
                zones: vec![ZoneActivity {
                    zone: "ground".to_string(),
                    events,
                    activations: 1,
                }],
                sensors: vec![SensorActivity {
                    sensor: "kitchen-window".to_string(),
                    zone: "ground".to_string(),
                    kind: SensorKind::Window,
                    events,
                    activations: 1,
                }],
                other_events: 0,
                histogram: Histogram {
                    bucket_minutes: 60,
                    buckets,
                },
            },
            openings: Openings {
                threshold_ms: 900_000,
                items: Capped::default(),
            },
            health: Health {
                troubles: Capped::default(),
                sensors: vec![],
                tamper_events: 0,
            },
            input: Input {
                rejected: Capped {
                    items: vec![Rejected {
                        at: start + Duration::hours(2),
                        source: "fifo".to_string(),
                        reason: "unknown sensor".to_string(),
                        input: HOSTILE_INPUT.to_string(),
                    }],
                    omitted: 0,
                },
                rejected_by_source: vec![Count {
                    name: "fifo".to_string(),
                    count: 1,
                }],
                codes: CodeCounts::default(),
                failed_codes: Capped::default(),
            },
            system: System::default(),
            days: (0..days)
                .map(|n| DaySummary {
                    date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
                        + Duration::days(i64::try_from(n).unwrap()),
                    length_ms: u64::try_from(day.num_milliseconds()).unwrap(),
                    totals: Totals::default(),
                })
                .collect(),
            comparison: (kind == PeriodKind::Week).then(|| Comparison {
                previous: "2026-W47".to_string(),
                previous_totals: Totals::default(),
                previous_logged: true,
            }),
            integrity: Integrity {
                status: IntegrityStatus::Ok,
                records: 20,
                first_seq: Some(1),
                last_seq: Some(20),
                files: vec![FileInfo {
                    date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                    path: "/var/lib/homesec/events/2026-11-23.jsonl".to_string(),
                    present: true,
                    records: 20,
                }],
                counts: ProblemCounts::default(),
                problems: Capped::default(),
            },
        }
    }

    fn day() -> Report {
        report(PeriodKind::Day, "2026-11-23T00:00:00+01:00", 1, 24)
    }

    /// The tags of `html`, without their `<` and `>`.
    fn tags(html: &str) -> Vec<&str> {
        let mut tags = Vec::new();
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            let gt = rest[lt..].find('>').expect("a tag is not closed with >") + lt;
            tags.push(&rest[lt + 1..gt]);
            rest = &rest[gt + 1..];
        }
        tags
    }

    /// Panics unless every start tag has its end tag, properly nested;
    /// `<…/>` and `<!…>` stand alone.
    fn assert_balanced(html: &str) {
        let mut open: Vec<&str> = Vec::new();
        for tag in tags(html) {
            if tag.starts_with('!') || tag.ends_with('/') {
                continue;
            }
            match tag.strip_prefix('/') {
                Some(name) => assert_eq!(open.pop(), Some(name), "unbalanced </{name}>"),
                None => open.push(tag.split_whitespace().next().unwrap()),
            }
        }
        assert!(open.is_empty(), "left open: {open:?}");
    }

    #[test]
    fn escape_replaces_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(escape("Küche 2"), "Küche 2");
    }

    #[test]
    fn the_page_is_well_formed_self_contained_and_escaped() {
        let html = render(&day());
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert_balanced(&html);
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("<img"), "a logged input became markup");
        assert!(!html.contains("http://") && !html.contains("https://"));
        let links = tags(&html)
            .into_iter()
            .filter(|t| t.contains("src=") || t.contains("href="));
        assert_eq!(links.count(), 0, "nothing is loaded from anywhere");
        assert!(html.contains("&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &#39;q&#39;"));
        assert!(html.contains("O&#39;Hara &quot;floor&quot; &amp; co"));
        assert!(html.contains("name=\"viewport\""));
        assert!(html.contains("prefers-color-scheme:dark"));
    }

    #[test]
    fn every_section_with_content_is_there() {
        let html = render(&day());
        for id in [
            "summary",
            "timeline",
            "alarms",
            "activity",
            "input",
            "integrity",
        ] {
            assert!(html.contains(&format!(" id=\"{id}\">")), "{id}");
        }
        for id in ["openings", "health", "system", "days", "comparison"] {
            assert!(
                !html.contains(&format!("id=\"{id}\"")),
                "{id} has nothing to say"
            );
        }
        assert!(html.contains("disarmed by resident via mq"));
        assert!(html.contains("exit delay 30s"));
    }

    #[test]
    fn the_chart_has_one_bar_per_hour_and_the_timeline_one_segment_per_state() {
        let html = render(&day());
        assert_eq!(html.matches("class=\"bar\"").count(), 24);
        assert_eq!(html.matches("class=\"seg ").count(), 4);
        assert_eq!(html.matches("class=\"seg s-triggered\"").count(), 1);
        assert_eq!(html.matches("class=\"alarm-marker\"").count(), 1);
        assert!(
            html.contains(">away</text>"),
            "the armed segment is labelled with its mode"
        );
        for hour in ["00", "03", "12", "21"] {
            assert!(
                html.contains(&format!(">{hour}</text>")),
                "hour label {hour}"
            );
        }
    }

    #[test]
    fn a_day_when_the_clocks_change_has_23_or_25_bars() {
        let long = report(PeriodKind::Day, "2026-10-25T00:00:00+02:00", 1, 25);
        assert_eq!(render(&long).matches("class=\"bar\"").count(), 25);
        let short = report(PeriodKind::Day, "2026-03-29T00:00:00+01:00", 1, 23);
        assert_eq!(render(&short).matches("class=\"bar\"").count(), 23);
    }

    #[test]
    fn a_week_is_drawn_one_row_per_day() {
        let html = render(&report(
            PeriodKind::Week,
            "2026-11-23T00:00:00+01:00",
            7,
            24,
        ));
        assert_balanced(&html);
        assert_eq!(html.matches("class=\"bar\"").count(), 7 * 24);
        assert_eq!(html.matches("<figure>").count(), 7);
        for label in ["Mon 23", "Tue 24", "Sun 29"] {
            assert_eq!(
                html.matches(&format!(">{label}</")).count(),
                2,
                "{label}: timeline row and chart"
            );
        }
        assert!(html.contains("id=\"days\"") && html.contains("id=\"comparison\""));
    }

    #[test]
    fn chart_tops_are_round_numbers() {
        let tops: Vec<u64> = [0, 1, 2, 3, 6, 10, 11, 49, 51]
            .iter()
            .map(|n| nice_ceiling(*n))
            .collect();
        assert_eq!(tops, vec![1, 1, 2, 5, 10, 10, 20, 50, 100]);
    }
}
