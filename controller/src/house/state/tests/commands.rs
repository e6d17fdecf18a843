//! Arming, disarming, bypass and un-bypass, and the swinger limit.

use super::*;

#[test]
fn arm_is_refused_naming_the_open_sensors() {
    let mut house = house();
    report(&mut house, T0 + SEC, "back-window", SensorState::Open);
    report(&mut house, T0 + SEC, "hall-motion", SensorState::Motion);
    let out = arm(&mut house, T0 + 2 * SEC, Mode::Away, false);
    assert_eq!(
        out,
        vec![
            code("arm", CodeResult::Accepted, Some("alice")),
            arm_refused(Mode::Away, &["back-window", "hall-motion"]),
        ]
    );
    assert_eq!(house.state(), Disarmed);
    // Home mode does not count the hall motion, but still the window.
    let out = arm(&mut house, T0 + 3 * SEC, Mode::Home, false);
    assert_eq!(out[1], arm_refused(Mode::Home, &["back-window"]));
    report(&mut house, T0 + 4 * SEC, "back-window", SensorState::Closed);
    arm(&mut house, T0 + 5 * SEC, Mode::Home, false);
    assert_eq!(house.state(), Arming);
}

#[test]
fn forced_arm_bypasses_the_open_sensors_and_says_so() {
    let mut house = house();
    report(&mut house, T0 + SEC, "back-window", SensorState::Open);
    let out = arm(&mut house, T0 + 2 * SEC, Mode::Away, true);
    assert_eq!(
        out[1],
        Event::Bypass {
            sensor: "back-window".into(),
            reason: BypassReason::Forced,
            user: Some("alice".into()),
            source: "rpc".into(),
        }
    );
    assert_eq!(moves(&out), vec![(Disarmed, Arming, Cause::Arm)]);
    tick(&mut house, T0 + 2 * SEC + EXIT);
    let out = report(&mut house, T0 + 100 * SEC, "back-window", SensorState::Open);
    assert!(moves(&out).is_empty());
}

#[test]
fn arming_while_not_disarmed_is_refused_without_a_change() {
    let mut house = armed(Mode::Away);
    let out = arm(&mut house, T0 + 100 * SEC, Mode::Home, false);
    assert_eq!(
        out,
        vec![
            code("arm", CodeResult::Accepted, Some("alice")),
            rejected("cannot arm: the system is armed; disarm first", "arm home"),
        ]
    );
    assert_eq!((house.state(), house.mode()), (Armed, Some(Mode::Away)));
}

#[test]
fn disarm_while_disarmed_only_records_the_code() {
    let mut house = house();
    let out = disarm(&mut house, T0, alice());
    assert_eq!(
        out,
        vec![code("disarm", CodeResult::Accepted, Some("alice"))]
    );
}

#[test]
fn disarm_while_triggered_stops_the_siren() {
    let mut house = armed(Mode::Away);
    report(&mut house, T0 + 100 * SEC, "back-window", SensorState::Open);
    let out = disarm(&mut house, T0 + 110 * SEC, alice());
    assert_eq!(moves(&out), vec![(Triggered, Disarmed, Cause::Disarm)]);
    assert_eq!(sirens(&out), vec![false]);
    assert_eq!(
        house.next_deadline(),
        Some(T0 + SUPERVISION),
        "only supervision is left"
    );
}

#[test]
fn disarm_during_the_exit_delay() {
    let mut house = house();
    arm(&mut house, T0, Mode::Away, false);
    let out = disarm(&mut house, T0 + SEC, alice());
    assert_eq!(moves(&out), vec![(Arming, Disarmed, Cause::Disarm)]);
    assert!(sirens(&out).is_empty());
}

