//! Exit and entry delays, the trigger duration and their deadlines.

use super::*;

#[test]
fn arm_runs_the_exit_delay_then_arms() {
    let mut house = house();
    let out = arm(&mut house, T0, Mode::Away, false);
    assert_eq!(
        out,
        vec![
            code("arm", CodeResult::Accepted, Some("alice")),
            Event::Alarm {
                from: Disarmed,
                to: Arming,
                mode: Some(Mode::Away),
                cause: Cause::Arm,
                sensor: None,
                zone: None,
                user: Some("alice".into()),
                delay_ms: Some(30_000),
                source: "rpc".into(),
            },
        ]
    );
    assert_eq!(
        (house.state(), house.mode(), house.since()),
        (Arming, Some(Mode::Away), T0)
    );
    assert_eq!(house.next_deadline(), Some(T0 + EXIT));
    assert!(tick(&mut house, T0 + EXIT - 1).is_empty());
    assert_eq!(
        tick(&mut house, T0 + EXIT),
        vec![Event::Alarm {
            from: Arming,
            to: Armed,
            mode: Some(Mode::Away),
            cause: Cause::ExitDelay,
            sensor: None,
            zone: None,
            user: None,
            delay_ms: None,
            source: "timer".into(),
        }]
    );
    assert_eq!((house.state(), house.since()), (Armed, T0 + EXIT));
    assert!(!house.siren());
}

#[test]
fn zero_exit_delay_arms_at_once() {
    let mut rules = rules();
    rules.exit_delay = Duration::ZERO;
    let mut house = House::new(specs(), rules, T0);
    let out = arm(&mut house, T0, Mode::Home, false);
    assert_eq!(moves(&out), vec![(Disarmed, Armed, Cause::Arm)]);
    assert_eq!(house.state(), Armed);
}

#[test]
fn sensors_do_not_trigger_during_the_exit_delay_but_24h_ones_do() {
    let mut house = house();
    arm(&mut house, T0, Mode::Away, false);
    let out = report(&mut house, T0 + SEC, "front-door", SensorState::Open);
    assert_eq!(out.len(), 1, "only the sensor record: {out:?}");
    let out = report(&mut house, T0 + SEC, "hall-motion", SensorState::Motion);
    assert!(moves(&out).is_empty());
    let out = report(&mut house, T0 + 2 * SEC, "smoke", SensorState::Alarm);
    assert_eq!(moves(&out), vec![(Arming, Triggered, Cause::Fire)]);
}

#[test]
fn an_instant_window_opened_during_the_exit_delay_triggers() {
    let mut house = house();
    arm(&mut house, T0, Mode::Away, false);
    let out = report(&mut house, T0 + SEC, "back-window", SensorState::Open);
    assert_eq!(moves(&out), vec![(Arming, Triggered, Cause::Intrusion)]);
}

#[test]
fn a_door_left_open_when_the_exit_delay_ends_starts_the_entry_delay() {
    let mut house = house();
    arm(&mut house, T0, Mode::Away, false);
    report(&mut house, T0 + SEC, "front-door", SensorState::Open);
    let out = tick(&mut house, T0 + EXIT);
    assert_eq!(
        moves(&out),
        vec![
            (Arming, Armed, Cause::ExitDelay),
            (Armed, Pending, Cause::Intrusion)
        ]
    );
    assert_eq!(house.next_deadline(), Some(T0 + EXIT + ENTRY));
}

#[test]
fn a_door_closed_before_the_exit_delay_ends_just_arms() {
    let mut house = house();
    arm(&mut house, T0, Mode::Away, false);
    report(&mut house, T0 + SEC, "front-door", SensorState::Open);
    report(&mut house, T0 + 2 * SEC, "front-door", SensorState::Closed);
    report(&mut house, T0 + 3 * SEC, "hall-motion", SensorState::Motion);
    let out = tick(&mut house, T0 + EXIT);
    assert_eq!(moves(&out), vec![(Arming, Armed, Cause::ExitDelay)]);
}

