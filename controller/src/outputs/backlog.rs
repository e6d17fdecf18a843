//! The records between the house task and the disk, in two stages: a
//! queue of records the house appends to without ever waiting and the
//! journal's encoder takes from, and the encoded batches the encoder hands
//! to the journal's writer (see [`journal`](super::journal)).
//!
//! While the disk refuses writes (full, failing) the writer cannot keep
//! up: at most [`MAX_IN_FLIGHT`] encoded records wait for it, and behind
//! them records wait unencoded, up to [`MAX_BACKLOG`]; past that the oldest
//! unencoded ones are dropped and counted. A record is dropped only before
//! it has a `seq`, so the chain never has a gap; a disk that stays full for
//! days costs memory that is bounded, and the house, its siren and its
//! status never stop for the disk.

use super::journal::Entry;
use chrono::NaiveDate;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Records that may wait in memory, unencoded, for the disk.
pub const MAX_BACKLOG: usize = 100_000;
/// Records the encoder may hold, encoded or not, that are not yet durable:
/// enough for it to prepare the next batch while one is being synced, few
/// enough that a disk that refuses writes holds little encoded in memory
/// (what waits unencoded can be dropped; what has a `seq` cannot).
pub const MAX_IN_FLIGHT: usize = 8192;

/// Records of one day, encoded and linked into the chain, not yet durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The day file they belong in.
    pub date: NaiveDate,
    /// The lines, each ending in `\n`.
    pub bytes: Vec<u8>,
    /// Where each record ends in `bytes`, and its `seq`.
    pub ends: Vec<(usize, u64)>,
}

/// The house task's end: appends, never waits.
pub struct JournalSender {
    shared: Arc<Shared>,
}

/// The encoder's end: takes records, hands batches on.
pub struct EncoderEnd {
    shared: Arc<Shared>,
}

/// The writer's end: takes batches, says what became durable.
pub struct WriterEnd {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Records came, room for encoded ones was made, or an end went away.
    encoder: Condvar,
    /// Batches came, or no more will.
    writer: Condvar,
}

#[derive(Default)]
struct State {
    entries: VecDeque<Entry>,
    /// Records dropped because the backlog was full, since the start.
    lost: u64,
    /// The house task is done: no more records come.
    closed: bool,
    /// Encoded batches not yet taken by the writer.
    batches: Vec<Encoded>,
    /// Records the encoder took and that are not yet durable.
    in_flight: usize,
    /// The encoder is done: no more batches come.
    encoded_all: bool,
    /// The writer is gone: records have nowhere to go.
    gone: bool,
}

/// The writer thread is gone.
#[derive(Debug)]
pub struct Gone;

/// What the encoder takes in one go.
pub struct Taken {
    /// Records, oldest first.
    pub entries: Vec<Entry>,
    /// Whether the house task is done and this is the last of it.
    pub closed: bool,
}

/// What the writer takes in one go.
pub struct Handed {
    /// Batches, oldest first.
    pub batches: Vec<Encoded>,
    /// Whether the encoder is done (and this is the last of it).
    pub last: bool,
    /// Whether the house task is done: a stop has begun.
    pub closed: bool,
    /// Records dropped since the start because the backlog was full.
    pub lost: u64,
}

/// The three ends of a new backlog.
pub fn channel() -> (JournalSender, EncoderEnd, WriterEnd) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        encoder: Condvar::new(),
        writer: Condvar::new(),
    });
    (
        JournalSender {
            shared: Arc::clone(&shared),
        },
        EncoderEnd {
            shared: Arc::clone(&shared),
        },
        WriterEnd { shared },
    )
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Whether the encoder has to wait: nothing to take, or no room for
    /// it with the writer (unless the writer is gone).
    fn encoder_waits(&self) -> bool {
        !self.gone && (self.in_flight >= MAX_IN_FLIGHT || (self.entries.is_empty() && !self.closed))
    }
}

impl JournalSender {
    /// Appends records. Never waits: past [`MAX_BACKLOG`] the oldest
    /// waiting records are dropped and counted.
    pub fn send(&self, records: Vec<Entry>) -> Result<(), Gone> {
        let mut state = self.shared.lock();
        if state.gone {
            return Err(Gone);
        }
        state.entries.extend(records);
        let over = state.entries.len().saturating_sub(MAX_BACKLOG);
        if over > 0 {
            state.entries.drain(..over);
            state.lost += over as u64;
        }
        drop(state);
        self.shared.encoder.notify_one();
        Ok(())
    }

    /// Records sent and not yet durable.
    pub fn waiting(&self) -> usize {
        let state = self.shared.lock();
        state.entries.len() + state.in_flight
    }
}

impl Drop for JournalSender {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.encoder.notify_one();
        self.shared.writer.notify_one();
    }
}

impl EncoderEnd {
    /// Waits until records come and the writer has room for them, or the
    /// house task is done, or the writer is gone; then takes the oldest
    /// waiting records that fit in [`MAX_IN_FLIGHT`] (none if the writer
    /// is gone).
    pub fn take(&self) -> Taken {
        let state = self.shared.lock();
        let mut state = self
            .shared
            .encoder
            .wait_while(state, |s| s.encoder_waits())
            .unwrap_or_else(PoisonError::into_inner);
        if state.gone {
            return Taken {
                entries: Vec::new(),
                closed: true,
            };
        }
        let room = MAX_IN_FLIGHT - state.in_flight;
        let n = state.entries.len().min(room);
        state.in_flight += n;
        Taken {
            entries: state.entries.drain(..n).collect(),
            closed: state.closed && state.entries.is_empty(),
        }
    }

