//! Checks a scenario against a house and turns it into a [`Plan`] the engine
//! runs: every sensor named exists, is simulated and is of a kind that can do
//! what the scenario asks of it; the entrance has an entry delay; every
//! occupant's code is a normal (not duress) code of a user of the house.
//! Sensors become indexes into the plan's list of simulated sensors.

use super::scenario::{
    FaultKind, KeypadLine, Named, Occupant, Routine, ScenarioError, ScenarioFile,
};
use super::when::When;
use homesec_config::{CodeMatch, Config, Input, Sensor};
use homesec_ipc::SensorKind;
use homesec_ipc::line::Control;
use std::collections::HashMap;

/// A scenario bound to a house.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The house's simulated sensors, in file order.
    pub sensors: Vec<Sensor>,
    pub days: Option<u32>,
    pub exit_delay_ms: i64,
    pub layout: Option<Layout>,
    pub occupants: Vec<Resident>,
    pub intrusions: Vec<Intrusion>,
    pub faults: Vec<Fault>,
    pub keypad: Vec<KeypadLine>,
}

/// `[layout]` with sensor indexes.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub entrance: usize,
    pub entry_delay_ms: i64,
    pub hall: Vec<usize>,
    pub rooms: Vec<usize>,
    pub doors: Vec<usize>,
    pub activity_ms: i64,
}

/// An occupant with a checked code.
#[derive(Debug, Clone)]
pub(crate) struct Resident {
    pub code: String,
    pub routines: Vec<Routine>,
}

/// An intrusion with sensor indexes.
#[derive(Debug, Clone)]
pub(crate) struct Intrusion {
    pub when: When,
    pub entry: usize,
    pub path: Vec<usize>,
    pub stay_ms: i64,
}

/// A fault with its sensor index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fault {
    pub when: When,
    pub sensor: usize,
    pub kind: FaultKind,
    pub lasts_ms: Option<i64>,
}

/// Binds `file` to `house`.
pub(crate) fn resolve(file: &ScenarioFile, house: &Config) -> Result<Plan, ScenarioError> {
    let sensors: Vec<Sensor> = house
        .sensors
        .iter()
        .filter(|s| s.input == Input::Simulated)
        .cloned()
        .collect();
    if sensors.is_empty() {
        return Err(ScenarioError::NothingSimulated);
    }
    let binder = Binder {
        file,
        house,
        sensors: &sensors,
    };
    let scenario = &file.scenario;
    let layout = scenario
        .layout
        .as_ref()
        .map(|l| binder.layout(l))
        .transpose()?;
    let occupants = binder.occupants(&scenario.occupants)?;
    let intrusions = scenario
        .intrusions
        .iter()
        .map(|i| binder.intrusion(i))
        .collect::<Result<_, _>>()?;
    let faults = scenario
        .faults
        .iter()
        .map(|f| binder.fault(f))
        .collect::<Result<_, _>>()?;
    for line in &scenario.keypad {
        binder.keypad(line)?;
    }
    Ok(Plan {
        days: scenario.days,
        exit_delay_ms: ms(house.timers.exit_delay),
        layout,
        occupants,
        intrusions,
        faults,
        keypad: scenario.keypad.clone(),
        sensors,
    })
}

fn ms(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// What every check needs.
struct Binder<'a> {
    file: &'a ScenarioFile,
    house: &'a Config,
    sensors: &'a [Sensor],
}

