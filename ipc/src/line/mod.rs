//! The event line format, spoken on the named FIFO and on child stdout pipes.
//!
//! # Framing
//!
//! A line is UTF-8 text ended by `\n`, at most [`MAX_LINE`] (4096) bytes
//! *including* that `\n`, so it fits in `PIPE_BUF` and lines from many writers
//! never interleave. One `\r` right before the `\n` is dropped (CRLF works).
//! A longer line is rejected as a whole, up to and including its `\n`; the
//! stream goes on with the next line. No byte may be a control character
//! except tab, and a blank line is refused. [`LineSplitter`] does this
//! framing on a byte stream.
//!
//! # Sensor events
//!
//! Text form: `<sensor-id> <state>`, separated by one or more spaces or tabs
//! (leading and trailing blanks are ignored):
//!
//! ```text
//! front-door open
//! hall-motion motion
//! ```
//!
//! The id is 1 to 32 bytes of `a-z 0-9 - _` starting with a letter or digit
//! ([`valid_id`]); the state is one of `open closed motion clear alarm pressed
//! released heartbeat low-battery battery-ok tamper` ([`SensorState`]).
//!
//! JSON form: a line whose first non-blank byte is `{` is one JSON object,
//! `{"sensor":"front-door","state":"open"}`. A JSON line with a `command`
//! field is a control line (below). Fields other than the ones listed here,
//! fields of another kind of line, and repeated fields are errors; `null`
//! counts as absent.
//!
//! # Control lines
//!
//! Until the RPC exists these drive the keypad functions. A code is 4 to 12
//! ASCII digits.
//!
//! | text | JSON |
//! | --- | --- |
//! | `@arm <away\|home\|night> <code> [force]` | `{"command":"arm","mode":"away","code":"1234","force":true}` (`force` optional, default `false`) |
//! | `@disarm <code>` | `{"command":"disarm","code":"1234"}` |
//! | `@bypass <sensor-id> <code>` | `{"command":"bypass","sensor":"back-window","code":"1234"}` |
//!
//! A line that breaks any of these rules is refused with a [`LineError`]
//! naming what is wrong; no error message ever contains a code. Log refused
//! input with [`excerpt`], which hides codes too.
//!
//! Write each line with one `write` call (as `printf` does for a short
//! line) so that it stays whole. The FIFO is `<runtime-dir>/events.fifo`
//! (see [`crate::paths`]):
//!
//! ```sh
//! printf 'front-door open\n' > "$runtime_dir/events.fifo"
//! printf '@arm away %s\n' "$code" > "$runtime_dir/events.fifo"
//! ```

mod excerpt;
mod split;

pub use excerpt::{MAX_EXCERPT, excerpt};
pub use split::LineSplitter;

use crate::{Mode, SensorState, UnknownName, valid_id};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// The longest line in bytes, including its terminating `\n` (`PIPE_BUF`).
pub const MAX_LINE: usize = 4096;

/// Longest piece of input quoted back in an error message, in characters.
const MAX_QUOTE: usize = 40;

/// One parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A sensor reported a state.
    Event(EventLine),
    /// A keypad function.
    Control(Control),
}

/// A sensor event as read from a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLine {
    /// Sensor id (valid by [`valid_id`]).
    pub sensor: String,
    /// What it reported.
    pub state: SensorState,
}

/// A keypad function asked for on a control line. Its `Debug` hides the code.
#[derive(Clone, PartialEq, Eq)]
pub enum Control {
    /// Arm in `mode`; `force` bypasses sensors that are open or faulted.
    Arm {
        /// The mode to arm in.
        mode: Mode,
        /// The user code (4 to 12 digits).
        code: String,
        /// Bypass what is in the way instead of refusing.
        force: bool,
    },
    /// Disarm (also silences a triggered alarm).
    Disarm {
        /// The user code (4 to 12 digits).
        code: String,
    },
    /// Bypass one sensor until the next disarm.
    Bypass {
        /// Sensor id (valid by [`valid_id`]).
        sensor: String,
        /// The user code (4 to 12 digits).
        code: String,
    },
}

