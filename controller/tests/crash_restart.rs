//! kill -9 while events stream in, then a restart: the log keeps one
//! contiguous `seq`, at most one torn line, and the hash chain continues.

mod util;

use std::process::Command;
use util::*;

#[test]
fn sigkill_during_a_stream_then_restart_keeps_the_log_whole() {
    let world = World::new("kill9");
    let first = world.start();
    let mut writer = Command::new(LOAD)
        .args(["write", "--fifo"])
        .arg(world.fifo())
        .args(["--sensor", "hall-motion", "--count", "1000000"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Let the stream reach the log before the kill.
    first.wait_for_log("event log file");
    first.wait_for_log("hall-motion motion");
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
    assert!(problems.iter().all(|p| p.contains("torn")), "{problems:?}");
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
