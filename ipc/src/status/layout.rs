//! The byte layout of the status segment: offsets, sizes, and the codec
//! between [`Snapshot`] and a little-endian byte image of the segment.
//!
//! Everything here works on plain byte buffers; the seqlock and the mapping
//! live elsewhere. The module doc of [`crate::status`] is the authoritative
//! table; the offsets below come from `#[repr(C)]` declarations of the same
//! fields, their sizes are asserted at compile time, and a test reads the
//! doc's tables and checks every row against them, so the two cannot drift.

use super::{CameraSlot, SensorSlot, Snapshot, StatusError, SystemTrouble};
use crate::clock::{HouseClock, TIMES};
use crate::vocab::{AlarmState, MAX_ID_LEN, Mode, SensorKind, SensorState};
use std::mem::{align_of, offset_of, size_of};

/// The first eight bytes of every status segment.
pub const MAGIC: [u8; 8] = *b"HOMESEC\0";
/// The layout version this code writes and reads.
pub const LAYOUT_VERSION: u32 = 1;
/// Bytes in the header.
pub const HEADER_SIZE: usize = size_of::<Header>();
/// Bytes in one sensor slot.
pub const SENSOR_SLOT_SIZE: usize = size_of::<SensorSlotLayout>();
/// Bytes in one camera slot.
pub const CAMERA_SLOT_SIZE: usize = size_of::<CameraSlotLayout>();
/// The bytes of a sensor slot that hold fields; the rest is reserved, and
/// readers do not copy it.
pub const SENSOR_SLOT_USED: usize = offset_of!(SensorSlotLayout, reserved);
/// Offset of the seqlock counter (a little-endian u64) in the header.
pub const SEQLOCK_OFFSET: usize = offset_of!(Header, seqlock);

/// The header, field by field, as the module doc's table gives it. The
/// codec works on byte images and never builds one of these: the type is
/// here so that every offset below is computed by the compiler from one
/// declaration, checked against the table in a test, and the sizes are
/// asserted at compile time.
#[repr(C)]
#[derive(Default)]
#[allow(dead_code)] // measured, never read: see above
pub(super) struct Header {
    pub(super) magic: [u8; 8],
    pub(super) layout_version: u32,
    pub(super) header_size: u32,
    pub(super) seqlock: u64,
    pub(super) controller_pid: u32,
    pub(super) flags: u32,
    pub(super) heartbeat_ms: i64,
    pub(super) started_ms: i64,
    pub(super) since_ms: i64,
    pub(super) alarm_state: u8,
    pub(super) mode: u8,
    pub(super) pad: u16,
    pub(super) heartbeat_interval_ms: u32,
    pub(super) sensor_capacity: u16,
    pub(super) sensor_count: u16,
    pub(super) camera_capacity: u16,
    pub(super) camera_count: u16,
    pub(super) sensor_slot_size: u16,
    pub(super) camera_slot_size: u16,
    pub(super) reserved: u32,
    pub(super) events_accepted: u64,
    pub(super) events_rejected: u64,
    pub(super) instance: [u8; 32],
    pub(super) logged_seq: u64,
    pub(super) clock_origin_wall_ms: i64,
    pub(super) clock_origin_house_ms: i64,
    pub(super) clock_speed: f64,
    pub(super) reserved_end: [u8; 32],
}

/// One sensor slot, field by field (see [`Header`] for why it exists).
#[repr(C)]
#[derive(Default)]
#[allow(dead_code)] // measured, never read
pub(super) struct SensorSlotLayout {
    pub(super) id: [u8; 32],
    pub(super) zone: [u8; 32],
    pub(super) kind: u8,
    pub(super) state: u8,
    pub(super) flags: u8,
    pub(super) pad: [u8; 5],
    pub(super) event_count: u64,
    pub(super) last_change_ms: i64,
    pub(super) last_seen_ms: i64,
    pub(super) reserved: [u8; 32],
}

