//! The scenario file: its TOML schema, loading, and every check that needs
//! only the file (times, durations, codes, keypad lines, names). What needs
//! the house (sensor ids, kinds, codes a user has) is checked by `resolve`
//! when a simulator is built. Every error, from either stage, prints as
//! `file:line:column: field: message`, with array indexes from 0.

use super::when::{At, HOUR_MS, MINUTE_MS, OnDays, When, parse_at, parse_time_of_day};
use homesec_config::Diagnostic;
use homesec_config::duration::parse_duration;
use homesec_ipc::line::{Control, Line, parse_line, valid_code};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The default scenario, as TOML: one resident's week, an intrusion, faults.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../../../config/scenarios/default.toml");

/// Where the embedded default scenario says it comes from in messages.
const EMBEDDED: &str = "<embedded default scenario>";

/// The last day a scenario may name or run to.
const MAX_DAY: i64 = 100_000;
/// The longest a fault may last (it may also last for ever).
const MAX_FAULT_MS: i64 = 366 * 24 * HOUR_MS;
/// The largest jitter a scheduled time may have.
const MAX_JITTER_MS: i64 = 2 * HOUR_MS;

/// Why a scenario was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{}: cannot read the scenario: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said (in the message, so it shows once rather than
        /// again as the cause).
        error: std::io::Error,
    },
    /// The text is not TOML, or does not fit the schema (unknown field,
    /// missing field, wrong type).
    #[error("{0}")]
    Parse(Diagnostic),
    /// A value breaks a rule: a bad time or code, or a sensor the house
    /// does not simulate.
    #[error("{0}")]
    Invalid(Diagnostic),
    /// The start time is outside the calendar chrono can handle.
    #[error("the simulation start {start_ms} (unix ms) is outside the supported calendar")]
    Start {
        /// The start given, unix ms.
        start_ms: i64,
    },
    /// The house has no simulated sensor, so there is nothing to simulate.
    #[error(
        "the house has no simulated sensors: give sensors a [sensors.simulated] table to simulate them"
    )]
    NothingSimulated,
}

impl ScenarioError {
    /// The located problem, for parse and validation errors.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            ScenarioError::Parse(d) | ScenarioError::Invalid(d) => Some(d),
            _ => None,
        }
    }
}

/// A parsed scenario file, checked as far as the file alone allows; a
/// [`Simulator`](super::Simulator) checks it against a house. `Debug`
/// leaves out the contents: they hold codes.
#[derive(Clone)]
pub struct ScenarioFile {
    origin: String,
    text: String,
    pub(crate) scenario: Scenario,
}

impl ScenarioFile {
    /// The scenario's `name` (the file name when it gives none).
    pub fn name(&self) -> &str {
        &self.scenario.name
    }

    /// The scenario's `description`, if it has one.
    pub fn description(&self) -> Option<&str> {
        self.scenario.description.as_deref()
    }

    /// A validation error at `place`.
    pub(crate) fn invalid(&self, place: &Place, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid(locate(
            &self.text,
            &self.origin,
            place.span.start,
            &place.field,
            message.into(),
        ))
    }
}

impl fmt::Debug for ScenarioFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScenarioFile")
            .field("origin", &self.origin)
            .field("name", &self.scenario.name)
            .finish_non_exhaustive()
    }
}

/// Reads and checks the scenario at `path`.
pub fn load_scenario(path: &Path) -> Result<ScenarioFile, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|error| ScenarioError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse_scenario(&text, &path.display().to_string())
}

/// Parses and checks a scenario; `origin` names it in errors.
pub fn parse_scenario(text: &str, origin: &str) -> Result<ScenarioFile, ScenarioError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        let message = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        ScenarioError::Parse(locate(text, origin, offset, "", message))
    })?;
    let default_name = Path::new(origin)
        .file_stem()
        .map_or_else(|| origin.to_string(), |s| s.to_string_lossy().into_owned());
    let scenario = check(raw, default_name).map_err(|problem| {
        ScenarioError::Invalid(locate(
            text,
            origin,
            problem.place.span.start,
            &problem.place.field,
            problem.message,
        ))
    })?;
    Ok(ScenarioFile {
        origin: origin.to_string(),
        text: text.to_string(),
        scenario,
    })
}

