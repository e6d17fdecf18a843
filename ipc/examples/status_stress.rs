//! Stress and throughput check of the status seqlock across processes.
//!
//! The example re-executes itself as a reader process that takes millions of
//! snapshots while this process publishes as fast as it can. Every numeric
//! field of a publish equals one counter `n`, so a torn read is detected.
//! Prints reads, torn reads (must be 0), retries and writer publishes/s.
//!
//! `cargo run --release -p homesec-ipc --example status_stress [-- <reads> [<gap-µs>]]`
//!
//! By default the writer publishes back to back, the harshest case: nearly
//! every read overlaps a publish, and a read succeeds only when the writer
//! is descheduled, so reads are slow. `<gap-µs>` makes the writer spin that
//! long between publishes (the controller publishes once per turn, far less
//! often): reads then succeed between publishes and still overlap many of
//! them, which is how a run of 10^8 reads ends in minutes.

use homesec_ipc::endpoint::Trust;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use homesec_ipc::clock::HouseClock;
use homesec_ipc::status::{CameraSlot, SensorSlot, Snapshot, StatusReader, StatusWriter};
use homesec_ipc::{AlarmState, SensorKind, SensorState};

const SENSORS: usize = 64;
const CAMERAS: usize = 4;
const DEFAULT_READS: u64 = 2_000_000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [role, path, reads] if role == "reader" => reads
            .parse()
            .map_err(|e| format!("bad read count '{reads}': {e}"))
            .and_then(|reads| run_reader(Path::new(path), reads)),
        [] => run_writer(DEFAULT_READS, Duration::ZERO),
        [reads] => parse_reads(reads).and_then(|reads| run_writer(reads, Duration::ZERO)),
        [reads, gap] => parse_reads(reads).and_then(|reads| {
            gap.parse()
                .map_err(|e| format!("bad gap '{gap}': {e}"))
                .and_then(|gap| run_writer(reads, Duration::from_micros(gap)))
        }),
        _ => Err("usage: status_stress [<reads> [<gap-µs>]]".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("status_stress: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_reads(reads: &str) -> Result<u64, String> {
    reads
        .parse()
        .map_err(|e| format!("bad read count '{reads}': {e}"))
}

/// The base snapshot; `advance` then sets every numeric field to `n`.
fn base_snapshot() -> Snapshot {
    Snapshot {
        // The writer's own pid, as in a real segment: a reader that waits
        // long on a publish asks whether this process exists.
        pid: std::process::id(),
        instance: "stress".to_string(),
        running: true,
        siren: false,
        trouble: Default::default(),
        heartbeat_ms: 0,
        heartbeat_interval_ms: 0,
        started_ms: 0,
        alarm: AlarmState::Armed,
        mode: None,
        since_ms: 0,
        accepted: 0,
        rejected: 0,
        logged_seq: 0,
        clock: HouseClock::REAL,
        sensors: (0..SENSORS)
            .map(|i| SensorSlot {
                id: format!("sensor-{i:02}"),
                zone: "stress".to_string(),
                kind: SensorKind::Motion,
                state: SensorState::Clear,
                bypassed: false,
                offline: false,
                low_battery: false,
                tamper: false,
                events: 0,
                last_change_ms: 0,
                last_seen_ms: 0,
            })
            .collect(),
        cameras: (0..CAMERAS)
            .map(|j| CameraSlot {
                id: format!("camera-{j}"),
                connected: false,
                frames: 0,
                last_frame_ms: 0,
            })
            .collect(),
    }
}

fn motion_state(n: u64) -> SensorState {
    if n % 2 == 0 {
        SensorState::Clear
    } else {
        SensorState::Motion
    }
}

/// Sets every counter, time and state of `snap` from `n`.
fn advance(snap: &mut Snapshot, n: u64) {
    let t = n as i64;
    snap.heartbeat_interval_ms = n as u32;
    (snap.heartbeat_ms, snap.started_ms, snap.since_ms) = (t, t, t);
    (snap.accepted, snap.rejected, snap.siren) = (n, n, n % 2 == 1);
    for s in &mut snap.sensors {
        (s.events, s.last_change_ms, s.last_seen_ms) = (n, t, t);
        (s.state, s.bypassed) = (motion_state(n), n % 2 == 1);
    }
    for c in &mut snap.cameras {
        (c.frames, c.last_frame_ms, c.connected) = (n, t, n % 2 == 1);
    }
}

/// Whether every field of `snap` agrees with its `accepted` counter.
fn consistent(snap: &Snapshot) -> bool {
    let n = snap.accepted;
    let t = n as i64;
    let odd = n % 2 == 1;
    snap.heartbeat_interval_ms == n as u32
        && [snap.heartbeat_ms, snap.started_ms, snap.since_ms] == [t; 3]
        && snap.rejected == n
        && snap.siren == odd
        && snap.sensors.len() == SENSORS
        && snap.cameras.len() == CAMERAS
        && snap.sensors.iter().all(|s| {
            s.events == n
                && s.last_change_ms == t
                && s.last_seen_ms == t
                && s.state == motion_state(n)
                && s.bypassed == odd
        })
        && snap
            .cameras
            .iter()
            .all(|c| c.frames == n && c.last_frame_ms == t && c.connected == odd)
}

fn segment_path() -> Result<(tempfile::TempDir, PathBuf), String> {
    let dir = tempfile::Builder::new()
        .prefix("homesec-stress")
        .tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .map_err(|e| format!("cannot make a temp dir: {e}"))?;
    let path = dir.path().join("homesec-stress.status");
    Ok((dir, path))
}

fn run_writer(reads: u64, gap: Duration) -> Result<(), String> {
    let (_dir, path) = segment_path()?;
    let mut writer = StatusWriter::create(
        &path,
        SENSORS as u16,
        CAMERAS as u16,
        &Trust::controller(None),
    )
    .map_err(|e| e.to_string())?;
    let mut snap = base_snapshot();
    writer.publish(&snap).map_err(|e| e.to_string())?;

    let exe = std::env::current_exe().map_err(|e| format!("cannot find own binary: {e}"))?;
    let mut reader = Command::new(exe)
        .arg("reader")
        .arg(&path)
        .arg(reads.to_string())
        .stdout(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start reader process: {e}"))?;
    let started = Instant::now();
    let mut n = 0u64;
    let status = loop {
        n += 1;
        advance(&mut snap, n);
        writer.publish(&snap).map_err(|e| e.to_string())?;
        let published = Instant::now();
        while published.elapsed() < gap {
            std::hint::spin_loop();
        }
        if n % 4096 == 0 {
            if let Some(status) = reader.try_wait().map_err(|e| e.to_string())? {
                break status;
            }
        }
    };
    let secs = started.elapsed().as_secs_f64();
    println!(
        "writer: publishes={n} in {secs:.2} s = {:.0} publishes/s ({:.2} µs each)",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
    if status.success() {
        Ok(())
    } else {
        Err(format!("reader process failed: {status}"))
    }
}

fn run_reader(path: &Path, reads: u64) -> Result<(), String> {
    let reader = StatusReader::open(path, &Trust::client(None, None)).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let (mut last, mut torn, mut distinct, mut backwards) = (0u64, 0u64, 0u64, 0u64);
    let mut snap = base_snapshot();
    for _ in 0..reads {
        reader.snapshot_into(&mut snap).map_err(|e| e.to_string())?;
        torn += u64::from(!consistent(&snap));
        backwards += u64::from(snap.accepted < last);
        distinct += u64::from(snap.accepted != last);
        last = snap.accepted;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "reader: reads={reads} torn={torn} backwards={backwards} distinct={distinct} retries={} in {secs:.2} s ({:.2} µs per read)",
        reader.retries(),
        secs * 1e6 / reads as f64
    );
    if torn == 0 && backwards == 0 {
        Ok(())
    } else {
        Err(format!("{torn} torn reads, {backwards} went backwards"))
    }
}
