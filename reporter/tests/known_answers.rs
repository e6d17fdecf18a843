//! A hand-written day with known answers, checked field by field in the
//! JSON report: the state carried over from the day before, the armed
//! timeline, both alarms, doors and windows, health, input and counts.

mod util;

use homesec_ipc::eventlog::record::{BypassReason, Cause, CodeResult, TroubleCondition};
use homesec_ipc::{AlarmState as S, Mode, SensorKind as K, SensorState as St};
use serde_json::{Value, json};
use util::*;

const TZ: &str = "Europe/Berlin";

/// 2024-11-11 (evening) and 2024-11-12, Berlin winter time (+01:00).
fn house_day() -> Log {
    let mut log = Log::new();
    let t = |hms: &str| format!("2024-11-12T{hms}+01:00");
    let y = |hms: &str| format!("2024-11-11T{hms}+01:00");
    let user = |name: &'static str| {
        move |f: &mut AlarmFields| {
            f.user = Some(name.into());
            f.source = "fifo".into();
        }
    };
    log.add(&y("08:00:00"), start())
        .add(
            &y("20:00:00"),
            sensor("bedroom-window", "ground", K::Window, St::Open),
        )
        .add(
            &y("22:00:00"),
            code("arm", CodeResult::Accepted, Some("resident")),
        )
        .add(
            &y("22:00:00"),
            with(
                alarm(S::Disarmed, S::Arming, Some(Mode::Night), Cause::Arm),
                |f| {
                    user("resident")(f);
                    f.delay_ms = Some(30_000);
                },
            ),
        )
        .add(
            &y("22:00:00"),
            bypass("bedroom-window", BypassReason::Forced, Some("resident")),
        )
        .add(
            &y("22:00:30"),
            alarm(S::Arming, S::Armed, Some(Mode::Night), Cause::ExitDelay),
        );
    // The day.
    log.add(
        &t("06:30:00"),
        code("disarm", CodeResult::Accepted, Some("resident")),
    )
    .add(
        &t("06:30:00"),
        with(
            alarm(S::Armed, S::Disarmed, None, Cause::Disarm),
            user("resident"),
        ),
    )
    .add(
        &t("07:00:00"),
        sensor("bedroom-window", "ground", K::Window, St::Closed),
    )
    .add(
        &t("07:10:00"),
        sensor("hall-motion", "hall", K::Motion, St::Motion),
    )
    .add(
        &t("07:10:20"),
        sensor("hall-motion", "hall", K::Motion, St::Clear),
    )
    .add(
        &t("08:00:00"),
        with(
            alarm(S::Disarmed, S::Arming, Some(Mode::Away), Cause::Arm),
            |f| {
                f.user = Some("guest".into());
                f.source = "rpc".into();
                f.delay_ms = Some(30_000);
            },
        ),
    )
    .add(
        &t("08:00:30"),
        alarm(S::Arming, S::Armed, Some(Mode::Away), Cause::ExitDelay),
    )
    .add(
        &t("12:00:00"),
        sensor("front-door", "entry", K::Door, St::Open),
    )
    .add(
        &t("12:00:00"),
        with(
            alarm(S::Armed, S::Pending, Some(Mode::Away), Cause::Intrusion),
            |f| {
                f.sensor = Some("front-door".into());
                f.zone = Some("entry".into());
                f.delay_ms = Some(30_000);
                f.source = "fifo".into();
            },
        ),
    )
    .add(
        &t("12:00:30"),
        with(
            alarm(
                S::Pending,
                S::Triggered,
                Some(Mode::Away),
                Cause::EntryDelay,
            ),
            |f| {
                f.sensor = Some("front-door".into());
                f.zone = Some("entry".into());
                f.delay_ms = Some(180_000);
            },
        ),
    )
    .add(&t("12:00:30"), siren(true))
    .add(&t("12:02:00"), code("disarm", CodeResult::Wrong, None))
    .add(&t("12:02:10"), code("disarm", CodeResult::Wrong, None))
    .add(
        &t("12:02:30"),
        code("disarm", CodeResult::Accepted, Some("resident")),
    )
    .add(
        &t("12:02:30"),
        with(
            alarm(S::Triggered, S::Disarmed, None, Cause::Disarm),
            user("resident"),
        ),
    )
    .add(&t("12:02:30"), siren(false))
    .add(
        &t("12:05:00"),
        sensor("front-door", "entry", K::Door, St::Closed),
    )
    .add(
        &t("13:00:00"),
        sensor("back-door", "ground", K::Door, St::Open),
    )
    .add(
        &t("13:20:00"),
        sensor("back-door", "ground", K::Door, St::Closed),
    )
    .add(
        &t("14:00:00"),
        rejected("unknown sensor 'garage-door'", "garage-door open"),
    )
    .add(
        &t("15:00:00"),
        trouble("hall-motion", "hall", TroubleCondition::Offline, true),
    )
    .add(
        &t("16:30:00"),
        trouble("hall-motion", "hall", TroubleCondition::Offline, false),
    )
    .add(
        &t("18:00:00"),
        sensor("panic-button", "always", K::Panic, St::Pressed),
    )
    .add(
        &t("18:00:00"),
        with(alarm(S::Disarmed, S::Triggered, None, Cause::Panic), |f| {
            f.sensor = Some("panic-button".into());
            f.zone = Some("always".into());
            f.delay_ms = Some(180_000);
            f.source = "fifo".into();
        }),
    )
    .add(
        &t("18:00:05"),
        sensor("panic-button", "always", K::Panic, St::Released),
    )
    .add(
        &t("18:03:00"),
        alarm(S::Triggered, S::Disarmed, None, Cause::TriggerTimeout),
    )
    .add(
        &t("22:00:00"),
        with(
            alarm(S::Disarmed, S::Arming, Some(Mode::Night), Cause::Arm),
            |f| {
                user("resident")(f);
                f.delay_ms = Some(30_000);
            },
        ),
    )
    .add(
        &t("22:00:30"),
        alarm(S::Arming, S::Armed, Some(Mode::Night), Cause::ExitDelay),
    );
    log
}