/// The embedded default scenario for the default house (see
/// `config/scenarios/default.toml`).
pub fn default_scenario() -> ScenarioFile {
    // Fixed at build time; the test `default_scenario_parses` proves it.
    parse_scenario(DEFAULT_SCENARIO_TOML, EMBEDDED).expect("the embedded default scenario is valid")
}

/// A diagnostic at byte `offset` of `text`.
fn locate(text: &str, file: &str, offset: usize, field: &str, message: String) -> Diagnostic {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Diagnostic {
        file: file.to_string(),
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        field: field.to_string(),
        message,
    }
}

// ---------------------------------------------------------------------------
// The checked model.

/// Where a value is in the file, for errors found later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// Byte span of the value.
    pub span: Range<usize>,
    /// Field path, like `occupants[0].code`.
    pub field: String,
}

/// A string value (a sensor id, a code) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Named {
    pub value: String,
    pub place: Place,
}

/// A scenario, checked as far as the file alone allows.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    pub name: String,
    pub description: Option<String>,
    /// Days to run (`days`); `None` runs for ever.
    pub days: Option<u32>,
    pub layout: Option<Layout>,
    pub occupants: Vec<Occupant>,
    pub intrusions: Vec<Intrusion>,
    pub faults: Vec<Fault>,
    pub keypad: Vec<KeypadLine>,
}

/// The sensors the occupants use (`[layout]`).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub entrance: Named,
    pub hall: Vec<Named>,
    pub rooms: Vec<Named>,
    pub doors: Vec<Named>,
    /// Mean time between movements while someone is home and awake.
    pub activity_ms: i64,
}

/// Somebody who lives in the house (`[[occupants]]`).
#[derive(Debug, Clone)]
pub(crate) struct Occupant {
    pub name: String,
    pub code: Named,
    pub routines: Vec<Routine>,
}

/// What a routine does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Wake,
    Leave,
    ComeHome,
    Sleep,
}

/// On which days a routine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoutineDays {
    Daily,
    Weekdays,
    Weekends,
}

/// One routine of an occupant (`[[occupants.routines]]`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Routine {
    pub action: Action,
    /// Seconds after local midnight.
    pub at: u32,
    pub jitter_ms: i64,
    pub days: RoutineDays,
}

/// A break-in (`[[intrusions]]`).
#[derive(Debug, Clone)]
pub(crate) struct Intrusion {
    pub when: When,
    pub entry: Named,
    pub path: Vec<Named>,
    pub stay_ms: i64,
}

/// What goes wrong with a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    /// No reports, heartbeats included.
    Silent,
    /// Reports `open` and stays open.
    StuckOpen,
    /// Reports `low-battery` (and `battery-ok` when it ends).
    LowBattery,
    /// Reports `tamper` once.
    Tamper,
    /// A panic button pressed (`pressed`, then `released` when it ends).
    Pressed,
}

impl FaultKind {
    fn parse(name: &str) -> Option<FaultKind> {
        Some(match name {
            "silent" => FaultKind::Silent,
            "stuck-open" => FaultKind::StuckOpen,
            "low-battery" => FaultKind::LowBattery,
            "tamper" => FaultKind::Tamper,
            "pressed" => FaultKind::Pressed,
            _ => return None,
        })
    }
}

/// A device fault (`[[faults]]`).
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub when: When,
    pub sensor: Named,
    pub kind: FaultKind,
    /// How long it lasts; `None` for ever (and always for `tamper`).
    pub lasts_ms: Option<i64>,
}

/// A keypad line typed at a set time (`[[keypad]]`).
#[derive(Debug, Clone)]
pub(crate) struct KeypadLine {
    pub when: When,
    pub line: String,
    pub control: Control,
    pub place: Place,
}

// ---------------------------------------------------------------------------
// The raw schema.

type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<Text>,
    description: Option<Text>,
    days: Option<Spanned<i64>>,
    layout: Option<RawLayout>,
    #[serde(default)]
    occupants: Vec<RawOccupant>,
    #[serde(default)]
    intrusions: Vec<RawIntrusion>,
    #[serde(default)]
    faults: Vec<RawFault>,
    #[serde(default)]
    keypad: Vec<RawKeypad>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    entrance: Text,
    #[serde(default)]
    hall: Vec<Text>,
    #[serde(default)]
    rooms: Vec<Text>,
    #[serde(default)]
    doors: Vec<Text>,
    activity: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOccupant {
    name: Text,
    code: Text,
    #[serde(default)]
    routines: Vec<RawRoutine>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoutine {
    action: Text,
    at: Text,
    jitter: Option<Text>,
    days: Option<Text>,
}

/// The scheduling fields every timed entry shares, borrowed from it.
struct RawWhen<'a> {
    at: &'a Text,
    day: Option<&'a Spanned<i64>>,
    every_day: Option<&'a Spanned<bool>>,
    jitter: &'a Option<Text>,
}

