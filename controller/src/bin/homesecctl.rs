//! `homesecctl`: the operator's command line. `status` reads the shared
//! memory segment; `hash-code` makes a `code_hash` for the config. The
//! logic is in `homesec_controller::ctl`.

use clap::{Parser, Subcommand};
use homesec_controller::ctl;
use std::path::PathBuf;
use std::process::ExitCode;

/// homesecctl: look at and control a homesec controller.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Instance name (default: the config's, else "home").
    #[arg(long, global = true, value_name = "NAME")]
    instance: Option<String>,
    /// The house description, to find the instance name.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show alarm state, mode and every sensor, from shared memory.
    /// Exit code 0 when the controller is alive, 3 when it is not running,
    /// 4 when the status segment is unreadable or not trusted, 5 when it
    /// runs with a trouble condition (each is named on a TROUBLE line).
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Read a code (4 to 12 digits) on stdin and print its hash for `code_hash`.
    HashCode,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let code = match args.command {
        Command::Status { json } => {
            match ctl::Target::new(args.instance.as_deref(), args.config.as_deref()) {
                Ok(target) => ctl::status(&target, json),
                Err(e) => {
                    eprintln!("homesecctl: {e}");
                    ctl::EXIT_ERROR
                }
            }
        }
        Command::HashCode => ctl::hash_code(std::io::stdin().lock()),
    };
    ExitCode::from(code)
}
