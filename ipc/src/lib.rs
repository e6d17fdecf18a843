//! # homesec-ipc — the contracts between homesec's processes
//!
//! Every byte that crosses a process boundary in homesec is defined here and
//! nowhere else: the shared vocabulary (sensor kinds and states, alarm states
//! and modes), the shared-memory status layout, the line format spoken on the
//! named FIFO and on child pipes, and the event log record with its hash chain.
//!
//! The crate starts no runtime and knows no alarm rules: it is formats,
//! layouts and small open/read/write helpers, documented precisely enough
//! that a program in another language could speak each contract.
#![deny(missing_docs)]

pub mod clock;
pub mod command;
pub mod endpoint;
pub mod eventlog;
pub mod line;
pub mod mq;
pub mod paths;
#[cfg(feature = "rpc")]
pub mod rpc;
pub mod status;
pub mod vocab;

pub use vocab::{
    AlarmKind, AlarmState, MAX_ID_LEN, Mode, SensorKind, SensorState, UnknownName, valid_id,
};
