//! The load and latency tool behind `homesec-load`, for the controller's
//! two event paths: the named FIFO and the POSIX message queue.
//!
//! [`send_events`] is one writer (tests start several processes at once).
//! [`bench`] measures, against a running controller: throughput from
//! several writer threads until every event is visible in shared memory and
//! durable in the log, then the latency of single events from the send
//! (`write(2)` on the FIFO, `mq_send` on the queue, whose message carries
//! its CLOCK_MONOTONIC send time) to the change being visible in the status
//! segment. Before it, in the same run, it measures the same load through
//! the bare mechanism ([`ceiling`]) and prints each homesec figure beside
//! its ceiling. Figures are in `docs/PERFORMANCE.md`.

pub mod ceiling;
pub mod rpc;

use anyhow::{Context, bail};
use homesec_ipc::endpoint::{Found, Trust};
use homesec_ipc::mq::{self, Message};
use homesec_ipc::status::{Snapshot, StatusReader};
use homesec_ipc::{SensorKind, SensorState, paths};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How events reach the controller.
#[derive(Debug, Clone)]
pub enum Transport {
    /// Lines into the named FIFO at this path.
    Fifo(PathBuf),
    /// Messages on the instance's message queue.
    Queue(String),
}

/// How long a queue sender waits on a full queue before it gives up.
const QUEUE_DEADLINE: Duration = Duration::from_secs(30);

/// An open connection to one transport.
enum Connection {
    Fifo(std::fs::File),
    Queue(mq::Sender),
}

impl Connection {
    /// Opens the FIFO or the queue, trusting it only as `trust` says: a
    /// FIFO or queue of another user never gets our lines.
    fn open(transport: &Transport, trust: &Trust) -> anyhow::Result<Connection> {
        Ok(match transport {
            Transport::Fifo(path) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .custom_flags(libc::O_NOFOLLOW)
                    .open(path)
                    .with_context(|| format!("opening {}", path.display()))?;
                let found = Found::of(&file)?;
                trust.check("FIFO", path, found)?;
                Connection::Fifo(file)
            }
            Transport::Queue(instance) => Connection::Queue(mq::Sender::open(instance, trust)?),
        })
    }

    /// Sends one event; returns its send time (CLOCK_MONOTONIC, ns).
    fn send(&mut self, kind: SensorKind, sensor: &str, state: SensorState) -> anyhow::Result<u64> {
        match self {
            Connection::Fifo(file) => {
                let sent = mq::monotonic_ns();
                file.write_all(format!("{sensor} {state}\n").as_bytes())?;
                Ok(sent)
            }
            Connection::Queue(sender) => {
                let message = Message::sensor(kind, sensor, state);
                sender.send(&message, QUEUE_DEADLINE)?;
                Ok(message.sent_at_ns())
            }
        }
    }
}

/// The house: the config file, or the embedded default.
fn house(config: Option<&Path>) -> anyhow::Result<homesec_config::Config> {
    Ok(match config {
        Some(path) => homesec_config::load(path)?,
        None => homesec_config::default_house(),
    })
}

/// Whose endpoints this tool trusts, from the house's `[access]`.
fn trust(config: Option<&Path>) -> anyhow::Result<Trust> {
    Ok(house(config)?.access.client_trust()?)
}

/// A sensor's kind and the two level states it alternates between.
pub fn states_of(
    sensor: &str,
    config: Option<&Path>,
) -> anyhow::Result<(SensorKind, [SensorState; 2])> {
    let config = house(config)?;
    let kind: SensorKind = config
        .sensor(sensor)
        .with_context(|| format!("no sensor '{sensor}' in the house"))?
        .kind;
    match kind.level_states() {
        [a, b] => Ok((kind, [*a, *b])),
        _ => bail!("sensor '{sensor}' has no pair of level states"),
    }
}

/// Sends `count` events for `sensor`, alternating its two level states:
/// on the FIFO one `write(2)` per line, so concurrent writers never
/// interleave; on the queue one message each, waiting while it is full.
pub fn send_events(
    transport: &Transport,
    sensor: &str,
    config: Option<&Path>,
    count: u64,
) -> anyhow::Result<()> {
    let (kind, states) = states_of(sensor, config)?;
    let mut connection = Connection::open(transport, &trust(config)?)?;
    for i in 0..count {
        connection.send(kind, sensor, states[(i % 2) as usize])?;
    }
    Ok(())
}

/// What `bench` measures with.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The path to measure.
    pub transport: Transport,
    /// The controller's instance (for its status segment).
    pub instance: String,
    /// Events in the throughput phase.
    pub count: u64,
    /// Writer threads in the throughput phase.
    pub writers: u64,
    /// Single events in the latency phase.
    pub samples: usize,
    /// The house, when not the embedded default.
    pub config: Option<PathBuf>,
}

