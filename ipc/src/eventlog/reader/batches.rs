//! Reading, line splitting, SHA-256 and the `sensor` scanner on a second
//! thread.
//!
//! Hashing every line is a third of the reader's work, and scanning the
//! `sensor` records (nine lines in ten) another: both need nothing but the
//! line, so one producer thread per file reads it through a [`LineBuffer`],
//! hashes and scans each line and sends the lines in batches; the reader's
//! thread checks the chain, parses what the scanner left (with serde) and
//! leaves its caller the rest of the time. The two threads then carry about
//! the same load. Lines are read once, by the
//! producer, so both threads see the same bytes even while the file grows.
//! Memory stays bounded: a batch holds at most [`BATCH_BYTES`] of lines or
//! [`BATCH_LINES`] lines, at most [`IN_FLIGHT`] batches wait in the channel,
//! and consumed batches go back to the producer to be reused.

use super::lines::{LineBuffer, RawLine};
use super::sensor_scanner::{self, SensorLine};
use crate::eventlog::chain::line_hash;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;

/// A batch is sent once it holds this many bytes of lines...
const BATCH_BYTES: usize = 128 * 1024;
/// ...or this many lines: a file of empty lines has no bytes to count, and
/// its batches must not grow with the number of lines.
const BATCH_LINES: usize = 4096;
/// Batches sent but not yet taken by the reader.
const IN_FLIGHT: usize = 2;

/// One line as the producer found it.
#[derive(Debug)]
struct Line {
    raw: RawLine,
    /// Its bytes in [`Batch::data`] (empty for [`RawLine::TooLong`]).
    range: Range<usize>,
    /// SHA-256 of its bytes.
    hash: [u8; 32],
    /// The line as a `sensor` record, when the scanner could read it.
    scanned: Option<SensorLine>,
}

/// Consecutive lines of one file, and the read error that ended it, if any.
#[derive(Debug, Default)]
struct Batch {
    data: Vec<u8>,
    lines: Vec<Line>,
    error: Option<io::Error>,
}

impl Batch {
    fn push(&mut self, raw: RawLine, line: &[u8]) {
        let start = self.data.len();
        let (hash, scanned) = match raw {
            RawLine::TooLong { .. } => ([0; 32], None),
            RawLine::Complete | RawLine::Unterminated => {
                self.data.extend_from_slice(line);
                (line_hash(line), sensor_scanner::sensor_record(line))
            }
        };
        let range = start..self.data.len();
        self.lines.push(Line {
            raw,
            range,
            hash,
            scanned,
        });
    }

    /// Empties it for reuse, giving back memory an over-long line took.
    fn clear(&mut self) {
        self.data.clear();
        self.data.shrink_to(2 * BATCH_BYTES);
        self.lines.clear();
        self.lines.shrink_to(BATCH_LINES);
        self.error = None;
    }
}

/// The reader's end: the lines of one file, in order, with their hashes.
/// Dropping it stops the producer and, for a regular file, waits for it to
/// end, so no thread outlives the reader that started it. (A FIFO or a
/// device could hold the producer in `read` for ever; its thread is left
/// to end on its own.)
#[derive(Debug)]
pub(super) struct Batches {
    incoming: Receiver<Batch>,
    recycle: Sender<Batch>,
    current: Batch,
    /// The index in `current` of the next line to hand out.
    next: usize,
    producer: Option<JoinHandle<()>>,
    /// Whether the file is a regular file, whose reads always end.
    regular: bool,
}

impl Drop for Batches {
    fn drop(&mut self) {
        // A producer waiting to send, or about to, fails once our end of
        // the channel is gone, and returns: at most one batch of reading.
        drop(std::mem::replace(
            &mut self.incoming,
            mpsc::sync_channel(0).1,
        ));
        if let Some(producer) = self.producer.take().filter(|_| self.regular) {
            let _ = producer.join();
        }
    }
}

impl Batches {
    /// Starts a producer thread reading `file`.
    pub(super) fn spawn(file: File) -> io::Result<Self> {
        let (send, incoming) = mpsc::sync_channel(IN_FLIGHT);
        let (recycle, recycled) = mpsc::channel();
        let regular = file.metadata()?.is_file();
        let producer = std::thread::Builder::new()
            .name("eventlog-read".into())
            .spawn(move || produce(file, &send, &recycled))?;
        Ok(Batches {
            incoming,
            recycle,
            current: Batch::default(),
            next: 0,
            producer: Some(producer),
            regular,
        })
    }

