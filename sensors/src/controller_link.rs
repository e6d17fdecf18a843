//! The controller as this process sees it, through the status segment: its
//! pid (to signal a panic, to notice a restart) and the house clock (to
//! schedule simulated reports). The segment is re-read only when its file
//! was replaced, which is what a starting controller does; a watcher thread
//! ([`crate::segment_watch`]) wakes the main loop when that happens.
//!
//! ```text
//! panic button ──► homesec-sensors ── report (mq/stdout) ──► controller
//!                        └──────── SIGUSR1 (pid from segment, else pidfile) ──►
//! ```

use homesec_ipc::clock::HouseClock;
use homesec_ipc::endpoint::{Found, Trust};
use homesec_ipc::status::{Liveness, StatusReader, liveness};
use rustix::fs::{FlockOperation, flock};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why the controller could not be signalled.
#[derive(Debug, thiserror::Error)]
pub enum SignalError {
    /// Neither the status segment nor the pidfile names a live controller.
    #[error(
        "no controller to signal: status segment {}: {segment_why}; pidfile {}: {pidfile_why}",
        segment.display(),
        pidfile.display()
    )]
    NoController {
        /// The status segment path.
        segment: PathBuf,
        /// Why it gave no pid.
        segment_why: String,
        /// The pidfile path.
        pidfile: PathBuf,
        /// Why it gave no pid.
        pidfile_why: String,
    },
    /// `kill` failed.
    #[error("cannot send SIGUSR1 to the controller (pid {pid}, from the {from}): {source}")]
    Kill {
        /// The pid.
        pid: u32,
        /// Where the pid came from.
        from: PidSource,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Where the controller's pid was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidSource {
    /// The status segment header.
    StatusSegment,
    /// `<runtime-dir>/controller.pid`.
    Pidfile,
}

impl std::fmt::Display for PidSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PidSource::StatusSegment => "status segment",
            PidSource::Pidfile => "pidfile",
        })
    }
}

/// The running controller's pid: from the status segment header when it
/// says the controller runs, else from the pidfile; either only when
/// `trust` trusts its owner, since whoever wrote a pid there chooses which
/// process our SIGUSR1 reaches.
pub fn controller_pid(
    segment: &Path,
    pidfile: &Path,
    trust: &Trust,
) -> Result<(u32, PidSource), SignalError> {
    let segment_why = match segment_pid(segment, trust) {
        Ok(pid) => return Ok((pid, PidSource::StatusSegment)),
        Err(why) => why,
    };
    match pidfile_pid(pidfile, trust) {
        Ok(pid) => Ok((pid, PidSource::Pidfile)),
        Err(pidfile_why) => Err(SignalError::NoController {
            segment: segment.to_path_buf(),
            segment_why,
            pidfile: pidfile.to_path_buf(),
            pidfile_why,
        }),
    }
}

fn segment_pid(segment: &Path, trust: &Trust) -> Result<u32, String> {
    let snap = StatusReader::open(segment, trust)
        .and_then(|reader| reader.snapshot())
        .map_err(|e| e.to_string())?;
    // Only a live heartbeat proves the pid is still the controller's: after
    // a kill -9 the running flag stays set and the pid may be reused.
    match liveness(&snap, homesec_ipc::clock::wall_ms()) {
        Liveness::Alive => Ok(snap.pid),
        other => Err(format!(
            "controller pid {} is not alive ({other:?})",
            snap.pid
        )),
    }
}

fn pidfile_pid(pidfile: &Path, trust: &Trust) -> Result<u32, String> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(pidfile)
        .map_err(|e| e.to_string())?;
    let found = Found::of(&file).map_err(|e| e.to_string())?;
    // The pidfile is readable by the group; only its owner is checked.
    if !trust.owns(found.uid) {
        return Err(format!("not trusted: {found}"));
    }
    // The controller holds an exclusive flock on its pidfile for its whole
    // life: if we can take a shared one, nobody holds it and the pid in it
    // is stale (and may belong to another process by now).
    if flock(&file, FlockOperation::NonBlockingLockShared).is_ok() {
        return Err("no controller holds it (stale)".to_string());
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| e.to_string())?;
    match text.trim().parse::<u32>() {
        Ok(pid) if pid > 1 => Ok(pid),
        _ => Err(format!("holds '{}', not a pid", text.trim())),
    }
}

/// Sends SIGUSR1 (panic: alarm now) to the controller; returns its pid.
pub fn signal_panic(segment: &Path, pidfile: &Path, trust: &Trust) -> Result<u32, SignalError> {
    let (pid, from) = controller_pid(segment, pidfile, trust)?;
    let kill_err = |source| SignalError::Kill { pid, from, source };
    let target = libc::pid_t::try_from(pid)
        .map_err(|_| kill_err(std::io::Error::from_raw_os_error(libc::ESRCH)))?;
    // SAFETY: kill has no memory-safety preconditions; the pid is positive
    // (checked above), so it addresses one process, not a group.
    if unsafe { libc::kill(target, libc::SIGUSR1) } != 0 {
        return Err(kill_err(std::io::Error::last_os_error()));
    }
    tracing::info!(pid, from = %from, "sent SIGUSR1 (panic) to the controller");
    Ok(pid)
}

