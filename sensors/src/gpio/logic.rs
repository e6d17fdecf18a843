//! What a GPIO sensor reports, free of rppal: the level → state mapping per
//! kind, software debounce, and the heartbeat schedule. Time is passed in,
//! so the tests drive it with a fake pin source and made-up instants.
//!
//! Debounce keeps one invariant: a level is reported only after it held,
//! without another edge, for the sensor's debounce time, and only if it
//! differs from the last level reported. A bouncing contact therefore gives
//! one report, and a bounce that settles back gives none.

use crate::report::Report;
use homesec_config::{Level, Pull};
use homesec_ipc::{SensorKind, SensorState};
use std::time::{Duration, Instant};

/// Called (from any thread) with the pin's new level on each edge.
pub type EdgeFn = Box<dyn FnMut(Level) + Send + 'static>;

/// Where pin levels and edges come from: rppal on a Pi, a fake in tests.
pub trait PinSource {
    /// Configures `pin` as an input with `pull`, calls `on_edge` on every
    /// rising and falling edge from then on, and returns the pin's level
    /// read after the edge watch started (so no edge falls in between).
    /// The error is the reason in words.
    fn watch(&mut self, pin: u8, pull: Pull, on_edge: EdgeFn) -> Result<Level, String>;
}

/// The level state a sensor of `kind` reports when its input is active or not.
pub fn level_state(kind: SensorKind, active: bool) -> SensorState {
    match (kind, active) {
        (SensorKind::Door | SensorKind::Window | SensorKind::Tamper, true) => SensorState::Open,
        (SensorKind::Door | SensorKind::Window | SensorKind::Tamper, false) => SensorState::Closed,
        (SensorKind::Motion, true) => SensorState::Motion,
        (SensorKind::Motion, false) => SensorState::Clear,
        (SensorKind::Panic, true) => SensorState::Pressed,
        (SensorKind::Panic, false) => SensorState::Released,
        (SensorKind::Glass | SensorKind::Smoke, true) => SensorState::Alarm,
        (SensorKind::Glass | SensorKind::Smoke, false) => SensorState::Clear,
    }
}

/// Software debounce of one input.
#[derive(Debug, Clone)]
pub struct Debouncer {
    stable: Level,
    pending: Option<(Level, Instant)>,
    debounce: Duration,
}

impl Debouncer {
    /// Starts at `initial`, the level already known (and reported).
    pub fn new(initial: Level, debounce: Duration) -> Debouncer {
        Debouncer {
            stable: initial,
            pending: None,
            debounce,
        }
    }

    /// The level last reported.
    pub fn stable(&self) -> Level {
        self.stable
    }

    /// Records an edge to `level` at `at`. First settles a pending level
    /// whose time passed before this edge; then, with no debounce, a change
    /// counts at once. Returns the levels that became stable, oldest first.
    pub fn edge(&mut self, level: Level, at: Instant) -> Vec<Level> {
        let mut settled: Vec<Level> = self.settle(at).into_iter().collect();
        if level == self.stable {
            self.pending = None;
        } else if self.debounce.is_zero() {
            self.stable = level;
            self.pending = None;
            settled.push(level);
        } else {
            // Every edge restarts the window: two edges to the same level in
            // a row mean the edge between them was too short to be seen.
            self.pending = Some((level, at));
        }
        settled
    }

    /// When the pending level, if any, becomes stable.
    pub fn deadline(&self) -> Option<Instant> {
        self.pending.map(|(_, since)| since + self.debounce)
    }

    /// Makes the pending level stable if it held until `now`.
    pub fn settle(&mut self, now: Instant) -> Option<Level> {
        let (level, since) = self.pending?;
        if now < since + self.debounce {
            return None;
        }
        self.pending = None;
        self.stable = level;
        Some(level)
    }
}

/// One GPIO sensor as the process sees it.
#[derive(Debug, Clone)]
pub struct GpioSensor {
    id: String,
    kind: SensorKind,
    active: Level,
    debouncer: Debouncer,
    heartbeat_every: Duration,
    next_heartbeat: Instant,
}

/// What a [`GpioSensor`] needs from the config.
#[derive(Debug, Clone)]
pub struct GpioSpec {
    /// Sensor id.
    pub id: String,
    /// Sensor kind.
    pub kind: SensorKind,
    /// Level that means active.
    pub active: Level,
    /// Debounce time.
    pub debounce: Duration,
    /// Heartbeat interval (the sensor's supervision interval).
    pub heartbeat_every: Duration,
}

impl GpioSensor {
    /// A sensor whose pin reads `initial` at `now`. Pushes its initial
    /// level state and its first heartbeat to `out`.
    pub fn start(spec: GpioSpec, initial: Level, now: Instant, out: &mut Vec<Report>) -> Self {
        let sensor = GpioSensor {
            id: spec.id,
            kind: spec.kind,
            active: spec.active,
            debouncer: Debouncer::new(initial, spec.debounce),
            heartbeat_every: spec.heartbeat_every,
            next_heartbeat: now + spec.heartbeat_every,
        };
        out.push(sensor.report_level(initial));
        out.push(sensor.report(SensorState::Heartbeat));
        sensor
    }