    /// Hands the batches encoded from `taken` records to the writer (fewer
    /// when a record could not be encoded); `last` when no more will come.
    pub fn hand(&self, batches: Vec<Encoded>, taken: usize, last: bool) {
        let encoded: usize = batches.iter().map(|b| b.ends.len()).sum();
        let mut state = self.shared.lock();
        state.in_flight -= taken.saturating_sub(encoded).min(state.in_flight);
        state.batches.extend(batches);
        state.encoded_all |= last;
        drop(state);
        self.shared.writer.notify_one();
    }
}

impl WriterEnd {
    /// Takes the batches handed so far; with `wait`, first waits until
    /// there are some or the encoder is done.
    pub fn take(&self, wait: bool) -> Handed {
        let state = self.shared.lock();
        let mut state = if wait {
            self.shared
                .writer
                .wait_while(state, |s| s.batches.is_empty() && !s.encoded_all)
                .unwrap_or_else(PoisonError::into_inner)
        } else {
            state
        };
        Handed {
            batches: std::mem::take(&mut state.batches),
            last: state.encoded_all,
            closed: state.closed,
            lost: state.lost,
        }
    }

    /// Records sent by the house and not yet durable (for the message of
    /// a stop that gives up).
    pub fn not_durable(&self) -> usize {
        let state = self.shared.lock();
        state.entries.len() + state.in_flight
    }

    /// `records` handed earlier are durable now: room for more.
    pub fn durable(&self, records: usize) {
        let mut state = self.shared.lock();
        state.in_flight = state.in_flight.saturating_sub(records);
        drop(state);
        self.shared.encoder.notify_one();
    }

    /// Waits `wait`, or less if the house task is done meanwhile: the
    /// pause between two tries of a disk that refused.
    pub fn pause(&self, wait: Duration) {
        let state = self.shared.lock();
        let _ = self
            .shared
            .writer
            .wait_timeout_while(state, wait, |s| !s.closed)
            .unwrap_or_else(PoisonError::into_inner);
    }
}

impl Drop for EncoderEnd {
    fn drop(&mut self) {
        // Also when the encoder panics: the writer writes what it has and ends.
        self.shared.lock().encoded_all = true;
        self.shared.writer.notify_one();
    }
}

impl Drop for WriterEnd {
    fn drop(&mut self) {
        self.shared.lock().gone = true;
        self.shared.encoder.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use homesec_ipc::eventlog::Event;

    fn entry(on: bool) -> Entry {
        let ts = DateTime::parse_from_rfc3339("2026-11-22T10:00:00+00:00").unwrap();
        (ts, Event::Siren { on })
    }

    fn batch(records: usize) -> Encoded {
        Encoded {
            date: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            bytes: vec![b'\n'; records],
            ends: (0..records).map(|i| (i + 1, i as u64 + 1)).collect(),
        }
    }

    #[test]
    fn the_house_never_waits_and_a_full_backlog_drops_the_oldest() {
        let (tx, encoder, writer) = channel();
        tx.send(vec![entry(true); MAX_BACKLOG]).unwrap();
        tx.send(vec![entry(false); 10]).unwrap();
        assert_eq!(tx.waiting(), MAX_BACKLOG);
        assert_eq!(writer.take(false).lost, 10);
        let mut taken = Vec::new();
        while taken.len() < MAX_BACKLOG {
            let some = encoder.take();
            assert!(some.entries.len() <= MAX_IN_FLIGHT, "the encoder's cap");
            assert!(!some.closed);
            writer.durable(some.entries.len());
            taken.extend(some.entries);
        }
        assert_eq!(taken.last(), Some(&entry(false)), "the newest stay");
        drop(tx);
        assert!(encoder.take().closed);
    }

    #[test]
    fn the_house_sees_encoded_records_as_waiting_until_they_are_durable() {
        let (tx, encoder, writer) = channel();
        tx.send(vec![entry(true); 3]).unwrap();
        assert_eq!(tx.waiting(), 3);
        let taken = encoder.take();
        assert_eq!(tx.waiting(), 3, "taken is not durable");
        encoder.hand(vec![batch(2)], taken.entries.len(), false);
        assert_eq!(tx.waiting(), 2, "one could not be encoded");
        assert_eq!(writer.take(false).batches, vec![batch(2)]);
        writer.durable(2);
        assert_eq!(tx.waiting(), 0);
    }

    #[test]
    fn the_encoder_waits_for_room_while_the_writer_is_behind() {
        let (tx, encoder, writer) = channel();
        tx.send(vec![entry(true); MAX_IN_FLIGHT]).unwrap();
        let taken = encoder.take();
        encoder.hand(vec![batch(MAX_IN_FLIGHT)], taken.entries.len(), false);
        tx.send(vec![entry(true)]).unwrap();
        assert!(encoder.shared.lock().encoder_waits(), "no room yet");
        std::thread::scope(|s| {
            let taking = s.spawn(|| encoder.take().entries.len());
            writer.durable(1);
            assert_eq!(taking.join().unwrap(), 1, "room made: the record is taken");
        });
    }

    #[test]
    fn a_gone_writer_is_told() {
        let (tx, encoder, writer) = channel();
        drop(writer);
        assert!(tx.send(vec![entry(true)]).is_err());
        assert!(
            encoder.take().closed,
            "an encoder waiting for room is let go"
        );
    }
}
