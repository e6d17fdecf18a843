//! Another local user against homesec's named endpoints. The names are
//! public (`/dev/shm`, the queue namespace, `/tmp`), so a user who creates
//! them first could read the house's keypad codes, inject reports or
//! disarm it. Each test plays that user (`nobody`, through `setpriv`) and
//! checks that the controller and its clients refuse what it made, saying
//! whose it is. They need root to switch users: ignored by the README's
//! command, run by `.ci/run`.

use homesec_system_tests::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `intruder` as the other user and checks that it did its part.
fn intrude(args: &[&str]) {
    let out = as_other_user(&intruder()).args(args).output().unwrap();
    assert!(out.status.success(), "intruder {args:?}: {out:?}");
}

/// Starts a controller that must refuse to run; returns its stderr.
fn refused_start(world: &World) -> String {
    refused(world.command())
}

/// Runs a controller command that must refuse to run; returns its stderr.
/// (One that starts after all is killed by the harness's watchdog.)
fn refused(command: Command) -> String {
    let mut controller = Controller::spawn(command);
    let status = controller.wait();
    let stderr = controller.rest_of_stderr();
    assert!(!status.success(), "the controller started:\n{stderr}");
    stderr
}

fn queue_name(world: &World) -> String {
    homesec_ipc::mq::queue_name(&world.instance)
}

/// Removes what the other user left in shared namespaces.
struct Cleanup(Vec<Box<dyn Fn()>>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for undo in &self.0 {
            undo();
        }
    }
}

fn remove_queue_later(name: String) -> Box<dyn Fn()> {
    Box::new(move || {
        let _ = posixmq::remove_queue(&name);
    })
}