impl Binder<'_> {
    /// The index of the simulated sensor `name` names.
    fn sensor(&self, name: &Named) -> Result<usize, ScenarioError> {
        let id = &name.value;
        if let Some(index) = self.sensors.iter().position(|s| &s.id == id) {
            return Ok(index);
        }
        let message = match self.house.sensor(id).map(|s| s.input) {
            Some(Input::Gpio(gpio)) => format!(
                "sensor '{id}' is wired to GPIO pin {}: only simulated sensors can take part in a scenario",
                gpio.pin
            ),
            _ => {
                let known: Vec<&str> = self.sensors.iter().map(|s| s.id.as_str()).collect();
                format!(
                    "unknown sensor '{id}' (simulated sensors of this house: {})",
                    known.join(", ")
                )
            }
        };
        Err(self.file.invalid(&name.place, message))
    }

    /// The index of a simulated sensor of one of `kinds`, named for `role`.
    fn sensor_of(
        &self,
        name: &Named,
        kinds: &[SensorKind],
        role: &str,
    ) -> Result<usize, ScenarioError> {
        let index = self.sensor(name)?;
        let kind = self.sensors[index].kind;
        if kinds.contains(&kind) {
            return Ok(index);
        }
        let expected: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        Err(self.file.invalid(
            &name.place,
            format!(
                "sensor '{}' is a {kind} sensor; {role} must be a {} sensor",
                name.value,
                expected.join(" or ")
            ),
        ))
    }

    fn sensors_of(
        &self,
        names: &[Named],
        kinds: &[SensorKind],
        role: &str,
    ) -> Result<Vec<usize>, ScenarioError> {
        names
            .iter()
            .map(|n| self.sensor_of(n, kinds, role))
            .collect()
    }

    fn layout(&self, raw: &super::scenario::Layout) -> Result<Layout, ScenarioError> {
        const CONTACTS: &[SensorKind] = &[SensorKind::Door, SensorKind::Window];
        const MOTION: &[SensorKind] = &[SensorKind::Motion];
        let entrance = self.sensor_of(&raw.entrance, CONTACTS, "the entrance")?;
        let Some(delay) = self.sensors[entrance].entry.delay() else {
            return Err(self.file.invalid(
                &raw.entrance.place,
                format!(
                    "the entrance '{}' is instant: coming home would trigger the alarm; give it an entry_delay in the house",
                    raw.entrance.value
                ),
            ));
        };
        Ok(Layout {
            entrance,
            entry_delay_ms: ms(delay),
            hall: self.sensors_of(&raw.hall, MOTION, "a hall sensor")?,
            rooms: self.sensors_of(&raw.rooms, MOTION, "a room sensor")?,
            doors: self.sensors_of(&raw.doors, CONTACTS, "a door the occupants use")?,
            activity_ms: raw.activity_ms,
        })
    }

    /// Checks every code once against the house (argon2 is slow on purpose).
    fn occupants(&self, occupants: &[Occupant]) -> Result<Vec<Resident>, ScenarioError> {
        let mut checked: HashMap<&str, Option<(String, CodeMatch)>> = HashMap::new();
        let mut out = Vec::with_capacity(occupants.len());
        for occupant in occupants {
            let code = occupant.code.value.as_str();
            let found = checked
                .entry(code)
                .or_insert_with(|| self.house.check_code(code));
            let problem = match found {
                Some((_, CodeMatch::User)) => None,
                Some((user, CodeMatch::Duress)) => Some(format!(
                    "occupant '{}': this is the duress code of user '{user}'; give a normal code",
                    occupant.name
                )),
                None => Some(format!(
                    "occupant '{}': no user of the house has this code",
                    occupant.name
                )),
            };
            if let Some(message) = problem {
                return Err(self.file.invalid(&occupant.code.place, message));
            }
            out.push(Resident {
                code: code.to_string(),
                routines: occupant.routines.clone(),
            });
        }
        Ok(out)
    }

    fn intrusion(&self, raw: &super::scenario::Intrusion) -> Result<Intrusion, ScenarioError> {
        Ok(Intrusion {
            when: raw.when,
            entry: self.sensor_of(
                &raw.entry,
                &[SensorKind::Door, SensorKind::Window, SensorKind::Glass],
                "an intruder's way in",
            )?,
            path: self.sensors_of(&raw.path, &[SensorKind::Motion], "an intruder's path")?,
            stay_ms: raw.stay_ms,
        })
    }

    fn fault(&self, raw: &super::scenario::Fault) -> Result<Fault, ScenarioError> {
        let sensor = match raw.kind {
            FaultKind::StuckOpen => self.sensor_of(
                &raw.sensor,
                &[SensorKind::Door, SensorKind::Window, SensorKind::Tamper],
                "a sensor stuck open",
            )?,
            FaultKind::Pressed => {
                self.sensor_of(&raw.sensor, &[SensorKind::Panic], "a panic button pressed")?
            }
            FaultKind::Silent | FaultKind::LowBattery | FaultKind::Tamper => {
                self.sensor(&raw.sensor)?
            }
        };
        Ok(Fault {
            when: raw.when,
            sensor,
            kind: raw.kind,
            lasts_ms: raw.lasts_ms,
        })
    }

    /// A `@bypass` line must name a sensor of the house.
    fn keypad(&self, line: &KeypadLine) -> Result<(), ScenarioError> {
        match &line.control {
            Control::Bypass { sensor, .. } if self.house.sensor(sensor).is_none() => {
                Err(self.file.invalid(
                    &line.place,
                    format!("@bypass names sensor '{sensor}', which the house does not have"),
                ))
            }
            _ => Ok(()),
        }
    }
}