impl Control {
    /// The command word (`arm`, `disarm`, `bypass`).
    pub fn command(&self) -> &'static str {
        match self {
            Control::Arm { .. } => "arm",
            Control::Disarm { .. } => "disarm",
            Control::Bypass { .. } => "bypass",
        }
    }

    /// How the command is written as a text line.
    pub fn usage(&self) -> &'static str {
        match self {
            Control::Arm { .. } => "@arm <away|home|night> <code> [force]",
            Control::Disarm { .. } => "@disarm <code>",
            Control::Bypass { .. } => "@bypass <sensor-id> <code>",
        }
    }

    /// The code entered with the command.
    pub fn code(&self) -> &str {
        match self {
            Control::Arm { code, .. } | Control::Disarm { code } | Control::Bypass { code, .. } => {
                code
            }
        }
    }
}

/// Codes are secrets and control lines get logged: `Debug` prints `****`.
impl fmt::Debug for Control {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HIDDEN: &str = "****";
        match self {
            Control::Arm { mode, force, .. } => f
                .debug_struct("Arm")
                .field("mode", mode)
                .field("code", &HIDDEN)
                .field("force", force)
                .finish(),
            Control::Disarm { .. } => f.debug_struct("Disarm").field("code", &HIDDEN).finish(),
            Control::Bypass { sensor, .. } => f
                .debug_struct("Bypass")
                .field("sensor", sensor)
                .field("code", &HIDDEN)
                .finish(),
        }
    }
}

/// Why a line was refused. No message contains a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Nothing but blanks.
    #[error("empty line")]
    Empty,
    /// Over [`MAX_LINE`] bytes with the newline.
    #[error("line too long: {len} bytes before the newline, at most {} allowed", MAX_LINE - 1)]
    TooLong {
        /// The line's length without its `\n`.
        len: usize,
    },
    /// The stream ended in the middle of a line.
    #[error("unterminated line at end of input: {len} bytes without a newline")]
    Unterminated {
        /// Bytes after the last `\n`.
        len: usize,
    },
    /// Not UTF-8.
    #[error("line is not valid UTF-8 (first bad byte at offset {valid_up_to})")]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        valid_up_to: usize,
    },
    /// A control character other than tab.
    #[error("control character at byte offset {at}")]
    ControlCharacter {
        /// Byte offset of the control character.
        at: usize,
    },
    /// The sensor id is not a valid id.
    #[error(
        "invalid sensor id '{id}': use 1 to 32 of a-z 0-9 - _, starting with a letter or digit"
    )]
    BadSensorId {
        /// The id as given (at most 40 characters of it).
        id: String,
    },
    /// The sensor id is missing (JSON form or `@bypass`).
    #[error("missing sensor id")]
    MissingSensor,
    /// The state is not a sensor state.
    #[error(transparent)]
    UnknownState(UnknownName),
    /// A sensor id without a state.
    #[error("missing state after sensor id '{sensor}'")]
    MissingState {
        /// The sensor id.
        sensor: String,
    },
    /// Words after `<sensor-id> <state>`.
    #[error("unexpected words after the state: '{extra}'")]
    ExtraWords {
        /// The extra words (at most 40 characters of them).
        extra: String,
    },
    /// Words after a complete control line (not echoed: they may be a code).
    #[error("too many words for @{command}: expected '{usage}'")]
    TooManyWords {
        /// The command word.
        command: &'static str,
        /// How the command is written.
        usage: &'static str,
    },
    /// Not JSON, not an object, or a field this format does not have.
    #[error("bad JSON line: {message}")]
    BadJson {
        /// What the JSON parser said.
        message: String,
    },
    /// A JSON field of the wrong type.
    #[error("JSON field '{field}' must be {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// The type it must have.
        expected: &'static str,
    },
    /// A JSON field that does not belong to this kind of line.
    #[error("JSON field '{field}' does not belong in {context}")]
    UnexpectedField {
        /// The field.
        field: &'static str,
        /// The kind of line (`a sensor event`, `the disarm command`, ...).
        context: &'static str,
    },
    /// `@<word>` or `"command"` names no command.
    #[error("unknown command '{command}' (expected one of: arm disarm bypass)")]
    UnknownCommand {
        /// The command as given (at most 40 characters of it).
        command: String,
    },
    /// `arm` without a mode.
    #[error("missing mode for arm (expected one of: away home night)")]
    MissingMode,
    /// The mode is not a mode.
    #[error(transparent)]
    BadMode(UnknownName),
    /// A control line without its code.
    #[error("missing code")]
    MissingCode,
    /// The code is not 4 to 12 ASCII digits (the code itself is not shown).
    #[error("code must be 4 to 12 digits (the code given is not shown)")]
    BadCode,
}

