//! Supervision: a sensor silent for its supervision timeout or longer is
//! `offline` (a trouble condition) until it reports again.
//!
//! The offline record is written once when the silence is noticed (by `tick`)
//! and the online record once when the sensor next reports (by the sensor).
//! Expiry is "at or after" the deadline, so ticking exactly at the deadline
//! [`next_expiry`] returned always makes progress.

use super::sensors::Sensor;
use super::spec::{Millis, millis};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::TroubleCondition;

/// When `sensor` goes offline if it stays silent; `None` when it is not
/// supervised or already offline.
fn expiry(sensor: &Sensor) -> Option<Millis> {
    let timeout = sensor.spec().supervision_timeout;
    if timeout.is_zero() || sensor.offline() {
        return None;
    }
    Some(sensor.last_seen().saturating_add(millis(timeout)))
}

/// Marks every sensor whose silence reached its timeout at `now` offline.
pub(super) fn check(sensors: &mut [Sensor], now: Millis, out: &mut Vec<Event>) {
    for sensor in sensors {
        if expiry(sensor).is_some_and(|at| at <= now) {
            sensor.set_trouble(TroubleCondition::Offline, true, out);
        }
    }
}

/// The earliest time a sensor can go offline.
pub(super) fn next_expiry(sensors: &[Sensor]) -> Option<Millis> {
    sensors.iter().filter_map(expiry).min()
}
