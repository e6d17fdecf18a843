//! Where each endpoint lives, derived from one runtime dir, one data dir and
//! an instance name, so that two controllers (or two tests) on one machine
//! never collide.
//!
//! | endpoint | path |
//! | --- | --- |
//! | named FIFO | `<runtime-dir>/events.fifo` |
//! | pidfile | `<runtime-dir>/controller.pid` |
//! | status segment | `/dev/shm/homesec-<instance>.status` |
//! | instance lock | `/dev/shm/homesec-<instance>.lock` |
//! | message queue | `/homesec-<instance>-events` ([`crate::mq::queue_name`]) |
//! | event log | `<data-dir>/events/YYYY-MM-DD.jsonl` |
//!
//! Defaults when nothing is configured: the runtime dir is
//! `$XDG_RUNTIME_DIR/homesec/<instance>` (or `/tmp/homesec-<uid>/<instance>`
//! without XDG), the data dir `$XDG_DATA_HOME/homesec/<instance>` (or
//! `$HOME/.local/share/homesec/<instance>`). Under systemd the config sets
//! `/run/homesec` and `/var/lib/homesec`.

use std::path::{Path, PathBuf};

/// The status segment's path for an instance.
pub fn status_segment(instance: &str) -> PathBuf {
    PathBuf::from(format!("/dev/shm/homesec-{instance}.status"))
}

/// The per-instance lock file: held by the one controller of an instance,
/// whatever runtime dir it was given, since the status segment and the
/// message queue are named by instance alone.
pub fn instance_lock(instance: &str) -> PathBuf {
    PathBuf::from(format!("/dev/shm/homesec-{instance}.lock"))
}

/// The named FIFO in a runtime dir.
pub fn fifo(runtime_dir: &Path) -> PathBuf {
    runtime_dir.join("events.fifo")
}

/// The control socket in a runtime dir (see [`crate::rpc`] with the
/// `rpc` feature).
pub fn control_socket(runtime_dir: &Path) -> PathBuf {
    runtime_dir.join("control.sock")
}

/// The controller's pidfile in a runtime dir.
pub fn pidfile(runtime_dir: &Path) -> PathBuf {
    runtime_dir.join("controller.pid")
}

/// The folder of daily event log files in a data dir.
pub fn events_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("events")
}

/// The default runtime dir for an instance (see the module doc).
pub fn default_runtime_dir(instance: &str) -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir).join("homesec").join(instance),
        _ => {
            // SAFETY: getuid has no preconditions and cannot fail.
            let uid = unsafe { libc::getuid() };
            PathBuf::from(format!("/tmp/homesec-{uid}")).join(instance)
        }
    }
}

/// The default data dir for an instance (see the module doc).
pub fn default_data_dir(instance: &str) -> PathBuf {
    let base = match (std::env::var_os("XDG_DATA_HOME"), std::env::var_os("HOME")) {
        (Some(dir), _) if !dir.is_empty() => PathBuf::from(dir),
        (_, Some(home)) if !home.is_empty() => PathBuf::from(home).join(".local/share"),
        _ => PathBuf::from("/var/lib"),
    };
    base.join("homesec").join(instance)
}

/// Whether an instance name is safe to embed in file and queue names:
/// 1 to 32 characters of `a-z`, `0-9`, `-` and `_`, starting with a letter or digit.
pub fn valid_instance_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_names() {
        assert!(valid_instance_name("home"));
        assert!(valid_instance_name("test-42_a"));
        assert!(!valid_instance_name(""));
        assert!(!valid_instance_name("-x"));
        assert!(!valid_instance_name("a/b"));
        assert!(!valid_instance_name("Home"));
        assert!(!valid_instance_name(&"a".repeat(33)));
    }

    #[test]
    fn endpoints_derive_from_dirs_and_instance() {
        assert_eq!(
            status_segment("t1"),
            PathBuf::from("/dev/shm/homesec-t1.status")
        );
        assert_eq!(
            fifo(Path::new("/run/x")),
            PathBuf::from("/run/x/events.fifo")
        );
        assert_eq!(events_dir(Path::new("/d")), PathBuf::from("/d/events"));
    }
}