/// Borrows the scheduling fields of a timed entry.
macro_rules! when_fields {
    ($raw:expr) => {
        RawWhen {
            at: &$raw.at,
            day: $raw.day.as_ref(),
            every_day: $raw.every_day.as_ref(),
            jitter: &$raw.jitter,
        }
    };
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntrusion {
    at: Text,
    day: Option<Spanned<i64>>,
    every_day: Option<Spanned<bool>>,
    jitter: Option<Text>,
    entry: Text,
    #[serde(default)]
    path: Vec<Text>,
    stay: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    at: Text,
    day: Option<Spanned<i64>>,
    every_day: Option<Spanned<bool>>,
    jitter: Option<Text>,
    sensor: Text,
    fault: Text,
    lasts: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeypad {
    at: Text,
    day: Option<Spanned<i64>>,
    every_day: Option<Spanned<bool>>,
    jitter: Option<Text>,
    line: Text,
}

// ---------------------------------------------------------------------------
// Checks.

/// A problem before it is located.
struct Problem {
    place: Place,
    message: String,
}

fn place<T>(value: &Spanned<T>, field: &str) -> Place {
    Place {
        span: value.span(),
        field: field.to_string(),
    }
}

fn problem<T>(value: &Spanned<T>, field: &str, message: impl Into<String>) -> Problem {
    Problem {
        place: place(value, field),
        message: message.into(),
    }
}

fn named(value: &Text, field: &str) -> Named {
    Named {
        value: value.get_ref().clone(),
        place: place(value, field),
    }
}

fn named_list(values: &[Text], field: &str) -> Vec<Named> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| named(v, &format!("{field}[{i}]")))
        .collect()
}

/// A duration in ms within `min..=max`.
fn duration_ms(text: &Text, field: &str, min: i64, max: i64) -> Result<i64, Problem> {
    let ms = parse_duration(text.get_ref())
        .map_err(|e| problem(text, field, e.to_string()))
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))?;
    if (min..=max).contains(&ms) {
        Ok(ms)
    } else {
        Err(problem(
            text,
            field,
            format!(
                "'{}' is out of range: give {} to {}",
                text.get_ref(),
                human(min),
                human(max)
            ),
        ))
    }
}

fn human(ms: i64) -> String {
    homesec_config::duration::format_duration(std::time::Duration::from_millis(ms.unsigned_abs()))
}

fn optional_ms(
    text: &Option<Text>,
    field: &str,
    default: i64,
    min: i64,
    max: i64,
) -> Result<i64, Problem> {
    text.as_ref()
        .map_or(Ok(default), |t| duration_ms(t, field, min, max))
}

/// A day number (1-based in the file) as a 0-based index.
fn day_number(value: &Spanned<i64>, field: &str) -> Result<u32, Problem> {
    let n = *value.get_ref();
    if (1..=MAX_DAY).contains(&n) {
        // In range, so it fits.
        Ok(u32::try_from(n - 1).unwrap_or(0))
    } else {
        Err(problem(
            value,
            field,
            format!("day {n} is out of range: day 1 is the start date, up to {MAX_DAY}"),
        ))
    }
}

/// The `days` a scenario runs.
fn run_length(days: &Spanned<i64>) -> Result<u32, Problem> {
    u32::try_from(*days.get_ref())
        .ok()
        .filter(|n| (1..=MAX_DAY).contains(&i64::from(*n)))
        .ok_or_else(|| {
            problem(
                days,
                "days",
                format!("days must be 1 to {MAX_DAY}; leave it out to run for ever"),
            )
        })
}

