//! Sensor health: trouble periods (offline, low battery, tamper) from the
//! `trouble` records that start and end them, cut to the period, with per
//! sensor counts and offline time; and sensor events reporting a device's
//! own tamper switch.

use super::directory::{MAX_ID, MAX_IDS, clip};
use super::window::{Phase, Window};
use crate::model::{Capped, Health, SensorHealth, Time, Trouble};
use homesec_ipc::SensorState;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::TroubleCondition;
use rustc_hash::FxHashMap as HashMap;

/// Most trouble periods kept.
const MAX_TROUBLES: usize = 200;

/// A trouble condition holding now.
#[derive(Debug)]
struct Active {
    zone: String,
    started_at: Time,
}

/// Builds [`Health`].
#[derive(Debug)]
pub struct HealthBuilder {
    window: Window,
    active: HashMap<(String, u8), Active>,
    per_sensor: Vec<SensorHealth>,
    troubles: Capped<Trouble>,
    tamper_events: u64,
}

impl HealthBuilder {
    /// Nothing known yet.
    pub fn new(window: Window) -> Self {
        HealthBuilder {
            window,
            active: HashMap::default(),
            per_sensor: Vec::new(),
            troubles: Capped::default(),
            tamper_events: 0,
        }
    }

    /// Takes one record.
    pub fn record(&mut self, ts: Time, event: &Event, phase: Phase) {
        match event {
            Event::Trouble {
                sensor,
                zone,
                condition,
                active,
            } => {
                let key = (clip(sensor, MAX_ID), code(*condition));
                match (*active, self.active.contains_key(&key)) {
                    (true, false) if self.active.len() < MAX_IDS * 3 => {
                        let zone = clip(zone, MAX_ID);
                        self.active.insert(
                            key,
                            Active {
                                zone,
                                started_at: ts,
                            },
                        );
                    }
                    (false, true) => {
                        if let Some(active) = self.active.remove(&key) {
                            self.close(key.0, *condition, active, Some(ts));
                        }
                    }
                    _ => {}
                }
            }
            Event::Sensor {
                state: SensorState::Tamper,
                ..
            } if phase == Phase::In => self.tamper_events += 1,
            _ => {}
        }
    }

    fn close(
        &mut self,
        sensor: String,
        condition: TroubleCondition,
        active: Active,
        ended_at: Option<Time>,
    ) {
        let end = ended_at.unwrap_or(self.window.until);
        if end <= self.window.start {
            return;
        }
        let duration_ms = self.window.overlap_ms(active.started_at, end);
        self.tally(&sensor, condition, duration_ms);
        self.troubles.push(
            MAX_TROUBLES,
            Trouble {
                sensor,
                zone: active.zone,
                condition,
                started_at: active.started_at,
                ended_at,
                duration_ms,
            },
        );
    }

    fn tally(&mut self, sensor: &str, condition: TroubleCondition, duration_ms: u64) {
        let index = match self.per_sensor.iter().position(|s| s.sensor == sensor) {
            Some(index) => index,
            None if self.per_sensor.len() < MAX_IDS => {
                self.per_sensor.push(SensorHealth {
                    sensor: sensor.to_string(),
                    offline: 0,
                    low_battery: 0,
                    tamper: 0,
                    offline_ms: 0,
                });
                self.per_sensor.len() - 1
            }
            None => return,
        };
        let health = &mut self.per_sensor[index];
        match condition {
            TroubleCondition::Offline => {
                health.offline += 1;
                health.offline_ms += duration_ms;
            }
            TroubleCondition::LowBattery => health.low_battery += 1,
            TroubleCondition::Tamper => health.tamper += 1,
        }
    }

    /// The health section, with troubles still holding at the period's end.
    pub fn finish(mut self, until: Time) -> Health {
        self.window.until = until;
        let mut still: Vec<((String, u8), Active)> = self.active.drain().collect();
        still.sort_by(|a, b| a.1.started_at.cmp(&b.1.started_at).then(a.0.cmp(&b.0)));
        for ((sensor, condition), active) in still {
            self.close(sensor, condition_of(condition), active, None);
        }
        self.per_sensor.sort_by(|a, b| a.sensor.cmp(&b.sensor));
        Health {
            troubles: self.troubles,
            sensors: self.per_sensor,
            tamper_events: self.tamper_events,
        }
    }
}

/// A small key for a condition (the ipc type is not `Hash`).
fn code(condition: TroubleCondition) -> u8 {
    match condition {
        TroubleCondition::Offline => 0,
        TroubleCondition::LowBattery => 1,
        TroubleCondition::Tamper => 2,
    }
}

fn condition_of(code: u8) -> TroubleCondition {
    match code {
        0 => TroubleCondition::Offline,
        1 => TroubleCondition::LowBattery,
        _ => TroubleCondition::Tamper,
    }
}
