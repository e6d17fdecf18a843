//! `homesec-load`: the load and latency tool for the controller's FIFO and
//! message-queue paths and its control socket (see
//! `homesec_controller::load`).

use clap::{Parser, Subcommand};
use homesec_controller::load::rpc::{RpcPlan, bench_rpc};
use homesec_controller::load::{Plan, Transport, bench, send_events};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(about = "Load and latency tool for the homesec event paths")]
struct Args {
    #[command(subcommand)]
    command: Cmd,
    /// Use the named FIFO at this path.
    #[arg(long, global = true, conflicts_with = "queue")]
    fifo: Option<PathBuf>,
    /// Use the message queue of this instance.
    #[arg(long, global = true, value_name = "INSTANCE")]
    queue: Option<String>,
    /// The house, when not the embedded default.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Send COUNT events for one sensor (one write(2) or mq_send each).
    Write {
        /// A sensor of the house.
        #[arg(long)]
        sensor: String,
        #[arg(long)]
        count: u64,
    },
    /// Measure throughput and latency against a running controller, each
    /// beside the raw ceiling of the same mechanism measured in the same run.
    Bench {
        /// The controller's instance.
        #[arg(long)]
        instance: String,
        /// Events for the throughput phase.
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        /// Writer threads for the throughput phase.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..))]
        writers: u64,
        /// Single events for the latency phase.
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
        samples: u64,
    },
    /// Round trips and calls/s of `status` and `activate_alarm` on the
    /// control socket with 1 and CLIENTS clients, beside a raw socket
    /// ping-pong and one fdatasync measured in the same run.
    Rpc {
        /// The controller's control socket.
        #[arg(long)]
        socket: PathBuf,
        /// A dir on the event log's disk (for the fdatasync ceiling).
        #[arg(long)]
        fsync_dir: PathBuf,
        /// Calls per measurement.
        #[arg(long, default_value_t = 20_000)]
        calls: usize,
        /// Concurrent clients of the second measurement.
        #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
        clients: u64,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Cmd::Rpc {
        socket,
        fsync_dir,
        calls,
        clients,
    } = args.command
    {
        return bench_rpc(&RpcPlan {
            socket,
            fsync_dir,
            calls: calls.max(1),
            clients: clients as usize,
        });
    }
    let transport = match (args.fifo, args.queue) {
        (Some(path), _) => Transport::Fifo(path),
        (None, Some(instance)) => Transport::Queue(instance),
        (None, None) => anyhow::bail!("say where to send: --fifo PATH or --queue INSTANCE"),
    };
    match args.command {
        Cmd::Write { sensor, count } => {
            send_events(&transport, &sensor, args.config.as_deref(), count)
        }
        Cmd::Bench {
            instance,
            count,
            writers,
            samples,
        } => bench(&Plan {
            transport,
            instance,
            count,
            writers,
            samples: samples as usize,
            config: args.config,
        }),
        // Measured above: it needs no event path.
        Cmd::Rpc { .. } => Ok(()),
    }
}
