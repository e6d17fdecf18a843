//! Periods and the edges of the log: days with a clock change, a week
//! across two months against the week before, an empty day, missing files
//! and dirs, and writing report files for cron.

mod util;

use homesec_ipc::eventlog::record::Cause;
use homesec_ipc::{AlarmState as S, Mode, SensorKind as K, SensorState as St};
use serde_json::{Value, json};
use util::*;

const BERLIN: &str = "Europe/Berlin";

fn motion() -> homesec_ipc::eventlog::Event {
    sensor("hall-motion", "hall", K::Motion, St::Motion)
}

fn bucket_starts(r: &Value) -> Vec<String> {
    r["activity"]["histogram"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["start"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_day_clocks_go_forward_has_23_hours() {
    let mut log = Log::new();
    log.add("2024-03-31T01:30:00+01:00", motion())
        .add("2024-03-31T03:30:00+02:00", motion())
        .add("2024-03-31T23:59:00+02:00", motion());
    let (code, r) = json(log.data_dir(), BERLIN, &["--day", "2024-03-31"]);
    assert_eq!(code, 0);
    assert_eq!(r["period"]["start"], "2024-03-31T00:00:00+01:00");
    assert_eq!(r["period"]["end"], "2024-04-01T00:00:00+02:00");
    assert_eq!(r["period"]["length_ms"], 23 * 3_600_000);
    assert_eq!(r["days"][0]["length_ms"], 23 * 3_600_000);
    let starts = bucket_starts(&r);
    assert_eq!(starts.len(), 23);
    assert_eq!(
        &starts[..3],
        [
            "2024-03-31T00:00:00+01:00",
            "2024-03-31T01:00:00+01:00",
            "2024-03-31T03:00:00+02:00"
        ]
    );
    assert_eq!(starts[22], "2024-03-31T23:00:00+02:00");
    let events: Vec<u64> = r["activity"]["histogram"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["events"].as_u64().unwrap())
        .collect();
    assert_eq!((events[1], events[2], events[22]), (1, 1, 1));
}

#[test]
fn the_day_clocks_go_back_has_25_hours() {
    let mut log = Log::new();
    log.add("2024-10-27T02:30:00+02:00", motion())
        .add("2024-10-27T02:30:00+01:00", motion())
        .add("2024-10-27T02:45:00+01:00", motion());
    let (code, r) = json(log.data_dir(), BERLIN, &["--day", "2024-10-27"]);
    assert_eq!(code, 0);
    assert_eq!(r["period"]["length_ms"], 25 * 3_600_000);
    let starts = bucket_starts(&r);
    assert_eq!(starts.len(), 25);
    assert_eq!(starts[2], "2024-10-27T02:00:00+02:00");
    assert_eq!(starts[3], "2024-10-27T02:00:00+01:00");
    let buckets = &r["activity"]["histogram"]["buckets"];
    assert_eq!(
        (buckets[2]["events"].as_u64(), buckets[3]["events"].as_u64()),
        (Some(1), Some(2))
    );
    // The Markdown hour labels carry the offset on such a day.
    let out = run(log.data_dir(), BERLIN, &["--day", "2024-10-27"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| 02:00 +02:00 | 1 |"), "{text}");
    assert!(text.contains("| 02:00 +01:00 | 2 |"), "{text}");
}

#[test]
fn a_week_across_two_months_against_the_week_before() {
    let mut log = Log::new();
    // 2024-W43 (the week before), then 2024-W44: Mon 28 Oct to Sun 3 Nov.
    log.add("2024-10-22T09:00:00+02:00", start())
        .add("2024-10-22T10:00:00+02:00", motion())
        .add("2024-10-29T10:00:00+01:00", motion())
        .add("2024-10-29T11:00:00+01:00", motion())
        .add(
            "2024-10-31T23:30:00+01:00",
            with(
                alarm(S::Disarmed, S::Arming, Some(Mode::Away), Cause::Arm),
                |f| {
                    f.user = Some("resident".into());
                },
            ),
        )
        .add("2024-11-02T10:00:00+01:00", motion())
        .add("2024-11-03T23:59:59+01:00", motion())
        .add("2024-11-04T00:00:00+01:00", motion());
    let (code, r) = json(log.data_dir(), BERLIN, &["--week", "2024-W44"]);
    assert_eq!(code, 0);
    assert_eq!(r["period"]["kind"], "week");
    assert_eq!(r["period"]["name"], "2024-W44");
    assert_eq!(r["period"]["start"], "2024-10-28T00:00:00+01:00");
    assert_eq!(r["period"]["end"], "2024-11-04T00:00:00+01:00");
    let days: Vec<(&str, u64)> = r["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap(),
                d["totals"]["events"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![
            ("2024-10-28", 0),
            ("2024-10-29", 2),
            ("2024-10-30", 0),
            ("2024-10-31", 0),
            ("2024-11-01", 0),
            ("2024-11-02", 1),
            ("2024-11-03", 1),
        ]
    );
    assert_eq!(r["days"][3]["totals"]["arms"], 1);
    assert_eq!(r["totals"]["events"], 4);
    assert_eq!(
        r["activity"]["histogram"]["buckets"]
            .as_array()
            .unwrap()
            .len(),
        168
    );
    assert_eq!(
        r["comparison"],
        json!({"previous": "2024-W43", "previous_logged": true,
               "previous_totals": {"alarms": 0, "arms": 0, "disarms": 0, "events": 1, "faults": 0, "rejected": 0, "failed_codes": 0}})
    );
    let present: Vec<bool> = r["integrity"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["present"].as_bool().unwrap())
        .collect();
    assert_eq!(present, vec![false, true, false, true, false, true, true]);
    assert_eq!(r["integrity"]["records"], 5);
    assert_eq!(r["timeline"]["at_start"]["state"], "disarmed");
    assert_eq!(r["timeline"]["at_end"]["state"], "arming");
    let out = run(log.data_dir(), BERLIN, &["--week", "2024-W44"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("## Against the week before"), "{text}");
    assert!(text.contains("| change | 0 | +1 | 0 | +3 |"), "{text}");
}

#[test]
fn an_empty_day_and_a_missing_day_report_nothing_happened() {
    let mut log = Log::new();
    log.add("2024-11-10T08:00:00Z", start());
    std::fs::write(log.file("2024-11-11"), "").unwrap();
    for day in ["2024-11-11", "2024-11-12"] {
        let (code, r) = json(log.data_dir(), "UTC", &["--day", day]);
        assert_eq!(code, 0, "{day}");
        assert_eq!(
            r["totals"],
            json!({"alarms": 0, "arms": 0, "disarms": 0, "events": 0, "faults": 0, "rejected": 0, "failed_codes": 0})
        );
        assert_eq!(r["alarms"], json!({"items": [], "omitted": 0}));
        assert_eq!(
            r["timeline"]["at_start"]["state"], "disarmed",
            "from the start record before"
        );
        assert_eq!(r["integrity"]["status"], "ok");
        assert_eq!(r["integrity"]["records"], 0);
        assert_eq!(r["period"]["first_record"], Value::Null);
    }
    let (_, r) = json(log.data_dir(), "UTC", &["--day", "2024-11-12"]);
    assert_eq!(r["integrity"]["files"][0]["present"], false);
    assert_eq!(
        strings(&r["summary"]["lines"])[2],
        "Log integrity OK: no records; 1 day file missing."
    );
    let out = run(log.data_dir(), "UTC", &["--day", "2024-11-11"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("No alarms."), "{text}");
    assert!(
        !text.contains("## Alarms") && !text.contains("## Activity"),
        "{text}"
    );
}

#[test]
fn missing_dirs_and_bad_periods_fail_with_one_line_and_their_own_exit_code() {
    let log = Log::new();
    let missing = log.data_dir().join("nope");
    let out = run(&missing, "UTC", &["--day", "2024-11-11"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "homesec-reporter: data dir {} does not exist",
            missing.display()
        )),
        "{err}"
    );

    std::fs::remove_dir(log.data_dir().join("events")).unwrap();
    let out = run(log.data_dir(), "UTC", &["--day", "2024-11-11"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("no event log in")
    );

    // Bad argument values are usage errors, like clap's: exit 2.
    for args in [
        &["--day", "2024-02-30"][..],
        &["--day", "2026-13-01"],
        &["--day", "tomorrow"],
        &["--week", "2026-W60"],
        &["--from", "2024-11-12", "--to", "2024-11-11"],
    ] {
        let out = run(log.data_dir(), "UTC", args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
    }
}

#[test]
fn an_unreadable_file_is_an_error() {
    let mut log = Log::new();
    log.add("2024-11-11T08:00:00Z", start());
    // A day file whose reads fail with an I/O error, even for root (file
    // permissions would not stop root): /proc/self/mem at offset 0 is EIO.
    let file = log.file("2024-11-12");
    std::os::unix::fs::symlink("/proc/self/mem", &file).unwrap();
    let out = run(log.data_dir(), "UTC", &["--day", "2024-11-12"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!("homesec-reporter: cannot read {}", file.display())),
        "{err}"
    );
}

#[test]
fn out_writes_each_format_atomically_quietly_and_the_same_twice() {
    let mut log = Log::new();
    log.add("2024-11-11T08:00:00Z", start())
        .add("2024-11-11T09:00:00Z", motion());
    let reports = log.data_dir().join("reports");
    let reports_arg = reports.to_str().unwrap();
    let out = run(
        log.data_dir(),
        "UTC",
        &["--day", "2024-11-11", "--out", reports_arg],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "quiet on success"
    );
    let mut names: Vec<String> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["2024-11-11.html", "2024-11-11.json", "2024-11-11.md"]
    );
    let first: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(reports.join(n)).unwrap())
        .collect();
    let again = run(
        log.data_dir(),
        "UTC",
        &["--day", "2024-11-11", "--out", reports_arg],
    );
    assert_eq!(again.status.code(), Some(0));
    let second: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(reports.join(n)).unwrap())
        .collect();
    assert_eq!(first, second, "the same report again is the same bytes");
    let html = String::from_utf8(first[0].clone()).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("No alarms."),
        "{html}"
    );

    log.append_raw("2024-11-11", b"garbage\n");
    log.add("2024-11-12T08:00:00Z", stop());
    let out = run(
        log.data_dir(),
        "UTC",
        &[
            "--day",
            "2024-11-11",
            "--out",
            reports_arg,
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "integrity failure still writes, exits 3"
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(reports.join("2024-11-11.json")).unwrap()).unwrap();
    assert_eq!(report["integrity"]["status"], "failed");
}

/// Issue #15, finding 1: `--week=-262143-W02` panicked ("NaiveDate -
/// TimeDelta overflowed") and exited 101. Dates at the edge of the
/// calendar are usage errors (exit 2) with one line, never a panic.
#[test]
fn regression_extreme_iso_weeks_and_days_are_usage_errors_not_panics() {
    let log = Log::new();
    let mut args: Vec<Vec<String>> = Vec::new();
    for year in [-262_144, -262_143, -262_142, 262_141, 262_142, 262_143] {
        for week in [1, 2, 52, 53] {
            args.push(vec![format!("--week={year}-W{week:02}")]);
        }
    }
    for day in [
        "-262143-01-01",
        "-262144-12-31",
        "262142-12-31",
        "262143-01-01",
    ] {
        args.push(vec![format!("--day={day}")]);
    }
    args.push(vec![
        "--from=-262143-01-01 00:00".into(),
        "--to=262142-12-31 23:59".into(),
    ]);
    for arg in &args {
        let arg: Vec<&str> = arg.iter().map(String::as_str).collect();
        let out = run(log.data_dir(), "UTC", &arg);
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(code, Some(101), "{arg:?} panicked: {stderr}");
        // A week far away but whole is a report (of nothing); its edge is
        // a usage error.
        assert!(matches!(code, Some(0..=3)), "{arg:?}: {code:?} {stderr}");
        if code != Some(0) {
            assert_eq!(stderr.lines().count(), 1, "{arg:?}: {stderr}");
        }
    }
}
