//! Unit tests of the status segment: round trip, every open error, capacity
//! errors, file mode, liveness, and replacement under a live reader.

use super::*;
use crate::clock::HouseClock;
use crate::endpoint::Trust;
use std::fs;
use std::os::unix::fs::{FileExt, PermissionsExt};

fn sensor(i: usize) -> SensorSlot {
    SensorSlot {
        id: format!("sensor-{i}"),
        zone: "ground-floor".to_string(),
        kind: SensorKind::Door,
        state: SensorState::Open,
        bypassed: i % 2 == 0,
        offline: i % 3 == 0,
        low_battery: true,
        tamper: false,
        events: 1000 + i as u64,
        last_change_ms: 1_700_000_000_000 + i as i64,
        last_seen_ms: 5,
    }
}

fn snapshot(sensors: usize, cameras: usize) -> Snapshot {
    Snapshot {
        pid: std::process::id(),
        instance: "test-home".to_string(),
        running: true,
        siren: true,
        trouble: Default::default(),
        heartbeat_ms: 1_700_000_000_123,
        heartbeat_interval_ms: 1000,
        started_ms: 1_699_999_999_000,
        alarm: AlarmState::Pending,
        mode: Some(Mode::Night),
        since_ms: 1_700_000_000_001,
        accepted: u64::MAX,
        rejected: 7,
        logged_seq: 7,
        clock: HouseClock::REAL,
        sensors: (0..sensors).map(sensor).collect(),
        cameras: (0..cameras)
            .map(|j| CameraSlot {
                id: format!("cam-{j}"),
                connected: j == 0,
                frames: 99,
                last_frame_ms: 42,
            })
            .collect(),
    }
}

fn segment() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("homesec-test.status");
    (dir, path)
}

#[test]
fn round_trip_and_shrinking_counts() {
    let (_dir, path) = segment();
    let mut writer = StatusWriter::create(&path, 8, 2, &Trust::controller(None)).unwrap();
    assert_eq!(writer.path(), path);
    let reader = StatusReader::open(&path, &Trust::client(None, None)).unwrap();
    assert_eq!(reader.capacities(), (8, 2));

    let full = snapshot(8, 2);
    writer.publish(&full).unwrap();
    assert_eq!(reader.snapshot().unwrap(), full);

    let mut small = snapshot(3, 0);
    small.mode = None;
    small.alarm = AlarmState::Disarmed;
    small.instance = "x".repeat(32);
    writer.publish(&small).unwrap();
    assert_eq!(reader.snapshot().unwrap(), small);
    // Slots that fell out of use are zeroed, not left stale for C readers.
    let bytes = fs::read(&path).unwrap();
    let freed = HEADER_SIZE + 3 * SENSOR_SLOT_SIZE..bytes.len();
    assert!(bytes[freed].iter().all(|&b| b == 0));

    // Reusing a bigger snapshot shrinks it to what was published.
    let mut reused = full.clone();
    reader.snapshot_into(&mut reused).unwrap();
    assert_eq!(reused, small);
    writer.publish(&full).unwrap();
    reader.snapshot_into(&mut reused).unwrap();
    assert_eq!(reused, full);
    assert_eq!(reader.retries(), 0);
}

#[test]
fn a_new_segment_reads_as_stopped_and_empty() {
    let (_dir, path) = segment();
    let _writer = StatusWriter::create(&path, 4, 1, &Trust::controller(None)).unwrap();
    let snap = StatusReader::open(&path, &Trust::client(None, None))
        .unwrap()
        .snapshot()
        .unwrap();
    assert!(!snap.running);
    assert!(snap.sensors.is_empty() && snap.cameras.is_empty());
    assert_eq!(liveness(&snap, 0), Liveness::Stopped);
    let size = fs::metadata(&path).unwrap().len();
    assert_eq!(
        size,
        (HEADER_SIZE + 4 * SENSOR_SLOT_SIZE + CAMERA_SLOT_SIZE) as u64
    );
}