/// One camera slot, field by field (see [`Header`] for why it exists).
#[repr(C)]
#[derive(Default)]
#[allow(dead_code)] // measured, never read
pub(super) struct CameraSlotLayout {
    pub(super) id: [u8; 32],
    pub(super) flags: u8,
    pub(super) pad: [u8; 7],
    pub(super) frames: u64,
    pub(super) last_frame_ms: i64,
    pub(super) reserved: [u8; 8],
}

// The sizes the layout version 1 promises; a field added in the wrong
// place fails the build here.
const _: () = assert!(HEADER_SIZE == 192 && align_of::<Header>() == 8);
const _: () = assert!(SENSOR_SLOT_SIZE == 128);
const _: () = assert!(CAMERA_SLOT_SIZE == 64);
const _: () = assert!(MAX_ID_LEN == 32);

// Header offsets.
const H_VERSION: usize = offset_of!(Header, layout_version);
const H_HEADER_SIZE: usize = offset_of!(Header, header_size);
const H_PID: usize = offset_of!(Header, controller_pid);
const H_FLAGS: usize = offset_of!(Header, flags);
const H_HEARTBEAT: usize = offset_of!(Header, heartbeat_ms);
const H_STARTED: usize = offset_of!(Header, started_ms);
const H_SINCE: usize = offset_of!(Header, since_ms);
const H_ALARM: usize = offset_of!(Header, alarm_state);
const H_MODE: usize = offset_of!(Header, mode);
const H_INTERVAL: usize = offset_of!(Header, heartbeat_interval_ms);
const H_SENSOR_CAP: usize = offset_of!(Header, sensor_capacity);
const H_SENSOR_COUNT: usize = offset_of!(Header, sensor_count);
const H_CAMERA_CAP: usize = offset_of!(Header, camera_capacity);
const H_CAMERA_COUNT: usize = offset_of!(Header, camera_count);
const H_SENSOR_SLOT_SIZE: usize = offset_of!(Header, sensor_slot_size);
const H_CAMERA_SLOT_SIZE: usize = offset_of!(Header, camera_slot_size);
const H_ACCEPTED: usize = offset_of!(Header, events_accepted);
const H_REJECTED: usize = offset_of!(Header, events_rejected);
const H_INSTANCE: usize = offset_of!(Header, instance);
const H_LOGGED_SEQ: usize = offset_of!(Header, logged_seq);
const H_CLOCK_WALL: usize = offset_of!(Header, clock_origin_wall_ms);
const H_CLOCK_HOUSE: usize = offset_of!(Header, clock_origin_house_ms);
const H_CLOCK_SPEED: usize = offset_of!(Header, clock_speed);

const HEADER_RUNNING: u32 = 1 << 0;
const HEADER_SIREN: u32 = 1 << 1;
const HEADER_MEMORY_LOST: u32 = 1 << 2;
const HEADER_DISK_FAULT: u32 = 1 << 3;
const HEADER_INPUT_FAILED: u32 = 1 << 4;

// Sensor slot offsets.
const S_ID: usize = offset_of!(SensorSlotLayout, id);
const S_ZONE: usize = offset_of!(SensorSlotLayout, zone);
const S_KIND: usize = offset_of!(SensorSlotLayout, kind);
const S_STATE: usize = offset_of!(SensorSlotLayout, state);
const S_FLAGS: usize = offset_of!(SensorSlotLayout, flags);
const S_EVENTS: usize = offset_of!(SensorSlotLayout, event_count);
const S_LAST_CHANGE: usize = offset_of!(SensorSlotLayout, last_change_ms);
const S_LAST_SEEN: usize = offset_of!(SensorSlotLayout, last_seen_ms);

const SENSOR_BYPASSED: u8 = 1 << 0;
const SENSOR_OFFLINE: u8 = 1 << 1;
const SENSOR_LOW_BATTERY: u8 = 1 << 2;
const SENSOR_TAMPER: u8 = 1 << 3;

