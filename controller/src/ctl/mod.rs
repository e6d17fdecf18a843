//! `homesecctl`'s logic; `src/bin/homesecctl.rs` only parses the command
//! line and calls one function here per subcommand. Each returns the exit
//! code, after printing its result on stdout and its error, once, on stderr.
//!
//! [`status`] reads the shared-memory segment only — no socket, no request
//! to the controller — so it works even when the controller is too busy or
//! too broken to answer, and tells which.

pub mod status;

use homesec_ipc::status::Liveness;
use std::io::BufRead;
use std::path::Path;

/// Exit code of a command that worked.
pub const EXIT_OK: u8 = 0;
/// Exit code of a command that failed.
pub const EXIT_ERROR: u8 = 1;
pub use status::{EXIT_BAD_SEGMENT, EXIT_NOT_RUNNING};

/// The instance a command is about: `--instance`, else the config's, else
/// the embedded default house's.
pub fn instance(instance: Option<&str>, config: Option<&Path>) -> Result<String, String> {
    if let Some(name) = instance {
        return Ok(name.to_string());
    }
    match config {
        Some(path) => homesec_config::load(path)
            .map(|c| c.instance)
            .map_err(|e| e.to_string()),
        None => Ok(homesec_config::default_house().instance),
    }
}

/// `homesecctl status [--json]`: 0 when the controller is alive, 3 when it
/// is not running, 4 when the segment is unreadable.
pub fn status(instance: &str, json: bool) -> u8 {
    match status::read_status(instance) {
        Ok((report, live)) => {
            if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => println!("{text}"),
                    Err(e) => eprintln!("homesecctl: {e}"),
                }
            } else {
                print!("{}", status::render(&report, live));
            }
            if matches!(live, Liveness::Alive) {
                EXIT_OK
            } else {
                EXIT_NOT_RUNNING
            }
        }
        Err((code, message)) => {
            eprintln!("homesecctl: {message}");
            code
        }
    }
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