#[test]
fn file_mode_is_0600_whatever_the_open_mode_and_0640_with_a_group() {
    let (_dir, path) = segment();
    let _writer = StatusWriter::create(&path, 1, 1, &Trust::controller(None)).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Our own primary group is one we may always give a file to.
    let group = rustix::process::getegid().as_raw();
    let _writer = StatusWriter::create(&path, 1, 1, &Trust::controller(Some(group))).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temp file is left next to it.
    assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
}

#[test]
fn publish_refuses_what_does_not_fit() {
    let (_dir, path) = segment();
    let mut writer = StatusWriter::create(&path, 2, 1, &Trust::controller(None)).unwrap();
    let err = writer.publish(&snapshot(3, 0)).unwrap_err();
    assert!(
        matches!(
            err,
            StatusError::TooManySensors {
                count: 3,
                capacity: 2
            }
        ),
        "{err}"
    );
    let err = writer.publish(&snapshot(0, 2)).unwrap_err();
    assert!(
        matches!(
            err,
            StatusError::TooManyCameras {
                count: 2,
                capacity: 1
            }
        ),
        "{err}"
    );

    let mut long = snapshot(1, 0);
    long.sensors[0].id = "s".repeat(33);
    let err = writer.publish(&long).unwrap_err();
    assert!(
        matches!(
            err,
            StatusError::BadText {
                what: "sensor id",
                ..
            }
        ),
        "{err}"
    );
    let mut nul = snapshot(0, 1);
    nul.cameras[0].id = "cam\0".to_string();
    assert!(matches!(
        writer.publish(&nul),
        Err(StatusError::BadText {
            what: "camera id",
            ..
        })
    ));
    // Nothing was written by the failed publishes.
    let snap = StatusReader::open(&path, &Trust::client(None, None))
        .unwrap()
        .snapshot()
        .unwrap();
    assert!(!snap.running);
}

/// A valid empty segment's bytes, for hand-made broken files.
fn valid_bytes(sensors: u16, cameras: u16) -> Vec<u8> {
    let (_dir, path) = segment();
    let _writer = StatusWriter::create(&path, sensors, cameras, &Trust::controller(None)).unwrap();
    fs::read(&path).unwrap()
}

fn open_bytes(bytes: &[u8]) -> StatusError {
    let (_dir, path) = segment();
    fs::write(&path, bytes).unwrap();
    // As the controller makes it: a file open to others is refused first.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    match StatusReader::open(&path, &Trust::client(None, None)) {
        Ok(_) => panic!("a broken segment opened"),
        Err(err) => err,
    }
}

#[test]
fn missing_file_says_the_controller_is_not_running() {
    let (_dir, path) = segment();
    let err = StatusReader::open(&path, &Trust::client(None, None))
        .err()
        .unwrap();
    assert!(matches!(err, StatusError::NotFound { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("homesec-test.status") && msg.contains("not running"),
        "{msg}"
    );
}

#[test]
fn a_segment_open_to_others_is_not_read() {
    let bytes = valid_bytes(1, 1);
    let (_dir, path) = segment();
    fs::write(&path, &bytes).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let err = StatusReader::open(&path, &Trust::client(None, None))
        .err()
        .unwrap();
    assert!(err.to_string().contains("open to others"), "{err}");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(StatusReader::open(&path, &Trust::client(None, None)).is_ok());
}

#[test]
fn open_rejects_wrong_sizes() {
    let bytes = valid_bytes(4, 2);
    let err = open_bytes(&bytes[..100]);
    assert!(
        matches!(
            err,
            StatusError::TooSmall {
                found: 100,
                minimum: 192,
                ..
            }
        ),
        "{err}"
    );
    let err = open_bytes(&bytes[..bytes.len() - 64]);
    let expected = bytes.len() as u64;
    assert!(
        matches!(err, StatusError::WrongSize { found, expected: e, .. } if e == expected && found == e - 64),
        "{err}"
    );
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 8]);
    assert!(matches!(open_bytes(&longer), StatusError::WrongSize { .. }));
}

