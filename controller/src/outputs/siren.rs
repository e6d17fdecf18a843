//! The siren: an output behind a small trait, so that the alarm logic never
//! knows whether it drives a relay on a GPIO pin or a line in the log.
//!
//! The house task switches it when the alarm state says so; the daemon
//! switches it off on the way out, whatever the state.

use crate::settings::Settings;

/// The siren: the configured GPIO output, or the simulated one with
/// `--sim` or when the house has none. A siren pin that cannot be opened
/// stops the start: an alarm system must not run with a dead siren.
pub fn open(settings: &Settings) -> Result<Box<dyn Siren>, SirenError> {
    match &settings.config.siren {
        Some(siren) if !settings.sim => {
            let active_high = siren.active == homesec_config::Level::High;
            Ok(Box::new(GpioSiren::open(siren.pin, active_high)?))
        }
        _ => Ok(Box::new(SimulatedSiren::default())),
    }
}

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

/// A siren (relay or buzzer) on a GPIO output of a Raspberry Pi.
pub struct GpioSiren {
    pin: rppal::gpio::OutputPin,
    active_high: bool,
    on: bool,
}

/// Why the siren's GPIO pin could not be opened.
#[derive(Debug, thiserror::Error)]
#[error(
    "siren (GPIO {pin}): cannot open the GPIO: {source} — is this a Raspberry Pi? Elsewhere run with --sim"
)]
pub struct SirenError {
    /// The BCM pin number.
    pub pin: u8,
    /// What rppal said.
    pub source: rppal::gpio::Error,
}

impl GpioSiren {
    /// Takes `pin` as an output, switched off.
    pub fn open(pin: u8, active_high: bool) -> Result<GpioSiren, SirenError> {
        let err = |source| SirenError { pin, source };
        let pin_handle = rppal::gpio::Gpio::new()
            .map_err(err)?
            .get(pin)
            .map_err(err)?;
        let output = if active_high {
            pin_handle.into_output_low()
        } else {
            pin_handle.into_output_high()
        };
        tracing::info!(pin, active_high, "siren on GPIO");
        Ok(GpioSiren {
            pin: output,
            active_high,
            on: false,
        })
    }
}

impl Siren for GpioSiren {
    fn set(&mut self, on: bool) {
        if on == self.on {
            return;
        }
        self.on = on;
        if on == self.active_high {
            self.pin.set_high();
        } else {
            self.pin.set_low();
        }
        if on {
            tracing::warn!(pin = self.pin.pin(), "SIREN ON");
        } else {
            tracing::info!(pin = self.pin.pin(), "siren off");
        }
    }
}

impl Drop for GpioSiren {
    fn drop(&mut self) {
        self.set(false);
    }
}