// Camera slot offsets.
const C_ID: usize = offset_of!(CameraSlotLayout, id);
const C_FLAGS: usize = offset_of!(CameraSlotLayout, flags);
const C_FRAMES: usize = offset_of!(CameraSlotLayout, frames);
const C_LAST_FRAME: usize = offset_of!(CameraSlotLayout, last_frame_ms);

const CAMERA_CONNECTED: u8 = 1 << 0;

/// The fixed geometry of one segment: its capacities and where each part starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Sensor slots in the segment.
    pub sensor_capacity: u16,
    /// Camera slots in the segment.
    pub camera_capacity: u16,
}

impl Geometry {
    /// Offset of sensor slot `i`.
    pub fn sensor_offset(self, i: usize) -> usize {
        HEADER_SIZE + i * SENSOR_SLOT_SIZE
    }

    /// Offset of camera slot `i`.
    pub fn camera_offset(self, i: usize) -> usize {
        self.sensor_offset(usize::from(self.sensor_capacity)) + i * CAMERA_SLOT_SIZE
    }

    /// Total segment size in bytes.
    pub fn total_size(self) -> usize {
        self.camera_offset(usize::from(self.camera_capacity))
    }

    /// The header of an empty segment: constants, capacities and the
    /// writer's pid set, counts zero, not running.
    pub fn empty_header(self, pid: u32) -> [u8; HEADER_SIZE] {
        let mut h = [0u8; HEADER_SIZE];
        h[..8].copy_from_slice(&MAGIC);
        put(&mut h, H_PID, &pid.to_le_bytes());
        put(&mut h, H_VERSION, &LAYOUT_VERSION.to_le_bytes());
        put(&mut h, H_HEADER_SIZE, &(HEADER_SIZE as u32).to_le_bytes());
        put(&mut h, H_SENSOR_CAP, &self.sensor_capacity.to_le_bytes());
        put(&mut h, H_CAMERA_CAP, &self.camera_capacity.to_le_bytes());
        put(
            &mut h,
            H_SENSOR_SLOT_SIZE,
            &(SENSOR_SLOT_SIZE as u16).to_le_bytes(),
        );
        put(
            &mut h,
            H_CAMERA_SLOT_SIZE,
            &(CAMERA_SLOT_SIZE as u16).to_le_bytes(),
        );
        h
    }
}

/// The constant part of a header, as found in a segment, before it is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderConstants {
    /// Bytes 0..8.
    pub magic: [u8; 8],
    /// The layout version.
    pub version: u32,
    /// The header size the writer used.
    pub header_size: u32,
    /// The sensor slot size the writer used.
    pub sensor_slot_size: u16,
    /// The camera slot size the writer used.
    pub camera_slot_size: u16,
    /// The capacities the writer used.
    pub geometry: Geometry,
}

impl HeaderConstants {
    /// Reads the constant fields from the first [`HEADER_SIZE`] bytes of `h`.
    pub fn parse(h: &[u8]) -> HeaderConstants {
        HeaderConstants {
            magic: get(h, 0),
            version: u32::from_le_bytes(get(h, H_VERSION)),
            header_size: u32::from_le_bytes(get(h, H_HEADER_SIZE)),
            sensor_slot_size: u16::from_le_bytes(get(h, H_SENSOR_SLOT_SIZE)),
            camera_slot_size: u16::from_le_bytes(get(h, H_CAMERA_SLOT_SIZE)),
            geometry: Geometry {
                sensor_capacity: u16::from_le_bytes(get(h, H_SENSOR_CAP)),
                camera_capacity: u16::from_le_bytes(get(h, H_CAMERA_CAP)),
            },
        }
    }
}

/// The sensor and camera counts in an encoded header.
pub fn counts(h: &[u8]) -> (usize, usize) {
    (
        usize::from(u16::from_le_bytes(get(h, H_SENSOR_COUNT))),
        usize::from(u16::from_le_bytes(get(h, H_CAMERA_COUNT))),
    )
}

/// The controller pid in an encoded header.
pub fn controller_pid(h: &[u8]) -> u32 {
    u32::from_le_bytes(get(h, H_PID))
}

