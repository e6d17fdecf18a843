//! The shared-memory status segment: the controller (single writer) publishes
//! the house status; any process maps it read-only and takes snapshots.
//!
//! The segment is a file, `/dev/shm/homesec-<instance>.status`
//! ([`crate::paths::status_segment`]), mode 0640 (0600 without a group:
//! [`crate::endpoint`]), created by writing a temp
//! file and renaming it over the path (a reader of an old file never sees it
//! truncated). It is a header, then `sensor_capacity` sensor slots, then
//! `camera_capacity` camera slots; its size is exactly
//! `192 + 128 × sensor_capacity + 64 × camera_capacity` bytes.
//!
//! # Layout, version 1
//!
//! All integers are little-endian and naturally aligned; text fields are
//! UTF-8, NUL padded to 32 bytes (a 32-byte text has no NUL). Every byte
//! marked *reserved* or *pad* is zero and must be ignored by readers, as
//! must unknown flag bits. Codes are those of [`crate::vocab`].
//!
//! ## Header (192 bytes, at offset 0)
//!
//! | offset | size | type | field | meaning |
//! | ---: | ---: | --- | --- | --- |
//! | 0 | 8 | `[u8; 8]` | magic | `b"HOMESEC\0"` |
//! | 8 | 4 | u32 | layout_version | 1 |
//! | 12 | 4 | u32 | header_size | 192 |
//! | 16 | 8 | u64 | seqlock | publish counter: odd while the writer is publishing |
//! | 24 | 4 | u32 | controller_pid | pid of the controller (from the segment's creation on) |
//! | 28 | 4 | u32 | flags | bit 0 running (cleared on clean shutdown), bit 1 siren on, bit 2 alarm memory lost, bit 3 disk fault (event log not writable), bit 4 an input failed |
//! | 32 | 8 | i64 | heartbeat_ms | wall clock of the last publish, unix ms (always the wall clock: liveness compares it with the reader's); 0 until the first publish |
//! | 40 | 8 | i64 | started_ms | when the controller started, unix ms of house time (see below) |
//! | 48 | 8 | i64 | since_ms | when the current alarm state was entered, unix ms of house time |
//! | 56 | 1 | u8 | alarm_state | `AlarmState` code: 0 disarmed, 1 arming, 2 armed, 3 pending, 4 triggered |
//! | 57 | 1 | u8 | mode | 0 none, else `Mode` code: 1 away, 2 home, 3 night |
//! | 58 | 2 | u16 | pad | |
//! | 60 | 4 | u32 | heartbeat_interval_ms | the controller publishes at least this often |
//! | 64 | 2 | u16 | sensor_capacity | sensor slots in the file |
//! | 66 | 2 | u16 | sensor_count | sensor slots in use (the first ones) |
//! | 68 | 2 | u16 | camera_capacity | camera slots in the file |
//! | 70 | 2 | u16 | camera_count | camera slots in use (the first ones) |
//! | 72 | 2 | u16 | sensor_slot_size | 128 |
//! | 74 | 2 | u16 | camera_slot_size | 64 |
//! | 76 | 4 | u32 | reserved | |
//! | 80 | 8 | u64 | events_accepted | events accepted since start |
//! | 88 | 8 | u64 | events_rejected | events rejected since start |
//! | 96 | 32 | text | instance | instance name |
//! | 128 | 8 | u64 | logged_seq | highest event log `seq` written and fsynced |
//! | 136 | 8 | i64 | clock_origin_wall_ms | house clock: wall time of its origin (see `crate::clock`) |
//! | 144 | 8 | i64 | clock_origin_house_ms | house clock: house time at its origin |
//! | 152 | 8 | f64 | clock_speed | house clock: house ms per wall ms; 0 means real time |
//! | 160 | 32 | | reserved | |
//!
//! ## Sensor slot (128 bytes, slot `i` at `192 + 128 × i`)
//!
//! | offset | size | type | field | meaning |
//! | ---: | ---: | --- | --- | --- |
//! | 0 | 32 | text | id | sensor id |
//! | 32 | 32 | text | zone | zone id |
//! | 64 | 1 | u8 | kind | `SensorKind` code (1 motion … 7 tamper) |
//! | 65 | 1 | u8 | state | `SensorState` code of the last *level* state |
//! | 66 | 1 | u8 | flags | bit 0 bypassed, bit 1 offline, bit 2 low battery, bit 3 tamper |
//! | 67 | 5 | | pad | |
//! | 72 | 8 | u64 | event_count | events accepted from this sensor |
//! | 80 | 8 | i64 | last_change_ms | when the level state last changed, unix ms |
//! | 88 | 8 | i64 | last_seen_ms | when the sensor was last heard from, unix ms |
//! | 96 | 32 | | reserved | |
//!
//! ## Camera slot (64 bytes, slot `j` at `192 + 128 × sensor_capacity + 64 × j`)
//!
//! | offset | size | type | field | meaning |
//! | ---: | ---: | --- | --- | --- |
//! | 0 | 32 | text | id | camera id |
//! | 32 | 1 | u8 | flags | bit 0 connected |
//! | 33 | 7 | | pad | |
//! | 40 | 8 | u64 | frames | frames received |
//! | 48 | 8 | i64 | last_frame_ms | when the last frame arrived, unix ms |
//! | 56 | 8 | | reserved | |
//!
//! ## Which clock
//!
//! `heartbeat_ms` is the wall clock. Every other time (`started_ms`,
//! `since_ms`, a slot's `last_change_ms` and `last_seen_ms`) is house time
//! as the controller shows it: the wall clock in a real house, the
//! simulated clock under `--sim`. A reader gets "now" in the same terms
//! from the three clock fields (`house = origin_house + (wall − origin_wall)
//! × speed`, real time when `speed` is 0); ages are `now − field`. After a
//! wall-clock step the controller moves the published origin, so ages stay
//! right.
//!
//! # Reading from another language
//!
//! 1. Check the file size is at least 192, then the magic, `layout_version`,
//!    `header_size` and slot sizes, then that the size equals
//!    `192 + 128 × sensor_capacity + 64 × camera_capacity`.
//! 2. Read the seqlock with an 8-byte load; if odd, retry. Copy the header
//!    and the `sensor_count` and `camera_count` slots (each count clamped to
//!    its capacity first: a copy taken while the writer publishes may hold
//!    any number, and only the second seqlock read tells), using aligned 4- or
//!    8-byte loads (never byte-wise `memcpy` racing the writer in C, which
//!    is a data race there). Issue an acquire fence, re-read the seqlock; if
//!    it changed, retry. Only then decode the copy.
//! 3. Check every time field (the `_ms` fields except the interval) lies
//!    in `0..=253402300799999` (1970 to the end of 9999,
//!    [`crate::clock::TIMES`]): a value outside is damage or forgery, and
//!    carried into arithmetic it overflows.
//! 4. The writer: counter odd, release fence, store payload, counter even
//!    with a release store (see `seqlock.rs` for why this is sound).

