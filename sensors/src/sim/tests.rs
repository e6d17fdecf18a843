//! Whole-simulator tests: determinism, well-formed reports, the default
//! and intrusion scenarios against the default house (checked with a small
//! model of the controller's alarm rules), faults, and located errors.

use super::*;
use crate::report::Report;
use chrono::{Datelike, Local, NaiveDate, TimeZone};
use homesec_config::{Config, ConfigSource, Entry, Role, default_house};
use homesec_ipc::line::{Control, Line, parse_line};
use homesec_ipc::{Mode, SensorState};
use std::collections::HashMap;
use std::path::Path;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// Local midnight starting 2025-03-04, a Tuesday.
fn tuesday() -> i64 {
    local(2025, 3, 4, 0, 0)
}

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    let naive = NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap();
    Local
        .from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .timestamp_millis()
}

fn run(file: &ScenarioFile, seed: u64, start: i64, until: i64) -> Vec<(i64, Report)> {
    Simulator::new(file, &default_house(), seed, start)
        .unwrap()
        .take_while(|(at, _)| *at < until)
        .collect()
}

fn scenario(text: &str) -> ScenarioFile {
    parse_scenario(text, "test.toml").unwrap()
}

fn keypad(items: &[(i64, Report)]) -> Vec<(i64, Control)> {
    items
        .iter()
        .filter_map(|(at, r)| match r {
            Report::Keypad(line) => match parse_line(line.as_bytes()) {
                Ok(Line::Control(c)) => Some((*at, c)),
                other => panic!("{line}: {other:?}"),
            },
            Report::Sensor { .. } => None,
        })
        .collect()
}

fn states_of<'a>(
    items: &'a [(i64, Report)],
    id: &'a str,
) -> impl Iterator<Item = (i64, SensorState)> + 'a {
    items.iter().filter_map(move |(at, r)| match r {
        Report::Sensor { sensor, state } if sensor == id => Some((*at, *state)),
        _ => None,
    })
}

#[test]
fn the_same_seed_gives_the_same_stream_and_another_seed_another() {
    let file = default_scenario();
    let house = default_house();
    let take = |seed| -> Vec<(i64, Report)> {
        Simulator::new(&file, &house, seed, tuesday())
            .unwrap()
            .take(5_000)
            .collect()
    };
    let first = take(7);
    assert_eq!(first.len(), 5_000);
    assert_eq!(first, take(7));
    assert_ne!(first, take(8));
}

#[test]
fn reports_are_in_time_order_and_well_formed() {
    let house = default_house();
    let start = tuesday() + 9 * HOUR + 17 * MINUTE;
    // Somebody who never sleeps and moves every few minutes keeps activity
    // going across every midnight.
    let late = scenario(
        "[layout]\nentrance = \"front-door\"\nrooms = [\"living-motion\"]\nactivity = \"2m\"\n\
         [[occupants]]\nname = \"owl\"\ncode = \"1234\"\n",
    );
    for seed in 0..4 {
        let items = run(&late, seed, start, start + 15 * 24 * HOUR);
        let back = items.windows(2).find(|w| w[0].0 > w[1].0);
        assert!(back.is_none(), "seed {seed}: time went backwards: {back:?}");
    }
    let items = run(&default_scenario(), 3, start, start + 8 * 24 * HOUR);
    assert!(items.first().is_some_and(|(at, _)| *at == start));
    assert!(
        items.windows(2).all(|w| w[0].0 <= w[1].0),
        "time went backwards"
    );
    for (at, report) in &items {
        match report {
            Report::Sensor { sensor, state } => {
                let s = house
                    .sensor(sensor)
                    .unwrap_or_else(|| panic!("unknown {sensor}"));
                assert_eq!(s.input, homesec_config::Input::Simulated);
                assert!(s.kind.accepts(*state), "{at}: {sensor} {state}");
            }
            Report::Keypad(line) => {
                assert!(
                    matches!(parse_line(line.as_bytes()), Ok(Line::Control(_))),
                    "{line}"
                );
            }
        }
    }
}

