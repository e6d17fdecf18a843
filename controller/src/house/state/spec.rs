//! What a house is built from: the clock type, sensor specs, alarm rules and
//! the outcome of a code check.
//!
//! These carry no defaults of their own: the controller fills them from the
//! resolved homesec-config house description, whose `Role` and `Entry` they
//! reuse. Durations are `std` durations; the clock is plain unix milliseconds
//! so a simulated clock can run faster than real time. A zero entry delay
//! acts as instant; a zero supervision timeout means "not supervised".

use homesec_ipc::SensorKind;
use std::time::Duration;

pub use crate::clock::Millis;

/// Roles and entry behaviour are homesec-config's own types: the config
/// resolves them (zone overrides, glass always instant, 24-hour kinds) and the
/// house takes them as they are.
pub use homesec_config::{Entry, Role};

/// One sensor as the house description resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorSpec {
    /// Sensor id (unique in the house).
    pub id: String,
    /// Zone id.
    pub zone: String,
    /// What the sensor physically is.
    pub kind: SensorKind,
    /// Which group it belongs to.
    pub role: Role,
    /// Whether an interior sensor counts in `night` mode.
    pub night: bool,
    /// Entry delay or instant.
    pub entry: Entry,
    /// Silence longer than this makes the sensor `offline`; zero means the
    /// sensor is not supervised (for example a wired contact).
    pub supervision_timeout: Duration,
}

/// The house-wide alarm rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// How long `arming` lasts; zero arms at once.
    pub exit_delay: Duration,
    /// How long `triggered` lasts before the siren stops.
    pub trigger_duration: Duration,
    /// Triggers in one armed period after which a sensor is bypassed; zero: no limit.
    pub swinger_limit: u32,
    /// Wrong codes in a row that lock code entry; zero: never lock.
    pub max_wrong_codes: u32,
    /// How long one lockout lasts.
    pub lockout: Duration,
    /// How long a siren test sounds before the siren goes off by itself.
    pub siren_test: Duration,
}

/// A code as the caller verified it against the stored hashes (hashing is
/// slow, so it runs outside the house).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code of this user.
    User(String),
    /// The duress code of this user.
    Duress(String),
    /// No user's code.
    Wrong,
    /// Not looked at: code entry was locked when it was entered, so the
    /// slow hash was spared. Refused as locked.
    NotChecked,
}

/// `d` in clock units, saturating (a configured duration never comes near it).
pub(super) fn millis(d: Duration) -> Millis {
    Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX)
}

/// `d` as the `delay_ms` field of an alarm record.
pub(super) fn delay_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
