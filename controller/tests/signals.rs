//! Signals sent to the real controller process: HUP with a broken config,
//! USR1 (panic), USR2 (snapshot), and TERM's clean exit.

use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{Cause, CodeResult};
use homesec_system_tests::*;

#[test]
fn sighup_with_a_broken_config_keeps_the_old_one_running() {
    let world = World::new("hup").with_config(DEFAULT_HOUSE);
    let controller = world.start();
    std::fs::write(
        world.config.as_ref().unwrap(),
        "[[sensors]]\nid = \"x\"\nname = \"X\"\nkind = \"laser\"\nzone = \"entry\"\n[sensors.simulated]\n",
    )
    .unwrap();
    controller.signal(libc::SIGHUP);
    controller.wait_for_log("config reload refused");
    // Still running, and still the old house: a sensor only it knows is accepted.
    world.send(&["front-door open"]);
    controller.wait_until_published("front-door open");
    let status = world.ctl(&["status"]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(controller.stop().success());

    let (records, _) = world.log();
    let refused: Vec<_> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Config {
                accepted: false,
                error: Some(error),
                ..
            } => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].contains("house.toml:") && refused[0].contains("laser"),
        "{}",
        refused[0]
    );
    assert_eq!(
        sensor_events(&records),
        vec![("front-door".into(), "open".into())]
    );
}

#[test]
fn sighup_with_a_good_config_applies_it() {
    let world = World::new("hup2").with_config(DEFAULT_HOUSE);
    let controller = world.start();
    let grown = format!(
        "{DEFAULT_HOUSE}\n[[sensors]]\nid = \"attic-window\"\nname = \"Attic window\"\nkind = \"window\"\nzone = \"ground\"\n[sensors.simulated]\n"
    );
    std::fs::write(world.config.as_ref().unwrap(), grown).unwrap();
    controller.signal(libc::SIGHUP);
    controller.wait_for_log("config reloaded");
    world.send(&["attic-window open"]);
    controller.wait_for_log("attic-window open");
    assert!(controller.stop().success());
    let (records, _) = world.log();
    assert!(
        records
            .iter()
            .any(|r| matches!(r.event, Event::Config { accepted: true, .. }))
    );
    assert_eq!(
        sensor_events(&records),
        vec![("attic-window".into(), "open".into())]
    );
}

#[test]
fn sigusr1_triggers_the_alarm_and_names_the_sender() {
    let world = World::new("usr1");
    let controller = world.start();
    controller.signal(libc::SIGUSR1);
    controller.wait_until_published("SIGUSR1: panic alarm");
    let status = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["alarm"], "triggered");
    assert_eq!(json["siren"], true);
    assert!(controller.stop().success());

    let (records, _) = world.log();
    let me = std::process::id() as i32;
    assert!(records.iter().any(|r| matches!(
        &r.event,
        Event::Signal { signal, sender_pid: Some(pid) } if signal == "SIGUSR1" && *pid == me
    )));
    assert!(records.iter().any(|r| matches!(
        &r.event,
        Event::Alarm {
            to: AlarmState::Triggered,
            cause: Cause::Panic,
            ..
        }
    )));
}

#[test]
fn sigusr2_writes_a_snapshot_record() {
    let world = World::new("usr2");
    let controller = world.start();
    world.send(&["kitchen-window open"]);
    controller.wait_for_log("kitchen-window open");
    controller.signal(libc::SIGUSR2);
    controller.wait_for_log("SIGUSR2");
    assert!(controller.stop().success());

    let (records, _) = world.log();
    let snapshot = records
        .iter()
        .find_map(|r| match &r.event {
            Event::Snapshot {
                state,
                sensors,
                accepted,
                ..
            } => Some((*state, sensors.clone(), *accepted)),
            _ => None,
        })
        .expect("a snapshot record");
    assert_eq!(snapshot.0, AlarmState::Disarmed);
    assert_eq!(snapshot.2, 1);
    let window = snapshot
        .1
        .iter()
        .find(|s| s.id == "kitchen-window")
        .unwrap();
    assert_eq!(window.state.as_str(), "open");
    assert_eq!(window.events, 1);
}