#[test]
fn bypass_with_a_code_then_arm_and_disarm_ends_it() {
    let mut house = house();
    report(&mut house, T0 + SEC, "back-window", SensorState::Open);
    let out = house.bypass(T0 + 2 * SEC, "back-window", alice(), "rpc");
    assert_eq!(
        out,
        vec![
            code("bypass", CodeResult::Accepted, Some("alice")),
            Event::Bypass {
                sensor: "back-window".into(),
                reason: BypassReason::Manual,
                user: Some("alice".into()),
                source: "rpc".into(),
            },
        ]
    );
    let out = arm(&mut house, T0 + 3 * SEC, Mode::Away, false);
    assert!(bypasses(&out).is_empty());
    tick(&mut house, T0 + 3 * SEC + EXIT);
    assert!(
        moves(&report(
            &mut house,
            T0 + 100 * SEC,
            "back-window",
            SensorState::Open
        ))
        .is_empty()
    );
    disarm(&mut house, T0 + 200 * SEC, alice());
    assert!(!house.sensor("back-window").unwrap().bypassed());
}

#[test]
fn bypass_of_an_unknown_sensor_is_refused_before_the_code() {
    let mut house = house();
    let out = house.bypass(T0, "attic", alice(), "rpc");
    assert_eq!(
        out,
        vec![rejected(
            "unknown sensor 'attic': it is not in the house configuration",
            "bypass attic"
        )]
    );
}

#[test]
fn swinger_limit_bypasses_after_three_triggers_in_one_armed_period() {
    let mut house = armed(Mode::Away);
    let mut t = T0 + 100 * SEC;
    for round in 1..=3 {
        let out = report(&mut house, t, "back-window", SensorState::Open);
        assert_eq!(
            moves(&out),
            vec![(Armed, Triggered, Cause::Intrusion)],
            "round {round}"
        );
        let expected: Vec<(String, BypassReason)> = if round == 3 {
            vec![("back-window".into(), BypassReason::Swinger)]
        } else {
            vec![]
        };
        assert_eq!(bypasses(&out), expected, "round {round}");
        report(&mut house, t + SEC, "back-window", SensorState::Closed);
        let out = tick(&mut house, t + TRIGGER);
        assert!(bypasses(&out).is_empty());
        t += TRIGGER + 10 * SEC;
    }
    let out = report(&mut house, t, "back-window", SensorState::Open);
    assert_eq!(out.len(), 1, "only recorded: {out:?}");
    // A new armed period starts counting afresh.
    disarm(&mut house, t + SEC, alice());
    report(&mut house, t + 2 * SEC, "back-window", SensorState::Closed);
    arm(&mut house, t + 3 * SEC, Mode::Away, false);
    tick(&mut house, t + 3 * SEC + EXIT);
    let out = report(&mut house, t + 100 * SEC, "back-window", SensorState::Open);
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
    assert!(bypasses(&out).is_empty());
}

#[test]
fn entry_delays_count_towards_the_swinger_limit() {
    let mut rules = rules();
    rules.swinger_limit = 1;
    let mut house = House::new(specs(), rules, T0);
    arm(&mut house, T0, Mode::Away, false);
    tick(&mut house, T0 + EXIT);
    let out = report(&mut house, T0 + 100 * SEC, "front-door", SensorState::Open);
    assert_eq!(moves(&out), vec![(Armed, Pending, Cause::Intrusion)]);
    assert_eq!(
        bypasses(&out),
        vec![("front-door".into(), BypassReason::Swinger)]
    );
    // The running entry delay still ends in an alarm.
    let out = tick(&mut house, T0 + 100 * SEC + ENTRY);
    assert_eq!(moves(&out), vec![(Pending, Triggered, Cause::EntryDelay)]);
}

fn unbypass(house: &mut House, now: Millis, sensor: &str, code: CodeCheck) -> Vec<Event> {
    house.unbypass(now, sensor, code, "rpc")
}

fn unbypass_record(sensor: &str, user: &str) -> Event {
    Event::Unbypass {
        sensor: sensor.into(),
        user: Some(user.into()),
        source: "rpc".into(),
    }
}

