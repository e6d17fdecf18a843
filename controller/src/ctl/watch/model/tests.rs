//! The dashboard model without a terminal: the countdown from the `alarm`
//! record's delay, its fallback, sensor rows, camera slots and the event
//! window. The fixtures are shared with the plain listing's tests.

use super::*;
use chrono::{FixedOffset, TimeZone};
use homesec_ipc::clock::HouseClock;
use homesec_ipc::eventlog::record::Cause;
use homesec_ipc::status::SystemTrouble;
use homesec_ipc::{Mode, SensorKind, SensorState};

/// The wall clock of every test, unix ms (2026-01-01T00:00:00Z).
pub(crate) const NOW: i64 = 1_767_225_600_000;
/// The state was entered 10 s before [`NOW`].
pub(crate) const SINCE: i64 = NOW - 10_000;

pub(crate) fn sensor(id: &str, state: SensorState) -> SensorSlot {
    SensorSlot {
        id: id.to_string(),
        zone: "entry".to_string(),
        kind: SensorKind::Door,
        state,
        bypassed: false,
        offline: false,
        low_battery: false,
        tamper: false,
        events: 3,
        last_change_ms: NOW - 60_000,
        last_seen_ms: NOW - 3_000,
    }
}

pub(crate) fn snapshot(alarm: AlarmState) -> Snapshot {
    Snapshot {
        pid: 42,
        instance: "home".to_string(),
        running: true,
        siren: false,
        trouble: SystemTrouble::default(),
        heartbeat_ms: NOW,
        heartbeat_interval_ms: 1_000,
        started_ms: NOW - 3_600_000,
        alarm,
        mode: (alarm != AlarmState::Disarmed).then_some(Mode::Away),
        since_ms: SINCE,
        accepted: 10,
        rejected: 0,
        logged_seq: 7,
        clock: HouseClock::REAL,
        sensors: vec![
            sensor("front-door", SensorState::Closed),
            sensor("back-door", SensorState::Open),
        ],
        cameras: Vec::new(),
    }
}

pub(crate) fn reading(alarm: AlarmState) -> Reading {
    Ok(Status {
        snapshot: snapshot(alarm),
        live: Liveness::Alive,
        camera_slots: 2,
    })
}

pub(crate) fn record(seq: u64, event: Event) -> Record {
    let ts = FixedOffset::east_opt(0)
        .and_then(|utc| utc.timestamp_millis_opt(SINCE).single())
        .expect("a fixed time in range");
    Record {
        seq,
        ts,
        event,
        prev: "0".repeat(64),
    }
}

pub(crate) fn alarm_record(seq: u64, to: AlarmState, delay_ms: Option<u64>) -> Record {
    record(
        seq,
        Event::Alarm {
            from: AlarmState::Disarmed,
            to,
            mode: Some(Mode::Away),
            cause: Cause::Arm,
            sensor: None,
            zone: None,
            user: Some("resident".to_string()),
            delay_ms,
            source: "rpc".to_string(),
        },
    )
}

fn stop(seq: u64) -> Record {
    record(
        seq,
        Event::Stop {
            reason: "SIGTERM".to_string(),
        },
    )
}

fn alarm_text(alarm: AlarmState, recent: &Recent) -> String {
    Dashboard::build("home", &reading(alarm), recent, NOW)
        .alarm
        .text
}

#[test]
fn arming_counts_down_the_exit_delay_the_alarm_record_told() {
    let mut recent = Recent::default();
    recent.add([alarm_record(7, AlarmState::Arming, Some(30_000))]);
    assert_eq!(
        alarm_text(AlarmState::Arming, &recent),
        "arming away: exit delay, 20 s left; siren off"
    );
}

#[test]
fn the_countdown_rounds_up_and_stops_at_zero() {
    let mut recent = Recent::default();
    recent.add([alarm_record(7, AlarmState::Pending, Some(10_500))]);
    assert!(alarm_text(AlarmState::Pending, &recent).contains("entry delay, 1 s left"));
    let mut recent = Recent::default();
    recent.add([alarm_record(7, AlarmState::Pending, Some(2_000))]);
    assert!(alarm_text(AlarmState::Pending, &recent).contains("entry delay, 0 s left"));
}

#[test]
fn without_the_delay_the_time_in_state_is_shown() {
    // No alarm record seen at all.
    let recent = Recent::default();
    assert_eq!(
        alarm_text(AlarmState::Arming, &recent),
        "arming away for 10 s; siren off"
    );
    // The newest alarm record is of another state: its delay is not this one's.
    let mut recent = Recent::default();
    recent.add([alarm_record(7, AlarmState::Pending, Some(30_000))]);
    assert_eq!(
        alarm_text(AlarmState::Arming, &recent),
        "arming away for 10 s; siren off"
    );
}

#[test]
fn a_settled_state_tells_since_when() {
    let recent = Recent::default();
    let text = alarm_text(AlarmState::Disarmed, &recent);
    assert!(text.starts_with("disarmed since "), "{text}");
    assert!(text.ends_with(" (10s); siren off"), "{text}");
}

#[test]
fn the_countdown_runs_on_house_time_in_a_simulation() {
    let mut recent = Recent::default();
    recent.add([alarm_record(7, AlarmState::Arming, Some(30_000))]);
    let mut reading = reading(AlarmState::Arming);
    if let Ok(status) = &mut reading {
        // Ten times faster, its origin 1 s of wall time ago at SINCE:
        // house now is SINCE + 10 s.
        status.snapshot.clock = HouseClock::from_header(NOW - 1_000, SINCE, 10.0);
    }
    let d = Dashboard::build("home", &reading, &recent, NOW);
    assert!(
        d.alarm.text.contains("exit delay, 20 s left"),
        "{}",
        d.alarm.text
    );
}

