//! The controller's per-event CPU cost, without I/O: framing and parsing a
//! FIFO line, and applying it to the house state machine. The end-to-end
//! figures (FIFO to shared memory to fsynced log) come from `homesec-load`.
//! Beside the splitter, its ceiling: finding the same newlines with
//! `memchr` and nothing else (`raw_newlines_2000_lines`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use homesec_controller::settings::house_model;
use homesec_ipc::line::{LineSplitter, parse_line};
use std::hint::black_box;

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("line");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse_text", |b| {
        b.iter(|| parse_line(black_box(b"hall-motion motion")))
    });
    group.bench_function("parse_json", |b| {
        b.iter(|| parse_line(black_box(br#"{"sensor":"hall-motion","state":"motion"}"#)))
    });
    let chunk: Vec<u8> = "hall-motion motion\nhall-motion clear\n"
        .repeat(1000)
        .into_bytes();
    group.throughput(Throughput::Elements(2000));
    group.bench_function("split_2000_lines", |b| {
        let mut splitter = LineSplitter::new();
        b.iter(|| {
            let mut n = 0;
            splitter.push(black_box(&chunk), |line| n += usize::from(line.is_ok()));
            n
        })
    });
    group.bench_function("raw_newlines_2000_lines", |b| {
        b.iter(|| memchr::memchr_iter(b'\n', black_box(&chunk)).count())
    });
    group.finish();
}

fn apply(c: &mut Criterion) {
    let config = homesec_config::default_house();
    let (sensors, rules) = house_model(&config);
    let mut house = homesec_controller::house::House::new(sensors, rules, 0);
    let states = [
        homesec_ipc::SensorState::Motion,
        homesec_ipc::SensorState::Clear,
    ];
    let mut now = 0;
    let mut group = c.benchmark_group("house");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sensor_event", |b| {
        b.iter(|| {
            now += 1;
            house.sensor_event(now, "hall-motion", states[(now % 2) as usize], "fifo")
        })
    });
    group.finish();
}

criterion_group!(benches, parse, apply);
criterion_main!(benches);
