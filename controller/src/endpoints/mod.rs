//! The named endpoints this controller claims at start and releases on the
//! way out: the runtime dir, the instance lock in `/dev/shm` and the pidfile
//! ([`pidfile`]), and the removal of the FIFO, the status segment and the
//! message queue on a clean stop.
//!
//! Claiming takes the locks before anything else is created, so a second
//! controller of the same instance stops there and touches nothing of the
//! first one's. Every endpoint is checked as `homesec_ipc::endpoint`
//! describes: a runtime dir inside a directory that another user controls,
//! or a lock file another user made, stops the start with a message that
//! names it.

pub mod pidfile;

use crate::settings::Settings;
use homesec_ipc::{endpoint, paths};
use pidfile::Pidfile;

/// The locks that make this controller the only one of its instance; held
/// until [`Claimed::release`].
pub struct Claimed {
    locks: [Pidfile; 2],
}

/// Creates the runtime dir (0750, in a chain of directories no other user
/// controls) and takes the instance lock and the pidfile.
pub fn claim(settings: &Settings) -> anyhow::Result<Claimed> {
    let trust = &settings.trust;
    endpoint::create_dir_chain(&settings.runtime_dir, trust)?;
    let lock = paths::instance_lock(&settings.instance);
    let locks = [
        Pidfile::acquire("instance lock", &lock, 0o600, trust)?,
        Pidfile::acquire(
            "pidfile",
            &settings.pidfile(),
            trust.mode(0o600, 0o040),
            trust,
        )?,
    ];
    Ok(Claimed { locks })
}

impl Claimed {
    /// Removes the endpoints we own (the status segment was already marked
    /// stopped by the house task), then releases the locks.
    pub fn release(self, settings: &Settings) {
        for path in [
            settings.fifo(),
            settings.control_socket(),
            settings.status_segment(),
        ] {
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
