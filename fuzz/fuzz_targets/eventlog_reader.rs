//! The event log reader over a day file of arbitrary bytes, with the
//! differential check against `serde_json`: a line is a record for the
//! reader exactly when serde parses it as one, with the same values (the
//! reader's hand-written scanner for `sensor` records must never disagree
//! with serde), and the counts add up to the lines.
#![no_main]

use homesec_ipc::eventlog::Record;
use homesec_ipc::eventlog::reader::{Item, ProblemKind, Reader};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::NamedTempFile::new_in(scratch()).expect("temp file");
    file.write_all(data).expect("write");
    let mut reader = Reader::new([file.path().to_path_buf()]);
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") || data.is_empty() {
        lines.pop();
    }
    let mut records = 0;
    let mut not_records = 0;
    while let Some(item) = reader.next_item() {
        match item {
            Item::Record(entry) => {
                records += 1;
                let line = lines[entry.line as usize - 1];
                let by_serde: Record = serde_json::from_slice(line)
                    .unwrap_or_else(|e| panic!("the reader took a line serde refuses ({e})"));
                assert_eq!(entry.record, by_serde, "the reader and serde disagree");
            }
            Item::Problem(p) => match p.kind {
                ProblemKind::Corrupt { .. } | ProblemKind::Torn => {
                    not_records += 1;
                    let line = lines[p.line as usize - 1];
                    assert!(
                        line.is_empty() || serde_json::from_slice::<Record>(line).is_err(),
                        "the reader refused a record serde parses: {p}"
                    );
                }
                ProblemKind::SeqGap { .. } | ProblemKind::ChainBreak { .. } => {}
                ProblemKind::Unreadable { .. } => panic!("{p}"),
            },
        }
    }
    assert_eq!(
        records + not_records,
        lines.len(),
        "a line went unaccounted"
    );
    assert_eq!(reader.counts().records, records as u64);
});

/// Memory-backed when it can be: one file per input.
fn scratch() -> &'static std::path::Path {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        shm
    } else {
        std::path::Path::new("/tmp")
    }
}
