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

pub use excerpt::{MASK, MAX_EXCERPT, excerpt, redact};
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
    /// Words after `<sensor-id> <state>`. Only the first is quoted: the
    /// rest may be another writer's line glued on, code and all.
    #[error("unexpected word after the state: '{first}' ({count} in all)")]
    ExtraWords {
        /// The first extra word (at most 40 characters of it).
        first: String,
        /// How many extra words there were.
        count: usize,
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
    if let Some(first) = words.next() {
        return Err(LineError::ExtraWords {
            first: quote(first),
            count: 1 + words.count(),
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
mod tests;
