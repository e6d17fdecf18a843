//! Who may own a named endpoint, and the checks every process makes before
//! it trusts one: the controller before it creates or adopts its FIFO,
//! queue, status segment, lock and pidfile; a sensor process, `homesecctl`
//! or `homesec-load` before it sends to or reads from them.
//!
//! The names are public (`/dev/shm`, `/homesec-<instance>-events`, a runtime
//! dir under `/tmp`), so another local user can create them first. Every
//! endpoint is therefore checked on the open descriptor (`fstat`, never the
//! path twice): its owner must be one this process trusts ([`Trust`]), and
//! nobody but that owner and the configured group may reach it. What fails
//! is refused with an [`EndpointError`] that names the path, its owner and
//! mode, and what to do. Files are opened with `O_NOFOLLOW`, so a planted
//! symlink is refused, never followed. Every directory above the runtime dir
//! is checked too ([`check_dir_chain`]): whoever can rename a directory on
//! the way can swap the endpoints inside it.
//!
//! The trust model itself is written down in `docs/SECURITY.md`.

use rustix::fs::{Mode, OFlags, fchmod, fstat, lstat, open};
use rustix::process::geteuid;
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

/// The users an endpoint may belong to, and the group that may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// Uids whose endpoints are trusted.
    owners: Vec<u32>,
    /// The group that may write the FIFO and the queue and read the status
    /// segment; `None`: nobody but the owner.
    group: Option<u32>,
}

impl Trust {
    /// The controller's own rule: it adopts only what its own uid made, and
    /// gives `group` (when set) the access the contracts describe.
    pub fn controller(group: Option<u32>) -> Trust {
        Trust {
            owners: vec![geteuid().as_raw()],
            group,
        }
    }

    /// A client's rule (sensor process, `homesecctl`, `homesec-load`): an
    /// endpoint of its own uid, of root, or of `controller_user` (the user
    /// the config says the controller runs as).
    pub fn client(controller_user: Option<u32>, group: Option<u32>) -> Trust {
        let mut owners = vec![geteuid().as_raw(), 0];
        owners.extend(controller_user);
        owners.dedup();
        Trust { owners, group }
    }

    /// The group that may use the endpoints, if any.
    pub fn group(&self) -> Option<u32> {
        self.group
    }

    /// Whether `uid` is a trusted owner.
    pub fn owns(&self, uid: u32) -> bool {
        self.owners.contains(&uid)
    }

    /// The mode for an endpoint that the owner uses with `owner` bits and
    /// the group with `group` bits (dropped when there is no group).
    pub fn mode(&self, owner: u32, group: u32) -> u32 {
        (owner & 0o700)
            | if self.group.is_some() {
                group & 0o070
            } else {
                0
            }
    }

    /// Checks that an endpoint the controller is about to adopt is one of
    /// its own: made by a trusted owner (the controller's rule trusts only
    /// its own uid). Its mode is then set with [`Trust::apply`].
    pub fn own(&self, what: &'static str, path: &Path, found: Found) -> Result<(), EndpointError> {
        if self.owners.contains(&found.uid) {
            return Ok(());
        }
        Err(EndpointError::Foreign {
            what,
            path: path.to_path_buf(),
            found,
            trusted: self.owners.clone(),
        })
    }

    /// Checks an endpoint's owner and mode as found by `fstat`/`lstat`:
    /// owned by a trusted uid; no access at all for others; group access
    /// only for the configured group (and never more than `group_bits`).
    pub fn check(
        &self,
        what: &'static str,
        path: &Path,
        found: Found,
    ) -> Result<(), EndpointError> {
        if !self.owners.contains(&found.uid) {
            return Err(EndpointError::Foreign {
                what,
                path: path.to_path_buf(),
                found,
                trusted: self.owners.clone(),
            });
        }
        let group_ok = found.mode & 0o070 == 0 || self.group == Some(found.gid);
        if found.mode & 0o007 != 0 || !group_ok {
            return Err(EndpointError::Exposed {
                what,
                path: path.to_path_buf(),
                found,
            });
        }
        Ok(())
    }

    /// Sets the contract's owner-group and mode on an endpoint we own:
    /// `fchown` to the group (when one is configured) and `fchmod`, so the
    /// umask and a stale mode from an older run cannot matter.
    pub fn apply(
        &self,
        what: &'static str,
        path: &Path,
        fd: impl AsFd,
        mode: u32,
    ) -> Result<(), EndpointError> {
        if let Some(gid) = self.group {
            let gid = nix::unistd::Gid::from_raw(gid);
            nix::unistd::fchown(fd.as_fd(), None, Some(gid))
                .map_err(|e| EndpointError::io(what, path, "chown", e))?;
        }
        fchmod(&fd, Mode::from_raw_mode(mode))
            .map_err(|e| EndpointError::io(what, path, "chmod", e))
    }
}