/// Checks that `snap` fits `geometry` (counts within capacity, every text at
/// most [`MAX_ID_LEN`] bytes without NUL).
pub fn check_fits(snap: &Snapshot, geometry: Geometry) -> Result<(), StatusError> {
    if snap.sensors.len() > usize::from(geometry.sensor_capacity) {
        return Err(StatusError::TooManySensors {
            count: snap.sensors.len(),
            capacity: geometry.sensor_capacity,
        });
    }
    if snap.cameras.len() > usize::from(geometry.camera_capacity) {
        return Err(StatusError::TooManyCameras {
            count: snap.cameras.len(),
            capacity: geometry.camera_capacity,
        });
    }
    check_text("instance name", &snap.instance)?;
    for s in &snap.sensors {
        check_text("sensor id", &s.id)?;
        check_text("zone", &s.zone)?;
    }
    for c in &snap.cameras {
        check_text("camera id", &c.id)?;
    }
    Ok(())
}

fn check_text(what: &'static str, text: &str) -> Result<(), StatusError> {
    if text.len() > MAX_ID_LEN || text.as_bytes().contains(&0) {
        return Err(StatusError::BadText {
            what,
            text: text.to_string(),
        });
    }
    Ok(())
}

/// Encodes the mutable header fields of `snap` into `h` (which already holds
/// the constants from [`Geometry::empty_header`]). The seqlock bytes are not touched.
pub fn encode_header(snap: &Snapshot, h: &mut [u8]) {
    let flags = flag(snap.running, HEADER_RUNNING)
        | flag(snap.siren, HEADER_SIREN)
        | flag(snap.trouble.memory_lost, HEADER_MEMORY_LOST)
        | flag(snap.trouble.disk_fault, HEADER_DISK_FAULT)
        | flag(snap.trouble.input_failed, HEADER_INPUT_FAILED);
    put(h, H_PID, &snap.pid.to_le_bytes());
    put(h, H_FLAGS, &flags.to_le_bytes());
    put(h, H_HEARTBEAT, &snap.heartbeat_ms.to_le_bytes());
    put(h, H_STARTED, &snap.started_ms.to_le_bytes());
    put(h, H_SINCE, &snap.since_ms.to_le_bytes());
    h[H_ALARM] = snap.alarm.code();
    h[H_MODE] = snap.mode.map_or(0, Mode::code);
    put(h, H_INTERVAL, &snap.heartbeat_interval_ms.to_le_bytes());
    // check_fits ran first, so both counts fit their u16 capacities.
    put(
        h,
        H_SENSOR_COUNT,
        &(snap.sensors.len() as u16).to_le_bytes(),
    );
    put(
        h,
        H_CAMERA_COUNT,
        &(snap.cameras.len() as u16).to_le_bytes(),
    );
    put(h, H_ACCEPTED, &snap.accepted.to_le_bytes());
    put(h, H_REJECTED, &snap.rejected.to_le_bytes());
    put(h, H_LOGGED_SEQ, &snap.logged_seq.to_le_bytes());
    put(h, H_CLOCK_WALL, &snap.clock.origin_wall_ms.to_le_bytes());
    put(h, H_CLOCK_HOUSE, &snap.clock.origin_house_ms.to_le_bytes());
    put(h, H_CLOCK_SPEED, &snap.clock.speed.to_le_bytes());
    put_text(h, H_INSTANCE, &snap.instance);
}

/// Encodes one sensor into a [`SENSOR_SLOT_SIZE`]-byte slot, reserved bytes zero.
pub fn encode_sensor(s: &SensorSlot, slot: &mut [u8]) {
    slot.fill(0);
    put_text(slot, S_ID, &s.id);
    put_text(slot, S_ZONE, &s.zone);
    slot[S_KIND] = s.kind.code();
    slot[S_STATE] = s.state.code();
    slot[S_FLAGS] = bit(s.bypassed, SENSOR_BYPASSED)
        | bit(s.offline, SENSOR_OFFLINE)
        | bit(s.low_battery, SENSOR_LOW_BATTERY)
        | bit(s.tamper, SENSOR_TAMPER);
    put(slot, S_EVENTS, &s.events.to_le_bytes());
    put(slot, S_LAST_CHANGE, &s.last_change_ms.to_le_bytes());
    put(slot, S_LAST_SEEN, &s.last_seen_ms.to_le_bytes());
}

