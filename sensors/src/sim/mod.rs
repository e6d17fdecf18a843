//! # The scenario simulator
//!
//! Plays a house's life over days in house time, as the sensors and keypad
//! of that house would report it: occupants waking, leaving, coming home and
//! going to bed (arming and disarming with their codes through keypad
//! lines), intruders, device faults, and every sensor's heartbeat. It never
//! reads a clock: [`Simulator`] is an iterator of `(house_ms, Report)` from a
//! given start, non-decreasing in time, and the same scenario, house, seed
//! and start always give the same stream. Only sensors with
//! `[sensors.simulated]` take part.
//!
//! ```no_run
//! # fn demo(house: &homesec_config::Config, start_ms: i64) -> Result<(), homesec_sensors::sim::ScenarioError> {
//! use homesec_sensors::sim::{Simulator, default_scenario};
//! let mut sim = Simulator::new(&default_scenario(), house, 42, start_ms)?;
//! let (due_ms, report) = sim.next().expect("the default scenario never ends");
//! # Ok(()) }
//! ```
//!
//! ## Scenario files
//!
//! TOML; unknown fields are errors, and every error reads
//! `file:line:column: field: message`. Durations use the house file's
//! notation (`"30s"`, `"1h30m"`). A time (`at`) is a local time of day,
//! `"07:00"` or `"07:00:30"`, or an offset from the simulation start,
//! `"+5m"`. Day 1 is the local date the simulation starts on; a time of day
//! already past at the start does not happen on day 1.
//!
//! ```toml
//! name = "default"                 # optional; default: the file name
//! description = "..."              # optional
//! days = 7                         # optional: stop after this many days; default: run for ever
//!
//! [layout]                         # required when there are occupants
//! entrance = "front-door"          # door or window with an entry delay: the way in and out
//! hall = ["hall-motion"]           # motion sensors by the entrance and on the way to bed, in order
//! rooms = ["living-motion"]        # motion sensors of the rooms lived in
//! doors = ["back-door"]            # contacts opened now and then while someone is home
//! activity = "30m"                 # mean time between movements at home; 1m to 12h
//!
//! [[occupants]]
//! name = "resident"
//! code = "1234"                    # a normal (not duress) code of a user of the house
//! [[occupants.routines]]
//! action = "wake"                  # wake | leave | come-home | sleep
//! at = "07:00"                     # time of day only: routines repeat
//! jitter = "20m"                   # optional, at most 2h: uniform in at ± jitter
//! days = "weekdays"                # optional: daily (default) | weekdays | weekends
//!
//! [[intrusions]]                   # someone breaks in
//! at = "14:00"                     # or "+5m"
//! day = 1                          # optional, default 1; not with an offset
//! every_day = true                 # optional instead of day; not with an offset
//! jitter = "10m"                   # optional, at most 2h
//! entry = "kitchen-window"         # door or window (opened, left open) or glass (alarm, clear)
//! path = ["living-motion", "hall-motion"]   # motion sensors passed, in order
//! stay = "2m"                      # optional, default 2m: time spread over the path
//!
//! [[faults]]                       # at, day, every_day, jitter as above
//! at = "10:00"
//! day = 2
//! sensor = "bedroom-window"
//! fault = "silent"                 # silent | stuck-open | low-battery | tamper | pressed
//! lasts = "8h"                     # optional (not for tamper): then it recovers
//!
//! [[keypad]]                       # a keypad line typed at a set time
//! at = "+1m"                       # at, day, every_day, jitter as above
//! line = "@arm away 1234"          # any control line of homesec_ipc::line
//! ```
//!
//! ## What the simulated house does
//!
//! - **Heartbeats**: every simulated sensor reports `heartbeat` at the start
//!   and then every `supervision_interval`, except while silent.
//! - **Wake**: disarm (when armed), then the hall and a room.
//! - **Leave**: a room; the last one out waits for the detectors to clear,
//!   arms `away` (`night` when others sleep), walks the hall and opens and
//!   shuts the entrance within the exit delay. Others leave unarmed.
//! - **Come home**: entrance open, disarm within its entry delay (when
//!   armed), entrance closed, hall, a room.
//! - **Sleep**: a room and the hall; the last one up arms `night` once the
//!   detectors have cleared.
//! - **At home**, up and disarmed: a movement in a room (now and then a door
//!   of `doors` opened and shut) every `activity` on average. Nobody moves
//!   while everybody is out or asleep.
//! - **Start**: occupants are where their routines of the day before and of
//!   the start's date so far put them; if nobody is up, the alarm is armed
//!   `away` (or `night`, if someone sleeps) 5 s after the start.
//! - **Intrusions** leave a contact open; the next occupant about closes it.
//! - **Faults**: `silent` sends nothing (the controller marks it offline);
//!   `stuck-open` reports `open` and ignores people until it ends
//!   (`closed`); `low-battery` reports `low-battery` (`battery-ok` when it
//!   ends); `tamper` reports `tamper` once; `pressed` holds a panic button
//!   (`pressed`, then `released` after `lasts` if given). Occupants arming while a counted
//!   sensor is silent, stuck or left open add `force`, as they would at a
//!   refusing keypad.
//! - Motion detectors report `motion`, then `clear` 10 to 30 s later. Tasks
//!   never overlap: each starts once the previous has ended and its
//!   detectors have cleared.

mod emit;
mod engine;
mod faults;
mod resolve;
mod rng;
mod routines;
mod scenario;
mod when;

pub use engine::Simulator;
pub use scenario::{
    DEFAULT_SCENARIO_TOML, ScenarioError, ScenarioFile, default_scenario, load_scenario,
    parse_scenario,
};

#[cfg(test)]
mod tests;
