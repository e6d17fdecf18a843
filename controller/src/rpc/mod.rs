//! The control socket: `homesec_ipc::rpc::Control` served on
//! `<runtime-dir>/control.sock` (see the contract in `homesec_ipc::rpc`).
//!
//! [`socket`] claims the socket file (a stale one from a crashed controller
//! is replaced, a live one is not); [`peer`] decides who may connect from
//! the kernel's word on each peer; [`server`] accepts connections within
//! their limits and runs one tarpc channel per connection; [`service`]
//! turns each call into an input for the house task and waits for the
//! answer, which comes once the command's records are durable; [`events`]
//! reads pages of the event log from disk for `events_since`.

pub mod events;
pub mod peer;
pub mod server;
pub mod service;
pub mod socket;

pub use server::{Limits, serve};
