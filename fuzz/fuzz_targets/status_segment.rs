//! A status segment file of arbitrary bytes, read as every client reads
//! one (`StatusReader::open`, then a snapshot), judged and rendered as
//! `homesecctl status` does, as a table and as JSON.
#![no_main]

use homesec_controller::ctl::status::{judge, render};
use homesec_ipc::endpoint::Trust;
use homesec_ipc::status::StatusReader;
use libfuzzer_sys::fuzz_target;
use std::io::Write;

/// Byte offset of the seqlock word.
const SEQLOCK: usize = 16;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    // An odd seqlock is a publish that never ends: the reader waits for
    // it (tested in ipc), which would only slow the fuzzer down.
    if let Some(b) = bytes.get_mut(SEQLOCK) {
        *b &= !1;
    }
    let mut file = tempfile::NamedTempFile::new_in("/dev/shm").expect("temp file");
    file.write_all(&bytes).expect("write");
    let trust = Trust::client(None, None);
    let Ok(reader) = StatusReader::open(file.path(), &trust) else {
        return;
    };
    let Ok(snapshot) = reader.snapshot() else {
        return;
    };
    // A reused snapshot whose names hold something else (a NUL, one byte
    // more) must come out the same as a fresh one: the reader keeps a
    // name only when the segment says exactly it.
    let mut reused = snapshot.clone();
    reused.instance.push('\0');
    for (i, sensor) in reused.sensors.iter_mut().enumerate() {
        if i % 2 == 0 {
            sensor.id.push('x');
        } else {
            sensor.zone.push('\0');
        }
    }
    reused
        .sensors
        .push(
            reused
                .sensors
                .first()
                .cloned()
                .unwrap_or_else(|| homesec_ipc::status::SensorSlot {
                    id: "stale".into(),
                    zone: "stale".into(),
                    kind: homesec_ipc::SensorKind::Door,
                    state: homesec_ipc::SensorState::Open,
                    bypassed: true,
                    offline: true,
                    low_battery: true,
                    tamper: true,
                    events: 1,
                    last_change_ms: 1,
                    last_seen_ms: 1,
                }),
        );
    if reader.snapshot_into(&mut reused).is_ok() {
        assert_eq!(
            reused, snapshot,
            "a reused snapshot differs from a fresh one"
        );
    }
    // The wall clock as the fuzzer found it, and at the edges of time.
    let now = i64::from_le_bytes(*data.last_chunk::<8>().unwrap_or(&[0; 8]));
    for now in [
        now,
        0,
        i64::MIN,
        i64::MAX,
        chrono::Utc::now().timestamp_millis(),
    ] {
        let (report, live) = judge(snapshot.clone(), now);
        let table = render(&report, live);
        assert!(!table.is_empty());
        serde_json::to_string(&report).expect("the report serialises");
    }
});