mod layout;
mod reader;
mod seqlock;
mod writer;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::clock::HouseClock;
use crate::vocab::{AlarmState, Mode, SensorKind, SensorState};

pub use layout::{CAMERA_SLOT_SIZE, HEADER_SIZE, LAYOUT_VERSION, MAGIC, SENSOR_SLOT_SIZE};
pub use reader::{BUSY_TIMEOUT, StatusReader};
pub use writer::{StatusWriter, segment_mode};

/// The house status at one publish, as plain values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The controller's process id.
    pub pid: u32,
    /// The instance name (at most 32 bytes).
    pub instance: String,
    /// Cleared by the controller on a clean shutdown.
    pub running: bool,
    /// Whether the siren is on.
    pub siren: bool,
    /// System trouble conditions (sensor troubles are in the slots).
    pub trouble: SystemTrouble,
    /// Wall clock of this publish, unix ms.
    pub heartbeat_ms: i64,
    /// The controller publishes at least this often, in ms.
    pub heartbeat_interval_ms: u32,
    /// When the controller started, unix ms.
    pub started_ms: i64,
    /// The alarm state.
    pub alarm: AlarmState,
    /// The arming mode, if any.
    pub mode: Option<Mode>,
    /// When the alarm state was entered, unix ms.
    pub since_ms: i64,
    /// Events accepted since start.
    pub accepted: u64,
    /// Events rejected since start.
    pub rejected: u64,
    /// The highest event log `seq` that is written and fsynced.
    pub logged_seq: u64,
    /// The house clock every process shares (real time unless simulated).
    pub clock: HouseClock,
    /// One entry per configured sensor.
    pub sensors: Vec<SensorSlot>,
    /// One entry per configured camera.
    pub cameras: Vec<CameraSlot>,
}

/// System trouble conditions, each a flag bit of the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemTrouble {
    /// The alarm memory could not be read at start: the house started in
    /// the safest state the event log allowed; a valid code clears this.
    pub memory_lost: bool,
    /// The event log cannot be written (a full or failing disk): records
    /// wait in memory and `logged_seq` lags.
    pub disk_fault: bool,
    /// An input (FIFO, queue, a pipe) failed and is being restarted.
    pub input_failed: bool,
}