#[test]
fn open_rejects_bad_magic_version_and_sizes() {
    let bytes = valid_bytes(1, 1);

    let mut bad = bytes.clone();
    bad[..8].copy_from_slice(b"NOTHOMES");
    let err = open_bytes(&bad);
    assert!(
        matches!(err, StatusError::BadMagic { found, .. } if &found == b"NOTHOMES"),
        "{err}"
    );

    let mut bad = bytes.clone();
    bad[8..12].copy_from_slice(&2u32.to_le_bytes());
    let err = open_bytes(&bad);
    assert!(
        matches!(
            err,
            StatusError::UnsupportedVersion {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("version 2"), "{err}");

    let mut bad = bytes.clone();
    bad[12..16].copy_from_slice(&128u32.to_le_bytes());
    assert!(matches!(
        open_bytes(&bad),
        StatusError::WrongHeaderSize {
            found: 128,
            expected: 192,
            ..
        }
    ));

    let mut bad = bytes.clone();
    bad[74..76].copy_from_slice(&32u16.to_le_bytes());
    let err = open_bytes(&bad);
    assert!(
        matches!(
            err,
            StatusError::WrongSlotSize {
                what: "camera",
                found: 32,
                expected: 64,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn unknown_codes_are_errors_not_panics() {
    let (_dir, path) = segment();
    let mut writer = StatusWriter::create(&path, 2, 0, &Trust::controller(None)).unwrap();
    writer.publish(&snapshot(2, 0)).unwrap();
    let reader = StatusReader::open(&path, &Trust::client(None, None)).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    let kind_of_slot_1 = (HEADER_SIZE + SENSOR_SLOT_SIZE + 64) as u64;
    file.write_at(&[200], kind_of_slot_1).unwrap();
    let err = reader.snapshot().unwrap_err();
    assert!(
        matches!(
            err,
            StatusError::UnknownCode {
                what: "sensor kind",
                code: 200,
                slot: Some(1)
            }
        ),
        "{err}"
    );

    writer.publish(&snapshot(2, 0)).unwrap();
    file.write_at(&[9], 56).unwrap();
    assert!(matches!(
        reader.snapshot(),
        Err(StatusError::UnknownCode {
            what: "alarm state",
            code: 9,
            slot: None
        })
    ));
}

/// Issue #15 finding 3: i64::MIN in a time field overflowed every reader's
/// arithmetic (a panic with overflow checks, "20789d ago" without).
#[test]
fn regression_a_hostile_status_segment_overflows_time_arithmetic() {
    let (_dir, path) = segment();
    let mut writer = StatusWriter::create(&path, 2, 1, &Trust::controller(None)).unwrap();
    let reader = StatusReader::open(&path, &Trust::client(None, None)).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    let slot_1 = HEADER_SIZE + SENSOR_SLOT_SIZE;
    let camera_0 = HEADER_SIZE + 2 * SENSOR_SLOT_SIZE;
    let fields = [
        (32, "heartbeat", None),
        (40, "start", None),
        (48, "alarm state", None),
        (136, "clock origin (wall)", None),
        (144, "clock origin (house)", None),
        (slot_1 + 80, "last change", Some(1)),
        (slot_1 + 88, "last seen", Some(1)),
        (camera_0 + 48, "last frame", Some(0)),
    ];
    for (at, field, in_slot) in fields {
        for value in [i64::MIN, -1, i64::MAX, 253_402_300_800_000] {
            writer.publish(&snapshot(2, 1)).unwrap();
            // A simulated clock, so the origin fields are used.
            file.write_at(&1.0f64.to_le_bytes(), 152).unwrap();
            assert!(reader.snapshot().is_ok(), "the untouched segment reads");
            file.write_at(&value.to_le_bytes(), at as u64).unwrap();
            let err = reader.snapshot().unwrap_err();
            let StatusError::TimeOutOfRange {
                what,
                value: found,
                slot,
            } = err
            else {
                panic!("{field} = {value}: {err}")
            };
            assert_eq!((what, found, slot), (field, value, in_slot));
            assert!(err.to_string().contains("damaged"), "{err}");
        }
    }
    // The clock itself saturates instead of overflowing.
    for (wall, origin_wall, origin_house) in [
        (i64::MAX, i64::MIN, 0),
        (i64::MIN, i64::MAX, 0),
        (0, i64::MIN, i64::MAX),
        (i64::MIN, 0, i64::MIN),
    ] {
        let clock = crate::clock::HouseClock {
            origin_wall_ms: origin_wall,
            origin_house_ms: origin_house,
            speed: 1_000_000.0,
        };
        let _ = clock.at(wall);
    }
}

#[test]
fn a_running_writer_stuck_mid_publish_makes_readers_busy() {
    let (_dir, path) = segment();
    // The segment names this process, which is running.
    let _writer = StatusWriter::create(&path, 1, 0, &Trust::controller(None)).unwrap();
    let reader = StatusReader::open(&path, &Trust::client(None, None)).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.write_at(&1u64.to_le_bytes(), 16).unwrap();
    let started = std::time::Instant::now();
    let err = reader.snapshot().unwrap_err();
    assert!(
        started.elapsed() >= BUSY_TIMEOUT,
        "gave up after {:?}",
        started.elapsed()
    );
    let StatusError::Busy { attempts, .. } = err else {
        panic!("{err}")
    };
    assert!(attempts > 1);
    assert_eq!(reader.retries(), attempts);
    assert_backed_off(attempts);
}

/// Issue #15 finding 5: an odd seqlock word that never turns even made a
/// reader spin a core for 200 ms (5 M attempts), then say "busy" even when
/// the writer was long gone.
#[test]
fn regression_a_corrupt_seqlock_word_spins_a_core() {
    let (_dir, path) = segment();
    let mut writer = StatusWriter::create(&path, 1, 0, &Trust::controller(None)).unwrap();
    writer.publish(&snapshot(1, 0)).unwrap();
    let reader = StatusReader::open(&path, &Trust::client(None, None)).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    for odd in [1u64, 12_345, u64::MAX] {
        for pid in [gone_pid(), 0, 1] {
            file.write_at(&pid.to_le_bytes(), 24).unwrap();
            file.write_at(&odd.to_le_bytes(), 16).unwrap();
            let err = reader.snapshot().unwrap_err();
            let StatusError::Stale {
                pid: found,
                attempts,
                ..
            } = err
            else {
                panic!("seq {odd}, pid {pid}: {err}")
            };
            assert_eq!(found, pid);
            assert_backed_off(attempts);
            assert!(err.to_string().contains("is gone"), "{err}");
        }
    }
}

/// A reader that sleeps between late retries makes a few hundred attempts
/// in [`BUSY_TIMEOUT`] on any machine; one that spins makes millions (or,
/// yielding on a loaded machine, still thousands).
fn assert_backed_off(attempts: u64) {
    assert!(attempts <= 500, "{attempts} attempts: the reader spun");
}

/// A pid no process can have: one above the kernel's `pid_max`. (A child
/// that exited and was reaped is not enough: with `pid_max` at 32,768 its
/// pid comes back to another process once the numbers wrap, which a
/// loaded test machine that spawns thousands of processes reaches.)
fn gone_pid() -> u32 {
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(4_194_304);
    max + 1
}

#[test]
fn replacing_the_segment_keeps_an_open_reader_valid() {
    let (_dir, path) = segment();
    let mut first = StatusWriter::create(&path, 4, 1, &Trust::controller(None)).unwrap();
    let old = snapshot(4, 1);
    first.publish(&old).unwrap();
    let old_reader = StatusReader::open(&path, &Trust::client(None, None)).unwrap();

    // A restarted controller with a smaller segment renames over the path.
    let mut second = StatusWriter::create(&path, 1, 0, &Trust::controller(None)).unwrap();
    let new = snapshot(1, 0);
    second.publish(&new).unwrap();

    assert_eq!(old_reader.snapshot().unwrap(), old);
    assert_eq!(
        StatusReader::open(&path, &Trust::client(None, None))
            .unwrap()
            .snapshot()
            .unwrap(),
        new
    );
}

#[test]
fn liveness_cases() {
    let now = 1_700_000_010_000;
    let mut snap = snapshot(0, 0);
    snap.heartbeat_interval_ms = 1000;
    snap.heartbeat_ms = now - 3000;
    assert_eq!(liveness(&snap, now), Liveness::Alive);
    // A clock that went backwards is not staleness.
    snap.heartbeat_ms = now + 500;
    assert_eq!(liveness(&snap, now), Liveness::Alive);

    snap.heartbeat_ms = now - 3001;
    assert_eq!(liveness(&snap, now), Liveness::Stale { age_ms: 3001 });

    let gone = gone_pid();
    snap.pid = gone;
    assert_eq!(liveness(&snap, now), Liveness::Dead { pid: gone });
    snap.pid = 0;
    assert_eq!(liveness(&snap, now), Liveness::Dead { pid: 0 });
    // Init always exists, and is never the controller: a segment naming it
    // is forged or damaged.
    snap.pid = 1;
    snap.heartbeat_ms = now;
    assert_eq!(liveness(&snap, now), Liveness::Dead { pid: 1 });

    snap.running = false;
    assert_eq!(liveness(&snap, now), Liveness::Stopped);
}

#[test]
fn snapshot_serialises_with_wire_names() {
    let json = serde_json::to_value(snapshot(1, 0)).unwrap();
    assert_eq!(json["alarm"], "pending");
    assert_eq!(json["mode"], "night");
    assert_eq!(json["sensors"][0]["kind"], "door");
    let live = serde_json::to_value(Liveness::Stale { age_ms: 5 }).unwrap();
    assert_eq!(live, serde_json::json!({"liveness": "stale", "age_ms": 5}));
}

/// Every field of a `#[repr(C)]` layout type: name, offset, size.
macro_rules! fields {
    ($ty:ty: $($field:ident),* $(,)?) => {{
        let value = <$ty>::default();
        vec![$((stringify!($field), std::mem::offset_of!($ty, $field), std::mem::size_of_val(&value.$field))),*]
    }};
}

/// The rows (name, offset, size) of the table under `heading` in the module
/// doc of `status/mod.rs`, the documentation other languages read.
fn documented(heading: &str) -> Vec<(String, usize, usize)> {
    let doc = include_str!("mod.rs");
    let table = doc
        .split("//! ## ")
        .find(|section| section.starts_with(heading))
        .unwrap_or_else(|| panic!("no '{heading}' section in the module doc"));
    table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim_start_matches("//!")
                .split('|')
                .map(str::trim)
                .collect();
            // | offset | size | type | field | meaning |
            let offset = cells.get(1)?.parse().ok()?;
            let size = cells.get(2)?.parse().ok()?;
            Some((cells.get(4)?.to_string(), offset, size))
        })
        .collect()
}

/// The declared layout with `reserved_end` and the like named as the doc
/// names them.
fn declared(fields: Vec<(&str, usize, usize)>) -> Vec<(String, usize, usize)> {
    fields
        .into_iter()
        .map(|(name, offset, size)| {
            let name = if name.starts_with("reserved") {
                "reserved"
            } else {
                name
            };
            (name.to_string(), offset, size)
        })
        .collect()
}

#[test]
fn the_documented_tables_are_the_declared_layout_byte_for_byte() {
    use super::layout::{CameraSlotLayout, Header, SensorSlotLayout};
    let header = fields!(Header: magic, layout_version, header_size, seqlock, controller_pid,
        flags, heartbeat_ms, started_ms, since_ms, alarm_state, mode, pad,
        heartbeat_interval_ms, sensor_capacity, sensor_count, camera_capacity, camera_count,
        sensor_slot_size, camera_slot_size, reserved, events_accepted, events_rejected,
        instance, logged_seq, clock_origin_wall_ms, clock_origin_house_ms, clock_speed,
        reserved_end);
    let sensor = fields!(SensorSlotLayout: id, zone, kind, state, flags, pad, event_count,
        last_change_ms, last_seen_ms, reserved);
    let camera = fields!(CameraSlotLayout: id, flags, pad, frames, last_frame_ms, reserved);
    for (heading, fields, size) in [
        ("Header", header, HEADER_SIZE),
        ("Sensor slot", sensor, SENSOR_SLOT_SIZE),
        ("Camera slot", camera, CAMERA_SLOT_SIZE),
    ] {
        let declared = declared(fields);
        assert_eq!(documented(heading), declared, "{heading}");
        // The fields tile the whole struct: no byte is undocumented.
        let mut next = 0;
        for (name, offset, field_size) in &declared {
            assert_eq!(*offset, next, "{heading}: gap before {name}");
            next += field_size;
        }
        assert_eq!(next, size, "{heading}: bytes after the last field");
    }
}
