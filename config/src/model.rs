//! The resolved house: every default filled in, every duration parsed, every
//! reference checked. A `Config` only exists if the whole file validated, so
//! its users never re-check: sensor ids are unique valid ids, every sensor's
//! zone exists, GPIO pins are distinct, and each sensor's role, night flag,
//! entry behaviour and supervision timeout are final.

use crate::access::Access;
use crate::code_hash::verify_code;
use homesec_ipc::{Mode, SensorKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The longest entry delay a sensor or the default may have (ALARM.md).
pub const MAX_ENTRY_DELAY: Duration = Duration::from_secs(45);
/// How often a sensor reports when its entry does not say.
pub const DEFAULT_SUPERVISION_INTERVAL: Duration = Duration::from_secs(60);
/// The longest GPIO debounce accepted.
pub const MAX_DEBOUNCE: Duration = Duration::from_secs(1);
/// The highest BCM pin on the Raspberry Pi's 40-pin header.
pub const MAX_GPIO_PIN: u8 = 27;
/// The instance name when the file gives none.
pub const DEFAULT_INSTANCE: &str = "home";

/// Where a configuration came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// Read from this file.
    File(PathBuf),
    /// The default house compiled into the binaries.
    Embedded,
}

impl fmt::Display for ConfigSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigSource::File(path) => write!(f, "{}", path.display()),
            ConfigSource::Embedded => f.write_str("<embedded default house>"),
        }
    }
}

/// The validated house description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from.
    pub source: ConfigSource,
    /// The instance name, valid for `homesec_ipc::paths`.
    pub instance: String,
    /// Directories as configured (see [`Config::runtime_dir`] for defaults).
    pub paths: Paths,
    /// Who may use the endpoints.
    pub access: Access,
    /// Alarm timers.
    pub timers: Timers,
    /// Wrong-code lockout policy.
    pub codes: CodePolicy,
    /// Alarm policy.
    pub alarm: AlarmPolicy,
    /// The siren output on a Pi, if wired.
    pub siren: Option<Siren>,
    /// Zones, in file order.
    pub zones: Vec<Zone>,
    /// Sensors, in file order.
    pub sensors: Vec<Sensor>,
    /// Users with their hashed codes, in file order.
    pub users: Vec<User>,
    /// Cameras allowed to connect, in file order.
    pub cameras: Vec<Camera>,
    /// Child processes whose stdout feeds events, in file order.
    pub detectors: Vec<Detector>,
    /// Optional TCP listeners.
    pub endpoints: Endpoints,
}

/// Directories as the file gives them; all absolute when present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paths {
    /// `[paths] runtime_dir`.
    pub runtime_dir: Option<PathBuf>,
    /// `[paths] data_dir`.
    pub data_dir: Option<PathBuf>,
    /// `[paths] log_dir`.
    pub log_dir: Option<PathBuf>,
}

/// Alarm timers (`[timers]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// Time to leave after arming (default 30s).
    pub exit_delay: Duration,
    /// Entry delay of delayed sensors that give none (default 30s, at most 45s).
    pub entry_delay: Duration,
    /// How long the siren sounds before re-arming (default 3m).
    pub trigger_duration: Duration,
    /// Silence after which a sensor is offline, unless it says (default 10m).
    pub supervision_timeout: Duration,
    /// Controller status heartbeat interval (default 1s, never zero).
    pub heartbeat: Duration,
    /// The longest wait before a detector that exited is started again
    /// (default 60s, never zero); the wait starts at 1s (or this, if
    /// shorter) and doubles up to it.
    pub restart_backoff_max: Duration,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            exit_delay: Duration::from_secs(30),
            entry_delay: Duration::from_secs(30),
            trigger_duration: Duration::from_secs(180),
            supervision_timeout: Duration::from_secs(600),
            heartbeat: Duration::from_secs(1),
            restart_backoff_max: Duration::from_secs(60),
        }
    }
}

/// Wrong-code lockout (`[codes]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    /// Wrong codes in a row that lock code entry (default 10, at least 1).
    pub max_wrong: u32,
    /// Lockout length, added again for each further wrong code (default 90s).
    pub lockout: Duration,
}