    /// Sensor id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Handles an edge to `level` seen at `at`.
    pub fn on_edge(&mut self, level: Level, at: Instant, out: &mut Vec<Report>) {
        for settled in self.debouncer.edge(level, at) {
            out.push(self.report_level(settled));
        }
    }

    /// Pushes whatever is due at `now`: a level that finished its debounce,
    /// a heartbeat.
    pub fn due(&mut self, now: Instant, out: &mut Vec<Report>) {
        if let Some(level) = self.debouncer.settle(now) {
            out.push(self.report_level(level));
        }
        if now >= self.next_heartbeat {
            out.push(self.report(SensorState::Heartbeat));
            // After a long stall, one heartbeat is enough: no catch-up burst.
            self.next_heartbeat += self.heartbeat_every;
            if self.next_heartbeat <= now {
                self.next_heartbeat = now + self.heartbeat_every;
            }
        }
    }

    /// Its current (debounced) level state, as a report.
    pub fn current(&self) -> Report {
        self.report_level(self.debouncer.stable())
    }

    /// When this sensor next has something due.
    pub fn deadline(&self) -> Instant {
        match self.debouncer.deadline() {
            Some(debounce) => debounce.min(self.next_heartbeat),
            None => self.next_heartbeat,
        }
    }

    fn report_level(&self, level: Level) -> Report {
        self.report(level_state(self.kind, level == self.active))
    }

