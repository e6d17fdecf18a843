//! `homesecctl watch` in a real terminal: tmux runs it in an 80×24 pane
//! against a real controller, keys go in with `send-keys` and the screen
//! comes back with `capture-pane`. Every wait polls the screen (or the
//! session) until what it waits for shows, with a deadline; nothing sleeps
//! a fixed time.
//!
//! Ignored by the README's test command (tmux is a system package);
//! `.ci/run` installs tmux and runs it. Without tmux it fails, not skips.

use homesec_system_tests::*;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How often the screen is looked at while waiting.
const LOOK_EVERY: Duration = Duration::from_millis(50);

/// A tmux server of this test's own (`-L`), killed when dropped.
struct Tmux {
    server: String,
    session: String,
}

impl Tmux {
    /// Runs `command` in a detached 80×24 session, then writes its exit
    /// status into `status_file`; the pane closes after that.
    fn start(name: &str, command: &Command, status_file: &Path) -> Tmux {
        let tmux = Tmux {
            server: format!("homesec-{name}"),
            session: name.to_string(),
        };
        let line = format!(
            "{}; echo $? > {}",
            shell_line(command),
            quote(status_file.as_os_str())
        );
        tmux.run(&[
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            name,
            &line,
        ]);
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new("tmux")
            .arg("-L")
            .arg(&self.server)
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run tmux ({e}): install it (apt-get install tmux; .ci/run does)")
            });
        assert!(
            output.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// The pane's text now.
    fn screen(&self) -> String {
        let output = self.run(&["capture-pane", "-p", "-t", &self.session]);
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Types `text` as it is, key by key.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", &self.session, "-l", text]);
    }

    /// Presses a named key (`Enter`).
    fn press(&self, key: &str) {
        self.run(&["send-keys", "-t", &self.session, key]);
    }

    /// Waits until the screen shows `needle`; the screen then.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed '{needle}'; it shows:\n{screen}"
            );
            std::thread::sleep(LOOK_EVERY);
        }
    }

    /// Waits until the session is gone: its one pane closed when its
    /// command ended.
    fn wait_until_closed(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let alive = Command::new("tmux")
                .args(["-L", &self.server, "has-session", "-t", &self.session])
                .output()
                .is_ok_and(|output| output.status.success());
            if !alive {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the pane never closed; it shows:\n{}",
                self.screen()
            );
            std::thread::sleep(LOOK_EVERY);
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.server, "kill-server"])
            .output();
    }
}

/// `command` as one shell line, each word quoted.
fn shell_line(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` single-quoted for `sh`.
fn quote(word: &OsStr) -> String {
    format!("'{}'", word.to_string_lossy().replace('\'', r"'\''"))
}

#[test]
#[ignore = "needs tmux; .ci/run installs it and runs it"]
fn arming_from_the_dashboard_shows_the_exit_delay_counting_down() {
    let world = World::new("watchtmux");
    let controller = world.start();
    let status_file = world.dir.path().join("watch.status");
    let tmux = Tmux::start(
        &world.instance,
        &world.ctl_command(&["watch"]),
        &status_file,
    );
    let screen = tmux.wait_for("alarm: disarmed since");
    for part in [
        "front-door",
        "smoke-hall",
        "cameras:",
        "EVENTS",
        "a arm away",
    ] {
        assert!(screen.contains(part), "no '{part}' on\n{screen}");
    }

    tmux.type_text("a");
    tmux.wait_for("code for arm away: _");
    tmux.type_text("1234");
    let screen = tmux.wait_for("code for arm away: ****_");
    assert!(!screen.contains("1234"), "the code shows:\n{screen}");
    tmux.press("Enter");
    // The answer, the arm's record among the events and the countdown
    // that record's delay allows; they come in no fixed order.
    tmux.wait_for("arm away: done, the house is arming");
    tmux.wait_for("alarm disarmed -> arming away (arm, resident)");
    tmux.wait_for("alarm: arming away: exit delay, ");

    tmux.type_text("q");
    tmux.wait_until_closed();
    let status = std::fs::read_to_string(&status_file).expect("the pane wrote the exit status");
    assert_eq!(status.trim(), "0", "homesecctl watch's exit status");
    assert!(controller.stop().success());
}