impl Default for CodePolicy {
    fn default() -> Self {
        CodePolicy {
            max_wrong: 10,
            lockout: Duration::from_secs(90),
        }
    }
}

/// Alarm policy (`[alarm]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlarmPolicy {
    /// Triggers of one sensor in one armed period before it is bypassed
    /// (default 3, at least 1).
    pub swinger_limit: u32,
}

impl Default for AlarmPolicy {
    fn default() -> Self {
        AlarmPolicy { swinger_limit: 3 }
    }
}

/// The electrical level that means "active".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Active when the pin reads high.
    High,
    /// Active when the pin reads low.
    Low,
}

/// The input pin's internal resistor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pull {
    /// Pull-up.
    Up,
    /// Pull-down.
    Down,
    /// No internal resistor (external one fitted).
    None,
}

/// The siren output (`[siren]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Siren {
    /// BCM pin.
    pub pin: u8,
    /// Level that turns the siren on (default high).
    pub active: Level,
}

/// When a sensor counts (see ALARM.md, "Modes and which sensors count").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Counts in every armed mode.
    #[serde(rename = "perimeter")]
    Perimeter,
    /// Counts in away; in night only if the sensor counts at night.
    #[serde(rename = "interior")]
    Interior,
    /// Counts always, even disarmed.
    #[serde(rename = "24h")]
    TwentyFourHour,
}

impl Role {
    /// Every role.
    pub const ALL: &'static [Role] = &[Role::Perimeter, Role::Interior, Role::TwentyFourHour];

    /// The wire spelling ("perimeter", "interior", "24h").
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Perimeter => "perimeter",
            Role::Interior => "interior",
            Role::TwentyFourHour => "24h",
        }
    }

    /// The role with this wire spelling.
    pub fn from_wire(name: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == name)
    }

    /// The role a sensor of `kind` has when its zone sets none.
    pub fn default_for(kind: SensorKind) -> Role {
        match kind {
            SensorKind::Door | SensorKind::Window | SensorKind::Glass => Role::Perimeter,
            SensorKind::Motion => Role::Interior,
            SensorKind::Smoke | SensorKind::Panic | SensorKind::Tamper => Role::TwentyFourHour,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A zone (`[[zones]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// Unique valid id.
    pub id: String,
    /// Display name (the id when the file gives none).
    pub name: String,
    /// The role the zone imposes on its sensors (`type`), if any.
    pub role: Option<Role>,
    /// Whether its interior sensors count in night mode by default.
    pub night: bool,
}

/// What happens when a counting sensor activates while armed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Go to pending for this long (at most [`MAX_ENTRY_DELAY`]).
    Delayed(Duration),
    /// Trigger at once.
    Instant,
}

impl Entry {
    /// The entry delay, if the sensor has one.
    pub fn delay(self) -> Option<Duration> {
        match self {
            Entry::Delayed(delay) => Some(delay),
            Entry::Instant => None,
        }
    }
}

/// Where a sensor's readings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A GPIO pin on a Raspberry Pi.
    Gpio(GpioInput),
    /// The simulator.
    Simulated,
}

/// A sensor wired to a GPIO pin (`[sensors.gpio]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpioInput {
    /// BCM pin, 0 to 27, used by nothing else.
    pub pin: u8,
    /// Level that means the sensor is active (open, motion, alarm, pressed).
    pub active: Level,
    /// Internal resistor.
    pub pull: Pull,
    /// How long a level must hold before it counts (default 20ms for contacts
    /// and buttons, 0 for detectors with electronic outputs; at most 1s).
    pub debounce: Duration,
}

/// A sensor (`[[sensors]]`), fully resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sensor {
    /// Unique valid id.
    pub id: String,
    /// Display name (the id when the file gives none).
    pub name: String,
    /// What it is.
    pub kind: SensorKind,
    /// The id of its zone, which exists.
    pub zone: String,
    /// When it counts.
    pub role: Role,
    /// Whether it counts in night mode when interior (perimeter and 24-hour
    /// sensors count at night regardless).
    pub night: bool,
    /// Delayed or instant.
    pub entry: Entry,
    /// How often it reports.
    pub supervision_interval: Duration,
    /// Silence after which it is offline (at least twice the interval).
    pub supervision_timeout: Duration,
    /// Where its readings come from.
    pub input: Input,
}

impl Sensor {
    /// Whether this sensor is watched in `mode` while armed (ALARM.md):
    /// perimeter and 24-hour sensors always, interior ones in away, and in
    /// night only when marked `night`.
    pub fn counts_in(&self, mode: Mode) -> bool {
        match (self.role, mode) {
            (Role::Perimeter | Role::TwentyFourHour, _) => true,
            (Role::Interior, Mode::Away) => true,
            (Role::Interior, Mode::Home) => false,
            (Role::Interior, Mode::Night) => self.night,
        }
    }
}

/// Which code a user entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeMatch {
    /// The user's normal code.
    User,
    /// The user's duress code: disarm, and raise a silent alarm.
    Duress,
}

/// A user (`[[users]]`) with hashed codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Unique valid id.
    pub name: String,
    /// argon2 PHC string of the normal code.
    pub code_hash: String,
    /// argon2 PHC string of the duress code, if any.
    pub duress_hash: Option<String>,
}

