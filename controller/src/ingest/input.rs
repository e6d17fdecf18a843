//! What flows into the house task: every input channel (FIFO, child pipes,
//! the message queue, signals) turns what it receives into an [`Input`] and
//! sends it on one bounded channel.
//!
//! Inputs are already checked for form (a parsed line, a verified code); the
//! house task decides what they mean.

use crate::house::CodeCheck;
use homesec_config::Config;
use homesec_ipc::SensorState;
use homesec_ipc::command::{Caller, Command};
use homesec_ipc::rpc::{Applied, ControlError};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

/// How many inputs may wait for the house task before senders wait.
pub const INPUT_CAPACITY: usize = 1024;

/// The sending side of the house task's input channel.
pub type InputSender = mpsc::Sender<Input>;

/// One thing for the house task to act on.
#[derive(Debug)]
pub enum Input {
    /// A sensor reported a state.
    Sensor {
        /// Sensor id.
        sensor: String,
        /// Its state.
        state: SensorState,
        /// Where it came from (`fifo`, `pipe:<name>`, ...).
        source: String,
        /// When it was sent, on the machine's monotonic clock (ns): the
        /// queue message's own stamp, or when a line was read.
        sent_at_ns: u64,
    },
    /// A command (keypad line, queue keypad message, RPC call), its code
    /// checked if it needs one.
    Command(CommandInput),
    /// Input that was refused before it meant anything.
    Rejected {
        /// Where it came from.
        source: String,
        /// Why, in words.
        reason: String,
        /// The start of it, safe to log.
        input: String,
    },
    /// A Unix signal acted on, with the sender's pid when known. TERM and
    /// INT come here to be recorded; stopping is the shutdown token's job.
    Signal {
        /// Which signal.
        signal: SignalKind,
        /// The sending process.
        sender_pid: Option<i32>,
    },
    /// An input failed (and is being restarted), or runs again.
    InputTrouble {
        /// Which input (`fifo`, `mq`).
        input: &'static str,
        /// `true` when it failed, `false` when it runs again.
        failed: bool,
        /// What happened.
        detail: String,
    },
    /// A config reload (SIGHUP): the new config, or why it was refused.
    Reload {
        /// Where it was read from.
        path: String,
        /// The outcome.
        result: Result<Arc<Config>, String>,
    },
}

/// A command on its way to the house.
#[derive(Debug)]
pub struct CommandInput {
    /// What was asked.
    pub command: Command,
    /// Whose code came with it (`NotChecked` for a command that needs none,
    /// or while code entry is locked).
    pub code: CodeCheck,
    /// Who asked, and how.
    pub caller: Caller,
    /// Where the answer goes, once the command's records are durable (RPC
    /// calls; a keypad line has nobody waiting).
    pub reply: Option<Reply>,
    /// After this the caller has given up: the command is not applied.
    pub deadline: Option<Instant>,
}

/// The answer to a command that someone waits for.
pub type Reply = oneshot::Sender<Result<Applied, ControlError>>;

/// The signals that reach the house task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// Graceful stop (recorded; the stop itself is the shutdown token's job).
    Term,
    /// Graceful stop from a terminal.
    Int,
    /// Panic: alarm now.
    Usr1,
    /// Write a status snapshot into the event log.
    Usr2,
    /// Reload the config.
    Hup,
}

impl SignalKind {
    /// The conventional name.
    pub fn name(self) -> &'static str {
        match self {
            SignalKind::Term => "SIGTERM",
            SignalKind::Int => "SIGINT",
            SignalKind::Usr1 => "SIGUSR1",
            SignalKind::Usr2 => "SIGUSR2",
            SignalKind::Hup => "SIGHUP",
        }
    }
}
