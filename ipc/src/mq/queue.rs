//! The queue's two ends. [`Receiver`] (the controller) creates the queue with
//! the contract's attributes, replacing one that has others, and receives
//! without blocking. [`Sender`] (a sensor process) never creates it, waits a
//! bounded time when it is full and then says so: a message is never dropped
//! silently.

use super::{DecodeError, EncodeError, MAX_MSG_SIZE, Message, QUEUE_DEPTH, queue_name};
use crate::endpoint::{EndpointError, Found, Trust};
use posixmq::{OpenOptions, PosixMq};
use std::io::{self, ErrorKind};
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::time::{Duration, Instant};

/// What the endpoint checks call the queue.
const WHAT: &str = "message queue";

/// What can go wrong opening the queue or sending on it.
#[derive(Debug, thiserror::Error)]
pub enum MqError {
    /// The queue does not exist: the controller has not created it yet.
    #[error(
        "message queue {name} does not exist: the controller creates it when it starts; retry later"
    )]
    NoQueue {
        /// The queue name.
        name: String,
    },
    /// The queue stayed full for the whole deadline; the message was not sent.
    #[error(
        "message queue {name} still full after {waited:?}: the controller is not receiving; message not sent"
    )]
    Full {
        /// The queue name.
        name: String,
        /// How long the sender waited.
        waited: Duration,
    },
    /// The queue exists with attributes other than the contract's.
    #[error(
        "message queue {name} holds {maxmsg} messages of {msgsize} bytes, expected {QUEUE_DEPTH} of {MAX_MSG_SIZE}: left over from another homesec version; the controller replaces it when it starts"
    )]
    Mismatched {
        /// The queue name.
        name: String,
        /// The queue's message size.
        msgsize: usize,
        /// The queue's depth.
        maxmsg: usize,
    },
    /// A queue operation failed.
    #[error("message queue {name}: {op} failed: {error}")]
    Io {
        /// The queue name.
        name: String,
        /// What was being done ("create", "send", ...).
        op: &'static str,
        /// The OS error (in the message, so it shows once rather than
        /// again as the cause).
        error: io::Error,
    },
    /// The message breaks the contract; nothing was sent.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The queue is not the controller's, or is open to others.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
}

impl MqError {
    fn io(name: &str, op: &'static str, source: io::Error) -> MqError {
        MqError::Io {
            name: name.to_string(),
            op,
            error: source,
        }
    }
}

/// How [`Receiver::open`] found the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// There was none; it was created.
    Created,
    /// It was there with the right attributes; its messages are kept and
    /// will be received.
    Existing {
        /// Messages already waiting.
        waiting: usize,
    },
    /// It was there with other attributes (another version or a crashed
    /// controller with other settings): it was removed and created afresh.
    Recreated {
        /// The old queue's message size.
        old_msgsize: usize,
        /// The old queue's depth.
        old_maxmsg: usize,
        /// Messages that were waiting in the old queue, now gone.
        discarded: usize,
    },
}

/// One message taken off the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The mq priority the sender gave it.
    pub priority: u32,
    /// The message, or why its bytes break the contract.
    pub message: Result<Message, DecodeError>,
}

/// The controller's end: receives without blocking. Its descriptor
/// ([`AsRawFd`]) becomes readable when a message waits, for tokio's `AsyncFd`.
#[derive(Debug)]
pub struct Receiver {
    mq: PosixMq,
    name: String,
}

