//! The POSIX message queue `/homesec-<instance>-events`: the sensor
//! process's path into the controller (source `mq`).
//!
//! The controller creates the queue at start and keeps messages a previous
//! run left waiting (they are delivered now). The descriptor is nonblocking
//! and registered with tokio's reactor through `AsyncFd`, so the task sleeps
//! in epoll until a message arrives — no thread blocks in `mq_receive`, and
//! nothing polls. Each message is decoded (`homesec_ipc::mq`); a bad one is
//! refused with its reason and counted, and the queue keeps flowing. On
//! shutdown the messages already waiting are taken, then the task ends; the
//! daemon unlinks the queue when it releases its endpoints.

use crate::codes::Keypad;
use crate::input::{Input, InputSender};
use homesec_ipc::line::{self, Line};
use homesec_ipc::mq::{self, DecodeError, Message, Received, Receiver};
use std::io;
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio_util::sync::CancellationToken;

const SOURCE: &str = "mq";

/// Receives until shutdown, then drains what is waiting.
pub async fn run(
    queue: Receiver,
    keypad: Keypad,
    inputs: InputSender,
    shutdown: CancellationToken,
) -> io::Result<()> {
    // SAFETY: the Receiver owns its queue descriptor for its whole life and
    // always reports that same descriptor; the AsyncFd owns the Receiver.
    let queue = unsafe { AsyncFd::register_with_interest(queue, Interest::READABLE) }?;
    loop {
        tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            guard = queue.readable() => {
                let mut guard = guard?;
                while let Some(received) = receive(queue.get_ref())? {
                    let input = interpret(received, &keypad).await;
                    if inputs.send(input).await.is_err() {
                        return Ok(());
                    }
                }
                guard.clear_ready();
            }
        }
    }
    while let Some(received) = receive(queue.get_ref())? {
        let input = interpret(received, &keypad).await;
        if inputs.send(input).await.is_err() {
            break;
        }
    }
    Ok(())
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

/// A message as an input: a sensor report, a keypad line, or a refusal.
async fn interpret(received: Received, keypad: &Keypad) -> Input {
    let rejected = |reason: String, input: String| Input::Rejected {
        source: SOURCE.to_string(),
        reason,
        input,
    };
    let message: Result<Message, DecodeError> = received.message;
    match message {
        Ok(Message::Sensor {
            kind,
            sensor,
            state,
            ..
        }) => {
            let configured = keypad.config().sensor(&sensor).map(|s| s.kind);
            match configured {
                Some(k) if k != kind => rejected(
                    format!(
                        "sensor '{sensor}' is a {k} sensor in the house, but the message says {kind}"
                    ),
                    format!("{sensor} {state}"),
                ),
                _ => Input::Sensor {
                    sensor,
                    state,
                    source: SOURCE.to_string(),
                },
            }
        }
        Ok(Message::Keypad { line: text, .. }) => match line::parse_line(text.as_bytes()) {
            Ok(Line::Control(control)) => keypad.input(control, SOURCE.to_string()).await,
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
pub fn open(instance: &str) -> Result<Receiver, mq::MqError> {
    let (queue, opened) = Receiver::open(instance)?;
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