fn report() -> Value {
    let log = house_day();
    let (code, report) = json(log.data_dir(), TZ, &["--day", "2024-11-12"]);
    assert_eq!(code, 0, "{report:#}");
    report
}

#[test]
fn period_and_totals() {
    let r = report();
    assert_eq!(r["schema"], 1);
    assert_eq!(r["period"]["kind"], "day");
    assert_eq!(r["period"]["name"], "2024-11-12");
    assert_eq!(r["period"]["start"], "2024-11-12T00:00:00+01:00");
    assert_eq!(r["period"]["end"], "2024-11-13T00:00:00+01:00");
    assert_eq!(r["period"]["length_ms"], 86_400_000);
    assert_eq!(r["period"]["complete"], true);
    assert_eq!(
        r["totals"],
        json!({"alarms": 2, "arms": 2, "disarms": 2, "events": 9, "faults": 1, "rejected": 1, "failed_codes": 2})
    );
    let lines = strings(&r["summary"]["lines"]);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "2 alarms: intrusion (Front door) at 12:00:30, panic (Panic button) at 18:00:00."
    );
    assert_eq!(lines[1], "2 arms, 2 disarms; 9 sensor events; 1 fault.");
    assert_eq!(lines[2], "Log integrity OK: 28 records, seq 7 to 34.");
}