/// Encodes one camera into a [`CAMERA_SLOT_SIZE`]-byte slot, reserved bytes zero.
pub fn encode_camera(c: &CameraSlot, slot: &mut [u8]) {
    slot.fill(0);
    put_text(slot, C_ID, &c.id);
    slot[C_FLAGS] = bit(c.connected, CAMERA_CONNECTED);
    put(slot, C_FRAMES, &c.frames.to_le_bytes());
    put(slot, C_LAST_FRAME, &c.last_frame_ms.to_le_bytes());
}

/// Decodes a consistent image of a whole segment (header and the slots its
/// counts cover) into `snap`, reusing its strings and vectors so that a
/// reader polling in a loop does not allocate. Unknown codes and non-UTF-8
/// text are errors; after an error `snap` holds a partial decode.
pub fn decode_into(
    image: &[u8],
    geometry: Geometry,
    snap: &mut Snapshot,
) -> Result<(), StatusError> {
    debug_assert!(
        image.len() >= geometry.total_size(),
        "a whole segment's image"
    );
    let h = &image[..HEADER_SIZE];
    let flags = u32::from_le_bytes(get(h, H_FLAGS));
    let (sensor_count, camera_count) = counts(h);
    check_counts(sensor_count, camera_count, geometry)?;
    snap.alarm = AlarmState::from_code(h[H_ALARM]).ok_or_else(|| StatusError::UnknownCode {
        what: "alarm state",
        code: h[H_ALARM],
        slot: None,
    })?;
    snap.mode = match h[H_MODE] {
        0 => None,
        code => Some(Mode::from_code(code).ok_or(StatusError::UnknownCode {
            what: "mode",
            code,
            slot: None,
        })?),
    };
    snap.pid = u32::from_le_bytes(get(h, H_PID));
    get_text_into(h, H_INSTANCE, "instance name", None, &mut snap.instance)?;
    snap.running = flags & HEADER_RUNNING != 0;
    snap.siren = flags & HEADER_SIREN != 0;
    snap.trouble = SystemTrouble {
        memory_lost: flags & HEADER_MEMORY_LOST != 0,
        disk_fault: flags & HEADER_DISK_FAULT != 0,
        input_failed: flags & HEADER_INPUT_FAILED != 0,
    };
    snap.heartbeat_ms = get_time(h, H_HEARTBEAT, "heartbeat", None)?;
    snap.heartbeat_interval_ms = u32::from_le_bytes(get(h, H_INTERVAL));
    snap.started_ms = get_time(h, H_STARTED, "start", None)?;
    snap.since_ms = get_time(h, H_SINCE, "alarm state", None)?;
    snap.accepted = u64::from_le_bytes(get(h, H_ACCEPTED));
    snap.rejected = u64::from_le_bytes(get(h, H_REJECTED));
    snap.logged_seq = u64::from_le_bytes(get(h, H_LOGGED_SEQ));
    snap.clock = HouseClock::from_header(
        get_time(h, H_CLOCK_WALL, "clock origin (wall)", None)?,
        get_time(h, H_CLOCK_HOUSE, "clock origin (house)", None)?,
        f64::from_le_bytes(get(h, H_CLOCK_SPEED)),
    );

    let sensor_slots = image[geometry.sensor_offset(0)..]
        .chunks_exact(SENSOR_SLOT_SIZE)
        .take(sensor_count);
    snap.sensors.truncate(sensor_count);
    for (i, slot) in sensor_slots.enumerate() {
        match snap.sensors.get_mut(i) {
            Some(sensor) => decode_sensor_into(slot, i, sensor)?,
            None => {
                let mut sensor = empty_sensor();
                decode_sensor_into(slot, i, &mut sensor)?;
                snap.sensors.push(sensor);
            }
        }
    }
    let camera_slots = image[geometry.camera_offset(0)..]
        .chunks_exact(CAMERA_SLOT_SIZE)
        .take(camera_count);
    snap.cameras.truncate(camera_count);
    for (i, slot) in camera_slots.enumerate() {
        match snap.cameras.get_mut(i) {
            Some(camera) => decode_camera_into(slot, i, camera)?,
            None => {
                let mut camera = CameraSlot {
                    id: String::new(),
                    connected: false,
                    frames: 0,
                    last_frame_ms: 0,
                };
                decode_camera_into(slot, i, &mut camera)?;
                snap.cameras.push(camera);
            }
        }
    }
    Ok(())
}