impl Receiver {
    /// Opens the instance's queue for receiving, creating it (mode `0620`
    /// with a group, else `0600`; [`MAX_MSG_SIZE`], [`QUEUE_DEPTH`]) or
    /// replacing one of ours with other attributes. A queue that another
    /// user made is refused, never adopted: its messages could come from
    /// anyone, and its owner could read what our senders write. The caller
    /// should log anything but [`Opened::Created`].
    pub fn open(instance: &str, trust: &Trust) -> Result<(Receiver, Opened), MqError> {
        let name = queue_name(instance);
        match create(&name, trust) {
            Ok(mq) => return Ok((Receiver { mq, name }, Opened::Created)),
            Err(MqError::Io { error, .. }) if error.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let existing = receiving().open(&name).map_err(|e| {
            let op = if e.kind() == ErrorKind::PermissionDenied {
                "open (another user's queue? see /dev/mqueue)"
            } else {
                "open"
            };
            MqError::io(&name, op, e)
        })?;
        let found = Found::of(fd(&existing)).map_err(|e| MqError::io(&name, "stat", e))?;
        let path = std::path::Path::new(&name);
        trust.own(WHAT, path, found)?;
        trust.apply(WHAT, path, fd(&existing), queue_mode(trust))?;
        let old = existing
            .attributes()
            .map_err(|e| MqError::io(&name, "read attributes of", e))?;
        if old.max_msg_len == MAX_MSG_SIZE && old.capacity == QUEUE_DEPTH {
            let opened = Opened::Existing {
                waiting: old.current_messages,
            };
            return Ok((Receiver { mq: existing, name }, opened));
        }
        drop(existing);
        remove(&name)?;
        let mq = create(&name, trust)?;
        let opened = Opened::Recreated {
            old_msgsize: old.max_msg_len,
            old_maxmsg: old.capacity,
            discarded: old.current_messages,
        };
        Ok((Receiver { mq, name }, opened))
    }

    /// Takes the most urgent waiting message. Never blocks: an empty queue is
    /// `ErrorKind::WouldBlock`, the shape `AsyncFd::try_io` expects.
    pub fn recv(&self) -> io::Result<Received> {
        let mut buf = [0; MAX_MSG_SIZE];
        let (priority, len) = self.mq.recv(&mut buf)?;
        Ok(Received {
            priority,
            message: Message::decode(&buf[..len]),
        })
    }

    /// The queue name, for logs.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl AsRawFd for Receiver {
    fn as_raw_fd(&self) -> RawFd {
        self.mq.as_raw_fd()
    }
}

/// A sensor process's end: sends, waiting at most a deadline when the queue
/// is full.
#[derive(Debug)]
pub struct Sender {
    mq: PosixMq,
    name: String,
    trust: Trust,
}

impl Sender {
    /// Opens the instance's queue for sending. It never creates it: a missing
    /// queue is [`MqError::NoQueue`] and one with other attributes
    /// [`MqError::Mismatched`]; both mean "retry when the controller runs".
    /// A queue that `trust` does not trust (another user's, or open to
    /// others) is [`MqError::Endpoint`]: nothing is sent into it, since its
    /// owner could read the keypad codes.
    pub fn open(instance: &str, trust: &Trust) -> Result<Sender, MqError> {
        let name = queue_name(instance);
        let mq = open_for_sending(&name, trust)?;
        Ok(Sender {
            mq,
            name,
            trust: trust.clone(),
        })
    }

    /// Sends `msg` at its [`Message::priority`], blocking at most `deadline`
    /// while the queue is full, then failing with [`MqError::Full`].
    pub fn send(&mut self, msg: &Message, deadline: Duration) -> Result<(), MqError> {
        let mut buf = [0; MAX_MSG_SIZE];
        let len = msg.encode(&mut buf)?;
        let bytes = &buf[..len];
        let priority = msg.priority();
        let started = Instant::now();
        if self.send_within(priority, bytes, deadline)? {
            return Ok(());
        }
        // Still full. If the queue was removed and created afresh meanwhile,
        // this descriptor points at the orphan nobody reads: switch to the
        // live queue and use what is left of the deadline there.
        let live = open_for_sending(&self.name, &self.trust)?;
        if same_queue(&self.mq, &live).map_err(|e| MqError::io(&self.name, "compare", e))? {
            return Err(self.full(deadline));
        }
        self.mq = live;
        let left = deadline.saturating_sub(started.elapsed());
        if self.send_within(priority, bytes, left)? {
            return Ok(());
        }
        Err(self.full(deadline))
    }

