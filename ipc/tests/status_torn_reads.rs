//! Cross-process seqlock test: this test binary re-executes itself as a
//! reader process while the parent publishes as fast as it can. Every field
//! of a published snapshot derives from one counter `n`, so a snapshot mixing
//! two publishes is detected; `n` must also never go backwards.

use homesec_ipc::endpoint::Trust;
use std::path::Path;
use std::process::{Command, Stdio};

use homesec_ipc::clock::HouseClock;
use homesec_ipc::status::{CameraSlot, SensorSlot, Snapshot, StatusReader, StatusWriter};
use homesec_ipc::{AlarmState, Mode, SensorKind};

/// Tells the re-executed binary where the segment is.
const PATH_ENV: &str = "HOMESEC_TORN_READS_SEGMENT";
const SENSORS: usize = 64;
const CAMERAS: usize = 4;
/// Snapshots the reader takes (kept small enough for debug builds).
const READS: u64 = 10_000;
/// Distinct publishes the reader must observe for the test to mean anything.
const MIN_DISTINCT: u64 = 100;

/// The snapshot for counter `n` from the writer process `pid`: every other
/// field is a function of `n`. (The pid is the writer's, as in a real
/// segment: a reader that waits long on a publish asks whether it exists.)
fn snapshot_for(pid: u32, n: u64) -> Snapshot {
    let kind = |i: usize| SensorKind::ALL[(n as usize + i) % SensorKind::ALL.len()];
    Snapshot {
        pid,
        instance: format!("torn-{}", n % 1000),
        running: n % 2 == 0,
        siren: n % 3 == 0,
        trouble: Default::default(),
        heartbeat_ms: n as i64,
        heartbeat_interval_ms: n as u32,
        started_ms: n as i64,
        alarm: AlarmState::ALL[n as usize % AlarmState::ALL.len()],
        mode: Mode::ALL.get(n as usize % 4).copied(),
        since_ms: n as i64,
        accepted: n,
        rejected: n,
        logged_seq: n,
        clock: HouseClock::REAL,
        sensors: (0..SENSORS)
            .map(|i| SensorSlot {
                id: format!("s{i}-{}", n % 100_000),
                zone: format!("z{}", n % 7),
                kind: kind(i),
                state: kind(i).level_states()[n as usize % 2],
                bypassed: n & 1 != 0,
                offline: n & 2 != 0,
                low_battery: n & 4 != 0,
                tamper: n & 8 != 0,
                events: n,
                last_change_ms: n as i64,
                last_seen_ms: n as i64,
            })
            .collect(),
        cameras: (0..CAMERAS)
            .map(|j| CameraSlot {
                id: format!("c{j}-{}", n % 1000),
                connected: n % 2 == 1,
                frames: n,
                last_frame_ms: n as i64,
            })
            .collect(),
    }
}

#[test]
fn a_reader_process_never_sees_a_torn_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("homesec-torn.status");
    let mut writer = StatusWriter::create(
        &path,
        SENSORS as u16,
        CAMERAS as u16,
        &Trust::controller(None),
    )
    .unwrap();
    writer
        .publish(&snapshot_for(std::process::id(), 0))
        .unwrap();

    let mut reader = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "reader_process", "--ignored", "--nocapture"])
        .env(PATH_ENV, &path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut n = 0u64;
    let status = loop {
        n += 1;
        writer
            .publish(&snapshot_for(std::process::id(), n))
            .unwrap();
        if n % 64 != 0 {
            continue;
        }
        if let Some(status) = reader.try_wait().unwrap() {
            break status;
        }
    };
    let output = reader.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    println!("writer: {n} publishes\n{report}");
    assert!(status.success(), "reader process failed: {report}");
    assert!(report.contains("torn=0"), "reader did not report: {report}");
}

/// The reader half, run only as a child of the test above.
#[test]
#[ignore = "run by a_reader_process_never_sees_a_torn_snapshot in a child process"]
fn reader_process() {
    let Some(path) = std::env::var_os(PATH_ENV) else {
        println!(
            "skipped: only meaningful as a child of a_reader_process_never_sees_a_torn_snapshot"
        );
        return;
    };
    let reader = StatusReader::open(Path::new(&path), &Trust::client(None, None)).unwrap();
    // The writer is the test process that spawned this one.
    let writer = std::os::unix::process::parent_id();
    let (mut last, mut distinct, mut torn) = (0u64, 0u64, 0u64);
    for _ in 0..READS {
        let snap = reader.snapshot().unwrap();
        let n = snap.accepted;
        if snap != snapshot_for(writer, n) {
            torn += 1;
            eprintln!("torn snapshot for n={n}: {snap:?}");
        }
        assert!(n >= last, "n went backwards: {last} then {n}");
        distinct += u64::from(n != last);
        last = n;
    }
    // Read by the parent: the report and the proof that reads overlapped writes.
    println!(
        "reader: reads={READS} torn={torn} distinct={distinct} retries={}",
        reader.retries()
    );
    assert_eq!(torn, 0, "torn snapshots seen");
    assert!(
        distinct >= MIN_DISTINCT,
        "only {distinct} distinct publishes seen: reads did not overlap writes"
    );
}
