//! Any process's view of a status segment: validates the file before
//! trusting a byte of it, then takes consistent snapshots under the seqlock.
//!
//! The mapping is read-only; a reader never writes the segment. A reader
//! keeps the file it opened: if the controller restarts and renames a new
//! segment over the path, reopen to follow it.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use memmap2::Mmap;

use super::layout::{
    self, CAMERA_SLOT_SIZE, Geometry, HEADER_SIZE, HeaderConstants, LAYOUT_VERSION, MAGIC,
    SENSOR_SLOT_SIZE, SENSOR_SLOT_USED,
};
use super::seqlock::Words;
use super::{Snapshot, StatusError};
use crate::endpoint::{Found, Trust};

/// How long `snapshot` waits for a running writer to finish a publish
/// before giving up with [`StatusError::Busy`]. A publish takes a few
/// microseconds, so only a hung writer (or a badly overloaded machine)
/// exhausts this.
pub const BUSY_TIMEOUT: Duration = Duration::from_millis(200);

/// How a reader waits for a publish to end. While the counter moves the
/// writer is alive and publishing, so the reader retries at once. A counter
/// that stays on one odd value is a publish that is not ending: after a
/// few spins and yields the reader checks that the writer still exists and
/// sleeps with a doubling pause, so a segment whose seqlock never turns
/// even costs some sleeps, not a core.
const SPINS: u32 = 64;
const YIELDS: u32 = 64;
const FIRST_PAUSE: Duration = Duration::from_micros(50);
const LONGEST_PAUSE: Duration = Duration::from_millis(10);

/// What one attempt at a copy found.
enum Attempt {
    /// The copy is one whole publish.
    Whole,
    /// The writer moved on during the copy: it is alive, try again at once.
    Moved,
    /// A publish was running, the counter at this odd value.
    Publishing(usize),
}

/// How to wait before the next attempt.
enum Wait {
    Spin,
    Yield,
    Sleep(Duration),
}

/// Paces the retries of one snapshot: see [`SPINS`].
struct Backoff {
    /// The odd counter the last attempts found, if they found one.
    stuck_at: Option<usize>,
    /// Attempts in a row that found that same odd counter.
    stuck: u32,
    pause: Duration,
}

impl Backoff {
    fn new() -> Backoff {
        Backoff {
            stuck_at: None,
            stuck: 0,
            pause: FIRST_PAUSE,
        }
    }

    /// Takes what a failed attempt found; says how to wait for the next.
    fn after(&mut self, publishing: Option<usize>) -> Wait {
        if publishing.is_some() && publishing == self.stuck_at {
            self.stuck += 1;
        } else {
            // The counter moved: the writer is alive and working.
            *self = Backoff::new();
            self.stuck_at = publishing;
        }
        if self.stuck < SPINS {
            return Wait::Spin;
        }
        if self.stuck < SPINS + YIELDS {
            return Wait::Yield;
        }
        let pause = self.pause;
        self.pause = (pause * 2).min(LONGEST_PAUSE);
        Wait::Sleep(pause)
    }
}

/// A validated, read-only mapping of a status segment.
pub struct StatusReader {
    path: PathBuf,
    map: Mmap,
    geometry: Geometry,
    retries: AtomicU64,
    /// The private copy a snapshot is decoded from, kept between calls so
    /// that polling allocates nothing. A second thread snapshotting at the
    /// same moment takes a fresh buffer rather than waiting for this one.
    scratch: Mutex<Vec<u8>>,
}

