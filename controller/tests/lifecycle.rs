//! Whole-process behaviour: one controller per instance, config errors at
//! start, detector children supervised, and an idle controller that sleeps.

use homesec_system_tests::*;
use std::time::Duration;

#[test]
fn a_second_controller_for_the_same_instance_is_refused_with_the_first_pid() {
    let world = World::new("dup");
    let first = world.start();
    let mut second = Controller::spawn(world.command());
    let status = second.wait();
    assert!(!status.success());
    let stderr = second.rest_of_stderr();
    assert!(stderr.contains(&format!("pid {}", first.pid())), "{stderr}");
    assert!(first.stop().success());
}

#[test]
fn the_same_instance_with_another_runtime_dir_is_refused_too() {
    let world = World::new("dup2");
    let first = world.start();
    let other_run = world.dir.path().join("other-run");
    let mut second = Controller::spawn(world.command_in(&other_run));
    assert!(!second.wait().success());
    let stderr = second.rest_of_stderr();
    assert!(stderr.contains(&format!("pid {}", first.pid())), "{stderr}");
    // The first one's endpoints are untouched.
    assert!(world.segment().exists());
    assert!(first.stop().success());
}

/// The mode bits of a file.
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every file a controller made under `dir`, with its mode.
fn modes_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u32)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        found.push((path.clone(), mode(&path)));
        if path.is_dir() {
            found.extend(modes_under(&path));
        }
    }
    found
}

#[test]
fn endpoints_are_private_without_a_group() {
    let world = World::new("modes");
    let controller = world.start();
    world.send(&["front-door open"]);
    controller.wait_for_log("durable up to seq 2");
    assert_eq!(mode(&world.fifo()), 0o600);
    assert_eq!(mode(&world.segment()), 0o600);
    assert_eq!(mode(&world.runtime_dir()), 0o750);
    // Event log, alarm memory and diagnostic logs: nothing for others.
    for (path, mode) in modes_under(&world.data_dir()) {
        let expected = if path.is_dir() { 0o750 } else { 0o640 };
        assert_eq!(mode & !expected, 0, "{} is {mode:o}", path.display());
    }
    assert!(controller.stop().success());
}

#[test]
fn endpoints_open_to_the_configured_group_have_their_documented_modes() {
    let group = std::process::Command::new("id")
        .arg("-gn")
        .output()
        .unwrap();
    let group = String::from_utf8(group.stdout).unwrap();
    let config = format!("{DEFAULT_HOUSE}\n[access]\ngroup = \"{}\"\n", group.trim());
    let world = World::new("gmodes").with_config(&config);
    let controller = world.start();
    world.send(&["front-door open"]);
    controller.wait_for_log("durable up to seq 2");
    assert_eq!(mode(&world.fifo()), 0o620);
    assert_eq!(mode(&world.segment()), 0o640);
    assert!(controller.stop().success());
}

#[test]
fn a_broken_config_is_refused_at_start_with_its_location() {
    let broken = DEFAULT_HOUSE.replace("zone = \"hall\"", "zone = \"cellar\"");
    assert_ne!(broken, DEFAULT_HOUSE);
    let world = World::new("badcfg").with_config(&broken);
    let mut controller = Controller::spawn(world.command());
    assert!(!controller.wait().success());
    let stderr = controller.rest_of_stderr();
    assert!(
        stderr.contains("house.toml:") && stderr.contains("cellar"),
        "{stderr}"
    );

    let check = std::process::Command::new(bin("homesec-controller"))
        .arg("--check-config")
        .arg("--config")
        .arg(world.config.as_ref().unwrap())
        .output()
        .unwrap();
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stderr).contains("cellar"));
}

#[test]
fn the_example_configs_pass_check_config() {
    for example in ["laptop.toml", "raspberry-pi.toml"] {
        let path = format!(
            "{}/../config/examples/{example}",
            env!("CARGO_MANIFEST_DIR")
        );
        let out = std::process::Command::new(bin("homesec-controller"))
            .args(["--check-config", "--config", &path])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{example}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_detector_that_exits_is_restarted_and_none_outlives_the_controller() {
    // A test-sized restart backoff: the quitter restarts every second, so
    // a slow machine shows its second start soon, whatever came first.
    let config = format!(
        "{DEFAULT_HOUSE}\n[[detectors]]\nname = \"blinker\"\ncommand = [\"sh\", \"-c\", \"echo garage-motion motion; echo child $$ >&2; exec sleep 600\"]\n\n[[detectors]]\nname = \"quitter\"\ncommand = [\"sh\", \"-c\", \"echo living-motion motion; exit 3\"]\n\n[timers]\nrestart_backoff_max = \"1s\"\n"
    );
    let world = World::new("detect").with_config(&config);
    let controller = world.start();
    // The blinker says its pid; the quitter runs, exits, and is started
    // again after its backoff. Their lines come in any order.
    let (mut child_pid, mut quitter_starts) = (None, 0);
    while child_pid.is_none() || quitter_starts < 2 {
        let line = controller.wait_for(|l| {
            l.starts_with("child ") || (l.contains("detector started") && l.contains("quitter"))
        });
        match line.strip_prefix("child ") {
            Some(pid) => child_pid = Some(pid.trim().parse::<i32>().unwrap()),
            None => quitter_starts += 1,
        }
    }
    let child_pid = child_pid.unwrap();
    // The shutdown itself must stop the detector (not only the parent-death
    // signal after the controller is gone): it is reaped before the exit.
    let mut controller = controller;
    controller.signal(libc::SIGTERM);
    controller.wait_for(|l| l.contains("detector stopped") && l.contains("blinker"));
    // SAFETY: probing a pid with signal 0 sends nothing.
    let alive = unsafe { libc::kill(child_pid, 0) } == 0;
    assert!(
        !alive,
        "detector child {child_pid} still runs after it was stopped"
    );
    assert!(controller.wait().success());
}

/// Voluntary context switches of every thread of a process.
fn context_switches(pid: i32) -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let status =
            std::fs::read_to_string(task.unwrap().path().join("status")).unwrap_or_default();
        for line in status.lines() {
            if let Some(n) = line.strip_prefix("voluntary_ctxt_switches:") {
                total += n.trim().parse::<u64>().unwrap();
            }
        }
    }
    total
}

#[test]
fn an_idle_controller_wakes_only_for_its_heartbeat() {
    let world = World::new("idle");
    let controller = world.start();
    // A writer that came and went must not leave the FIFO reader spinning on EOF.
    world.send(&["front-door open"]);
    controller.wait_until_published("front-door open");
    let before = context_switches(controller.pid());
    let started = std::time::Instant::now();
    // The measurement window: this sleep is the thing measured, not a wait
    // for something to happen. On a loaded machine it lasts longer, and the
    // bound below grows with it.
    std::thread::sleep(Duration::from_secs(3));
    let woke = context_switches(controller.pid()) - before;
    let seconds = started.elapsed().as_secs_f64();
    // A heartbeat of 1 s wakes one worker about once a second; a busy loop
    // would be in the thousands.
    assert!(
        (woke as f64) <= 10.0 * seconds,
        "{woke} wake-ups in {seconds:.1} s of idling"
    );
    assert!(controller.stop().success());
}
