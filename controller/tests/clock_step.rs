//! The wall clock steps under the real controller, as it does on a Pi
//! without a clock battery when NTP first answers: libfaketime (Debian's
//! `faketime`, preloaded into the controller alone, its monotonic clock
//! left real) moves the wall clock a day ahead in the middle of an entry
//! delay. Needs the package: ignored by the README's command, run by
//! `.ci/run`, where a missing library fails the test.

use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_system_tests::*;
use std::path::PathBuf;

/// Debian's libfaketime.
fn libfaketime() -> PathBuf {
    let found = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
    ]
    .iter()
    .map(|dir| PathBuf::from(dir).join("faketime/libfaketime.so.1"))
    .find(|path| path.exists());
    found.expect("libfaketime.so.1 is missing: install Debian's faketime (.ci/run does)")
}

#[test]
#[ignore = "needs faketime (Debian package); .ci/run installs it and runs this test"]
fn a_wall_clock_step_neither_ends_an_entry_delay_nor_takes_sensors_offline() {
    let config = format!("{DEFAULT_HOUSE}\n[timers]\nexit_delay = \"0s\"\n");
    let world = World::new("clockstep").with_config(&config);
    let offset = world.dir.path().join("faketime");
    std::fs::write(&offset, "+0\n").unwrap();
    let mut command = world.command();
    command
        .env("LD_PRELOAD", libfaketime())
        .env("FAKETIME_TIMESTAMP_FILE", &offset)
        .env("FAKETIME_NO_CACHE", "1")
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    let controller = Controller::spawn(command);
    controller.wait_for_log("ready");
    world.send(&["@arm away 1234"]);
    controller.wait_for_log("-> armed");
    // The front door's entry delay (30 s) starts.
    world.send(&["front-door open"]);
    controller.wait_until_published("-> pending");
    std::fs::write(&offset, "+1d\n").unwrap();
    controller.wait_for_log("wall clock stepped");
    controller.wait_for_log("status published");
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["alarm"], "pending", "the entry delay runs on: {json}");
    let offline: Vec<&serde_json::Value> = json["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["offline"] == true)
        .collect();
    assert!(offline.is_empty(), "{offline:?}");
    // The resident disarms within the delay, as the house expects.
    world.send(&["@disarm 1234"]);
    controller.wait_until_published("-> disarmed");
    assert!(controller.stop().success());

    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    let step = records.iter().find_map(|r| match &r.event {
        Event::Clock { from, to } => Some((*from, *to)),
        _ => None,
    });
    let (from, to) = step.expect("the step is recorded");
    assert!(
        ((to - from).num_seconds() - 86_400).abs() < 5,
        "{from} -> {to}"
    );
    assert!(!records.iter().any(|r| matches!(
        r.event,
        Event::Alarm {
            to: AlarmState::Triggered,
            ..
        }
    )));
    assert!(
        !records
            .iter()
            .any(|r| matches!(r.event, Event::Trouble { .. }))
    );
}
