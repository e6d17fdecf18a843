//! Detector children: each `[[detectors]]` command of the config runs as a
//! child process whose stdout is an anonymous pipe into the controller,
//! spoken in the event line format (source `pipe:<name>`).
//!
//! A child that exits is restarted with exponential backoff (1 s doubling up
//! to `timers.restart_backoff_max`, 60 s by default; back to the start after
//! a minute of good running). Each child gets its
//! own process group and a parent-death signal, so that on shutdown, and even
//! if the controller is killed, no detector is left running.

use crate::ingest::line_ingest::LineIngest;
use homesec_config::Detector;
use std::io;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};
use tokio_util::sync::CancellationToken;

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// A child that ran this long is considered healthy: its backoff resets.
const HEALTHY_RUN: Duration = Duration::from_secs(60);
/// How long a child has to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Runs one detector until `shutdown`, restarting it when it exits.
pub async fn supervise(
    detector: Detector,
    max_backoff: Duration,
    mut ingest: LineIngest,
    shutdown: CancellationToken,
) {
    let first = FIRST_BACKOFF.min(max_backoff);
    let mut backoff = first;
    loop {
        let started = tokio::time::Instant::now();
        match spawn(&detector) {
            Ok(child) => {
                tracing::info!(detector = %detector.name, pid = child.id(), "detector started");
                match pump(child, &mut ingest, &shutdown).await {
                    Pumped::ShuttingDown | Pumped::HouseGone => return,
                    Pumped::Exited(status) => {
                        tracing::warn!(detector = %detector.name, %status, "detector exited");
                    }
                }
            }
            Err(e) => {
                tracing::error!(detector = %detector.name, command = ?detector.command, error = %e, "cannot start detector");
            }
        }
        if started.elapsed() >= HEALTHY_RUN {
            backoff = first;
        }
        tracing::info!(detector = %detector.name, "restarting in {:?}", backoff);
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.cancelled() => return,
        }
        backoff = (backoff * 2).min(max_backoff);
    }
}

fn spawn(detector: &Detector) -> io::Result<Child> {
    let (program, args) = detector
        .command
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty command"))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .process_group(0)
        .kill_on_drop(true);
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.spawn()
}

enum Pumped {
    Exited(std::process::ExitStatus),
    ShuttingDown,
    HouseGone,
}

/// Forwards the child's stdout until it ends or shutdown begins.
async fn pump(mut child: Child, ingest: &mut LineIngest, shutdown: &CancellationToken) -> Pumped {
    let Some(mut stdout) = child.stdout.take() else {
        stop(&mut child).await;
        return Pumped::ShuttingDown;
    };
    let mut buf = vec![0u8; 16 * 1024];
    // Set once shutdown begins: by then the child has had SIGTERM, and the
    // loop goes on reading what it still writes until its stdout closes or
    // the grace period ends in SIGKILL.
    let mut kill_at: Option<tokio::time::Instant> = None;
    loop {
        let grace_over = async {
            match kill_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        // Shutdown and the grace period first: a child that writes without
        // pause keeps the read always ready.
        tokio::select! {
            biased;
            () = shutdown.cancelled(), if kill_at.is_none() => {
                signal_group(&child, libc::SIGTERM);
                kill_at = Some(tokio::time::Instant::now() + STOP_GRACE);
            }
            () = grace_over => {
                signal_group(&child, libc::SIGKILL);
                break;
            }
            read = stdout.read(&mut buf) => match read {
                Ok(0) => break,
                Ok(n) => {
                    if ingest.push(&buf[..n]).await.is_err() {
                        stop(&mut child).await;
                        return Pumped::HouseGone;
                    }
                }
                Err(e) => {
                    tracing::warn!(source = ingest.source(), error = %e, "reading detector output failed");
                    break;
                }
            },
        }
    }
    let _ = ingest.finish().await;
    if kill_at.is_some() {
        stop(&mut child).await;
        tracing::info!(source = ingest.source(), "detector stopped");
        return Pumped::ShuttingDown;
    }
    // Its stdout is closed; it may still run. Wait for it, but not past a
    // shutdown.
    tokio::select! {
        status = child.wait() => match status {
            Ok(status) => Pumped::Exited(status),
            Err(e) => {
                tracing::warn!(error = %e, "waiting for detector failed");
                Pumped::Exited(std::process::ExitStatus::default())
            }
        },
        () = shutdown.cancelled() => {
            stop(&mut child).await;
            tracing::info!(source = ingest.source(), "detector stopped");
            Pumped::ShuttingDown
        }
    }
}

/// Sends a signal to the child's process group.
fn signal_group(child: &Child, signal: libc::c_int) {
    if let Some(pid) = child.id() {
        // SAFETY: killpg only sends a signal; the group is the child's own
        // (spawned with process_group(0), so its pgid is its pid).
        unsafe {
            libc::killpg(pid as libc::pid_t, signal);
        }
    }
}

/// Terminates the child and reaps it, killing it after the grace period.
async fn stop(child: &mut Child) {
    signal_group(child, libc::SIGTERM);
    if tokio::time::timeout(STOP_GRACE, child.wait())
        .await
        .is_err()
    {
        signal_group(child, libc::SIGKILL);
        let _ = child.wait().await;
    }
}
