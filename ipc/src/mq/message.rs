//! The version 1 queue message: [`Message`], its encoding, its decoding and
//! its priority (the layout is in the [module doc](super)). Encoding refuses
//! exactly what decoding refuses, so every encoded message decodes to itself;
//! decoding never panics, whatever the bytes.

use super::{HEADER_LEN, MAX_MSG_SIZE, MAX_PAYLOAD, VERSION, monotonic_ns};
use crate::line::excerpt;
use crate::{SensorKind, SensorState, valid_id};
use std::fmt;

/// Message kind byte of a sensor report.
const SENSOR_REPORT: u8 = 1;
/// Message kind byte of a keypad line.
const KEYPAD_LINE: u8 = 2;

/// One event on the queue. Its `Debug` hides a keypad line's code.
#[derive(Clone, PartialEq, Eq)]
pub enum Message {
    /// A sensor reported a state.
    Sensor {
        /// What the sensor is.
        kind: SensorKind,
        /// Sensor id (valid by [`valid_id`]).
        sensor: String,
        /// What it reported (one its kind accepts).
        state: SensorState,
        /// The sender's `CLOCK_MONOTONIC` when it sent, in nanoseconds.
        sent_at_ns: u64,
    },
    /// A keypad line in the FIFO line format, e.g. `@arm away 1234`.
    Keypad {
        /// The line's text without `\n`, 1 to 96 bytes.
        line: String,
        /// The sender's `CLOCK_MONOTONIC` when it sent, in nanoseconds.
        sent_at_ns: u64,
    },
}

impl Message {
    /// A sensor report stamped with the current [`monotonic_ns`].
    pub fn sensor(kind: SensorKind, sensor: impl Into<String>, state: SensorState) -> Message {
        Message::Sensor {
            kind,
            sensor: sensor.into(),
            state,
            sent_at_ns: monotonic_ns(),
        }
    }

    /// A keypad line stamped with the current [`monotonic_ns`].
    pub fn keypad(line: impl Into<String>) -> Message {
        Message::Keypad {
            line: line.into(),
            sent_at_ns: monotonic_ns(),
        }
    }

    /// The sender's `CLOCK_MONOTONIC` when it sent, in nanoseconds.
    pub fn sent_at_ns(&self) -> u64 {
        match self {
            Message::Sensor { sent_at_ns, .. } | Message::Keypad { sent_at_ns, .. } => *sent_at_ns,
        }
    }

    /// The mq priority: the urgency, 3 (panic, tamper, fire) down to 0
    /// (heartbeat), as tabled in the module doc.
    pub fn priority(&self) -> u32 {
        match self {
            Message::Keypad { .. } => 2,
            Message::Sensor { kind, state, .. } => sensor_priority(*kind, *state),
        }
    }

    /// Writes the message into `buf` and returns its length (16 + payload).
    pub fn encode(&self, buf: &mut [u8; MAX_MSG_SIZE]) -> Result<usize, EncodeError> {
        let (message_kind, kind_code, state_code, payload) = match self {
            Message::Sensor {
                kind,
                sensor,
                state,
                ..
            } => {
                if !valid_id(sensor) {
                    return Err(EncodeError::InvalidSensorId {
                        id: excerpt(sensor.as_bytes()),
                    });
                }
                if !kind.accepts(*state) {
                    return Err(EncodeError::StateNotForKind {
                        kind: *kind,
                        state: *state,
                    });
                }
                (SENSOR_REPORT, kind.code(), state.code(), sensor.as_bytes())
            }
            Message::Keypad { line, .. } => {
                if line.is_empty() || line.len() > MAX_PAYLOAD {
                    return Err(EncodeError::LineLength { len: line.len() });
                }
                (KEYPAD_LINE, 0, 0, line.as_bytes())
            }
        };
        let len = HEADER_LEN + payload.len();
        buf[..HEADER_LEN].fill(0);
        buf[0] = VERSION;
        buf[1] = message_kind;
        buf[2] = kind_code;
        buf[3] = state_code;
        // At most MAX_PAYLOAD (96) bytes: checked above, and valid ids are shorter.
        buf[4] = payload.len() as u8;
        buf[8..HEADER_LEN].copy_from_slice(&self.sent_at_ns().to_le_bytes());
        buf[HEADER_LEN..len].copy_from_slice(payload);
        Ok(len)
    }

