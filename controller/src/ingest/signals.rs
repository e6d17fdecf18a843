//! Unix signals, owned here and nowhere else.
//!
//! signal-hook's iterator runs on a small thread of its own (it blocks in a
//! self-pipe read, never polls) and reports each signal with its sender's pid
//! (`siginfo`). This module turns them into daemon actions: TERM and INT
//! start the graceful shutdown, HUP reloads the config and reopens the
//! diagnostic log, USR1 and USR2 go to the house task as inputs.

use crate::diagnostics::LogFile;
use crate::ingest::{Input, InputSender, SignalKind};
use homesec_config::ConfigSource;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
use signal_hook::iterator::SignalsInfo;
use signal_hook::iterator::exfiltrator::WithOrigin;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A signal as received: which, and from whom.
#[derive(Debug, Clone, Copy)]
struct Received {
    kind: SignalKind,
    sender_pid: Option<i32>,
}

/// Installs the handlers. Call before anything else can receive a signal's
/// default action (that is, early in start-up).
pub fn install() -> io::Result<SignalStream> {
    let mut signals = SignalsInfo::<WithOrigin>::new([SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2])?;
    let handle = signals.handle();
    let (tx, rx) = mpsc::channel(16);
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for origin in signals.forever() {
                let kind = match origin.signal {
                    SIGTERM => SignalKind::Term,
                    SIGINT => SignalKind::Int,
                    SIGHUP => SignalKind::Hup,
                    SIGUSR1 => SignalKind::Usr1,
                    SIGUSR2 => SignalKind::Usr2,
                    _ => continue,
                };
                let sender_pid = origin.process.map(|p| p.pid);
                if tx.blocking_send(Received { kind, sender_pid }).is_err() {
                    break;
                }
            }
        })?;
    Ok(SignalStream { rx, handle })
}

/// Signals received, waiting to be acted on.
pub struct SignalStream {
    rx: mpsc::Receiver<Received>,
    handle: signal_hook::iterator::Handle,
}

/// What a config reload needs to know.
pub struct Reloader {
    /// Where the running config came from.
    pub source: ConfigSource,
    /// The diagnostic log file, reopened on HUP.
    pub log_file: Option<LogFile>,
}

/// Acts on signals until shutdown begins (by TERM/INT or otherwise).
pub async fn run(
    mut stream: SignalStream,
    inputs: InputSender,
    reloader: Reloader,
    shutdown: CancellationToken,
) {
    loop {
        let received = tokio::select! {
            r = stream.rx.recv() => r,
            () = shutdown.cancelled() => None,
        };
        let Some(Received { kind, sender_pid }) = received else {
            break;
        };
        tracing::info!(signal = kind.name(), sender_pid, "signal received");
        let _ = inputs
            .send(Input::Signal {
                signal: kind,
                sender_pid,
            })
            .await;
        match kind {
            SignalKind::Term | SignalKind::Int => shutdown.cancel(),
            SignalKind::Hup => {
                if let Some(log) = &reloader.log_file {
                    log.reopen();
                }
                let reload = reload(&reloader.source).await;
                let _ = inputs.send(reload).await;
            }
            SignalKind::Usr1 | SignalKind::Usr2 => {}
        }
    }
    // Later signals keep their handlers (a second Ctrl-C during shutdown is
    // ignored rather than killing us mid-flush) but nobody listens any more.
    stream.handle.close();
}

async fn reload(source: &ConfigSource) -> Input {
    let (path, result) = match source {
        ConfigSource::File(path) => {
            let path: PathBuf = path.clone();
            let loaded = tokio::task::spawn_blocking({
                let path = path.clone();
                move || homesec_config::load(&path)
            })
            .await;
            let result = match loaded {
                Ok(Ok(config)) => Ok(Arc::new(config)),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("config loader failed: {e}")),
            };
            (path.display().to_string(), result)
        }
        ConfigSource::Embedded => (
            "<embedded default house>".to_string(),
            Ok(Arc::new(homesec_config::default_house())),
        ),
    };
    Input::Reload { path, result }
}