/// A snapshot with nothing in it, for [`decode_into`] to fill.
pub fn empty_snapshot() -> Snapshot {
    Snapshot {
        pid: 0,
        instance: String::new(),
        running: false,
        siren: false,
        trouble: SystemTrouble::default(),
        heartbeat_ms: 0,
        heartbeat_interval_ms: 0,
        started_ms: 0,
        alarm: AlarmState::Disarmed,
        mode: None,
        since_ms: 0,
        accepted: 0,
        rejected: 0,
        logged_seq: 0,
        clock: HouseClock::REAL,
        sensors: Vec::new(),
        cameras: Vec::new(),
    }
}

fn empty_sensor() -> SensorSlot {
    SensorSlot {
        id: String::new(),
        zone: String::new(),
        kind: SensorKind::Motion,
        state: SensorState::Clear,
        bypassed: false,
        offline: false,
        low_battery: false,
        tamper: false,
        events: 0,
        last_change_ms: 0,
        last_seen_ms: 0,
    }
}

/// Checks counts read from a header against the segment's capacities.
pub fn check_counts(sensors: usize, cameras: usize, geometry: Geometry) -> Result<(), StatusError> {
    if sensors > usize::from(geometry.sensor_capacity) {
        return Err(StatusError::CountOverCapacity {
            what: "sensor",
            count: sensors,
            capacity: geometry.sensor_capacity,
        });
    }
    if cameras > usize::from(geometry.camera_capacity) {
        return Err(StatusError::CountOverCapacity {
            what: "camera",
            count: cameras,
            capacity: geometry.camera_capacity,
        });
    }
    Ok(())
}

#[inline(always)]
fn decode_sensor_into(slot: &[u8], i: usize, sensor: &mut SensorSlot) -> Result<(), StatusError> {
    sensor.kind = SensorKind::from_code(slot[S_KIND]).ok_or_else(|| StatusError::UnknownCode {
        what: "sensor kind",
        code: slot[S_KIND],
        slot: Some(i),
    })?;
    sensor.state =
        SensorState::from_code(slot[S_STATE]).ok_or_else(|| StatusError::UnknownCode {
            what: "sensor state",
            code: slot[S_STATE],
            slot: Some(i),
        })?;
    get_text_into(slot, S_ID, "sensor id", Some(i), &mut sensor.id)?;
    get_text_into(slot, S_ZONE, "zone", Some(i), &mut sensor.zone)?;
    let flags = slot[S_FLAGS];
    sensor.bypassed = flags & SENSOR_BYPASSED != 0;
    sensor.offline = flags & SENSOR_OFFLINE != 0;
    sensor.low_battery = flags & SENSOR_LOW_BATTERY != 0;
    sensor.tamper = flags & SENSOR_TAMPER != 0;
    sensor.events = u64::from_le_bytes(get(slot, S_EVENTS));
    sensor.last_change_ms = get_time(slot, S_LAST_CHANGE, "last change", Some(i))?;
    sensor.last_seen_ms = get_time(slot, S_LAST_SEEN, "last seen", Some(i))?;
    Ok(())
}

