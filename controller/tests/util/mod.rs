//! Test harness: runs the real `homesec-controller` binary in a temp dir with
//! a unique instance name, watches its stderr, and reads what it leaves
//! behind (event log, status segment) with the `ipc` readers.
#![allow(dead_code)] // each test file uses its own part of the harness

use homesec_ipc::eventlog::Record;
use homesec_ipc::eventlog::reader::{Item, Reader};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any awaited event may take before the test fails. Generous:
/// it only bounds a test that is already failing.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub const CONTROLLER: &str = env!("CARGO_BIN_EXE_homesec-controller");
pub const CTL: &str = env!("CARGO_BIN_EXE_homesecctl");
pub const LOAD: &str = env!("CARGO_BIN_EXE_homesec-load");

/// `homesec-sensors`, from the same target dir as the controller. A
/// workspace test run has built it; a run of this package alone builds it
/// here first (it is another package's binary, so cargo does not).
pub fn sensors_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let path = Path::new(CONTROLLER).with_file_name("homesec-sensors");
            if !path.exists() {
                let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
                let built = Command::new(cargo)
                    .args(["build", "-p", "homesec-sensors", "--bin", "homesec-sensors"])
                    .status()
                    .unwrap();
                assert!(built.success(), "cannot build homesec-sensors");
            }
            path
        })
        .clone()
}

/// A scenario file of the repository.
pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../config/scenarios")
        .join(name)
}

/// The embedded default house, as text, to build test configs from.
pub const DEFAULT_HOUSE: &str = homesec_config::DEFAULT_HOUSE_TOML;

/// A unique instance name for this test process and call.
pub fn unique_instance(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "t{}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        tag
    )
}

/// One test's world: its dirs and instance name, kept across restarts.
pub struct World {
    pub dir: tempfile::TempDir,
    pub instance: String,
    pub config: Option<PathBuf>,
    /// More controller arguments (`--sim`, `--speed`...).
    pub extra_args: Vec<String>,
}

impl World {
    pub fn new(tag: &str) -> World {
        World {
            dir: tempfile::tempdir().unwrap(),
            instance: unique_instance(tag),
            config: None,
            extra_args: Vec::new(),
        }
    }

    /// Runs the controllers started next with `--sim` and these arguments.
    pub fn simulated(mut self, args: &[&str]) -> World {
        sensors_binary();
        self.extra_args = std::iter::once("--sim")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        self
    }

    /// Uses a config file with this text for the controllers started next.
    pub fn with_config(mut self, text: &str) -> World {
        let path = self.dir.path().join("house.toml");
        std::fs::write(&path, text).unwrap();
        self.config = Some(path);
        self
    }

    pub fn runtime_dir(&self) -> PathBuf {
        self.dir.path().join("run")
    }
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }
    pub fn fifo(&self) -> PathBuf {
        self.runtime_dir().join("events.fifo")
    }
    pub fn events_dir(&self) -> PathBuf {
        self.data_dir().join("events")
    }
    pub fn segment(&self) -> PathBuf {
        homesec_ipc::paths::status_segment(&self.instance)
    }

    /// The controller command line for this world.
    pub fn command(&self) -> Command {
        self.command_in(&self.runtime_dir())
    }

    /// The controller command line for this world, with another runtime dir.
    pub fn command_in(&self, runtime_dir: &Path) -> Command {
        let mut cmd = Command::new(CONTROLLER);
        cmd.arg("--instance")
            .arg(&self.instance)
            .arg("--runtime-dir")
            .arg(runtime_dir)
            .arg("--data-dir")
            .arg(self.data_dir())
            .env(
                "RUST_LOG",
                "info,homesec_controller=debug,homesec_controller::outputs::journal=trace,homesec_controller::house::task=trace",
            )
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(config) = &self.config {
            cmd.arg("--config").arg(config);
        }
        cmd.args(&self.extra_args);
        cmd
    }

    /// Starts a controller and waits until it says it is ready.
    pub fn start(&self) -> Controller {
        let controller = Controller::spawn(self.command());
        controller.wait_for_log("ready");
        controller
    }

    /// Writes lines into the FIFO, one `write` each.
    pub fn send(&self, lines: &[&str]) {
        let mut fifo = std::fs::OpenOptions::new()
            .write(true)
            .open(self.fifo())
            .unwrap();
        for line in lines {
            fifo.write_all(format!("{line}\n").as_bytes()).unwrap();
        }
    }

    /// Writes raw bytes into the FIFO in one `write`.
    pub fn send_raw(&self, bytes: &[u8]) {
        let mut fifo = std::fs::OpenOptions::new()
            .write(true)
            .open(self.fifo())
            .unwrap();
        fifo.write_all(bytes).unwrap();
    }

    /// Every record in the event log, and the problems the reader found.
    pub fn log(&self) -> (Vec<Record>, Vec<String>) {
        read_log(&self.events_dir())
    }

    /// `homesecctl` with this world's instance.
    pub fn ctl(&self, args: &[&str]) -> std::process::Output {
        Command::new(CTL)
            .args(args)
            .arg("--instance")
            .arg(&self.instance)
            .output()
            .unwrap()
    }
}

