//! # homesec-system-tests — the harness for tests across processes
//!
//! Runs the real binaries (`homesec-controller`, `homesecctl`,
//! `homesec-load`, `homesec-sensors`, `homesec-reporter`) in a temp dir
//! with a unique instance name, watches the controller's stderr line by line
//! so that tests await what it says instead of sleeping, and reads what it
//! leaves behind (event log, status segment) with the `ipc` readers.
//!
//! The controller's own integration tests use it, and so do the tests in
//! `system-tests/tests/`, which need the binaries of several packages.
//!
//! Where the binaries come from: cargo builds every binary of a package
//! whose integration tests it builds, into the target dir the test
//! executables live in (`target/<profile>/`, beside `deps/`). The README's
//! test command, `cargo test --workspace`, therefore builds all of them
//! before any test runs. [`bin`] finds them there and never builds anything
//! itself; a binary that is missing is a failed test that says what to run.

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

/// The workspace binary `name` (`homesec-controller`, `homesecctl`,
/// `homesec-load`, `homesec-sensors`, `homesec-reporter`), from the target
/// dir this test runs from.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test executable lives in target/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is not built: run the tests with `cargo test --workspace`, which builds every binary",
        path.display()
    );
    path
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
        bin("homesec-sensors");
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
        let mut cmd = Command::new(bin("homesec-controller"));
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

    /// Starts `homesec-sensors --sim` for this world's instance and runtime
    /// dir, with `args` besides, its stderr watched like a controller's.
    pub fn sensors(&self, args: &[&str]) -> Controller {
        let mut sensors = Command::new(bin("homesec-sensors"));
        sensors
            .args(["--sim", "--instance", &self.instance, "--runtime-dir"])
            .arg(self.runtime_dir())
            .args(args)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        Controller::spawn(sensors)
    }

    /// Starts a controller and waits until it says it is ready.
    pub fn start(&self) -> Controller {
        let controller = Controller::spawn(self.command());
        controller.wait_keeping_the_rest("ready");
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
        self.ctl_command(args).output().unwrap()
    }

    /// The `homesecctl` command line with this world's instance and
    /// runtime dir (where its control socket is); no code in its
    /// environment.
    pub fn ctl_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin("homesecctl"));
        cmd.args(args)
            .arg("--instance")
            .arg(&self.instance)
            .arg("--runtime-dir")
            .arg(self.runtime_dir())
            .env_remove("HOMESEC_CODE")
            .stdin(Stdio::null());
        cmd
    }

    /// `homesecctl` with `code` in `HOMESEC_CODE`, as a script would run it.
    pub fn ctl_with_code(&self, args: &[&str], code: &str) -> std::process::Output {
        self.ctl_command(args)
            .env("HOMESEC_CODE", code)
            .output()
            .unwrap()
    }

    /// The control socket.
    pub fn control_socket(&self) -> PathBuf {
        self.runtime_dir().join("control.sock")
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
    /// Lines read but put back, to be seen by the next waits first.
    kept: std::cell::RefCell<std::collections::VecDeque<String>>,
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
            kept: Default::default(),
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
        self.kept.borrow_mut().clear();
        while self.lines.try_recv().is_ok() {}
    }

    /// Waits for a line containing `needle`, and keeps every other line it
    /// read on the way for the next waits. For the start: what children and
    /// tasks say before the controller's "ready" comes in no fixed order
    /// with it, and must not be lost to a test that waits for it next.
    pub fn wait_keeping_the_rest(&self, needle: &str) -> String {
        let mut others = Vec::new();
        let found = self.wait_for(|line| {
            let hit = line.contains(needle);
            if !hit {
                others.push(line.to_string());
            }
            hit
        });
        let mut kept = self.kept.borrow_mut();
        for line in others.into_iter().rev() {
            kept.push_front(line);
        }
        found
    }

    /// Waits for a line containing `needle`, then for the end of that turn
    /// of the house task, after which the status segment shows its effect.
    pub fn wait_until_published(&self, needle: &str) {
        self.wait_for_log(needle);
        self.wait_for_log("status published");
    }

    /// Waits for a stderr line that satisfies `matches`; returns it.
    pub fn wait_for(&self, matches: impl FnMut(&str) -> bool) -> String {
        self.try_wait_for(matches, PATIENCE).unwrap_or_else(|| {
            panic!(
                "the awaited line never came; last lines:\n{}",
                self.recent()
            )
        })
    }

    /// Waits until a line matching each of `needles` has been seen, in
    /// whatever order they come (lines of two processes sharing the
    /// stderr pipe, or of two tasks, have no order); returns the first
    /// matching line of each, in the order of `needles`.
    pub fn wait_for_all(&self, needles: &[&dyn Fn(&str) -> bool]) -> Vec<String> {
        let mut found: Vec<Option<String>> = vec![None; needles.len()];
        while found.iter().any(Option::is_none) {
            let line = self.wait_for(|line| {
                needles
                    .iter()
                    .zip(&found)
                    .any(|(matches, seen)| seen.is_none() && matches(line))
            });
            for (matches, seen) in needles.iter().zip(found.iter_mut()) {
                if seen.is_none() && matches(&line) {
                    *seen = Some(line.clone());
                }
            }
        }
        found.into_iter().flatten().collect()
    }

    fn try_wait_for(
        &self,
        mut matches: impl FnMut(&str) -> bool,
        patience: Duration,
    ) -> Option<String> {
        let deadline = Instant::now() + patience;
        loop {
            let kept = self.kept.borrow_mut().pop_front();
            let next = match kept {
                Some(line) => Ok(line),
                None => {
                    let left = deadline.checked_duration_since(Instant::now())?;
                    self.lines.recv_timeout(left)
                }
            };
            match next {
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
        let mut out: String = self
            .kept
            .borrow_mut()
            .drain(..)
            .map(|line| line + "\n")
            .collect();
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

/// The uid and gid that play another local user in tests (`nobody`).
pub const OTHER_USER: u32 = 65534;

/// A command run as [`OTHER_USER`] through `setpriv` (needs root).
pub fn as_other_user(program: &Path) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        &format!("--reuid={OTHER_USER}"),
        &format!("--regid={OTHER_USER}"),
        "--clear-groups",
    ])
    .arg(program);
    cmd
}

/// The `intruder` helper binary, copied into a directory the other user may
/// read: the target dir may be private to the user running the tests.
pub fn intruder() -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("homesec-intruder")
            .tempdir()
            .unwrap()
            .keep();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = dir.join("intruder");
        std::fs::copy(bin("intruder"), &copy).unwrap();
        copy
    })
    .clone()
}
