//! Modes and zones, 24-hour sensors, panic, fire and tamper.

use super::*;

#[test]
fn a_fire_during_a_burglary_alarm_is_recorded_and_restarts_the_alarm() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "back-window", SensorState::Open);
    assert_eq!(house.state(), Triggered);
    let out = report(&mut house, t + SEC, "smoke", SensorState::Alarm);
    assert_eq!(moves(&out), vec![(Triggered, Triggered, Cause::Fire)]);
    assert_eq!(house.next_deadline(), Some(t + SEC + TRIGGER));
}

#[test]
fn a_bypass_never_silences_fire_or_panic_but_does_silence_tamper() {
    let mut house = house();
    for id in ["smoke", "panic-button", "box-tamper"] {
        let out = house.bypass(T0 + SEC, id, alice(), "fifo");
        assert_eq!(bypasses(&out).len(), 1, "{id}");
    }
    let out = report(&mut house, T0 + 2 * SEC, "box-tamper", SensorState::Open);
    assert!(moves(&out).is_empty());
    let out = report(&mut house, T0 + 3 * SEC, "smoke", SensorState::Alarm);
    assert_eq!(moves(&out), vec![(Disarmed, Triggered, Cause::Fire)]);
    let out = report(
        &mut house,
        T0 + 4 * SEC,
        "panic-button",
        SensorState::Pressed,
    );
    assert_eq!(moves(&out), vec![(Triggered, Triggered, Cause::Panic)]);
}

#[test]
fn home_mode_ignores_interior_motion() {
    let mut house = armed(Mode::Home);
    for id in ["hall-motion", "landing-motion"] {
        let out = report(&mut house, T0 + 100 * SEC, id, SensorState::Motion);
        assert_eq!(out.len(), 1, "only the sensor record: {out:?}");
    }
    let out = report(&mut house, T0 + 100 * SEC, "back-window", SensorState::Open);
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
}

#[test]
fn night_mode_counts_only_night_motion() {
    let mut house = armed(Mode::Night);
    let out = report(
        &mut house,
        T0 + 100 * SEC,
        "hall-motion",
        SensorState::Motion,
    );
    assert!(moves(&out).is_empty());
    let out = report(
        &mut house,
        T0 + 100 * SEC,
        "landing-motion",
        SensorState::Motion,
    );
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
}

#[test]
fn away_mode_counts_all_motion() {
    let mut house = armed(Mode::Away);
    let out = report(
        &mut house,
        T0 + 100 * SEC,
        "hall-motion",
        SensorState::Motion,
    );
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
}

#[test]
fn disarmed_ignores_perimeter_and_interior() {
    let mut house = house();
    for (id, state) in [
        ("front-door", SensorState::Open),
        ("back-window", SensorState::Open),
        ("kitchen-glass", SensorState::Alarm),
        ("hall-motion", SensorState::Motion),
    ] {
        let out = report(&mut house, T0 + SEC, id, state);
        assert!(moves(&out).is_empty(), "{id}");
    }
    assert_eq!(house.state(), Disarmed);
}

#[test]
fn twenty_four_hour_sensors_trigger_while_disarmed() {
    for (id, state, cause) in [
        ("smoke", SensorState::Alarm, Cause::Fire),
        ("panic-button", SensorState::Pressed, Cause::Panic),
        ("box-tamper", SensorState::Open, Cause::Tamper),
    ] {
        let mut house = house();
        let out = report(&mut house, T0 + SEC, id, state);
        assert_eq!(moves(&out), vec![(Disarmed, Triggered, cause)], "{id}");
        match &out[1] {
            Event::Alarm {
                mode,
                sensor,
                delay_ms,
                ..
            } => {
                assert_eq!(*mode, None);
                assert_eq!(sensor.as_deref(), Some(id));
                assert_eq!(*delay_ms, Some(180_000));
            }
            other => panic!("expected the alarm record, got {other:?}"),
        }
        assert!(house.siren());
    }
}

