//! `homesec-load rpc`: the control socket's round trips and calls per
//! second against a running controller, each beside what bounds it,
//! measured in the same run: a raw Unix-socket ping-pong of the same sizes
//! (what any RPC over this socket costs at least) and one `fdatasync` on
//! the event log's disk (what a command, answered only once its record is
//! durable, waits for at least).

use super::Percentiles;
use super::ceiling::{Pinned, Placement};
use anyhow::Context;
use homesec_ipc::AlarmKind;
use homesec_ipc::rpc::{self, ControlClient};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to measure.
pub struct RpcPlan {
    /// The controller's control socket.
    pub socket: PathBuf,
    /// A dir on the event log's disk, for the `fdatasync` ceiling.
    pub fsync_dir: PathBuf,
    /// Calls per measurement.
    pub calls: usize,
    /// Concurrent clients of the second measurement of each call.
    pub clients: usize,
}

/// One measurement: latencies and calls per second.
struct Measured {
    latencies: Vec<Duration>,
    rate: f64,
}

/// Runs every measurement and prints the table.
pub fn bench_rpc(plan: &RpcPlan) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let response_size = runtime.block_on(status_size(&plan.socket))?;
    // The best placement is the ceiling (as for the event paths): on a VM,
    // two threads on one core skip the wake-up across cores.
    let mut raw = Vec::new();
    for placement in [Placement::Free, Placement::OneCore, Placement::TwoCores] {
        let latencies = ping_pong(200, response_size, plan.calls, placement)?;
        println!(
            "ceiling: raw ping-pong 200 B -> {response_size} B, {:<9}  {}",
            placement.name(),
            Percentiles::of(&latencies)
        );
        if raw.is_empty() || Percentiles::of(&latencies).p50 < Percentiles::of(&raw).p50 {
            raw = latencies;
        }
    }
    let fsync = fdatasync(&plan.fsync_dir, 200)?;
    println!(
        "ceiling: fdatasync of one record       {}",
        Percentiles::of(&fsync)
    );
    for clients in [1, plan.clients] {
        for call in [Call::Status, Call::Activate] {
            let measured = runtime.block_on(measure(plan, call, clients))?;
            let p = Percentiles::of(&measured.latencies);
            println!(
                "{:<15} {clients:>2} client(s): {:>8.0} calls/s  {p}",
                call.name(),
                measured.rate
            );
        }
    }
    let raw_p50 = Percentiles::of(&raw).p50;
    let fsync_p50 = Percentiles::of(&fsync).p50;
    println!(
        "targets (best raw p50): status p50 <= 4 x raw = {:.1?}; activate_alarm p50 <= fdatasync + 4 x raw = {:.1?}",
        raw_p50 * 4,
        fsync_p50 + raw_p50 * 4
    );
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum Call {
    Status,
    Activate,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::Status => "status",
            Call::Activate => "activate_alarm",
        }
    }

    async fn run(self, client: &ControlClient) -> anyhow::Result<()> {
        match self {
            Call::Status => {
                client.status(context()).await??;
            }
            Call::Activate => {
                let kind = AlarmKind::Panic;
                client
                    .activate_alarm(context(), kind, "homesec-load".into())
                    .await??;
            }
        }
        Ok(())
    }
}

/// `plan.calls` calls shared by `clients` connections, each client's calls
/// one after the other.
async fn measure(plan: &RpcPlan, call: Call, clients: usize) -> anyhow::Result<Measured> {
    let mut connections = Vec::new();
    for _ in 0..clients {
        connections.push(rpc::connect(&plan.socket).await?);
    }
    let per_client = plan.calls.div_ceil(clients);
    let started = Instant::now();
    let runs = connections.into_iter().map(|client| async move {
        let mut latencies = Vec::with_capacity(per_client);
        for _ in 0..per_client {
            let t = Instant::now();
            call.run(&client).await?;
            latencies.push(t.elapsed());
        }
        anyhow::Ok(latencies)
    });
    let mut latencies = Vec::new();
    for done in futures::future::join_all(runs).await {
        latencies.extend(done?);
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Ok(Measured { latencies, rate })
}

/// The size of a `status` answer on the wire, for the raw ping-pong.
async fn status_size(socket: &Path) -> anyhow::Result<usize> {
    let client = rpc::connect(socket)
        .await
        .with_context(|| format!("connecting to {}", socket.display()))?;
    let snapshot = client.status(context()).await??;
    Ok(serde_json::to_vec(&snapshot)?.len() + 100)
}

/// Round trips of `request` bytes out and `response` bytes back over a
/// private socket pair, a thread echoing on the other end, the two threads
/// placed as `placement` says.
fn ping_pong(
    request: usize,
    response: usize,
    samples: usize,
    placement: Placement,
) -> anyhow::Result<Vec<Duration>> {
    let (mut ours, mut theirs) = UnixStream::pair()?;
    let cpus = placement.cpus();
    let _pinned = cpus.map(|(caller, _)| Pinned::to(caller));
    let echo = std::thread::spawn(move || -> std::io::Result<()> {
        let _pinned = cpus.map(|(_, echo)| Pinned::to(echo));
        let (mut inbound, outbound) = (vec![0u8; request], vec![1u8; response]);
        loop {
            if theirs.read_exact(&mut inbound).is_err() {
                return Ok(());
            }
            theirs.write_all(&outbound)?;
        }
    });
    let (outbound, mut inbound) = (vec![0u8; request], vec![0u8; response]);
    let mut latencies = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t = Instant::now();
        ours.write_all(&outbound)?;
        ours.read_exact(&mut inbound)?;
        latencies.push(t.elapsed());
    }
    drop(ours);
    echo.join()
        .map_err(|_| anyhow::anyhow!("the echo thread panicked"))??;
    latencies.sort_unstable();
    Ok(latencies)
}

/// `samples` appends of one record's size, each followed by `fdatasync`,
/// in a scratch file in `dir`.
fn fdatasync(dir: &Path, samples: usize) -> anyhow::Result<Vec<Duration>> {
    let mut file = tempfile::tempfile_in(dir)
        .with_context(|| format!("a scratch file in {}", dir.display()))?;
    let record = vec![b'x'; 250];
    let mut latencies = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t = Instant::now();
        file.write_all(&record)?;
        file.sync_data()?;
        latencies.push(t.elapsed());
    }
    latencies.sort_unstable();
    Ok(latencies)
}

fn context() -> tarpc::context::Context {
    let mut ctx = tarpc::context::current();
    ctx.deadline = Instant::now() + Duration::from_secs(30);
    ctx
}
