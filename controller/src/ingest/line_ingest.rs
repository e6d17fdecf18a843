//! Turns a byte stream in the event line format (the named FIFO, a child's
//! stdout) into [`Input`]s.
//!
//! Framing and parsing are the `ipc` contract; this adds what the daemon
//! does with the result: a bad line becomes a `Rejected` input with a
//! specific reason (logged and counted by the house task), a keypad line has
//! its code checked ([`super::keypad`]) off the async threads, and order is kept, so the lines around a bad one
//! still land in the order they were written.

use crate::ingest::keypad::Keypad;
use crate::ingest::{Input, InputSender};
use homesec_ipc::line::{self, Control, Line, LineError, LineSplitter};

/// Reads lines from one source and forwards them to the house task.
pub struct LineIngest {
    source: String,
    splitter: LineSplitter,
    keypad: Keypad,
    inputs: InputSender,
    pending: Vec<Result<Vec<u8>, LineError>>,
}

/// The house task is gone: the daemon is stopping.
#[derive(Debug)]
pub struct Closed;

impl LineIngest {
    /// An ingest for `source` (`fifo`, `pipe:<name>`).
    pub fn new(source: String, keypad: Keypad, inputs: InputSender) -> Self {
        LineIngest {
            source,
            splitter: LineSplitter::new(),
            keypad,
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
                sent_at_ns: homesec_ipc::mq::monotonic_ns(),
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
        self.keypad.input(control, self.source.clone()).await
    }
}
