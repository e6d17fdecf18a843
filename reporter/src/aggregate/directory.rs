//! What the report knows about each sensor and zone id: zone and kind as
//! the log says (sensor records carry both), names as the config says.
//! At most [`MAX_IDS`] ids are remembered, so a log full of odd ids cannot
//! make it grow; ids are cut to [`MAX_ID`] bytes.

use crate::model::{House, SensorInfo, ZoneInfo};
use homesec_config::Config;
use homesec_ipc::SensorKind;
use rustc_hash::FxHashMap as HashMap;

/// The most sensor (and zone) ids remembered.
pub const MAX_IDS: usize = 256;
/// The longest id kept, in bytes (valid ids have at most 32).
pub const MAX_ID: usize = 64;

/// Zone and kind of each sensor seen, and the config for names.
#[derive(Debug)]
pub struct Directory {
    config: Config,
    sensors: HashMap<String, (String, SensorKind)>,
}

impl Directory {
    /// An empty directory naming things after `config`.
    pub fn new(config: Config) -> Self {
        Directory {
            config,
            sensors: HashMap::default(),
        }
    }

    /// Notes a sensor record's sensor, zone and kind.
    pub fn saw(&mut self, sensor: &str, zone: &str, kind: SensorKind) {
        if self.sensors.len() < MAX_IDS && !self.sensors.contains_key(sensor) {
            self.sensors
                .insert(clip(sensor, MAX_ID), (clip(zone, MAX_ID), kind));
        }
    }

    /// A sensor's kind: as the log said, else as the config says.
    pub fn kind(&self, sensor: &str) -> Option<SensorKind> {
        match self.sensors.get(sensor) {
            Some((_, kind)) => Some(*kind),
            None => self.config.sensor(sensor).map(|s| s.kind),
        }
    }

    /// Names for the given sensor and zone ids (and the sensors' zones).
    pub fn house(&self, sensor_ids: &[String], zone_ids: &[String]) -> House {
        let mut zones: Vec<String> = zone_ids.to_vec();
        let sensors = sensor_ids
            .iter()
            .map(|id| {
                let logged = self.sensors.get(id.as_str());
                let configured = self.config.sensor(id);
                let zone = logged
                    .map(|(zone, _)| zone.clone())
                    .or_else(|| configured.map(|s| s.zone.clone()));
                if let Some(zone) = &zone {
                    if !zones.contains(zone) {
                        zones.push(zone.clone());
                    }
                }
                SensorInfo {
                    id: id.clone(),
                    name: configured.map_or_else(|| id.clone(), |s| s.name.clone()),
                    zone,
                    kind: self.kind(id),
                }
            })
            .collect();
        zones.sort();
        zones.dedup();
        let zones = zones
            .into_iter()
            .map(|id| ZoneInfo {
                name: self
                    .config
                    .zone(&id)
                    .map_or_else(|| id.clone(), |z| z.name.clone()),
                id,
            })
            .collect();
        House { sensors, zones }
    }
}

/// At most `max` bytes of `text`, cut at a character boundary.
pub fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_whole_characters() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc");
        assert_eq!(clip("aé", 2), "a");
    }

    #[test]
    fn names_come_from_the_config_and_kinds_from_the_log() {
        let mut dir = Directory::new(homesec_config::default_house());
        dir.saw("front-door", "entry", SensorKind::Door);
        dir.saw("shed-door", "shed", SensorKind::Door);
        let house = dir.house(
            &["front-door".into(), "shed-door".into()],
            &["entry".into()],
        );
        assert_eq!(house.sensors[0].name, "Front door");
        assert_eq!(house.sensors[1].name, "shed-door");
        assert_eq!(house.sensors[1].kind, Some(SensorKind::Door));
        let zones: Vec<_> = house
            .zones
            .iter()
            .map(|z| (z.id.as_str(), z.name.as_str()))
            .collect();
        assert_eq!(zones, vec![("entry", "Entry"), ("shed", "shed")]);
        assert_eq!(dir.kind("smoke-hall"), Some(SensorKind::Smoke));
    }
}
