//! End-to-end tests of `parse` and `load`: each refused file names the right
//! line, column and field ([`refused`]); each accepted one resolves as the
//! crate doc says ([`resolved`]). The shared fixture is here.

mod refused;
mod resolved;

use super::*;
use homesec_ipc::{Mode, SensorKind};
use std::time::Duration;

/// Two zones, one simulated door and one user: the smallest interesting
/// valid house (a house needs a sensor and a user).
const BASE: &str = r#"
[[zones]]
id = "entry"
type = "perimeter"

[[zones]]
id = "living"

[[users]]
name = "owner"
code_hash = "$argon2id$v=19$m=8192,t=2,p=1$vyZ/XpFTVfxfMYo2/CO8yA$fnVnOS1Gx3gbUHnHQXnXGTeTwcNXuPBDgV0pgEf0WVo"

[[sensors]]
id = "front-door"
kind = "door"
zone = "entry"
[sensors.simulated]
"#;

fn parse_text(text: &str) -> Result<Config, ConfigError> {
    parse(text, ConfigSource::File("house.toml".into()))
}

/// The 1-based line and column of the `nth` occurrence of `needle`, found
/// without the crate's own location code.
fn position_of(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let mut seen = 0;
    for (i, line) in text.split('\n').enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find(needle) {
            if seen == nth {
                return (i + 1, line[..from + at].chars().count() + 1);
            }
            seen += 1;
            from += at + needle.len();
        }
    }
    panic!("'{needle}' not found {nth} times in the text");
}

/// Asserts `text` is refused at the `nth` `needle`, on `field`, with a
/// message containing `message`; returns the diagnostic.
fn refused_at(text: &str, needle: &str, nth: usize, field: &str, message: &str) -> Diagnostic {
    let err = parse_text(text).expect_err("the house should be refused");
    let d = err.diagnostic().expect("a located error").clone();
    let (line, column) = position_of(text, needle, nth);
    assert_eq!((d.line, d.column), (line, column), "{err}");
    assert_eq!(d.field, field, "{err}");
    assert!(d.message.contains(message), "{err}");
    assert_eq!(d.file, "house.toml");
    d
}

fn with_sensor(extra: &str) -> String {
    format!("{BASE}\n[[sensors]]\n{extra}")
}

#[test]
fn base_house_parses() {
    let config = parse_text(BASE).unwrap();
    assert_eq!(config.instance, "home");
    assert_eq!(config.timers, Timers::default());
    assert_eq!(config.source, ConfigSource::File("house.toml".into()));
    let door = config.sensor("front-door").unwrap();
    assert_eq!(door.name, "front-door");
    assert_eq!(door.entry, Entry::Delayed(Duration::from_secs(30)));
    assert_eq!(door.supervision_interval, DEFAULT_SUPERVISION_INTERVAL);
    assert_eq!(door.supervision_timeout, Duration::from_secs(600));
    assert_eq!(door.input, Input::Simulated);
    assert!(config.sensor("nope").is_none());
    assert_eq!(config.zone("living").unwrap().role, None);
}

fn gpio_sensor(id: &str, pin: &str) -> String {
    format!(
        "[[sensors]]\nid = \"{id}\"\nkind = \"window\"\nzone = \"entry\"\n[sensors.gpio]\npin = {pin}\nactive = \"high\"\npull = \"up\"\n"
    )
}