fn check_when(raw: &RawWhen<'_>, field: &str) -> Result<When, Problem> {
    let at_field = format!("{field}.at");
    let at = parse_at(raw.at.get_ref()).map_err(|m| problem(raw.at, &at_field, m))?;
    let jitter_ms = optional_ms(raw.jitter, &format!("{field}.jitter"), 0, 0, MAX_JITTER_MS)?;
    let every = raw.every_day.filter(|e| *e.get_ref());
    let days = match (at, raw.day, every) {
        (At::Offset(_), Some(day), _) => {
            return Err(problem(
                day,
                &format!("{field}.day"),
                "a day goes with a time of day, not with an offset from the start",
            ));
        }
        (At::Offset(_), None, Some(every)) => {
            return Err(problem(
                every,
                &format!("{field}.every_day"),
                "every_day goes with a time of day, not with an offset from the start",
            ));
        }
        (_, Some(day), Some(_)) => {
            return Err(problem(
                day,
                &format!("{field}.day"),
                "give either day or every_day = true, not both",
            ));
        }
        (_, Some(day), None) => OnDays::Once(day_number(day, &format!("{field}.day"))?),
        (_, None, Some(_)) => OnDays::Every,
        (_, None, None) => OnDays::Once(0),
    };
    Ok(When {
        at,
        days,
        jitter_ms,
    })
}