fn decode_camera_into(slot: &[u8], i: usize, camera: &mut CameraSlot) -> Result<(), StatusError> {
    get_text_into(slot, C_ID, "camera id", Some(i), &mut camera.id)?;
    camera.connected = slot[C_FLAGS] & CAMERA_CONNECTED != 0;
    camera.frames = u64::from_le_bytes(get(slot, C_FRAMES));
    camera.last_frame_ms = get_time(slot, C_LAST_FRAME, "last frame", Some(i))?;
    Ok(())
}

fn flag(on: bool, mask: u32) -> u32 {
    if on { mask } else { 0 }
}

fn bit(on: bool, mask: u8) -> u8 {
    if on { mask } else { 0 }
}

/// Copies `bytes` to `buf[at..]`. Offsets are the constants above, in bounds by construction.
fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Reads `N` bytes at `at`. Offsets are the constants above, in bounds by construction.
fn get<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&buf[at..at + N]);
    out
}

/// Reads the time at `at`. Every reader computes ages and "now" from these,
/// so a value outside [`TIMES`] is damage (or a forgery), reported as such
/// rather than carried into arithmetic.
fn get_time(
    buf: &[u8],
    at: usize,
    what: &'static str,
    slot: Option<usize>,
) -> Result<i64, StatusError> {
    let value = i64::from_le_bytes(get(buf, at));
    if TIMES.contains(&value) {
        Ok(value)
    } else {
        Err(StatusError::TimeOutOfRange { what, value, slot })
    }
}

/// Writes `text` NUL padded into a `MAX_ID_LEN`-byte field (check_fits ran first).
fn put_text(buf: &mut [u8], at: usize, text: &str) {
    let field = &mut buf[at..at + MAX_ID_LEN];
    field.fill(0);
    field[..text.len()].copy_from_slice(text.as_bytes());
}

/// Replaces `out` with the NUL-padded text field at `at`. Names rarely
/// change between two snapshots, so text equal to `out` is left as it is:
/// a `String` is valid UTF-8, so equal bytes need no second check. This
/// runs for every name of every snapshot, so the comparison avoids calls.
#[inline(always)]
fn get_text_into(
    buf: &[u8],
    at: usize,
    what: &'static str,
    slot: Option<usize>,
    out: &mut String,
) -> Result<(), StatusError> {
    let field = &buf[at..at + MAX_ID_LEN];
    if is_text_of(out.as_bytes(), field) {
        return Ok(());
    }
    let len = text_len(field);
    let text =
        std::str::from_utf8(&field[..len]).map_err(|_| StatusError::BadUtf8 { what, slot })?;
    out.clear();
    out.push_str(text);
    Ok(())
}

