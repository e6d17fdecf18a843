//! Sensor events in the period: per zone, per sensor (at most
//! [`MAX_IDS`] of each; the rest is counted as `other_events`), and over
//! time in equal buckets from the period's start (real hours, so a DST day
//! has 23 or 25 of them; longer ranges use wider buckets).

use super::directory::{MAX_ID, MAX_IDS, clip};
use super::window::ms_between;
use crate::model::{Activity, Bucket, Histogram, SensorActivity, Time, ZoneActivity};
use crate::period::local;
use chrono::Duration;
use homesec_ipc::{SensorKind, SensorState};
use rustc_hash::FxHashMap as HashMap;

/// Most histogram buckets; periods longer than this many hours get wider buckets.
const MAX_BUCKETS: u64 = 200;
const HOUR_MS: u64 = 3_600_000;

/// Builds [`Activity`].
#[derive(Debug)]
pub struct ActivityBuilder {
    start: Time,
    bucket_ms: u64,
    buckets: Vec<(u64, u64)>,
    events: u64,
    other_events: u64,
    sensors: HashMap<String, SensorActivity>,
    zones: HashMap<String, ZoneActivity>,
}

impl ActivityBuilder {
    /// Buckets covering `[start, end)`.
    pub fn new(start: Time, end: Time) -> Self {
        let length = ms_between(start, end);
        let hours = length.div_ceil(HOUR_MS).max(1);
        let bucket_ms = hours.div_ceil(MAX_BUCKETS) * HOUR_MS;
        let count = usize::try_from(length.div_ceil(bucket_ms).max(1)).unwrap_or(1);
        ActivityBuilder {
            start,
            bucket_ms,
            buckets: vec![(0, 0); count],
            events: 0,
            other_events: 0,
            sensors: HashMap::default(),
            zones: HashMap::default(),
        }
    }

    /// A sensor event in the period.
    pub fn sensor(
        &mut self,
        ts: Time,
        sensor: &str,
        zone: &str,
        kind: SensorKind,
        state: SensorState,
    ) {
        let active = u64::from(state.is_level() && state.is_active());
        self.events += 1;
        let index =
            usize::try_from(ms_between(self.start, ts) / self.bucket_ms).unwrap_or(usize::MAX);
        if let Some(bucket) = self.buckets.get_mut(index) {
            bucket.0 += 1;
            bucket.1 += active;
        }
        let make_sensor = |id: &str| SensorActivity {
            sensor: id.to_string(),
            zone: clip(zone, MAX_ID),
            kind,
            events: 0,
            activations: 0,
        };
        match counter(&mut self.sensors, sensor, make_sensor) {
            Some(entry) => {
                entry.events += 1;
                entry.activations += active;
            }
            None => self.other_events += 1,
        }
        let make_zone = |id: &str| ZoneActivity {
            zone: id.to_string(),
            events: 0,
            activations: 0,
        };
        if let Some(entry) = counter(&mut self.zones, zone, make_zone) {
            entry.events += 1;
            entry.activations += active;
        }
    }

    /// The activity section.
    pub fn finish(self) -> Activity {
        let mut sensors: Vec<SensorActivity> = self.sensors.into_values().collect();
        sensors.sort_by(|a, b| b.events.cmp(&a.events).then(a.sensor.cmp(&b.sensor)));
        let mut zones: Vec<ZoneActivity> = self.zones.into_values().collect();
        zones.sort_by(|a, b| b.events.cmp(&a.events).then(a.zone.cmp(&b.zone)));
        let step = i64::try_from(self.bucket_ms).unwrap_or(i64::MAX);
        let buckets = (0_i64..)
            .zip(self.buckets)
            .map(|(i, (events, activations))| Bucket {
                start: local(self.start + Duration::milliseconds(step.saturating_mul(i))),
                events,
                activations,
            })
            .collect();
        Activity {
            events: self.events,
            zones,
            sensors,
            other_events: self.other_events,
            histogram: Histogram {
                bucket_minutes: u32::try_from(self.bucket_ms / 60_000).unwrap_or(u32::MAX),
                buckets,
            },
        }
    }
}

/// The counter for `id`, made if there is room; `None` for an id past the
/// cap or longer than any valid id.
fn counter<'a, T>(
    map: &'a mut HashMap<String, T>,
    id: &str,
    make: impl FnOnce(&str) -> T,
) -> Option<&'a mut T> {
    if !map.contains_key(id) {
        if map.len() >= MAX_IDS || id.len() > MAX_ID {
            return None;
        }
        map.insert(id.to_string(), make(id));
    }
    map.get_mut(id)
}
