//! The records between the house task and the event log writer: a queue
//! the house appends to without ever waiting, and the writer thread takes
//! from. Replies owed to callers (an RPC returns once its command's record
//! is durable) travel in the same queue, behind the records they wait for. While the disk refuses writes (full, failing) records wait here —
//! up to [`MAX_BACKLOG`]; past that the oldest are dropped and counted, so
//! that a disk that stays full for days costs memory that is bounded, and
//! the house, its siren and its status never stop for the disk.

use super::journal::Entry;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Records that may wait in memory for the disk.
pub const MAX_BACKLOG: usize = 100_000;

/// One thing for the journal, in order.
#[derive(Debug)]
pub enum Item {
    /// A record to write.
    Record(Entry),
    /// A reply owed once every record before it is durable.
    Ack(Ack),
}

/// Something owed once every record sent before it is durable: called
/// with the durable `seq`. Dropped without a call when that cannot happen
/// (the backlog overflowed, or the journal stopped with records unwritten),
/// which a waiting caller sees as its reply channel closing.
pub struct Ack(Box<dyn FnOnce(u64) + Send>);

impl Ack {
    /// An ack that runs `done` with the durable `seq`.
    pub fn new(done: impl FnOnce(u64) + Send + 'static) -> Ack {
        Ack(Box::new(done))
    }

    /// Runs it.
    pub fn done(self, seq: u64) {
        (self.0)(seq);
    }
}

impl fmt::Debug for Ack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ack")
    }
}

/// The house task's end: appends, never waits.
pub struct JournalSender {
    shared: Arc<Shared>,
}

/// The writer thread's end.
pub struct JournalReceiver {
    shared: Arc<Shared>,
}

struct Shared {
    backlog: Mutex<Backlog>,
    wake: Condvar,
}

#[derive(Default)]
struct Backlog {
    entries: VecDeque<Item>,
    /// Records dropped because the backlog was full, since the start.
    lost: u64,
    /// The house task is done: no more records come.
    closed: bool,
    /// The writer thread is gone: records have nowhere to go.
    gone: bool,
}

/// The writer thread is gone.
#[derive(Debug)]
pub struct Gone;

/// What the writer takes in one go.
pub struct Taken {
    /// Records and acks, oldest first.
    pub entries: Vec<Item>,
    /// Whether the house task is done (and this is the last of it).
    pub closed: bool,
    /// Records dropped since the start because the backlog was full.
    pub lost: u64,
}