#[test]
fn a_weekday_of_the_default_scenario() {
    let start = tuesday();
    let items = run(&default_scenario(), 11, start, start + 24 * HOUR);
    let controls = keypad(&items);
    let arm_away: Vec<i64> = controls
        .iter()
        .filter(|(_, c)| {
            matches!(
                c,
                Control::Arm {
                    mode: Mode::Away,
                    ..
                }
            )
        })
        .map(|(at, _)| *at)
        .collect();
    let disarms: Vec<i64> = controls
        .iter()
        .filter(|(_, c)| matches!(c, Control::Disarm { .. }))
        .map(|(at, _)| *at)
        .collect();
    assert_eq!(arm_away.len(), 1, "{controls:?}");
    assert!(!disarms.is_empty());
    assert!(controls.iter().all(|(_, c)| c.code() == "1234"));

    // The front door opens and closes in pairs.
    let door: Vec<SensorState> = states_of(&items, "front-door")
        .map(|(_, s)| s)
        .filter(|s| s.is_level())
        .collect();
    assert!(door.len() >= 4, "{door:?}");
    assert!(
        door.chunks(2)
            .all(|p| p == [SensorState::Open, SensorState::Closed]),
        "{door:?}"
    );

    // The break-in: between arming away and the next disarm, around 14:00.
    let (opened, _) = states_of(&items, "kitchen-window")
        .find(|(_, s)| *s == SensorState::Open)
        .expect("the kitchen window opens");
    let next_disarm = disarms.iter().find(|&&d| d > arm_away[0]).copied().unwrap();
    assert!(arm_away[0] + 30_000 < opened && opened < next_disarm);
    assert!(
        (opened - (start + 14 * HOUR)).abs() <= 10 * MINUTE,
        "{opened}"
    );

    // Every sensor's heartbeats, from the start, at its interval.
    for sensor in &default_house().sensors {
        let beats: Vec<i64> = states_of(&items, &sensor.id)
            .filter(|(_, s)| *s == SensorState::Heartbeat)
            .map(|(at, _)| at)
            .collect();
        let interval = sensor.supervision_interval.as_millis() as i64;
        assert_eq!(beats.len() as i64, 24 * HOUR / interval, "{}", sensor.id);
        for (k, at) in beats.iter().enumerate() {
            assert_eq!(*at, start + k as i64 * interval, "{}", sensor.id);
        }
    }
}

#[test]
fn the_bedroom_window_goes_silent_on_day_two() {
    let start = tuesday();
    let items = run(&default_scenario(), 5, start, start + 2 * 24 * HOUR);
    let reports: Vec<i64> = states_of(&items, "bedroom-window")
        .map(|(at, _)| at)
        .collect();
    let (gap_start, gap_end) = reports
        .windows(2)
        .map(|w| (w[0], w[1]))
        .max_by_key(|(a, b)| b - a)
        .unwrap();
    let day2 = start + 24 * HOUR;
    // Silent from 10:00 ± 10m on day 2 for 8h: the last report is at most one
    // interval before, the next at most one interval after.
    assert!(
        (gap_start - (day2 + 10 * HOUR)).abs() <= 11 * MINUTE,
        "{gap_start}"
    );
    assert!(
        gap_end - gap_start >= 8 * HOUR - MINUTE,
        "{}",
        gap_end - gap_start
    );
    assert!(
        gap_end - gap_start <= 8 * HOUR + MINUTE,
        "{}",
        gap_end - gap_start
    );
    // Nobody else went quiet.
    for id in ["front-door", "kitchen-window", "hall-motion"] {
        let at: Vec<i64> = states_of(&items, id).map(|(at, _)| at).collect();
        assert!(at.windows(2).all(|w| w[1] - w[0] <= MINUTE), "{id}");
    }
}

#[test]
fn the_back_door_battery_runs_low_and_is_replaced() {
    let start = tuesday();
    let items = run(&default_scenario(), 5, start, start + 24 * HOUR);
    let battery: Vec<(i64, SensorState)> = states_of(&items, "back-door")
        .filter(|(_, s)| matches!(s, SensorState::LowBattery | SensorState::BatteryOk))
        .collect();
    assert_eq!(battery.len(), 2, "{battery:?}");
    assert_eq!(battery[0].1, SensorState::LowBattery);
    assert!((battery[0].0 - (start + 9 * HOUR)).abs() <= 10 * MINUTE);
    assert_eq!(
        battery[1],
        (battery[0].0 + 10 * HOUR, SensorState::BatteryOk)
    );
}