#[test]
fn timeline_starts_from_the_day_before() {
    let r = report();
    let t = &r["timeline"];
    assert_eq!(
        t["at_start"],
        json!({"state": "armed", "mode": "night", "since": "2024-11-11T22:00:30+01:00"})
    );
    assert_eq!(
        t["at_end"],
        json!({"state": "armed", "mode": "night", "since": "2024-11-12T22:00:30+01:00"})
    );
    let changes: Vec<(&str, &str, Value, Value)> = t["changes"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["at"].as_str().unwrap(),
                c["action"].as_str().unwrap(),
                c["mode"].clone(),
                c["user"].clone(),
            )
        })
        .collect();
    let at = |hms: &str| format!("2024-11-12T{hms}+01:00");
    assert_eq!(
        changes,
        vec![
            (
                at("06:30:00").as_str(),
                "disarm",
                Value::Null,
                json!("resident")
            ),
            (
                at("08:00:00").as_str(),
                "arm",
                json!("away"),
                json!("guest")
            ),
            (at("08:00:30").as_str(), "armed", json!("away"), Value::Null),
            (
                at("12:02:30").as_str(),
                "disarm",
                Value::Null,
                json!("resident")
            ),
            (
                at("18:03:00").as_str(),
                "alarm_ended",
                Value::Null,
                Value::Null
            ),
            (
                at("22:00:00").as_str(),
                "arm",
                json!("night"),
                json!("resident")
            ),
            (
                at("22:00:30").as_str(),
                "armed",
                json!("night"),
                Value::Null
            ),
        ]
    );
    assert_eq!(t["changes"]["items"][1]["source"], "rpc");
    assert_eq!(t["changes"]["items"][1]["delay_ms"], 30_000);
    // Armed 00:00-06:30, 08:00-12:02:30, 18:00-18:03 (panic has no mode:
    // not armed), 22:00-24:00.
    let armed = (6 * 3600 + 30 * 60) + (4 * 3600 + 2 * 60 + 30) + 2 * 3600;
    assert_eq!(t["armed_ms"], armed * 1000);
    let segments = t["segments"]["items"].as_array().unwrap();
    assert_eq!(
        segments.first().unwrap()["start"],
        "2024-11-12T00:00:00+01:00"
    );
    assert_eq!(segments.last().unwrap()["end"], "2024-11-13T00:00:00+01:00");
    for pair in segments.windows(2) {
        assert_eq!(
            pair[0]["end"], pair[1]["start"],
            "segments are back to back"
        );
    }
}

#[test]
fn alarms_in_detail() {
    let r = report();
    let alarms = r["alarms"]["items"].as_array().unwrap();
    assert_eq!(alarms.len(), 2);
    let intrusion = &alarms[0];
    assert_eq!(intrusion["cause"], "intrusion");
    assert_eq!(intrusion["sensor"], "front-door");
    assert_eq!(intrusion["zone"], "entry");
    assert_eq!(intrusion["sensor_kind"], "door");
    assert_eq!(intrusion["mode"], "away");
    assert_eq!(intrusion["source"], "fifo");
    assert_eq!(intrusion["triggered_at"], "2024-11-12T12:00:30+01:00");
    assert_eq!(intrusion["entry_started_at"], "2024-11-12T12:00:00+01:00");
    assert_eq!(intrusion["entry_delay_ms"], 30_000);
    assert_eq!(intrusion["entry_used_ms"], 30_000);
    assert_eq!(intrusion["before_period"], false);
    assert_eq!(intrusion["timed_out_at"], Value::Null);
    assert_eq!(
        intrusion["disarmed"],
        json!({"at": "2024-11-12T12:02:30+01:00", "user": "resident", "source": "fifo", "after_ms": 120_000})
    );
    assert_eq!(intrusion["clips"], json!([]));
    let panic = &alarms[1];
    assert_eq!(panic["cause"], "panic");
    assert_eq!(panic["sensor_kind"], "panic");
    assert_eq!(panic["mode"], Value::Null);
    assert_eq!(panic["entry_used_ms"], Value::Null);
    assert_eq!(panic["timed_out_at"], "2024-11-12T18:03:00+01:00");
    assert_eq!(panic["disarmed"], Value::Null);
}

#[test]
fn doors_and_windows_open_too_long_or_armed() {
    let r = report();
    assert_eq!(r["openings"]["threshold_ms"], 900_000);
    let items = r["openings"]["items"]["items"].as_array().unwrap();
    // The front door (5 min, never while `armed`) is not listed.
    assert_eq!(items.len(), 2, "{items:#?}");
    assert_eq!(
        items[0],
        json!({
            "sensor": "bedroom-window", "zone": "ground", "kind": "window",
            "opened_at": "2024-11-11T20:00:00+01:00", "closed_at": "2024-11-12T07:00:00+01:00",
            "open_ms": 11 * 3_600_000, "too_long": true,
            "armed_ms": (8 * 3600 + 29 * 60 + 30) * 1000, "bypass": "forced"
        })
    );
    assert_eq!(items[1]["sensor"], "back-door");
    assert_eq!(items[1]["open_ms"], 20 * 60_000);
    assert_eq!(items[1]["armed_ms"], 0);
    assert_eq!(items[1]["bypass"], Value::Null);
    // A shorter threshold lists the front door too.
    let log = house_day();
    let (_, r) = json(
        log.data_dir(),
        TZ,
        &["--day", "2024-11-12", "--open-threshold", "5m"],
    );
    assert_eq!(r["openings"]["items"]["items"].as_array().unwrap().len(), 3);
}