#[test]
fn sensor_rows_show_state_zone_battery_last_seen_and_trouble() {
    let mut reading = reading(AlarmState::Disarmed);
    if let Ok(status) = &mut reading {
        let x = &mut status.snapshot.sensors[1];
        x.low_battery = true;
        x.offline = true;
        x.bypassed = true;
        status.snapshot.sensors[0].last_seen_ms = 0;
    }
    let d = Dashboard::build("home", &reading, &Recent::default(), NOW);
    let front = &d.sensors[0];
    assert_eq!(
        (front.id.as_str(), front.zone.as_str(), front.state.as_str()),
        ("front-door", "entry", "closed")
    );
    assert_eq!((front.battery, front.seen.as_str()), ("ok", "never"));
    assert!(!front.active && !front.faulty);
    let back = &d.sensors[1];
    assert_eq!((back.battery, back.seen.as_str()), ("LOW", "3s"));
    assert_eq!(back.trouble, "OFFLINE bypassed");
    assert!(back.active && back.faulty);
}

#[test]
fn camera_slots_fill_as_cameras_arrive() {
    let d = Dashboard::build(
        "home",
        &reading(AlarmState::Disarmed),
        &Recent::default(),
        NOW,
    );
    assert_eq!(d.cameras.summary, "cameras: 2 slots, none connected yet");
    assert!(d.cameras.rows.is_empty());
    let mut reading = reading(AlarmState::Disarmed);
    if let Ok(status) = &mut reading {
        status.snapshot.cameras.push(CameraSlot {
            id: "porch".to_string(),
            connected: true,
            frames: 120,
            last_frame_ms: NOW - 2_000,
        });
    }
    let d = Dashboard::build("home", &reading, &Recent::default(), NOW);
    assert_eq!(d.cameras.summary, "cameras: 1 of 2 slots in use");
    assert!(
        d.cameras.rows[0].starts_with("porch"),
        "{:?}",
        d.cameras.rows
    );
    assert!(d.cameras.rows[0].contains("connected"));
    assert!(d.cameras.rows[0].contains("120 frames, last 2s"));
}

#[test]
fn the_newest_twenty_events_are_kept_newest_first_without_repeats() {
    let mut recent = Recent::default();
    recent.add((1..=25).map(stop));
    // A feed that reconnected sends some again.
    recent.add((20..=26).map(stop));
    let d = Dashboard::build("home", &reading(AlarmState::Disarmed), &recent, NOW);
    let seqs: Vec<&str> = d.events.iter().map(|e| e.seq.as_str()).collect();
    assert_eq!(seqs.len(), EVENTS_SHOWN);
    assert_eq!(seqs.first(), Some(&"26"));
    assert_eq!(seqs.last(), Some(&"7"));
    assert!(d.events[0].what.starts_with("stop"), "{}", d.events[0].what);
}

#[test]
fn ids_from_a_damaged_segment_cannot_drive_the_terminal() {
    let mut reading = reading(AlarmState::Disarmed);
    if let Ok(status) = &mut reading {
        status.snapshot.sensors[0].id = "evil\u{1b}[2J".to_string();
    }
    let d = Dashboard::build("home\u{7}", &reading, &Recent::default(), NOW);
    assert_eq!(d.sensors[0].id, "evil?[2J");
    assert!(!d.title.chars().any(char::is_control), "{}", d.title);
}

#[test]
fn a_controller_that_is_not_alive_says_so_in_the_title() {
    let mut reading = reading(AlarmState::Disarmed);
    if let Ok(status) = &mut reading {
        status.live = Liveness::Dead { pid: 42 };
    }
    let d = Dashboard::build("home", &reading, &Recent::default(), NOW);
    assert_eq!(
        d.title,
        "homesec 'home': controller NOT RUNNING (pid 42 is gone)"
    );
}

#[test]
fn system_trouble_has_a_line_each() {
    let mut reading = reading(AlarmState::Disarmed);
    if let Ok(status) = &mut reading {
        status.snapshot.trouble.disk_fault = true;
        status.snapshot.trouble.input_failed = true;
    }
    let d = Dashboard::build("home", &reading, &Recent::default(), NOW);
    assert_eq!(d.trouble.len(), 2);
    assert!(
        d.trouble[0].contains("durable up to seq 7"),
        "{:?}",
        d.trouble
    );
}

#[test]
fn frequent_records_are_told_in_a_few_words() {
    let mut recent = Recent::default();
    recent.add([
        alarm_record(1, AlarmState::Arming, Some(30_000)),
        record(
            2,
            Event::Sensor {
                sensor: "front-door".to_string(),
                zone: "entry".to_string(),
                sensor_kind: SensorKind::Door,
                state: SensorState::Open,
                source: "fifo".to_string(),
            },
        ),
        record(
            3,
            Event::Code {
                action: "disarm".to_string(),
                result: homesec_ipc::eventlog::record::CodeResult::Wrong,
                user: None,
                source: "rpc".to_string(),
            },
        ),
    ]);
    let d = Dashboard::build("home", &reading(AlarmState::Arming), &recent, NOW);
    let what: Vec<&str> = d.events.iter().map(|e| e.what.as_str()).collect();
    assert_eq!(
        what,
        [
            "code for disarm: wrong",
            "sensor front-door open (entry)",
            "alarm disarmed -> arming away (arm, resident)",
        ]
    );
}
