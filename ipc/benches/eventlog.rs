//! Event log throughput: `Chain::append` (serialise + hash one record; the
//! writer needs at least 200k a second), the verifying `Reader` over a file
//! of 100k records, owned (`next_item`) and borrowed (`next_ref`, what the
//! reporter streams whole days through), and SHA-256 of one record line
//! alone, the part of reading no parser can save. Beside the reader, its
//! ceilings on the same file: reading it and finding the lines
//! (`raw_lines_100k`, what `wc -l` does), and that plus hashing every line
//! on one thread (`raw_hash_lines_100k`, what any verifying reader must do).

use chrono::DateTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::chain::{Chain, line_hash};
use homesec_ipc::eventlog::reader::{EventRef, Item, ItemRef, Reader};
use homesec_ipc::{SensorKind, SensorState};
use std::hint::black_box;

fn sensor_event() -> Event {
    Event::Sensor {
        sensor: "front-door".into(),
        zone: "entry".into(),
        sensor_kind: SensorKind::Door,
        state: SensorState::Open,
        source: "fifo".into(),
    }
}

fn append(c: &mut Criterion) {
    let ts = DateTime::parse_from_rfc3339("2026-11-22T08:15:00.250+01:00").unwrap();
    let event = sensor_event();
    let mut chain = Chain::new();
    let mut out = Vec::with_capacity(512);
    let mut group = c.benchmark_group("eventlog");
    group.throughput(Throughput::Elements(1));
    group.bench_function("append", |b| {
        b.iter(|| {
            out.clear();
            black_box(chain.append(ts, black_box(&event), &mut out).unwrap());
        })
    });
    group.finish();
}

fn read(c: &mut Criterion) {
    const RECORDS: u64 = 100_000;
    let ts = DateTime::parse_from_rfc3339("2026-11-22T08:15:00.250+01:00").unwrap();
    let event = sensor_event();
    let mut chain = Chain::new();
    let mut log = Vec::new();
    for _ in 0..RECORDS {
        chain.append(ts, &event, &mut log).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("2026-11-22.jsonl");
    std::fs::write(&path, &log).unwrap();

    let mut group = c.benchmark_group("eventlog");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.sample_size(10);
    group.bench_function("read_100k", |b| {
        b.iter(|| {
            let mut reader = Reader::new([path.clone()]);
            while let Some(item) = reader.next_item() {
                assert!(matches!(item, Item::Record(_)));
            }
            assert_eq!(reader.counts().records, RECORDS);
        })
    });
    group.bench_function("raw_lines_100k", |b| {
        b.iter(|| assert_eq!(each_line(&path, |_| ()), RECORDS))
    });
    group.bench_function("raw_hash_lines_100k", |b| {
        b.iter(|| {
            assert_eq!(
                each_line(&path, |line| {
                    black_box(line_hash(line));
                }),
                RECORDS
            )
        })
    });
    group.bench_function("read_ref_100k", |b| {
        b.iter(|| {
            let mut reader = Reader::new([path.clone()]);
            while let Some(item) = reader.next_ref() {
                match item {
                    ItemRef::Record(entry) => {
                        assert!(matches!(entry.record.event, EventRef::Sensor(_)));
                        black_box(entry.record.ts);
                    }
                    ItemRef::Problem(problem) => panic!("{problem}"),
                }
            }
            assert_eq!(reader.counts().records, RECORDS);
        })
    });
    group.finish();
}

/// Reads `path` in 256 KiB chunks and calls `each` on every whole line;
/// returns how many there were.
fn each_line(path: &std::path::Path, mut each: impl FnMut(&[u8])) -> u64 {
    use std::io::Read;
    let mut file = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 256 * 1024];
    let (mut kept, mut lines) = (0, 0);
    loop {
        let n = file.read(&mut buf[kept..]).unwrap();
        if n == 0 {
            return lines;
        }
        let filled = kept + n;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &buf[..filled]) {
            each(&buf[start..end]);
            lines += 1;
            start = end + 1;
        }
        buf.copy_within(start..filled, 0);
        kept = filled - start;
    }
}

fn hash(c: &mut Criterion) {
    let ts = DateTime::parse_from_rfc3339("2026-11-22T08:15:00.250+01:00").unwrap();
    let mut line = Vec::new();
    Chain::new().append(ts, &sensor_event(), &mut line).unwrap();
    line.pop();
    let mut group = c.benchmark_group("eventlog");
    group.throughput(Throughput::Bytes(line.len() as u64));
    group.bench_function("sha256_line", |b| {
        b.iter(|| black_box(line_hash(black_box(&line))))
    });
    group.finish();
}

criterion_group!(benches, append, read, hash);
criterion_main!(benches);