#[test]
fn entry_delay_runs_out_and_triggers() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    let out = report(&mut house, t, "front-door", SensorState::Open);
    assert_eq!(
        out,
        vec![
            sensor_record("front-door", "entry", SensorKind::Door, SensorState::Open),
            Event::Alarm {
                from: Armed,
                to: Pending,
                mode: Some(Mode::Away),
                cause: Cause::Intrusion,
                sensor: Some("front-door".into()),
                zone: Some("entry".into()),
                user: None,
                delay_ms: Some(30_000),
                source: "fifo".into(),
            },
        ]
    );
    assert_eq!(house.next_deadline(), Some(t + ENTRY));
    assert!(tick(&mut house, t + ENTRY - 1).is_empty());
    assert_eq!(
        tick(&mut house, t + ENTRY),
        vec![
            Event::Alarm {
                from: Pending,
                to: Triggered,
                mode: Some(Mode::Away),
                cause: Cause::EntryDelay,
                sensor: Some("front-door".into()),
                zone: Some("entry".into()),
                user: None,
                delay_ms: Some(180_000),
                source: "timer".into(),
            },
            Event::siren(true),
        ]
    );
    assert!(house.siren());
    assert_eq!(house.next_deadline(), Some(t + ENTRY + TRIGGER));
}

#[test]
fn each_delayed_sensor_uses_its_own_entry_delay() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "side-door", SensorState::Open);
    assert_eq!(house.next_deadline(), Some(t + 45 * SEC));
}

#[test]
fn disarm_during_the_entry_delay_stops_it() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "front-door", SensorState::Open);
    let out = disarm(&mut house, t + 10 * SEC, alice());
    assert_eq!(
        out,
        vec![
            code("disarm", CodeResult::Accepted, Some("alice")),
            Event::Alarm {
                from: Pending,
                to: Disarmed,
                mode: None,
                cause: Cause::Disarm,
                sensor: None,
                zone: None,
                user: Some("alice".into()),
                delay_ms: None,
                source: "rpc".into(),
            },
        ]
    );
    assert_eq!((house.state(), house.mode()), (Disarmed, None));
    assert!(tick(&mut house, t + ENTRY).is_empty());
    assert_eq!(house.state(), Disarmed);
}

#[test]
fn instant_sensors_trigger_at_once() {
    for id in ["back-window", "kitchen-glass"] {
        let mut house = armed(Mode::Away);
        let active = house.sensor(id).unwrap().kind().level_states()[0];
        let out = report(&mut house, T0 + 100 * SEC, id, active);
        assert_eq!(
            moves(&out),
            vec![(Armed, Triggered, Cause::Intrusion)],
            "{id}"
        );
        assert_eq!(sirens(&out), vec![true]);
        assert!(house.siren());
    }
}

#[test]
fn followers_and_delayed_sensors_wait_during_pending_but_instant_perimeter_does_not() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "front-door", SensorState::Open);
    let out = report(&mut house, t + SEC, "hall-motion", SensorState::Motion);
    assert!(moves(&out).is_empty(), "follower motion: {out:?}");
    let out = report(&mut house, t + SEC, "side-door", SensorState::Open);
    assert!(moves(&out).is_empty(), "second delayed door: {out:?}");
    assert_eq!(house.state(), Pending);
    assert_eq!(
        house.next_deadline(),
        Some(t + ENTRY),
        "the first entry delay still runs"
    );
    let out = report(&mut house, t + 2 * SEC, "back-window", SensorState::Open);
    assert_eq!(moves(&out), vec![(Pending, Triggered, Cause::Intrusion)]);
}

#[test]
fn trigger_timeout_returns_to_armed_bypassing_the_still_open_sensor() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "back-window", SensorState::Open);
    let out = tick(&mut house, t + TRIGGER);
    assert_eq!(
        out,
        vec![
            Event::Alarm {
                from: Triggered,
                to: Armed,
                mode: Some(Mode::Away),
                cause: Cause::TriggerTimeout,
                sensor: None,
                zone: None,
                user: None,
                delay_ms: None,
                source: "timer".into(),
            },
            Event::siren(false),
            Event::Bypass {
                sensor: "back-window".into(),
                reason: BypassReason::StillActive,
                user: None,
                source: "timer".into(),
            },
        ]
    );
    assert!(!house.siren());
    assert!(house.sensor("back-window").unwrap().bypassed());
    let out = report(
        &mut house,
        t + TRIGGER + SEC,
        "back-window",
        SensorState::Open,
    );
    assert_eq!(out.len(), 1, "a bypassed sensor is only recorded: {out:?}");
    // Other sensors still count.
    let out = report(
        &mut house,
        t + TRIGGER + SEC,
        "kitchen-glass",
        SensorState::Alarm,
    );
    assert_eq!(moves(&out), vec![(Armed, Triggered, Cause::Intrusion)]);
}

