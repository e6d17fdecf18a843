//! The named FIFO `<runtime-dir>/events.fifo`: any script can write event
//! lines into it (`echo "front-door open" > events.fifo`).
//!
//! The controller opens it read-write. Holding a write end itself means the
//! FIFO never reports end-of-file when the last writer goes away, so the
//! reader neither spins on EOF nor has to reopen: it sleeps in epoll until
//! the next writer comes. Because there is no EOF, a fragment left without
//! its `\n` when the pipe runs empty is rejected there and then, instead of
//! being glued to the next writer's line. On shutdown it reads what was in
//! the pipe when the stop began — no more, so a writer that never stops
//! cannot hold the daemon up — and then stops.

use crate::ingest::line_ingest::LineIngest;
use rustix::fs::{CWD, FileType, Mode, mknodat};
use std::io;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio_util::sync::CancellationToken;

/// Permissions of a FIFO we create: the owner reads, its group may write.
const FIFO_MODE: u32 = 0o620;
/// Bytes read at once: many lines per wake-up under load.
const READ_SIZE: usize = 64 * 1024;

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
            let mode = Mode::from_raw_mode(FIFO_MODE);
            mknodat(CWD, path, FileType::Fifo, mode, 0)?;
        }
        Err(e) => return Err(e),
    }
    // mkfifo's mode is filtered by the umask; the contract is exactly 0620.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(FIFO_MODE))
}

/// Reads the FIFO until `shutdown`, then drains what was there at that moment.
pub async fn run(
    path: &Path,
    mut ingest: LineIngest,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let mut rx = pipe::OpenOptions::new()
        .read_write(true)
        .open_receiver(path)?;
    let mut buf = vec![0u8; READ_SIZE];
    loop {
        // Shutdown first: under a writer that never pauses, the read is
        // always ready and would otherwise win every time.
        tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            read = rx.read(&mut buf) => {
                let n = read?;
                if ingest.push(&buf[..n]).await.is_err() {
                    return Ok(());
                }
                if n < buf.len() && pipe_is_empty(&rx) && ingest.finish().await.is_err() {
                    return Ok(());
                }
            }
        }
    }
    drain(&rx, &mut buf, &mut ingest).await;
    Ok(())
}

/// Bytes waiting in the pipe.
fn pending_bytes(rx: &pipe::Receiver) -> usize {
    rustix::io::ioctl_fionread(rx).map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn pipe_is_empty(rx: &pipe::Receiver) -> bool {
    pending_bytes(rx) == 0
}

/// Takes the bytes that were in the pipe when shutdown began, without
/// waiting for more.
async fn drain(rx: &pipe::Receiver, buf: &mut [u8], ingest: &mut LineIngest) {
    let mut left = pending_bytes(rx);
    while left > 0 {
        let want = left.min(buf.len());
        match rx.try_read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(n) => {
                left -= n;
                if ingest.push(&buf[..n]).await.is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                if e.kind() != io::ErrorKind::WouldBlock {
                    tracing::warn!(error = %e, "FIFO drain stopped");
                }
                break;
            }
        }
    }
    let _ = ingest.finish().await;
}