/// A new queue.
pub fn channel() -> (JournalSender, JournalReceiver) {
    let shared = Arc::new(Shared {
        backlog: Mutex::new(Backlog::default()),
        wake: Condvar::new(),
    });
    (
        JournalSender {
            shared: Arc::clone(&shared),
        },
        JournalReceiver { shared },
    )
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Backlog> {
        self.backlog.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl JournalSender {
    /// Appends records, then the acks owed once they are durable. Never
    /// waits: past [`MAX_BACKLOG`] the oldest waiting items are dropped and
    /// counted.
    pub fn send(&self, records: Vec<Entry>, acks: Vec<Ack>) -> Result<(), Gone> {
        let mut backlog = self.shared.lock();
        if backlog.gone {
            return Err(Gone);
        }
        backlog
            .entries
            .extend(records.into_iter().map(Item::Record));
        backlog.entries.extend(acks.into_iter().map(Item::Ack));
        let over = backlog.entries.len().saturating_sub(MAX_BACKLOG);
        if over > 0 {
            backlog.entries.drain(..over);
            backlog.lost += over as u64;
        }
        drop(backlog);
        self.shared.wake.notify_one();
        Ok(())
    }
}

impl JournalSender {
    /// Records waiting for the writer now.
    pub fn waiting(&self) -> usize {
        self.shared.lock().entries.len()
    }
}

impl Drop for JournalSender {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_one();
    }
}

impl JournalReceiver {
    /// Waits until records come or the house task is done (at most `wait`,
    /// if given), then takes every waiting record.
    pub fn take(&self, wait: Option<Duration>) -> Taken {
        let mut backlog = self.shared.lock();
        if backlog.entries.is_empty() && !backlog.closed {
            backlog = match wait {
                Some(wait) => {
                    let (guard, _) = self
                        .shared
                        .wake
                        .wait_timeout_while(backlog, wait, |b| b.entries.is_empty() && !b.closed)
                        .unwrap_or_else(PoisonError::into_inner);
                    guard
                }
                None => self
                    .shared
                    .wake
                    .wait_while(backlog, |b| b.entries.is_empty() && !b.closed)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
        Taken {
            entries: backlog.entries.drain(..).collect(),
            closed: backlog.closed,
            lost: backlog.lost,
        }
    }

    /// Puts records it could not write yet back at the front (they stay
    /// older than anything sent since); past [`MAX_BACKLOG`] the oldest are
    /// dropped and counted.
    pub fn put_back(&self, records: impl DoubleEndedIterator<Item = Item>) {
        let mut backlog = self.shared.lock();
        for entry in records.rev() {
            backlog.entries.push_front(entry);
        }
        let over = backlog.entries.len().saturating_sub(MAX_BACKLOG);
        if over > 0 {
            backlog.entries.drain(..over);
            backlog.lost += over as u64;
        }
    }

    /// Waits `wait`, or less if the house task is done meanwhile: the pause
    /// between two tries of a disk that refused.
    pub fn pause(&self, wait: Duration) {
        let backlog = self.shared.lock();
        let _ = self
            .shared
            .wake
            .wait_timeout_while(backlog, wait, |b| !b.closed)
            .unwrap_or_else(PoisonError::into_inner);
    }

    /// Records waiting now.
    pub fn waiting(&self) -> usize {
        self.shared.lock().entries.len()
    }
}

impl Drop for JournalReceiver {
    fn drop(&mut self) {
        self.shared.lock().gone = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use homesec_ipc::eventlog::Event;

    fn entry(on: bool) -> Entry {
        let ts = DateTime::parse_from_rfc3339("2026-11-22T10:00:00+00:00").unwrap();
        (ts, Event::siren(on))
    }

    fn record(item: &Item) -> Option<&Entry> {
        match item {
            Item::Record(entry) => Some(entry),
            Item::Ack(_) => None,
        }
    }

    #[test]
    fn the_house_never_waits_and_a_full_backlog_drops_the_oldest() {
        let (tx, rx) = channel();
        tx.send(vec![entry(true); MAX_BACKLOG], Vec::new()).unwrap();
        tx.send(vec![entry(false); 10], Vec::new()).unwrap();
        let taken = rx.take(Some(Duration::ZERO));
        assert_eq!(taken.entries.len(), MAX_BACKLOG);
        assert_eq!(taken.lost, 10);
        let last = taken.entries.last().and_then(record);
        assert_eq!(last, Some(&entry(false)), "the newest stay");
        assert!(!taken.closed);
        drop(tx);
        assert!(rx.take(None).closed);
    }

    #[test]
    fn records_put_back_stay_ahead_of_newer_ones_and_acks_follow_their_records() {
        let (tx, rx) = channel();
        let acked = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let seen = std::sync::Arc::clone(&acked);
        let ack = Ack::new(move |seq| seen.store(seq, std::sync::atomic::Ordering::SeqCst));
        tx.send(vec![entry(true), entry(true)], vec![ack]).unwrap();
        let taken = rx.take(None);
        tx.send(vec![entry(false)], Vec::new()).unwrap();
        rx.put_back(taken.entries.into_iter());
        let mut again = rx.take(None).entries;
        assert_eq!(again.len(), 4);
        let Item::Ack(ack) = again.remove(2) else {
            panic!("the ack is behind its turn's records, before newer ones");
        };
        let records: Vec<&Entry> = again.iter().filter_map(record).collect();
        assert_eq!(records, [&entry(true), &entry(true), &entry(false)]);
        ack.done(7);
        assert_eq!(acked.load(std::sync::atomic::Ordering::SeqCst), 7);
    }

    #[test]
    fn a_gone_writer_is_told() {
        let (tx, rx) = channel();
        drop(rx);
        assert!(tx.send(vec![entry(true)], Vec::new()).is_err());
    }
}
