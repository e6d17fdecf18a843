//! `homesecctl`: the operator's command line. `status` reads the shared
//! memory segment; `hash-code` makes a `code_hash` for the config; `watch`
//! reads both the segment and the control socket; the other commands go
//! through the control socket. The logic is in `homesec_controller::ctl`.

use clap::{Parser, Subcommand, ValueEnum};
use homesec_controller::ctl::{self, control::Action};
use homesec_ipc::command::ArmOptions;
use homesec_ipc::{AlarmKind, Mode};
use std::path::PathBuf;
use std::process::ExitCode;

/// homesecctl: look at and control a homesec controller.
///
/// Exit codes: 0 done, 1 error, 2 usage, 3 the controller is not running,
/// 4 refused (wrong code, code entry locked, open sensors, unknown sensor,
/// not permitted) or, for `status`, the status segment is unreadable,
/// 5 (`status`) running with a trouble condition. Codes are read from
/// HOMESEC_CODE or asked for without echo; never give them as arguments.
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Args {
    /// Instance name (default: the config's, else "home").
    #[arg(long, global = true, value_name = "NAME")]
    instance: Option<String>,
    /// The house description, to find the instance name and runtime dir.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The controller's runtime dir, where its control socket is.
    #[arg(long, global = true, value_name = "DIR")]
    runtime_dir: Option<PathBuf>,
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
    /// Arm in a mode (asks for a code).
    Arm {
        /// away, home or night.
        mode: ModeArg,
        /// Bypass open or faulted sensors instead of refusing.
        #[arg(long)]
        force: bool,
        /// Bypass these sensors first.
        #[arg(long, value_name = "SENSOR", num_args = 1..)]
        bypass: Vec<String>,
        /// Armed at once, without the exit delay.
        #[arg(long)]
        skip_delay: bool,
    },
    /// Disarm, also ending a raised alarm (asks for a code).
    Disarm,
    /// Raise the alarm.
    Alarm {
        #[command(subcommand)]
        what: AlarmCommand,
    },
    /// Bypass sensors until the next disarm (asks for a code).
    Bypass {
        /// Sensor ids.
        #[arg(required = true)]
        sensors: Vec<String>,
        /// End their bypass instead.
        #[arg(long)]
        off: bool,
    },
    /// Switch the siren off; the alarm stays raised (asks for a code).
    Silence,
    /// Sound the siren briefly while disarmed (asks for a code).
    SirenTest,
    /// Print event log records from the controller.
    Events {
        /// Only records after this seq.
        #[arg(long, value_name = "SEQ", default_value_t = 0)]
        since: u64,
        /// Keep printing new records as they are logged.
        #[arg(long)]
        follow: bool,
        /// One JSON record per line, as in the log.
        #[arg(long)]
        json: bool,
    },
    /// A live dashboard: alarm state and countdown, sensors, cameras, the
    /// newest events; keys arm, disarm and bypass (the code is asked in a
    /// masked field). When stdout is not a terminal, a plain listing is
    /// printed at each change instead.
    Watch {
        /// Print the listing once and exit (exit code as for `status`).
        #[arg(long)]
        once: bool,
    },
    /// Read a code (4 to 12 digits) on stdin and print its hash for `code_hash`.
    HashCode,
}

#[derive(Debug, Subcommand)]
enum AlarmCommand {
    /// Raise the alarm now, from any state (no code needed).
    Activate {
        /// What for.
        #[arg(long, value_enum, default_value_t = KindArg::Panic)]
        kind: KindArg,
        /// Why, recorded in the event log.
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    Away,
    Home,
    Night,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Panic,
    Fire,
    Medical,
    Silent,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Command::HashCode = args.command {
        return ExitCode::from(ctl::hash_code(std::io::stdin().lock()));
    }
    let target = match ctl::Target::new(
        args.instance.as_deref(),
        args.config.as_deref(),
        args.runtime_dir.as_deref(),
    ) {
        Ok(target) => target,
        Err(e) => {
            eprintln!("homesecctl: {e}");
            return ExitCode::from(ctl::EXIT_ERROR);
        }
    };
    let socket = target.socket.clone();
    let code = match args.command {
        Command::Status { json } => ctl::status(&target, json),
        Command::Watch { once } => ctl::watch(&target, once),
        Command::Events {
            since,
            follow,
            json,
        } => ctl::control::events(&socket, since, follow, json),
        // Answered above, without a target.
        Command::HashCode => ctl::EXIT_OK,
        Command::Arm {
            mode,
            force,
            bypass,
            skip_delay,
        } => {
            let mode = match mode {
                ModeArg::Away => Mode::Away,
                ModeArg::Home => Mode::Home,
                ModeArg::Night => Mode::Night,
            };
            let options = ArmOptions { force, skip_delay };
            let arm = Action::Arm {
                mode,
                options,
                bypass,
            };
            ctl::control::command(&socket, arm)
        }
        Command::Disarm => ctl::control::command(&socket, Action::Disarm),
        Command::Alarm {
            what: AlarmCommand::Activate { kind, reason },
        } => {
            let kind = match kind {
                KindArg::Panic => AlarmKind::Panic,
                KindArg::Fire => AlarmKind::Fire,
                KindArg::Medical => AlarmKind::Medical,
                KindArg::Silent => AlarmKind::Silent,
            };
            ctl::control::command(&socket, Action::Activate { kind, reason })
        }
        Command::Bypass { sensors, off } => {
            ctl::control::command(&socket, Action::Bypass { sensors, on: !off })
        }
        Command::Silence => ctl::control::command(&socket, Action::Silence),
        Command::SirenTest => ctl::control::command(&socket, Action::SirenTest),
    };
    ExitCode::from(code)
}