/// A controller restart seen in the segment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Restart {
    /// The pid before, if one was known.
    pub old_pid: Option<u32>,
    /// The new controller's pid.
    pub new_pid: u32,
    /// The clock before.
    pub old_clock: HouseClock,
}

/// How soon to look again at a segment created but not yet published
/// (a controller between creating it and its first publish, which happens
/// in place and so wakes no watcher).
const RECHECK_UNPUBLISHED: Duration = Duration::from_millis(100);

/// What the segment last said.
pub struct ControllerWatch {
    segment: PathBuf,
    trust: Trust,
    file_id: Option<(u64, u64)>,
    recheck_at: Option<Instant>,
    pid: Option<u32>,
    clock: HouseClock,
}

impl ControllerWatch {
    /// Reads the segment at `segment` if there is one; real time otherwise.
    pub fn new(segment: PathBuf, trust: Trust) -> ControllerWatch {
        let mut watch = ControllerWatch {
            segment,
            trust,
            file_id: None,
            recheck_at: None,
            pid: None,
            clock: HouseClock::REAL,
        };
        watch.refresh();
        watch
    }

    /// The house clock (real time while no controller published one).
    pub fn clock(&self) -> HouseClock {
        self.clock
    }

    /// When [`ControllerWatch::refresh`] should run again although no
    /// watcher will say so: the segment exists but was not published yet.
    pub fn recheck_at(&self) -> Option<Instant> {
        self.recheck_at
    }

    /// Re-reads the segment if its file was replaced (or not yet published);
    /// says so when that brought a new controller pid.
    pub fn refresh(&mut self) -> Option<Restart> {
        let file_id = std::fs::metadata(&self.segment)
            .ok()
            .map(|m| (m.dev(), m.ino()));
        if file_id == self.file_id && self.recheck_at.is_none() {
            return None;
        }
        self.file_id = file_id;
        self.recheck_at = None;
        let snap = match StatusReader::open(&self.segment, &self.trust).and_then(|r| r.snapshot()) {
            Ok(snap) => snap,
            Err(e) => {
                tracing::debug!("status segment unreadable, keeping the last clock: {e}");
                return None;
            }
        };
        // A new segment's heartbeat is 0 until the first publish.
        if snap.heartbeat_ms == 0 {
            self.recheck_at = Some(Instant::now() + RECHECK_UNPUBLISHED);
            return None;
        }
        let old_clock = self.clock;
        self.clock = snap.clock;
        let old_pid = self.pid.replace(snap.pid);
        if old_pid == Some(snap.pid) {
            return None;
        }
        tracing::info!(
            pid = snap.pid,
            simulated_clock = snap.clock.is_simulated(),
            speed = snap.clock.speed,
            "controller found in the status segment"
        );
        Some(Restart {
            old_pid,
            new_pid: snap.pid,
            old_clock,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_ipc::AlarmState;
    use homesec_ipc::status::{Snapshot, StatusWriter};

    /// A pidfile held as a running controller holds it (the lock lives as
    /// long as the returned file).
    fn held_pidfile(path: &Path, content: &str) -> std::fs::File {
        std::fs::write(path, content).expect("pidfile written");
        let file = std::fs::File::open(path).expect("pidfile opened");
        flock(&file, FlockOperation::LockExclusive).expect("pidfile locked");
        file
    }

    fn absent_segment() -> PathBuf {
        homesec_ipc::paths::status_segment(&format!("t-sens-absent-{}", std::process::id()))
    }

    #[test]
    fn without_a_segment_the_pidfile_gives_the_pid() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pidfile = homesec_ipc::paths::pidfile(dir.path());
        let _held = held_pidfile(&pidfile, "4242\n");
        assert_eq!(
            controller_pid(&absent_segment(), &pidfile, &Trust::client(None, None))
                .expect("pid found"),
            (4242, PidSource::Pidfile)
        );
    }

    #[test]
    fn a_pidfile_nobody_holds_is_stale_and_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pidfile = homesec_ipc::paths::pidfile(dir.path());
        std::fs::write(&pidfile, "4242\n").expect("pidfile written");
        let err = controller_pid(&absent_segment(), &pidfile, &Trust::client(None, None))
            .expect_err("stale");
        assert!(err.to_string().contains("stale"), "{err}");
    }

    #[test]
    fn a_panic_sends_sigusr1_to_the_pid_in_the_pidfile() {
        use std::os::unix::process::ExitStatusExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let pidfile = homesec_ipc::paths::pidfile(dir.path());
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep runs");
        let _held = held_pidfile(&pidfile, &format!("{}\n", child.id()));
        assert_eq!(
            signal_panic(&absent_segment(), &pidfile, &Trust::client(None, None)).expect("sent"),
            child.id()
        );
        // SIGUSR1's default action ends `sleep`: the status shows which signal.
        let status = child.wait().expect("child ends");
        assert_eq!(status.signal(), Some(libc::SIGUSR1));
    }

    #[test]
    fn neither_segment_nor_pidfile_is_an_error_naming_both() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pidfile = homesec_ipc::paths::pidfile(dir.path());
        let err = controller_pid(&absent_segment(), &pidfile, &Trust::client(None, None))
            .expect_err("no controller");
        let text = err.to_string();
        assert!(text.contains("not found"), "{text}");
        assert!(text.contains(&pidfile.display().to_string()), "{text}");
    }