#[test]
fn rest_states_of_24h_sensors_do_nothing() {
    let mut house = house();
    for (id, state) in [
        ("smoke", SensorState::Clear),
        ("panic-button", SensorState::Released),
        ("box-tamper", SensorState::Closed),
    ] {
        assert!(moves(&report(&mut house, T0 + SEC, id, state)).is_empty());
    }
}

#[test]
fn panic_triggers_from_every_state() {
    let states: [fn() -> House; 4] = [
        house,
        || {
            let mut h = house();
            arm(&mut h, T0, Mode::Away, false);
            h
        },
        || armed(Mode::Home),
        || {
            let mut h = armed(Mode::Away);
            report(&mut h, T0 + 100 * SEC, "front-door", SensorState::Open);
            h
        },
    ];
    for make in states {
        let mut house = make();
        let from = house.state();
        let out = panic(&mut house, T0 + 200 * SEC);
        assert_eq!(moves(&out), vec![(from, Triggered, Cause::Panic)]);
        assert_eq!(sirens(&out), vec![true]);
        assert_eq!(house.state(), Triggered);
        assert_eq!(house.next_deadline(), Some(T0 + 200 * SEC + TRIGGER));
        // Already triggered: recorded again, the trigger duration starts anew,
        // the siren stays on without a second switch.
        let again = panic(&mut house, T0 + 201 * SEC);
        assert_eq!(moves(&again), vec![(Triggered, Triggered, Cause::Panic)]);
        assert!(sirens(&again).is_empty());
        assert_eq!(house.next_deadline(), Some(T0 + 201 * SEC + TRIGGER));
    }
}

#[test]
fn panic_during_exit_delay_returns_to_armed_after_the_trigger_duration() {
    let mut house = house();
    arm(&mut house, T0, Mode::Away, false);
    panic(&mut house, T0 + SEC);
    let out = tick(&mut house, T0 + SEC + TRIGGER);
    assert_eq!(moves(&out), vec![(Triggered, Armed, Cause::TriggerTimeout)]);
    assert_eq!(house.mode(), Some(Mode::Away));
}

#[test]
fn smoke_is_a_fire_alarm_while_armed() {
    let mut house = armed(Mode::Home);
    let out = report(&mut house, T0 + 100 * SEC, "smoke", SensorState::Alarm);
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Fire)]);
}

#[test]
fn tamper_loop_open_triggers_tamper() {
    let mut house = armed(Mode::Away);
    let out = report(&mut house, T0 + 100 * SEC, "box-tamper", SensorState::Open);
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Tamper)]);
}

#[test]
fn tamper_state_from_any_sensor_triggers_and_is_trouble_until_a_level_state() {
    let mut house = house();
    let out = report(&mut house, T0 + SEC, "hall-motion", SensorState::Tamper);
    assert_eq!(
        troubles(&out),
        vec![("hall-motion".into(), TroubleCondition::Tamper, true)]
    );
    assert_eq!(moves(&out), vec![(Disarmed, Triggered, Cause::Tamper)]);
    assert!(house.sensor("hall-motion").unwrap().tamper());
    let out = report(&mut house, T0 + 2 * SEC, "hall-motion", SensorState::Tamper);
    assert!(troubles(&out).is_empty(), "logged once: {out:?}");
    let out = report(&mut house, T0 + 3 * SEC, "hall-motion", SensorState::Clear);
    assert_eq!(
        troubles(&out),
        vec![("hall-motion".into(), TroubleCondition::Tamper, false)]
    );
    assert!(!house.sensor("hall-motion").unwrap().tamper());
}

#[test]
fn tamper_during_pending_triggers_at_once() {
    let mut house = armed(Mode::Away);
    report(&mut house, T0 + 100 * SEC, "front-door", SensorState::Open);
    let out = report(
        &mut house,
        T0 + 101 * SEC,
        "front-door",
        SensorState::Tamper,
    );
    assert_eq!(moves(&out), vec![(Pending, Triggered, Cause::Tamper)]);
}
