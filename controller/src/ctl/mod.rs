//! `homesecctl`'s logic; `src/bin/homesecctl.rs` only parses the command
//! line and calls one function here per subcommand. Each returns the exit
//! code, after printing its result on stdout and its error, once, on stderr.
//!
//! [`status`] reads the shared-memory segment only — no socket, no request
//! to the controller — so it works even when the controller is too busy or
//! too broken to answer, and tells which. [`control`] is everything that
//! asks the controller over its control socket. [`watch`] is the live
//! dashboard, which reads both.

pub mod control;
pub mod status;
pub mod watch;

use homesec_ipc::endpoint::Trust;
use homesec_ipc::paths;
use homesec_ipc::status::Liveness;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Exit code of a command that worked.
pub const EXIT_OK: u8 = 0;
/// Exit code of a command that failed.
pub const EXIT_ERROR: u8 = 1;
pub use status::{EXIT_BAD_SEGMENT, EXIT_NOT_RUNNING, EXIT_TROUBLE};

/// The controller a command is about.
pub struct Target {
    /// `--instance`, else the config's, else the embedded default house's.
    pub instance: String,
    /// Whose endpoints to trust: the config's `[access]`.
    pub trust: Trust,
    /// The control socket: in `--runtime-dir`, else the config's, else the
    /// instance's default runtime dir.
    pub socket: PathBuf,
}

impl Target {
    /// The target of `--instance`, `--config` and `--runtime-dir`.
    pub fn new(
        instance: Option<&str>,
        config: Option<&Path>,
        runtime_dir: Option<&Path>,
    ) -> Result<Target, String> {
        let house = match config {
            Some(path) => homesec_config::load(path).map_err(|e| e.to_string())?,
            None => homesec_config::default_house(),
        };
        let instance = instance.map_or(house.instance, str::to_string);
        let runtime_dir = runtime_dir
            .map(Path::to_path_buf)
            .or(house.paths.runtime_dir)
            .unwrap_or_else(|| paths::default_runtime_dir(&instance));
        Ok(Target {
            socket: paths::control_socket(&runtime_dir),
            trust: house.access.client_trust().map_err(|e| e.to_string())?,
            instance,
        })
    }
}

/// `homesecctl status [--json]`: 0 when the controller is alive, 3 when it
/// is not running, 4 when the segment is unreadable or not trusted, 5 when
/// it runs with a trouble condition (memory lost, disk fault, failed input).
pub fn status(target: &Target, json: bool) -> u8 {
    match status::read_status(&target.instance, &target.trust) {
        Ok((report, live)) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => println!("{text}"),
                    Err(e) => eprintln!("homesecctl: {e}"),
                }
            } else {
                print!("{}", status::render(&report, live));
            }
            match live {
                Liveness::Alive if report.snapshot.trouble.any() => EXIT_TROUBLE,
                Liveness::Alive => EXIT_OK,
                _ => EXIT_NOT_RUNNING,
            }
        }
        Err((code, message)) => {
            eprintln!("homesecctl: {message}");
            code
        }
    }
}

/// `homesecctl watch [--once]`: see [`watch::watch`].
pub fn watch(target: &Target, once: bool) -> u8 {
    watch::watch(target, once)
}

/// `homesecctl hash-code`: reads a code on `input`, prints its argon2id hash.
pub fn hash_code(input: impl BufRead) -> u8 {
    let mut line = String::new();
    let mut input = input;
    if let Err(e) = input.read_line(&mut line) {
        eprintln!("homesecctl: cannot read the code: {e}");
        return EXIT_ERROR;
    }
    match homesec_config::code_hash::hash_code(line.trim()) {
        Ok(hash) => {
            println!("{hash}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("homesecctl: {e}");
            EXIT_ERROR
        }
    }
}
