//! The alarm memory: what the house must still know after a crash, a power
//! cut or a restart — its alarm state, mode and bypassed sensors, and the
//! wrong-code count with its lockout (so a restart never resets a guesser).
//!
//! Kept in `<data-dir>/alarm-state.json`, rewritten atomically (temp file,
//! fsync, rename, fsync of the dir) whenever one of those changes, which is
//! rare: arming, disarming, alarms. At start the house takes it up again
//! ([`crate::house::House::restore`]), so that pulling the plug never
//! disarms the house or silences an alarm. A missing or unreadable file
//! means disarmed, said once in the log.

use crate::house::CodeLockState;
use homesec_ipc::{AlarmState, Mode};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// What is remembered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmMemory {
    /// The alarm state.
    pub state: AlarmState,
    /// The armed mode.
    pub mode: Option<Mode>,
    /// Sensors bypassed in the current armed period.
    pub bypassed: Vec<String>,
    /// Wrong codes in a row since the last correct one (0 in a memory
    /// written before this was kept).
    #[serde(default)]
    pub wrong_codes: u32,
    /// Until when code entry is locked, unix ms of house time.
    #[serde(default)]
    pub locked_until_ms: Option<i64>,
}

impl AlarmMemory {
    /// The code lockout as the house takes it up.
    pub fn code_lock(&self) -> CodeLockState {
        CodeLockState {
            wrong_in_a_row: self.wrong_codes,
            locked_until: self.locked_until_ms,
        }
    }
}

impl Default for AlarmMemory {
    fn default() -> Self {
        AlarmMemory {
            state: AlarmState::Disarmed,
            mode: None,
            bypassed: Vec::new(),
            wrong_codes: 0,
            locked_until_ms: None,
        }
    }
}

/// The memory file of a data dir.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("alarm-state.json")
}

/// The alarm memory the previous run left in `data_dir`, and where it is.
pub fn remembered(data_dir: &Path) -> (PathBuf, AlarmMemory) {
    let path = path(data_dir);
    let last = load(&path);
    if last.state != AlarmState::Disarmed {
        tracing::warn!(state = %last.state, "the last run stopped while not disarmed; taking that state up again");
    }
    (path, last)
}

/// Reads the memory; anything unreadable counts as disarmed (and is logged).
pub fn load(path: &Path) -> AlarmMemory {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::error!(file = %path.display(), error = %e, "alarm memory unreadable; starting disarmed");
            AlarmMemory::default()
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => AlarmMemory::default(),
        Err(e) => {
            tracing::error!(file = %path.display(), error = %e, "cannot read the alarm memory; starting disarmed");
            AlarmMemory::default()
        }
    }
}

/// Replaces the memory atomically and durably.
pub fn save(path: &Path, memory: &AlarmMemory) -> io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o640)
        .open(&tmp)?;
    file.write_all(&serde_json::to_vec(memory).map_err(io::Error::other)?)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_and_treats_garbage_as_disarmed() {
        let dir = tempfile::tempdir().unwrap();
        let file = path(dir.path());
        assert_eq!(load(&file), AlarmMemory::default());
        let armed = AlarmMemory {
            state: AlarmState::Armed,
            mode: Some(Mode::Night),
            bypassed: vec!["back-door".into()],
            wrong_codes: 11,
            locked_until_ms: Some(1_800_000_000_000),
        };
        save(&file, &armed).unwrap();
        assert_eq!(load(&file), armed);
        std::fs::write(&file, b"{\"state\":").unwrap();
        assert_eq!(load(&file), AlarmMemory::default());
    }
}
