//! The simulated house across real processes: the controller with `--sim`
//! runs `homesec-sensors` children (one on the message queue, one on a
//! pipe), on a fast house clock; a panic press reaches the controller by
//! SIGUSR1 even when the queue is full; a sensor process started before the
//! controller connects once the queue appears.

use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{Cause, CodeResult};
use homesec_system_tests::*;
use std::process::{Command, Stdio};

#[test]
fn the_intrusion_scenario_ends_in_a_triggered_alarm() {
    let scenario = scenario("intrusion.toml");
    let world = World::new("simint").simulated(&[
        "--speed",
        "60",
        "--scenario",
        scenario.to_str().unwrap(),
    ]);
    let controller = world.start();
    // Both children run: the queue simulator and the garage-motion pipe.
    let pid_of =
        |line: String| -> i32 { line.split("pid=").nth(1).unwrap().trim().parse().unwrap() };
    let mut children = std::collections::HashMap::new();
    while children.len() < 2 {
        let line = controller.wait_for(|l| l.contains("detector started"));
        let name = if line.contains("garage-motion") {
            "garage"
        } else {
            "simulator"
        };
        children.insert(name, pid_of(line));
    }
    controller.wait_for_log("ALARM: armed -> triggered");
    // garage-motion's reports come only through its pipe (the queue
    // simulator skips it): its heartbeats show in the status.
    let json: serde_json::Value =
        serde_json::from_slice(&world.ctl(&["status", "--json"]).stdout).unwrap();
    let garage = json["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "garage-motion")
        .unwrap()
        .clone();
    assert!(garage["events"].as_u64() > Some(0), "{garage}");
    assert!(controller.stop().success());
    for child in children.into_values() {
        // SAFETY: probing a pid with signal 0 sends nothing.
        assert_ne!(
            unsafe { libc::kill(child, 0) },
            0,
            "sensor process {child} outlived the controller"
        );
    }

    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    let armed = records.iter().position(|r| {
        matches!(&r.event, Event::Code { action, result: CodeResult::Accepted, source, .. } if action == "arm" && source == "mq")
    });
    let triggered = records.iter().position(|r| {
        matches!(
            &r.event,
            Event::Alarm { to: AlarmState::Triggered, cause: Cause::Intrusion, sensor: Some(s), .. } if s == "kitchen-window"
        )
    });
    assert!(
        armed.is_some() && triggered.is_some(),
        "arm {armed:?}, alarm {triggered:?}"
    );
    assert!(armed < triggered);
    // Time ran at 60×: the break-in came five house minutes after the start
    // (the start record comes a moment after the clock's origin).
    let start = records[0].ts;
    let alarm_at = records[triggered.unwrap()].ts;
    assert!(
        (alarm_at - start).num_seconds() >= 280,
        "{start} .. {alarm_at}"
    );
    // Each report came through its own path: garage-motion only over its
    // pipe (its heartbeats, counted in the status above), every other
    // sensor only over the queue.
    let sources: Vec<(String, String)> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Sensor { sensor, source, .. } => Some((sensor.clone(), source.clone())),
            _ => None,
        })
        .collect();
    assert!(
        sources.contains(&("kitchen-window".into(), "mq".into())),
        "{sources:?}"
    );
    for (sensor, source) in &sources {
        let expected = if sensor == "garage-motion" {
            "pipe:garage-motion"
        } else {
            "mq"
        };
        assert_eq!(source, expected, "{sensor}");
    }
}

