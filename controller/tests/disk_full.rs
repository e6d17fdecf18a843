//! A full disk under the real controller: the data dir on a 2 MB tmpfs
//! that the test fills. The alarm, the siren, the signals and the status
//! must go on whatever the disk does; the fault shows; what waited is
//! written in order, with no gap, once there is room again; and a stop on a
//! full disk ends within its grace. Mounting needs root: ignored by the
//! README's command, run by `.ci/run`.

use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_system_tests::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .unwrap();
        assert!(out.status.success(), "mount: {out:?}");
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system of `dir` until it refuses another byte.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    while file.write_all(&block[..1]).is_ok() {}
    path
}

/// Enough sensor reports to need more than the page the day file already
/// has (a tmpfs refuses a write only when it needs a new page).
fn burst(world: &World) {
    let lines: Vec<&str> = ["front-door open", "front-door closed"]
        .into_iter()
        .cycle()
        .take(200)
        .collect();
    world.send(&lines);
}

/// Waits, publish by publish, until the status says `done` (at most a
/// minute of publishes: the heartbeat publishes every second).
fn until_status(
    world: &World,
    controller: &Controller,
    done: impl Fn(&serde_json::Value) -> bool,
) -> (Option<i32>, serde_json::Value) {
    for _ in 0..60 {
        controller.wait_for_log("status published");
        let (code, json) = status(world);
        if done(&json) {
            return (code, json);
        }
    }
    panic!("the status never came: {:?}", status(world));
}

fn status(world: &World) -> (Option<i32>, serde_json::Value) {
    let out = world.ctl(&["status", "--json"]);
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
#[ignore = "needs root to mount a 2 MB tmpfs; .ci/run runs it"]
fn a_full_disk_never_stops_the_alarm_and_recovery_writes_what_waited() {
    let config = format!("{DEFAULT_HOUSE}\n[timers]\nexit_delay = \"0s\"\n");
    let world = World::new("diskfull").with_config(&config);
    let _tmpfs = Tmpfs::mount(&world.data_dir(), "2m");
    let controller = world.start();
    let filler = fill(&world.data_dir());
    burst(&world);
    controller.wait_for_log("EVENT LOG NOT WRITABLE");
    // Armed while nothing can be written.
    world.send(&["@arm away 1234"]);
    controller.wait_for_log("-> armed");
    // A break-in while nothing can be written: the alarm goes off at once.
    world.send(&["kitchen-window open"]);
    controller.wait_for_log("ALARM: armed -> triggered");
    // The fault shows, and the house keeps publishing its status.
    let (code, json) = until_status(&world, &controller, |json| json["alarm"] == "triggered");
    assert_eq!(json["trouble"]["disk_fault"], true, "{json}");
    assert_eq!(code, Some(5), "running, in trouble: {json}");
    assert_eq!(json["alarm"], "triggered");
    assert_eq!(json["siren"], true);
    let text = String::from_utf8_lossy(&world.ctl(&["status"]).stdout).to_string();
    assert!(
        text.contains("TROUBLE: the event log cannot be written"),
        "{text}"
    );
    // Signals still act at once.
    controller.signal(libc::SIGUSR1);
    controller.wait_for_log("SIGUSR1: panic alarm");
    let lagging = json["logged_seq"].as_u64().unwrap();

    // Room again: what waited is written, in order, and the fault ends.
    std::fs::remove_file(filler).unwrap();
    let (_, json) = until_status(&world, &controller, |json| {
        json["trouble"]["disk_fault"] == false
    });
    assert!(json["logged_seq"].as_u64().unwrap() > lagging, "{json}");
    assert!(controller.stop().success());
    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    assert_contiguous(&records);
    assert!(records.iter().any(|r| matches!(
        r.event,
        Event::Alarm {
            to: AlarmState::Triggered,
            ..
        }
    )));
    let faults: Vec<bool> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::SystemTrouble { active, .. } => Some(*active),
            _ => None,
        })
        .collect();
    assert_eq!(
        faults,
        vec![true, false],
        "the fault and its end are recorded"
    );
}

#[test]
#[ignore = "needs root to mount a 2 MB tmpfs; .ci/run runs it"]
fn a_stop_on_a_full_disk_ends_within_its_grace_and_says_what_it_lost() {
    let world = World::new("diskstop");
    let _tmpfs = Tmpfs::mount(&world.data_dir(), "2m");
    let mut controller = world.start();
    fill(&world.data_dir());
    burst(&world);
    controller.wait_for_log("EVENT LOG NOT WRITABLE");
    controller.signal(libc::SIGTERM);
    // The harness's wait fails the test if the stop takes its patience.
    let stderr = controller.rest_of_stderr();
    assert!(controller.wait().success());
    assert!(
        stderr.contains("records not written to the event log"),
        "{stderr}"
    );
}
