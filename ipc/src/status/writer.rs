//! The single writer: creates the segment atomically (temp file + rename) and
//! publishes snapshots under the seqlock.
//!
//! A new segment never replaces an old one in place: readers that mapped the
//! old file keep a valid (if stale) mapping and never fault on a truncated
//! page. Only one `StatusWriter` may exist per path (the controller's pidfile
//! lock guarantees this), since the seqlock admits one writer.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use memmap2::MmapMut;

use super::layout::{self, CAMERA_SLOT_SIZE, Geometry, HEADER_SIZE, SENSOR_SLOT_SIZE};
use super::seqlock::Words;
use super::{Snapshot, StatusError};
use crate::endpoint::{Trust, found_at};

/// What the endpoint checks call the segment.
const WHAT: &str = "status segment";

/// The permissions of a status segment: the controller writes, the
/// configured group reads (`0640`; `0600` without a group).
pub fn segment_mode(trust: &Trust) -> u32 {
    trust.mode(0o600, 0o040)
}

/// Publishes [`Snapshot`]s into a status segment. Single writer.
pub struct StatusWriter {
    path: PathBuf,
    map: MmapMut,
    geometry: Geometry,
    /// The last even seqlock value this writer stored.
    seq: usize,
    /// A reusable image of the whole segment; publish encodes here first.
    image: Vec<u8>,
    /// Slot counts of the previous publish, so slots that fell out get zeroed.
    published: (usize, usize),
}

impl StatusWriter {
    /// Creates (or atomically replaces) the segment at `path` with room for
    /// the given numbers of sensors and cameras. The new segment holds an
    /// empty snapshot with the running flag cleared until the first publish.
    /// A file at `path` that another user made is refused, not replaced:
    /// someone is squatting on the name (see [`crate::endpoint`]).
    pub fn create(
        path: &Path,
        sensor_capacity: u16,
        camera_capacity: u16,
        trust: &Trust,
    ) -> Result<StatusWriter, StatusError> {
        let geometry = Geometry {
            sensor_capacity,
            camera_capacity,
        };
        let mut image = vec![0u8; geometry.total_size()];
        // The writer's pid from the start: a reader that finds a publish
        // never ending asks whether this process still exists.
        image[..HEADER_SIZE].copy_from_slice(&geometry.empty_header(std::process::id()));
        if let Some((found, _)) = found_at(path).map_err(|e| StatusError::io(path, "stat", e))? {
            trust.own(WHAT, path, found)?;
        }
        let file = write_and_rename(path, &image, trust)?;
        // SAFETY: the file is ours, sized to `image`, and never truncated
        // (replacement is by rename); the mapping is only touched through
        // `Words`, i.e. with atomics, as is every reader's.
        let map =
            unsafe { MmapMut::map_mut(&file) }.map_err(|e| StatusError::io(path, "map", e))?;
        Ok(StatusWriter {
            path: path.to_path_buf(),
            map,
            geometry,
            seq: 0,
            image,
            published: (0, 0),
        })
    }

    /// The segment's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Publishes `snap`: readers see either the previous snapshot or this
    /// one, whole. Fails, writing nothing, if `snap` does not fit the
    /// capacities or an id is longer than 32 bytes.
    pub fn publish(&mut self, snap: &Snapshot) -> Result<(), StatusError> {
        layout::check_fits(snap, self.geometry)?;
        let sensors = snap.sensors.len().max(self.published.0);
        let cameras = snap.cameras.len().max(self.published.1);
        self.encode(snap, sensors, cameras);

        let sensor_at = self.geometry.sensor_offset(0);
        let camera_at = self.geometry.camera_offset(0);
        let words = self.words();
        words.begin_write(self.seq);
        words.store_from(0, &self.image[..HEADER_SIZE]);
        words.store_from(
            sensor_at,
            &self.image[sensor_at..sensor_at + sensors * SENSOR_SLOT_SIZE],
        );
        words.store_from(
            camera_at,
            &self.image[camera_at..camera_at + cameras * CAMERA_SLOT_SIZE],
        );
        self.seq = words.end_write(self.seq);
        self.published = (snap.sensors.len(), snap.cameras.len());
        Ok(())
    }

    /// Encodes `snap` into the image, zeroing slots up to `sensors`/`cameras`
    /// that `snap` does not fill.
    fn encode(&mut self, snap: &Snapshot, sensors: usize, cameras: usize) {
        layout::encode_header(snap, &mut self.image[..HEADER_SIZE]);
        for i in 0..sensors {
            let at = self.geometry.sensor_offset(i);
            let slot = &mut self.image[at..at + SENSOR_SLOT_SIZE];
            match snap.sensors.get(i) {
                Some(sensor) => layout::encode_sensor(sensor, slot),
                None => slot.fill(0),
            }
        }
        for i in 0..cameras {
            let at = self.geometry.camera_offset(i);
            let slot = &mut self.image[at..at + CAMERA_SLOT_SIZE];
            match snap.cameras.get(i) {
                Some(camera) => layout::encode_camera(camera, slot),
                None => slot.fill(0),
            }
        }
    }

    fn words(&self) -> Words<'_> {
        // SAFETY: the mapping is page aligned, its length is the segment size
        // (a multiple of 8), it lives as long as `self`, and it is writable.
        unsafe { Words::from_raw(self.map.as_ptr(), self.map.len()) }
    }
}

/// Writes `image` to a temp file next to `path`, sets its group and mode
/// with `fchown` and `fchmod` (so the umask does not matter), and renames it
/// over `path`. Returns the open file, which is now the one at `path`.
fn write_and_rename(path: &Path, image: &[u8], trust: &Trust) -> Result<File, StatusError> {
    let tmp = temp_path(path);
    let written = (|| -> std::io::Result<File> {
        // /dev/shm is shared by everyone: never follow a planted link or
        // reuse a file someone else made under our temp name.
        let _ = fs::remove_file(&tmp);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(image)?;
        trust
            .apply(WHAT, path, &file, segment_mode(trust))
            .map_err(std::io::Error::other)?;
        fs::rename(&tmp, path)?;
        Ok(file)
    })();
    written.map_err(|e| {
        // Best effort: the temp file is useless after a failure.
        let _ = fs::remove_file(&tmp);
        StatusError::io(path, "create", e)
    })
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}
