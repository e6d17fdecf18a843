//! The raw ceilings `homesec-load bench` measures homesec against, in the
//! same run: the bare kernel mechanism moving the same events with the same
//! shape of load and nothing of homesec on the receiving side.
//!
//! - FIFO: a private FIFO, `writers` threads writing one line per `write(2)`
//!   (the same lines as the real flood), one reader making 64 KiB reads and
//!   counting newlines, as the controller reads.
//! - Queue: a private queue of the contract's depth and message size,
//!   `writers` threads sending encoded sensor messages, one receiver
//!   blocked in `mq_receive`.
//!
//! How fast a flood goes depends on where the scheduler puts the threads:
//! on this 2-core VM, waking a thread on an idle core costs tens of
//! microseconds, a switch on the same core one or two. The flood is
//! therefore run three ways (threads where the scheduler likes, all on one
//! core, receiver on one core and writers on the other) and the ceiling is
//! the best of them: what the mechanism can do on this machine.
//!
//! Latency is one-way: the sender stamps CLOCK_MONOTONIC, a receiver
//! blocked in `read`/`mq_receive` takes the time when it wakes, and the
//! sender waits (spinning, as `bench` does on the status segment) until
//! that event was received before sending the next. The two are pinned to
//! different CPUs: against homesec the spinning sender holds one core and
//! the controller wakes on another, and a receiver woken on the sender's
//! own core (a same-core switch, about 1.5 µs here) would be a ceiling
//! homesec never faces.

use super::Transport;
use anyhow::{Context, bail};
use homesec_ipc::mq::{self, MAX_MSG_SIZE, Message, QUEUE_DEPTH};
use homesec_ipc::{SensorKind, SensorState};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the bare mechanism did.
pub struct Ceiling {
    /// Events per second through it, from the first send to the last
    /// receive: the best of [`Ceiling::placements`].
    pub rate: f64,
    /// The rate of each placement of the threads.
    pub placements: Vec<(Placement, f64)>,
    /// One-way latencies of single events, sorted.
    pub latencies: Vec<Duration>,
}

/// Measures the ceiling of `transport`'s mechanism with `count` events from
/// `writers` threads, then `samples` single events.
pub fn measure(
    transport: &Transport,
    count: u64,
    writers: u64,
    samples: usize,
) -> anyhow::Result<Ceiling> {
    let pipe: Box<dyn RawPipe> = match transport {
        Transport::Fifo(_) => Box::new(RawFifo::create()?),
        Transport::Queue(_) => Box::new(RawQueue::create()?),
    };
    let mut placements = Vec::new();
    for placement in [Placement::Free, Placement::OneCore, Placement::TwoCores] {
        placements.push((placement, flood(pipe.as_ref(), count, writers, placement)?));
    }
    let rate = placements.iter().map(|p| p.1).fold(0.0, f64::max);
    let mut latencies = latency(pipe.as_ref(), samples)?;
    latencies.sort_unstable();
    Ok(Ceiling {
        rate,
        placements,
        latencies,
    })
}

/// Where the flood's threads run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Where the scheduler puts them.
    Free,
    /// All on one CPU.
    OneCore,
    /// The receiver on one CPU, the writers on another.
    TwoCores,
}

impl Placement {
    /// The CPUs of the writers and of the receiver; `None`: not pinned.
    pub(crate) fn cpus(self) -> Option<(usize, usize)> {
        let (a, b) = two_cpus()?;
        match self {
            Placement::Free => None,
            Placement::OneCore => Some((a, a)),
            Placement::TwoCores => Some((a, b)),
        }
    }

    /// How it is printed.
    pub fn name(self) -> &'static str {
        match self {
            Placement::Free => "unpinned",
            Placement::OneCore => "one core",
            Placement::TwoCores => "two cores",
        }
    }
}

/// A bare FIFO or queue: writers, and a receiver that counts events.
trait RawPipe: Sync {
    /// A new sending end.
    fn writer(&self) -> anyhow::Result<Box<dyn RawWriter>>;
    /// Waits at most `wait` for events; returns how many arrived (0 when
    /// none did in time).
    fn receive(&self, buf: &mut [u8], wait: Duration) -> anyhow::Result<u64>;
}

/// One sender.
trait RawWriter: Send {
    /// Sends event `i` (one `write(2)` or `mq_send`).
    fn send(&mut self, i: u64) -> anyhow::Result<()>;
}

/// How long a receiver waits before it looks whether the senders failed.
const RECEIVE_WAIT: Duration = Duration::from_millis(200);
/// A measurement that has not ended by then has failed.
const MEASURE_DEADLINE: Duration = Duration::from_secs(120);

