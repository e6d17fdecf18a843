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
use homesec_ipc::command::{Caller, Via};
use homesec_ipc::line::{self, Control, Line, LineError, LineSplitter};

/// Reads lines from one source and forwards them to the house task.
pub struct LineIngest {
    source: String,
    splitter: LineSplitter,
    keypad: Keypad,
    inputs: InputSender,
    pending: Vec<Pending>,
}

/// A line parsed where it was framed, waiting to be sent on.
enum Pending {
    /// Ready for the house task.
    Ready(Input),
    /// A keypad line whose code is still to be checked.
    Keypad(Control),
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

    /// Feeds bytes as they were read; complete lines are sent on. Every
    /// line of one read arrived at the same moment, so it is taken once:
    /// equal times keep the lines' order (see `house::order`).
    pub async fn push(&mut self, data: &[u8]) -> Result<(), Closed> {
        let read_at = homesec_ipc::mq::monotonic_ns();
        let (pending, source) = (&mut self.pending, &self.source);
        self.splitter
            .push(data, |line| pending.push(interpret(line, source, read_at)));
        self.send_pending().await
    }

    /// The stream ended: a trailing line without `\n` is rejected.
    pub async fn finish(&mut self) -> Result<(), Closed> {
        let read_at = homesec_ipc::mq::monotonic_ns();
        let (pending, source) = (&mut self.pending, &self.source);
        self.splitter
            .finish(|line| pending.push(interpret(line, source, read_at)));
        self.send_pending().await
    }

    async fn send_pending(&mut self) -> Result<(), Closed> {
        for pending in self.pending.drain(..) {
            let input = match pending {
                Pending::Ready(input) => input,
                Pending::Keypad(control) => {
                    let caller = Caller::anonymous(Via::Fifo, self.source.clone());
                    self.keypad.line(control, caller).await
                }
            };
            self.inputs.send(input).await.map_err(|_| Closed)?;
        }
        Ok(())
    }
}

/// A framed line (or a framing error) as what it becomes.
fn interpret(framed: Result<&[u8], LineError>, source: &str, read_at: u64) -> Pending {
    let bytes = match framed {
        Ok(bytes) => bytes,
        Err(e) => return Pending::Ready(rejected(&e, &[], source)),
    };
    match line::parse_line(bytes) {
        Ok(Line::Event(ev)) => Pending::Ready(Input::Sensor {
            sensor: ev.sensor,
            state: ev.state,
            source: source.to_string(),
            sent_at_ns: read_at,
        }),
        Ok(Line::Control(control)) => Pending::Keypad(control),
        Err(e) => Pending::Ready(rejected(&e, bytes, source)),
    }
}

fn rejected(error: &LineError, bytes: &[u8], source: &str) -> Input {
    Input::Rejected {
        source: source.to_string(),
        reason: error.to_string(),
        input: line::excerpt(bytes),
    }
}
