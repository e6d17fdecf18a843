//! Claims `<runtime-dir>/control.sock`. A socket file nobody answers on is
//! what a crashed controller leaves, and is replaced; one that answers
//! belongs to a live controller and is left alone (this one then refuses
//! to start). The file gets the contract's mode: `0660` with the
//! `[access]` group, `0600` without.

use homesec_ipc::endpoint::{self, EndpointError, Trust};
use rustix::fs::FileType;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;

/// What the endpoint checks call the socket.
const WHAT: &str = "control socket";

/// Binds the control socket at `path`, replacing a stale one. Blocking,
/// and non-blocking once bound, for `tokio::net::UnixListener::from_std`.
pub fn bind(path: &Path, trust: &Trust) -> Result<UnixListener, EndpointError> {
    let io_error = |op: &'static str| move |e: io::Error| EndpointError::io(WHAT, path, op, e);
    if let Some((found, kind)) = endpoint::found_at(path).map_err(io_error("stat"))? {
        if kind != FileType::Socket {
            return Err(EndpointError::WrongType {
                what: WHAT,
                path: path.to_path_buf(),
                expected: "a socket",
            });
        }
        trust.own(WHAT, path, found)?;
        match std::os::unix::net::UnixStream::connect(path) {
            Ok(_) => {
                let live = io::Error::new(
                    io::ErrorKind::AddrInUse,
                    "another controller answers on it; stop it first",
                );
                return Err(EndpointError::io(WHAT, path, "bind", live));
            }
            Err(_) => {
                tracing::info!(path = %path.display(), "replacing a stale control socket");
                std::fs::remove_file(path).map_err(io_error("remove"))?;
            }
        }
    }
    let listener = UnixListener::bind(path).map_err(io_error("bind"))?;
    // A socket's mode and group live on the file, not on the descriptor.
    if let Some(gid) = trust.group() {
        std::os::unix::fs::chown(path, None, Some(gid)).map_err(io_error("chown"))?;
    }
    let mode = std::fs::Permissions::from_mode(trust.mode(0o600, 0o060));
    std::fs::set_permissions(path, mode).map_err(io_error("chmod"))?;
    listener.set_nonblocking(true).map_err(io_error("bind"))?;
    Ok(listener)
}