    /// The next line; `None` at the end of the file.
    pub(super) fn next_line(&mut self) -> io::Result<Option<RawLine>> {
        loop {
            if let Some(line) = self.current.lines.get(self.next) {
                self.next += 1;
                return Ok(Some(line.raw));
            }
            if let Some(error) = self.current.error.take() {
                return Err(error);
            }
            let Ok(batch) = self.incoming.recv() else {
                // The producer is done and everything it sent was read;
                // unless it died, which must not pass for the file's end.
                return match self.producer.take().map(JoinHandle::join) {
                    Some(Err(_)) => Err(io::Error::other("the event log reading thread panicked")),
                    _ => Ok(None),
                };
            };
            let mut done = std::mem::replace(&mut self.current, batch);
            done.clear();
            // The producer may have finished; then the batch is just dropped.
            let _ = self.recycle.send(done);
            self.next = 0;
        }
    }

    /// The bytes of the line [`next_line`](Self::next_line) returned last
    /// (empty before the first, and for one too long).
    pub(super) fn line(&self) -> &[u8] {
        self.last()
            .map_or(&[][..], |line| &self.current.data[line.range.clone()])
    }

    /// The SHA-256 of [`line`](Self::line).
    pub(super) fn hash(&self) -> [u8; 32] {
        self.last().map_or([0; 32], |line| line.hash)
    }

    /// [`line`](Self::line) as a `sensor` record, if the scanner read it
    /// (once: the record is moved out).
    pub(super) fn take_scanned(&mut self) -> Option<SensorLine> {
        let at = self.next.checked_sub(1)?;
        self.current.lines.get_mut(at)?.scanned.take()
    }

    fn last(&self) -> Option<&Line> {
        self.current.lines.get(self.next.checked_sub(1)?)
    }
}

/// The producer: reads `file` to its end (or first error) in batches; stops
/// early when the reader is gone.
fn produce(mut file: File, send: &SyncSender<Batch>, recycled: &Receiver<Batch>) {
    let mut lines = LineBuffer::default();
    let mut batch = Batch::default();
    loop {
        match lines.next_line(&mut file) {
            Ok(Some(raw)) => {
                batch.push(raw, lines.line());
                if batch.data.len() >= BATCH_BYTES || batch.lines.len() >= BATCH_LINES {
                    let fresh = recycled.try_recv().unwrap_or_default();
                    if send.send(std::mem::replace(&mut batch, fresh)).is_err() {
                        return;
                    }
                }
            }
            Ok(None) => break,
            Err(error) => {
                batch.error = Some(error);
                break;
            }
        }
    }
    // Nobody to tell if the reader is gone.
    let _ = send.send(batch);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::reader::MAX_RECORD_LINE;
    use std::time::Duration;

    fn read_all(content: &[u8]) -> Vec<(RawLine, Vec<u8>, [u8; 32])> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, content).unwrap();
        let mut batches = Batches::spawn(File::open(&path).unwrap()).unwrap();
        let mut out = Vec::new();
        while let Some(raw) = batches.next_line().unwrap() {
            out.push((raw, batches.line().to_vec(), batches.hash()));
        }
        out
    }

    #[test]
    fn every_line_comes_once_in_order_with_its_hash() {
        // Enough lines for several batches, of varying lengths.
        let lines: Vec<String> = (0..20_000).map(|n| "x".repeat(n % 300)).collect();
        let mut content = lines.join("\n");
        content.push_str("\nlast");
        let got = read_all(content.as_bytes());
        assert_eq!(got.len(), lines.len() + 1);
        for (n, (raw, bytes, hash)) in got.iter().enumerate() {
            let expected = lines.get(n).map_or("last", String::as_str);
            let kind = if n < lines.len() {
                RawLine::Complete
            } else {
                RawLine::Unterminated
            };
            assert_eq!(
                (*raw, bytes.as_slice()),
                (kind, expected.as_bytes()),
                "line {n}"
            );
            assert_eq!(*hash, line_hash(expected.as_bytes()), "line {n}");
        }
    }

    #[test]
    fn over_long_lines_come_without_bytes() {
        let long = "y".repeat(MAX_RECORD_LINE + 1);
        let got = read_all(format!("a\n{long}\nb\n").as_bytes());
        let kinds: Vec<(RawLine, &[u8])> = got.iter().map(|(r, b, _)| (*r, b.as_slice())).collect();
        assert_eq!(
            kinds,
            vec![
                (RawLine::Complete, &b"a"[..]),
                (RawLine::TooLong { terminated: true }, &b""[..]),
                (RawLine::Complete, &b"b"[..]),
            ]
        );
    }

    #[test]
    fn dropping_the_reader_early_stops_the_producer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, "line\n".repeat(1_000_000)).unwrap();
        let mut batches = Batches::spawn(File::open(&path).unwrap()).unwrap();
        assert_eq!(batches.next_line().unwrap(), Some(RawLine::Complete));
        // Dropping joins the producer: it must stop early, not read the
        // whole file, and never hang the drop.
        let (done, dropped) = mpsc::channel();
        std::thread::spawn(move || {
            drop(batches);
            let _ = done.send(());
        });
        assert!(
            dropped.recv_timeout(Duration::from_secs(10)).is_ok(),
            "dropping the reader did not stop its producer"
        );
    }
}
