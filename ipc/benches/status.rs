//! Criterion benchmarks of the status segment with 64 sensors and 4 cameras:
//! one snapshot read, the same into a reused snapshot (no allocation;
//! target under 1 µs), one publish, and the raw ceiling beside them: a
//! plain `memcpy` of a segment of the same size, what a reader could not
//! beat.

use criterion::{Criterion, criterion_group, criterion_main};
use homesec_ipc::clock::HouseClock;
use homesec_ipc::endpoint::Trust;
use homesec_ipc::status::{CameraSlot, SensorSlot, Snapshot, StatusReader, StatusWriter};
use homesec_ipc::{AlarmState, Mode, SensorKind, SensorState};

fn house() -> Snapshot {
    Snapshot {
        pid: std::process::id(),
        instance: "bench".to_string(),
        running: true,
        siren: false,
        trouble: Default::default(),
        heartbeat_ms: 1_700_000_000_000,
        heartbeat_interval_ms: 1000,
        started_ms: 1_699_000_000_000,
        alarm: AlarmState::Armed,
        mode: Some(Mode::Away),
        since_ms: 1_700_000_000_000,
        accepted: 123_456,
        rejected: 12,
        logged_seq: 12,
        clock: HouseClock::REAL,
        sensors: (0..64)
            .map(|i| SensorSlot {
                id: format!("sensor-{i:02}"),
                zone: format!("zone-{}", i % 8),
                kind: SensorKind::Door,
                state: SensorState::Closed,
                bypassed: false,
                offline: false,
                low_battery: i % 10 == 0,
                tamper: false,
                events: 1000 + i,
                last_change_ms: 1_700_000_000_000,
                last_seen_ms: 1_700_000_000_500,
            })
            .collect(),
        cameras: (0..4)
            .map(|j| CameraSlot {
                id: format!("camera-{j}"),
                connected: true,
                frames: 99_999,
                last_frame_ms: 1_700_000_000_900,
            })
            .collect(),
    }
}

fn status(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("homesec-bench.status");
    let mut writer = StatusWriter::create(&path, 64, 4, &Trust::controller(None)).unwrap();
    let snap = house();
    writer.publish(&snap).unwrap();
    let reader = StatusReader::open(&path, &Trust::client(None, None)).unwrap();

    c.bench_function("snapshot_64_sensors", |b| {
        b.iter(|| reader.snapshot().unwrap())
    });
    let mut reused = snap.clone();
    c.bench_function("snapshot_into_64_sensors", |b| {
        b.iter(|| reader.snapshot_into(&mut reused).unwrap())
    });
    let size = std::fs::metadata(&path).unwrap().len() as usize;
    let (from, mut to) = (vec![7u8; size], vec![0u8; size]);
    c.bench_function("raw_memcpy_segment", |b| {
        b.iter(|| to.copy_from_slice(std::hint::black_box(&from)))
    });
    c.bench_function("publish_64_sensors", |b| {
        b.iter(|| writer.publish(std::hint::black_box(&snap)).unwrap())
    });
}

criterion_group!(benches, status);
criterion_main!(benches);
