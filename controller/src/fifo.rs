//! The named FIFO `<runtime-dir>/events.fifo`: any script can write event
//! lines into it (`echo "front-door open" > events.fifo`).
//!
//! The controller opens it read-write. Holding a write end itself means the
//! FIFO never reports end-of-file when the last writer goes away, so the
//! reader neither spins on EOF nor has to reopen: it simply sleeps in epoll
//! until the next writer comes. On shutdown it reads what is already in the
//! pipe without waiting, then stops.

use crate::lines::LineIngest;
use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio_util::sync::CancellationToken;

/// Permissions of a FIFO we create: the owner reads, its group may write.
const FIFO_MODE: u32 = 0o620;

/// Creates the FIFO at `path` (or adopts one left by an earlier run).
pub fn create(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_fifo() => {
            tracing::debug!(path = %path.display(), "reusing the existing FIFO");
        }
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a FIFO; remove it or choose another runtime dir",
                    path.display()
                ),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let c_path = CString::new(path.as_os_str().as_bytes())
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            // SAFETY: c_path is a valid NUL-terminated string for the call's duration.
            if unsafe { libc::mkfifo(c_path.as_ptr(), FIFO_MODE) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Err(e) => return Err(e),
    }
    // mkfifo's mode is filtered by the umask; the contract is exactly 0620.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(FIFO_MODE))
}

/// Reads the FIFO until `shutdown`, then drains what is already there.
pub async fn run(
    path: &Path,
    mut ingest: LineIngest,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let mut rx = pipe::OpenOptions::new()
        .read_write(true)
        .open_receiver(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            biased;
            read = rx.read(&mut buf) => {
                let n = read?;
                if ingest.push(&buf[..n]).await.is_err() {
                    return Ok(());
                }
            }
            () = shutdown.cancelled() => break,
        }
    }
    drain(&rx, &mut buf, &mut ingest).await;
    Ok(())
}

/// Takes what writers already put in the pipe, without waiting for more.
async fn drain(rx: &pipe::Receiver, buf: &mut [u8], ingest: &mut LineIngest) {
    loop {
        match rx.try_read(buf) {
            Ok(0) => break,
            Ok(n) => {
                if ingest.push(&buf[..n]).await.is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                tracing::warn!(error = %e, "FIFO drain stopped");
                break;
            }
        }
    }
    let _ = ingest.finish().await;
}