/// Reads a whole event log dir with the ipc reader.
pub fn read_log(events_dir: &Path) -> (Vec<Record>, Vec<String>) {
    let mut reader = Reader::from_dir(events_dir).unwrap();
    let mut records = Vec::new();
    let mut problems = Vec::new();
    while let Some(item) = reader.next_item() {
        match item {
            Item::Record(entry) => records.push(entry.record),
            Item::Problem(problem) => problems.push(problem.to_string()),
        }
    }
    (records, problems)
}

/// A running controller whose stderr is watched line by line.
pub struct Controller {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    /// The last lines read, for the message of a wait that failed.
    recent: std::cell::RefCell<std::collections::VecDeque<String>>,
}

impl Controller {
    pub fn spawn(mut command: Command) -> Controller {
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Controller {
            child,
            lines,
            recent: Default::default(),
        }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits for a stderr line containing `needle`; returns it.
    pub fn wait_for_log(&self, needle: &str) -> String {
        self.try_wait_for_log(needle, PATIENCE).unwrap_or_else(|| {
            panic!(
                "controller never logged '{needle}'; last lines:\n{}",
                self.recent()
            )
        })
    }

    fn recent(&self) -> String {
        self.recent
            .borrow()
            .iter()
            .map(|l| format!("  {l}\n"))
            .collect()
    }

    pub fn try_wait_for_log(&self, needle: &str, patience: Duration) -> Option<String> {
        self.try_wait_for(|line| line.contains(needle), patience)
    }

    /// Drops the stderr lines received so far, so that the next wait only
    /// sees what comes after this point.
    pub fn skip_logged(&self) {
        while self.lines.try_recv().is_ok() {}
    }

    /// Waits for a line containing `needle`, then for the end of that turn
    /// of the house task, after which the status segment shows its effect.
    pub fn wait_until_published(&self, needle: &str) {
        self.wait_for_log(needle);
        self.wait_for_log("status published");
    }

    /// Waits for a stderr line that satisfies `matches`; returns it.
    pub fn wait_for(&self, matches: impl Fn(&str) -> bool) -> String {
        self.try_wait_for(matches, PATIENCE).unwrap_or_else(|| {
            panic!(
                "the awaited line never came; last lines:\n{}",
                self.recent()
            )
        })
    }

    fn try_wait_for(&self, matches: impl Fn(&str) -> bool, patience: Duration) -> Option<String> {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let mut recent = self.recent.borrow_mut();
                    if recent.len() == 20 {
                        recent.pop_front();
                    }
                    recent.push_back(line.clone());
                    if matches(&line) {
                        return Some(line);
                    }
                }
                Err(_) => return None,
            }
        }
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: sends a signal to our own child.
        assert_eq!(unsafe { libc::kill(self.pid(), signal) }, 0);
    }

    /// Sends SIGTERM and waits for the exit.
    pub fn stop(mut self) -> ExitStatus {
        self.signal(libc::SIGTERM);
        self.wait()
    }

    /// Waits for the exit; a watchdog kills it (and fails the test) if it
    /// takes longer than [`PATIENCE`].
    pub fn wait(&mut self) -> ExitStatus {
        let (done, watchdog) = mpsc::channel::<()>();
        let pid = self.pid();
        let guard = std::thread::spawn(move || {
            let timed_out = watchdog.recv_timeout(PATIENCE).is_err();
            if timed_out {
                // SAFETY: kills our own child, which is still unreaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
            timed_out
        });
        let status = self.child.wait().unwrap();
        let _ = done.send(());
        assert!(
            !guard.join().unwrap(),
            "controller did not exit within {PATIENCE:?}"
        );
        status
    }

    /// Everything it wrote to stderr from now until it exits.
    pub fn rest_of_stderr(&self) -> String {
        let mut out = String::new();
        while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sensor events in a log, as (sensor, state) pairs.
pub fn sensor_events(records: &[Record]) -> Vec<(String, String)> {
    use homesec_ipc::eventlog::Event;
    records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Sensor { sensor, state, .. } => Some((sensor.clone(), state.to_string())),
            _ => None,
        })
        .collect()
}

/// Asserts that `seq` runs 1, 2, 3... with no gap or repeat.
pub fn assert_contiguous(records: &[Record]) {
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r.seq, i as u64 + 1, "seq at record {i}");
    }
}