impl SystemTrouble {
    /// Whether any condition is active.
    pub fn any(&self) -> bool {
        self.memory_lost || self.disk_fault || self.input_failed
    }

    /// The active conditions' names, as the event log and `homesecctl` say them.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.memory_lost, "memory_lost"),
            (self.disk_fault, "disk_fault"),
            (self.input_failed, "input_failed"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// One sensor's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorSlot {
    /// Sensor id (at most 32 bytes).
    pub id: String,
    /// Zone id (at most 32 bytes).
    pub zone: String,
    /// What the sensor is.
    pub kind: SensorKind,
    /// The last level state reported.
    pub state: SensorState,
    /// Bypassed by the operator.
    pub bypassed: bool,
    /// Not heard from within its supervision window.
    pub offline: bool,
    /// Reported a low battery (and no `battery-ok` since).
    pub low_battery: bool,
    /// Reported tampering with the device.
    pub tamper: bool,
    /// Events accepted from this sensor.
    pub events: u64,
    /// When the level state last changed, unix ms.
    pub last_change_ms: i64,
    /// When the sensor was last heard from, unix ms.
    pub last_seen_ms: i64,
}

/// One camera's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraSlot {
    /// Camera id (at most 32 bytes).
    pub id: String,
    /// Whether the camera is connected now.
    pub connected: bool,
    /// Frames received.
    pub frames: u64,
    /// When the last frame arrived, unix ms.
    pub last_frame_ms: i64,
}