    /// The queue name, for logs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One `mq_timedsend`: `Ok(false)` when the queue stayed full.
    fn send_within(&self, priority: u32, bytes: &[u8], wait: Duration) -> Result<bool, MqError> {
        match self.mq.send_timeout(priority, bytes, wait) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::TimedOut => Ok(false),
            Err(e) => Err(MqError::io(&self.name, "send", e)),
        }
    }

    fn full(&self, waited: Duration) -> MqError {
        MqError::Full {
            name: self.name.clone(),
            waited,
        }
    }
}

/// Removes the instance's queue; one that is already gone is fine. Processes
/// that have it open keep their descriptor to the removed queue.
pub fn unlink(instance: &str) -> Result<(), MqError> {
    remove(&queue_name(instance))
}

/// The current `CLOCK_MONOTONIC` in nanoseconds: the clock of
/// [`Message::sent_at_ns`], comparable between processes on one machine.
pub fn monotonic_ns() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write to; CLOCK_MONOTONIC exists
    // on every Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    // Both fields are non-negative for CLOCK_MONOTONIC.
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// Options for the controller's descriptor: receive only, never block.
fn receiving() -> OpenOptions {
    let mut options = OpenOptions::readonly();
    options.nonblocking();
    options
}

/// The queue's mode: the owner (the controller) receives and sends, the
/// configured group sends.
fn queue_mode(trust: &Trust) -> u32 {
    trust.mode(0o600, 0o020)
}

/// Creates the queue with the contract's attributes, owner and mode; fails
/// if it exists. The mode is set with `fchmod` after creating, so the umask
/// cannot take the group's write bit away.
fn create(name: &str, trust: &Trust) -> Result<PosixMq, MqError> {
    let mq = receiving()
        .create_new()
        .mode(0o600)
        .max_msg_len(MAX_MSG_SIZE)
        .capacity(QUEUE_DEPTH)
        .open(name)
        .map_err(|e| MqError::io(name, "create", e))?;
    trust.apply(WHAT, std::path::Path::new(name), fd(&mq), queue_mode(trust))?;
    Ok(mq)
}

/// Opens an existing queue for blocking sends and checks its owner, mode
/// and attributes.
fn open_for_sending(name: &str, trust: &Trust) -> Result<PosixMq, MqError> {
    let mq = OpenOptions::writeonly()
        .existing()
        .open(name)
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => MqError::NoQueue {
                name: name.to_string(),
            },
            _ => MqError::io(name, "open for sending", e),
        })?;
    let found = Found::of(fd(&mq)).map_err(|e| MqError::io(name, "stat", e))?;
    trust.check(WHAT, std::path::Path::new(name), found)?;
    let attributes = mq
        .attributes()
        .map_err(|e| MqError::io(name, "read attributes of", e))?;
    if attributes.max_msg_len != MAX_MSG_SIZE || attributes.capacity != QUEUE_DEPTH {
        return Err(MqError::Mismatched {
            name: name.to_string(),
            msgsize: attributes.max_msg_len,
            maxmsg: attributes.capacity,
        });
    }
    Ok(mq)
}

/// Removes a queue by name; a missing one is fine.
fn remove(name: &str) -> Result<(), MqError> {
    match posixmq::remove_queue(name) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(MqError::io(name, "remove", e)),
        _ => Ok(()),
    }
}

/// Whether two descriptors refer to the same queue (same device and inode).
fn same_queue(a: &PosixMq, b: &PosixMq) -> io::Result<bool> {
    let (a, b) = (rustix::fs::fstat(fd(a))?, rustix::fs::fstat(fd(b))?);
    Ok(a.st_dev == b.st_dev && a.st_ino == b.st_ino)
}

/// The queue's descriptor, borrowed for a system call.
fn fd(mq: &PosixMq) -> BorrowedFd<'_> {
    // SAFETY: `mq` owns the descriptor and keeps it open for at least as
    // long as the returned borrow, which cannot outlive `mq`.
    unsafe { BorrowedFd::borrow_raw(mq.as_raw_fd()) }
}
