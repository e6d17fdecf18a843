//! `homesecctl`: the operator's command line. `status` reads the shared
//! memory segment; `hash-code` makes a `code_hash` for the config.

use clap::{Parser, Subcommand};
use homesec_controller::ctl;
use std::io::BufRead;
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
    /// 4 when the status segment is unreadable.
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
    match args.command {
        Command::Status { json } => status(&args.instance, &args.config, json),
        Command::HashCode => hash_code(),
    }
}

fn instance(instance: &Option<String>, config: &Option<PathBuf>) -> Result<String, String> {
    if let Some(name) = instance {
        return Ok(name.clone());
    }
    match config {
        Some(path) => homesec_config::load(path)
            .map(|c| c.instance)
            .map_err(|e| e.to_string()),
        None => Ok(homesec_config::default_house().instance),
    }
}

fn status(instance_arg: &Option<String>, config: &Option<PathBuf>, json: bool) -> ExitCode {
    let instance = match instance(instance_arg, config) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("homesecctl: {e}");
            return ExitCode::FAILURE;
        }
    };
    match ctl::read_status(&instance) {
        Ok((report, live)) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => println!("{text}"),
                    Err(e) => eprintln!("homesecctl: {e}"),
                }
            } else {
                print!("{}", ctl::render(&report, live));
            }
            if matches!(live, homesec_ipc::status::Liveness::Alive) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(ctl::EXIT_NOT_RUNNING)
            }
        }
        Err((code, message)) => {
            eprintln!("homesecctl: {message}");
            ExitCode::from(code)
        }
    }
}

fn hash_code() -> ExitCode {
    let mut line = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut line) {
        eprintln!("homesecctl: cannot read the code: {e}");
        return ExitCode::FAILURE;
    }
    match homesec_config::codes::hash_code(line.trim()) {
        Ok(hash) => {
            println!("{hash}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("homesecctl: {e}");
            ExitCode::FAILURE
        }
    }
}