/// Everything that can go wrong creating, publishing or reading a segment.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The segment file does not exist.
    #[error("status segment {} not found: the controller is probably not running", path.display())]
    NotFound {
        /// The segment path.
        path: PathBuf,
    },
    /// An I/O operation on the segment failed.
    #[error("status segment {}: {op} failed: {source}", path.display())]
    Io {
        /// The segment path.
        path: PathBuf,
        /// What was being done ("open", "map", "create", ...).
        op: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is shorter than a header.
    #[error("status segment {} is {found} bytes, smaller than the {minimum}-byte header: not a status segment", path.display())]
    TooSmall {
        /// The segment path.
        path: PathBuf,
        /// The file size.
        found: u64,
        /// The header size.
        minimum: u64,
    },
    /// The file size does not match the capacities in its header.
    #[error("status segment {} is {found} bytes but its header says {expected}: the file is damaged or was resized", path.display())]
    WrongSize {
        /// The segment path.
        path: PathBuf,
        /// The file size.
        found: u64,
        /// The size the header implies.
        expected: u64,
    },
    /// The file does not start with `HOMESEC\0`.
    #[error("{} is not a homesec status segment (magic {found:02x?})", path.display())]
    BadMagic {
        /// The segment path.
        path: PathBuf,
        /// The first eight bytes found.
        found: [u8; 8],
    },
    /// The layout version is not the one this program reads.
    #[error("status segment {} has layout version {found}, this program reads version {supported}: use matching homesec versions", path.display())]
    UnsupportedVersion {
        /// The segment path.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this code reads.
        supported: u32,
    },
    /// The header size field is not this layout's.
    #[error("status segment {} declares a {found}-byte header, expected {expected}", path.display())]
    WrongHeaderSize {
        /// The segment path.
        path: PathBuf,
        /// The header size in the file.
        found: u32,
        /// This layout's header size.
        expected: u32,
    },
    /// A slot size field is not this layout's.
    #[error("status segment {} declares {found}-byte {what} slots, expected {expected}", path.display())]
    WrongSlotSize {
        /// The segment path.
        path: PathBuf,
        /// "sensor" or "camera".
        what: &'static str,
        /// The slot size in the file.
        found: u16,
        /// This layout's slot size.
        expected: u16,
    },
    /// A snapshot to publish has more sensors than the segment has slots.
    #[error("{count} sensors do not fit a status segment made for {capacity}")]
    TooManySensors {
        /// Sensors in the snapshot.
        count: usize,
        /// Sensor slots in the segment.
        capacity: u16,
    },
    /// A snapshot to publish has more cameras than the segment has slots.
    #[error("{count} cameras do not fit a status segment made for {capacity}")]
    TooManyCameras {
        /// Cameras in the snapshot.
        count: usize,
        /// Camera slots in the segment.
        capacity: u16,
    },
    /// A text field to publish is too long or holds a NUL.
    #[error("{what} '{text}' does not fit a status slot: at most 32 bytes, no NUL")]
    BadText {
        /// Which field ("sensor id", "zone", "camera id", "instance name").
        what: &'static str,
        /// The offending text.
        text: String,
    },
    /// A published count exceeds the capacity (a damaged segment).
    #[error("status segment claims {count} {what} slots in use but has {capacity}")]
    CountOverCapacity {
        /// "sensor" or "camera".
        what: &'static str,
        /// The count in the header.
        count: usize,
        /// The capacity in the header.
        capacity: u16,
    },
    /// A code byte is not in the vocabulary (a newer writer, or damage).
    #[error("unknown {what} code {code}{} in status segment", slot.map(|i| format!(" in slot {i}")).unwrap_or_default())]
    UnknownCode {
        /// Which field.
        what: &'static str,
        /// The byte found.
        code: u8,
        /// The slot index, for slot fields.
        slot: Option<usize>,
    },
    /// A time field lies outside [`crate::clock::TIMES`] (damage or forgery).
    #[error("{what} time {value}{} in status segment is not a time between 1970 and 9999: the segment is damaged", slot.map(|i| format!(" in slot {i}")).unwrap_or_default())]
    TimeOutOfRange {
        /// Which field.
        what: &'static str,
        /// The value found, unix ms.
        value: i64,
        /// The slot index, for slot fields.
        slot: Option<usize>,
    },
    /// A text field is not UTF-8.
    #[error("{what}{} in status segment is not UTF-8", slot.map(|i| format!(" in slot {i}")).unwrap_or_default())]
    BadUtf8 {
        /// Which field.
        what: &'static str,
        /// The slot index, for slot fields.
        slot: Option<usize>,
    },
    /// The segment belongs to a user this process does not trust, or is
    /// open to others.
    #[error(transparent)]
    Endpoint(#[from] crate::endpoint::EndpointError),
    /// The writer is gone and left the segment in mid-publish: nothing in
    /// it can be trusted to be one whole publish.
    #[error("status segment {} is stale: its controller (pid {pid}) is gone and stopped in the middle of a publish", path.display())]
    Stale {
        /// The segment path.
        path: PathBuf,
        /// The pid the segment names.
        pid: u32,
        /// Attempts made before the reader looked for the writer.
        attempts: u64,
    },
    /// The writer, still running, was publishing on every attempt for
    /// [`BUSY_TIMEOUT`] (hung, or a badly overloaded machine).
    #[error("status segment {} stayed busy for {attempts} read attempts ({} ms): the controller (still running) seems hung in the middle of a publish", path.display(), BUSY_TIMEOUT.as_millis())]
    Busy {
        /// The segment path.
        path: PathBuf,
        /// Attempts made.
        attempts: u64,
    },
}

impl StatusError {
    fn io(path: &Path, op: &'static str, source: std::io::Error) -> StatusError {
        StatusError::Io {
            path: path.to_path_buf(),
            op,
            source,
        }
    }
}

/// Whether the controller behind a snapshot is alive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "liveness")]
pub enum Liveness {
    /// Running, and the heartbeat is recent.
    Alive,
    /// The running flag is cleared: the controller shut down cleanly.
    Stopped,
    /// The running flag is set but no process has the pid: it crashed (or
    /// the segment names pid 0 or 1, which is never a controller).
    Dead {
        /// The controller's pid.
        pid: u32,
    },
    /// The process exists but the heartbeat is older than 3 intervals: hung
    /// (or the pid was reused).
    Stale {
        /// Age of the heartbeat, ms.
        age_ms: i64,
    },
}

/// Heartbeats older than this many intervals make a controller [`Liveness::Stale`].
pub const STALE_INTERVALS: i64 = 3;

/// Judges the controller behind `snap` at wall clock `now_ms` (unix ms).
pub fn liveness(snap: &Snapshot, now_ms: i64) -> Liveness {
    if !snap.running {
        return Liveness::Stopped;
    }
    if controller_gone(snap.pid) {
        return Liveness::Dead { pid: snap.pid };
    }
    let age_ms = now_ms.saturating_sub(snap.heartbeat_ms);
    if age_ms > STALE_INTERVALS.saturating_mul(i64::from(snap.heartbeat_interval_ms)) {
        return Liveness::Stale { age_ms };
    }
    Liveness::Alive
}

/// Whether the controller a segment names is gone. Pid 1 is init, pid 0 no
/// process: a segment that names either as the controller is damaged or
/// forged, and must never look alive.
fn controller_gone(pid: u32) -> bool {
    pid <= 1 || !process_exists(pid)
}

/// Whether a process with `pid` exists (`kill(pid, 0)` is not ESRCH).
fn process_exists(pid: u32) -> bool {
    // Pid 0 and negative pids would address process groups, not a process.
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 sends nothing; kill only checks the pid and permissions.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
mod tests;
