//! The house: its state and the one task that owns it.
//!
//! [`state`] is the alarm state machine, a pure type with time passed in
//! (no I/O, no clock, no sleeping), so its tests run a whole day in
//! microseconds. [`task`] is its single owner at run time: it takes every
//! [`crate::ingest::Input`] from one bounded channel, applies it, and hands
//! what the house decided to the [`crate::outputs`]. [`narrate`] tells those
//! decisions in the diagnostic log.

pub mod narrate;
pub mod order;
pub mod rejects;
pub mod reply;
pub mod state;
pub mod task;

pub use state::{CodeCheck, CodeLockState, House, HouseError, Rules, SensorSpec};