/// The flood: `count` events from `writers` threads; events/s until the
/// receiver counted the last.
fn flood(
    pipe: &dyn RawPipe,
    count: u64,
    writers: u64,
    placement: Placement,
) -> anyhow::Result<f64> {
    let mut ends = (0..writers)
        .map(|_| pipe.writer())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let cpus = placement.cpus();
    let _pinned = cpus.map(|(_, receiver)| Pinned::to(receiver));
    let failed = &std::sync::atomic::AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let per_writer = count / writers;
        let handles: Vec<_> = ends
            .iter_mut()
            .enumerate()
            .map(|(w, end)| {
                let n = if w as u64 == writers - 1 {
                    count - per_writer * (writers - 1)
                } else {
                    per_writer
                };
                scope.spawn(move || {
                    let _pinned = cpus.map(|(writer, _)| Pinned::to(writer));
                    let sent = (0..n).try_for_each(|i| end.send(i));
                    failed.fetch_or(sent.is_err(), Ordering::Relaxed);
                    sent
                })
            })
            .collect();
        let mut buf = vec![0u8; 64 * 1024];
        let mut received = 0;
        while received < count {
            received += pipe.receive(&mut buf, RECEIVE_WAIT)?;
            if failed.load(Ordering::Relaxed) || started.elapsed() > MEASURE_DEADLINE {
                break;
            }
        }
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("raw writer panicked"))??;
        }
        if received < count {
            bail!("the raw flood received {received} of {count} events");
        }
        Ok(())
    })?;
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

/// `samples` single events, each from its send to a blocked receiver waking.
fn latency(pipe: &dyn RawPipe, samples: usize) -> anyhow::Result<Vec<Duration>> {
    let mut end = pipe.writer()?;
    let (sent_at, received) = (&AtomicU64::new(0), &AtomicU64::new(0));
    let stop = &std::sync::atomic::AtomicBool::new(false);
    let cpus = two_cpus();
    let _pinned = cpus.map(|(mine, _)| Pinned::to(mine));
    std::thread::scope(|scope| -> anyhow::Result<Vec<Duration>> {
        let receiver = scope.spawn(move || -> anyhow::Result<Vec<Duration>> {
            let _pinned = cpus.map(|(_, theirs)| Pinned::to(theirs));
            let mut buf = vec![0u8; 64 * 1024];
            let mut out = Vec::with_capacity(samples);
            while out.len() < samples && !stop.load(Ordering::Relaxed) {
                let n = pipe.receive(&mut buf, RECEIVE_WAIT)?;
                if n > 0 {
                    let now = mq::monotonic_ns();
                    out.push(Duration::from_nanos(now - sent_at.load(Ordering::Acquire)));
                    received.fetch_add(n, Ordering::Release);
                }
            }
            Ok(out)
        });
        let sent = send_one_by_one(end.as_mut(), samples, sent_at, received);
        stop.store(true, Ordering::Relaxed);
        let latencies = receiver
            .join()
            .map_err(|_| anyhow::anyhow!("raw receiver panicked"))??;
        sent.map(|()| latencies)
    })
}

/// Sends `samples` events, each once the one before was received.
fn send_one_by_one(
    end: &mut dyn RawWriter,
    samples: usize,
    sent_at: &AtomicU64,
    received: &AtomicU64,
) -> anyhow::Result<()> {
    for i in 0..samples as u64 {
        sent_at.store(mq::monotonic_ns(), Ordering::Release);
        end.send(i)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while received.load(Ordering::Acquire) <= i {
            if Instant::now() > deadline {
                bail!("raw event {i} was never received");
            }
            std::hint::spin_loop();
        }
    }
    Ok(())
}

/// The calling thread pinned to one CPU until dropped, when the CPUs it
/// had before are restored (on every path, errors included).
pub(crate) struct Pinned(Option<libc::cpu_set_t>);

impl Pinned {
    /// Pins the calling thread to `cpu` (best effort: a measurement aid).
    pub(crate) fn to(cpu: usize) -> Pinned {
        let before = all_cpus();
        // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET adds one
        // CPU below CPU_SETSIZE (it came from the allowed set).
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        unsafe { libc::CPU_SET(cpu, &mut set) };
        set_affinity(&set);
        Pinned(before)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if let Some(before) = &self.0 {
            set_affinity(before);
        }
    }
}

/// Two CPUs this thread may run on, when it may run on two.
fn two_cpus() -> Option<(usize, usize)> {
    let set = all_cpus()?;
    // SAFETY: `set` is an initialised cpu_set_t; CPU_ISSET reads it.
    let mut allowed =
        (0..libc::CPU_SETSIZE as usize).filter(|&c| unsafe { libc::CPU_ISSET(c, &set) });
    Some((allowed.next()?, allowed.next()?))
}