#[test]
fn sigterm_cleans_up_every_endpoint() {
    let world = World::new("term");
    let controller = world.start();
    assert!(world.fifo().exists());
    assert!(world.segment().exists());
    assert!(world.runtime_dir().join("controller.pid").exists());
    assert!(controller.stop().success());
    assert!(!world.fifo().exists());
    assert!(!world.segment().exists());
    assert!(!world.runtime_dir().join("controller.pid").exists());
    let (records, problems) = world.log();
    assert!(problems.is_empty());
    assert!(matches!(
        records.first().map(|r| &r.event),
        Some(Event::Start { .. })
    ));
    assert!(
        matches!(records.last().map(|r| &r.event), Some(Event::Stop { reason }) if reason == "SIGTERM")
    );
}

#[test]
fn sigint_stops_as_cleanly_as_sigterm() {
    let world = World::new("int");
    let mut controller = world.start();
    controller.signal(libc::SIGINT);
    assert!(controller.wait().success());
    assert!(!world.fifo().exists());
    let (records, problems) = world.log();
    assert!(problems.is_empty());
    assert!(
        matches!(records.last().map(|r| &r.event), Some(Event::Stop { reason }) if reason == "SIGINT")
    );
}

#[test]
fn sighup_reopens_a_diagnostic_log_that_was_moved_away() {
    let world = World::new("reopen");
    let controller = world.start();
    let logs = world.data_dir().join("logs");
    let file = std::fs::read_dir(&logs)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let moved = world.dir.path().join("moved.log");
    std::fs::rename(&file, &moved).unwrap();
    controller.signal(libc::SIGHUP);
    controller.wait_for_log("diagnostic log reopened");
    assert!(file.exists(), "no new {} after SIGHUP", file.display());
    assert!(controller.stop().success());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("stopped"),
        "the reopened file gets the later lines: {text}"
    );
}

#[test]
fn codes_entered_while_locked_out_are_refused_without_hashing() {
    let world = World::new("lockout");
    let controller = world.start();
    let wrong: Vec<String> = (0..10).map(|i| format!("@disarm 00{i:02}")).collect();
    world.send(&wrong.iter().map(String::as_str).collect::<Vec<_>>());
    // The tenth wrong code locks code entry; the keypad learns it at the
    // end of that turn.
    for _ in 0..10 {
        controller.wait_for_log("code for disarm: Wrong");
    }
    controller.wait_for_log("status published");
    world.send(&["@disarm 1234"]);
    controller.wait_for_log("code entry is locked: code not checked");
    controller.wait_until_published("code for disarm: Locked");
    assert!(controller.stop().success());
    let (records, _) = world.log();
    let results: Vec<CodeResult> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Code { result, .. } => Some(*result),
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), 11);
    assert!(results[..10].iter().all(|r| *r == CodeResult::Wrong));
    assert_eq!(
        results[10],
        CodeResult::Locked,
        "even the right code is refused while locked"
    );
}

#[test]
fn an_armed_house_refuses_a_reload_that_removes_sensors_or_users_or_is_empty() {
    let world = World::new("hup3").with_config(DEFAULT_HOUSE);
    let controller = world.start();
    world.send(&["@arm away 1234"]);
    controller.wait_until_published("-> arming");
    let config = world.config.clone().unwrap();
    // A file cut to nothing (a full disk, an editor that crashed).
    std::fs::write(&config, "").unwrap();
    controller.signal(libc::SIGHUP);
    let refused = controller.wait_for_log("config reload refused");
    assert!(refused.contains("no sensors"), "{refused}");
    // A house without the back door while armed.
    let smaller = DEFAULT_HOUSE.replacen("id = \"back-door\"", "id = \"back-door-2\"", 1);
    assert_ne!(smaller, DEFAULT_HOUSE);
    std::fs::write(&config, smaller).unwrap();
    controller.signal(libc::SIGHUP);
    let refused = controller.wait_for_log("config reload refused");
    assert!(
        refused.contains("back-door") && refused.contains("arming"),
        "{refused}"
    );
    // The old house runs on: the back door still counts, the code still works.
    world.send(&["back-door open", "@disarm 1234"]);
    controller.wait_until_published("-> disarmed");
    assert!(controller.stop().success());
    let (records, _) = world.log();
    assert!(sensor_events(&records).contains(&("back-door".into(), "open".into())));
}
