//! `homesec-sensors`: parses the command line, sets up tracing to stderr
//! (`RUST_LOG`, default `info`), runs the process and turns its result into
//! an exit code; an error is printed once, with its causes.

use clap::Parser;
use homesec_sensors::cli::Args;
use std::io::IsTerminal;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour for a person at a terminal, never into a file or a pipe.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match homesec_sensors::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("homesec-sensors: {e:#}");
            ExitCode::FAILURE
        }
    }
}