#[test]
fn a_panic_press_reaches_the_controller_by_signal_even_when_the_queue_is_full() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("panic.toml");
    std::fs::write(
        &scenario,
        "name = \"panic\"\n[[faults]]\nat = \"+12s\"\nsensor = \"panic-button\"\nfault = \"pressed\"\nlasts = \"1s\"\n",
    )
    .unwrap();
    let world = World::new("simpanic").simulated(&["--scenario", scenario.to_str().unwrap()]);
    let controller = world.start();
    controller.wait_for_log("connected to the message queue");
    // Freeze the controller so nothing drains the queue, then fill it.
    controller.signal(libc::SIGSTOP);
    let mut filler = Command::new(bin("homesec-load"))
        .args([
            "write",
            "--queue",
            &world.instance,
            "--sensor",
            "hall-motion",
            "--count",
            "30",
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let signalled = controller.wait_for_log("sent SIGUSR1 (panic) to the controller");
    // The press itself cannot get into the full queue: it is dropped and counted.
    let dropped = controller.wait_for_log("dropped report");
    assert!(dropped.contains("panic-button pressed"), "{dropped}");
    controller.signal(libc::SIGCONT);
    controller.wait_for_log("SIGUSR1: panic alarm");
    assert!(filler.wait().unwrap().success());
    assert!(controller.stop().success());

    let (records, _) = world.log();
    assert!(records.iter().any(|r| matches!(
        &r.event,
        Event::Alarm { to: AlarmState::Triggered, cause: Cause::Panic, source, .. } if source == "signal"
    )), "{signalled}");
}

#[test]
fn a_sensor_process_started_first_connects_when_the_queue_appears() {
    let world = World::new("simlate");
    let sensors = world.sensors(&[]);
    sensors.wait_for_log("does not exist");
    let controller = world.start();
    sensors.wait_for_log("connected to the message queue");
    // The heartbeats kept while waiting arrive: every sensor is heard from.
    controller.wait_for_log("status published");
    sensors.signal(libc::SIGTERM);
    let mut sensors = sensors;
    assert!(sensors.wait().success());
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let heard = json["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["events"].as_u64() > Some(0))
        .count();
    assert!(heard >= 8, "only {heard} sensors heard from: {json}");
    assert!(controller.stop().success());
}

#[test]
fn a_sensor_process_stops_on_term_even_behind_a_full_queue() {
    let world = World::new("simterm").simulated(&["--speed", "600"]);
    let controller = world.start();
    // The child's own line may come before the controller's about it.
    let lines = controller.wait_for_all(&[
        &|l| l.contains("detector started") && l.contains("simulator"),
        &|l| l.contains("connected to the message queue"),
    ]);
    let pid: i32 = lines[0]
        .split("pid=")
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Frozen, the controller drains nothing: heartbeats every 0.1 s of wall
    // time fill the queue, and each further send waits its full deadline.
    controller.signal(libc::SIGSTOP);
    controller.wait_for_log("dropped report");
    // SAFETY: signals the simulator child, which is running.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    // Promptly: before the fix it went on sending its backlog, each send
    // waiting out its 2 s deadline, for half a minute and more. The bound
    // only separates "after the send in flight" from "after the backlog".
    let stopped = controller.try_wait_for_log("stopping", std::time::Duration::from_secs(10));
    assert!(
        stopped.is_some(),
        "the sensor process kept sending its backlog after TERM"
    );
    controller.signal(libc::SIGCONT);
    assert!(controller.stop().success());
}

#[test]
fn a_restarted_controller_hears_every_sensors_state_again() {
    let world = World::new("resend");
    let scenario = world.dir.path().join("stuck.toml");
    std::fs::write(
        &scenario,
        "name = \"stuck\"\n[[faults]]\nat = \"+1s\"\nsensor = \"kitchen-window\"\nfault = \"stuck-open\"\nlasts = \"1h\"\n",
    )
    .unwrap();
    let mut first = world.start();
    let sensors = world.sensors(&["--scenario", scenario.to_str().unwrap()]);
    first.wait_for_log("kitchen-window open");
    // A crash: whatever was in flight is lost; the window is still open.
    first.signal(libc::SIGKILL);
    first.wait();
    let second = world.start();
    sensors.wait_for_log("sending every sensor's current state to the new controller");
    second.wait_for_log("kitchen-window open");
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let window = json["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "kitchen-window")
        .unwrap()
        .clone();
    assert_eq!(window["state"], "open", "{window}");
    sensors.signal(libc::SIGTERM);
    let mut sensors = sensors;
    assert!(sensors.wait().success());
    assert!(second.stop().success());
}

#[test]
fn a_restarted_simulation_continues_from_its_log_instead_of_replaying_the_day() {
    let world =
        World::new("simagain").simulated(&["--speed", "600", "--start", "2026-11-23 06:00"]);
    let first = world.start();
    // A few house minutes pass (600×: a house minute is 0.1 s).
    first.wait_for_log("durable up to seq 3");
    assert!(first.stop().success());
    let second = world.start();
    second.wait_for_log("continues from its last record");
    second.wait_for_log("durable up to seq");
    assert!(second.stop().success());
    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    for pair in records.windows(2) {
        assert!(
            pair[1].ts >= pair[0].ts,
            "time went back from seq {} ({}) to seq {} ({})",
            pair[0].seq,
            pair[0].ts,
            pair[1].seq,
            pair[1].ts
        );
    }
}
