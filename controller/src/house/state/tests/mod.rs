//! Every transition and rule of the house, driven with plain numbers as
//! time: the shared fixture here, the tests by topic in the files beside.

mod codes;
mod commands;
mod delays;
mod lifecycle;
mod siren;
mod supervision;
mod zones;

use super::*;
use homesec_ipc::AlarmKind;
use homesec_ipc::eventlog::record::{CodeResult, SirenCause, TroubleCondition};
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
        siren_test: Duration::from_secs(3),
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
    house.activate(now, AlarmKind::Panic, "SIGUSR1", "signal")
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
    let options = ArmOptions {
        force,
        skip_delay: false,
    };
    house.arm(now, mode, alice(), options, "rpc")
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
            Event::Siren { on, .. } => Some(*on),
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