/// `w - 0x01..01 & !w & 0x80..80`: non-zero exactly when a byte of `w` is
/// zero, and its lowest set bit falls in the lowest zero byte.
fn zero_bytes(w: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// Where the first NUL of a text field is (its length), a word at a time.
fn text_len(field: &[u8]) -> usize {
    for (k, chunk) in field.chunks_exact(8).enumerate() {
        let zero = zero_bytes(u64::from_le_bytes(word(chunk, 0)));
        if zero != 0 {
            return k * 8 + (zero.trailing_zeros() / 8) as usize;
        }
    }
    field.len()
}

/// Whether the NUL-padded `field` holds exactly the text `held`: the same
/// bytes, none of them NUL, and a NUL (or the field's end) after them.
/// Compared in overlapping words instead of a call to `memcmp`, since
/// this runs for every name of every snapshot.
fn is_text_of(held: &[u8], field: &[u8]) -> bool {
    let n = held.len();
    if n > field.len() || field.get(n).is_some_and(|&b| b != 0) {
        return false;
    }
    if n < 4 {
        return held.iter().zip(field).all(|(&a, &b)| a == b && b != 0);
    }
    if n < 8 {
        let same = |at: usize| {
            let w = get::<4>(field, at);
            get::<4>(held, at) == w && !w.contains(&0)
        };
        return same(0) && same(n - 4);
    }
    let same = |at: usize| {
        let w = word(field, at);
        word(held, at) == w && zero_bytes(u64::from_ne_bytes(w)) == 0
    };
    let mut i = 0;
    while i + 8 < n {
        if !same(i) {
            return false;
        }
        i += 8;
    }
    same(n - 8)
}

/// The 8 bytes at `at` (in bounds by the callers' arithmetic).
fn word(bytes: &[u8], at: usize) -> [u8; 8] {
    get(bytes, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field with its first NUL at each place, other bytes every
    /// value that could fool the word trick (0x01, 0x80, 0xFF, 0x7F).
    #[test]
    fn text_len_finds_the_first_nul_like_a_byte_scan() {
        for fill in [0x01u8, 0x7F, 0x80, 0x81, 0xFF, b'a'] {
            for nul in 0..=MAX_ID_LEN {
                for after in [0u8, 0x01, 0xFF] {
                    let mut field = [fill; MAX_ID_LEN];
                    if nul < MAX_ID_LEN {
                        field[nul] = 0;
                        field[nul + 1..].fill(after);
                    }
                    let scanned = field.iter().position(|&b| b == 0).unwrap_or(MAX_ID_LEN);
                    assert_eq!(text_len(&field), scanned, "fill {fill:#x} nul {nul}");
                }
            }
        }
    }

    /// `is_text_of` says yes exactly when decoding the field would give
    /// the held text: for every length, a byte changed anywhere, a NUL
    /// inside the held text, and text running on past it.
    #[test]
    fn is_text_of_agrees_with_decoding_the_field() {
        let decoded = |field: &[u8]| field[..text_len(field)].to_vec();
        let base: Vec<u8> = (1..=MAX_ID_LEN as u8).collect();
        for n in 0..=MAX_ID_LEN {
            let mut field = [0u8; MAX_ID_LEN];
            field[..n].copy_from_slice(&base[..n]);
            let mut helds = vec![base[..n].to_vec()];
            for at in 0..n {
                let mut changed = base[..n].to_vec();
                changed[at] ^= 0x40;
                helds.push(changed);
                let mut with_nul = base[..n].to_vec();
                with_nul[at] = 0;
                helds.push(with_nul);
            }
            helds.push(base[..n.saturating_sub(1)].to_vec());
            let mut longer = base[..n].to_vec();
            longer.push(0);
            helds.push(longer);
            for held in helds {
                assert_eq!(
                    is_text_of(&held, &field),
                    held == decoded(&field),
                    "n {n}, held {held:?}"
                );
            }
        }
    }

    /// A name that stays is left in place; one that changes, even to text
    /// that starts with the old, is replaced; a field without a NUL is all
    /// text.
    #[test]
    fn a_text_field_replaces_only_what_changed() {
        let mut buf = [0u8; MAX_ID_LEN];
        buf[..9].copy_from_slice(b"sensor-01");
        let mut out = String::from("sensor-01");
        get_text_into(&buf, 0, "id", None, &mut out).unwrap();
        assert_eq!(out, "sensor-01");
        let mut out = String::from("sensor-0");
        get_text_into(&buf, 0, "id", None, &mut out).unwrap();
        assert_eq!(out, "sensor-01");
        let mut out = String::from("sensor-012");
        get_text_into(&buf, 0, "id", None, &mut out).unwrap();
        assert_eq!(out, "sensor-01");
        // The field's own padding held in the string is not the same text.
        let mut out = String::from("sensor-01\0");
        get_text_into(&buf, 0, "id", None, &mut out).unwrap();
        assert_eq!(out, "sensor-01");
        let full = [b'x'; MAX_ID_LEN];
        get_text_into(&full, 0, "id", None, &mut out).unwrap();
        assert_eq!(out, "x".repeat(MAX_ID_LEN));
        get_text_into(&full, 0, "id", None, &mut out).unwrap();
        assert_eq!(out.len(), MAX_ID_LEN);
    }
}
