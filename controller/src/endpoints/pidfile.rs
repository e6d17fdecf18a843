//! One controller per instance: pid files held under an exclusive `flock`
//! for the controller's whole life — `<runtime-dir>/controller.pid` and the
//! instance lock in `/dev/shm`.
//!
//! The lock, not the file's existence, is what counts: a file left behind
//! by a killed controller is simply locked again by the next one. A second
//! controller finds the lock held and reports the pid written in the file.

use homesec_ipc::endpoint::{self, EndpointError, Trust};
use rustix::fs::{FlockOperation, flock};
use rustix::io::Errno;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Why the pidfile could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum PidfileError {
    /// Another controller holds the lock.
    #[error(
        "another controller is already running for this instance (pid {pid}, lock held on {path})"
    )]
    Held {
        /// The pid written in the pidfile by the holder (`?` if unreadable).
        pid: String,
        /// The pidfile.
        path: PathBuf,
    },
    /// The file is not ours, or not a file.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// The file could not be opened, locked or written.
    #[error("pidfile {path}: {source}")]
    Io {
        /// The pidfile.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
}

/// A locked pidfile; the lock is released when this is dropped.
#[derive(Debug)]
pub struct Pidfile {
    file: File,
    path: PathBuf,
}

impl Pidfile {
    /// Takes the lock on `path` and writes our pid into it. The file is
    /// opened without following a symlink, and refused if another user
    /// made it; `mode` is set on it (`what` names it in errors).
    pub fn acquire(
        what: &'static str,
        path: &Path,
        mode: u32,
        trust: &Trust,
    ) -> Result<Pidfile, PidfileError> {
        loop {
            let file = open_locked(what, path, mode, trust)?;
            // A holder that was just stopping may have unlinked the file we
            // opened: then our lock is on a dead inode. Lock the live one.
            if same_file(&file, path) {
                return Pidfile::write_pid(file, path);
            }
        }
    }

    fn write_pid(mut file: File, path: &Path) -> Result<Pidfile, PidfileError> {
        let io_err = |source| PidfileError::Io {
            path: path.to_path_buf(),
            source,
        };
        file.set_len(0).map_err(io_err)?;
        file.rewind().map_err(io_err)?;
        writeln!(file, "{}", std::process::id()).map_err(io_err)?;
        file.sync_data().map_err(io_err)?;
        Ok(Pidfile {
            file,
            path: path.to_path_buf(),
        })
    }

    /// The pidfile's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the file, then releases the lock (in that order, so that a
    /// starting controller never locks a file we are about to delete).
    pub fn remove(self) -> io::Result<()> {
        let result = std::fs::remove_file(&self.path);
        drop(self.file);
        result
    }
}

/// Opens `path` (creating it) and takes its lock, or says who holds it.
fn open_locked(
    what: &'static str,
    path: &Path,
    mode: u32,
    trust: &Trust,
) -> Result<File, PidfileError> {
    let io_err = |source| PidfileError::Io {
        path: path.to_path_buf(),
        source,
    };
    // No O_TRUNC: until we hold the lock the content belongs to the holder.
    let mut file = endpoint::open_own_file(what, path, mode, trust)?;
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => return Ok(file),
        Err(Errno::WOULDBLOCK) => {}
        Err(e) => return Err(io_err(e.into())),
    }
    let mut content = String::new();
    let _ = file.read_to_string(&mut content);
    let pid = match content.trim() {
        "" => "?".to_string(),
        pid => pid.to_string(),
    };
    Err(PidfileError::Held {
        pid,
        path: path.to_path_buf(),
    })
}

/// Whether the open `file` is the one now at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_with_the_first_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("controller.pid");
        let first = Pidfile::acquire("pidfile", &path, 0o600, &Trust::controller(None)).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written.trim(), std::process::id().to_string());
        // flock locks belong to the open file description, so a second open in
        // the same process conflicts just like another process would.
        let err = Pidfile::acquire("pidfile", &path, 0o600, &Trust::controller(None)).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        first.remove().unwrap();
        assert!(!path.exists());
        Pidfile::acquire("pidfile", &path, 0o600, &Trust::controller(None)).unwrap();
    }

    #[test]
    fn stale_pidfile_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("controller.pid");
        std::fs::write(&path, "999999\n").unwrap();
        let pf = Pidfile::acquire("pidfile", &path, 0o600, &Trust::controller(None)).unwrap();
        assert_eq!(
            std::fs::read_to_string(pf.path()).unwrap().trim(),
            std::process::id().to_string()
        );
    }
}