/// The CPUs this thread may run on now.
fn all_cpus() -> Option<libc::cpu_set_t> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set, filled by the call.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid cpu_set_t of the size passed.
    let got = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
    (got == 0).then_some(set)
}

fn set_affinity(set: &libc::cpu_set_t) {
    // SAFETY: `set` is a valid cpu_set_t of the size passed.
    let _ = unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), set) };
}

/// A FIFO in a private directory, read like the controller reads its own.
struct RawFifo {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    reader: std::fs::File,
}

impl RawFifo {
    fn create() -> anyhow::Result<RawFifo> {
        let dir = tempfile::tempdir().context("a directory for the raw FIFO")?;
        let path = dir.path().join("raw.fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .with_context(|| format!("mkfifo {}", path.display()))?;
        // Read-write, as the controller opens its FIFO: never an EOF.
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        Ok(RawFifo {
            _dir: dir,
            path,
            reader,
        })
    }
}

impl RawPipe for RawFifo {
    fn writer(&self) -> anyhow::Result<Box<dyn RawWriter>> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .with_context(|| format!("opening {}", self.path.display()))?;
        Ok(Box::new(FifoWriter(file)))
    }

    fn receive(&self, buf: &mut [u8], wait: Duration) -> anyhow::Result<u64> {
        if !readable(&self.reader, wait)? {
            return Ok(0);
        }
        let n = (&self.reader).read(buf).context("reading the raw FIFO")?;
        Ok(memchr::memchr_iter(b'\n', &buf[..n]).count() as u64)
    }
}

/// Whether `file` has bytes to read within `wait`.
fn readable(file: &std::fs::File, wait: Duration) -> anyhow::Result<bool> {
    use std::os::fd::AsRawFd;
    let mut fd = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(wait.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fd` is one valid pollfd for the call's duration.
    let ready = unsafe { libc::poll(&mut fd, 1, ms) };
    match ready {
        -1 if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {
            Ok(false)
        }
        -1 => Err(std::io::Error::last_os_error()).context("waiting on the raw FIFO"),
        n => Ok(n > 0),
    }
}

struct FifoWriter(std::fs::File);

impl RawWriter for FifoWriter {
    fn send(&mut self, i: u64) -> anyhow::Result<()> {
        let state = if i % 2 == 0 { "open" } else { "closed" };
        // The same line, built the same way, as the real flood's.
        self.0
            .write_all(format!("front-door {state}\n").as_bytes())
            .context("writing the raw FIFO")
    }
}

/// A queue of the contract's attributes, removed when dropped.
struct RawQueue {
    name: String,
    receiver: posixmq::PosixMq,
}

impl RawQueue {
    fn create() -> anyhow::Result<RawQueue> {
        let name = format!("/homesec-ceiling-{}", std::process::id());
        let receiver = posixmq::OpenOptions::readonly()
            .create_new()
            .mode(0o600)
            .max_msg_len(MAX_MSG_SIZE)
            .capacity(QUEUE_DEPTH)
            .open(&name)
            .with_context(|| format!("creating the raw queue {name}"))?;
        Ok(RawQueue { name, receiver })
    }
}

impl Drop for RawQueue {
    fn drop(&mut self) {
        let _ = posixmq::remove_queue(&self.name);
    }
}

impl RawPipe for RawQueue {
    fn writer(&self) -> anyhow::Result<Box<dyn RawWriter>> {
        let mq = posixmq::OpenOptions::writeonly()
            .open(&self.name)
            .with_context(|| format!("opening the raw queue {}", self.name))?;
        Ok(Box::new(QueueWriter(mq)))
    }

    fn receive(&self, buf: &mut [u8], wait: Duration) -> anyhow::Result<u64> {
        match self.receiver.recv_timeout(buf, wait) {
            Ok(_) => Ok(1),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Ok(0),
            Err(e) => Err(e).context("receiving from the raw queue"),
        }
    }
}

struct QueueWriter(posixmq::PosixMq);

impl RawWriter for QueueWriter {
    fn send(&mut self, i: u64) -> anyhow::Result<()> {
        let state = if i % 2 == 0 {
            SensorState::Motion
        } else {
            SensorState::Clear
        };
        // Encoded per send, as the real sender does.
        let message = Message::sensor(SensorKind::Motion, "hall-motion", state);
        let mut buf = [0u8; MAX_MSG_SIZE];
        let len = message.encode(&mut buf).context("encoding")?;
        self.0
            .send(message.priority(), &buf[..len])
            .context("sending to the raw queue")
    }
}
