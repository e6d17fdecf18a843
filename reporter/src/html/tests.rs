//! Unit tests of the HTML report: well-formed, self-contained, escaped,
//! every section present, and the drawings' geometry.

use super::chart::nice_ceiling;
use super::page::escape;
use super::*;
use crate::model::{
    Activity, Alarm, AlarmCause, Bucket, Capped, Change, ChangeAction, CodeCounts, Comparison,
    Count, DaySummary, Disarm, FileInfo, Health, Histogram, House, Input, Integrity,
    IntegrityStatus, Openings, PeriodInfo, PeriodKind, ProblemCounts, Rejected, Report, SCHEMA,
    Segment, SensorActivity, SensorInfo, StateAt, Summary, System, Time, Timeline, Totals,
    ZoneActivity, ZoneInfo,
};
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
            left_out: 0,
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
