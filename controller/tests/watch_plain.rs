//! `homesecctl watch` with stdout a pipe: `--once` prints one plain listing
//! (80 columns, no escape codes) and exits like `status`; without `--once`
//! it prints a new listing each time the house changes, and says so when
//! the controller goes away.

use homesec_system_tests::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Instant;

fn assert_plain(text: &str) {
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "wider than 80: {line}");
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
}

#[test]
fn once_piped_prints_the_alarm_state_every_sensor_and_the_events() {
    let world = World::new("watchonce");
    let controller = world.start();
    // The start record, which the listing must show, is on disk.
    controller.wait_for_log("durable up to seq 1");
    let output = world.ctl(&["watch", "--once"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_plain(&text);
    assert!(text.contains("controller alive"), "{text}");
    assert!(text.contains("alarm: disarmed since "), "{text}");
    for sensor in homesec_config::default_house().sensors {
        assert!(text.contains(&sensor.id), "no {} in\n{text}", sensor.id);
    }
    assert!(text.contains("\nEVENTS\n"), "the feed answered:\n{text}");
    assert!(
        text.contains("start "),
        "the start record is shown:\n{text}"
    );
    assert!(controller.stop().success());
}

#[test]
fn once_without_a_controller_says_so_and_exits_3() {
    let world = World::new("watchnone");
    let output = world.ctl(&["watch", "--once"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert_plain(&text);
    assert!(text.contains("alarm: controller not running"), "{text}");
    assert!(text.contains("EVENTS (not updating: "), "{text}");
}

/// The stdout lines of a piped `homesecctl watch`, as they come.
struct Listing(mpsc::Receiver<String>);

impl Listing {
    fn wait_for(&self, prefix: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.0.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(line) => assert_plain(&line),
                Err(e) => panic!("no line starting '{prefix}' came: {e}"),
            }
        }
    }
}

#[test]
fn piped_watch_prints_a_listing_at_each_change_until_the_controller_stops() {
    let world = World::new("watchpipe");
    let controller = world.start();
    let mut watch = world
        .ctl_command(&["watch"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let listing = Listing(rx);
    listing.wait_for("alarm: disarmed since ");

    let armed = world.ctl_with_code(&["arm", "away"], "1234");
    assert!(armed.status.success(), "{armed:?}");
    listing.wait_for("alarm: arming away");

    assert!(controller.stop().success());
    listing.wait_for("alarm: controller not running");
    watch.kill().unwrap();
    watch.wait().unwrap();
}