impl User {
    /// Which of this user's codes `code` is, if any.
    pub fn check(&self, code: &str) -> Option<CodeMatch> {
        if verify_code(code, &self.code_hash) {
            return Some(CodeMatch::User);
        }
        match &self.duress_hash {
            Some(duress) if verify_code(code, duress) => Some(CodeMatch::Duress),
            _ => None,
        }
    }
}

/// A camera allowed to connect (`[[cameras]]`). `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Camera {
    /// Unique valid id.
    pub id: String,
    /// Display name (the id when the file gives none).
    pub name: String,
    /// Shared secret for the challenge-response handshake; never empty.
    pub token: String,
}

impl fmt::Debug for Camera {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Camera")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// A child process the controller spawns; each stdout line is a FIFO-format
/// event (`[[detectors]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detector {
    /// Unique valid id.
    pub name: String,
    /// Program and arguments; never empty, program never empty.
    pub command: Vec<String>,
}

/// Optional TCP listeners (`[endpoints]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Endpoints {
    /// Where cameras may connect over TCP besides the Unix socket.
    pub camera_tcp: Option<SocketAddr>,
    /// What one client may hold of the control socket.
    pub control: ControlLimits,
}

/// Bounds on the control socket's clients (`[endpoints] control_*`). The
/// control socket is a Unix socket only: homesec reaches other machines
/// through an MQTT broker, never through its own RPC over a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlLimits {
    /// Connections open at once, over all clients.
    pub max_connections: usize,
    /// Calls in flight on one connection.
    pub max_in_flight: usize,
}

impl Default for ControlLimits {
    fn default() -> Self {
        ControlLimits {
            max_connections: 64,
            max_in_flight: 32,
        }
    }
}

impl Config {
    /// The sensor with this id.
    pub fn sensor(&self, id: &str) -> Option<&Sensor> {
        self.sensors.iter().find(|s| s.id == id)
    }

    /// The zone with this id.
    pub fn zone(&self, id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == id)
    }

    /// The user with this name.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    /// The camera with this id.
    pub fn camera(&self, id: &str) -> Option<&Camera> {
        self.cameras.iter().find(|c| c.id == id)
    }

    /// The sensors of a zone, in file order.
    pub fn sensors_in_zone<'a>(&'a self, zone: &'a str) -> impl Iterator<Item = &'a Sensor> + 'a {
        self.sensors.iter().filter(move |s| s.zone == zone)
    }

    /// The first user (in file order) whose normal or duress code is `code`.
    /// Costs one or two argon2 verifications a user.
    pub fn check_code(&self, code: &str) -> Option<(String, CodeMatch)> {
        self.users
            .iter()
            .find_map(|u| u.check(code).map(|m| (u.name.clone(), m)))
    }
}
