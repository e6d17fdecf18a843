//! `homesec-reporter`: parses the command line, makes the report, and turns
//! the outcome into an exit code: 0 done, 1 error (printed once, one line),
//! 2 bad arguments (clap's, or a period or instance that does not parse),
//! 3 the log failed its integrity check.

use clap::Parser;
use homesec_reporter::cli::Args;
use homesec_reporter::{Outcome, run};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::IntegrityFailed) => ExitCode::from(3),
        Err(e) => {
            eprintln!("homesec-reporter: {e}");
            if e.is_usage() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
