//! GPIO sensors on a Raspberry Pi: PIR motion detectors, reed switches,
//! panic buttons, tamper loops, wired to input pins with edge interrupts.
//!
//! `rppal_pins` is the only module that touches rppal; `logic` holds the
//! level → state mapping, debounce and heartbeats, tested without hardware.
//! Edges travel from rppal's interrupt thread to the main loop through a
//! mailbox of one slot per input: the latest level and when it was seen.
//! Only the first edge into an empty slot sends a [`Wake::Edge`], so a
//! chattering input while the loop is busy costs one wake, not one per
//! interrupt, and the wake channel stays bounded by the number of inputs.

pub mod logic;
mod rppal_pins;

pub use rppal_pins::RppalPins;

use crate::backend::{Backend, Edge, Wake};
use crate::report::Report;
use homesec_config::{Input, Level, Sensor};
use homesec_ipc::clock::HouseClock;
use logic::{EdgeFn, GpioSensor, GpioSpec, PinSource};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Why GPIO sensors could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum GpioError {
    /// No sensor to watch is wired to a pin.
    #[error(
        "no sensor to watch is wired to GPIO (the others are simulated or filtered out): use --sim to simulate them"
    )]
    NoSensors,
    /// The GPIO itself could not be opened (not a Pi, no permission).
    #[error(
        "sensor '{sensor}' (GPIO {pin}): cannot open the GPIO: {reason} — is this a Raspberry Pi? use --sim elsewhere"
    )]
    Unavailable {
        /// The first sensor that needed it.
        sensor: String,
        /// Its BCM pin.
        pin: u8,
        /// rppal's reason.
        reason: String,
    },
    /// One pin could not be configured.
    #[error("sensor '{sensor}' (GPIO {pin}): cannot watch the pin: {reason}")]
    Pin {
        /// The sensor.
        sensor: String,
        /// Its BCM pin.
        pin: u8,
        /// rppal's reason.
        reason: String,
    },
}

/// GPIO sensors, watched through a [`PinSource`] that lives as long as this.
pub struct GpioBackend<P: PinSource> {
    /// Kept alive: dropping it would stop the edge interrupts.
    _pins: P,
    sensors: Vec<GpioSensor>,
    edges: Arc<Mailbox>,
}

/// The latest unhandled edge of each input.
#[derive(Debug)]
struct Mailbox {
    slots: Vec<Mutex<Option<(Level, Instant)>>>,
}

