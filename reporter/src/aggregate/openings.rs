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

    /// A sensor's bypass ended: its next openings are not bypassed (the
    /// one open now keeps the reason it had).
    pub fn unbypass(&mut self, sensor: &str) {
        self.bypassed.remove(&clip(sensor, MAX_ID));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Time {
        chrono::DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn an_opening_after_an_unbypass_is_not_bypassed() {
        let day = |h: &str| at(&format!("2026-11-22T{h}:00:00+00:00"));
        let window = Window {
            previous_start: None,
            start: day("00"),
            end: day("23"),
            until: day("23"),
        };
        let mut builder = OpeningsBuilder::new(60_000, window);
        let open_close = |b: &mut OpeningsBuilder, from: &str, to: &str| {
            let (kind, zone) = (SensorKind::Window, "ground");
            b.sensor(day(from), "w", zone, kind, SensorState::Open);
            b.sensor(day(to), "w", zone, kind, SensorState::Closed);
        };
        builder.bypass("w", BypassReason::Manual);
        open_close(&mut builder, "01", "02");
        builder.unbypass("w");
        open_close(&mut builder, "03", "04");
        let bypasses: Vec<_> = builder
            .finish(day("23"))
            .items
            .items
            .iter()
            .map(|o| o.bypass)
            .collect();
        assert_eq!(bypasses, vec![Some(BypassReason::Manual), None]);
    }
}
