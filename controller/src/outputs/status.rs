//! The status segment as the controller publishes it: created at start
//! with room for the house (and for sensors a reload may add), filled from
//! the house once per turn of the house task.
//!
//! The layout, the seqlock and the atomic replacement are the `ipc`
//! contract ([`homesec_ipc::status`]); this module only decides the
//! capacities and maps the house's sensors onto slots.

use crate::clock::Clock;
use crate::house::House;
use crate::settings::Settings;
use anyhow::Context;
use homesec_ipc::status::{SensorSlot, Snapshot, StatusWriter};

/// Sensor slots in the status segment at least (room to grow on reload).
const MIN_SENSOR_SLOTS: u16 = 64;
/// Camera slots in the status segment at least.
const MIN_CAMERA_SLOTS: u16 = 16;

/// The controller's status segment and its sensor capacity.
pub struct StatusOutput {
    writer: StatusWriter,
    sensor_capacity: u16,
}

impl StatusOutput {
    /// Creates the segment with room for the configured house.
    pub fn create(settings: &Settings) -> anyhow::Result<StatusOutput> {
        let sensor_capacity = u16::try_from(settings.config.sensors.len())
            .unwrap_or(u16::MAX)
            .max(MIN_SENSOR_SLOTS);
        let cameras = u16::try_from(settings.config.cameras.len())
            .unwrap_or(u16::MAX)
            .max(MIN_CAMERA_SLOTS);
        let path = settings.status_segment();
        let writer = StatusWriter::create(&path, sensor_capacity, cameras, &settings.trust)
            .with_context(|| format!("creating the status segment {}", path.display()))?;
        Ok(StatusOutput {
            writer,
            sensor_capacity,
        })
    }

    /// Sensors the segment has slots for.
    pub fn sensor_capacity(&self) -> u16 {
        self.sensor_capacity
    }

    /// Publishes `snapshot`; a failure is logged, never fatal: the house
    /// goes on guarding whether or not anyone can watch it.
    pub fn publish(&mut self, snapshot: &Snapshot) {
        if let Err(e) = self.writer.publish(snapshot) {
            tracing::warn!(error = %e, "cannot publish status");
        }
    }
}

/// The house's sensors as status slots, in configuration order, their
/// times as `clock` shows them.
pub fn sensor_slots(house: &House, clock: &Clock) -> Vec<SensorSlot> {
    house
        .sensors()
        .map(|s| SensorSlot {
            id: s.id().to_string(),
            zone: s.zone().to_string(),
            kind: s.kind(),
            state: s.state(),
            bypassed: s.bypassed(),
            offline: s.offline(),
            low_battery: s.low_battery(),
            tamper: s.tamper(),
            events: s.events(),
            last_change_ms: clock.shown(s.last_change()),
            last_seen_ms: clock.shown(s.last_seen()),
        })
        .collect()
}
