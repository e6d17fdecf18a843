//! Diagnostics: `tracing` to stderr and to a daily rolling file
//! (`<log-dir>/controller.log.YYYY-MM-DD`, via tracing-appender).
//!
//! `RUST_LOG` selects what is shown (default `info`). The file is written by
//! tracing-appender's background worker, so a slow disk never blocks the
//! daemon (lines are dropped and counted by the worker instead). SIGHUP
//! reopens the file, for log shippers that move it away.

use std::io::{self, IsTerminal, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The daily diagnostic log file; cloning shares the same file.
#[derive(Clone)]
pub struct LogFile {
    dir: PathBuf,
    appender: Arc<Mutex<RollingFileAppender>>,
}

impl LogFile {
    fn open(dir: &Path) -> io::Result<LogFile> {
        std::fs::create_dir_all(dir)?;
        // A dir an older version made 0755 is closed to others now: the
        // log quotes input, and files it made 0644 are inside.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o750))?;
        let appender = new_appender(dir)?;
        Ok(LogFile {
            dir: dir.to_path_buf(),
            appender: Arc::new(Mutex::new(appender)),
        })
    }

    /// Opens the file anew (after it was moved away).
    pub fn reopen(&self) {
        match new_appender(&self.dir) {
            Ok(fresh) => {
                *self.appender.lock().unwrap_or_else(PoisonError::into_inner) = fresh;
                tracing::info!(dir = %self.dir.display(), "diagnostic log reopened");
            }
            Err(e) => tracing::warn!(error = %e, "cannot reopen the diagnostic log"),
        }
    }
}

fn new_appender(dir: &Path) -> io::Result<RollingFileAppender> {
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("controller.log")
        .build(dir)
        .map_err(io::Error::other)
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.appender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.appender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
    }
}

/// Keeps the file writer alive; dropping it flushes what is queued.
pub struct Diagnostics {
    /// The file, for reopening on SIGHUP (absent if it could not be opened).
    pub log_file: Option<LogFile>,
    _guard: Option<WorkerGuard>,
}

/// Sets up tracing to stderr and, when `log_dir` is given, to a daily file.
/// A log dir that cannot be used is reported on stderr and skipped: the
/// daemon is more useful running without a file than not running.
pub fn init(log_dir: Option<&Path>) -> Diagnostics {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour for a person at a terminal, never into a file, a pipe or the
    // journal.
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr);
    let file = log_dir.map(|dir| (dir, LogFile::open(dir)));
    match file {
        Some((_, Ok(log_file))) => {
            let (writer, guard) = tracing_appender::non_blocking(log_file.clone());
            let file_layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer.with_max_level(tracing::Level::TRACE));
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file_layer)
                .try_init();
            Diagnostics {
                log_file: Some(log_file),
                _guard: Some(guard),
            }
        }
        Some((dir, Err(e))) => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            tracing::warn!(dir = %dir.display(), error = %e, "no diagnostic log file");
            Diagnostics {
                log_file: None,
                _guard: None,
            }
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            Diagnostics {
                log_file: None,
                _guard: None,
            }
        }
    }
}
