//! The POSIX message queue `/homesec-<instance>-events`: the sensor
//! process's path into the controller (source `mq`).
//!
//! The controller creates the queue at start and keeps messages a previous
//! run left waiting (they are delivered now). The descriptor is nonblocking
//! and registered with tokio's reactor through `AsyncFd`, so the task sleeps
//! in epoll until a message arrives — no thread blocks in `mq_receive`, and
//! nothing polls. Each message is decoded (`homesec_ipc::mq`); a bad one is
//! refused with its reason and counted, and the queue keeps flowing; keypad
//! lines have their codes checked by a task of their own, so a slow hash
//! never holds up the sensor reports behind it. On
//! shutdown the messages already waiting are taken, then the task ends; the
//! daemon unlinks the queue when it releases its endpoints.

use crate::ingest::keypad::Keypad;
use crate::ingest::{Input, InputSender};
use homesec_ipc::command::{Caller, Via};
use homesec_ipc::endpoint::Trust;
use homesec_ipc::line::{self, Control, Line};
use homesec_ipc::mq::{self, DecodeError, Message, Received, Receiver};
use std::io;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const SOURCE: &str = "mq";

/// Messages handled per wake-up before shutdown is looked at again.
const BATCH: usize = 64;
/// Keypad lines that may wait for their code check.
const KEYPAD_BACKLOG: usize = 16;

/// Receives until shutdown, then drains what is waiting.
///
/// Keypad lines go to a task of their own, in order: a code check may hash
/// (milliseconds), and sensor reports behind it must not wait for that.
pub async fn run(
    queue: Receiver,
    keypad: Keypad,
    inputs: InputSender,
    shutdown: CancellationToken,
) -> io::Result<()> {
    // SAFETY: the Receiver owns its queue descriptor for its whole life and
    // always reports that same descriptor; the AsyncFd owns the Receiver.
    let queue = unsafe { AsyncFd::register_with_interest(queue, Interest::READABLE) }?;
    let (keypad_tx, keypad_rx) = mpsc::channel(KEYPAD_BACKLOG);
    let keypad_task = tokio::spawn(check_codes(keypad_rx, keypad.clone(), inputs.clone()));
    let route = Route {
        keypad,
        keypad_tx,
        inputs,
    };
    'serve: loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            guard = queue.readable() => {
                let mut guard = guard?;
                for _ in 0..BATCH {
                    let Some(received) = receive(queue.get_ref())? else {
                        guard.clear_ready();
                        break;
                    };
                    if route.send(received).await.is_err() {
                        break 'serve;
                    }
                }
            }
        }
    }
    while let Some(received) = receive(queue.get_ref())? {
        if route.send(received).await.is_err() {
            break;
        }
    }
    drop(route);
    // The keypad task ends once its channel is drained and closed.
    let _ = keypad_task.await;
    Ok(())
}

/// Where each message goes: keypad lines to their own task, the rest on.
struct Route {
    keypad: Keypad,
    keypad_tx: mpsc::Sender<Control>,
    inputs: InputSender,
}

/// The house task is gone.
struct Closed;

impl Route {
    async fn send(&self, received: Received) -> Result<(), Closed> {
        match interpret(received, &self.keypad) {
            Routed::Input(input) => self.inputs.send(input).await.map_err(|_| Closed),
            Routed::Keypad(control) => self.keypad_tx.send(control).await.map_err(|_| Closed),
        }
    }
}

/// Checks keypad lines in the order they came and passes them on.
async fn check_codes(mut lines: mpsc::Receiver<Control>, keypad: Keypad, inputs: InputSender) {
    while let Some(control) = lines.recv().await {
        let input = keypad
            .line(control, Caller::anonymous(Via::Mq, SOURCE))
            .await;
        if inputs.send(input).await.is_err() {
            return;
        }
    }
}

/// One message if one is waiting; `None` when the queue is empty.
fn receive(queue: &Receiver) -> io::Result<Option<Received>> {
    loop {
        match queue.recv() {
            Ok(received) => return Ok(Some(received)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// What a message becomes.
enum Routed {
    /// A sensor report or a refusal, for the house task.
    Input(Input),
    /// A keypad line whose code still has to be checked.
    Keypad(Control),
}

/// A message as a sensor report, a keypad line, or a refusal.
fn interpret(received: Received, keypad: &Keypad) -> Routed {
    let rejected = |reason: String, input: String| {
        Routed::Input(Input::Rejected {
            source: SOURCE.to_string(),
            reason,
            input,
        })
    };
    let message: Result<Message, DecodeError> = received.message;
    match message {
        Ok(Message::Sensor {
            kind,
            sensor,
            state,
            sent_at_ns,
        }) => {
            let configured = keypad.config().sensor(&sensor).map(|s| s.kind);
            match configured {
                Some(k) if k != kind => rejected(
                    format!(
                        "sensor '{sensor}' is a {k} sensor in the house, but the message says {kind}"
                    ),
                    format!("{sensor} {state}"),
                ),
                _ => Routed::Input(Input::Sensor {
                    sensor,
                    state,
                    source: SOURCE.to_string(),
                    sent_at_ns,
                }),
            }
        }
        Ok(Message::Keypad { line: text, .. }) => match line::parse_line(text.as_bytes()) {
            Ok(Line::Control(control)) => Routed::Keypad(control),
            Ok(Line::Event(_)) => rejected(
                "a keypad message must hold a control line".to_string(),
                line::excerpt(text.as_bytes()),
            ),
            Err(e) => rejected(e.to_string(), line::excerpt(text.as_bytes())),
        },
        Err(e) => rejected(
            format!("bad message: {e}"),
            format!("priority {}", received.priority),
        ),
    }
}

/// Opens (creating) the queue for `instance`, saying what was found.
pub fn open(instance: &str, trust: &Trust) -> Result<Receiver, mq::MqError> {
    let (queue, opened) = Receiver::open(instance, trust)?;
    match opened {
        mq::Opened::Created => {
            tracing::info!(queue = %mq::queue_name(instance), "message queue created")
        }
        mq::Opened::Existing { waiting } => tracing::info!(
            queue = %mq::queue_name(instance),
            waiting,
            "message queue kept from the last run; waiting messages are delivered now"
        ),
        mq::Opened::Recreated {
            old_msgsize,
            old_maxmsg,
            discarded,
        } => tracing::warn!(
            queue = %mq::queue_name(instance),
            old_msgsize,
            old_maxmsg,
            discarded,
            "a leftover message queue had other attributes; recreated it (its messages are lost)"
        ),
    }
    Ok(queue)
}
