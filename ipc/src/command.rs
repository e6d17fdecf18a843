//! The one command vocabulary: what a person or a program may ask the
//! house to do. A keypad line on the FIFO or a child's pipe, a keypad
//! message on the queue and an RPC call all become a [`Command`] with a
//! [`Caller`], so codes, lockout and duress are checked in one place and
//! every command is recorded the same way.
//!
//! The serde form (`{"command": "arm", "mode": "away", ...}`) is what the
//! RPC carries; the FIFO and the queue keep their own compact forms (see
//! [`crate::line`] and [`crate::mq`]) and are translated into this.

use crate::vocab::{AlarmKind, Mode};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Something asked of the house.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Arm in a mode (needs a code).
    Arm {
        /// Which sensors count.
        mode: Mode,
        /// How.
        #[serde(default)]
        options: ArmOptions,
    },
    /// Disarm; also ends a triggered alarm (needs a code).
    Disarm,
    /// Bypass sensors until the next disarm, or end their bypass (needs a
    /// code).
    Bypass {
        /// Sensor ids.
        sensors: Vec<String>,
        /// `true` to bypass, `false` to end the bypass.
        on: bool,
    },
    /// Raise the alarm now, from any state (no code: a panic button has
    /// none).
    ActivateAlarm {
        /// What for.
        kind: AlarmKind,
        /// Why, in the caller's words (recorded).
        reason: String,
    },
    /// Switch the siren off while the alarm stays raised (needs a code).
    Silence,
    /// Sound the siren briefly while disarmed, to hear that it works
    /// (needs a code).
    SirenTest,
}

/// How to arm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmOptions {
    /// Bypass the counted sensors that are open or faulted instead of
    /// refusing.
    #[serde(default)]
    pub force: bool,
    /// Armed at once, without the exit delay.
    #[serde(default)]
    pub skip_delay: bool,
}

impl Command {
    /// The command word, as logs and error messages name it.
    pub fn word(&self) -> &'static str {
        match self {
            Command::Arm { .. } => "arm",
            Command::Disarm => "disarm",
            Command::Bypass { on: true, .. } => "bypass",
            Command::Bypass { on: false, .. } => "unbypass",
            Command::ActivateAlarm { .. } => "activate_alarm",
            Command::Silence => "silence",
            Command::SirenTest => "siren_test",
        }
    }

    /// Whether the command is refused without a valid code.
    pub fn needs_code(&self) -> bool {
        !matches!(self, Command::ActivateAlarm { .. })
    }
}

/// How a command came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The control socket.
    Rpc,
    /// A keypad line on the named FIFO or a child's pipe.
    Fifo,
    /// A keypad message on the message queue.
    Mq,
}

impl Via {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Rpc => "rpc",
            Via::Fifo => "fifo",
            Via::Mq => "mq",
        }
    }
}

/// Who sent a command, as far as the controller can know: on the control
/// socket the kernel tells the peer's pid and uid (`SO_PEERCRED`); a FIFO
/// or queue writer is anonymous beyond the endpoint's permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// How it came in.
    pub via: Via,
    /// The source as the rest of the log names it (`fifo`,
    /// `pipe:garage-motion`, `mq`, `rpc`).
    pub source: String,
    /// The peer's process id, when known.
    pub pid: Option<i32>,
    /// The peer's user id, when known.
    pub uid: Option<u32>,
    /// The peer's user name, when the uid has one.
    pub user: Option<String>,
}

impl Caller {
    /// A caller known only by its source (FIFO, pipe, queue).
    pub fn anonymous(via: Via, source: impl Into<String>) -> Caller {
        Caller {
            via,
            source: source.into(),
            pid: None,
            uid: None,
            user: None,
        }
    }
}

/// The form records use for `source`: `rpc pid=4242 uid=1000(alice)` on
/// the socket, the plain source elsewhere.
impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(pid) = self.pid {
            write!(f, " pid={pid}")?;
        }
        if let Some(uid) = self.uid {
            write!(f, " uid={uid}")?;
            if let Some(user) = &self.user {
                write!(f, "({user})")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_have_one_serde_form() {
        let arm = Command::Arm {
            mode: Mode::Night,
            options: ArmOptions {
                force: true,
                skip_delay: false,
            },
        };
        let text = serde_json::to_string(&arm).unwrap();
        assert_eq!(
            text,
            r#"{"command":"arm","mode":"night","options":{"force":true,"skip_delay":false}}"#
        );
        assert_eq!(serde_json::from_str::<Command>(&text).unwrap(), arm);
        let short: Command = serde_json::from_str(r#"{"command":"arm","mode":"away"}"#).unwrap();
        assert_eq!(
            short,
            Command::Arm {
                mode: Mode::Away,
                options: ArmOptions::default()
            }
        );
        let alarm: Command = serde_json::from_str(
            r#"{"command":"activate_alarm","kind":"fire","reason":"smoke in the attic"}"#,
        )
        .unwrap();
        assert!(!alarm.needs_code());
        assert!(Command::Disarm.needs_code());
    }

    #[test]
    fn a_socket_caller_is_named_with_pid_and_uid() {
        let caller = Caller {
            via: Via::Rpc,
            source: "rpc".into(),
            pid: Some(4242),
            uid: Some(1000),
            user: Some("alice".into()),
        };
        assert_eq!(caller.to_string(), "rpc pid=4242 uid=1000(alice)");
        assert_eq!(Caller::anonymous(Via::Fifo, "fifo").to_string(), "fifo");
    }
}
