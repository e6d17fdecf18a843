//! `--only` / `--skip`: which sensors' reports go out. Keypad lines go out
//! unless `--only` is given: an `--only` run is about one sensor, while a
//! run that skips a few (handed to another process) still carries the
//! occupants' keypad use.

use crate::report::Report;
use homesec_config::Config;

/// A sensor id on the command line that the house does not have.
#[derive(Debug, thiserror::Error)]
#[error("{flag} '{id}': no such sensor in {config} (sensors: {known})")]
pub struct UnknownSensor {
    /// `--only` or `--skip`.
    pub flag: &'static str,
    /// The id given.
    pub id: String,
    /// The config, in words.
    pub config: String,
    /// The house's sensor ids, comma separated.
    pub known: String,
}

/// Which reports go out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    only: Option<String>,
    skip: Vec<String>,
}

impl Filter {
    /// A filter from `--only` and `--skip`, checked against the house.
    pub fn new(
        only: Option<String>,
        skip: Vec<String>,
        house: &Config,
    ) -> Result<Filter, UnknownSensor> {
        let unknown = |flag, id: &String| UnknownSensor {
            flag,
            id: id.clone(),
            config: house.source.to_string(),
            known: house
                .sensors
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        if let Some(id) = only.as_ref().filter(|id| house.sensor(id).is_none()) {
            return Err(unknown("--only", id));
        }
        if let Some(id) = skip.iter().find(|id| house.sensor(id).is_none()) {
            return Err(unknown("--skip", id));
        }
        Ok(Filter { only, skip })
    }

    /// Whether reports of sensor `id` go out.
    pub fn passes_sensor(&self, id: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == id) && !self.skip.iter().any(|s| s == id)
    }

    /// Whether `report` goes out.
    pub fn passes(&self, report: &Report) -> bool {
        match report {
            Report::Sensor { sensor, .. } => self.passes_sensor(sensor),
            Report::Keypad(_) => self.only.is_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_ipc::SensorState;

    fn report(id: &str) -> Report {
        Report::Sensor {
            sensor: id.into(),
            state: SensorState::Heartbeat,
        }
    }

    fn ids(house: &Config) -> (String, String) {
        (house.sensors[0].id.clone(), house.sensors[1].id.clone())
    }

    #[test]
    fn no_filter_passes_everything() {
        let house = homesec_config::default_house();
        let filter = Filter::new(None, Vec::new(), &house).expect("valid");
        let (a, b) = ids(&house);
        assert!(filter.passes(&report(&a)) && filter.passes(&report(&b)));
        assert!(filter.passes(&Report::Keypad("@disarm 1234".into())));
    }

    #[test]
    fn only_passes_one_sensor_and_no_keypad_lines() {
        let house = homesec_config::default_house();
        let (a, b) = ids(&house);
        let filter = Filter::new(Some(a.clone()), Vec::new(), &house).expect("valid");
        assert!(filter.passes(&report(&a)));
        assert!(!filter.passes(&report(&b)));
        assert!(!filter.passes(&Report::Keypad("@disarm 1234".into())));
    }

    #[test]
    fn skip_drops_the_named_sensors_but_keeps_keypad_lines() {
        let house = homesec_config::default_house();
        let (a, b) = ids(&house);
        let filter = Filter::new(None, vec![a.clone()], &house).expect("valid");
        assert!(!filter.passes(&report(&a)));
        assert!(filter.passes(&report(&b)));
        assert!(filter.passes(&Report::Keypad("@disarm 1234".into())));
    }

    #[test]
    fn an_unknown_id_is_refused_with_the_known_ones() {
        let house = homesec_config::default_house();
        let (a, _) = ids(&house);
        let err = Filter::new(None, vec!["attic".into()], &house).expect_err("unknown");
        let text = err.to_string();
        assert!(
            text.starts_with("--skip 'attic': no such sensor in <embedded default house>"),
            "{text}"
        );
        assert!(text.contains(&a), "{text}");
        assert!(Filter::new(Some("attic".into()), Vec::new(), &house).is_err());
    }
}
