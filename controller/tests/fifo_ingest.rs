//! The named FIFO across real processes: many writers at once, every line
//! durably logged in order, the hash chain intact.

use homesec_system_tests::*;
use std::process::Command;

#[test]
fn four_writers_of_a_thousand_lines_all_land_in_the_log() {
    let world = World::new("fifo4");
    let controller = world.start();
    let writers: Vec<_> = [
        "hall-motion",
        "living-motion",
        "garage-motion",
        "front-door",
    ]
    .iter()
    .map(|sensor| {
        Command::new(bin("homesec-load"))
            .args(["write", "--fifo"])
            .arg(world.fifo())
            .args(["--sensor", sensor, "--count", "1000"])
            .spawn()
            .unwrap()
    })
    .collect();
    for mut w in writers {
        assert!(w.wait().unwrap().success());
    }
    assert!(controller.stop().success());

    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    assert_contiguous(&records);
    let events = sensor_events(&records);
    assert_eq!(events.len(), 4000);
    for sensor in [
        "hall-motion",
        "living-motion",
        "garage-motion",
        "front-door",
    ] {
        assert_eq!(
            events.iter().filter(|(s, _)| s == sensor).count(),
            1000,
            "{sensor}"
        );
    }
}

#[test]
fn sigterm_while_a_writer_never_stops_still_exits_cleanly() {
    let world = World::new("termflood");
    let mut controller = world.start();
    let mut writer = Command::new(bin("homesec-load"))
        .args(["write", "--fifo"])
        .arg(world.fifo())
        .args(["--sensor", "living-motion", "--count", "100000000"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    controller.wait_for(|l| l.contains("durable up to seq") && !l.ends_with("seq 1"));
    controller.signal(libc::SIGTERM);
    let status = controller.wait();
    let _ = writer.kill();
    let _ = writer.wait();
    assert!(status.success());
    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    assert_contiguous(&records);
    assert!(matches!(
        records.last().map(|r| &r.event),
        Some(homesec_ipc::eventlog::Event::Stop { .. })
    ));
}
