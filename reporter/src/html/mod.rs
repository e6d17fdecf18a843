//! The report as one self-contained HTML page: inline CSS and inline SVG,
//! no script and nothing loaded from anywhere, readable on a phone and in
//! dark mode. It says what the Markdown report says, and draws the armed
//! timeline as a bar (segments coloured by state, alarm markers) and the
//! activity as a chart with one bar per histogram bucket; a report of
//! several days draws both as one row per day. Every text goes through
//! [`escape`], and tags are written through [`Page`], which closes exactly
//! what it opened.
//!
//! The parts: [`page`] writes tags and tables, [`svg`] holds the geometry
//! the drawings share, [`timeline`] and [`chart`] draw, [`sections`] lays
//! out the rest; `style.css` is the stylesheet, inlined at build time.

mod chart;
mod page;
mod sections;
mod svg;
#[cfg(test)]
mod tests;
mod timeline;

use crate::model::PeriodKind;
use crate::model::Report;
use crate::words::duration;
use page::Attr;
use page::Page;

/// The page's style sheet: light and dark colours, a fluid column, tables
/// that scroll sideways on a narrow screen.
const STYLE: &str = include_str!("style.css");

/// The report as an HTML page.
pub fn render(report: &Report) -> String {
    let mut page = Page::default();
    head(&mut page, report);
    page.open("body", &[]);
    page.open("main", &[]);
    header(&mut page, report);
    summary(&mut page, report);
    timeline::timeline(&mut page, report);
    sections::alarms(&mut page, report);
    chart::activity(&mut page, report);
    sections::openings(&mut page, report);
    sections::health(&mut page, report);
    sections::input(&mut page, report);
    sections::system(&mut page, report);
    sections::days(&mut page, report);
    sections::comparison(&mut page, report);
    sections::integrity(&mut page, report);
    page.finish()
}

fn head(page: &mut Page, r: &Report) {
    page.doctype();
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
