//! The shared vocabulary: sensor kinds, sensor states, alarm states and modes.
//!
//! Each word has one spelling on the wire (kebab-case, used by the FIFO line
//! format, the event log and the config file) and one byte code (used by the
//! shared-memory status segment). Codes are part of the status layout: never
//! renumber a variant, only append.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A name that is not part of the vocabulary, with the list it was checked against.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{name}' (expected one of: {expected})")]
pub struct UnknownName {
    /// What kind of word was expected ("sensor kind", "sensor state", ...).
    pub what: &'static str,
    /// The word as it was given.
    pub name: String,
    /// The accepted spellings, comma separated.
    pub expected: &'static str,
}

/// Declares a vocabulary enum with its wire names and byte codes.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $wire:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant, )+
        }

        impl $name {
            /// Every variant, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The byte code used in the shared-memory status segment.
            pub fn code(self) -> u8 {
                match self { $($name::$variant => $code),+ }
            }

            /// The variant for a byte code, if the code is known.
            pub fn from_code(code: u8) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        what: $what,
                        name: s.to_string(),
                        expected: concat!($($wire, " "),+).trim_ascii_end(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What a sensor physically is. The kind decides which states it may
    /// report and, with its zone, when it counts (see ALARM.md).
    SensorKind, "sensor kind" {
        /// Passive infrared or microwave motion detector (interior).
        Motion = 1, "motion";
        /// Door contact (perimeter; usually the entry route).
        Door = 2, "door";
        /// Window contact (perimeter).
        Window = 3, "window";
        /// Glass-break detector (perimeter, always instant).
        Glass = 4, "glass";
        /// Smoke detector (24-hour; a fire alarm).
        Smoke = 5, "smoke";
        /// Panic button (24-hour).
        Panic = 6, "panic";
        /// Tamper loop around a box or a siren (24-hour).
        Tamper = 7, "tamper";
    }
}

vocabulary! {
    /// What a sensor reports. Level states (`open`/`closed`, `motion`/`clear`,
    /// `alarm`, `pressed`/`released`) describe the sensor's input; supervisory
    /// states (`heartbeat`, `low-battery`, `battery-ok`, `tamper`) describe the
    /// device itself and may come from a sensor of any kind.
    SensorState, "sensor state" {
        /// Contact open (door, window, tamper loop broken).
        Open = 1, "open";
        /// Contact closed: at rest.
        Closed = 2, "closed";
        /// Motion detected.
        Motion = 3, "motion";
        /// Nothing detected: at rest (motion, glass, smoke).
        Clear = 4, "clear";
        /// Glass break or smoke detected.
        Alarm = 5, "alarm";
        /// Panic button pressed.
        Pressed = 6, "pressed";
        /// Panic button released: at rest.
        Released = 7, "released";
        /// The device is alive; its level has not changed.
        Heartbeat = 8, "heartbeat";
        /// The device's battery is low (a trouble condition).
        LowBattery = 9, "low-battery";
        /// The device's battery is fine again.
        BatteryOk = 10, "battery-ok";
        /// The device's own case or wiring was tampered with.
        Tamper = 11, "tamper";
    }
}

vocabulary! {
    /// The state of the alarm system as a whole (see ALARM.md, "States").
    AlarmState, "alarm state" {
        /// Nothing but 24-hour sensors triggers.
        Disarmed = 0, "disarmed";
        /// The exit delay is running.
        Arming = 1, "arming";
        /// Watching the sensors the mode counts.
        Armed = 2, "armed";
        /// The entry delay is running.
        Pending = 3, "pending";
        /// Siren on, alarm raised.
        Triggered = 4, "triggered";
    }
}

vocabulary! {
    /// Which sensors count while armed (see ALARM.md, "Modes").
    Mode, "mode" {
        /// Everybody is out: perimeter and interior count.
        Away = 1, "away";
        /// Somebody is in: only the perimeter counts.
        Home = 2, "home";
        /// Asleep: perimeter and the interior sensors marked `night`.
        Night = 3, "night";
    }
}

vocabulary! {
    /// What an alarm raised on purpose is for (RPC `activate_alarm`, the
    /// panic button, SIGUSR1).
    AlarmKind, "alarm kind" {
        /// Someone needs help now: siren, notifications.
        Panic = 1, "panic";
        /// Fire: siren, notifications.
        Fire = 2, "fire";
        /// A medical emergency: siren, notifications.
        Medical = 3, "medical";
        /// Help without a sound: recorded and notified, the siren stays
        /// off and nothing at the keypad changes.
        Silent = 4, "silent";
    }
}

/// Whether `id` is a valid sensor, zone, camera or user id: 1 to 32 bytes of
/// `a-z`, `0-9`, `-` and `_`, starting with a letter or digit. Ids appear in
/// FIFO lines, file names and fixed-size status slots, hence the limits.
pub fn valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id.as_bytes()[0].is_ascii_alphanumeric()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The longest id, in bytes.
pub const MAX_ID_LEN: usize = 32;

impl SensorState {
    /// Whether this is a level state (the sensor's input) rather than a
    /// supervisory one.
    pub fn is_level(self) -> bool {
        !matches!(
            self,
            SensorState::Heartbeat
                | SensorState::LowBattery
                | SensorState::BatteryOk
                | SensorState::Tamper
        )
    }

    /// Whether this level state means "something is happening" (the state
    /// that can trigger an alarm) rather than "at rest".
    pub fn is_active(self) -> bool {
        matches!(
            self,
            SensorState::Open | SensorState::Motion | SensorState::Alarm | SensorState::Pressed
        )
    }
}

impl SensorKind {
    /// The level states a sensor of this kind can report. Supervisory states
    /// are accepted from every kind.
    pub fn level_states(self) -> &'static [SensorState] {
        use SensorState::*;
        match self {
            SensorKind::Door | SensorKind::Window | SensorKind::Tamper => &[Open, Closed],
            SensorKind::Motion => &[Motion, Clear],
            SensorKind::Glass | SensorKind::Smoke => &[Alarm, Clear],
            SensorKind::Panic => &[Pressed, Released],
        }
    }

    /// Whether a sensor of this kind may report `state`.
    pub fn accepts(self, state: SensorState) -> bool {
        !state.is_level() || self.level_states().contains(&state)
    }

    /// The level state of a sensor of this kind at rest.
    pub fn rest_state(self) -> SensorState {
        match self {
            SensorKind::Door | SensorKind::Window | SensorKind::Tamper => SensorState::Closed,
            SensorKind::Motion | SensorKind::Glass | SensorKind::Smoke => SensorState::Clear,
            SensorKind::Panic => SensorState::Released,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_codes_are_unique() {
        for k in SensorKind::ALL {
            assert_eq!(k.as_str().parse::<SensorKind>(), Ok(*k));
            assert_eq!(SensorKind::from_code(k.code()), Some(*k));
        }
        for s in SensorState::ALL {
            assert_eq!(s.as_str().parse::<SensorState>(), Ok(*s));
            assert_eq!(SensorState::from_code(s.code()), Some(*s));
        }
        assert_eq!(SensorState::from_code(0), None);
        assert_eq!(AlarmState::from_code(4), Some(AlarmState::Triggered));
    }

    #[test]
    fn unknown_name_lists_what_is_accepted() {
        let err = "opened".parse::<SensorState>().unwrap_err();
        assert_eq!(err.what, "sensor state");
        assert!(err.to_string().contains("open closed motion"), "{err}");
    }

    #[test]
    fn kinds_accept_their_own_states_and_supervision() {
        assert!(SensorKind::Door.accepts(SensorState::Open));
        assert!(!SensorKind::Door.accepts(SensorState::Motion));
        assert!(SensorKind::Motion.accepts(SensorState::Heartbeat));
        assert!(SensorKind::Panic.accepts(SensorState::Tamper));
        for k in SensorKind::ALL {
            assert!(k.accepts(k.rest_state()));
            assert!(!k.rest_state().is_active());
        }
    }

    #[test]
    fn ids() {
        assert!(valid_id("front-door"));
        assert!(valid_id("zone_2"));
        assert!(!valid_id("Front"));
        assert!(!valid_id("_x"));
        assert!(!valid_id(""));
        assert!(!valid_id(&"a".repeat(33)));
    }

    #[test]
    fn serde_uses_wire_names() {
        let json = serde_json::to_string(&SensorState::LowBattery).unwrap();
        assert_eq!(json, "\"low-battery\"");
    }
}
