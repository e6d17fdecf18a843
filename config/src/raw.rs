//! The house description exactly as TOML spells it: serde structs that
//! reject unknown fields and keep the byte span of every value a later check
//! may need to point at. Nothing here is validated beyond TOML types;
//! `validate` turns these into the resolved model.

use serde::Deserialize;
use toml::Spanned;

/// A string with its span in the source text.
pub(crate) type Text = Spanned<String>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHouse {
    pub instance: Option<Text>,
    #[serde(default)]
    pub paths: RawPaths,
    #[serde(default)]
    pub access: RawAccess,
    #[serde(default)]
    pub timers: RawTimers,
    #[serde(default)]
    pub codes: RawCodes,
    #[serde(default)]
    pub alarm: RawAlarm,
    pub siren: Option<Spanned<RawSiren>>,
    #[serde(default)]
    pub zones: Vec<Spanned<RawZone>>,
    #[serde(default)]
    pub sensors: Vec<Spanned<RawSensor>>,
    #[serde(default)]
    pub users: Vec<Spanned<RawUser>>,
    #[serde(default)]
    pub cameras: Vec<Spanned<RawCamera>>,
    #[serde(default)]
    pub detectors: Vec<Spanned<RawDetector>>,
    #[serde(default)]
    pub endpoints: RawEndpoints,
}

/// `[paths]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPaths {
    pub runtime_dir: Option<Text>,
    pub data_dir: Option<Text>,
    pub log_dir: Option<Text>,
}

/// `[access]`: a user and a group name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccess {
    pub user: Option<Text>,
    pub group: Option<Text>,
}

/// `[timers]`: durations as strings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTimers {
    pub exit_delay: Option<Text>,
    pub entry_delay: Option<Text>,
    pub trigger_duration: Option<Text>,
    pub supervision_timeout: Option<Text>,
    pub heartbeat: Option<Text>,
    pub restart_backoff_max: Option<Text>,
}

/// `[codes]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCodes {
    pub max_wrong: Option<Spanned<i64>>,
    pub lockout: Option<Text>,
}

/// `[alarm]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAlarm {
    pub swinger_limit: Option<Spanned<i64>>,
}

/// `[siren]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSiren {
    pub pin: Spanned<i64>,
    pub active: Option<Text>,
}

/// One `[[zones]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawZone {
    pub id: Text,
    pub name: Option<Text>,
    #[serde(rename = "type")]
    pub role: Option<Text>,
    pub night: Option<bool>,
}

/// One `[[sensors]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSensor {
    pub id: Text,
    pub name: Option<Text>,
    pub kind: Text,
    pub zone: Text,
    pub entry_delay: Option<Text>,
    pub instant: Option<Spanned<bool>>,
    pub night: Option<bool>,
    pub supervision_interval: Option<Text>,
    pub supervision_timeout: Option<Text>,
    pub gpio: Option<Spanned<RawGpio>>,
    pub simulated: Option<Spanned<RawSimulated>>,
}

/// `[sensors.gpio]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGpio {
    pub pin: Spanned<i64>,
    pub active: Text,
    pub pull: Text,
    pub debounce: Option<Text>,
}

/// `[sensors.simulated]`: no fields yet, and none accepted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulated {}

/// One `[[users]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUser {
    pub name: Text,
    pub code_hash: Text,
    pub duress_hash: Option<Text>,
}

/// One `[[cameras]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCamera {
    pub id: Text,
    pub name: Option<Text>,
    pub token: Text,
}

/// One `[[detectors]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDetector {
    pub name: Text,
    pub command: Spanned<Vec<String>>,
}

/// `[endpoints]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEndpoints {
    pub camera_tcp: Option<Text>,
    pub control_max_connections: Option<Spanned<i64>>,
    pub control_max_in_flight: Option<Spanned<i64>>,
}
