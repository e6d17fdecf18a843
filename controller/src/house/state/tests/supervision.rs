//! Supervision (offline and online) and battery trouble.

use super::*;

#[test]
fn supervision_reports_offline_once_and_online_once() {
    let mut house = house();
    // Everyone but the back window checks in.
    for sensor in specs().iter().filter(|s| s.id != "back-window") {
        report(&mut house, T0 + SEC, &sensor.id, SensorState::Heartbeat);
    }
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
    assert!(tick(&mut house, T0 + SUPERVISION - 1).is_empty());
    let out = tick(&mut house, T0 + SUPERVISION);
    assert_eq!(
        out,
        vec![Event::Trouble {
            sensor: "back-window".into(),
            zone: "living".into(),
            condition: TroubleCondition::Offline,
            active: true,
        }]
    );
    assert!(house.sensor("back-window").unwrap().offline());
    assert_eq!(house.next_deadline(), Some(T0 + SEC + SUPERVISION));
    let out = tick(&mut house, T0 + SEC + SUPERVISION - 1);
    assert!(out.is_empty(), "offline is logged once: {out:?}");
    let out = report(
        &mut house,
        T0 + SUPERVISION + 5,
        "back-window",
        SensorState::Heartbeat,
    );
    assert_eq!(
        out,
        vec![Event::Trouble {
            sensor: "back-window".into(),
            zone: "living".into(),
            condition: TroubleCondition::Offline,
            active: false,
        }]
    );
    let out = report(
        &mut house,
        T0 + SUPERVISION + 6,
        "back-window",
        SensorState::Heartbeat,
    );
    assert!(
        out.is_empty(),
        "online is logged once, heartbeats write nothing: {out:?}"
    );
    let sensor = house.sensor("back-window").unwrap();
    assert_eq!(
        (sensor.events(), sensor.last_seen()),
        (2, T0 + SUPERVISION + 6)
    );
    assert_eq!(sensor.last_change(), T0, "a heartbeat is not a change");
}

#[test]
fn unsupervised_sensors_never_go_offline() {
    let mut house = house();
    tick(&mut house, T0 + 10 * SUPERVISION);
    assert!(!house.sensor("box-tamper").unwrap().offline());
    assert!(house.sensor("smoke").unwrap().offline());
    assert_eq!(house.next_deadline(), None);
}

#[test]
fn an_offline_sensor_blocks_arming() {
    let mut house = house();
    for sensor in specs().iter().filter(|s| s.id != "hall-motion") {
        report(&mut house, T0 + SEC, &sensor.id, SensorState::Heartbeat);
    }
    tick(&mut house, T0 + SUPERVISION);
    let t = T0 + SUPERVISION + SEC;
    let out = arm(&mut house, t, Mode::Away, false);
    assert_eq!(out[1], arm_refused(Mode::Away, &["hall-motion"]));
    assert_eq!(house.state(), Disarmed);
    // Home mode does not count it.
    arm(&mut house, t, Mode::Home, false);
    assert_eq!(house.state(), Arming);
}

#[test]
fn low_battery_is_trouble_logged_on_change_only() {
    let mut house = house();
    let out = report(&mut house, T0 + SEC, "front-door", SensorState::LowBattery);
    assert_eq!(
        out,
        vec![
            sensor_record(
                "front-door",
                "entry",
                SensorKind::Door,
                SensorState::LowBattery
            ),
            Event::Trouble {
                sensor: "front-door".into(),
                zone: "entry".into(),
                condition: TroubleCondition::LowBattery,
                active: true,
            },
        ]
    );
    assert!(house.sensor("front-door").unwrap().low_battery());
    let out = report(
        &mut house,
        T0 + 2 * SEC,
        "front-door",
        SensorState::LowBattery,
    );
    assert!(troubles(&out).is_empty());
    let out = report(
        &mut house,
        T0 + 3 * SEC,
        "front-door",
        SensorState::BatteryOk,
    );
    assert_eq!(
        troubles(&out),
        vec![("front-door".into(), TroubleCondition::LowBattery, false)]
    );
    let out = report(
        &mut house,
        T0 + 4 * SEC,
        "front-door",
        SensorState::BatteryOk,
    );
    assert!(troubles(&out).is_empty());
    // Low battery does not keep the house from arming.
    report(
        &mut house,
        T0 + 5 * SEC,
        "front-door",
        SensorState::LowBattery,
    );
    arm(&mut house, T0 + 6 * SEC, Mode::Away, false);
    assert_eq!(house.state(), Arming);
}
