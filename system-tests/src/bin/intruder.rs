//! `intruder`: what another local user can do to a homesec instance, for
//! the tests in `tests/other_user.rs`, which run it under another uid with
//! `setpriv`. Each subcommand makes one endpoint the way an attacker would.
//!
//! ```text
//! intruder create-queue NAME          a 10 × 128 queue, mode 0666
//! intruder hold-lock PATH             create PATH (0644), flock it, wait for stdin to close
//! intruder fake-status PATH PID       a valid status segment (0644) saying PID runs, armed away
//! intruder knock PATH                 connect to a control socket; print `closed` if it hangs up unanswered
//! ```

use homesec_ipc::clock::{HouseClock, wall_ms};
use homesec_ipc::endpoint::Trust;
use homesec_ipc::status::{Snapshot, StatusWriter};
use homesec_ipc::{AlarmState, Mode};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let done = match words.as_slice() {
        ["create-queue", name] => create_queue(name),
        ["hold-lock", path] => hold_lock(path),
        ["fake-status", path, pid] => fake_status(path, pid),
        ["knock", path] => knock(path),
        _ => Err("usage: see the module doc".to_string()),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("intruder: {e}");
            ExitCode::FAILURE
        }
    }
}

fn create_queue(name: &str) -> Result<(), String> {
    let queue = posixmq::OpenOptions::readwrite()
        .create_new()
        .mode(0o666)
        .max_msg_len(homesec_ipc::mq::MAX_MSG_SIZE)
        .capacity(homesec_ipc::mq::QUEUE_DEPTH)
        .open(name)
        .map_err(|e| format!("create {name}: {e}"))?;
    // The umask took bits away; an attacker puts them back.
    let fd = std::os::fd::AsRawFd::as_raw_fd(&queue);
    // SAFETY: fchmod on the queue's own open descriptor.
    if unsafe { libc::fchmod(fd, 0o666) } != 0 {
        return Err(format!("chmod {name}: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

fn hold_lock(path: &str) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .open(path)
        .map_err(|e| format!("create {path}: {e}"))?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| format!("lock {path}: {e}"))?;
    writeln!(file, "1").map_err(|e| e.to_string())?;
    println!("locked");
    // Hold it until the test closes our stdin.
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    Ok(())
}

fn fake_status(path: &str, pid: &str) -> Result<(), String> {
    let pid: u32 = pid.parse().map_err(|_| format!("not a pid: {pid}"))?;
    let path = std::path::Path::new(path);
    let mut writer =
        StatusWriter::create(path, 1, 1, &Trust::controller(None)).map_err(|e| e.to_string())?;
    writer
        .publish(&Snapshot {
            pid,
            instance: "forged".into(),
            running: true,
            siren: false,
            trouble: Default::default(),
            heartbeat_ms: wall_ms(),
            // Never stale.
            heartbeat_interval_ms: u32::MAX,
            started_ms: wall_ms(),
            alarm: AlarmState::Armed,
            mode: Some(Mode::Away),
            since_ms: wall_ms(),
            accepted: 0,
            rejected: 0,
            logged_seq: 0,
            clock: HouseClock::REAL,
            sensors: Vec::new(),
            cameras: Vec::new(),
        })
        .map_err(|e| e.to_string())?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| e.to_string())
}

/// Connects and sends one byte; a controller that refuses the peer closes
/// the connection without an answer.
fn knock(path: &str) -> Result<(), String> {
    let mut socket = std::os::unix::net::UnixStream::connect(path)
        .map_err(|e| format!("connect {path}: {e}"))?;
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let _ = socket.write_all(b"\0");
    let mut answer = [0u8; 1];
    match socket.read(&mut answer) {
        Ok(0) => {
            println!("closed");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            println!("closed");
            Ok(())
        }
        Ok(_) => Err("the controller answered".into()),
        Err(e) => Err(format!("read {path}: {e}")),
    }
}
