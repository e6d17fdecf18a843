//! Every transition and rule of the house, driven with plain numbers as time.

use super::*;
use homesec_ipc::eventlog::record::{CodeResult, TroubleCondition};
use std::time::Duration;

const T0: Millis = 1_700_000_000_000;
const SEC: Millis = 1000;
const EXIT: Millis = 30 * SEC;
const ENTRY: Millis = 30 * SEC;
const TRIGGER: Millis = 180 * SEC;
const SUPERVISION: Millis = 3600 * SEC;

fn spec(id: &str, zone: &str, kind: SensorKind, role: Role, entry: Entry) -> SensorSpec {
    SensorSpec {
        id: id.into(),
        zone: zone.into(),
        kind,
        role,
        night: false,
        entry,
        supervision_timeout: Duration::from_secs(3600),
    }
}

fn specs() -> Vec<SensorSpec> {
    use SensorKind::*;
    let delayed = |s| Entry::Delayed(Duration::from_secs(s));
    let mut landing = spec(
        "landing-motion",
        "upstairs",
        Motion,
        Role::Interior,
        Entry::Instant,
    );
    landing.night = true;
    let mut box_tamper = spec(
        "box-tamper",
        "panel",
        Tamper,
        Role::TwentyFourHour,
        Entry::Instant,
    );
    box_tamper.supervision_timeout = Duration::ZERO;
    vec![
        spec("front-door", "entry", Door, Role::Perimeter, delayed(30)),
        spec("side-door", "garage", Door, Role::Perimeter, delayed(45)),
        spec(
            "back-window",
            "living",
            Window,
            Role::Perimeter,
            Entry::Instant,
        ),
        spec(
            "kitchen-glass",
            "kitchen",
            Glass,
            Role::Perimeter,
            Entry::Instant,
        ),
        spec(
            "hall-motion",
            "hall",
            Motion,
            Role::Interior,
            Entry::Instant,
        ),
        landing,
        spec(
            "smoke",
            "kitchen",
            Smoke,
            Role::TwentyFourHour,
            Entry::Instant,
        ),
        spec(
            "panic-button",
            "bedroom",
            Panic,
            Role::TwentyFourHour,
            Entry::Instant,
        ),
        box_tamper,
    ]
}

fn rules() -> Rules {
    Rules {
        exit_delay: Duration::from_secs(30),
        trigger_duration: Duration::from_secs(180),
        swinger_limit: 3,
        max_wrong_codes: 10,
        lockout: Duration::from_secs(90),
    }
}

fn house() -> House {
    House::new(specs(), rules(), T0)
}

fn alice() -> CodeCheck {
    CodeCheck::User("alice".into())
}

fn report(house: &mut House, now: Millis, id: &str, state: SensorState) -> Vec<Event> {
    house.sensor_event(now, id, state, "fifo").unwrap()
}

fn tick(house: &mut House, now: Millis) -> Vec<Event> {
    house.tick(now)
}

fn panic(house: &mut House, now: Millis) -> Vec<Event> {
    house.panic(now, "signal")
}

fn rejected(reason: &str, input: &str) -> Event {
    Event::Rejected {
        source: "rpc".into(),
        reason: reason.into(),
        input: input.into(),
    }
}

fn arm_refused(mode: Mode, sensors: &[&str]) -> Event {
    Event::ArmRefused {
        mode,
        sensors: sensors.iter().map(|s| s.to_string()).collect(),
        user: Some("alice".into()),
        source: "rpc".into(),
    }
}

fn arm(house: &mut House, now: Millis, mode: Mode, force: bool) -> Vec<Event> {
    house.arm(now, mode, alice(), force, "rpc")
}

fn disarm(house: &mut House, now: Millis, code: CodeCheck) -> Vec<Event> {
    house.disarm(now, code, "rpc")
}

/// A house armed in `mode` at T0 + EXIT.
fn armed(mode: Mode) -> House {
    let mut house = house();
    arm(&mut house, T0, mode, false);
    tick(&mut house, T0 + EXIT);
    assert_eq!(house.state(), AlarmState::Armed);
    house
}

/// The alarm changes in `events`: (from, to, cause).
fn moves(events: &[Event]) -> Vec<(AlarmState, AlarmState, Cause)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Alarm {
                from, to, cause, ..
            } => Some((*from, *to, *cause)),
            _ => None,
        })
        .collect()
}

fn sirens(events: &[Event]) -> Vec<bool> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Siren { on } => Some(*on),
            _ => None,
        })
        .collect()
}

fn bypasses(events: &[Event]) -> Vec<(String, BypassReason)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Bypass { sensor, reason, .. } => Some((sensor.clone(), *reason)),
            _ => None,
        })
        .collect()
}

fn troubles(events: &[Event]) -> Vec<(String, TroubleCondition, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Trouble {
                sensor,
                condition,
                active,
                ..
            } => Some((sensor.clone(), *condition, *active)),
            _ => None,
        })
        .collect()
}

fn sensor_record(id: &str, zone: &str, kind: SensorKind, state: SensorState) -> Event {
    Event::Sensor {
        sensor: id.into(),
        zone: zone.into(),
        sensor_kind: kind,
        state,
        source: "fifo".into(),
    }
}

fn code(action: &str, result: CodeResult, user: Option<&str>) -> Event {
    Event::Code {
        action: action.into(),
        result,
        user: user.map(Into::into),
        source: "rpc".into(),
    }
}

