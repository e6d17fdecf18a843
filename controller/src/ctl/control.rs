//! `homesecctl`'s commands that go through the control socket: arm,
//! disarm, raise the alarm, bypass, silence, siren test, and the event log
//! (`events`, `--follow`). Codes come from `HOMESEC_CODE` or a prompt that
//! does not echo, never from the command line, where `ps` would show them.
//!
//! Exit codes: 0 done, 1 error, 2 usage (clap), 3 the controller is not
//! running (nobody answers on the socket), 4 refused (wrong code, locked
//! out, open sensors, unknown sensor, not permitted, refused in this state).

use super::{EXIT_ERROR, EXIT_NOT_RUNNING, EXIT_OK};
use homesec_ipc::command::ArmOptions;
use homesec_ipc::eventlog::record::{Event, Record};
use homesec_ipc::rpc::{self, Applied, ControlClient, ControlError, MAX_PAGE};
use homesec_ipc::{AlarmKind, Mode};
use std::path::Path;
use std::time::Duration;
use tarpc::context;

/// Exit code of a command the controller refused.
pub const EXIT_REFUSED: u8 = 4;
/// How long one call may take (a command waits for its record's fsync).
const CALL_DEADLINE: Duration = Duration::from_secs(10);
/// How long `events --follow` waits on the controller at a time.
const FOLLOW_WAIT_MS: u32 = 30_000;

/// A command for the house.
#[derive(Debug, Clone)]
pub enum Action {
    /// Arm.
    Arm {
        /// The mode.
        mode: Mode,
        /// Force, skip the exit delay.
        options: ArmOptions,
        /// Sensors to bypass first.
        bypass: Vec<String>,
    },
    /// Disarm.
    Disarm,
    /// Raise the alarm.
    Activate {
        /// What for.
        kind: AlarmKind,
        /// Why.
        reason: String,
    },
    /// Bypass sensors (or end their bypass).
    Bypass {
        /// Sensor ids.
        sensors: Vec<String>,
        /// `false` to end the bypass.
        on: bool,
    },
    /// Siren off, alarm stays.
    Silence,
    /// A short siren test.
    SirenTest,
}

impl Action {
    fn needs_code(&self) -> bool {
        !matches!(self, Action::Activate { .. })
    }
}

/// Runs `action` against the controller on `socket`; the exit code.
pub fn command(socket: &Path, action: Action) -> u8 {
    let code = if action.needs_code() {
        match read_code() {
            Ok(code) => code,
            Err(e) => {
                eprintln!("homesecctl: {e}");
                return EXIT_ERROR;
            }
        }
    } else {
        String::new()
    };
    block_on(socket, |client| async move {
        let done = call(&client, action, code).await?;
        println!(
            "done: the house is {}; logged up to seq {}",
            done.alarm, done.logged_seq
        );
        Ok(EXIT_OK)
    })
}

/// Sends `action` with `code` over a new connection to `socket`, for a
/// caller with a runtime of its own (`watch`): the answer, or why there is
/// none in words ("wrong code", "refused: ...", "controller not running ...").
pub(crate) async fn send(socket: &Path, action: Action, code: String) -> Result<Applied, String> {
    let client = rpc::connect(socket).await.map_err(|e| {
        format!(
            "controller not running: nobody answers on {}: {e}",
            socket.display()
        )
    })?;
    call(&client, action, code)
        .await
        .map_err(|failed| match failed {
            Failed::Refused(e @ ControlError::Refused { .. }) => e.to_string(),
            Failed::Refused(e) => format!("refused: {e}"),
            Failed::Rpc(e) => format!("the call failed: {e}"),
        })
}

async fn call(client: &ControlClient, action: Action, code: String) -> Result<Applied, Failed> {
    let answer = match action {
        Action::Arm {
            mode,
            options,
            bypass,
        } => {
            if !bypass.is_empty() {
                client.bypass(ctx(), bypass, true, code.clone()).await??;
            }
            client.arm(ctx(), mode, code, options).await?
        }
        Action::Disarm => client.disarm(ctx(), code).await?,
        Action::Activate { kind, reason } => client.activate_alarm(ctx(), kind, reason).await?,
        Action::Bypass { sensors, on } => client.bypass(ctx(), sensors, on, code).await?,
        Action::Silence => client.silence(ctx(), code).await?,
        Action::SirenTest => client.siren_test(ctx(), code).await?,
    };
    Ok(answer?)
}

