//! Turns a byte stream in the event line format (the named FIFO, a child's
//! stdout) into [`Input`]s.
//!
//! Framing and parsing are the `ipc` contract; this adds what the daemon
//! does with the result: a bad line becomes a `Rejected` input with a
//! specific reason (logged and counted by the house task), a keypad line has
//! its code checked against the users' hashes off the async threads (hashing
//! is deliberately slow), and order is kept, so the lines around a bad one
//! still land in the order they were written.

use crate::house::CodeCheck;
use crate::input::{Input, InputSender, KeypadAction};
use homesec_config::{CodeMatch, Config};
use homesec_ipc::line::{self, Control, Line, LineError, LineSplitter};
use std::sync::Arc;
use tokio::sync::watch;

/// Reads lines from one source and forwards them to the house task.
pub struct LineIngest {
    source: String,
    splitter: LineSplitter,
    config: watch::Receiver<Arc<Config>>,
    inputs: InputSender,
    pending: Vec<Result<Vec<u8>, LineError>>,
}

/// The house task is gone: the daemon is stopping.
#[derive(Debug)]
pub struct Closed;

impl LineIngest {
    /// An ingest for `source` (`fifo`, `pipe:<name>`).
    pub fn new(source: String, config: watch::Receiver<Arc<Config>>, inputs: InputSender) -> Self {
        LineIngest {
            source,
            splitter: LineSplitter::new(),
            config,
            inputs,
            pending: Vec::new(),
        }
    }

    /// Where these lines come from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Feeds bytes as they were read; complete lines are sent on.
    pub async fn push(&mut self, data: &[u8]) -> Result<(), Closed> {
        let pending = &mut self.pending;
        self.splitter
            .push(data, |line| pending.push(line.map(<[u8]>::to_vec)));
        self.send_pending().await
    }

    /// The stream ended: a trailing line without `\n` is rejected.
    pub async fn finish(&mut self) -> Result<(), Closed> {
        let pending = &mut self.pending;
        self.splitter
            .finish(|line| pending.push(line.map(<[u8]>::to_vec)));
        self.send_pending().await
    }

    async fn send_pending(&mut self) -> Result<(), Closed> {
        let lines = std::mem::take(&mut self.pending);
        for framed in lines {
            let input = match framed {
                Ok(bytes) => self.interpret(&bytes).await,
                Err(e) => self.rejected(&e, &[]),
            };
            self.inputs.send(input).await.map_err(|_| Closed)?;
        }
        Ok(())
    }

    async fn interpret(&self, bytes: &[u8]) -> Input {
        match line::parse_line(bytes) {
            Ok(Line::Event(ev)) => Input::Sensor {
                sensor: ev.sensor,
                state: ev.state,
                source: self.source.clone(),
            },
            Ok(Line::Control(control)) => self.keypad(control).await,
            Err(e) => self.rejected(&e, bytes),
        }
    }

    fn rejected(&self, error: &LineError, bytes: &[u8]) -> Input {
        Input::Rejected {
            source: self.source.clone(),
            reason: error.to_string(),
            input: line::excerpt(bytes),
        }
    }

    async fn keypad(&self, control: Control) -> Input {
        let config = Arc::clone(&self.config.borrow());
        keypad_input(config, control, self.source.clone()).await
    }
}

/// A keypad line as an input, its code checked against the users' hashes
/// on the blocking pool (hashing is deliberately slow).
pub async fn keypad_input(config: Arc<Config>, control: Control, source: String) -> Input {
    let (action, code) = match control {
        Control::Arm { mode, code, force } => (KeypadAction::Arm { mode, force }, code),
        Control::Disarm { code } => (KeypadAction::Disarm, code),
        Control::Bypass { sensor, code } => (KeypadAction::Bypass { sensor }, code),
    };
    let check = tokio::task::spawn_blocking(move || check_code(&config, &code)).await;
    // A panicking hash check is a bug, not a valid code: treat it as wrong.
    let code = check.unwrap_or(CodeCheck::Wrong);
    Input::Keypad {
        action,
        code,
        source,
    }
}

/// Whose code this is, if anyone's.
pub fn check_code(config: &Config, code: &str) -> CodeCheck {
    match config.check_code(code) {
        Some((user, CodeMatch::User)) => CodeCheck::User(user),
        Some((user, CodeMatch::Duress)) => CodeCheck::Duress(user),
        None => CodeCheck::Wrong,
    }
}