    #[test]
    fn a_pidfile_without_a_pid_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pidfile = homesec_ipc::paths::pidfile(dir.path());
        for junk in ["", "abc\n", "1\n", "-5\n"] {
            let _held = held_pidfile(&pidfile, junk);
            assert!(
                controller_pid(&absent_segment(), &pidfile, &Trust::client(None, None)).is_err(),
                "{junk:?}"
            );
        }
    }

    #[test]
    fn a_missing_segment_means_real_time_and_no_restart() {
        let mut watch = ControllerWatch::new(absent_segment(), Trust::client(None, None));
        assert_eq!(watch.clock(), HouseClock::REAL);
        assert_eq!(watch.refresh(), None);
    }

    fn published(pid: u32, clock: HouseClock) -> Snapshot {
        Snapshot {
            pid,
            instance: "t".into(),
            running: true,
            siren: false,
            trouble: Default::default(),
            heartbeat_ms: homesec_ipc::clock::wall_ms(),
            heartbeat_interval_ms: 1000,
            started_ms: 0,
            alarm: AlarmState::Disarmed,
            mode: None,
            since_ms: 0,
            accepted: 0,
            rejected: 0,
            logged_seq: 0,
            clock,
            sensors: Vec::new(),
            cameras: Vec::new(),
        }
    }

    #[test]
    fn a_restart_is_seen_once_the_new_segment_is_published() {
        let dir = tempfile::tempdir().expect("temp dir");
        let segment = dir.path().join("homesec-t.status");
        let mut watch = ControllerWatch::new(segment.clone(), Trust::client(None, None));
        let fast = HouseClock {
            origin_wall_ms: 1,
            origin_house_ms: 2,
            speed: 60.0,
        };

        let mut first =
            StatusWriter::create(&segment, 1, 1, &Trust::controller(None)).expect("created");
        assert_eq!(watch.refresh(), None, "not published yet");
        assert!(watch.recheck_at().is_some());
        first.publish(&published(4242, fast)).expect("published");
        let restart = watch.refresh().expect("controller found");
        assert_eq!((restart.old_pid, restart.new_pid), (None, 4242));
        assert_eq!(watch.clock(), fast);
        assert_eq!(watch.recheck_at(), None);
        assert_eq!(watch.refresh(), None, "nothing changed");

        let mut second =
            StatusWriter::create(&segment, 1, 1, &Trust::controller(None)).expect("replaced");
        second
            .publish(&published(4343, HouseClock::REAL))
            .expect("published");
        let restart = watch.refresh().expect("restart seen");
        assert_eq!((restart.old_pid, restart.new_pid), (Some(4242), 4343));
        assert_eq!(restart.old_clock, fast);
        assert_eq!(watch.clock(), HouseClock::REAL);
    }

    #[test]
    fn a_stopped_controller_in_the_segment_falls_back_to_the_pidfile() {
        let dir = tempfile::tempdir().expect("temp dir");
        let segment = dir.path().join("homesec-t.status");
        let pidfile = dir.path().join("controller.pid");
        let mut writer =
            StatusWriter::create(&segment, 1, 1, &Trust::controller(None)).expect("created");
        let mut snap = published(4242, HouseClock::REAL);
        snap.running = false;
        writer.publish(&snap).expect("published");
        let _held = held_pidfile(&pidfile, "5151\n");
        assert_eq!(
            controller_pid(&segment, &pidfile, &Trust::client(None, None)).expect("pid"),
            (5151, PidSource::Pidfile)
        );
    }

    #[test]
    fn a_live_controller_in_the_segment_gives_its_pid_and_a_dead_one_does_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        let segment = dir.path().join("homesec-t.status");
        let pidfile = dir.path().join("controller.pid");
        let mut writer =
            StatusWriter::create(&segment, 1, 1, &Trust::controller(None)).expect("created");
        writer
            .publish(&published(std::process::id(), HouseClock::REAL))
            .expect("published");
        assert_eq!(
            controller_pid(&segment, &pidfile, &Trust::client(None, None)).expect("pid"),
            (std::process::id(), PidSource::StatusSegment)
        );
        // Killed without a clean stop: the running flag stays, the pid is gone.
        let mut gone = std::process::Command::new("true")
            .spawn()
            .expect("true runs");
        let gone_pid = gone.id();
        gone.wait().expect("reaped");
        writer
            .publish(&published(gone_pid, HouseClock::REAL))
            .expect("published");
        assert!(
            controller_pid(&segment, &pidfile, &Trust::client(None, None)).is_err(),
            "a dead pid is never signalled"
        );
    }
}