/// Parses one line given WITHOUT its `\n` (and without the `\r` of a CRLF:
/// [`LineSplitter`] strips both).
pub fn parse_line(line: &[u8]) -> Result<Line, LineError> {
    if line.len() >= MAX_LINE {
        return Err(LineError::TooLong { len: line.len() });
    }
    let text = std::str::from_utf8(line).map_err(|e| LineError::NotUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    if let Some(at) = text.find(|c: char| c.is_control() && c != '\t') {
        return Err(LineError::ControlCharacter { at });
    }
    let text = text.trim_matches(is_blank);
    if text.is_empty() {
        Err(LineError::Empty)
    } else if text.starts_with('{') {
        parse_json(text)
    } else if let Some(rest) = text.strip_prefix('@') {
        parse_text_control(rest).map(Line::Control)
    } else {
        parse_text_event(text).map(Line::Event)
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The first `MAX_QUOTE` characters of `s`, for quoting input in an error.
fn quote(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTE) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

fn sensor_id(id: &str) -> Result<String, LineError> {
    if valid_id(id) {
        Ok(id.to_string())
    } else {
        Err(LineError::BadSensorId { id: quote(id) })
    }
}

fn sensor_state(state: &str) -> Result<SensorState, LineError> {
    state.parse().map_err(LineError::UnknownState)
}

fn mode(mode: &str) -> Result<Mode, LineError> {
    mode.parse().map_err(LineError::BadMode)
}

/// The fewest digits a code may have.
pub const MIN_CODE_LEN: usize = 4;
/// The most digits a code may have.
pub const MAX_CODE_LEN: usize = 12;

/// Whether `code` is a well-formed code: 4 to 12 ASCII digits.
pub fn valid_code(code: &str) -> bool {
    (MIN_CODE_LEN..=MAX_CODE_LEN).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

fn code(code: &str) -> Result<String, LineError> {
    if valid_code(code) {
        Ok(code.to_string())
    } else {
        Err(LineError::BadCode)
    }
}

fn parse_text_event(text: &str) -> Result<EventLine, LineError> {
    let mut words = text.split(is_blank).filter(|w| !w.is_empty());
    // `text` is trimmed and not empty, so there is a first word.
    let sensor = sensor_id(words.next().unwrap_or_default())?;
    let state = match words.next() {
        Some(state) => sensor_state(state)?,
        None => return Err(LineError::MissingState { sensor }),
    };
    if words.next().is_some() {
        let after_id = text[sensor.len()..].trim_start_matches(is_blank);
        let extra = after_id[state.as_str().len()..].trim_start_matches(is_blank);
        return Err(LineError::ExtraWords {
            extra: quote(extra),
        });
    }
    Ok(EventLine { sensor, state })
}

fn parse_text_control(rest: &str) -> Result<Control, LineError> {
    let mut words = rest.split(is_blank).filter(|w| !w.is_empty()).peekable();
    let command = words.next().unwrap_or_default();
    let control = match command {
        "arm" => {
            let mode = mode(words.next().ok_or(LineError::MissingMode)?)?;
            let code = code(words.next().ok_or(LineError::MissingCode)?)?;
            let force = words.next_if(|w| *w == "force").is_some();
            Control::Arm { mode, code, force }
        }
        "disarm" => Control::Disarm {
            code: code(words.next().ok_or(LineError::MissingCode)?)?,
        },
        "bypass" => {
            let sensor = sensor_id(words.next().ok_or(LineError::MissingSensor)?)?;
            let code = code(words.next().ok_or(LineError::MissingCode)?)?;
            Control::Bypass { sensor, code }
        }
        other => {
            return Err(LineError::UnknownCommand {
                command: quote(other),
            });
        }
    };
    if words.next().is_some() {
        return Err(LineError::TooManyWords {
            command: control.command(),
            usage: control.usage(),
        });
    }
    Ok(control)
}

/// The fields of a JSON line. Values are taken as raw JSON so that a value of
/// the wrong type is reported by us, without serde quoting it (it may be a code).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFields {
    sensor: Option<Value>,
    state: Option<Value>,
    command: Option<Value>,
    mode: Option<Value>,
    code: Option<Value>,
    force: Option<Value>,
}

fn parse_json(text: &str) -> Result<Line, LineError> {
    let mut fields: JsonFields = serde_json::from_str(text).map_err(|e| LineError::BadJson {
        message: e.to_string(),
    })?;
    match string_field(fields.command.take(), "command")? {
        None => json_event(fields).map(Line::Event),
        Some(command) => json_control(&command, fields).map(Line::Control),
    }
}

fn json_event(fields: JsonFields) -> Result<EventLine, LineError> {
    let context = "a sensor event";
    absent(&fields.mode, "mode", context)?;
    absent(&fields.code, "code", context)?;
    absent(&fields.force, "force", context)?;
    let sensor = string_field(fields.sensor, "sensor")?.ok_or(LineError::MissingSensor)?;
    let sensor = sensor_id(&sensor)?;
    match string_field(fields.state, "state")? {
        Some(state) => Ok(EventLine {
            sensor,
            state: sensor_state(&state)?,
        }),
        None => Err(LineError::MissingState { sensor }),
    }
}

fn json_control(command: &str, fields: JsonFields) -> Result<Control, LineError> {
    let context = match command {
        "arm" => "the arm command",
        "disarm" => "the disarm command",
        "bypass" => "the bypass command",
        other => {
            return Err(LineError::UnknownCommand {
                command: quote(other),
            });
        }
    };
    absent(&fields.state, "state", context)?;
    if command != "bypass" {
        absent(&fields.sensor, "sensor", context)?;
    }
    if command != "arm" {
        absent(&fields.mode, "mode", context)?;
        absent(&fields.force, "force", context)?;
    }
    let code = string_field(fields.code, "code")?.ok_or(LineError::MissingCode);
    match command {
        "arm" => {
            let mode = string_field(fields.mode, "mode")?.ok_or(LineError::MissingMode)?;
            let mode = self::mode(&mode)?;
            let force = match fields.force {
                None => false,
                Some(Value::Bool(force)) => force,
                Some(_) => {
                    return Err(LineError::WrongType {
                        field: "force",
                        expected: "true or false",
                    });
                }
            };
            Ok(Control::Arm {
                mode,
                code: self::code(&code?)?,
                force,
            })
        }
        "bypass" => {
            let sensor = string_field(fields.sensor, "sensor")?.ok_or(LineError::MissingSensor)?;
            Ok(Control::Bypass {
                sensor: sensor_id(&sensor)?,
                code: self::code(&code?)?,
            })
        }
        _ => Ok(Control::Disarm {
            code: self::code(&code?)?,
        }),
    }
}

/// A JSON field that must be a string when present.
fn string_field(value: Option<Value>, field: &'static str) -> Result<Option<String>, LineError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(LineError::WrongType {
            field,
            expected: "a string",
        }),
    }
}