    fn report(&self, state: SensorState) -> Report {
        Report::Sensor {
            sensor: self.id.clone(),
            state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A pin source whose levels and edges the test sets.
    #[derive(Default)]
    struct FakePins {
        levels: HashMap<u8, Level>,
        pulls: HashMap<u8, Pull>,
        edges: HashMap<u8, EdgeFn>,
    }

    impl PinSource for FakePins {
        fn watch(&mut self, pin: u8, pull: Pull, on_edge: EdgeFn) -> Result<Level, String> {
            let level = *self.levels.get(&pin).ok_or("no such pin")?;
            self.pulls.insert(pin, pull);
            self.edges.insert(pin, on_edge);
            Ok(level)
        }
    }

    impl FakePins {
        fn fire(&mut self, pin: u8, level: Level) {
            self.levels.insert(pin, level);
            (self.edges.get_mut(&pin).expect("watched pin"))(level);
        }
    }

    /// A sensor on a fake pin, with the edges it receives timestamped by the test.
    struct Rig {
        pins: FakePins,
        sensor: GpioSensor,
        seen: std::sync::mpsc::Receiver<Level>,
        t0: Instant,
        out: Vec<Report>,
    }

    const PIN: u8 = 17;

    impl Rig {
        fn new(kind: SensorKind, active: Level, pull: Pull, rest: Level, debounce_ms: u64) -> Rig {
            let mut pins = FakePins::default();
            pins.levels.insert(PIN, rest);
            let (tx, seen) = std::sync::mpsc::channel();
            let initial = pins
                .watch(
                    PIN,
                    pull,
                    Box::new(move |l| tx.send(l).expect("test receiver")),
                )
                .expect("pin exists");
            let t0 = Instant::now();
            let mut out = Vec::new();
            let spec = GpioSpec {
                id: "s1".into(),
                kind,
                active,
                debounce: Duration::from_millis(debounce_ms),
                heartbeat_every: Duration::from_secs(60),
            };
            let sensor = GpioSensor::start(spec, initial, t0, &mut out);
            Rig {
                pins,
                sensor,
                seen,
                t0,
                out,
            }
        }

        fn at(&self, ms: u64) -> Instant {
            self.t0 + Duration::from_millis(ms)
        }

        /// The pin goes to `level` at `ms`.
        fn edge(&mut self, ms: u64, level: Level) {
            self.pins.fire(PIN, level);
            let level = self.seen.try_recv().expect("edge delivered");
            let at = self.at(ms);
            self.sensor.on_edge(level, at, &mut self.out);
        }

        fn tick(&mut self, ms: u64) {
            let at = self.at(ms);
            self.sensor.due(at, &mut self.out);
        }

        fn states(&mut self) -> Vec<SensorState> {
            self.out
                .drain(..)
                .map(|r| match r {
                    Report::Sensor { state, .. } => state,
                    Report::Keypad(line) => panic!("unexpected keypad line {line}"),
                })
                .collect()
        }
    }

    #[test]
    fn a_bouncing_door_contact_gives_one_report() {
        let mut rig = Rig::new(SensorKind::Door, Level::High, Pull::Down, Level::Low, 20);
        assert_eq!(rig.states(), [SensorState::Closed, SensorState::Heartbeat]);
        // The contact opens with bounces over 6 ms, then stays open.
        for (ms, level) in [
            (100, Level::High),
            (101, Level::Low),
            (103, Level::High),
            (104, Level::Low),
            (106, Level::High),
        ] {
            rig.edge(ms, level);
        }
        rig.tick(120);
        assert!(
            rig.states().is_empty(),
            "reported before the level held 20 ms"
        );
        assert_eq!(rig.sensor.deadline(), rig.at(126));
        rig.tick(126);
        assert_eq!(rig.states(), [SensorState::Open]);
        rig.tick(500);
        assert!(rig.states().is_empty(), "one opening is one report");
    }

    #[test]
    fn a_bounce_that_settles_back_gives_no_report() {
        let mut rig = Rig::new(SensorKind::Window, Level::High, Pull::Down, Level::Low, 20);
        rig.states();
        rig.edge(100, Level::High);
        rig.edge(105, Level::Low);
        rig.tick(200);
        assert!(rig.states().is_empty());
        assert_eq!(rig.sensor.debouncer.stable(), Level::Low);
    }

    #[test]
    fn an_active_low_reed_switch_with_pull_up_reports_open_and_closed() {
        // Magnet near: the reed closes to ground, the pin reads low.
        let mut rig = Rig::new(SensorKind::Door, Level::High, Pull::Up, Level::Low, 20);
        assert_eq!(rig.pins.pulls[&PIN], Pull::Up);
        assert_eq!(rig.states()[0], SensorState::Closed);
        rig.edge(1_000, Level::High);
        rig.tick(1_020);
        rig.edge(5_000, Level::Low);
        rig.tick(5_020);
        assert_eq!(rig.states(), [SensorState::Open, SensorState::Closed]);
    }

    #[test]
    fn an_active_low_input_is_open_when_low() {
        let mut rig = Rig::new(SensorKind::Door, Level::Low, Pull::Up, Level::High, 20);
        assert_eq!(rig.states()[0], SensorState::Closed);
        rig.edge(10, Level::Low);
        rig.tick(30);
        assert_eq!(rig.states(), [SensorState::Open]);
    }

    #[test]
    fn a_pending_level_settles_when_the_next_edge_comes_late() {
        // The loop was busy: the next edge arrives before any tick, but its
        // timestamp shows the first level held long enough.
        let mut rig = Rig::new(SensorKind::Door, Level::High, Pull::Down, Level::Low, 20);
        rig.states();
        rig.edge(100, Level::High);
        rig.edge(300, Level::Low);
        rig.tick(320);
        assert_eq!(rig.states(), [SensorState::Open, SensorState::Closed]);
    }

    #[test]
    fn without_debounce_an_edge_counts_at_once() {
        let mut rig = Rig::new(SensorKind::Motion, Level::High, Pull::None, Level::Low, 0);
        assert_eq!(rig.states()[0], SensorState::Clear);
        rig.edge(50, Level::High);
        rig.edge(51, Level::Low);
        assert_eq!(rig.states(), [SensorState::Motion, SensorState::Clear]);
    }

    #[test]
    fn every_kind_maps_active_and_rest_to_its_states() {
        for kind in SensorKind::ALL {
            let active = level_state(*kind, true);
            let rest = level_state(*kind, false);
            assert!(
                kind.accepts(active) && active.is_active(),
                "{kind}: {active}"
            );
            assert_eq!(rest, kind.rest_state(), "{kind}");
        }
        assert_eq!(level_state(SensorKind::Tamper, true), SensorState::Open);
        assert_eq!(level_state(SensorKind::Panic, true), SensorState::Pressed);
        assert_eq!(level_state(SensorKind::Smoke, true), SensorState::Alarm);
        assert_eq!(level_state(SensorKind::Glass, false), SensorState::Clear);
    }

    #[test]
    fn active_low_and_high_panic_buttons() {
        for (active, rest, press) in [
            (Level::Low, Level::High, Level::Low),
            (Level::High, Level::Low, Level::High),
        ] {
            let mut rig = Rig::new(SensorKind::Panic, active, Pull::Up, rest, 20);
            assert_eq!(rig.states()[0], SensorState::Released);
            rig.edge(10, press);
            rig.tick(30);
            rig.edge(500, rest);
            rig.tick(520);
            assert_eq!(rig.states(), [SensorState::Pressed, SensorState::Released]);
        }
    }

    #[test]
    fn heartbeats_come_at_the_supervision_interval() {
        let mut rig = Rig::new(SensorKind::Motion, Level::High, Pull::None, Level::Low, 0);
        rig.states();
        assert_eq!(rig.sensor.deadline(), rig.at(60_000));
        rig.tick(59_999);
        assert!(rig.states().is_empty());
        rig.tick(60_000);
        assert_eq!(rig.states(), [SensorState::Heartbeat]);
        assert_eq!(rig.sensor.deadline(), rig.at(120_000));
        // A stall of several intervals gives one heartbeat, not a burst.
        rig.tick(400_000);
        assert_eq!(rig.states(), [SensorState::Heartbeat]);
        assert!(rig.sensor.deadline() > rig.at(400_000));
    }
}
