//! Reconfiguration, restore after a restart, refused reports and the status the house shows.

use super::*;

#[test]
fn reconfigure_keeps_the_state_of_remaining_sensors() {
    let mut house = house();
    report(&mut house, T0 + SEC, "back-window", SensorState::Open);
    report(
        &mut house,
        T0 + 2 * SEC,
        "back-window",
        SensorState::LowBattery,
    );
    house.bypass(T0 + 3 * SEC, "front-door", alice(), "rpc");
    let mut new_specs: Vec<SensorSpec> = specs()
        .into_iter()
        .filter(|s| s.id != "hall-motion")
        .collect();
    new_specs.push(spec(
        "attic-motion",
        "attic",
        SensorKind::Motion,
        Role::Interior,
        Entry::Instant,
    ));
    let mut new_rules = rules();
    new_rules.exit_delay = Duration::from_secs(60);
    let out = house.reconfigure(new_specs, new_rules, T0 + 10 * SEC);
    assert!(out.is_empty());
    let window = house.sensor("back-window").unwrap();
    assert_eq!(window.state(), SensorState::Open);
    assert!(window.low_battery());
    assert_eq!(
        (window.events(), window.last_change(), window.last_seen()),
        (2, T0 + SEC, T0 + 2 * SEC)
    );
    assert!(house.sensor("front-door").unwrap().bypassed());
    let attic = house.sensor("attic-motion").unwrap();
    assert_eq!(
        (attic.state(), attic.last_seen(), attic.events()),
        (SensorState::Clear, T0 + 10 * SEC, 0)
    );
    assert!(house.sensor("hall-motion").is_none());
    let err = house
        .sensor_event(T0 + 11 * SEC, "hall-motion", SensorState::Motion, "fifo")
        .unwrap_err();
    assert_eq!(
        err,
        HouseError::UnknownSensor {
            sensor: "hall-motion".into()
        }
    );
    let ids: Vec<&str> = house.sensors().map(Sensor::id).collect();
    assert_eq!(ids.last(), Some(&"attic-motion"));
    assert_eq!(ids.len(), 9);
    assert_eq!(house.rules().exit_delay, Duration::from_secs(60));
}

#[test]
fn reconfigure_resets_a_state_the_new_kind_does_not_have() {
    let mut house = house();
    report(&mut house, T0 + SEC, "hall-motion", SensorState::Motion);
    let mut new_specs = specs();
    new_specs[4].kind = SensorKind::Door;
    let out = house.reconfigure(new_specs, rules(), T0 + 2 * SEC);
    assert!(out.is_empty());
    assert_eq!(
        house.sensor("hall-motion").unwrap().state(),
        SensorState::Closed
    );
}

#[test]
fn reconfigure_ends_offline_for_a_sensor_no_longer_supervised() {
    let mut house = house();
    tick(&mut house, T0 + SUPERVISION);
    let mut new_specs = specs();
    new_specs[0].supervision_timeout = Duration::ZERO;
    let out = house.reconfigure(new_specs, rules(), T0 + SUPERVISION + 1);
    assert_eq!(
        troubles(&out),
        vec![("front-door".into(), TroubleCondition::Offline, false)]
    );
}

#[test]
fn unknown_sensors_and_states_the_kind_lacks_are_errors_without_records() {
    let mut house = house();
    let err = house
        .sensor_event(T0, "garage", SensorState::Open, "fifo")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown sensor 'garage': it is not in the house configuration"
    );
    let err = house
        .sensor_event(T0, "front-door", SensorState::Motion, "fifo")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "sensor 'front-door' is a door sensor and cannot report 'motion' (it reports open or closed)"
    );
    let door = house.sensor("front-door").unwrap();
    assert_eq!((door.events(), door.state()), (0, SensorState::Closed));
}

#[test]
fn accessors_and_snapshot_show_the_status() {
    let mut house = house();
    report(&mut house, T0 + SEC, "back-window", SensorState::Open);
    report(&mut house, T0 + 2 * SEC, "back-window", SensorState::Tamper);
    report(
        &mut house,
        T0 + 2 * SEC,
        "front-door",
        SensorState::LowBattery,
    );
    let window = house.sensor("back-window").unwrap();
    assert_eq!(
        (window.zone(), window.kind()),
        ("living", SensorKind::Window)
    );
    assert_eq!(window.last_change(), T0 + SEC);
    assert_eq!(window.last_seen(), T0 + 2 * SEC);
    assert_eq!(house.since(), T0 + 2 * SEC, "the tamper alarm started then");
    let Event::Snapshot {
        state,
        mode,
        siren,
        sensors,
        accepted,
        rejected,
    } = house.snapshot(12, 3)
    else {
        panic!("snapshot builds a snapshot record");
    };
    assert_eq!(
        (state, mode, siren, accepted, rejected),
        (Triggered, None, true, 12, 3)
    );
    assert_eq!(sensors.len(), 9);
    assert_eq!(sensors[0].trouble, vec![TroubleCondition::LowBattery]);
    assert_eq!(sensors[2].id, "back-window");
    assert_eq!(sensors[2].state, SensorState::Open);
    assert_eq!(sensors[2].trouble, vec![TroubleCondition::Tamper]);
    assert_eq!(sensors[2].events, 2);
}

#[test]
fn restore_takes_up_armed_states_and_turns_running_delays_into_an_alarm() {
    let cases = [
        (Disarmed, None, vec![]),
        (
            Arming,
            Some(Mode::Away),
            vec![(Disarmed, Arming, Cause::Restore)],
        ),
        (
            Armed,
            Some(Mode::Night),
            vec![(Disarmed, Armed, Cause::Restore)],
        ),
        (
            Pending,
            Some(Mode::Away),
            vec![(Disarmed, Triggered, Cause::Restore)],
        ),
        (Triggered, None, vec![(Disarmed, Triggered, Cause::Restore)]),
    ];
    for (state, mode, expected) in cases {
        let mut house = house();
        let out = house.restore(
            T0,
            state,
            mode,
            &["back-window".to_string()],
            CodeLockState::default(),
        );
        assert_eq!(moves(&out), expected, "{state}");
        let bypassed = !expected.is_empty();
        assert_eq!(bypasses(&out).len(), usize::from(bypassed), "{state}");
        assert_eq!(house.mode(), if bypassed { mode } else { None }, "{state}");
    }
    let mut house = house();
    house.restore(T0, Pending, Some(Mode::Away), &[], CodeLockState::default());
    assert!(house.siren());
    assert_eq!(house.next_deadline(), Some(T0 + TRIGGER));
    // Triggered from armed: the trigger duration ends back in armed.
    assert_eq!(
        moves(&tick(&mut house, T0 + TRIGGER)),
        vec![(Triggered, Armed, Cause::TriggerTimeout)]
    );
}
