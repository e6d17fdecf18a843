//! The named endpoints this controller claims at start and releases on the
//! way out: the runtime dir, the instance lock in `/dev/shm` and the pidfile
//! ([`pidfile`]), and the removal of the FIFO, the status segment and the
//! message queue on a clean stop.
//!
//! Claiming takes the locks before anything else is created, so a second
//! controller of the same instance stops there and touches nothing of the
//! first one's.

pub mod pidfile;

use crate::settings::Settings;
use anyhow::Context;
use homesec_ipc::paths;
use pidfile::Pidfile;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::Path;

/// The locks that make this controller the only one of its instance; held
/// until [`Claimed::release`].
pub struct Claimed {
    locks: [Pidfile; 2],
}

/// Creates the runtime dir and takes the instance lock and the pidfile.
pub fn claim(settings: &Settings) -> anyhow::Result<Claimed> {
    create_runtime_dir(&settings.runtime_dir)?;
    let locks = [
        Pidfile::acquire(&paths::instance_lock(&settings.instance))?,
        Pidfile::acquire(&settings.pidfile())?,
    ];
    Ok(Claimed { locks })
}

/// Creates the runtime dir (0750) and refuses one that another user owns
/// or that others may write to: the FIFO and pidfile live there.
fn create_runtime_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(dir)
        .with_context(|| format!("creating runtime dir {}", dir.display()))?;
    let meta = std::fs::metadata(dir).with_context(|| format!("reading {}", dir.display()))?;
    let me = rustix::process::geteuid().as_raw();
    anyhow::ensure!(
        meta.uid() == me && meta.mode() & 0o002 == 0,
        "runtime dir {} belongs to uid {} or is writable by anyone; use a dir of your own (--runtime-dir)",
        dir.display(),
        meta.uid()
    );
    Ok(())
}

impl Claimed {
    /// Removes the endpoints we own (the status segment was already marked
    /// stopped by the house task), then releases the locks.
    pub fn release(self, settings: &Settings) {
        for path in [settings.fifo(), settings.status_segment()] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "cannot remove"),
            }
        }
        // Sensors notice the controller's restart (a new pid in the status
        // segment) and open the new queue.
        if let Err(e) = homesec_ipc::mq::unlink(&settings.instance) {
            tracing::warn!(error = %e, "cannot remove the message queue");
        }
        for lock in self.locks.into_iter().rev() {
            let path = lock.path().to_path_buf();
            if let Err(e) = lock.remove() {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove");
            }
        }
    }
}