/// An endpoint's owner and mode, as the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Permission bits (and the sticky bit), `st_mode & 0o7777`.
    pub mode: u32,
}

impl Found {
    /// What `fstat` says of an open descriptor.
    pub fn of(fd: impl AsFd) -> io::Result<Found> {
        let stat = fstat(fd)?;
        Ok(Found::from_stat(&stat))
    }

    fn from_stat(stat: &rustix::fs::Stat) -> Found {
        Found {
            uid: stat.st_uid,
            gid: stat.st_gid,
            mode: stat.st_mode & 0o7777,
        }
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "owner uid {}", self.uid)?;
        if let Some(name) = user_name(self.uid) {
            write!(f, " ({name})")?;
        }
        write!(f, ", group gid {}, mode {:04o}", self.gid, self.mode)
    }
}

/// Why an endpoint is not trusted, or could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// Another user made it.
    #[error(
        "{what} {} is not ours: {found}; trusted owners are uid {}. Another local user may have created it to intercept or block homesec: check who did, then remove it (as its owner or root) and start again",
        path.display(),
        list(trusted)
    )]
    Foreign {
        /// What the endpoint is ("message queue", "status segment", ...).
        what: &'static str,
        /// Its path or name.
        path: PathBuf,
        /// What was found.
        found: Found,
        /// The uids this process trusts.
        trusted: Vec<u32>,
    },
    /// Ours, but others may use it.
    #[error(
        "{what} {} is open to others: {found}; homesec endpoints allow only their owner and the configured group. Fix the mode, or remove it and let the controller create it again",
        path.display()
    )]
    Exposed {
        /// What the endpoint is.
        what: &'static str,
        /// Its path or name.
        path: PathBuf,
        /// What was found.
        found: Found,
    },
    /// A directory on the way to the endpoints lets another user swap them.
    #[error(
        "{} cannot hold homesec endpoints: {found}; every directory above them must belong to root or to us and be writable by no one else (unless root-owned and sticky, like /tmp). Use a runtime dir of your own (--runtime-dir, or [paths] runtime_dir)",
        path.display()
    )]
    UnsafeDir {
        /// The directory.
        path: PathBuf,
        /// What was found.
        found: Found,
    },
    /// Something else is at the endpoint's path.
    #[error("{what} {} exists and is not {expected}: remove it or choose another runtime dir", path.display())]
    WrongType {
        /// What the endpoint is.
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// What it should be ("a FIFO", "a regular file", "a directory").
        expected: &'static str,
    },
    /// A system call failed.
    #[error("{what} {}: {op} failed: {error}", path.display())]
    Io {
        /// What the endpoint is.
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The OS error (in the message, so it shows once rather than
        /// again as the cause).
        error: io::Error,
    },
}

impl EndpointError {
    /// An I/O error on an endpoint.
    pub fn io(
        what: &'static str,
        path: &Path,
        op: &'static str,
        source: impl Into<io::Error>,
    ) -> EndpointError {
        EndpointError::Io {
            what,
            path: path.to_path_buf(),
            op,
            error: source.into(),
        }
    }
}

fn list(uids: &[u32]) -> String {
    let names: Vec<String> = uids
        .iter()
        .map(|&uid| match user_name(uid) {
            Some(name) => format!("{uid} ({name})"),
            None => uid.to_string(),
        })
        .collect();
    names.join(" or ")
}

/// Checks every directory from `/` down to `dir` (which must exist): each
/// is owned by root or a trusted owner, and writable by nobody else —
/// unless it is root's and sticky (`/tmp`, `/dev/shm`), where others cannot
/// rename what is not theirs. `dir` itself must be a trusted owner's and
/// writable by no one else, sticky or not.
pub fn check_dir_chain(dir: &Path, trust: &Trust) -> Result<(), EndpointError> {
    check_chain(dir, trust, true)
}