impl StatusReader {
    /// Opens and validates the segment at `path`: its owner and mode
    /// (`trust`: a segment anyone else could have written tells nothing
    /// about the house), its size before mapping, then magic, layout
    /// version, header and slot sizes, and that the size matches the
    /// capacities. Each mismatch is its own error.
    pub fn open(path: &Path, trust: &Trust) -> Result<StatusReader, StatusError> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| match e.kind() {
                ErrorKind::NotFound => StatusError::NotFound {
                    path: path.to_path_buf(),
                },
                _ => StatusError::io(path, "open", e),
            })?;
        let found = Found::of(&file).map_err(|e| StatusError::io(path, "stat", e))?;
        trust.check("status segment", path, found)?;
        let size = file
            .metadata()
            .map_err(|e| StatusError::io(path, "stat", e))?
            .len();
        if size < HEADER_SIZE as u64 {
            return Err(StatusError::TooSmall {
                path: path.to_path_buf(),
                found: size,
                minimum: HEADER_SIZE as u64,
            });
        }
        if size % 8 != 0 {
            return Err(StatusError::WrongSize {
                path: path.to_path_buf(),
                found: size,
                expected: size.next_multiple_of(8),
            });
        }
        // SAFETY: the size is checked and the segment is never truncated by
        // its writer (it is replaced by rename); all access goes through
        // `Words`, with atomics only.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| StatusError::io(path, "map", e))?;
        let mut header = [0u8; HEADER_SIZE];
        // SAFETY: as above; the mapping is page aligned and lives in `map`.
        unsafe { Words::from_raw(map.as_ptr(), map.len()) }.load_into(0, &mut header);
        let geometry = validate(path, &HeaderConstants::parse(&header), size)?;
        Ok(StatusReader {
            path: path.to_path_buf(),
            map,
            geometry,
            retries: AtomicU64::new(0),
            scratch: Mutex::new(vec![0u8; geometry.total_size()]),
        })
    }

    /// The segment's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sensor and camera capacities of the segment.
    pub fn capacities(&self) -> (u16, u16) {
        (self.geometry.sensor_capacity, self.geometry.camera_capacity)
    }

    /// How many times a snapshot had to be copied again because the writer
    /// was publishing; a diagnostic for benchmarks and stress tests.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// A consistent snapshot: one whole publish, never a mix of two.
    /// Retries while the writer is publishing, for at most [`BUSY_TIMEOUT`].
    pub fn snapshot(&self) -> Result<Snapshot, StatusError> {
        let mut snap = layout::empty_snapshot();
        self.snapshot_into(&mut snap)?;
        Ok(snap)
    }

    /// Like [`snapshot`](Self::snapshot), but overwrites `snap`, reusing its
    /// strings and vectors: a loop polling the segment allocates nothing.
    /// After an error `snap` holds a partial decode and must not be used.
    pub fn snapshot_into(&self, snap: &mut Snapshot) -> Result<(), StatusError> {
        match self.scratch.try_lock() {
            Ok(mut image) => self.copy_and_decode(&mut image, snap),
            Err(_) => self.copy_and_decode(&mut vec![0u8; self.geometry.total_size()], snap),
        }
    }

    /// Copies one whole publish into `image` (retrying while the writer is
    /// publishing, for at most [`BUSY_TIMEOUT`]), then decodes it.
    fn copy_and_decode(&self, image: &mut [u8], snap: &mut Snapshot) -> Result<(), StatusError> {
        // The clock starts at the first failed attempt: the common case, a
        // segment at rest, costs one copy and no clock read.
        let mut started = None;
        let mut backoff = Backoff::new();
        let mut attempts = 0u64;
        loop {
            attempts += 1;
            let publishing = match self.try_copy(image) {
                Attempt::Whole => return layout::decode_into(image, self.geometry, snap),
                Attempt::Moved => None,
                Attempt::Publishing(seq) => Some(seq),
            };
            let started = *started.get_or_insert_with(Instant::now);
            self.retries.fetch_add(1, Ordering::Relaxed);
            match backoff.after(publishing) {
                Wait::Spin => std::hint::spin_loop(),
                Wait::Yield => std::thread::yield_now(),
                Wait::Sleep(pause) => {
                    self.check_writer(attempts)?;
                    std::thread::sleep(pause);
                }
            }
            if started.elapsed() >= BUSY_TIMEOUT {
                // Busy is for a live writer only, even when a loaded
                // machine's yields used the whole wait before a sleep
                // looked at it.
                self.check_writer(attempts)?;
                return Err(StatusError::Busy {
                    path: self.path.clone(),
                    attempts,
                });
            }
        }
    }

    /// A publish that does not end: an error if its writer is gone (it
    /// never will end).
    fn check_writer(&self, attempts: u64) -> Result<(), StatusError> {
        let mut header = [0u8; HEADER_SIZE];
        self.words().load_into(0, &mut header);
        // The pid is set when the segment is made and never changes, so a
        // copy taken mid-publish still holds it.
        let pid = layout::controller_pid(&header);
        if super::controller_gone(pid) {
            return Err(StatusError::Stale {
                path: self.path.clone(),
                pid,
                attempts,
            });
        }
        Ok(())
    }

    /// One attempt: copies the header and the slots in use into `image`.
    fn try_copy(&self, image: &mut [u8]) -> Attempt {
        let words = self.words();
        let seq = match words.read_begin() {
            Ok(seq) => seq,
            Err(odd) => return Attempt::Publishing(odd),
        };
        words.load_into(0, &mut image[..HEADER_SIZE]);
        // Counts may be torn here: clamp so the copy stays in bounds; the
        // validation below discards a torn copy anyway.
        let (sensors, cameras) = layout::counts(&image[..HEADER_SIZE]);
        let sensors = sensors.min(usize::from(self.geometry.sensor_capacity));
        let cameras = cameras.min(usize::from(self.geometry.camera_capacity));
        let sensor_at = self.geometry.sensor_offset(0);
        let camera_at = self.geometry.camera_offset(0);
        // Slot by slot, leaving out the reserved quarter of each.
        for slot in 0..sensors {
            let at = sensor_at + slot * SENSOR_SLOT_SIZE;
            words.load_into(at, &mut image[at..at + SENSOR_SLOT_USED]);
        }
        words.load_into(
            camera_at,
            &mut image[camera_at..camera_at + cameras * CAMERA_SLOT_SIZE],
        );
        if words.read_validate(seq) {
            Attempt::Whole
        } else {
            Attempt::Moved
        }
    }

    fn words(&self) -> Words<'_> {
        // SAFETY: the mapping is page aligned, its length was checked to be
        // a multiple of 8 in `open`, and it lives as long as `self`. Only
        // loads are made through it.
        unsafe { Words::from_raw(self.map.as_ptr(), self.map.len()) }
    }
}

