//! Doors and windows: each opening from `open` to `closed`, how long, and
//! how much of it fell while the system was `armed` — a perimeter contact
//! open while armed is necessarily bypassed, or it would have raised the
//! alarm. An opening is reported when it lasted at least the threshold or
//! was open while armed, and it overlaps the period.

use super::directory::{MAX_ID, MAX_IDS, clip};
use super::window::{Window, ms_between};
use crate::model::{Capped, Opening, Openings, Time};
use homesec_ipc::eventlog::record::BypassReason;
use homesec_ipc::{SensorKind, SensorState};
use rustc_hash::FxHashMap as HashMap;

/// Most openings kept.
const MAX_OPENINGS: usize = 200;

/// A contact open now.
#[derive(Debug)]
struct Open {
    zone: String,
    kind: SensorKind,
    opened_at: Time,
    armed_ms: u64,
    /// Since when it has been open while armed, if it is now.
    armed_from: Option<Time>,
    bypass: Option<BypassReason>,
}

/// Builds [`Openings`].
#[derive(Debug)]
pub struct OpeningsBuilder {
    threshold_ms: u64,
    armed_since: Option<Time>,
    open: HashMap<String, Open>,
    bypassed: HashMap<String, BypassReason>,
    window: Window,
    items: Capped<Opening>,
}

impl OpeningsBuilder {
    /// Openings of at least `threshold_ms` are too long.
    pub fn new(threshold_ms: u64, window: Window) -> Self {
        OpeningsBuilder {
            threshold_ms,
            armed_since: None,
            open: HashMap::default(),
            bypassed: HashMap::default(),
            window,
            items: Capped::default(),
        }
    }

    /// A sensor event.
    pub fn sensor(
        &mut self,
        ts: Time,
        sensor: &str,
        zone: &str,
        kind: SensorKind,
        state: SensorState,
    ) {
        if !matches!(kind, SensorKind::Door | SensorKind::Window) {
            return;
        }
        match state {
            SensorState::Open => {
                if self.open.contains_key(sensor) || self.open.len() >= MAX_IDS {
                    return;
                }
                let open = Open {
                    zone: clip(zone, MAX_ID),
                    kind,
                    opened_at: ts,
                    armed_ms: 0,
                    armed_from: self.armed_since.map(|_| ts),
                    bypass: self.bypassed.get(sensor).copied(),
                };
                self.open.insert(clip(sensor, MAX_ID), open);
            }
            SensorState::Closed => {
                if let Some((id, open)) = self.open.remove_entry(sensor) {
                    self.close(id, open, Some(ts));
                }
            }
            _ => {}
        }
    }

    /// The alarm state changed at `ts`: `armed` is whether it is now `armed`.
    pub fn armed(&mut self, ts: Time, armed: bool) {
        match (self.armed_since.is_some(), armed) {
            (false, true) => {
                self.armed_since = Some(ts);
                for open in self.open.values_mut() {
                    open.armed_from = Some(ts);
                }
            }
            (true, false) => {
                self.armed_since = None;
                for open in self.open.values_mut() {
                    if let Some(from) = open.armed_from.take() {
                        open.armed_ms += ms_between(from, ts);
                    }
                }
            }
            _ => {}
        }
    }

    /// A sensor was bypassed.
    pub fn bypass(&mut self, sensor: &str, reason: BypassReason) {
        if let Some(open) = self.open.get_mut(sensor) {
            open.bypass = Some(reason);
        }
        if self.bypassed.len() < MAX_IDS {
            self.bypassed.insert(clip(sensor, MAX_ID), reason);
        }
    }

    /// The system was disarmed: bypasses end.
    pub fn disarmed(&mut self) {
        self.bypassed.clear();
    }

    fn close(&mut self, sensor: String, mut open: Open, closed_at: Option<Time>) {
        let end = closed_at.unwrap_or(self.window.until);
        if end <= self.window.start {
            return;
        }
        if let Some(from) = open.armed_from.take() {
            open.armed_ms += ms_between(from, end);
        }
        let open_ms = ms_between(open.opened_at, end);
        let too_long = open_ms >= self.threshold_ms;
        if !too_long && open.armed_ms == 0 {
            return;
        }
        self.items.push(
            MAX_OPENINGS,
            Opening {
                sensor,
                zone: open.zone,
                kind: open.kind,
                opened_at: open.opened_at,
                closed_at,
                open_ms,
                too_long,
                armed_ms: open.armed_ms,
                bypass: open.bypass,
            },
        );
    }

    /// The openings, with those still open at the period's end.
    pub fn finish(mut self, until: Time) -> Openings {
        self.window.until = until;
        let mut still_open: Vec<(String, Open)> = self.open.drain().collect();
        still_open.sort_by(|a, b| a.1.opened_at.cmp(&b.1.opened_at).then(a.0.cmp(&b.0)));
        for (sensor, open) in still_open {
            self.close(sensor, open, None);
        }
        Openings {
            threshold_ms: self.threshold_ms,
            items: self.items,
        }
    }
}
