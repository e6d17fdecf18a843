//! # homesec-config — the house description
//!
//! Every homesec process reads the same TOML file describing the house: its
//! zones, sensors, users, cameras and timers. [`load`] reads and validates
//! one; [`default_house`] is the simulated demo house compiled in, used when
//! no file is given. A [`Config`] only exists fully validated and resolved;
//! an invalid file gives a [`ConfigError`] naming the file, line, column and
//! field, like `house.toml:12:8: sensors[3].zone: zone 'garage' does not
//! exist (known zones: entry, living)`. Array indexes in field paths start at 0.
//!
//! ## Reference
//!
//! Unknown fields anywhere are an error. Durations are strings of a whole
//! number and a unit (`ms`, `s`, `m`, `h`), chained largest first: `"500ms"`,
//! `"30s"`, `"3m"`, `"1h"`, `"1m30s"`. Ids (zones, sensors, users, cameras,
//! detectors) are 1 to 32 characters of `a-z`, `0-9`, `-`, `_`, starting with
//! a letter or digit, and unique within their list. A `name` left out is the id.
//!
//! ```toml
//! instance = "home"                # default "home"; names the IPC endpoints
//!
//! [paths]                          # absolute paths; all optional
//! runtime_dir = "/run/homesec"     # default: see homesec_ipc::paths (XDG dirs or /tmp)
//! data_dir = "/var/lib/homesec"    # default: see homesec_ipc::paths (XDG data home)
//! log_dir = "/var/log/homesec"     # diagnostic logs; default <data_dir>/logs
//!
//! [access]                         # optional; see docs/SECURITY.md
//! user = "homesec"                 # the controller's user; others trust its endpoints
//! group = "homesec"                # may write the FIFO and queue, read the status
//!
//! [timers]                         # all optional; defaults shown
//! exit_delay = "30s"               # time to leave after arming
//! entry_delay = "30s"              # delay of delayed sensors that set none; at most 45s
//! trigger_duration = "3m"          # siren time before re-arming; not 0
//! supervision_timeout = "10m"      # silence after which a sensor is offline; not 0
//! heartbeat = "1s"                 # controller status heartbeat; not 0
//! restart_backoff_max = "1m"       # longest wait before an exited detector restarts; not 0
//!
//! [codes]
//! max_wrong = 10                   # wrong codes in a row that lock code entry; 1 to 1000
//! lockout = "90s"                  # lockout, added again for each further wrong code
//!
//! [alarm]
//! swinger_limit = 3                # triggers of one sensor per armed period; 1 to 1000
//!
//! [siren]                          # optional: a GPIO output on a Pi
//! pin = 18                         # BCM 0..=27
//! active = "high"                  # level that sounds it: high (default) | low
//!
//! [[zones]]
//! id = "entry"
//! name = "Entry hall"
//! type = "perimeter"               # optional: perimeter | interior | 24h
//! night = true                     # optional: its interior sensors count in night mode
//!
//! [[sensors]]
//! id = "front-door"
//! name = "Front door"
//! kind = "door"                    # motion | door | window | glass | smoke | panic | tamper
//! zone = "entry"                   # a zone id above
//! entry_delay = "30s"              # optional; at most 45s; not with instant = true
//! instant = true                   # optional
//! night = true                     # optional: overrides the zone's night
//! supervision_interval = "60s"     # optional, default 60s: how often it reports; not 0
//! supervision_timeout = "5m"       # optional, default timers.supervision_timeout;
//!                                  # at least twice supervision_interval
//! [sensors.gpio]                   # exactly one of [sensors.gpio] / [sensors.simulated]
//! pin = 17                         # BCM 0..=27; no pin used twice (siren included)
//! active = "low"                   # level when active (open, motion, alarm, pressed): high | low
//! pull = "up"                      # up | down | none
//! debounce = "20ms"                # optional; default 20ms for door, window, tamper and
//!                                  # panic (mechanical), 0 for motion, glass, smoke; at most 1s
//! # [sensors.simulated]            # an empty table: the simulator drives the sensor
//!
//! [[users]]
//! name = "alice"
//! code_hash = "$argon2id$v=19$..." # from `homesecctl hash-code` (4 to 12 digit codes);
//!                                  # at most m=32768, p=4, m × t ≤ 32768 (code_hash.rs)
//! duress_hash = "$argon2id$..."    # optional: the duress code
//!
//! [[cameras]]
//! id = "porch"
//! name = "Porch"
//! token = "..."                    # shared secret for the camera handshake; not empty
//!
//! [[detectors]]                    # children the controller spawns; each stdout line
//! name = "garage-motion"           # is an event in the FIFO line format
//! command = ["homesec-sensors", "--sim"]
//!
//! [endpoints]
//! camera_tcp = "127.0.0.1:7700"    # cameras may also connect over TCP (HMAC handshake)
//! control_max_connections = 64     # control socket clients at once (1 to 1024)
//! control_max_in_flight = 32       # calls in flight on one connection (1 to 256)
//! ```
//!
//! ## How sensors resolve
//!
//! - **Role** ([`Role`]): smoke, panic and tamper are always 24-hour; otherwise
//!   the zone's `type`, else door, window and glass are perimeter and motion is
//!   interior. Perimeter sensors count in every armed mode, interior ones in
//!   away (and in night when `night`), 24-hour ones always ([`Sensor::counts_in`]).
//! - **Night**: the sensor's `night`, else its zone's, else false. Only
//!   interior sensors use it; perimeter sensors count at night anyway.
//! - **Entry** ([`Entry`]): glass-break and 24-hour sensors are always instant
//!   (`entry_delay` or `instant = false` on them is an error); else an
//!   explicit `entry_delay` is delayed, `instant = true` is instant,
//!   `instant = false` takes `timers.entry_delay`, and by default doors take
//!   `timers.entry_delay` while everything else is instant.
#![deny(missing_docs)]

pub mod access;
pub mod code_hash;
pub mod duration;
mod error;
mod locate;
mod model;
mod raw;
mod validate;

pub use access::{Access, AccessError};
pub use error::{ConfigError, Diagnostic};
pub use model::*;

use std::path::Path;

/// The embedded default house, as TOML.
pub const DEFAULT_HOUSE_TOML: &str = include_str!("default_house.toml");

/// Reads and validates the house description at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse(&text, ConfigSource::File(path.to_path_buf()))
}

/// Parses and validates a house description; `origin` names it in errors.
pub fn parse(text: &str, origin: ConfigSource) -> Result<Config, ConfigError> {
    let file = origin.to_string();
    let raw: raw::RawHouse =
        toml::from_str(text).map_err(|e| error::parse_failed(&e, text, &file))?;
    validate::resolve(raw, origin).map_err(|problem| error::invalid(problem, text, &file))
}

/// The simulated demo house compiled into every binary (see
/// `default_house.toml`): used when no file is given.
pub fn default_house() -> Config {
    // The embedded text is fixed at build time and the test
    // `default_house_validates` proves it parses.
    parse(DEFAULT_HOUSE_TOML, ConfigSource::Embedded).expect("the embedded default house is valid")
}

#[cfg(test)]
mod tests;
