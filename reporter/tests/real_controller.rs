//! A report from a log the real controller wrote: start it in a temp dir,
//! send events, a bad line and an arm through its FIFO, stop it with
//! SIGTERM, and report the day.

mod util;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the controller may take to say something; only bounds a test
/// that is already failing.
const PATIENCE: Duration = Duration::from_secs(60);

/// `homesec-controller` from the same target dir, built if this package's
/// tests run alone (it is another package's binary).
fn controller_binary() -> PathBuf {
    let path = Path::new(util::REPORTER).with_file_name("homesec-controller");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let built = Command::new(cargo)
            .args([
                "build",
                "-p",
                "homesec-controller",
                "--bin",
                "homesec-controller",
            ])
            .status()
            .unwrap();
        assert!(built.success(), "cannot build homesec-controller");
    }
    path
}

/// The controller's stderr, line by line.
fn watch(child: &mut Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) {
    loop {
        match lines.recv_timeout(PATIENCE) {
            Ok(line) if line.contains(needle) => return,
            Ok(_) => {}
            Err(e) => panic!("controller never logged '{needle}': {e}"),
        }
    }
}

#[test]
fn a_day_written_by_the_real_controller() {
    let dir = tempfile::tempdir().unwrap();
    let (run_dir, data_dir) = (dir.path().join("run"), dir.path().join("data"));
    let instance = format!("rep{}", std::process::id());
    let mut controller = Command::new(controller_binary())
        .arg("--instance")
        .arg(&instance)
        .arg("--runtime-dir")
        .arg(&run_dir)
        .arg("--data-dir")
        .arg(&data_dir)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = watch(&mut controller);
    wait_for(&lines, "ready");

    let mut fifo = std::fs::OpenOptions::new()
        .write(true)
        .open(run_dir.join("events.fifo"))
        .unwrap();
    for line in [
        "front-door open",
        "front-door closed",
        "no-such-sensor open",
        "@arm away 1234",
    ] {
        fifo.write_all(format!("{line}\n").as_bytes()).unwrap();
    }
    // Lines of one source are handled in order: once the arm shows, all are in.
    wait_for(&lines, "-> arming");
    // SAFETY: kill has no memory preconditions; the pid is our own child's.
    assert_eq!(
        unsafe { libc::kill(controller.id() as i32, libc::SIGTERM) },
        0
    );
    assert!(controller.wait().unwrap().success());

    let day_files: Vec<String> = std::fs::read_dir(data_dir.join("events"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(day_files.len(), 1, "{day_files:?}");
    let day = day_files[0].trim_end_matches(".jsonl");
    let data_arg = data_dir.to_str().unwrap();
    let out = Command::new(util::REPORTER)
        .args(["--data-dir", data_arg, "--day", day, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["integrity"]["status"], "ok");
    assert_eq!(r["integrity"]["first_seq"], 1);
    assert_eq!(r["totals"]["events"], 2);
    assert_eq!(r["totals"]["rejected"], 1);
    assert_eq!(r["totals"]["arms"], 1);
    assert_eq!(r["input"]["rejected"]["items"][0]["source"], "fifo");
    assert_eq!(r["input"]["codes"]["accepted"], 1);
    assert_eq!(r["timeline"]["changes"]["items"][0]["action"], "arm");
    assert_eq!(r["timeline"]["changes"]["items"][0]["user"], "resident");
    assert_eq!(r["timeline"]["at_end"]["state"], "arming");
    assert_eq!(
        (
            r["system"]["starts"].as_u64(),
            r["system"]["stops"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let front = r["activity"]["sensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sensor"] == "front-door");
    assert_eq!(front.map(|s| s["events"].as_u64()), Some(Some(2)));
}
