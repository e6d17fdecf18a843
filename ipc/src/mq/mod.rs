//! The POSIX message queue: sensor processes → controller, one event a message.
//!
//! # The queue
//!
//! Name `/homesec-<instance>-events` ([`queue_name`]). The controller creates
//! it ([`Receiver::open`]) with mode `0620` when the config names an
//! `[access] group` (owner reads and writes, the group writes: put sensor
//! processes of other users in it), `0600` otherwise; a queue of that name
//! that another user made is refused by the controller and by every sender
//! ([`crate::endpoint`]). Messages are of at
//! most [`MAX_MSG_SIZE`] = 128 bytes and a depth of [`QUEUE_DEPTH`] = 10
//! messages (Linux's default `/proc/sys/fs/mqueue/msg_max`, the most an
//! unprivileged process may ask for). A controller that crashes or is killed
//! leaves the queue behind: messages sent meanwhile wait and are delivered
//! when it comes back. A clean stop removes it (after taking what waits);
//! senders notice the restart (a new pid in the status segment) and open the
//! new queue. A queue with other attributes (another version, other
//! settings) is removed and created afresh when the controller starts.
//! Senders never create the queue: without it there is no one to read, so
//! they retry later. A
//! sender still holding a removed queue fills it unread; when it finds it
//! full it notices the name now means another queue and moves there (the
//! messages left in the removed one are lost with it).
//!
//! # Message, version 1
//!
//! One event per message; every integer is little-endian.
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 1 | version, `1` |
//! | 1 | 1 | message kind: `1` = sensor report, `2` = keypad line |
//! | 2 | 1 | sensor kind code ([`SensorKind::code`]: 1 motion, 2 door, 3 window, 4 glass, 5 smoke, 6 panic, 7 tamper); `0` for a keypad line |
//! | 3 | 1 | sensor state code ([`SensorState::code`]: 1 open, 2 closed, 3 motion, 4 clear, 5 alarm, 6 pressed, 7 released, 8 heartbeat, 9 low-battery, 10 battery-ok, 11 tamper); `0` for a keypad line |
//! | 4 | 1 | payload length `n`, 1 to [`MAX_PAYLOAD`] (96) |
//! | 5 | 3 | reserved, zero |
//! | 8 | 8 | `sent_at_ns`, u64: the sender's `CLOCK_MONOTONIC` in nanoseconds when it sent ([`monotonic_ns`]); a receiver on the same machine may subtract it from its own to measure latency |
//! | 16 | n | payload: a sensor report's sensor id (1 to 32 bytes of `a-z 0-9 - _`, starting with a letter or digit: [`crate::valid_id`]), or a keypad line's text in the FIFO line format without its `\n` (UTF-8, e.g. `@arm away 1234`; see [`crate::line`]) |
//!
//! The message is exactly `16 + n` bytes. A sensor report's state must be one
//! its kind can report ([`SensorKind::accepts`]). Anything else is refused
//! with a [`DecodeError`] naming what is wrong; the receiver counts it and
//! goes on with the next message.
//!
//! # Priority
//!
//! The mq priority is the urgency (higher is received first):
//!
//! | priority | events |
//! | --- | --- |
//! | 3 | panic or tamper: a panic sensor `pressed`, a tamper sensor `open`, `tamper` from any sensor, a smoke sensor `alarm` |
//! | 2 | could be an intrusion: any other active state (`open`, `motion`, `alarm`), and every keypad line |
//! | 1 | other state changes: `closed`, `clear`, `released`, `low-battery`, `battery-ok` |
//! | 0 | `heartbeat` |
//!
//! # Speaking it from C
//!
//! ```c
//! unsigned char m[16 + 32] = {1, 1, 2 /* door */, 1 /* open */, 10};
//! struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
//! uint64_t ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
//! for (int i = 0; i < 8; i++) m[8 + i] = ns >> (8 * i);
//! memcpy(m + 16, "front-door", 10);
//! mqd_t q = mq_open("/homesec-home-events", O_WRONLY);   /* no O_CREAT */
//! mq_send(q, (const char *)m, 16 + 10, 2);   /* priority 2: a door opened */
//! ```
//!
//! # A controller restart
//!
//! ```text
//! sensor                    queue                     controller
//!   │── send (open) ───────► [1 waiting]                (stopped)
//!   │                         │                 ◄──── Receiver::open: Existing { waiting: 1 }
//!   │                         │─── recv ─────────────► front-door open
//! ```
//!
//! [`SensorKind::code`]: crate::SensorKind::code
//! [`SensorState::code`]: crate::SensorState::code
//! [`SensorKind::accepts`]: crate::SensorKind::accepts

mod message;
mod queue;
#[cfg(test)]
mod tests;

pub use message::{DecodeError, EncodeError, Message};
pub use queue::{MqError, Opened, Received, Receiver, Sender, monotonic_ns, unlink};

/// The message format version this build speaks (byte 0).
pub const VERSION: u8 = 1;

/// The queue's message size and the longest message, in bytes.
pub const MAX_MSG_SIZE: usize = 128;

/// The queue's depth: how many messages wait before senders block.
pub const QUEUE_DEPTH: usize = 10;

/// The fixed header before the payload, in bytes.
pub const HEADER_LEN: usize = 16;

/// The longest payload (sensor id or keypad line), in bytes.
pub const MAX_PAYLOAD: usize = 96;

/// The queue's name for an instance: `/homesec-<instance>-events`.
pub fn queue_name(instance: &str) -> String {
    format!("/homesec-{instance}-events")
}
