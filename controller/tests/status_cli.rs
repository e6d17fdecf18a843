//! `homesecctl status` against a real controller, none, and broken segments.

use homesec_system_tests::*;

#[test]
fn status_json_shows_what_was_just_written() {
    let world = World::new("ctl");
    let controller = world.start();
    world.send(&["back-door open", "hall-motion motion"]);
    controller.wait_until_published("hall-motion motion");
    let out = world.ctl(&["status", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["controller"], "alive");
    // Each key once: a JSON parser would keep only one of two silently.
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("\"instance\":").count(), 1, "{text}");
    assert_eq!(json["instance"], world.instance.as_str());
    assert_eq!(json["pid"], controller.pid());
    assert_eq!(json["alarm"], "disarmed");
    let sensors = json["sensors"].as_array().unwrap();
    let find = |id: &str| sensors.iter().find(|s| s["id"] == id).unwrap().clone();
    assert_eq!(find("back-door")["state"], "open");
    assert_eq!(find("back-door")["events"], 1);
    assert_eq!(find("hall-motion")["state"], "motion");
    assert_eq!(find("front-door")["state"], "closed");

    let table = world.ctl(&["status"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("controller running"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("back-door") && l.contains("open")),
        "{text}"
    );
    assert!(controller.stop().success());

    let after = world.ctl(&["status"]);
    assert_eq!(after.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&after.stderr).contains("not running"));
}

#[test]
fn a_killed_controller_is_reported_dead() {
    let world = World::new("dead");
    let mut controller = world.start();
    controller.signal(libc::SIGKILL);
    controller.wait();
    let out = world.ctl(&["status"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("NOT RUNNING"),
        "{out:?}"
    );
    let _ = std::fs::remove_file(world.segment());
}

#[test]
fn a_segment_of_the_wrong_size_or_version_is_refused_clearly() {
    let world = World::new("badseg");
    write_private(&world.segment(), b"HOMESEC\0short");
    let out = world.ctl(&["status"]);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("size") || err.contains("small"), "{err}");

    // A well-sized segment from a future layout version.
    let controller = world.start();
    let mut bytes = std::fs::read(world.segment()).unwrap();
    assert!(controller.stop().success());
    bytes[8..12].copy_from_slice(&99u32.to_le_bytes());
    write_private(&world.segment(), &bytes);
    let out = world.ctl(&["status"]);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("version") && err.contains("99"), "{err}");
    std::fs::remove_file(world.segment()).unwrap();
}

/// Issue #15 finding 3: i64::MIN in one time field made `homesecctl`
/// overflow (a panic with overflow checks, "20789d ago" in release).
#[test]
fn regression_a_hostile_status_segment_overflows_time_arithmetic() {
    let world = World::new("hostile");
    let controller = world.start();
    let good = std::fs::read(world.segment()).unwrap();
    assert!(controller.stop().success());
    let first_slot_last_change = 192 + 80;
    for at in [32, 48, 136, first_slot_last_change] {
        let mut bytes = good.clone();
        bytes[152..160].copy_from_slice(&1.0f64.to_le_bytes());
        bytes[at..at + 8].copy_from_slice(&i64::MIN.to_le_bytes());
        write_private(&world.segment(), &bytes);
        for args in [&["status"][..], &["status", "--json"]] {
            let out = world.ctl(args);
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            assert_eq!(out.status.code(), Some(4), "byte {at}, {args:?}: {err}");
            assert!(err.contains("damaged"), "byte {at}: {err}");
        }
    }
    std::fs::remove_file(world.segment()).unwrap();
}

/// Issue #15 finding 5: a controller killed in the middle of a publish
/// left `homesecctl` spinning a core for 200 ms, then saying "busy".
#[test]
fn regression_a_corrupt_seqlock_word_spins_a_core() {
    let world = World::new("midpub");
    let controller = world.start();
    let mut bytes = std::fs::read(world.segment()).unwrap();
    assert!(controller.stop().success());
    // Running, and the seqlock odd: as a SIGKILL during a publish leaves it.
    bytes[28] |= 1;
    bytes[16..24].copy_from_slice(&7u64.to_le_bytes());
    // The writer's pid, made one no process can have: the stopped
    // controller's own comes back to another process once pids wrap
    // (pid_max is 32,768 on many machines).
    let pid_max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(4_194_304);
    bytes[24..28].copy_from_slice(&(pid_max + 1).to_le_bytes());
    write_private(&world.segment(), &bytes);
    let out = world.ctl(&["status"]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("not running") && err.contains("is gone"),
        "{err}"
    );
    std::fs::remove_file(world.segment()).unwrap();
}

#[test]
fn a_frozen_controller_is_reported_stale() {
    let world = World::new("stale");
    let controller = world.start();
    controller.signal(libc::SIGSTOP);
    // Stale means no heartbeat for three intervals (1 s each here): this
    // sleep is the silence being tested, not a wait for an event.
    std::thread::sleep(std::time::Duration::from_millis(3500));
    let out = world.ctl(&["status", "--json"]);
    // Stopped, it logs nothing new: what is buffered is from before.
    controller.skip_logged();
    controller.signal(libc::SIGCONT);
    assert_eq!(out.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["controller"], "stale");
    assert!(json["heartbeat_age_ms"].as_i64().unwrap() >= 3000);
    // Alive again once it runs: the heartbeat resumes. (The first publish
    // after SIGCONT may carry a snapshot taken just before SIGSTOP; a
    // later one is fresh.)
    let alive = |world: &World| {
        let out = world.ctl(&["status", "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["controller"] == "alive"
    };
    let mut publishes = 0;
    while !alive(&world) {
        controller.wait_for_log("status published");
        publishes += 1;
        assert!(
            publishes < 10,
            "still not alive after {publishes} publishes"
        );
    }
    assert!(controller.stop().success());
}

/// Writes a file only its owner may use, as the controller's endpoints are
/// (one open to others is refused before its content is looked at).
fn write_private(path: &std::path::Path, bytes: &[u8]) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    file.write_all(bytes).unwrap();
}