/// Refuses a JSON field that has no meaning in this kind of line.
fn absent(
    value: &Option<Value>,
    field: &'static str,
    context: &'static str,
) -> Result<(), LineError> {
    match value {
        None => Ok(()),
        Some(_) => Err(LineError::UnexpectedField { field, context }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Line, LineError> {
        parse_line(s.as_bytes())
    }

    fn event(sensor: &str, state: SensorState) -> Result<Line, LineError> {
        Ok(Line::Event(EventLine {
            sensor: sensor.into(),
            state,
        }))
    }

    fn control(c: Control) -> Result<Line, LineError> {
        Ok(Line::Control(c))
    }

    #[test]
    fn text_events() {
        assert_eq!(
            parse("front-door open"),
            event("front-door", SensorState::Open)
        );
        assert_eq!(
            parse("\thall-motion \t motion  "),
            event("hall-motion", SensorState::Motion)
        );
        assert_eq!(
            parse("smoke_1 low-battery"),
            event("smoke_1", SensorState::LowBattery)
        );
    }

    #[test]
    fn json_events() {
        assert_eq!(
            parse(r#"{"sensor":"front-door","state":"open"}"#),
            event("front-door", SensorState::Open)
        );
        assert_eq!(
            parse(r#" { "state" : "clear", "sensor" : "hall" } "#),
            event("hall", SensorState::Clear)
        );
    }

    #[test]
    fn text_control_lines() {
        assert_eq!(
            parse("@arm away 1234"),
            control(Control::Arm {
                mode: Mode::Away,
                code: "1234".into(),
                force: false
            })
        );
        assert_eq!(
            parse("@arm night 123456789012 force"),
            control(Control::Arm {
                mode: Mode::Night,
                code: "123456789012".into(),
                force: true
            })
        );
        assert_eq!(
            parse("@disarm 0000"),
            control(Control::Disarm {
                code: "0000".into()
            })
        );
        assert_eq!(
            parse("@bypass back-window 4321"),
            control(Control::Bypass {
                sensor: "back-window".into(),
                code: "4321".into()
            })
        );
    }

    #[test]
    fn json_control_lines() {
        assert_eq!(
            parse(r#"{"command":"arm","mode":"home","code":"1234","force":true}"#),
            control(Control::Arm {
                mode: Mode::Home,
                code: "1234".into(),
                force: true
            })
        );
        assert_eq!(
            parse(r#"{"command":"arm","mode":"away","code":"1234"}"#),
            control(Control::Arm {
                mode: Mode::Away,
                code: "1234".into(),
                force: false
            })
        );
        assert_eq!(
            parse(r#"{"command":"disarm","code":"1234"}"#),
            control(Control::Disarm {
                code: "1234".into()
            })
        );
        assert_eq!(
            parse(r#"{"command":"bypass","sensor":"x","code":"1234"}"#),
            control(Control::Bypass {
                sensor: "x".into(),
                code: "1234".into()
            })
        );
    }

    #[test]
    fn debug_of_control_hides_the_code() {
        let arm = Control::Arm {
            mode: Mode::Away,
            code: "987654".into(),
            force: true,
        };
        let bypass = Control::Bypass {
            sensor: "x".into(),
            code: "987654".into(),
        };
        let disarm = Control::Disarm {
            code: "987654".into(),
        };
        for c in [arm, bypass, disarm] {
            let shown = format!("{:?}", Line::Control(c));
            assert!(!shown.contains("987654"), "{shown}");
            assert!(shown.contains(r#"code: "****""#), "{shown}");
        }
    }

    #[test]
    fn framing_errors() {
        assert_eq!(parse(""), Err(LineError::Empty));
        assert_eq!(parse(" \t "), Err(LineError::Empty));
        assert_eq!(
            parse_line(&[b'a'; MAX_LINE]),
            Err(LineError::TooLong { len: MAX_LINE })
        );
        assert!(
            parse_line(&[b'a'; MAX_LINE - 1])
                .is_err_and(|e| matches!(e, LineError::BadSensorId { .. }))
        );
        assert_eq!(
            parse_line(b"door \xffopen"),
            Err(LineError::NotUtf8 { valid_up_to: 5 })
        );
        assert_eq!(
            parse("door\x00open"),
            Err(LineError::ControlCharacter { at: 4 })
        );
        assert_eq!(
            parse("door open\r"),
            Err(LineError::ControlCharacter { at: 9 })
        );
    }

    #[test]
    fn text_event_errors() {
        assert_eq!(
            parse("Front-Door open"),
            Err(LineError::BadSensorId {
                id: "Front-Door".into()
            })
        );
        let long_id = "a".repeat(100);
        match parse(&format!("{long_id} open")) {
            Err(LineError::BadSensorId { id }) => assert_eq!(id.chars().count(), MAX_QUOTE + 1),
            other => panic!("{other:?}"),
        }
        match parse("door opened") {
            Err(LineError::UnknownState(u)) => assert_eq!(u.name, "opened"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse("door"),
            Err(LineError::MissingState {
                sensor: "door".into()
            })
        );
        assert_eq!(
            parse("door open  now please"),
            Err(LineError::ExtraWords {
                extra: "now please".into()
            })
        );
    }

    #[test]
    fn text_control_errors() {
        assert_eq!(
            parse("@open 1234"),
            Err(LineError::UnknownCommand {
                command: "open".into()
            })
        );
        assert_eq!(
            parse("@"),
            Err(LineError::UnknownCommand { command: "".into() })
        );
        assert_eq!(parse("@arm"), Err(LineError::MissingMode));
        assert!(matches!(parse("@arm out 1234"), Err(LineError::BadMode(u)) if u.name == "out"));
        assert_eq!(parse("@arm away"), Err(LineError::MissingCode));
        assert_eq!(parse("@disarm"), Err(LineError::MissingCode));
        assert_eq!(parse("@disarm 123"), Err(LineError::BadCode));
        assert_eq!(parse("@disarm 1234567890123"), Err(LineError::BadCode));
        assert_eq!(parse("@disarm 12a4"), Err(LineError::BadCode));
        assert_eq!(parse("@disarm １２３４"), Err(LineError::BadCode));
        assert_eq!(parse("@bypass"), Err(LineError::MissingSensor));
        assert_eq!(
            parse("@bypass X 1234"),
            Err(LineError::BadSensorId { id: "X".into() })
        );
        assert_eq!(parse("@bypass x"), Err(LineError::MissingCode));
        let err = parse("@disarm 1234 5678").unwrap_err();
        assert_eq!(
            err,
            LineError::TooManyWords {
                command: "disarm",
                usage: "@disarm <code>"
            }
        );
        assert!(!err.to_string().contains("5678"), "{err}");
        assert!(matches!(
            parse("@arm away 1234 now"),
            Err(LineError::TooManyWords { command: "arm", .. })
        ));
    }

    #[test]
    fn json_errors() {
        let bad = |s: &str| match parse(s) {
            Err(LineError::BadJson { message }) => message,
            other => panic!("{s}: {other:?}"),
        };
        assert!(bad(r#"{"sensor":"a","state":"open""#).contains("EOF"));
        assert!(
            bad(r#"{"sensor":"a","state":"open","extra":1}"#).contains("unknown field `extra`")
        );
        assert!(bad(r#"{"sensor":"a","sensor":"b","state":"open"}"#).contains("duplicate field"));
        assert!(bad(r#"{"sensor":"a","state":"open"} x"#).contains("trailing"));
        assert_eq!(
            parse(r#"{"sensor":1,"state":"open"}"#),
            Err(LineError::WrongType {
                field: "sensor",
                expected: "a string"
            })
        );
        assert_eq!(parse(r#"{"state":"open"}"#), Err(LineError::MissingSensor));
        assert_eq!(
            parse(r#"{"sensor":"a"}"#),
            Err(LineError::MissingState { sensor: "a".into() })
        );
        assert!(matches!(
            parse(r#"{"sensor":"a","state":"shut"}"#),
            Err(LineError::UnknownState(_))
        ));
        assert_eq!(
            parse(r#"{"sensor":"a","state":"open","code":"1234"}"#),
            Err(LineError::UnexpectedField {
                field: "code",
                context: "a sensor event"
            })
        );
        assert_eq!(
            parse(r#"{"command":"launch","code":"1234"}"#),
            Err(LineError::UnknownCommand {
                command: "launch".into()
            })
        );
        assert_eq!(
            parse(r#"{"command":"arm","code":"1234"}"#),
            Err(LineError::MissingMode)
        );
        assert!(matches!(
            parse(r#"{"command":"arm","mode":"out","code":"1234"}"#),
            Err(LineError::BadMode(_))
        ));
        assert_eq!(
            parse(r#"{"command":"disarm"}"#),
            Err(LineError::MissingCode)
        );
        assert_eq!(
            parse(r#"{"command":"arm","mode":"away","code":"1234","force":"yes"}"#),
            Err(LineError::WrongType {
                field: "force",
                expected: "true or false"
            })
        );
        assert_eq!(
            parse(r#"{"command":"disarm","code":"1234","mode":"away"}"#),
            Err(LineError::UnexpectedField {
                field: "mode",
                context: "the disarm command"
            })
        );
        assert_eq!(
            parse(r#"{"command":"bypass","code":"1234"}"#),
            Err(LineError::MissingSensor)
        );
    }

    #[test]
    fn no_error_message_shows_a_code() {
        let lines = [
            r#"{"command":"disarm","code":987654}"#,
            r#"{"command":"disarm","code":"98765x"}"#,
            r#"{"command":"disarm","code":["987654"]}"#,
            r#"{"command":"disarm","code":"987654","x":1}"#,
            "@disarm 987654 987654",
            "@disarm 98765432109876",
        ];
        for line in lines {
            let err = parse(line).unwrap_err();
            assert!(!err.to_string().contains("98765"), "{line}: {err}");
            assert!(!format!("{err:?}").contains("98765"), "{line}: {err:?}");
        }
    }
}