impl Mailbox {
    fn new(inputs: usize) -> Mailbox {
        Mailbox {
            slots: (0..inputs).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Leaves an edge; true when the slot was empty (the loop needs a wake).
    fn post(&self, input: usize, level: Level, at: Instant) -> bool {
        let Some(slot) = self.slots.get(input) else {
            return false;
        };
        slot.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace((level, at))
            .is_none()
    }

    /// Takes the latest edge of `input`, if one waits.
    fn take(&self, input: usize) -> Option<(Level, Instant)> {
        self.slots
            .get(input)?
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// The interrupt handler of one input: post the edge, wake the loop once.
fn edge_handler(edges: Arc<Mailbox>, input: usize, wake: Sender<Wake>) -> EdgeFn {
    Box::new(move |level| {
        let at = Instant::now();
        if edges.post(input, level, at) {
            // A failed send means the main loop has ended: nobody to tell.
            let _ = wake.send(Wake::Edge(Edge { input, level, at }));
        }
    })
}

impl<P: PinSource> GpioBackend<P> {
    /// Watches the GPIO `sensors` (others are ignored) with pins from `open`,
    /// sending their edges to `wake`. Pushes each sensor's initial level and
    /// first heartbeat to `out`.
    pub fn start(
        sensors: &[&Sensor],
        open: impl FnOnce() -> Result<P, String>,
        wake: &Sender<Wake>,
        out: &mut Vec<Report>,
    ) -> Result<GpioBackend<P>, GpioError> {
        let wired: Vec<_> = sensors
            .iter()
            .filter_map(|s| match s.input {
                Input::Gpio(gpio) => Some((*s, gpio)),
                Input::Simulated => None,
            })
            .collect();
        let Some((first, gpio)) = wired.first() else {
            return Err(GpioError::NoSensors);
        };
        let mut pins = open().map_err(|reason| GpioError::Unavailable {
            sensor: first.id.clone(),
            pin: gpio.pin,
            reason,
        })?;
        let mut watched = Vec::with_capacity(wired.len());
        let edges = Arc::new(Mailbox::new(wired.len()));
        for (input, (sensor, gpio)) in wired.into_iter().enumerate() {
            let on_edge = edge_handler(Arc::clone(&edges), input, wake.clone());
            let initial =
                pins.watch(gpio.pin, gpio.pull, on_edge)
                    .map_err(|reason| GpioError::Pin {
                        sensor: sensor.id.clone(),
                        pin: gpio.pin,
                        reason,
                    })?;
            let spec = GpioSpec {
                id: sensor.id.clone(),
                kind: sensor.kind,
                active: gpio.active,
                debounce: gpio.debounce,
                heartbeat_every: sensor.supervision_interval,
            };
            tracing::info!(
                sensor = %sensor.id,
                pin = gpio.pin,
                active = ?gpio.active,
                pull = ?gpio.pull,
                debounce_ms = gpio.debounce.as_millis() as u64,
                "watching GPIO input"
            );
            watched.push(GpioSensor::start(spec, initial, Instant::now(), out));
        }
        Ok(GpioBackend {
            _pins: pins,
            sensors: watched,
            edges,
        })
    }
}

impl<P: PinSource> Backend for GpioBackend<P> {
    fn due(&mut self, now: Instant, _clock: &HouseClock, out: &mut Vec<Report>) {
        for sensor in &mut self.sensors {
            sensor.due(now, out);
        }
    }

    fn next_due(&self, _now: Instant, _clock: &HouseClock) -> Option<Instant> {
        self.sensors.iter().map(GpioSensor::deadline).min()
    }

    /// The wake names the input; the mailbox holds its latest level (the
    /// wake's own may be older, if more edges came since).
    fn on_edge(&mut self, edge: Edge, out: &mut Vec<Report>) {
        let Some((level, at)) = self.edges.take(edge.input) else {
            return;
        };
        if let Some(sensor) = self.sensors.get_mut(edge.input) {
            sensor.on_edge(level, at, out);
        }
    }

    /// GPIO sensors live in wall time; the house clock does not move them.
    fn clock_changed(&mut self, _old: &HouseClock, _new: &HouseClock) {}

    fn current(&self, out: &mut Vec<Report>) {
        out.extend(self.sensors.iter().map(GpioSensor::current));
    }

    fn finished(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_config::{ConfigSource, Level, Pull};
    use logic::EdgeFn;

    const HOUSE: &str = r#"
[[zones]]
id = "entry"
[[sensors]]
id = "front-door"
kind = "door"
zone = "entry"
supervision_interval = "30s"
[sensors.gpio]
pin = 17
active = "high"
pull = "up"
[[sensors]]
id = "hall-pir"
kind = "motion"
zone = "entry"
[sensors.simulated]
[[users]]
name = "owner"
code_hash = "$argon2id$v=19$m=8192,t=2,p=1$vyZ/XpFTVfxfMYo2/CO8yA$fnVnOS1Gx3gbUHnHQXnXGTeTwcNXuPBDgV0pgEf0WVo"
"#;

    struct NoGpio;

    impl PinSource for NoGpio {
        fn watch(&mut self, _: u8, _: Pull, _: EdgeFn) -> Result<Level, String> {
            unreachable!("never opened")
        }
    }

    struct LowPins(Vec<u8>);

    /// Pins that keep their interrupt handlers, so a test can fire edges.
    #[derive(Default)]
    struct HandPins(Vec<EdgeFn>);

    impl PinSource for HandPins {
        fn watch(&mut self, _: u8, _: Pull, on_edge: EdgeFn) -> Result<Level, String> {
            self.0.push(on_edge);
            Ok(Level::Low)
        }
    }

    #[test]
    fn a_chattering_input_wakes_the_loop_once_and_its_last_level_counts() {
        let house = house();
        let sensors: Vec<_> = house.sensors.iter().collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let mut out = Vec::new();
        let mut backend =
            GpioBackend::start(&sensors, || Ok(HandPins::default()), &tx, &mut out).expect("pins");
        // A thousand interrupts while the loop is busy, ending high (open).
        for i in 0..1000 {
            (backend._pins.0[0])(if i % 2 == 0 { Level::Low } else { Level::High });
        }
        let wakes: Vec<Wake> = rx.try_iter().collect();
        assert_eq!(wakes.len(), 1, "one wake for the whole burst");
        let Wake::Edge(edge) = wakes[0] else {
            panic!("an edge wake")
        };
        out.clear();
        backend.on_edge(edge, &mut out);
        // The debounce settles on the last level: open, once.
        let later = Instant::now() + std::time::Duration::from_secs(1);
        backend.due(later, &HouseClock::REAL, &mut out);
        let door = |state| Report::Sensor {
            sensor: "front-door".into(),
            state,
        };
        assert_eq!(
            out.iter()
                .filter(|r| **r != door(homesec_ipc::SensorState::Heartbeat))
                .collect::<Vec<_>>(),
            [&door(homesec_ipc::SensorState::Open)]
        );
        // The slot is empty again: the next edge wakes the loop again.
        (backend._pins.0[0])(Level::Low);
        assert_eq!(rx.try_iter().count(), 1);
    }

    impl PinSource for LowPins {
        fn watch(&mut self, pin: u8, _: Pull, _: EdgeFn) -> Result<Level, String> {
            self.0.push(pin);
            Ok(Level::Low)
        }
    }

    fn house() -> homesec_config::Config {
        homesec_config::parse(HOUSE, ConfigSource::Embedded).expect("valid test house")
    }

    #[test]
    fn off_a_pi_the_error_names_the_sensor_and_the_way_out() {
        let house = house();
        let sensors: Vec<_> = house.sensors.iter().collect();
        let (tx, _rx) = std::sync::mpsc::channel();
        let err = GpioBackend::<NoGpio>::start(
            &sensors,
            || Err("Unknown Raspberry Pi model".into()),
            &tx,
            &mut Vec::new(),
        )
        .err()
        .expect("open fails");
        assert_eq!(
            err.to_string(),
            "sensor 'front-door' (GPIO 17): cannot open the GPIO: Unknown Raspberry Pi model — is this a Raspberry Pi? use --sim elsewhere"
        );
    }

    #[test]
    fn only_gpio_sensors_are_watched_and_start_with_level_and_heartbeat() {
        let house = house();
        let sensors: Vec<_> = house.sensors.iter().collect();
        let (tx, _rx) = std::sync::mpsc::channel();
        let mut out = Vec::new();
        let backend = GpioBackend::start(&sensors, || Ok(LowPins(Vec::new())), &tx, &mut out)
            .expect("fake pins open");
        assert_eq!(backend._pins.0, [17]);
        let door = |state| Report::Sensor {
            sensor: "front-door".into(),
            state,
        };
        use homesec_ipc::SensorState::{Closed, Heartbeat};
        assert_eq!(out, [door(Closed), door(Heartbeat)]);
    }

    #[test]
    fn a_house_without_gpio_sensors_is_refused() {
        let house = house();
        let sensors: Vec<_> = house.sensors.iter().skip(1).collect();
        let (tx, _rx) = std::sync::mpsc::channel();
        let err = GpioBackend::<NoGpio>::start(&sensors, || Ok(NoGpio), &tx, &mut Vec::new())
            .err()
            .expect("nothing to watch");
        assert!(matches!(err, GpioError::NoSensors));
    }
}
