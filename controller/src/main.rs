//! `homesec-controller`: parses the command line, sets up diagnostics and
//! runs the daemon; every error ends here, printed once with its causes.

use clap::Parser;
use homesec_controller::cli::Args;
use homesec_controller::{daemon, diagnostics, settings};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Args::parse();
    if args.check_config {
        return match settings::check_config(args.config.as_deref()) {
            Ok(summary) => {
                println!("{summary}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("homesec-controller: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let settings = match settings::Settings::resolve(&args.overrides()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("homesec-controller: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    daemon::set_private_umask();
    let diagnostics = diagnostics::init(Some(&settings.log_dir));
    match daemon::run(settings, diagnostics.log_file.clone()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}
