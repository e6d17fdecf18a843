//! The siren: an output behind a small trait, so that the alarm logic never
//! knows whether it drives a relay on a GPIO pin or a line in the log.
//!
//! The house task switches it when the alarm state says so; the daemon
//! switches it off on the way out, whatever the state.

/// Something that can sound the alarm. Implementations switch off when
/// dropped, so that even a panicking controller leaves the siren silent.
pub trait Siren: Send {
    /// Switch on (`true`) or off (`false`). Must be idempotent.
    fn set(&mut self, on: bool);
}

/// The siren of a house without one: it logs, and the status segment shows
/// its state.
#[derive(Debug, Default)]
pub struct SimulatedSiren {
    on: bool,
}

impl Siren for SimulatedSiren {
    fn set(&mut self, on: bool) {
        if on != self.on {
            self.on = on;
            if on {
                tracing::warn!("SIREN ON (simulated)");
            } else {
                tracing::info!("siren off (simulated)");
            }
        }
    }
}

impl Drop for SimulatedSiren {
    fn drop(&mut self) {
        self.set(false);
    }
}
