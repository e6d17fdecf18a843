//! The queue's two ends. [`Receiver`] (the controller) creates the queue with
//! the contract's attributes, replacing one that has others, and receives
//! without blocking. [`Sender`] (a sensor process) never creates it, waits a
//! bounded time when it is full and then says so: a message is never dropped
//! silently.

use super::{DecodeError, EncodeError, MAX_MSG_SIZE, Message, QUEUE_DEPTH, queue_name};
use posixmq::{OpenOptions, PosixMq};
use std::io::{self, ErrorKind};
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, Instant};

/// The queue's permissions: the owner (the controller) receives and sends,
/// its group sends. Set with `fchmod` after creating, so the umask cannot
/// take the group's write bit away.
const MODE: u32 = 0o620;

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
    #[error("message queue {name}: {op} failed: {source}")]
    Io {
        /// The queue name.
        name: String,
        /// What was being done ("create", "send", ...).
        op: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// The message breaks the contract; nothing was sent.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

impl MqError {
    fn io(name: &str, op: &'static str, source: io::Error) -> MqError {
        MqError::Io {
            name: name.to_string(),
            op,
            source,
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
    /// Opens the instance's queue for receiving, creating it (mode `0620`,
    /// [`MAX_MSG_SIZE`], [`QUEUE_DEPTH`]) or replacing one with other
    /// attributes. The caller should log anything but [`Opened::Created`].
    pub fn open(instance: &str) -> Result<(Receiver, Opened), MqError> {
        let name = queue_name(instance);
        match create(&name) {
            Ok(mq) => return Ok((Receiver { mq, name }, Opened::Created)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(MqError::io(&name, "create", e)),
        }
        let existing = receiving()
            .open(&name)
            .map_err(|e| MqError::io(&name, "open", e))?;
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
        let mq = create(&name).map_err(|e| MqError::io(&name, "create", e))?;
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
}

impl Sender {
    /// Opens the instance's queue for sending. It never creates it: a missing
    /// queue is [`MqError::NoQueue`] and one with other attributes
    /// [`MqError::Mismatched`]; both mean "retry when the controller runs".
    pub fn open(instance: &str) -> Result<Sender, MqError> {
        let name = queue_name(instance);
        let mq = open_for_sending(&name)?;
        Ok(Sender { mq, name })
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
        let live = open_for_sending(&self.name)?;
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

/// Creates the queue with the contract's attributes; fails if it exists.
fn create(name: &str) -> io::Result<PosixMq> {
    let mq = receiving()
        .create_new()
        .mode(MODE)
        .max_msg_len(MAX_MSG_SIZE)
        .capacity(QUEUE_DEPTH)
        .open(name)?;
    // SAFETY: the descriptor is open for as long as `mq` lives.
    if unsafe { libc::fchmod(mq.as_raw_fd(), MODE as libc::mode_t) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(mq)
}

/// Opens an existing queue for blocking sends and checks its attributes.
fn open_for_sending(name: &str) -> Result<PosixMq, MqError> {
    let mq = OpenOptions::writeonly()
        .existing()
        .open(name)
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => MqError::NoQueue {
                name: name.to_string(),
            },
            _ => MqError::io(name, "open for sending", e),
        })?;
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
    Ok(identity(a)? == identity(b)?)
}

fn identity(mq: &PosixMq) -> io::Result<(libc::dev_t, libc::ino_t)> {
    let mut stat = MaybeUninit::<libc::stat>::uninit();
    // SAFETY: the descriptor is open for as long as `mq` lives and `stat`
    // is large enough for the kernel to fill.
    if unsafe { libc::fstat(mq.as_raw_fd(), stat.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fstat succeeded, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    Ok((stat.st_dev, stat.st_ino))
}