/// A small model of the controller's alarm rules (ALARM.md), enough to tell
/// whether a stream would ever be refused an arm or raise an alarm.
struct Panel<'a> {
    house: &'a Config,
    level: HashMap<String, SensorState>,
    state: PanelState,
    alarms: Vec<(i64, String)>,
    refused: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PanelState {
    Disarmed,
    Arming { mode: Mode, until: i64 },
    Armed { mode: Mode },
    Pending { mode: Mode, until: i64 },
}

impl<'a> Panel<'a> {
    fn new(house: &'a Config) -> Self {
        Panel {
            house,
            level: HashMap::new(),
            state: PanelState::Disarmed,
            alarms: Vec::new(),
            refused: Vec::new(),
        }
    }

    fn active(&self, id: &str) -> bool {
        self.level.get(id).is_some_and(|s| s.is_active())
    }

    fn tick(&mut self, now: i64) {
        match self.state {
            PanelState::Arming { mode, until } if now >= until => {
                self.state = PanelState::Armed { mode };
                let open: Vec<String> = self
                    .house
                    .sensors
                    .iter()
                    .filter(|s| {
                        s.role == Role::Perimeter && s.counts_in(mode) && self.active(&s.id)
                    })
                    .map(|s| s.id.clone())
                    .collect();
                for id in open {
                    self.alarms
                        .push((until, format!("{id} open at the end of the exit delay")));
                }
            }
            PanelState::Pending { mode, until } if now >= until => {
                self.alarms.push((until, "entry delay ran out".into()));
                self.state = PanelState::Armed { mode };
            }
            _ => {}
        }
    }

    fn feed(&mut self, at: i64, report: &Report) {
        self.tick(at);
        match report {
            Report::Keypad(line) => match parse_line(line.as_bytes()) {
                Ok(Line::Control(Control::Arm { mode, force, .. })) => {
                    let blocked = self
                        .house
                        .sensors
                        .iter()
                        .any(|s| s.counts_in(mode) && self.active(&s.id));
                    if self.state != PanelState::Disarmed || (blocked && !force) {
                        self.refused.push(at);
                    } else {
                        let until = at + self.house.timers.exit_delay.as_millis() as i64;
                        self.state = PanelState::Arming { mode, until };
                    }
                }
                Ok(Line::Control(Control::Disarm { .. })) => self.state = PanelState::Disarmed,
                other => panic!("{other:?}"),
            },
            Report::Sensor { sensor, state } if state.is_level() => {
                self.level.insert(sensor.clone(), *state);
                let s = self.house.sensor(sensor).unwrap();
                if !state.is_active() {
                    return;
                }
                match self.state {
                    PanelState::Armed { mode } if s.counts_in(mode) => match s.entry {
                        Entry::Delayed(d) => {
                            let until = at + d.as_millis() as i64;
                            self.state = PanelState::Pending { mode, until };
                        }
                        Entry::Instant => self.alarms.push((at, sensor.clone())),
                    },
                    PanelState::Arming { .. } | PanelState::Pending { .. }
                        if s.role == Role::Perimeter && s.entry == Entry::Instant =>
                    {
                        self.alarms.push((at, sensor.clone()));
                    }
                    _ => {}
                }
            }
            Report::Sensor { .. } => {}
        }
    }
}