use AlarmState::{Armed, Arming, Disarmed, Pending, Triggered};

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
            Event::Siren { on: true },
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
            Event::Siren { on: false },
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

#[test]
fn ten_wrong_codes_lock_code_entry_and_each_further_one_adds_a_lockout() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    for _ in 0..10 {
        let out = disarm(&mut house, t, CodeCheck::Wrong);
        assert_eq!(out, vec![code("disarm", CodeResult::Wrong, None)]);
    }
    // Locked: even a good code is not looked at.
    let out = disarm(&mut house, t + 89 * SEC, alice());
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);
    assert_eq!(house.state(), Armed);
    // The lockout does not need a tick.
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
    // Over: one more wrong code locks again for 90 s.
    let t2 = t + 90 * SEC;
    let out = disarm(&mut house, t2, CodeCheck::Wrong);
    assert_eq!(out, vec![code("disarm", CodeResult::Wrong, None)]);
    let out = disarm(&mut house, t2 + 89 * SEC, alice());
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);
    // A correct code after the lockout works and resets the count.
    let out = disarm(&mut house, t2 + 90 * SEC, alice());
    assert_eq!(out[0], code("disarm", CodeResult::Accepted, Some("alice")));
    assert_eq!(house.state(), Disarmed);
    for _ in 0..9 {
        let out = disarm(&mut house, t2 + 91 * SEC, CodeCheck::Wrong);
        assert_eq!(out, vec![code("disarm", CodeResult::Wrong, None)]);
    }
    let out = disarm(&mut house, t2 + 91 * SEC, alice());
    assert_eq!(
        out,
        vec![code("disarm", CodeResult::Accepted, Some("alice"))]
    );
}

#[test]
fn the_lockout_error_says_how_long_it_lasts() {
    let mut lock = lockout::CodeLock::default();
    let mut out = Vec::new();
    for _ in 0..10 {
        let result = lock.check(T0, CodeCheck::Wrong, "arm", &rules(), "rpc", &mut out);
        assert_eq!(result, Err(HouseError::WrongCode { action: "arm" }));
    }
    let err = lock
        .check(T0 + 500, alice(), "arm", &rules(), "rpc", &mut out)
        .unwrap_err();
    assert_eq!(
        err,
        HouseError::CodeLocked {
            action: "arm",
            remaining_ms: 89_500
        }
    );
    assert_eq!(
        err.to_string(),
        "code entry is locked for 90s more after too many wrong codes; arm not done"
    );
}

#[test]
fn lockout_covers_every_code_action() {
    let mut house = house();
    for _ in 0..10 {
        let out = house.arm(T0, Mode::Away, CodeCheck::Wrong, false, "rpc");
        assert_eq!(out, vec![code("arm", CodeResult::Wrong, None)]);
    }
    let out = house.bypass(T0 + SEC, "back-window", alice(), "rpc");
    assert_eq!(out, vec![code("bypass", CodeResult::Locked, None)]);
    assert!(!house.sensor("back-window").unwrap().bypassed());
}

#[test]
fn duress_code_disarms_and_writes_a_silent_duress_record() {
    let mut house = armed(Mode::Away);
    report(&mut house, T0 + 100 * SEC, "front-door", SensorState::Open);
    let out = disarm(&mut house, T0 + 105 * SEC, CodeCheck::Duress("bob".into()));
    assert_eq!(out[0], code("disarm", CodeResult::Duress, Some("bob")));
    assert_eq!(
        out[1],
        Event::Duress {
            user: "bob".into(),
            source: "rpc".into()
        }
    );
    assert_eq!(moves(&out), vec![(Pending, Disarmed, Cause::Disarm)]);
    match &out[2] {
        Event::Alarm { user, .. } => assert_eq!(user.as_deref(), Some("bob")),
        other => panic!("expected the alarm record, got {other:?}"),
    }
    assert!(sirens(&out).is_empty());
    assert!(!house.siren());
    assert_eq!(out.len(), 3);
}

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
        let out = house.restore(T0, state, mode, &["back-window".to_string()]);
        assert_eq!(moves(&out), expected, "{state}");
        let bypassed = !expected.is_empty();
        assert_eq!(bypasses(&out).len(), usize::from(bypassed), "{state}");
        assert_eq!(house.mode(), if bypassed { mode } else { None }, "{state}");
    }
    let mut house = house();
    house.restore(T0, Pending, Some(Mode::Away), &[]);
    assert!(house.siren());
    assert_eq!(house.next_deadline(), Some(T0 + TRIGGER));
    // Triggered from armed: the trigger duration ends back in armed.
    assert_eq!(
        moves(&tick(&mut house, T0 + TRIGGER)),
        vec![(Triggered, Armed, Cause::TriggerTimeout)]
    );
}

#[test]
fn a_code_not_checked_while_locked_is_refused_as_locked_and_not_counted() {
    let mut house = house();
    let out = house.disarm(T0, CodeCheck::NotChecked, "rpc");
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);
    // It did not count towards a lockout: nine real wrong codes do not lock.
    for i in 0..9 {
        house.disarm(T0 + i, CodeCheck::Wrong, "rpc");
    }
    assert_eq!(house.code_entry_locked_until(T0 + 10), None);
    house.disarm(T0 + 10, CodeCheck::Wrong, "rpc");
    assert!(house.code_entry_locked_until(T0 + 11).is_some());
}
