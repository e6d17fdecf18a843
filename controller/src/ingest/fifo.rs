//! The named FIFO `<runtime-dir>/events.fifo`: any script of the owner or
//! the configured group can write event lines into it (`echo "front-door
//! open" > events.fifo`).
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
use homesec_ipc::endpoint::{self, EndpointError, Found, Trust};
use rustix::fs::{CWD, FileType, Mode, mknodat};
use std::io;
use std::path::Path;
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio_util::sync::CancellationToken;

/// What the endpoint checks call the FIFO.
const WHAT: &str = "FIFO";
/// Bytes read at once: many lines per wake-up under load.
const READ_SIZE: usize = 64 * 1024;

/// Creates the FIFO at `path`, or finds one left by an earlier run. Only a
/// type check here: its owner and mode are checked and set by [`run`] on
/// the descriptor it reads from, because opening a FIFO just to look at it
/// would release a writer blocked in `open` into a reader that goes away
/// again, losing what it writes.
pub fn create(path: &Path) -> Result<(), EndpointError> {
    match endpoint::found_at(path).map_err(|e| EndpointError::io(WHAT, path, "stat", e))? {
        Some((_, FileType::Fifo)) => {
            tracing::debug!(path = %path.display(), "reusing the existing FIFO");
        }
        Some(_) => {
            return Err(EndpointError::WrongType {
                what: WHAT,
                path: path.to_path_buf(),
                expected: "a FIFO",
            });
        }
        None => mknodat(CWD, path, FileType::Fifo, Mode::from_raw_mode(0o600), 0)
            .map_err(|e| EndpointError::io(WHAT, path, "mkfifo", e))?,
    }
    Ok(())
}

/// Checks the FIFO we just opened (ours, not another user's: refused) and
/// sets its mode: `0620` with a group (the owner reads, the group writes),
/// `0600` without.
fn claim(path: &Path, rx: &pipe::Receiver, trust: &Trust) -> Result<(), EndpointError> {
    let found = Found::of(rx).map_err(|e| EndpointError::io(WHAT, path, "stat", e))?;
    trust.own(WHAT, path, found)?;
    trust.apply(WHAT, path, rx, trust.mode(0o600, 0o020))
}

/// Reads the FIFO until `shutdown`, then drains what was there at that moment.
pub async fn run(
    path: &Path,
    trust: &Trust,
    mut ingest: LineIngest,
    shutdown: CancellationToken,
) -> io::Result<()> {
    let mut rx = pipe::OpenOptions::new()
        .read_write(true)
        .open_receiver(path)?;
    claim(path, &rx, trust).map_err(io::Error::other)?;
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
