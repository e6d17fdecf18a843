//! The event log: one JSON object a line, append-only, one file a local day.
//!
//! Files are `<data-dir>/events/YYYY-MM-DD.jsonl`, named after the local date
//! of the records they hold. The controller is the only writer; the reporter
//! and anyone else read. See [`record`] for the schema, [`files`] for the
//! file names, [`chain`] for the sequence numbers and hash chain that make
//! removal or alteration visible,
//! [`reader`] for the streaming reader that skips and counts torn or corrupt
//! lines, and [`tail`] for finding where a restarted writer continues.

pub mod chain;
pub mod files;
pub mod reader;
pub mod record;
mod sensor_writer;
pub mod tail;

pub use record::{Event, Record};