/// Checks the constant header fields and the file size; returns the geometry.
fn validate(path: &Path, h: &HeaderConstants, size: u64) -> Result<Geometry, StatusError> {
    let path = path.to_path_buf();
    if h.magic != MAGIC {
        return Err(StatusError::BadMagic {
            path,
            found: h.magic,
        });
    }
    if h.version != LAYOUT_VERSION {
        return Err(StatusError::UnsupportedVersion {
            path,
            found: h.version,
            supported: LAYOUT_VERSION,
        });
    }
    if h.header_size != HEADER_SIZE as u32 {
        return Err(StatusError::WrongHeaderSize {
            path,
            found: h.header_size,
            expected: HEADER_SIZE as u32,
        });
    }
    for (what, found, expected) in [
        ("sensor", h.sensor_slot_size, SENSOR_SLOT_SIZE),
        ("camera", h.camera_slot_size, CAMERA_SLOT_SIZE),
    ] {
        if usize::from(found) != expected {
            return Err(StatusError::WrongSlotSize {
                path,
                what,
                found,
                expected: expected as u16,
            });
        }
    }
    let expected = h.geometry.total_size() as u64;
    if size != expected {
        return Err(StatusError::WrongSize {
            path,
            found: size,
            expected,
        });
    }
    Ok(h.geometry)
}