#[test]
fn trigger_timeout_does_not_bypass_a_sensor_that_closed() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "back-window", SensorState::Open);
    report(&mut house, t + SEC, "back-window", SensorState::Closed);
    let out = tick(&mut house, t + TRIGGER);
    assert!(bypasses(&out).is_empty());
    assert!(!house.sensor("back-window").unwrap().bypassed());
}

#[test]
fn trigger_timeout_after_a_panic_while_disarmed_returns_enter_disarmed() {
    let mut house = house();
    panic(&mut house, T0 + SEC);
    assert_eq!(house.mode(), None);
    let out = tick(&mut house, T0 + SEC + TRIGGER);
    assert_eq!(
        moves(&out),
        vec![(Triggered, Disarmed, Cause::TriggerTimeout)]
    );
    assert_eq!(sirens(&out), vec![false]);
    assert_eq!(house.state(), Disarmed);
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
}

#[test]
fn a_clock_jump_runs_each_timer_at_its_own_deadline() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    report(&mut house, t, "front-door", SensorState::Closed);
    report(&mut house, t, "front-door", SensorState::Open);
    let out = tick(&mut house, t + ENTRY + TRIGGER + 50 * SEC);
    assert_eq!(
        moves(&out),
        vec![
            (Pending, Triggered, Cause::EntryDelay),
            (Triggered, Armed, Cause::TriggerTimeout)
        ]
    );
    assert_eq!(house.since(), t + ENTRY + TRIGGER);
    assert_eq!(
        bypasses(&out),
        vec![("front-door".into(), BypassReason::StillActive)]
    );
}

#[test]
fn next_deadline_follows_the_state_timers_and_supervision() {
    let mut house = house();
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
    arm(&mut house, T0 + SEC, Mode::Away, false);
    assert_eq!(house.next_deadline(), Some(T0 + SEC + EXIT));
    tick(&mut house, T0 + SEC + EXIT);
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
    let t = T0 + SUPERVISION - 10 * SEC;
    report(&mut house, t, "front-door", SensorState::Open);
    // Supervision expiry of the other sensors comes before the entry delay ends.
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
    for sensor in specs() {
        report(&mut house, t, &sensor.id, SensorState::Heartbeat);
    }
    assert_eq!(house.next_deadline(), Some(t + ENTRY));
    tick(&mut house, t + ENTRY);
    assert_eq!(house.next_deadline(), Some(t + ENTRY + TRIGGER));
    tick(&mut house, t + ENTRY + TRIGGER);
    assert_eq!(house.next_deadline(), Some(t + SUPERVISION));
}

#[test]
fn skip_delay_arms_at_once_without_the_exit_delay() {
    let mut house = house();
    let options = ArmOptions {
        force: false,
        skip_delay: true,
    };
    let out = house.arm(T0, Mode::Away, alice(), options, "rpc");
    assert_eq!(
        out,
        vec![
            code("arm", CodeResult::Accepted, Some("alice")),
            Event::Alarm {
                from: Disarmed,
                to: Armed,
                mode: Some(Mode::Away),
                cause: Cause::Arm,
                sensor: None,
                zone: None,
                user: Some("alice".into()),
                delay_ms: None,
                source: "rpc".into(),
            },
        ]
    );
    assert_eq!(
        house.next_deadline(),
        Some(T0 + SUPERVISION),
        "no exit delay"
    );
    // Armed now: a door on the exit route starts the entry delay at once.
    let out = report(&mut house, T0 + SEC, "front-door", SensorState::Open);
    assert_eq!(moves(&out), vec![(Armed, Pending, Cause::Intrusion)]);
}

#[test]
fn skip_delay_and_force_together_bypass_then_arm_at_once() {
    let mut house = house();
    report(&mut house, T0, "back-window", SensorState::Open);
    let options = ArmOptions {
        force: true,
        skip_delay: true,
    };
    let out = house.arm(T0 + SEC, Mode::Night, alice(), options, "rpc");
    assert_eq!(
        bypasses(&out),
        vec![("back-window".into(), BypassReason::Forced)]
    );
    assert_eq!(moves(&out), vec![(Disarmed, Armed, Cause::Arm)]);
}
