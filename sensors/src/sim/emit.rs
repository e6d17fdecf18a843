//! What the simulator sends, before it becomes a [`crate::report::Report`]:
//! a heartbeat, a sensor state with who caused it, or a keypad line. The
//! occupants' routines and the faults both produce these; the engine
//! queues them by house time.

use homesec_ipc::SensorState;

/// Who caused a sensor report: people (occupants, intruders) or the device
/// itself (a fault). A stuck contact ignores people only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum By {
    Life,
    Fault,
}

/// Something to send, with sensors as indexes into the plan's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Emit {
    Heartbeat(usize),
    Sensor {
        sensor: usize,
        state: SensorState,
        by: By,
    },
    Keypad(String),
}
