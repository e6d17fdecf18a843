//! `homesec-load`: the load and latency tool for the controller's FIFO
//! path (see `homesec_controller::load`).

use clap::{Parser, Subcommand};
use homesec_controller::load::{bench, states_of, write_lines};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(about = "Load and latency tool for the homesec FIFO path")]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Write COUNT event lines for one sensor, one write(2) per line.
    Write {
        #[arg(long)]
        fifo: PathBuf,
        /// A sensor of the embedded default house (or of --config).
        #[arg(long)]
        sensor: String,
        #[arg(long)]
        count: u64,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Measure throughput and latency against a running controller.
    Bench {
        #[arg(long)]
        fifo: PathBuf,
        #[arg(long)]
        instance: String,
        /// Events for the throughput phase.
        #[arg(long, default_value_t = 1_000_000)]
        count: u64,
        /// Writer threads for the throughput phase.
        #[arg(long, default_value_t = 4)]
        writers: u64,
        /// Single events for the latency phase.
        #[arg(long, default_value_t = 10_000)]
        samples: usize,
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Cmd::Write {
            fifo,
            sensor,
            count,
            config,
        } => {
            let states = states_of(&sensor, config.as_deref())?;
            write_lines(&fifo, &sensor, states, count)
        }
        Cmd::Bench {
            fifo,
            instance,
            count,
            writers,
            samples,
            config,
        } => bench(&fifo, &instance, count, writers, samples, config.as_deref()),
    }
}