/// Creates `dir` (mode `0750`, and any missing parent) for endpoints, never
/// inside a directory that another user controls: the part that exists is
/// checked first ([`check_dir_chain`]'s rule, `dir`'s own rule aside), the
/// whole chain after.
pub fn create_dir_chain(dir: &Path, trust: &Trust) -> Result<(), EndpointError> {
    use std::os::unix::fs::DirBuilderExt;
    if let Some(existing) = dir.ancestors().find(|p| p.exists()) {
        check_chain(existing, trust, existing == dir)?;
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(dir)
        .map_err(|e| EndpointError::io("runtime dir", dir, "create", e))?;
    check_dir_chain(dir, trust)
}

/// [`check_dir_chain`], with `dir`'s own stricter rule only when
/// `last_is_ours` (an ancestor that already exists may be root's `/tmp`).
fn check_chain(dir: &Path, trust: &Trust, last_is_ours: bool) -> Result<(), EndpointError> {
    let dir = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| EndpointError::io("runtime dir", dir, "resolve", e))?
            .join(dir)
    };
    let mut ancestors: Vec<&Path> = dir.ancestors().collect();
    ancestors.reverse();
    let last = ancestors.len() - 1;
    for (i, path) in ancestors.into_iter().enumerate() {
        let stat = lstat(path).map_err(|e| EndpointError::io("directory", path, "stat", e))?;
        let found = Found::from_stat(&stat);
        if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::Directory {
            return Err(EndpointError::WrongType {
                what: "runtime dir component",
                path: path.to_path_buf(),
                expected: "a directory (symlinks are not followed)",
            });
        }
        let own = i == last && last_is_ours;
        let owner_ok = found.uid == 0 || trust.owners.contains(&found.uid);
        let others_write = found.mode & 0o022 != 0;
        let sticky_root = found.mode & 0o1000 != 0 && found.uid == 0;
        let write_ok = !others_write || (sticky_root && !own);
        if !owner_ok || !write_ok || (own && !trust.owners.contains(&found.uid)) {
            return Err(EndpointError::UnsafeDir {
                path: path.to_path_buf(),
                found,
            });
        }
    }
    Ok(())
}

/// Opens (creating it if missing) a regular file of ours that we keep open:
/// a lock file or pidfile. `O_NOFOLLOW`, never truncated here; refused if
/// another user made it or it is not a regular file; its mode is set to
/// `mode` (with the group, if configured).
pub fn open_own_file(
    what: &'static str,
    path: &Path,
    mode: u32,
    trust: &Trust,
) -> Result<File, EndpointError> {
    let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd: OwnedFd = open(path, flags, Mode::from_raw_mode(0o600))
        .map_err(|e| why_not_opened(what, path, trust, e))?;
    let stat = fstat(&fd).map_err(|e| EndpointError::io(what, path, "stat", e))?;
    if rustix::fs::FileType::from_raw_mode(stat.st_mode) != rustix::fs::FileType::RegularFile {
        return Err(EndpointError::WrongType {
            what,
            path: path.to_path_buf(),
            expected: "a regular file",
        });
    }
    trust.own(what, path, Found::from_stat(&stat))?;
    trust.apply(what, path, &fd, mode)?;
    Ok(File::from(fd))
}

/// Why `path` could not be opened, in the words that help: the kernel
/// refuses a symlink (`ELOOP`) or another user's file in a sticky
/// directory (`EACCES`, `fs.protected_regular`) — say what is there.
fn why_not_opened(
    what: &'static str,
    path: &Path,
    trust: &Trust,
    error: rustix::io::Errno,
) -> EndpointError {
    match found_at(path) {
        Ok(Some((_, rustix::fs::FileType::Symlink))) => EndpointError::WrongType {
            what,
            path: path.to_path_buf(),
            expected: "a regular file (it is a symlink, never followed)",
        },
        Ok(Some((found, _))) if !trust.owns(found.uid) => EndpointError::Foreign {
            what,
            path: path.to_path_buf(),
            found,
            trusted: trust.owners.clone(),
        },
        _ => EndpointError::io(what, path, "open", error),
    }
}

/// What is at `path` now, without following a symlink: `None` if nothing.
pub fn found_at(path: &Path) -> io::Result<Option<(Found, rustix::fs::FileType)>> {
    match lstat(path) {
        Ok(stat) => Ok(Some((
            Found::from_stat(&stat),
            rustix::fs::FileType::from_raw_mode(stat.st_mode),
        ))),
        Err(rustix::io::Errno::NOENT) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A user's name, for messages (`None` if the uid has no entry).
pub fn user_name(uid: u32) -> Option<String> {
    nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name)
}

/// The uid of a user name, for the config's `[access] user`.
pub fn uid_of(name: &str) -> Option<u32> {
    nix::unistd::User::from_name(name)
        .ok()
        .flatten()
        .map(|u| u.uid.as_raw())
}

/// The gid of a group name, for the config's `[access] group`.
pub fn gid_of(name: &str) -> Option<u32> {
    nix::unistd::Group::from_name(name)
        .ok()
        .flatten()
        .map(|g| g.gid.as_raw())
}

/// Our effective uid.
pub fn my_uid() -> u32 {
    geteuid().as_raw()
}

#[cfg(test)]
mod tests;