/// Measures the bare mechanism's ceiling, then homesec's throughput
/// (`count` events from `writers` threads) and the latency of `samples`
/// single events, and prints each beside its ceiling.
pub fn bench(plan: &Plan) -> anyhow::Result<()> {
    let raw = ceiling::measure(&plan.transport, plan.count, plan.writers, plan.samples)?;
    let trust = trust(plan.config.as_deref())?;
    let status = StatusReader::open(&paths::status_segment(&plan.instance), &trust)?;
    let base = status.snapshot()?;
    let started = Instant::now();
    flood(plan)?;
    let written = started.elapsed();
    wait_until(&status, |s| s.accepted >= base.accepted + plan.count)?;
    let visible = started.elapsed();
    // Each motion or contact event of a disarmed house is one record.
    wait_until(&status, |s| s.logged_seq >= base.logged_seq + plan.count)?;
    let durable = started.elapsed();
    let rate = |t: Duration| plan.count as f64 / t.as_secs_f64();
    println!(
        "throughput over {:?}: {} events from {} writers",
        plan.transport, plan.count, plan.writers
    );
    let placements: Vec<String> = raw
        .placements
        .iter()
        .map(|(placement, rate)| format!("{} {rate:.0}", placement.name()))
        .collect();
    println!(
        "  raw ceiling           {:>19.0} events/s  (the bare mechanism, same load; best of {})",
        raw.rate,
        placements.join(", ")
    );
    for (what, t) in [
        ("sent in              ", written),
        ("visible in status in ", visible),
        ("durable in the log in", durable),
    ] {
        println!(
            "  {what} {:>8.3} s  ({:>10.0} events/s, {:>5.1}% of raw)",
            t.as_secs_f64(),
            rate(t),
            100.0 * rate(t) / raw.rate
        );
    }

    let mut latencies = latency(&status, plan)?;
    latencies.sort_unstable();
    let (ours, theirs) = (Percentiles::of(&latencies), Percentiles::of(&raw.latencies));
    println!(
        "latency send -> visible in shared memory, {} samples:",
        plan.samples
    );
    println!("  homesec {ours}");
    println!("  raw     {theirs}  (send -> a blocked receiver wakes)");
    println!(
        "  p99 ratio {:.2}x",
        ours.p99.as_secs_f64() / theirs.p99.as_secs_f64()
    );
    Ok(())
}

/// p50, p99 and max of some latencies.
pub(crate) struct Percentiles {
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    max: Duration,
}

impl Percentiles {
    /// Of sorted, non-empty latencies.
    pub(crate) fn of(sorted: &[Duration]) -> Percentiles {
        let at = |p: f64| sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)];
        Percentiles {
            p50: at(0.50),
            p99: at(0.99),
            max: sorted[sorted.len() - 1],
        }
    }
}

impl std::fmt::Display for Percentiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {:>10.1?}  p99 {:>10.1?}  max {:>10.1?}",
            self.p50, self.p99, self.max
        )
    }
}

/// The throughput phase: `writers` threads share `count` events.
fn flood(plan: &Plan) -> anyhow::Result<()> {
    let sensors = [
        "hall-motion",
        "living-motion",
        "garage-motion",
        "front-door",
    ];
    let per_writer = plan.count / plan.writers;
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let handles: Vec<_> = (0..plan.writers)
            .map(|w| {
                let sensor = sensors[w as usize % sensors.len()];
                let last = w == plan.writers - 1;
                let n = if last {
                    plan.count - per_writer * (plan.writers - 1)
                } else {
                    per_writer
                };
                scope.spawn(move || send_events(&plan.transport, sensor, plan.config.as_deref(), n))
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| anyhow::anyhow!("writer panicked"))??;
        }
        Ok(())
    })
}

/// Spins on the status segment until `done` holds.
fn wait_until(status: &StatusReader, done: impl Fn(&Snapshot) -> bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut snap = status.snapshot()?;
    loop {
        if done(&snap) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("the controller did not catch up within 120 s");
        }
        std::hint::spin_loop();
        status.snapshot_into(&mut snap)?;
    }
}

/// The latency phase: one event at a time, from its send time to its
/// sensor's event count going up in shared memory.
fn latency(status: &StatusReader, plan: &Plan) -> anyhow::Result<Vec<Duration>> {
    let sensor = "back-door";
    let (kind, states) = states_of(sensor, plan.config.as_deref())?;
    let mut connection = Connection::open(&plan.transport, &trust(plan.config.as_deref())?)?;
    let events_of = |s: &Snapshot| {
        s.sensors
            .iter()
            .find(|x| x.id == sensor)
            .map_or(0, |x| x.events)
    };
    let mut snap = status.snapshot()?;
    let mut seen = events_of(&snap);
    let mut latencies = Vec::with_capacity(plan.samples);
    for i in 0..plan.samples {
        let sent = connection.send(kind, sensor, states[i % 2])?;
        loop {
            status.snapshot_into(&mut snap)?;
            if events_of(&snap) > seen {
                seen = events_of(&snap);
                break;
            }
            if mq::monotonic_ns() - sent > 10_000_000_000 {
                bail!("event {i} never became visible");
            }
            std::hint::spin_loop();
        }
        latencies.push(Duration::from_nanos(mq::monotonic_ns() - sent));
    }
    Ok(latencies)
}