#[test]
fn a_week_of_life_raises_exactly_the_scheduled_break_in() {
    let house = default_house();
    // Starts asleep (03:00 on a Saturday), up (07:40) and out (13:00).
    let starts = [
        (local(2025, 3, 8, 3, 0), Mode::Night),
        (tuesday() + 7 * HOUR + 40 * MINUTE, Mode::Home),
        (tuesday() + 13 * HOUR, Mode::Away),
    ];
    for (start, settle) in starts {
        for seed in [1, 2, 3] {
            let items = run(&default_scenario(), seed, start, start + 8 * 24 * HOUR);
            let mut panel = Panel::new(&house);
            for (at, report) in &items {
                panel.feed(*at, report);
            }
            let context = format!("start {start}, seed {seed}");
            assert!(
                panel.refused.is_empty(),
                "{context}: arms refused at {:?}",
                panel.refused
            );
            assert!(
                !panel.alarms.is_empty(),
                "{context}: the break-in raised no alarm"
            );
            for (at, why) in &panel.alarms {
                let hours_into_day = (*at - local_midnight(start)) as f64 / HOUR as f64;
                assert!(
                    (13.8..14.5).contains(&hours_into_day),
                    "{context}: unexpected alarm at {at} ({hours_into_day:.2} h): {why}"
                );
            }
            // Nobody up at the start: the alarm is set 5 s in; up: on leaving.
            let first = keypad(&items)[0].clone();
            match settle {
                Mode::Home => {
                    assert!(first.0 >= start + 15 * MINUTE, "{context}");
                    assert!(
                        matches!(
                            first.1,
                            Control::Arm {
                                mode: Mode::Away,
                                ..
                            }
                        ),
                        "{context}"
                    );
                }
                mode => {
                    assert_eq!(first.0, start + 5_000, "{context}");
                    assert!(
                        matches!(first.1, Control::Arm { mode: m, force: false, .. } if m == mode),
                        "{context}: {:?}",
                        first.1
                    );
                }
            }
        }
    }
}

/// Local midnight of the day `at` falls on.
fn local_midnight(at: i64) -> i64 {
    let date = Local.timestamp_millis_opt(at).unwrap().date_naive();
    local(date.year(), date.month(), date.day(), 0, 0)
}

