//! `homesec-load bench`, the measuring tool of docs/PERFORMANCE.md, run
//! small against a real controller on both paths: it must finish, print
//! each homesec figure beside the raw ceiling it measured, and every event
//! it sent must be in the log. Behaviour only; the figures are not looked
//! at.

use homesec_ipc::eventlog::Event;
use homesec_system_tests::*;
use std::process::Command;

const COUNT: u64 = 2_000;
const SAMPLES: u64 = 20;

fn bench(world: &World, transport: &[&str]) -> String {
    let output = Command::new(bin("homesec-load"))
        .arg("bench")
        .args(transport)
        .args(["--instance", &world.instance])
        .args(["--count", &COUNT.to_string(), "--writers", "2"])
        .args(["--samples", &SAMPLES.to_string()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "bench failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_bench_measures_both_paths_beside_their_ceilings_and_loses_nothing() {
    let world = World::new("loadbench");
    let controller = world.start();
    let fifo = world.fifo();
    let fifo_report = bench(&world, &["--fifo", &fifo.to_string_lossy()]);
    let queue_report = bench(&world, &["--queue", &world.instance]);
    for report in [&fifo_report, &queue_report] {
        for expected in [
            "raw ceiling",
            "one core",
            "durable in the log",
            "% of raw",
            "p99 ratio",
        ] {
            assert!(report.contains(expected), "no '{expected}' in:\n{report}");
        }
    }
    assert!(controller.stop().success());
    let (records, bad) = world.log();
    assert!(bad.is_empty(), "bad lines: {bad:?}");
    // Every report is a `sensor` record, or `superseded` where the queue's
    // priorities handed a sensor's older report out after a newer one.
    let reports = records
        .iter()
        .filter(|r| matches!(r.event, Event::Sensor { .. } | Event::Superseded { .. }))
        .count() as u64;
    assert_eq!(reports, 2 * (COUNT + SAMPLES), "reports in the log");
}
