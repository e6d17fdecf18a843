//! The alarm memory: what the house must still know after a crash, a power
//! cut or a restart — its alarm state, mode and bypassed sensors, and the
//! wrong-code count with its lockout (so a restart never resets a guesser).
//!
//! Kept in `<data-dir>/alarm-state.json`, rewritten atomically (temp file,
//! fsync, rename, fsync of the dir) whenever one of those changes, which is
//! rare: arming, disarming, alarms, wrong codes — on a thread of its own
//! ([`MemorySaver`]), never by the house task. At start the house takes it
//! up again ([`crate::house::House::restore`]), so that pulling the plug
//! never disarms the house or silences an alarm. A missing file is a first
//! start; an unreadable one is never taken as disarmed ([`remembered`]).

use crate::house::CodeLockState;
use homesec_ipc::eventlog::reader::{Item, Reader};
use homesec_ipc::eventlog::{Event, files};
use homesec_ipc::{AlarmState, Mode};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

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

/// What the previous run left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    /// The memory to take up.
    pub memory: AlarmMemory,
    /// Why the memory file could not be read, if it could not: the house
    /// then starts in the safest state the event log allows and raises the
    /// `memory_lost` trouble until someone enters a valid code.
    pub lost: Option<String>,
}

/// The alarm memory the previous run left in `data_dir`. Fail safe: a file
/// that is missing is a first start (disarmed); one that cannot be read or
/// parsed (damage, or someone who would like the house disarmed) is never
/// taken as disarmed — the last alarm state the event log in `events_dir`
/// shows is taken instead.
pub fn remembered(data_dir: &Path, events_dir: &Path) -> Remembered {
    let path = path(data_dir);
    let loaded = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<AlarmMemory>(&bytes).map_err(|e| e.to_string()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(AlarmMemory::default()),
        Err(e) => Err(e.to_string()),
    };
    match loaded {
        Ok(memory) => {
            if memory.state != AlarmState::Disarmed {
                tracing::warn!(state = %memory.state, "the last run stopped while not disarmed; taking that state up again");
            }
            Remembered { memory, lost: None }
        }
        Err(why) => {
            let (state, mode) = last_state_in_log(events_dir);
            tracing::error!(
                file = %path.display(),
                error = %why,
                "ALARM MEMORY UNREADABLE: starting {state}{} as the event log last shows; the memory_lost trouble stays until a valid code is entered",
                mode.map(|m| format!(" ({m})")).unwrap_or_default()
            );
            Remembered {
                memory: AlarmMemory {
                    state,
                    mode,
                    ..AlarmMemory::default()
                },
                lost: Some(why),
            }
        }
    }
}

/// How many of the newest day files are searched for the last state.
const LOG_LOOKBACK: usize = 7;

/// The last alarm state (and mode) the event log records, from its newest
/// files; disarmed when it records none.
fn last_state_in_log(events_dir: &Path) -> (AlarmState, Option<Mode>) {
    let files = files::list_files(events_dir).unwrap_or_default();
    for (_, file) in files.iter().rev().take(LOG_LOOKBACK) {
        let mut reader = Reader::new([file.clone()]);
        let mut last = None;
        while let Some(item) = reader.next_item() {
            if let Item::Record(entry) = item {
                match entry.record.event {
                    Event::Alarm { to, mode, .. } => last = Some((to, mode)),
                    Event::Snapshot { state, mode, .. } => last = Some((state, mode)),
                    _ => {}
                }
            }
        }
        if let Some(found) = last {
            return found;
        }
    }
    (AlarmState::Disarmed, None)
}

/// Replaces the memory atomically and durably. A stale temp file (of a
/// crash, or planted) is removed first, and the new one is created
/// exclusively without following a link.
pub fn save(path: &Path, memory: &AlarmMemory) -> io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
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

