//! kill -9 while events stream in, then a restart: the log keeps one
//! contiguous `seq`, at most one torn line, and the hash chain continues.

use homesec_system_tests::*;
use std::process::Command;

#[test]
fn sigkill_during_a_stream_then_restart_keeps_the_log_whole() {
    let world = World::new("kill9");
    let first = world.start();
    let mut writer = Command::new(bin("homesec-load"))
        .args(["write", "--fifo"])
        .arg(world.fifo())
        .args(["--sensor", "hall-motion", "--count", "1000000"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let the stream reach the log (well past the start record) before the kill.
    first.wait_for(|l| {
        l.split("durable up to seq ")
            .nth(1)
            .and_then(|n| n.trim().parse::<u64>().ok())
            .is_some_and(|seq| seq > 100)
    });
    first.signal(libc::SIGKILL);
    let mut first = first;
    first.wait();
    let _ = writer.kill();
    let _ = writer.wait();

    let second = world.start();
    world.send(&["front-door open"]);
    second.wait_for_log("front-door open");
    assert!(second.stop().success());

    let (records, problems) = world.log();
    assert!(problems.len() <= 1, "more than one bad line: {problems:?}");
    // A batch cut short by the kill is one torn line; the restarted writer
    // ends it with a newline, so the reader sees it as one corrupt line.
    assert!(
        problems
            .iter()
            .all(|p| p.contains("torn") || p.contains("corrupt")),
        "{problems:?}"
    );
    let streamed = sensor_events(&records)
        .iter()
        .filter(|(s, _)| s == "hall-motion")
        .count();
    assert!(
        streamed > 0,
        "the kill came before any streamed event was logged"
    );
    assert_contiguous(&records);
    let starts = records
        .iter()
        .filter(|r| matches!(r.event, homesec_ipc::eventlog::Event::Start { .. }))
        .count();
    assert_eq!(starts, 2);
    assert_eq!(
        sensor_events(&records).last(),
        Some(&("front-door".into(), "open".into()))
    );
}

#[test]
fn a_restart_after_sigkill_takes_up_the_armed_state_and_bypasses() {
    let world = World::new("rearm");
    let mut first = world.start();
    world.send(&[
        "back-door open",
        "@bypass back-door 1234",
        "@arm night 1234",
    ]);
    first.wait_for(|l| l.contains("alarm memory saved") && l.contains("arming"));
    first.signal(libc::SIGKILL);
    first.wait();

    let second = world.start();
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["alarm"], "arming");
    assert_eq!(json["mode"], "night");
    let sensors = json["sensors"].as_array().unwrap();
    let back_door = sensors.iter().find(|s| s["id"] == "back-door").unwrap();
    assert_eq!(back_door["bypassed"], true);
    assert!(second.stop().success());

    // A clean stop keeps it too: the house stays armed across an upgrade.
    let third = world.start();
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["alarm"], "arming");
    assert!(third.stop().success());
}

#[test]
fn an_alarm_survives_a_sigkill() {
    let world = World::new("realarm");
    let mut first = world.start();
    first.signal(libc::SIGUSR1);
    first.wait_for(|l| l.contains("alarm memory saved") && l.contains("triggered"));
    first.signal(libc::SIGKILL);
    first.wait();
    let second = world.start();
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["alarm"], "triggered");
    assert_eq!(json["siren"], true);
    assert!(second.stop().success());
}

#[test]
fn the_code_lockout_survives_a_sigkill() {
    let config = format!("{DEFAULT_HOUSE}\n[codes]\nmax_wrong = 3\nlockout = \"10m\"\n");
    let world = World::new("relock").with_config(&config);
    let mut first = world.start();
    world.send(&["@disarm 0000", "@disarm 0001", "@disarm 0002"]);
    first.wait_for(|l| l.contains("alarm memory saved") && l.contains("wrong_codes=3"));
    first.signal(libc::SIGKILL);
    first.wait();

    // The guesser's next try, with the right code, after the restart: still
    // locked out, not a fresh set of attempts.
    let second = world.start();
    world.send(&["@disarm 1234"]);
    second.wait_for_log("code for disarm: Locked");
    assert!(second.stop().success());
    let (records, _) = world.log();
    let last_code = records.iter().rev().find_map(|r| match &r.event {
        homesec_ipc::eventlog::Event::Code { result, .. } => Some(*result),
        _ => None,
    });
    assert_eq!(
        last_code,
        Some(homesec_ipc::eventlog::record::CodeResult::Locked)
    );
}

#[test]
fn an_unreadable_alarm_memory_is_never_taken_as_disarmed() {
    let world = World::new("lostmem");
    let first = world.start();
    world.send(&["@arm away 1234"]);
    first.wait_for(|l| l.contains("alarm memory saved") && l.contains("arming"));
    assert!(first.stop().success());
    // Damage (or someone who wants the house disarmed) in the memory file.
    std::fs::write(world.data_dir().join("alarm-state.json"), b"{\"state\":").unwrap();

    let second = world.start();
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The event log's last word was "arming (away)": that is taken up.
    assert_eq!(json["alarm"], "arming", "{json}");
    assert_eq!(json["mode"], "away");
    assert_eq!(json["trouble"]["memory_lost"], true);
    assert_eq!(out.status.code(), Some(5), "running, in trouble");
    let text = world.ctl(&["status"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("TROUBLE: the alarm memory could not be read"),
        "{text}"
    );
    // A valid code ends the trouble.
    world.send(&["@disarm 1234"]);
    second.wait_until_published("-> disarmed");
    let out = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["trouble"]["memory_lost"], false);
    assert_eq!(out.status.code(), Some(0));
    assert!(second.stop().success());

    let (records, _) = world.log();
    let troubles: Vec<bool> = records
        .iter()
        .filter_map(|r| match &r.event {
            homesec_ipc::eventlog::Event::SystemTrouble { active, .. } => Some(*active),
            _ => None,
        })
        .collect();
    assert_eq!(troubles, vec![true, false]);
}