#[test]
fn unbypass_ends_a_manual_bypass_and_the_sensor_counts_again() {
    let mut house = house();
    house.bypass(T0, "back-window", alice(), "rpc");
    arm(&mut house, T0 + SEC, Mode::Away, false);
    tick(&mut house, T0 + SEC + EXIT);
    let t = T0 + 100 * SEC;
    let out = unbypass(&mut house, t, "back-window", alice());
    assert_eq!(
        out,
        vec![
            code("unbypass", CodeResult::Accepted, Some("alice")),
            unbypass_record("back-window", "alice"),
        ]
    );
    assert!(!house.sensor("back-window").unwrap().bypassed());
    let out = report(&mut house, t + SEC, "back-window", SensorState::Open);
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
}

/// The decision: an un-bypassed sensor counts from now on, never
/// retroactively. Open at the un-bypass, it raises nothing then; its next
/// active report does.
#[test]
fn unbypass_of_an_open_sensor_while_armed_waits_for_its_next_report() {
    let mut house = house();
    report(&mut house, T0, "back-window", SensorState::Open);
    arm(&mut house, T0 + SEC, Mode::Away, true);
    tick(&mut house, T0 + SEC + EXIT);
    let t = T0 + 100 * SEC;
    let out = unbypass(&mut house, t, "back-window", alice());
    assert_eq!(out[1], unbypass_record("back-window", "alice"));
    assert!(moves(&out).is_empty(), "no retroactive alarm: {out:?}");
    assert_eq!(house.state(), Armed);
    assert!(tick(&mut house, t + SEC).is_empty());
    // Closing is at rest; opening again counts.
    let out = report(&mut house, t + 2 * SEC, "back-window", SensorState::Closed);
    assert!(moves(&out).is_empty());
    let out = report(&mut house, t + 3 * SEC, "back-window", SensorState::Open);
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
}

#[test]
fn unbypass_of_a_sensor_not_bypassed_is_refused_after_the_code() {
    let mut house = armed(Mode::Away);
    let out = unbypass(&mut house, T0 + 100 * SEC, "back-window", alice());
    assert_eq!(
        out,
        vec![
            code("unbypass", CodeResult::Accepted, Some("alice")),
            rejected(
                "sensor 'back-window' is not bypassed",
                "unbypass back-window"
            ),
        ]
    );
}

#[test]
fn unbypass_of_an_unknown_sensor_is_refused_before_the_code() {
    let mut house = house();
    let out = unbypass(&mut house, T0, "attic", alice());
    assert_eq!(
        out,
        vec![rejected(
            "unknown sensor 'attic': it is not in the house configuration",
            "unbypass attic"
        )]
    );
}

#[test]
fn unbypass_does_not_end_the_controllers_own_bypasses() {
    let mut rules = rules();
    rules.swinger_limit = 1;
    let mut house = House::new(specs(), rules, T0);
    arm(&mut house, T0, Mode::Away, false);
    tick(&mut house, T0 + EXIT);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "back-window", SensorState::Open);
    assert_eq!(
        house.sensor("back-window").unwrap().bypass_reason(),
        Some(BypassReason::Swinger)
    );
    let out = unbypass(&mut house, t + SEC, "back-window", alice());
    assert_eq!(
        out[1],
        rejected(
            "sensor 'back-window' was bypassed by the controller (it triggered too often); \
             that bypass ends at the next disarm",
            "unbypass back-window"
        )
    );
    assert!(house.sensor("back-window").unwrap().bypassed());
}

#[test]
fn unbypass_ends_a_restored_bypass() {
    let mut house = house();
    house.restore(
        T0,
        Armed,
        Some(Mode::Away),
        &["hall-motion".into()],
        CodeLockState::default(),
    );
    let out = unbypass(&mut house, T0 + SEC, "hall-motion", alice());
    assert_eq!(out[1], unbypass_record("hall-motion", "alice"));
    let out = report(&mut house, T0 + 2 * SEC, "hall-motion", SensorState::Motion);
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
}

#[test]
fn a_second_unbypass_is_refused() {
    let mut house = house();
    house.bypass(T0, "back-window", alice(), "rpc");
    unbypass(&mut house, T0 + SEC, "back-window", alice());
    let out = unbypass(&mut house, T0 + 2 * SEC, "back-window", alice());
    assert_eq!(
        out[1],
        rejected(
            "sensor 'back-window' is not bypassed",
            "unbypass back-window"
        )
    );
}