#[test]
fn activity_health_and_input() {
    let r = report();
    let a = &r["activity"];
    assert_eq!(a["events"], 9);
    let front = a["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sensor"] == "front-door");
    assert_eq!(
        front,
        Some(
            &json!({"sensor": "front-door", "zone": "entry", "kind": "door", "events": 2, "activations": 1})
        )
    );
    let zones: Vec<(&str, u64)> = a["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| (z["zone"].as_str().unwrap(), z["events"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        zones,
        vec![("ground", 3), ("always", 2), ("entry", 2), ("hall", 2)]
    );
    let buckets = a["histogram"]["buckets"].as_array().unwrap();
    assert_eq!(a["histogram"]["bucket_minutes"], 60);
    assert_eq!(buckets.len(), 24);
    assert_eq!(
        buckets[7],
        json!({"start": "2024-11-12T07:00:00+01:00", "events": 3, "activations": 1})
    );
    assert_eq!(buckets[12]["events"], 2);
    let total: u64 = buckets.iter().map(|b| b["events"].as_u64().unwrap()).sum();
    assert_eq!(total, 9);

    let troubles = &r["health"]["troubles"]["items"];
    assert_eq!(
        troubles[0],
        json!({"sensor": "hall-motion", "zone": "hall", "condition": "offline",
               "started_at": "2024-11-12T15:00:00+01:00", "ended_at": "2024-11-12T16:30:00+01:00",
               "duration_ms": 5_400_000})
    );
    assert_eq!(r["health"]["sensors"][0]["offline_ms"], 5_400_000);

    let input = &r["input"];
    assert_eq!(
        input["rejected"]["items"][0]["reason"],
        "unknown sensor 'garage-door'"
    );
    assert_eq!(input["rejected"]["items"][0]["input"], "garage-door open");
    assert_eq!(
        input["rejected_by_source"],
        json!([{"name": "fifo", "count": 1}])
    );
    assert_eq!(
        input["codes"],
        json!({"accepted": 2, "duress": 0, "wrong": 2, "locked": 0})
    );
    assert_eq!(
        input["failed_codes"]["items"][1]["at"],
        "2024-11-12T12:02:10+01:00"
    );
    assert_eq!(r["house"]["sensors"][0]["name"], "Back door");
}

#[test]
fn markdown_and_text_say_the_same() {
    let log = house_day();
    for format in ["md", "text"] {
        let out = run(
            log.data_dir(),
            TZ,
            &["--day", "2024-11-12", "--format", format],
        );
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("2 alarms: intrusion (Front door) at 12:00:30"),
            "{text}"
        );
        assert!(
            text.contains("disarmed by resident via fifo at 12:02:30, 2m after the trigger"),
            "{text}"
        );
        assert!(text.contains("Bedroom window"), "{text}");
        assert!(text.contains("unknown sensor 'garage-door'"), "{text}");
    }
}

#[test]
fn refusals_summarised_by_the_controller_count_in_the_totals() {
    let mut log = Log::new();
    let t = |hms: &str| format!("2024-11-12T{hms}+01:00");
    log.add(&t("08:00:00"), start())
        .add(
            &t("09:00:00"),
            rejected("unknown sensor state 'x'", "door x"),
        )
        .add(
            &t("09:01:00"),
            homesec_ipc::eventlog::Event::RejectedSummary {
                source: "fifo".into(),
                count: 99_980,
                first_reason: "missing state".into(),
                first_input: "garbage".into(),
                last_reason: "missing state".into(),
                last_input: "garbage".into(),
            },
        );
    let (code, r) = json(log.data_dir(), TZ, &["--day", "2024-11-12"]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["totals"]["rejected"], 99_981);
    assert_eq!(r["input"]["rejected"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(r["input"]["rejected"]["omitted"], 99_980);
    assert_eq!(r["input"]["rejected_by_source"][0]["count"], 99_981);
}