    /// Reads one message, refusing anything that breaks the contract.
    pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
        let len = bytes.len();
        if len < HEADER_LEN {
            return Err(DecodeError::Truncated { len });
        }
        let (header, payload) = bytes.split_at(HEADER_LEN);
        if header[0] != VERSION {
            return Err(DecodeError::WrongVersion { found: header[0] });
        }
        if len > MAX_MSG_SIZE {
            return Err(DecodeError::Oversized { len });
        }
        let message_kind = header[1];
        if message_kind != SENSOR_REPORT && message_kind != KEYPAD_LINE {
            return Err(DecodeError::UnknownMessageKind { code: message_kind });
        }
        if header[5..8] != [0; 3] {
            return Err(DecodeError::NonZeroReserved);
        }
        let declared = usize::from(header[4]);
        if !(1..=MAX_PAYLOAD).contains(&declared) {
            return Err(DecodeError::PayloadLength { declared });
        }
        if payload.len() != declared {
            return Err(DecodeError::BadLength {
                declared,
                actual: payload.len(),
            });
        }
        let mut stamp = [0; 8];
        stamp.copy_from_slice(&header[8..HEADER_LEN]);
        let sent_at_ns = u64::from_le_bytes(stamp);
        if message_kind == SENSOR_REPORT {
            decode_sensor(header[2], header[3], payload, sent_at_ns)
        } else {
            decode_keypad(header[2], header[3], payload, sent_at_ns)
        }
    }
}

/// The body of a sensor report, after the common header checks.
fn decode_sensor(
    kind_code: u8,
    state_code: u8,
    payload: &[u8],
    sent_at_ns: u64,
) -> Result<Message, DecodeError> {
    let kind = SensorKind::from_code(kind_code)
        .ok_or(DecodeError::UnknownSensorKind { code: kind_code })?;
    let state =
        SensorState::from_code(state_code).ok_or(DecodeError::UnknownState { code: state_code })?;
    if !kind.accepts(state) {
        return Err(DecodeError::StateNotForKind { kind, state });
    }
    let sensor = std::str::from_utf8(payload)
        .ok()
        .filter(|id| valid_id(id))
        .ok_or_else(|| DecodeError::BadSensorId {
            id: excerpt(payload),
        })?;
    Ok(Message::Sensor {
        kind,
        sensor: sensor.to_string(),
        state,
        sent_at_ns,
    })
}

/// The body of a keypad line, after the common header checks.
fn decode_keypad(
    kind_code: u8,
    state_code: u8,
    payload: &[u8],
    sent_at_ns: u64,
) -> Result<Message, DecodeError> {
    if kind_code != 0 || state_code != 0 {
        return Err(DecodeError::SensorFieldsInKeypad {
            kind: kind_code,
            state: state_code,
        });
    }
    let line = std::str::from_utf8(payload).map_err(|_| DecodeError::NotUtf8)?;
    Ok(Message::Keypad {
        line: line.to_string(),
        sent_at_ns,
    })
}

/// The urgency of a sensor report (see the module doc's priority table).
fn sensor_priority(kind: SensorKind, state: SensorState) -> u32 {
    match (kind, state) {
        (_, SensorState::Tamper)
        | (SensorKind::Panic, SensorState::Pressed)
        | (SensorKind::Tamper, SensorState::Open)
        | (SensorKind::Smoke, SensorState::Alarm) => 3,
        (_, SensorState::Heartbeat) => 0,
        _ if state.is_active() => 2,
        _ => 1,
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Sensor {
                kind,
                sensor,
                state,
                sent_at_ns,
            } => f
                .debug_struct("Sensor")
                .field("kind", kind)
                .field("sensor", sensor)
                .field("state", state)
                .field("sent_at_ns", sent_at_ns)
                .finish(),
            Message::Keypad { line, sent_at_ns } => f
                .debug_struct("Keypad")
                .field("line", &excerpt(line.as_bytes()))
                .field("sent_at_ns", sent_at_ns)
                .finish(),
        }
    }
}

