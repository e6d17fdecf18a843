//! Accepts connections on the control socket and serves each as one tarpc
//! channel. Bounded everywhere a client could push: connections at once
//! ([`Limits::connections`]), calls in flight on one connection
//! ([`Limits::in_flight`]; more are answered with an error, not queued),
//! and frames of at most `homesec_ipc::rpc::MAX_FRAME` bytes. A peer that
//! may not connect, a connection over the limit and a connection that sent
//! garbage are each refused with one reason, logged and counted by the
//! house task like any refused input; the other connections, the FIFO and
//! the queue go on. The house never waits for a client: answers travel
//! through a oneshot and the channel's bounded buffer, so a client that
//! never reads its answers only stalls its own connection.

use super::peer::{self, Allowed};
use super::service::{ControlService, Shared};
use crate::ingest::{Input, InputSender};
use futures::{Sink, Stream, StreamExt};
use homesec_ipc::rpc::{self, Control};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tarpc::server::{BaseChannel, Channel};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// How much one client may hold of the controller (from the config's
/// `[endpoints] control_*`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once, over all clients.
    pub connections: usize,
    /// Calls in flight on one connection.
    pub in_flight: usize,
}

/// Serves `listener` until `shutdown`, then lets go of the house task's
/// inputs so that it can end.
pub async fn serve(
    listener: UnixListener,
    allowed: Allowed,
    shared: Arc<Shared>,
    limits: Limits,
    refusals: InputSender,
    shutdown: CancellationToken,
) {
    let connections = Arc::new(Semaphore::new(limits.connections));
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "control socket: accept failed");
                continue;
            }
        };
        let cred = match stream.peer_cred() {
            Ok(cred) => cred,
            Err(e) => {
                refuse(&refusals, "rpc", format!("peer credentials unknown: {e}")).await;
                continue;
            }
        };
        if let Err(why) = allowed.check(&cred) {
            refuse(&refusals, &peer::caller(&cred).to_string(), why).await;
            continue;
        }
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            let why = format!(
                "{} connections are open already; this one is closed",
                limits.connections
            );
            refuse(&refusals, &peer::caller(&cred).to_string(), why).await;
            continue;
        };
        let service = ControlService {
            shared: Arc::clone(&shared),
            caller: peer::caller(&cred),
        };
        let (refusals, stop) = (refusals.clone(), shutdown.clone());
        tokio::spawn(async move {
            let caller = service.caller.to_string();
            connection(stream, service, limits, refusals, stop).await;
            drop(permit);
            tracing::debug!(%caller, "control connection ended; its place is free");
        });
    }
    shared.close();
    tracing::debug!("control socket closed");
}

/// One connection, until the client goes, sends garbage, or the controller
/// stops.
async fn connection(
    stream: UnixStream,
    service: ControlService,
    limits: Limits,
    refusals: InputSender,
    shutdown: CancellationToken,
) {
    let caller = service.caller.to_string();
    tracing::debug!(%caller, "control connection");
    let error = Arc::new(Mutex::new(None));
    let transport = Watched {
        inner: Box::pin(rpc::transport(stream)),
        error: Arc::clone(&error),
    };
    let config = tarpc::server::Config {
        pending_response_buffer: limits.in_flight,
    };
    let requests = BaseChannel::new(config, transport)
        .max_concurrent_requests(limits.in_flight)
        .execute(service.serve())
        .for_each(|call| async move {
            tokio::spawn(call);
        });
    tokio::select! {
        () = requests => {}
        () = shutdown.cancelled() => {}
    }
    let failed = error.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(why) = failed {
        refuse(
            &refusals,
            &caller,
            format!("bad request on the control socket: {why}"),
        )
        .await;
    }
}

/// Hands a refusal to the house task, which logs and counts it.
async fn refuse(refusals: &InputSender, source: &str, reason: String) {
    tracing::debug!(%source, %reason, "control socket: refused");
    let input = Input::Rejected {
        source: source.to_string(),
        reason,
        input: String::new(),
    };
    // A stopping house counts nothing more.
    let _ = refusals.send(input).await;
}

/// A transport that remembers why it failed (a frame over the limit, bytes
/// that are not a request), so the refusal can be counted.
struct Watched<T> {
    inner: Pin<Box<T>>,
    error: Arc<Mutex<Option<String>>>,
}

impl<T, Item> Stream for Watched<T>
where
    T: Stream<Item = io::Result<Item>>,
{
    type Item = io::Result<Item>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Err(e))) = &polled {
            *self.error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e.to_string());
        }
        polled
    }
}

impl<T, SinkItem> Sink<SinkItem> for Watched<T>
where
    T: Sink<SinkItem, Error = io::Error>,
{
    type Error = io::Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.as_mut().poll_ready(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, item: SinkItem) -> io::Result<()> {
        self.inner.as_mut().start_send(item)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.as_mut().poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.as_mut().poll_close(cx)
    }
}