fn remove_file_later(path: std::path::PathBuf) -> Box<dyn Fn()> {
    Box::new(move || {
        let _ = std::fs::remove_file(&path);
    })
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn a_queue_another_user_made_is_refused_by_the_controller() {
    let world = World::new("mqhijack");
    let name = queue_name(&world);
    let _cleanup = Cleanup(vec![remove_queue_later(name.clone())]);
    intrude(&["create-queue", &name]);
    let stderr = refused_start(&world);
    assert!(
        stderr.contains("message queue") && stderr.contains(&name),
        "{stderr}"
    );
    assert!(stderr.contains(&OTHER_USER.to_string()), "{stderr}");
    // Nothing was served: no record was written.
    assert!(world.log().0.is_empty());
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn a_sender_puts_nothing_into_a_queue_another_user_made() {
    let world = World::new("mqsend");
    let name = queue_name(&world);
    let _cleanup = Cleanup(vec![remove_queue_later(name.clone())]);
    intrude(&["create-queue", &name]);
    let out = Command::new(bin("homesec-load"))
        .args([
            "write",
            "--queue",
            &world.instance,
            "--sensor",
            "front-door",
            "--count",
            "1",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("not ours"), "{stderr}");
    let queue = posixmq::OpenOptions::readonly().open(&name).unwrap();
    assert_eq!(queue.attributes().unwrap().current_messages, 0);
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn a_sensor_process_sends_no_keypad_code_into_a_queue_another_user_made() {
    let world = World::new("mqkeys");
    let name = queue_name(&world);
    let _cleanup = Cleanup(vec![remove_queue_later(name.clone())]);
    intrude(&["create-queue", &name]);
    let scenario = world.dir.path().join("keys.toml");
    std::fs::write(
        &scenario,
        "name = \"keys\"\n[[keypad]]\nat = \"+0s\"\nline = \"@disarm 1234\"\n",
    )
    .unwrap();
    let sensors = world.sensors(&["--scenario", scenario.to_str().unwrap()]);
    let refused = sensors.wait_for(|l| l.contains("not ours"));
    assert!(refused.contains(&name), "{refused}");
    sensors.signal(libc::SIGTERM);
    let mut sensors = sensors;
    sensors.wait();
    let queue = posixmq::OpenOptions::readonly().open(&name).unwrap();
    assert_eq!(queue.attributes().unwrap().current_messages, 0);
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn an_instance_lock_another_user_holds_stops_the_start_naming_its_owner() {
    let world = World::new("lockhold");
    let lock = homesec_ipc::paths::instance_lock(&world.instance);
    let _cleanup = Cleanup(vec![remove_file_later(lock.clone())]);
    let mut holder = as_other_user(&intruder())
        .args(["hold-lock", lock.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut said = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(holder.stdout.as_mut().unwrap())
        .read_line(&mut said)
        .unwrap();
    assert_eq!(said.trim(), "locked");
    let stderr = refused_start(&world);
    assert!(stderr.contains("instance lock"), "{stderr}");
    assert!(stderr.contains(&format!("uid {OTHER_USER}")), "{stderr}");
    assert!(!stderr.contains("already running"), "{stderr}");
    drop(holder.stdin.take());
    holder.wait().unwrap();
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn a_symlink_planted_as_the_lock_is_never_followed() {
    let world = World::new("locklink");
    let lock = homesec_ipc::paths::instance_lock(&world.instance);
    let _cleanup = Cleanup(vec![remove_file_later(lock.clone())]);
    let target = world.dir.path().join("root-only");
    std::fs::write(&target, "precious\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = as_other_user(Path::new("/bin/ln"))
        .arg("-s")
        .arg(&target)
        .arg(&lock)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = refused_start(&world);
    assert!(stderr.contains("symlink"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn a_runtime_dir_inside_a_dir_another_user_controls_is_refused() {
    let world = World::new("rundir");
    // The other user's directory, where the runtime dir would go: it could
    // rename the runtime dir away and plant its own FIFO.
    let theirs = world.dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::os::unix::fs::chown(&theirs, Some(OTHER_USER), Some(OTHER_USER)).unwrap();
    let stderr = refused(world.command_in(&theirs.join("run")));
    assert!(stderr.contains(&theirs.display().to_string()), "{stderr}");
    assert!(stderr.contains(&format!("uid {OTHER_USER}")), "{stderr}");
    assert!(!theirs.join("run").exists(), "nothing is created inside it");

    // A directory anyone may write to (not sticky) is no better.
    let open = world.dir.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let stderr = refused(world.command_in(&open.join("run")));
    assert!(stderr.contains("mode 0777"), "{stderr}");
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn a_status_segment_another_user_forged_is_not_believed() {
    let world = World::new("fakeseg");
    let segment = world.segment();
    let _cleanup = Cleanup(vec![remove_file_later(segment.clone())]);
    intrude(&["fake-status", segment.to_str().unwrap(), "1"]);
    let out = world.ctl(&["status"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stdout}");
    assert!(!stdout.contains("armed"), "{stdout}");
    assert!(stderr.contains("not ours"), "{stderr}");
    // And the controller does not replace another user's file either.
    let stderr = refused_start(&world);
    assert!(
        stderr.contains("status segment") && stderr.contains("not ours"),
        "{stderr}"
    );
}

#[test]
#[ignore = "needs root to play another local user with setpriv; .ci/run runs it"]
fn a_peer_of_another_uid_is_refused_on_the_control_socket_even_when_it_can_reach_it() {
    let world = World::new("rpcpeer");
    let controller = world.start();
    // A deployment that got the permissions wrong: the socket and every
    // dir above it open to all. The kernel's word on the peer still stops it.
    let open = std::fs::Permissions::from_mode(0o777);
    let mut dir = world.control_socket();
    std::fs::set_permissions(&dir, open.clone()).unwrap();
    while let Some(parent) = dir.parent().map(Path::to_path_buf) {
        if parent == world.dir.path().parent().unwrap_or(Path::new("/")) {
            break;
        }
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o755)).unwrap();
        dir = parent;
    }
    let out = as_other_user(&intruder())
        .args(["knock", world.control_socket().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "closed");
    controller.wait_for_log(&format!("uid {OTHER_USER}"));
    controller.wait_for_log("may not use the control socket");
    assert!(controller.stop().success());
    let (records, _) = world.log();
    assert!(records.iter().any(|r| matches!(
        &r.event,
        homesec_ipc::eventlog::Event::Rejected { reason, .. } if reason.contains("may not use the control socket")
    )));
}