/// Saves the alarm memory on a thread of its own, so that the house task,
/// the one owner of the house, never waits for an SD card's fsync. The
/// house task [`MemorySaver::put`]s the newest memory into a one-value slot
/// and goes on; the thread writes whatever is newest when it gets to it
/// (values in between are skipped: only the last one matters).
pub struct MemorySaver {
    slot: Arc<(Mutex<Slot>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The newest memory not yet saved, and whether the house task is done.
#[derive(Default)]
struct Slot {
    newest: Option<AlarmMemory>,
    closed: bool,
}

/// How long the stop waits for a save in progress.
const FINAL_SAVE_WAIT: Duration = Duration::from_secs(5);

impl MemorySaver {
    /// Starts the saver thread for the memory at `path`.
    pub fn spawn(path: PathBuf) -> io::Result<MemorySaver> {
        MemorySaver::spawn_with(move |memory| save(&path, memory))
    }

    /// Starts the saver thread with its own way to save (tests use one
    /// that blocks).
    pub fn spawn_with(
        save: impl Fn(&AlarmMemory) -> io::Result<()> + Send + 'static,
    ) -> io::Result<MemorySaver> {
        let slot = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let theirs = Arc::clone(&slot);
        let thread = std::thread::Builder::new()
            .name("memory".into())
            .spawn(move || save_until_closed(&theirs, save))?;
        Ok(MemorySaver {
            slot,
            thread: Some(thread),
        })
    }

    /// Hands over the newest memory; never waits for a save.
    pub fn put(&self, memory: AlarmMemory) {
        let (lock, wake) = &*self.slot;
        lock.lock().unwrap_or_else(PoisonError::into_inner).newest = Some(memory);
        wake.notify_one();
    }

    /// Saves what is left, waiting at most a few seconds: a disk that does
    /// not answer must not keep the controller from stopping.
    pub fn finish(mut self) {
        let (lock, wake) = &*self.slot;
        lock.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
        wake.notify_one();
        let Some(thread) = self.thread.take() else {
            return;
        };
        let deadline = std::time::Instant::now() + FINAL_SAVE_WAIT;
        while !thread.is_finished() {
            if std::time::Instant::now() >= deadline {
                tracing::error!(
                    "the alarm memory is still being saved after {FINAL_SAVE_WAIT:?}; stopping without waiting for it"
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = thread.join();
    }
}

fn save_until_closed(slot: &(Mutex<Slot>, Condvar), save: impl Fn(&AlarmMemory) -> io::Result<()>) {
    let (lock, wake) = slot;
    loop {
        let next = {
            let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
            while slot.newest.is_none() && !slot.closed {
                slot = wake.wait(slot).unwrap_or_else(PoisonError::into_inner);
            }
            match slot.newest.take() {
                Some(memory) => memory,
                None => return,
            }
        };
        match save(&next) {
            Ok(()) => tracing::debug!(
                state = %next.state,
                wrong_codes = next.wrong_codes,
                "alarm memory saved"
            ),
            Err(e) => tracing::error!(error = %e, "cannot save the alarm memory"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use homesec_ipc::eventlog::chain::Chain;
    use homesec_ipc::eventlog::record::Cause;

    fn armed_night() -> AlarmMemory {
        AlarmMemory {
            state: AlarmState::Armed,
            mode: Some(Mode::Night),
            bypassed: vec!["back-door".into()],
            wrong_codes: 11,
            locked_until_ms: Some(1_800_000_000_000),
        }
    }

    /// A data dir whose event log's last alarm record says `to` in `mode`.
    fn data_dir_with_log(to: AlarmState, mode: Option<Mode>) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events");
        std::fs::create_dir(&events).unwrap();
        let ts = DateTime::parse_from_rfc3339("2026-11-22T10:00:00+00:00").unwrap();
        let mut chain = Chain::new();
        let mut bytes = Vec::new();
        let event = Event::Alarm {
            from: AlarmState::Disarmed,
            to,
            mode,
            cause: Cause::Arm,
            sensor: None,
            zone: None,
            user: Some("resident".into()),
            source: "fifo".into(),
            delay_ms: None,
        };
        chain.append(ts, &event, &mut bytes).unwrap();
        std::fs::write(events.join("2026-11-22.jsonl"), bytes).unwrap();
        dir
    }

    #[test]
    fn saves_and_takes_up_what_it_saved() {
        let dir = tempfile::tempdir().unwrap();
        let first = remembered(dir.path(), &dir.path().join("events"));
        assert_eq!(
            first,
            Remembered {
                memory: AlarmMemory::default(),
                lost: None
            }
        );
        save(&path(dir.path()), &armed_night()).unwrap();
        let again = remembered(dir.path(), &dir.path().join("events"));
        assert_eq!(again.memory, armed_night());
        assert_eq!(again.lost, None);
    }

    #[test]
    fn an_unreadable_memory_is_never_taken_as_disarmed() {
        let dir = data_dir_with_log(AlarmState::Arming, Some(Mode::Away));
        std::fs::write(path(dir.path()), b"{\"state\":").unwrap();
        let taken = remembered(dir.path(), &dir.path().join("events"));
        assert_eq!(taken.memory.state, AlarmState::Arming);
        assert_eq!(taken.memory.mode, Some(Mode::Away));
        assert!(taken.lost.is_some());
        // A log that says disarmed, or nothing: disarmed, but still lost.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), b"garbage").unwrap();
        let taken = remembered(dir.path(), &dir.path().join("events"));
        assert_eq!(taken.memory.state, AlarmState::Disarmed);
        assert!(taken.lost.is_some());
    }

    #[test]
    fn a_planted_temp_file_or_link_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious");
        std::fs::write(&target, "keep").unwrap();
        std::os::unix::fs::symlink(&target, path(dir.path()).with_extension("json.tmp")).unwrap();
        save(&path(dir.path()), &armed_night()).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }

    #[test]
    fn the_saver_never_keeps_the_house_waiting_and_saves_the_newest() {
        let (started_tx, started) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let saved = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&saved);
        let released = Mutex::new(released);
        let saver = MemorySaver::spawn_with(move |memory: &AlarmMemory| {
            let _ = started_tx.send(());
            // A disk that does not answer until the test says so.
            let _ = released.lock().unwrap().recv();
            log.lock().unwrap().push(memory.wrong_codes);
            Ok(())
        })
        .unwrap();
        let memory = |n| AlarmMemory {
            wrong_codes: n,
            ..AlarmMemory::default()
        };
        saver.put(memory(1));
        started.recv().unwrap();
        // The first save hangs; the house goes on putting, without waiting.
        for n in 2..=100 {
            saver.put(memory(n));
        }
        release.send(()).unwrap();
        release.send(()).unwrap();
        saver.finish();
        // The one in progress, then only the newest of the rest.
        assert_eq!(*saved.lock().unwrap(), vec![1, 100]);
    }
}
