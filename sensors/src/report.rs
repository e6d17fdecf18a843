//! What a sensor backend produces: a sensor's report, or a keypad line
//! (the simulated occupants arm and disarm through the same control line a
//! keypad would use).

use homesec_ipc::SensorState;

/// One thing to tell the controller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    /// A sensor reports a state (`heartbeat` included).
    Sensor {
        /// Sensor id.
        sensor: String,
        /// What it reports.
        state: SensorState,
    },
    /// A keypad control line in the FIFO line format, e.g. `@arm away 1234`.
    Keypad(String),
}