/// Why a message cannot be encoded. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The sensor id breaks [`valid_id`].
    #[error("sensor id '{id}' is not 1 to 32 bytes of a-z 0-9 - _ starting with a letter or digit")]
    InvalidSensorId {
        /// The id, quoted for a log.
        id: String,
    },
    /// The state is not one the sensor's kind reports.
    #[error("a {kind} sensor cannot report '{state}'")]
    StateNotForKind {
        /// The sensor's kind.
        kind: SensorKind,
        /// The state it was to report.
        state: SensorState,
    },
    /// The keypad line is empty or longer than the payload allows.
    #[error("keypad line of {len} bytes: a queue message carries 1 to 96")]
    LineLength {
        /// The line's length in bytes.
        len: usize,
    },
}

/// Why received bytes are not a valid message. Counted and skipped by the
/// receiver; no variant quotes a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Shorter than the 16-byte header.
    #[error("message of {len} bytes is shorter than the 16-byte header")]
    Truncated {
        /// The message length.
        len: usize,
    },
    /// Byte 0 is not this build's version.
    #[error("message version {found}, this program reads version 1: use matching homesec versions")]
    WrongVersion {
        /// The version byte found.
        found: u8,
    },
    /// Longer than the queue's message size.
    #[error("message of {len} bytes is longer than the 128-byte maximum")]
    Oversized {
        /// The message length.
        len: usize,
    },
    /// Byte 1 is neither a sensor report (1) nor a keypad line (2).
    #[error("unknown message kind {code} (expected 1 = sensor report or 2 = keypad line)")]
    UnknownMessageKind {
        /// The kind byte found.
        code: u8,
    },
    /// Bytes 5 to 7 are not zero.
    #[error("reserved header bytes 5 to 7 are not zero")]
    NonZeroReserved,
    /// The payload length byte is 0 or above 96.
    #[error("header declares a {declared}-byte payload, outside 1 to 96")]
    PayloadLength {
        /// The payload length byte.
        declared: usize,
    },
    /// The message is not exactly 16 + the declared payload length.
    #[error("header declares a {declared}-byte payload but {actual} bytes follow it")]
    BadLength {
        /// The payload length byte.
        declared: usize,
        /// The bytes after the header.
        actual: usize,
    },
    /// A sensor report's kind code is not a [`SensorKind`].
    #[error("unknown sensor kind code {code}")]
    UnknownSensorKind {
        /// The kind byte found.
        code: u8,
    },
    /// A sensor report's state code is not a [`SensorState`].
    #[error("unknown sensor state code {code}")]
    UnknownState {
        /// The state byte found.
        code: u8,
    },
    /// A sensor report's state is not one its kind reports.
    #[error("a {kind} sensor cannot report '{state}'")]
    StateNotForKind {
        /// The sensor's kind.
        kind: SensorKind,
        /// The state it reported.
        state: SensorState,
    },
    /// A sensor report's payload breaks [`valid_id`].
    #[error("sensor id '{id}' is not 1 to 32 bytes of a-z 0-9 - _ starting with a letter or digit")]
    BadSensorId {
        /// The payload, quoted for a log.
        id: String,
    },
    /// A keypad line has a non-zero sensor kind or state byte.
    #[error("keypad line carries sensor kind {kind} and state {state}: both must be 0")]
    SensorFieldsInKeypad {
        /// Byte 2.
        kind: u8,
        /// Byte 3.
        state: u8,
    },
    /// A keypad line's payload is not UTF-8.
    #[error("keypad line is not UTF-8")]
    NotUtf8,
}
