//! Every way into the house task. Each input channel turns what it receives
//! into an [`Input`] and sends it on one bounded channel, the house task's
//! only way in:
//!
//! ```text
//!  fifo.rs ─────┐  line_ingest.rs: framing, parsing,
//!  pipes.rs ────┤  refused lines as Rejected       ┐
//!  queue.rs ────┤  keypad.rs: code checks, blocking pool ├─► Input ─► house task
//!  signals.rs ──┘                                   ┘
//! ```
//!
//! [`supervisor`] restarts the FIFO and queue readers when they fail, and
//! [`simulation`] adds the `--sim` sensor processes as pipe children. The
//! RPC and camera servers, when they come, are inputs of the same kind: a
//! listener and a handler per connection, each turning calls into inputs.

pub mod fifo;
mod input;
pub mod keypad;
pub mod line_ingest;
pub mod pipes;
pub mod queue;
pub mod signals;
pub mod simulation;
pub mod supervisor;

pub use input::{CommandInput, INPUT_CAPACITY, Input, InputSender, Reply, SignalKind};
