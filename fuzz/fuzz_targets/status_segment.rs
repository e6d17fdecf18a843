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
