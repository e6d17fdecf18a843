//! Latency and throughput of POSIX message queues between two processes.
//!
//! The example re-executes itself as the ponger, which echoes every ping
//! from one queue onto another. Each ping is an encoded door report (the
//! size of a real message). Prints one-way latency estimates (round trip / 2:
//! p50, p99, max) and then the messages/s of a one-way flood into a queue of
//! the contract's depth. Queues are blocking here; the controller's is not.
//!
//! `cargo run --release -p homesec-ipc --example mq_pingpong [-- <round-trips>]`

use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant};

use homesec_ipc::mq::{MAX_MSG_SIZE, Message, QUEUE_DEPTH};
use homesec_ipc::{SensorKind, SensorState};
use posixmq::{OpenOptions, PosixMq};

const DEFAULT_ROUND_TRIPS: usize = 100_000;
/// Round trips before measuring, so page faults and wake-up paths are warm.
const WARM_UP: usize = 1_000;
/// A message the ponger echoes. Its first byte is the message version (1).
const PING: u8 = 1;
/// A flood message: counted, not echoed.
const FLOOD: u8 = b'F';
/// End of the flood: the ponger answers once, with the count as text.
const FLOOD_END: u8 = b'E';
/// The ponger stops.
const QUIT: u8 = b'Q';

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [role, ping, pong] if role == "ponger" => run_ponger(ping, pong),
        [] => run_pinger(DEFAULT_ROUND_TRIPS),
        [n] => n
            .parse()
            .map_err(|e| format!("bad round-trip count '{n}': {e}"))
            .and_then(run_pinger),
        _ => Err("usage: mq_pingpong [<round-trips>]".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mq_pingpong: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Two queues named after this process, removed when dropped.
struct Queues {
    ping: String,
    pong: String,
}

impl Queues {
    fn create() -> Result<Queues, String> {
        let pid = std::process::id();
        let queues = Queues {
            ping: format!("/homesec-pingpong-{pid}-ping"),
            pong: format!("/homesec-pingpong-{pid}-pong"),
        };
        for name in [&queues.ping, &queues.pong] {
            OpenOptions::readwrite()
                .create_new()
                .max_msg_len(MAX_MSG_SIZE)
                .capacity(QUEUE_DEPTH)
                .open(name)
                .map_err(|e| format!("create {name}: {e}"))?;
        }
        Ok(queues)
    }
}

impl Drop for Queues {
    fn drop(&mut self) {
        let _ = posixmq::remove_queue(&self.ping);
        let _ = posixmq::remove_queue(&self.pong);
    }
}

fn open(name: &str, options: &mut OpenOptions) -> Result<PosixMq, String> {
    options.open(name).map_err(|e| format!("open {name}: {e}"))
}

fn send(mq: &PosixMq, bytes: &[u8]) -> Result<(), String> {
    mq.send(0, bytes).map_err(|e| format!("mq_send: {e}"))
}

fn recv<'a>(mq: &PosixMq, buf: &'a mut [u8; MAX_MSG_SIZE]) -> Result<&'a [u8], String> {
    let (_, len) = mq.recv(buf).map_err(|e| format!("mq_receive: {e}"))?;
    Ok(&buf[..len])
}

fn run_pinger(round_trips: usize) -> Result<(), String> {
    if round_trips == 0 {
        return Err("the round-trip count must be at least 1".to_string());
    }
    let queues = Queues::create()?;
    let ping = open(&queues.ping, &mut OpenOptions::writeonly())?;
    let pong = open(&queues.pong, &mut OpenOptions::readonly())?;
    let exe = std::env::current_exe().map_err(|e| format!("find own executable: {e}"))?;
    let mut ponger = Command::new(exe)
        .args(["ponger", &queues.ping, &queues.pong])
        .spawn()
        .map_err(|e| format!("spawn ponger: {e}"))?;
    let result = measure(&ping, &pong, round_trips);
    let stopped = stop(&ping, &mut ponger);
    result.and(stopped)
}

fn measure(ping: &PosixMq, pong: &PosixMq, round_trips: usize) -> Result<(), String> {
    let door = Message::sensor(SensorKind::Door, "front-door", SensorState::Open);
    let mut message = [0; MAX_MSG_SIZE];
    let len = door.encode(&mut message).map_err(|e| e.to_string())?;
    let message = &message[..len];
    let mut buf = [0; MAX_MSG_SIZE];
    for _ in 0..WARM_UP {
        send(ping, message)?;
        recv(pong, &mut buf)?;
    }
    let mut one_way = Vec::with_capacity(round_trips);
    for _ in 0..round_trips {
        let started = Instant::now();
        send(ping, message)?;
        recv(pong, &mut buf)?;
        one_way.push(started.elapsed() / 2);
    }
    one_way.sort_unstable();
    println!(
        "{round_trips} round trips of {len}-byte messages, one-way (round trip / 2): p50 {:?}  p99 {:?}  max {:?}",
        percentile(&one_way, 50),
        percentile(&one_way, 99),
        one_way[one_way.len() - 1],
    );

    let mut flood = message.to_vec();
    flood[0] = FLOOD;
    let started = Instant::now();
    for _ in 0..round_trips {
        send(ping, &flood)?;
    }
    send(ping, &[FLOOD_END])?;
    let counted = String::from_utf8_lossy(recv(pong, &mut buf)?).into_owned();
    let elapsed = started.elapsed();
    if counted != round_trips.to_string() {
        return Err(format!(
            "flood: sent {round_trips}, ponger counted {counted}"
        ));
    }
    println!(
        "one-way flood into a {QUEUE_DEPTH}-deep queue: {round_trips} messages in {elapsed:.2?}, {:.0} messages/s",
        round_trips as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// The `p`th percentile of sorted, non-empty samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

fn stop(ping: &PosixMq, ponger: &mut Child) -> Result<(), String> {
    send(ping, &[QUIT])?;
    let status = ponger.wait().map_err(|e| format!("wait for ponger: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("ponger failed: {status}"))
    }
}

fn run_ponger(ping: &str, pong: &str) -> Result<(), String> {
    let ping = open(ping, &mut OpenOptions::readonly())?;
    let pong = open(pong, &mut OpenOptions::writeonly())?;
    let mut buf = [0; MAX_MSG_SIZE];
    let mut flooded = 0usize;
    loop {
        let message = recv(&ping, &mut buf)?;
        match message.first() {
            Some(&PING) => send(&pong, message)?,
            Some(&FLOOD) => flooded += 1,
            Some(&FLOOD_END) => send(&pong, flooded.to_string().as_bytes())?,
            Some(&QUIT) => return Ok(()),
            _ => return Err(format!("unexpected message {message:?}")),
        }
    }
}
