//! The load and latency tool behind `homesec-load`, for the controller's
//! FIFO path.
//!
//! [`write_lines`] is one writer (tests start several processes at once).
//! [`bench`] measures, against a running controller: throughput from
//! several writer threads until every event is visible in shared memory and
//! durable in the log, then the latency of single events from `write(2)` on
//! the FIFO to the change being visible in the status segment. Figures are
//! in `docs/PERFORMANCE.md`.

use anyhow::{Context, bail};
use homesec_ipc::status::StatusReader;
use homesec_ipc::{SensorKind, SensorState, paths};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

/// The two level states a sensor alternates between.
pub fn states_of(sensor: &str, config: Option<&Path>) -> anyhow::Result<[SensorState; 2]> {
    let config = match config {
        Some(path) => homesec_config::load(path)?,
        None => homesec_config::default_house(),
    };
    let kind: SensorKind = config
        .sensor(sensor)
        .with_context(|| format!("no sensor '{sensor}' in the house"))?
        .kind;
    match kind.level_states() {
        [a, b] => Ok([*a, *b]),
        _ => bail!("sensor '{sensor}' has no pair of level states"),
    }
}

/// Writes `count` lines for `sensor`, alternating its two level states,
/// each with one `write(2)` so that concurrent writers never interleave.
pub fn write_lines(
    fifo: &Path,
    sensor: &str,
    states: [SensorState; 2],
    count: u64,
) -> anyhow::Result<()> {
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .open(fifo)
        .with_context(|| format!("opening {}", fifo.display()))?;
    let lines = [
        format!("{sensor} {}\n", states[0]),
        format!("{sensor} {}\n", states[1]),
    ];
    for i in 0..count {
        out.write_all(lines[(i % 2) as usize].as_bytes())?;
    }
    Ok(())
}

/// Measures throughput (`count` events from `writers` threads) and then
/// the latency of `samples` single events, and prints both.
pub fn bench(
    fifo: &Path,
    instance: &str,
    count: u64,
    writers: u64,
    samples: usize,
    config: Option<&Path>,
) -> anyhow::Result<()> {
    let status = StatusReader::open(&paths::status_segment(instance))?;
    let sensors = [
        "hall-motion",
        "living-motion",
        "garage-motion",
        "front-door",
    ];
    let base = status.snapshot()?;
    let target_accepted = base.accepted + count;
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let per_writer = count / writers;
        let mut handles = Vec::new();
        for w in 0..writers {
            let sensor = sensors[w as usize % sensors.len()];
            let n = if w == writers - 1 {
                count - per_writer * (writers - 1)
            } else {
                per_writer
            };
            let states = states_of(sensor, config)?;
            handles.push(scope.spawn(move || write_lines(fifo, sensor, states, n)));
        }
        for h in handles {
            h.join().map_err(|_| anyhow::anyhow!("writer panicked"))??;
        }
        Ok(())
    })?;
    let written = started.elapsed();
    wait_until(&status, |s| s.accepted >= target_accepted)?;
    let visible = started.elapsed();
    // Each motion or contact event of a disarmed house is one record.
    let target_logged = base.logged_seq + count;
    wait_until(&status, |s| s.logged_seq >= target_logged)?;
    let durable = started.elapsed();
    println!("throughput: {count} events from {writers} writers");
    println!(
        "  written to FIFO in   {:>8.3} s  ({:>10.0} events/s)",
        written.as_secs_f64(),
        count as f64 / written.as_secs_f64()
    );
    println!(
        "  visible in status in {:>8.3} s  ({:>10.0} events/s)",
        visible.as_secs_f64(),
        count as f64 / visible.as_secs_f64()
    );
    println!(
        "  durable in the log in {:>7.3} s  ({:>10.0} events/s)",
        durable.as_secs_f64(),
        count as f64 / durable.as_secs_f64()
    );

    let mut latencies = latency(&status, fifo, samples)?;
    latencies.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!("latency FIFO write -> visible in shared memory, {samples} samples:");
    println!(
        "  p50 {:?}  p99 {:?}  max {:?}",
        pct(0.50),
        pct(0.99),
        latencies[latencies.len() - 1]
    );
    Ok(())
}

/// Spins on the status segment until `done` holds.
fn wait_until(
    status: &StatusReader,
    done: impl Fn(&homesec_ipc::status::Snapshot) -> bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if done(&status.snapshot()?) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the controller did not catch up within 120 s");
        }
        std::hint::spin_loop();
    }
}

fn latency(status: &StatusReader, fifo: &Path, samples: usize) -> anyhow::Result<Vec<Duration>> {
    let mut out = std::fs::OpenOptions::new().write(true).open(fifo)?;
    let sensor = "back-door";
    let events_of = |s: &homesec_ipc::status::Snapshot| {
        s.sensors
            .iter()
            .find(|x| x.id == sensor)
            .map_or(0, |x| x.events)
    };
    let mut seen = events_of(&status.snapshot()?);
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        let line: &[u8] = if i % 2 == 0 {
            b"back-door open\n"
        } else {
            b"back-door closed\n"
        };
        let t0 = Instant::now();
        out.write_all(line)?;
        loop {
            let now = events_of(&status.snapshot()?);
            if now > seen {
                seen = now;
                break;
            }
            if t0.elapsed() > Duration::from_secs(10) {
                bail!("event {i} never became visible");
            }
            std::hint::spin_loop();
        }
        latencies.push(t0.elapsed());
    }
    Ok(latencies)
}
