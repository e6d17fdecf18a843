//! The event feed: the newest records from the control socket, then every
//! new one as it becomes durable. One task holds one connection and
//! long-polls `wait_for_change` (tarpc has no server streams), so it sleeps
//! in the controller until there is something new; after each wake it reads
//! the new records with `events_since` and hands them on.
//!
//! ```text
//! feed                                  controller
//!  status() ───────────────────────────► logged_seq N
//!  events_since(N − 200) ──────────────► the tail (pages of at most 200)
//!  wait_for_change(last, 30 s) ────────► returns when a record > last is durable
//!  events_since(last) ─────────────────► the new records → the dashboard
//! ```
//!
//! A lost connection is reported, then retried with a doubling pause (1 s
//! to 10 s); the feed resumes after the last record it handed on.

use crate::ctl::control::{ctx, wait_ctx};
use homesec_ipc::eventlog::record::Record;
use homesec_ipc::rpc::{self, ControlClient, MAX_PAGE};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long one `wait_for_change` waits in the controller.
const WAIT_MS: u32 = 30_000;
/// The first pause before reconnecting, doubled up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(10);

/// What the feed tells the dashboard.
#[derive(Debug)]
pub enum Feed {
    /// Connected (again).
    Up,
    /// New records, in `seq` order.
    Records(Vec<Record>),
    /// The connection is lost or refused, for this reason; retrying.
    Down(String),
}

/// Why following stopped.
enum Stopped {
    /// Nobody listens any more: the dashboard is gone.
    Unheard,
    /// The connection failed.
    Lost(String),
}

/// Feeds `tx` until it is closed.
pub async fn run(socket: PathBuf, tx: mpsc::Sender<Feed>) {
    let mut after = None;
    let mut pause = FIRST_PAUSE;
    loop {
        match follow(&socket, &mut after, &mut pause, &tx).await {
            Stopped::Unheard => return,
            Stopped::Lost(reason) => {
                if tx.send(Feed::Down(reason)).await.is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// The newest records (at most [`MAX_PAGE`]), once: for `--once`.
pub async fn tail(socket: &Path) -> Result<Vec<Record>, String> {
    let client = connect(socket).await?;
    let mut records = Vec::new();
    let mut after = tail_start(&client).await?;
    loop {
        let (page, more) = page(&client, after).await?;
        after = page.last().map_or(after, |r| r.seq);
        records.extend(page);
        if !more {
            return Ok(records);
        }
    }
}

/// Connects and hands on records after `after` (the tail when `None`)
/// until the connection fails or nobody listens.
async fn follow(
    socket: &Path,
    after: &mut Option<u64>,
    pause: &mut Duration,
    tx: &mpsc::Sender<Feed>,
) -> Stopped {
    let client = match connect(socket).await {
        Ok(client) => client,
        Err(reason) => return Stopped::Lost(reason),
    };
    *pause = FIRST_PAUSE;
    if tx.send(Feed::Up).await.is_err() {
        return Stopped::Unheard;
    }
    let mut last = match *after {
        Some(seq) => seq,
        None => match tail_start(&client).await {
            Ok(seq) => seq,
            Err(reason) => return Stopped::Lost(reason),
        },
    };
    loop {
        let (records, more) = match page(&client, last).await {
            Ok(page) => page,
            Err(reason) => return Stopped::Lost(reason),
        };
        if let Some(newest) = records.last() {
            last = newest.seq;
            if tx.send(Feed::Records(records)).await.is_err() {
                return Stopped::Unheard;
            }
        }
        if more {
            continue;
        }
        *after = Some(last);
        let waited = client.wait_for_change(wait_ctx(WAIT_MS), last, WAIT_MS);
        match waited.await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Stopped::Lost(e.to_string()),
            Err(e) => return Stopped::Lost(format!("the call failed: {e}")),
        }
    }
}

async fn connect(socket: &Path) -> Result<ControlClient, String> {
    rpc::connect(socket)
        .await
        .map_err(|e| format!("nobody answers on {}: {e}", socket.display()))
}

/// Where the tail starts: [`MAX_PAGE`] records before the newest durable one.
async fn tail_start(client: &ControlClient) -> Result<u64, String> {
    match client.status(ctx()).await {
        Ok(Ok(snapshot)) => Ok(snapshot.logged_seq.saturating_sub(u64::from(MAX_PAGE))),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("the call failed: {e}")),
    }
}

/// One page of records after `after`, and whether more follow.
async fn page(client: &ControlClient, after: u64) -> Result<(Vec<Record>, bool), String> {
    match client.events_since(ctx(), after, MAX_PAGE).await {
        Ok(Ok(page)) => Ok((page.records, page.more)),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("the call failed: {e}")),
    }
}
