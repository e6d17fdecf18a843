//! The control socket `<runtime-dir>/control.sock`: a [tarpc] service
//! through which local programs (`homesecctl`, a wall panel, a script, the
//! MQTT bridge) arm, disarm, raise the alarm and read the house.
//!
//! **Framing**, for a client in another language: each message is a 4-byte
//! big-endian length, then that many bytes of JSON, at most [`MAX_FRAME`]
//! bytes (tarpc's serde transport over tokio-util's `LengthDelimitedCodec`).
//! A client sends tarpc `ClientMessage`s (`{"Request": {"context":
//! {"deadline": {"secs": 10, "nanos": 0}, ...}, "id": 1, "message":
//! {"Disarm": {"code": "1234"}}}}`) and reads `Response`s with the same
//! `id`. A larger frame closes the connection.
//!
//! **Who may connect** is decided by the kernel's word on the peer
//! (`SO_PEERCRED`): root, the controller's own uid, and the `[access]` user
//! and group of the config. Everyone else is refused before a byte is read.
//!
//! **When a call returns**: a command returns once the house has applied it
//! and its record is durable in the event log, so an `arm` that returned
//! `Ok` is on disk. A refused command (wrong code, open sensors) is recorded
//! too, and answered once that record is durable.
//!
//! Only with the `rpc` feature, so the processes that do not speak it do
//! not build tarpc.

use crate::command::ArmOptions;
use crate::eventlog::record::Record;
use crate::status::{SensorSlot, Snapshot};
use crate::vocab::{AlarmKind, AlarmState, Mode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tarpc::serde_transport::Transport;
use tarpc::tokio_serde::formats::Json;
use tarpc::tokio_util::codec::LengthDelimitedCodec;
use tokio::net::UnixStream;

/// The largest message either side sends or accepts, in bytes.
pub const MAX_FRAME: usize = 64 * 1024;
/// The most records one [`Control::events_since`] page holds.
pub const MAX_PAGE: u32 = 200;

/// The control service.
#[tarpc::service]
pub trait Control {
    /// Raises the alarm now, from any state; needs no code (a panic button
    /// has none). The caller's pid and uid are recorded.
    async fn activate_alarm(kind: AlarmKind, reason: String) -> Result<Applied, ControlError>;
    /// Arms in `mode`.
    async fn arm(mode: Mode, code: String, options: ArmOptions) -> Result<Applied, ControlError>;
    /// Disarms (also ends a raised alarm).
    async fn disarm(code: String) -> Result<Applied, ControlError>;
    /// Bypasses `sensors` until the next disarm (`on`), or ends their bypass.
    async fn bypass(sensors: Vec<String>, on: bool, code: String) -> Result<Applied, ControlError>;
    /// Switches the siren off while the alarm stays raised.
    async fn silence(code: String) -> Result<Applied, ControlError>;
    /// Sounds the siren briefly while disarmed.
    async fn siren_test(code: String) -> Result<Applied, ControlError>;
    /// The house as the status segment shows it.
    async fn status() -> Result<Snapshot, ControlError>;
    /// Every sensor as the status segment shows it.
    async fn sensors() -> Result<Vec<SensorSlot>, ControlError>;
    /// Up to `max` (at most [`MAX_PAGE`]) records after `seq`, read from
    /// the event log on disk.
    async fn events_since(seq: u64, max: u32) -> Result<EventPage, ControlError>;
    /// Waits until a record after `since_seq` is durable, or `timeout_ms`
    /// passes (at most a minute); returns the newest durable `seq`. Long
    /// polling: tarpc has no server streams.
    async fn wait_for_change(since_seq: u64, timeout_ms: u32) -> Result<u64, ControlError>;
}

/// A command the house applied, durably recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// The event log is durable up to here, the command's records included.
    pub logged_seq: u64,
    /// The alarm state after the command.
    pub alarm: AlarmState,
}

/// A page of the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    /// Records in `seq` order.
    pub records: Vec<Record>,
    /// Whether more durable records follow the last one.
    pub more: bool,
}

/// Why a call was not done. The same answer for a duress code as for the
/// user's code: a duress disarm is `Ok`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ControlError {
    /// The code matched no user.
    #[error("wrong code")]
    WrongCode,
    /// Code entry is locked after too many wrong codes.
    #[error("code entry is locked for {seconds_left} s more after too many wrong codes")]
    LockedOut {
        /// Until the lockout ends, rounded up.
        seconds_left: u64,
    },
    /// Arming was refused: sensors the mode counts are open or faulted.
    #[error("open or faulted sensors: {}; close or bypass them, or force the arm", sensors.join(", "))]
    SensorsOpen {
        /// Their ids.
        sensors: Vec<String>,
    },
    /// A sensor the house does not have.
    #[error("unknown sensor '{sensor}'")]
    UnknownSensor {
        /// The id as given.
        sensor: String,
    },
    /// The house refused the command in its present state.
    #[error("refused: {reason}")]
    Refused {
        /// Why, in words.
        reason: String,
    },
    /// This caller may not do this.
    #[error("not permitted: {reason}")]
    NotPermitted {
        /// Why, in words.
        reason: String,
    },
    /// The controller cannot take the call now; try again.
    #[error("busy: {reason}")]
    Busy {
        /// Why, in words.
        reason: String,
    },
    /// The controller is stopping.
    #[error("the controller is shutting down")]
    ShuttingDown,
    /// The house applied the command but its record could not be made
    /// durable (the event log's disk refuses writes).
    #[error("not logged: {reason}")]
    NotLogged {
        /// Why, in words.
        reason: String,
    },
    /// The request itself is wrong (a field out of range).
    #[error("invalid request: {reason}")]
    Invalid {
        /// Why, in words.
        reason: String,
    },
}

/// The transport both ends use on a connected socket: length-delimited
/// JSON, frames at most [`MAX_FRAME`] bytes.
pub fn transport<Item, SinkItem>(
    stream: UnixStream,
) -> Transport<UnixStream, Item, SinkItem, Json<Item, SinkItem>>
where
    Item: DeserializeOwned,
    SinkItem: Serialize,
{
    let framed = LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_framed(stream);
    tarpc::serde_transport::new(framed, Json::default())
}

/// Connects to the control socket at `path`.
pub async fn connect(path: &std::path::Path) -> std::io::Result<ControlClient> {
    let stream = UnixStream::connect(path).await?;
    let client = ControlClient::new(tarpc::client::Config::default(), transport(stream));
    Ok(client.spawn())
}
