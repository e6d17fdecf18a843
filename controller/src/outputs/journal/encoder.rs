//! The journal's first thread: gives each record its `seq`, its link in
//! the hash chain and its day file, and hands the encoded lines to the
//! writer. It runs ahead of the disk, so the next batch is encoded while
//! the writer waits for the last one's `fdatasync`.

use super::Entry;
use crate::outputs::backlog::{Encoded, EncoderEnd};
use chrono::NaiveDate;
use homesec_ipc::eventlog::chain::Chain;

/// Most bytes of one batch handed to the writer.
const MAX_BATCH_BYTES: usize = 1 << 20;

/// The chain's state and the newest day written.
pub struct Encoder {
    chain: Chain,
    /// No record goes to a file older than this: the newest day written.
    /// A clock that steps back (a Pi booting before NTP) must not send
    /// records, and with them the highest `seq`, into an older file.
    floor: Option<NaiveDate>,
}

impl Encoder {
    /// Continues `chain`; `floor` is the newest day file on disk.
    pub fn new(chain: Chain, floor: Option<NaiveDate>) -> Encoder {
        Encoder { chain, floor }
    }

    /// Encodes records until the house task is done (or the writer gone).
    pub fn run(mut self, end: EncoderEnd) {
        loop {
            let taken = end.take();
            let count = taken.entries.len();
            let batches = self.encode(taken.entries);
            end.hand(batches, count, taken.closed);
            if taken.closed {
                break;
            }
        }
    }

    /// The records as batches, one per day file (never older than the
    /// floor) and at most [`MAX_BATCH_BYTES`] each. A record serde cannot
    /// encode is lost, said, and takes no `seq`.
    pub fn encode(&mut self, entries: Vec<Entry>) -> Vec<Encoded> {
        let mut batches = Vec::new();
        let mut current: Option<Encoded> = None;
        for (ts, event) in entries {
            let date = self
                .floor
                .map_or(ts.date_naive(), |floor| floor.max(ts.date_naive()));
            self.floor = Some(date);
            if current
                .as_ref()
                .is_some_and(|b| b.date != date || b.bytes.len() >= MAX_BATCH_BYTES)
            {
                batches.extend(current.take());
            }
            let batch = current.get_or_insert_with(|| Encoded {
                date,
                bytes: Vec::new(),
                ends: Vec::new(),
            });
            match self.chain.append(ts, &event, &mut batch.bytes) {
                Ok(seq) => batch.ends.push((batch.bytes.len(), seq)),
                Err(e) => {
                    tracing::error!(error = %e, "event log: cannot encode a record; it is lost")
                }
            }
        }
        batches.extend(current);
        batches.retain(|b| !b.ends.is_empty());
        batches
    }
}