fn check(raw: RawScenario, default_name: String) -> Result<Scenario, Problem> {
    let name = raw.name.map_or(default_name, |n| n.into_inner());
    let description = raw.description.map(|d| d.into_inner());
    let days = raw.days.as_ref().map(run_length).transpose()?;
    let layout = raw.layout.as_ref().map(check_layout).transpose()?;
    let occupants = check_occupants(&raw.occupants)?;
    if let (None, Some(first)) = (&layout, raw.occupants.first()) {
        return Err(problem(
            &first.name,
            "occupants[0].name",
            "occupants need a [layout] table naming the entrance they use",
        ));
    }
    let intrusions = raw
        .intrusions
        .iter()
        .enumerate()
        .map(|(i, r)| check_intrusion(r, &format!("intrusions[{i}]")))
        .collect::<Result<_, _>>()?;
    let faults = raw
        .faults
        .iter()
        .enumerate()
        .map(|(i, r)| check_fault(r, &format!("faults[{i}]")))
        .collect::<Result<_, _>>()?;
    let keypad = raw
        .keypad
        .iter()
        .enumerate()
        .map(|(i, r)| check_keypad(r, &format!("keypad[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok(Scenario {
        name,
        description,
        days,
        layout,
        occupants,
        intrusions,
        faults,
        keypad,
    })
}

fn check_layout(raw: &RawLayout) -> Result<Layout, Problem> {
    Ok(Layout {
        entrance: named(&raw.entrance, "layout.entrance"),
        hall: named_list(&raw.hall, "layout.hall"),
        rooms: named_list(&raw.rooms, "layout.rooms"),
        doors: named_list(&raw.doors, "layout.doors"),
        activity_ms: optional_ms(
            &raw.activity,
            "layout.activity",
            30 * MINUTE_MS,
            MINUTE_MS,
            12 * HOUR_MS,
        )?,
    })
}

fn check_occupants(raw: &[RawOccupant]) -> Result<Vec<Occupant>, Problem> {
    let mut occupants: Vec<Occupant> = Vec::new();
    for (i, occupant) in raw.iter().enumerate() {
        let field = format!("occupants[{i}]");
        let name = occupant.name.get_ref();
        if name.trim().is_empty() {
            return Err(problem(
                &occupant.name,
                &format!("{field}.name"),
                "an occupant needs a name",
            ));
        }
        if occupants.iter().any(|o| &o.name == name) {
            return Err(problem(
                &occupant.name,
                &format!("{field}.name"),
                format!("occupant '{name}' is listed twice"),
            ));
        }
        if !valid_code(occupant.code.get_ref()) {
            return Err(problem(
                &occupant.code,
                &format!("{field}.code"),
                format!("occupant '{name}': a code is 4 to 12 digits"),
            ));
        }
        let routines = occupant
            .routines
            .iter()
            .enumerate()
            .map(|(j, r)| check_routine(r, &format!("{field}.routines[{j}]")))
            .collect::<Result<_, _>>()?;
        occupants.push(Occupant {
            name: name.clone(),
            code: named(&occupant.code, &format!("{field}.code")),
            routines,
        });
    }
    Ok(occupants)
}

fn check_routine(raw: &RawRoutine, field: &str) -> Result<Routine, Problem> {
    let action = match raw.action.get_ref().as_str() {
        "wake" => Action::Wake,
        "leave" => Action::Leave,
        "come-home" => Action::ComeHome,
        "sleep" => Action::Sleep,
        other => {
            return Err(problem(
                &raw.action,
                &format!("{field}.action"),
                format!("unknown routine '{other}' (expected one of: wake leave come-home sleep)"),
            ));
        }
    };
    let at = parse_time_of_day(raw.at.get_ref()).map_err(|m| {
        let m = if raw.at.get_ref().starts_with('+') {
            "routines repeat daily: give a time of day like \"07:30\", not an offset".to_string()
        } else {
            m
        };
        problem(&raw.at, &format!("{field}.at"), m)
    })?;
    let days = match &raw.days {
        None => RoutineDays::Daily,
        Some(days) => match days.get_ref().as_str() {
            "daily" => RoutineDays::Daily,
            "weekdays" => RoutineDays::Weekdays,
            "weekends" => RoutineDays::Weekends,
            other => {
                return Err(problem(
                    days,
                    &format!("{field}.days"),
                    format!("unknown days '{other}' (expected one of: daily weekdays weekends)"),
                ));
            }
        },
    };
    Ok(Routine {
        action,
        at,
        jitter_ms: optional_ms(&raw.jitter, &format!("{field}.jitter"), 0, 0, MAX_JITTER_MS)?,
        days,
    })
}

fn check_intrusion(raw: &RawIntrusion, field: &str) -> Result<Intrusion, Problem> {
    let when = check_when(&when_fields!(raw), field)?;
    Ok(Intrusion {
        when,
        entry: named(&raw.entry, &format!("{field}.entry")),
        path: named_list(&raw.path, &format!("{field}.path")),
        stay_ms: optional_ms(
            &raw.stay,
            &format!("{field}.stay"),
            2 * MINUTE_MS,
            1_000,
            6 * HOUR_MS,
        )?,
    })
}

fn check_fault(raw: &RawFault, field: &str) -> Result<Fault, Problem> {
    let when = check_when(&when_fields!(raw), field)?;
    let kind = FaultKind::parse(raw.fault.get_ref()).ok_or_else(|| {
        problem(
            &raw.fault,
            &format!("{field}.fault"),
            format!(
                "unknown fault '{}' (expected one of: silent stuck-open low-battery tamper pressed)",
                raw.fault.get_ref()
            ),
        )
    })?;
    let lasts_field = format!("{field}.lasts");
    let lasts_ms = match (&raw.lasts, kind) {
        (Some(lasts), FaultKind::Tamper) => {
            return Err(problem(
                lasts,
                &lasts_field,
                "a tamper fault is one report: it has no 'lasts'",
            ));
        }
        (Some(lasts), _) => Some(duration_ms(lasts, &lasts_field, 1_000, MAX_FAULT_MS)?),
        (None, _) => None,
    };
    Ok(Fault {
        when,
        sensor: named(&raw.sensor, &format!("{field}.sensor")),
        kind,
        lasts_ms,
    })
}

fn check_keypad(raw: &RawKeypad, field: &str) -> Result<KeypadLine, Problem> {
    let when = check_when(&when_fields!(raw), field)?;
    let line_field = format!("{field}.line");
    let usage = "write '@arm <away|home|night> <code> [force]', '@disarm <code>' or '@bypass <sensor-id> <code>'";
    let control = match parse_line(raw.line.get_ref().as_bytes()) {
        Ok(Line::Control(control)) => control,
        Ok(Line::Event(_)) => {
            return Err(problem(
                &raw.line,
                &line_field,
                format!("a sensor event is not a keypad line: {usage}"),
            ));
        }
        Err(e) => {
            return Err(problem(
                &raw.line,
                &line_field,
                format!("not a keypad line: {e}; {usage}"),
            ));
        }
    };
    Ok(KeypadLine {
        when,
        line: raw.line.get_ref().trim().to_string(),
        control,
        place: place(&raw.line, &line_field),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        parse_scenario(text, "s.toml").unwrap_err().to_string()
    }

    #[test]
    fn default_scenario_parses() {
        let file = default_scenario();
        assert_eq!(file.name(), "default");
        assert_eq!(file.scenario.occupants.len(), 1);
        assert!(!file.scenario.intrusions.is_empty());
    }

    #[test]
    fn the_name_defaults_to_the_file_stem() {
        let file = parse_scenario("", "/x/quiet.toml").unwrap();
        assert_eq!(file.name(), "quiet");
        assert!(file.scenario.occupants.is_empty());
        assert_eq!(file.scenario.days, None);
    }

    #[test]
    fn syntax_errors_are_located() {
        assert!(
            error("name = \n").starts_with("s.toml:1:"),
            "{}",
            error("name = \n")
        );
        let e = error("[[keypad]]\nat = \"+1m\"\nline = \"@disarm 1234\"\nbogus = 1\n");
        assert!(e.starts_with("s.toml:4:1: "), "{e}");
        assert!(e.contains("bogus"), "{e}");
    }

    #[test]
    fn bad_times_are_located() {
        let e = error("[[keypad]]\nat = \"25:00\"\nline = \"@disarm 1234\"\n");
        assert!(
            e.starts_with("s.toml:2:6: keypad[0].at: invalid time '25:00'"),
            "{e}"
        );
        let e = error("[[keypad]]\nat = \"+1m\"\nday = 2\nline = \"@disarm 1234\"\n");
        assert!(e.starts_with("s.toml:3:7: keypad[0].day: "), "{e}");
        let e = error("[[faults]]\nat = \"10:00\"\nday = 0\nsensor = \"a\"\nfault = \"silent\"\n");
        assert!(
            e.starts_with("s.toml:3:7: faults[0].day: day 0 is out of range"),
            "{e}"
        );
        let e = error(
            "[[faults]]\nat = \"10:00\"\njitter = \"3h\"\nsensor = \"a\"\nfault = \"silent\"\n",
        );
        assert!(
            e.starts_with("s.toml:3:10: faults[0].jitter: '3h' is out of range"),
            "{e}"
        );
    }

    #[test]
    fn bad_codes_and_lines_are_located_without_echoing_the_line() {
        let text = "[layout]\nentrance = \"d\"\n[[occupants]]\nname = \"a\"\ncode = \"12a4\"\n";
        let e = error(text);
        assert!(e.starts_with("s.toml:5:8: occupants[0].code: "), "{e}");
        let e = error("[[keypad]]\nat = \"+1m\"\nline = \"@arm away 12\"\n");
        assert!(
            e.starts_with("s.toml:3:8: keypad[0].line: not a keypad line: code must be"),
            "{e}"
        );
        let e = error("[[keypad]]\nat = \"+1m\"\nline = \"front-door open\"\n");
        assert!(e.contains("a sensor event is not a keypad line"), "{e}");
    }

    #[test]
    fn routines_take_times_of_day_and_known_actions() {
        let base = "[layout]\nentrance = \"d\"\n[[occupants]]\nname = \"a\"\ncode = \"1234\"\n[[occupants.routines]]\n";
        let e = error(&format!("{base}action = \"wake\"\nat = \"+5m\"\n"));
        assert!(
            e.starts_with("s.toml:8:6: occupants[0].routines[0].at: routines repeat daily"),
            "{e}"
        );
        let e = error(&format!("{base}action = \"nap\"\nat = \"13:00\"\n"));
        assert!(
            e.contains("routines[0].action: unknown routine 'nap'"),
            "{e}"
        );
        let e = error(&format!(
            "{base}action = \"wake\"\nat = \"07:00\"\ndays = \"mondays\"\n"
        ));
        assert!(e.starts_with("s.toml:9:8: "), "{e}");
    }

    #[test]
    fn occupants_need_a_layout() {
        let e = error("[[occupants]]\nname = \"a\"\ncode = \"1234\"\n");
        assert!(
            e.starts_with("s.toml:2:8: occupants[0].name: occupants need a [layout]"),
            "{e}"
        );
    }

    #[test]
    fn a_tamper_fault_has_no_length() {
        let e =
            error("[[faults]]\nat = \"+1m\"\nsensor = \"a\"\nfault = \"tamper\"\nlasts = \"1m\"\n");
        assert!(e.starts_with("s.toml:5:9: faults[0].lasts: "), "{e}");
        let e = error("[[faults]]\nat = \"+1m\"\nsensor = \"a\"\nfault = \"melted\"\n");
        assert!(e.contains("unknown fault 'melted'"), "{e}");
    }

    #[test]
    fn a_missing_file_names_its_path() {
        let e = load_scenario(Path::new("/nonexistent/s.toml")).unwrap_err();
        assert!(matches!(e, ScenarioError::Io { .. }));
        assert!(
            e.to_string()
                .starts_with("/nonexistent/s.toml: cannot read"),
            "{e}"
        );
    }
}
