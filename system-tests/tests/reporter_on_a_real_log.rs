//! A report from a log the real controller wrote: start it in a temp dir,
//! send events, a bad line and an arm through its FIFO, stop it with
//! SIGTERM, and report the day with the real reporter.

use homesec_system_tests::*;
use std::process::Command;

#[test]
fn a_day_written_by_the_real_controller() {
    let world = World::new("report");
    let controller = world.start();
    world.send(&[
        "front-door open",
        "front-door closed",
        "no-such-sensor open",
        "@arm away 1234",
    ]);
    // Lines of one source are handled in order: once the arm shows, all are in.
    controller.wait_for_log("-> arming");
    assert!(controller.stop().success());

    let day_files: Vec<String> = std::fs::read_dir(world.events_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(day_files.len(), 1, "{day_files:?}");
    let day = day_files[0].trim_end_matches(".jsonl");
    let data_dir = world.data_dir();
    let out = Command::new(bin("homesec-reporter"))
        .args([
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--day",
            day,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["integrity"]["status"], "ok");
    assert_eq!(r["integrity"]["first_seq"], 1);
    assert_eq!(r["totals"]["events"], 2);
    assert_eq!(r["totals"]["rejected"], 1);
    assert_eq!(r["totals"]["arms"], 1);
    assert_eq!(r["input"]["rejected"]["items"][0]["source"], "fifo");
    assert_eq!(r["input"]["codes"]["accepted"], 1);
    assert_eq!(r["timeline"]["changes"]["items"][0]["action"], "arm");
    assert_eq!(r["timeline"]["changes"]["items"][0]["user"], "resident");
    assert_eq!(r["timeline"]["at_end"]["state"], "arming");
    assert_eq!(
        (
            r["system"]["starts"].as_u64(),
            r["system"]["stops"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let front = r["activity"]["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sensor"] == "front-door");
    assert_eq!(front.map(|s| s["events"].as_u64()), Some(Some(2)));
}