/// `homesecctl events [--since SEQ] [--follow] [--json]`.
pub fn events(socket: &Path, since: u64, follow: bool, json: bool) -> u8 {
    block_on(socket, |client| async move {
        let mut after = since;
        loop {
            let page = client.events_since(ctx(), after, MAX_PAGE).await??;
            for record in &page.records {
                print_record(record, json);
                after = record.seq;
            }
            if page.more {
                continue;
            }
            if !follow {
                return Ok(EXIT_OK);
            }
            client
                .wait_for_change(wait_ctx(FOLLOW_WAIT_MS), after, FOLLOW_WAIT_MS)
                .await??;
        }
    })
}

fn print_record(record: &Record, json: bool) {
    if json {
        match serde_json::to_string(record) {
            Ok(line) => println!("{line}"),
            Err(e) => eprintln!("homesecctl: record {}: {e}", record.seq),
        }
        return;
    }
    println!(
        "{:>8}  {}  {}",
        record.seq,
        record.ts.format("%Y-%m-%d %H:%M:%S%.3f"),
        describe(&record.event)
    );
}

/// What a record says, in one line: its kind, then its fields as
/// `name=value`, control characters shown as `?`.
pub fn describe(event: &Event) -> String {
    let what = serde_json::to_value(event)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|fields| {
            let kind = fields.get("kind").and_then(|k| k.as_str()).unwrap_or("?");
            let rest: Vec<String> = fields
                .iter()
                .filter(|(k, _)| k.as_str() != "kind")
                .map(|(k, v)| match v.as_str() {
                    Some(text) => format!("{k}={text}"),
                    None => format!("{k}={v}"),
                })
                .collect();
            format!("{kind:<14} {}", rest.join(" "))
        })
        .unwrap_or_default();
    printable(&what)
}

/// `text` with control characters shown as `?`: a record read back must
/// not drive the terminal.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// Why a call failed.
enum Failed {
    /// The controller said no.
    Refused(ControlError),
    /// The call did not get an answer.
    Rpc(tarpc::client::RpcError),
}

impl From<ControlError> for Failed {
    fn from(e: ControlError) -> Failed {
        Failed::Refused(e)
    }
}

impl From<tarpc::client::RpcError> for Failed {
    fn from(e: tarpc::client::RpcError) -> Failed {
        Failed::Rpc(e)
    }
}

/// Connects, runs `work` and turns its failure into a message and an exit code.
fn block_on<F, Fut>(socket: &Path, work: F) -> u8
where
    F: FnOnce(ControlClient) -> Fut,
    Fut: Future<Output = Result<u8, Failed>>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("homesecctl: {e}");
            return EXIT_ERROR;
        }
    };
    runtime.block_on(async {
        let client = match rpc::connect(socket).await {
            Ok(client) => client,
            Err(e) => {
                eprintln!(
                    "homesecctl: controller not running: nobody answers on {}: {e}",
                    socket.display()
                );
                return EXIT_NOT_RUNNING;
            }
        };
        match work(client).await {
            Ok(code) => code,
            Err(Failed::Refused(e)) => {
                eprintln!("homesecctl: {e}");
                match e {
                    ControlError::ShuttingDown => EXIT_NOT_RUNNING,
                    ControlError::Busy { .. }
                    | ControlError::NotLogged { .. }
                    | ControlError::Invalid { .. } => EXIT_ERROR,
                    _ => EXIT_REFUSED,
                }
            }
            Err(Failed::Rpc(e)) => {
                eprintln!("homesecctl: the call failed: {e}");
                EXIT_ERROR
            }
        }
    })
}

/// The context of one call: its deadline is [`CALL_DEADLINE`] from now.
pub(crate) fn ctx() -> context::Context {
    let mut ctx = context::current();
    ctx.deadline = std::time::Instant::now() + CALL_DEADLINE;
    ctx
}

/// The context of a `wait_for_change` that may wait `wait_ms` on the
/// controller before it answers.
pub(crate) fn wait_ctx(wait_ms: u32) -> context::Context {
    let mut ctx = context::current();
    ctx.deadline =
        std::time::Instant::now() + Duration::from_millis(u64::from(wait_ms)) + CALL_DEADLINE;
    ctx
}

/// The code, from `HOMESEC_CODE` or a prompt on the terminal that does not
/// echo.
fn read_code() -> Result<String, String> {
    if let Ok(code) = std::env::var("HOMESEC_CODE") {
        return Ok(code.trim().to_string());
    }
    rpassword::prompt_password("code: ")
        .map(|code| code.trim().to_string())
        .map_err(|e| {
            format!("cannot read the code (set HOMESEC_CODE when there is no terminal): {e}")
        })
}