#[test]
fn the_intrusion_scenario_arms_then_breaks_in() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/scenarios/intrusion.toml");
    let file = load_scenario(&path).unwrap();
    assert_eq!(file.name(), "intrusion");
    let house = default_house();
    let start = tuesday() + 15 * HOUR + 7 * MINUTE;
    let items = run(&file, 1, start, start + 2 * HOUR);
    let events: Vec<&(i64, Report)> = items
        .iter()
        .filter(|(_, r)| {
            !matches!(
                r,
                Report::Sensor {
                    state: SensorState::Heartbeat,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(
        events[0],
        &(start + MINUTE, Report::Keypad("@arm away 1234".into()))
    );
    assert_eq!(
        events[1],
        &(
            start + 5 * MINUTE,
            Report::Sensor {
                sensor: "kitchen-window".into(),
                state: SensorState::Open
            }
        )
    );
    let rest: Vec<(&str, SensorState)> = events[2..]
        .iter()
        .map(|(_, r)| match r {
            Report::Sensor { sensor, state } => (sensor.as_str(), *state),
            Report::Keypad(line) => panic!("{line}"),
        })
        .collect();
    assert_eq!(
        rest,
        [
            ("hall-motion", SensorState::Motion),
            ("hall-motion", SensorState::Clear)
        ]
    );
    let mut panel = Panel::new(&house);
    for (at, report) in &items {
        panel.feed(*at, report);
    }
    assert_eq!(
        panel.alarms.first(),
        Some(&(start + 5 * MINUTE, "kitchen-window".to_string()))
    );
}

#[test]
fn a_scenario_with_days_ends_and_stays_ended() {
    let file = scenario("days = 2\n");
    let start = tuesday() + 20 * HOUR;
    let mut sim = Simulator::new(&file, &default_house(), 1, start).unwrap();
    let items: Vec<(i64, Report)> = sim.by_ref().collect();
    let end = tuesday() + 48 * HOUR;
    assert!(
        items
            .last()
            .is_some_and(|(at, _)| *at < end && *at >= end - MINUTE)
    );
    assert_eq!(sim.next(), None);
    // Nobody lives there: heartbeats only.
    assert!(items.iter().all(|(_, r)| matches!(
        r,
        Report::Sensor {
            state: SensorState::Heartbeat,
            ..
        }
    )));
}

#[test]
fn a_stuck_window_ignores_people_and_makes_occupants_force_the_arm() {
    let file = scenario(
        r#"
[layout]
entrance = "front-door"
hall = ["hall-motion"]
doors = ["kitchen-window"]
activity = "1m"
[[occupants]]
name = "resident"
code = "1234"
[[occupants.routines]]
action = "wake"
at = "07:00"
[[occupants.routines]]
action = "sleep"
at = "22:00"
[[faults]]
at = "20:30"
sensor = "kitchen-window"
fault = "stuck-open"
lasts = "2h"
"#,
    );
    let (stuck, freed) = (
        tuesday() + 20 * HOUR + 30 * MINUTE,
        tuesday() + 22 * HOUR + 30 * MINUTE,
    );
    let mut people = 0;
    for seed in 0..8 {
        let items = run(&file, seed, tuesday() + 20 * HOUR, tuesday() + 26 * HOUR);
        let window: Vec<(i64, SensorState)> = states_of(&items, "kitchen-window")
            .filter(|(_, s)| s.is_level())
            .collect();
        let during: Vec<&(i64, SensorState)> = window
            .iter()
            .filter(|(at, _)| (stuck..=freed).contains(at))
            .collect();
        assert_eq!(
            during,
            [&(stuck, SensorState::Open), &(freed, SensorState::Closed)],
            "seed {seed}"
        );
        people += window.len() - 2;
        let controls = keypad(&items);
        assert_eq!(controls.len(), 1, "seed {seed}: {controls:?}");
        assert!(
            matches!(
                controls[0].1,
                Control::Arm {
                    mode: Mode::Night,
                    force: true,
                    ..
                }
            ),
            "seed {seed}"
        );
    }
    assert!(
        people > 0,
        "the occupant never used the window before it stuck"
    );
}

#[test]
fn every_day_repeats_and_a_tamper_is_reported_once() {
    let file = scenario(
        "[[faults]]\nat = \"12:00\"\nevery_day = true\nsensor = \"smoke-hall\"\nfault = \"tamper\"\n",
    );
    let start = tuesday();
    let items = run(&file, 1, start, start + 3 * 24 * HOUR);
    let tampers: Vec<i64> = states_of(&items, "smoke-hall")
        .filter(|(_, s)| *s == SensorState::Tamper)
        .map(|(at, _)| at)
        .collect();
    assert_eq!(tampers.len(), 3);
    assert_eq!(tampers[0], start + 12 * HOUR);
}

#[test]
fn a_pressed_panic_button_is_pressed_then_released_and_only_a_panic_sensor_can_be() {
    let file = scenario(
        "[[faults]]\nat = \"+1m\"\nsensor = \"panic-button\"\nfault = \"pressed\"\nlasts = \"2s\"\n",
    );
    let start = tuesday();
    let items = run(&file, 1, start, start + 10 * 60_000);
    let presses: Vec<(i64, SensorState)> = states_of(&items, "panic-button")
        .filter(|(_, s)| *s != SensorState::Heartbeat)
        .collect();
    assert_eq!(
        presses,
        vec![
            (start + 60_000, SensorState::Pressed),
            (start + 62_000, SensorState::Released)
        ]
    );
    let wrong = "[[faults]]\nat = \"+1m\"\nsensor = \"front-door\"\nfault = \"pressed\"\n";
    let text = error(wrong, &default_house());
    assert!(text.contains("front-door"), "{text}");
}

#[test]
fn a_time_of_day_past_at_the_start_waits_for_its_day() {
    let file = scenario("[[keypad]]\nat = \"08:00\"\nevery_day = true\nline = \"@disarm 1234\"\n");
    let start = tuesday() + 9 * HOUR;
    let items = run(&file, 1, start, start + 24 * HOUR);
    let controls = keypad(&items);
    assert_eq!(controls.len(), 1);
    assert_eq!(controls[0].0, tuesday() + 32 * HOUR);
}

fn error(text: &str, house: &Config) -> String {
    let file = parse_scenario(text, "bad.toml").unwrap();
    Simulator::new(&file, house, 1, tuesday())
        .unwrap_err()
        .to_string()
}

#[test]
fn house_errors_name_the_place_and_the_sensor() {
    let house = default_house();
    let fault = |sensor: &str, kind: &str| {
        format!("[[faults]]\nat = \"+1m\"\nsensor = \"{sensor}\"\nfault = \"{kind}\"\n")
    };
    let e = error(&fault("cellar-door", "silent"), &house);
    assert!(
        e.starts_with("bad.toml:3:10: faults[0].sensor: unknown sensor 'cellar-door'"),
        "{e}"
    );
    assert!(e.contains("front-door, back-door"), "{e}");
    let e = error(&fault("hall-motion", "stuck-open"), &house);
    assert!(
        e.starts_with("bad.toml:3:10: faults[0].sensor: sensor 'hall-motion' is a motion sensor"),
        "{e}"
    );

    let e = error(
        "[[intrusions]]\nat = \"+1m\"\nentry = \"kitchen-window\"\npath = [\"hall-motion\", \"back-door\"]\n",
        &house,
    );
    assert!(
        e.starts_with("bad.toml:4:24: intrusions[0].path[1]: "),
        "{e}"
    );

    let layout = "[layout]\nentrance = \"kitchen-window\"\n";
    let e = error(layout, &house);
    assert!(
        e.starts_with("bad.toml:2:12: layout.entrance: the entrance 'kitchen-window' is instant"),
        "{e}"
    );

    let e = error(
        "[[keypad]]\nat = \"+1m\"\nline = \"@bypass attic 1234\"\n",
        &house,
    );
    assert!(
        e.starts_with("bad.toml:3:8: keypad[0].line: @bypass names sensor 'attic'"),
        "{e}"
    );
}

#[test]
fn codes_must_be_normal_codes_of_the_house() {
    let house = default_house();
    let occupant = |code: &str| {
        format!(
            "[layout]\nentrance = \"front-door\"\n[[occupants]]\nname = \"eve\"\ncode = \"{code}\"\n"
        )
    };
    let e = error(&occupant("5555"), &house);
    assert!(
        e.starts_with(
            "bad.toml:5:8: occupants[0].code: occupant 'eve': no user of the house has this code"
        ),
        "{e}"
    );
    let e = error(&occupant("9999"), &house);
    assert!(e.contains("duress code of user 'resident'"), "{e}");
    assert!(!e.contains("9999"), "{e}");
    let file = parse_scenario(&occupant("2580"), "ok.toml").unwrap();
    assert!(Simulator::new(&file, &house, 1, tuesday()).is_ok());
}

#[test]
fn gpio_sensors_cannot_take_part() {
    let text = homesec_config::DEFAULT_HOUSE_TOML.replacen(
        "kind = \"door\"\nzone = \"ground\"\n[sensors.simulated]",
        "kind = \"door\"\nzone = \"ground\"\n[sensors.gpio]\npin = 17\nactive = \"low\"\npull = \"up\"",
        1,
    );
    let house = homesec_config::parse(&text, ConfigSource::Embedded).unwrap();
    assert!(
        house
            .sensor("back-door")
            .is_some_and(|s| s.input != homesec_config::Input::Simulated)
    );
    let e = error(
        "[[faults]]\nat = \"+1m\"\nsensor = \"back-door\"\nfault = \"silent\"\n",
        &house,
    );
    assert!(
        e.starts_with(
            "bad.toml:3:10: faults[0].sensor: sensor 'back-door' is wired to GPIO pin 17"
        ),
        "{e}"
    );
    // The default scenario names the back door as a door people use.
    let e = Simulator::new(&default_scenario(), &house, 1, tuesday()).unwrap_err();
    let d = e.diagnostic().unwrap();
    assert_eq!(
        (d.file.as_str(), d.field.as_str()),
        ("<embedded default scenario>", "layout.doors[0]")
    );
}

#[test]
fn every_day_of_the_default_scenario_uses_the_garage_pipe() {
    // garage-motion is the sensor `--sim` sends over a pipe; the default
    // week must use that path every day, weekdays and weekends.
    const DAY: i64 = 24 * HOUR;
    for seed in [1, 2, 3] {
        let items = run(&default_scenario(), seed, tuesday(), tuesday() + 7 * DAY);
        for day in 0..7 {
            let (from, to) = (tuesday() + day * DAY, tuesday() + (day + 1) * DAY);
            let moved = states_of(&items, "garage-motion")
                .any(|(at, state)| (from..to).contains(&at) && state == SensorState::Motion);
            assert!(moved, "seed {seed}: no garage motion on day {day}");
        }
    }
}
