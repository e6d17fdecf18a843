//! Device faults in time: which sensors are silent or stuck open when, what
//! a fault itself reports, and which reports it swallows. A silent sensor
//! sends nothing at all (no heartbeats either, so the controller's
//! supervision marks it offline); a sensor stuck open ignores the doors and
//! windows people open and close until the fault ends. Windows are kept
//! only until they have passed, so memory stays bounded on endless runs.

use super::emit::{By, Emit};
use super::scenario::FaultKind;
use homesec_ipc::SensorState;

/// One fault, placed in time: `from` up to (not including) `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub sensor: usize,
    pub kind: FaultKind,
    pub from: i64,
    /// `i64::MAX` for a fault that never ends.
    pub to: i64,
}

impl Window {
    fn covers(&self, sensor: usize, at: i64) -> bool {
        self.sensor == sensor && (self.from..self.to).contains(&at)
    }

    /// What the faulty device reports itself: a stuck contact reports
    /// `open` (and `closed` when freed), a battery `low-battery` (and
    /// `battery-ok` once replaced), a tamper switch `tamper`, a held panic
    /// button `pressed` (and `released`).
    pub(crate) fn reports(&self) -> Vec<(i64, Emit)> {
        let (start, end) = match self.kind {
            FaultKind::Silent => return Vec::new(),
            FaultKind::StuckOpen => (SensorState::Open, Some(SensorState::Closed)),
            FaultKind::LowBattery => (SensorState::LowBattery, Some(SensorState::BatteryOk)),
            FaultKind::Tamper => (SensorState::Tamper, None),
            FaultKind::Pressed => (SensorState::Pressed, Some(SensorState::Released)),
        };
        let emit = |state| Emit::Sensor {
            sensor: self.sensor,
            state,
            by: By::Fault,
        };
        let mut out = vec![(self.from, emit(start))];
        if let (Some(state), true) = (end, self.to != i64::MAX) {
            out.push((self.to, emit(state)));
        }
        out
    }
}

/// The fault windows that have not ended yet.
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    windows: Vec<Window>,
}

impl FaultBook {
    /// Records a fault that matters over time (silent, stuck open).
    pub(crate) fn add(&mut self, window: Window) {
        if matches!(window.kind, FaultKind::Silent | FaultKind::StuckOpen) {
            self.windows.push(window);
        }
    }

    fn any(&self, kind: FaultKind, sensor: usize, at: i64) -> bool {
        self.windows
            .iter()
            .any(|w| w.kind == kind && w.covers(sensor, at))
    }

    /// Whether `sensor` is silent at `at`.
    pub(crate) fn silent(&self, sensor: usize, at: i64) -> bool {
        self.any(FaultKind::Silent, sensor, at)
    }

    /// Whether `sensor` would stop an arm at `at`: stuck open, or silent
    /// (offline, once its supervision timeout has passed).
    pub(crate) fn in_the_way(&self, sensor: usize, at: i64) -> bool {
        self.silent(sensor, at) || self.any(FaultKind::StuckOpen, sensor, at)
    }

    /// Whether the fault book swallows `emit` due at `at`.
    pub(crate) fn swallows(&self, emit: &Emit, at: i64) -> bool {
        match *emit {
            Emit::Heartbeat(sensor) => self.silent(sensor, at),
            Emit::Sensor { sensor, by, state } => {
                self.silent(sensor, at)
                    || (by == By::Life
                        && matches!(state, SensorState::Open | SensorState::Closed)
                        && self.any(FaultKind::StuckOpen, sensor, at))
            }
            Emit::Keypad(_) => false,
        }
    }

    /// Forgets the windows that ended at or before `now`.
    pub(crate) fn forget_before(&mut self, now: i64) {
        self.windows.retain(|w| w.to > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(kind: FaultKind, from: i64, to: i64) -> Window {
        Window {
            sensor: 1,
            kind,
            from,
            to,
        }
    }

    fn life(state: SensorState) -> Emit {
        Emit::Sensor {
            sensor: 1,
            state,
            by: By::Life,
        }
    }

    #[test]
    fn a_silent_sensor_sends_nothing_while_silent() {
        let mut book = FaultBook::default();
        book.add(window(FaultKind::Silent, 100, 200));
        assert!(!book.swallows(&Emit::Heartbeat(1), 99));
        assert!(book.swallows(&Emit::Heartbeat(1), 100));
        assert!(book.swallows(&life(SensorState::Open), 150));
        assert!(!book.swallows(&Emit::Heartbeat(1), 200));
        assert!(!book.swallows(&Emit::Heartbeat(2), 150));
        assert!(!book.swallows(&Emit::Keypad("@disarm 1234".into()), 150));
        assert!(book.in_the_way(1, 150));
    }

    #[test]
    fn a_stuck_contact_ignores_people_but_not_its_fault_or_heartbeats() {
        let mut book = FaultBook::default();
        let stuck = window(FaultKind::StuckOpen, 100, 200);
        book.add(stuck);
        assert!(book.swallows(&life(SensorState::Closed), 150));
        assert!(!book.swallows(&Emit::Heartbeat(1), 150));
        assert!(!book.swallows(&life(SensorState::LowBattery), 150));
        let own = stuck.reports();
        assert_eq!(own.len(), 2);
        assert!(own.iter().all(|(at, e)| !book.swallows(e, *at)));
        assert_eq!(own[0].0, 100);
        assert_eq!(own[1].0, 200);
    }

    #[test]
    fn endless_faults_only_start_and_passed_windows_are_forgotten() {
        let battery = window(FaultKind::LowBattery, 10, i64::MAX);
        assert_eq!(battery.reports().len(), 1);
        let tamper = window(FaultKind::Tamper, 10, i64::MAX);
        assert_eq!(tamper.reports().len(), 1);
        let mut book = FaultBook::default();
        book.add(battery);
        book.add(window(FaultKind::Silent, 0, 50));
        book.add(window(FaultKind::Silent, 60, i64::MAX));
        assert_eq!(book.windows.len(), 2, "low battery needs no window");
        book.forget_before(55);
        assert_eq!(book.windows.len(), 1);
        assert!(book.silent(1, 1_000_000));
    }
}
