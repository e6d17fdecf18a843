//! The control service: each call of one connection, as the house task's
//! input. A command is checked by the keypad (codes, lockout, duress, in
//! the one place every input shares), sent to the house with a reply
//! channel, and answered once the house has applied it and its records are
//! durable. Reads come from where other processes read: the status segment
//! and the event log on disk.

use crate::ingest::InputSender;
use crate::ingest::keypad::Keypad;
use crate::outputs::journal::LoggedSeq;
use homesec_ipc::command::{ArmOptions, Caller, Command};
use homesec_ipc::endpoint::Trust;
use homesec_ipc::line::valid_code;
use homesec_ipc::rpc::{Applied, Control, ControlError, EventPage};
use homesec_ipc::status::{SensorSlot, Snapshot, StatusReader};
use homesec_ipc::{AlarmKind, Mode};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tarpc::context::Context;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// The longest `wait_for_change` waits.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// What every connection's service shares.
pub struct Shared {
    /// The house task's inputs; `None` once the controller stops, so that
    /// no connection keeps the house task waiting for its senders.
    inputs: Mutex<Option<InputSender>>,
    keypad: Keypad,
    status: PathBuf,
    trust: Trust,
    /// The status segment, mapped once and kept (a failed read drops it,
    /// so a segment made anew is mapped again).
    reader: Mutex<Option<StatusReader>>,
    events_dir: PathBuf,
    logged: LoggedSeq,
    stopping: CancellationToken,
}

impl Shared {
    /// What the services share.
    pub fn new(
        inputs: InputSender,
        keypad: Keypad,
        status: PathBuf,
        trust: Trust,
        events_dir: PathBuf,
        logged: LoggedSeq,
        stopping: CancellationToken,
    ) -> Shared {
        Shared {
            inputs: Mutex::new(Some(inputs)),
            keypad,
            status,
            trust,
            reader: Mutex::new(None),
            events_dir,
            logged,
            stopping,
        }
    }

    /// Lets go of the house task's inputs: the controller stops.
    pub fn close(&self) {
        self.inputs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// The house task's inputs, while the controller runs.
    pub fn inputs(&self) -> Result<InputSender, ControlError> {
        self.inputs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(ControlError::ShuttingDown)
    }
}

/// The service of one connection.
#[derive(Clone)]
pub struct ControlService {
    /// What every connection shares.
    pub shared: Arc<Shared>,
    /// The peer, as the kernel named it.
    pub caller: Caller,
}

impl ControlService {
    /// Sends `command` to the house and waits for its answer.
    async fn command(
        self,
        ctx: Context,
        command: Command,
        code: Option<String>,
    ) -> Result<Applied, ControlError> {
        if let Some(code) = &code {
            if !valid_code(code) {
                return Err(ControlError::Invalid {
                    reason: "a code is 4 to 12 digits".into(),
                });
            }
        }
        let inputs = self.shared.inputs()?;
        let (reply, answer) = oneshot::channel();
        let input = self
            .shared
            .keypad
            .command(command, code, self.caller, Some(reply), Some(ctx.deadline))
            .await;
        inputs
            .send(input)
            .await
            .map_err(|_| ControlError::ShuttingDown)?;
        drop(inputs);
        answer.await.unwrap_or_else(|_| {
            Err(ControlError::NotLogged {
                reason: "the event log could not make the record durable, or the controller stopped first"
                    .into(),
            })
        })
    }

    fn snapshot(&self) -> Result<Snapshot, ControlError> {
        let busy = |e: homesec_ipc::status::StatusError| ControlError::Busy {
            reason: format!("status segment: {e}"),
        };
        let shared = &self.shared;
        let mut cached = shared.reader.lock().unwrap_or_else(PoisonError::into_inner);
        let reader = match cached.take() {
            Some(reader) => reader,
            None => StatusReader::open(&shared.status, &shared.trust).map_err(busy)?,
        };
        let snapshot = reader.snapshot().map_err(busy)?;
        *cached = Some(reader);
        Ok(snapshot)
    }
}

impl Control for ControlService {
    async fn activate_alarm(
        self,
        ctx: Context,
        kind: AlarmKind,
        reason: String,
    ) -> Result<Applied, ControlError> {
        // The house redacts and cuts the reason where it records it.
        let command = Command::ActivateAlarm { kind, reason };
        self.command(ctx, command, None).await
    }

    async fn arm(
        self,
        ctx: Context,
        mode: Mode,
        code: String,
        options: ArmOptions,
    ) -> Result<Applied, ControlError> {
        self.command(ctx, Command::Arm { mode, options }, Some(code))
            .await
    }

    async fn disarm(self, ctx: Context, code: String) -> Result<Applied, ControlError> {
        self.command(ctx, Command::Disarm, Some(code)).await
    }

    async fn bypass(
        self,
        ctx: Context,
        sensors: Vec<String>,
        on: bool,
        code: String,
    ) -> Result<Applied, ControlError> {
        if sensors.is_empty() {
            return Err(ControlError::Invalid {
                reason: "name at least one sensor".into(),
            });
        }
        if let Some(bad) = sensors.iter().find(|id| !homesec_ipc::valid_id(id)) {
            return Err(ControlError::UnknownSensor {
                sensor: homesec_ipc::line::redact(&cut(bad, homesec_ipc::MAX_ID_LEN)),
            });
        }
        self.command(ctx, Command::Bypass { sensors, on }, Some(code))
            .await
    }

    async fn silence(self, ctx: Context, code: String) -> Result<Applied, ControlError> {
        self.command(ctx, Command::Silence, Some(code)).await
    }

    async fn siren_test(self, ctx: Context, code: String) -> Result<Applied, ControlError> {
        self.command(ctx, Command::SirenTest, Some(code)).await
    }

    async fn status(self, _: Context) -> Result<Snapshot, ControlError> {
        self.snapshot()
    }

    async fn sensors(self, _: Context) -> Result<Vec<SensorSlot>, ControlError> {
        self.snapshot().map(|snapshot| snapshot.sensors)
    }

    async fn events_since(self, _: Context, seq: u64, max: u32) -> Result<EventPage, ControlError> {
        let durable = *self.shared.logged.borrow();
        let dir = self.shared.events_dir.clone();
        let read =
            tokio::task::spawn_blocking(move || super::events::page(&dir, seq, max, durable));
        match read.await {
            Ok(Ok(page)) => Ok(page),
            Ok(Err(e)) => Err(ControlError::Busy {
                reason: format!("reading the event log: {e}"),
            }),
            Err(e) => Err(ControlError::Busy {
                reason: format!("reading the event log: {e}"),
            }),
        }
    }

    async fn wait_for_change(
        self,
        _: Context,
        since_seq: u64,
        timeout_ms: u32,
    ) -> Result<u64, ControlError> {
        let wait = Duration::from_millis(u64::from(timeout_ms)).min(MAX_WAIT);
        let mut logged = self.shared.logged.clone();
        tokio::select! {
            _ = tokio::time::timeout(wait, logged.wait_for(|&seq| seq > since_seq)) => {}
            () = self.shared.stopping.cancelled() => return Err(ControlError::ShuttingDown),
        }
        Ok(*logged.borrow())
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn cut(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
