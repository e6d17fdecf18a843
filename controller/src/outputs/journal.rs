//! The event log writer: the only code that appends to
//! `<data-dir>/events/YYYY-MM-DD.jsonl`.
//!
//! It runs on its own thread because its work is blocking file I/O. The
//! house task appends records to a [`backlog`](super::backlog) without ever
//! waiting; the thread takes whatever has queued up and writes it with one
//! `write` and one `fdatasync` (group commit): under load batches grow,
//! idle they are one record long. The file is chosen by each record's
//! local date, so the log rotates exactly at local midnight, but never goes
//! back to an older file when the clock steps back. On start, `seq` and the
//! hash chain continue from the last valid record on disk.
//!
//! A disk that refuses a write (full, failing) never stops the house: the
//! records that made it, up to the last whole line, stay and are made
//! durable; the rest wait — encoded, in order — and are retried with
//! backoff, so recovery writes whatever fits, with no gap in `seq`. The
//! fault is announced ([`JournalHealth`]) for the status segment and
//! `homesecctl`. A stop on a full disk gives up after [`STOP_GRACE`] and
//! says how many records it could not write. No record is shown as logged
//! (`logged_seq`) before it is durable.

use super::backlog::{self, Ack, Item, JournalReceiver, JournalSender};
use chrono::{DateTime, FixedOffset, NaiveDate};
use homesec_ipc::eventlog::chain::Chain;
use homesec_ipc::eventlog::{Event, files, tail};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// One record to write: when, and what.
pub type Entry = (DateTime<FixedOffset>, Event);

/// Most bytes gathered into one batch before it is written.
const MAX_BATCH_BYTES: usize = 1 << 20;

/// Why the journal could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The events dir could not be created or read.
    #[error("event log dir {path}: {source}")]
    Dir {
        /// The events dir.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The last records could not be read to continue the chain.
    #[error("reading the end of the event log: {0}")]
    Tail(#[from] tail::TailError),
    /// The writer thread could not be started.
    #[error("cannot start the event log writer thread: {0}")]
    Thread(io::Error),
}

/// The highest `seq` that is written and fsynced, announced after each batch.
pub type LoggedSeq = watch::Receiver<u64>;

/// Whether the event log can be written, announced when it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalHealth {
    /// Why the last write failed, while writes fail.
    pub fault: Option<String>,
    /// Records dropped since the start because they waited too long.
    pub lost: u64,
}

/// The first wait before a failed write is tried again.
const RETRY_FIRST: Duration = Duration::from_millis(100);
/// The longest wait between tries.
const RETRY_MAX: Duration = Duration::from_secs(5);
/// How long a stop keeps trying to write what waits, on a disk that refuses.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// The open event log: the current file and the chain state.
pub struct Journal {
    events_dir: PathBuf,
    chain: Chain,
    /// The day file appended to, kept open between batches.
    current: Option<(NaiveDate, File)>,
    /// Encoded records not yet durable, all of one day: `buf_date`.
    buf: Vec<u8>,
    buf_date: Option<NaiveDate>,
    /// Where each record in `buf` ends, and its `seq`.
    ends: Vec<(usize, u64)>,
    /// No record goes to a file older than this: the newest day written.
    /// A clock that steps back (a Pi booting before NTP) must not send
    /// records, and with them the highest `seq`, into an older file.
    floor: Option<NaiveDate>,
    logged: watch::Sender<u64>,
    health: watch::Sender<JournalHealth>,
    /// The highest `seq` known durable (on disk before this run, or
    /// written and synced by it).
    durable: u64,
    /// Acks owed once the `seq` beside them is durable, in order.
    acks: Vec<(u64, Ack)>,
}

impl Journal {
    /// Opens the log in `events_dir`, continuing the chain from its last valid record.
    pub fn open(events_dir: &Path) -> Result<Journal, JournalError> {
        std::fs::create_dir_all(events_dir).map_err(|source| JournalError::Dir {
            path: events_dir.to_path_buf(),
            source,
        })?;
        let newest = files::list_files(events_dir)
            .map_err(|source| JournalError::Dir {
                path: events_dir.to_path_buf(),
                source,
            })?
            .last()
            .map(|(date, _)| *date);
        let chain = match tail::resume_point(events_dir)? {
            Some(point) => {
                tracing::info!(
                    next_seq = point.next_seq,
                    file = %point.last_file.display(),
                    "event log continues"
                );
                Chain::resume(point.next_seq, point.prev_hash)
            }
            None => Chain::new(),
        };
        let durable = chain.next_seq().saturating_sub(1);
        Ok(Journal {
            events_dir: events_dir.to_path_buf(),
            chain,
            current: None,
            buf: Vec::with_capacity(MAX_BATCH_BYTES),
            buf_date: None,
            ends: Vec::new(),
            floor: newest,
            logged: watch::Sender::new(0),
            health: watch::Sender::new(JournalHealth::default()),
            durable,
            acks: Vec::new(),
        })
    }

    /// Follows the highest durable `seq`.
    pub fn logged_seq(&self) -> LoggedSeq {
        self.logged.subscribe()
    }

    /// Follows whether the log can be written.
    pub fn health(&self) -> watch::Receiver<JournalHealth> {
        self.health.subscribe()
    }

    /// Starts the writer thread. It ends when the sender is dropped and
    /// everything is durable (or [`STOP_GRACE`] has passed on a disk that
    /// refuses); join the handle to wait for that.
    pub fn spawn(self) -> Result<(JournalSender, std::thread::JoinHandle<()>), JournalError> {
        let (tx, rx) = backlog::channel();
        let handle = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || self.run(rx))
            .map_err(JournalError::Thread)?;
        Ok((tx, handle))
    }

    fn run(mut self, rx: JournalReceiver) {
        let mut retry = RETRY_FIRST;
        let mut stop_by: Option<Instant> = None;
        loop {
            if self.health.borrow().fault.is_some() {
                rx.pause(retry);
            }
            let taken = rx.take(None);
            if taken.closed && stop_by.is_none() {
                stop_by = Some(Instant::now() + STOP_GRACE);
            }
            let rest = self.write_all(taken.entries);
            let done = rest.is_empty() && self.buf.is_empty();
            match self.health_after(&rest, taken.lost) {
                true => retry = RETRY_FIRST,
                false => retry = (retry * 2).min(RETRY_MAX),
            }
            rx.put_back(rest.into_iter());
            if taken.closed && done {
                break;
            }
            if stop_by.is_some_and(|by| Instant::now() >= by) {
                let left = rx.waiting() + self.ends.len();
                tracing::error!(
                    records = left,
                    "stopping with {left} records not written to the event log: the disk still refuses them"
                );
                break;
            }
        }
        tracing::debug!("journal closed");
    }

    /// Announces whether the last round wrote everything; `true` if it did.
    fn health_after(&mut self, rest: &[Item], lost: u64) -> bool {
        let healthy = rest.is_empty() && self.buf.is_empty();
        let fault = if healthy {
            None
        } else {
            self.health
                .borrow()
                .fault
                .clone()
                .or(Some("write failed".into()))
        };
        self.health.send_if_modified(|h| {
            let changed = h.fault.is_some() != fault.is_some() || h.lost != lost;
            if h.fault.is_none() || fault.is_none() {
                h.fault = fault;
            }
            h.lost = lost;
            changed
        });
        healthy
    }

    /// Writes what is encoded and then `items`, each record to the file of
    /// its local date (never older than the floor), made durable, and runs
    /// the acks whose records are. Returns the items not yet reached when a
    /// write failed (the encoded rest stays in the buffer for the next try).
    fn write_all(&mut self, items: Vec<Item>) -> Vec<Item> {
        if self.flush().is_err() {
            return items;
        }
        let mut items = items.into_iter();
        while let Some(item) = items.next() {
            let (ts, event) = match item {
                Item::Record(entry) => entry,
                Item::Ack(ack) => {
                    // Owed once the last record encoded before it is durable.
                    let after = self.chain.next_seq().saturating_sub(1);
                    self.acks.push((after, ack));
                    continue;
                }
            };
            let date = self
                .floor
                .map_or(ts.date_naive(), |floor| floor.max(ts.date_naive()));
            if self.buf_date != Some(date) || self.buf.len() >= MAX_BATCH_BYTES {
                if self.flush().is_err() {
                    let this = Item::Record((ts, event));
                    return std::iter::once(this).chain(items).collect();
                }
                self.buf_date = Some(date);
                self.floor = Some(date);
            }
            match self.chain.append(ts, &event, &mut self.buf) {
                Ok(seq) => self.ends.push((self.buf.len(), seq)),
                Err(e) => {
                    tracing::error!(error = %e, "event log: cannot encode a record; it is lost")
                }
            }
        }
        let _ = self.flush();
        self.run_acks();
        Vec::new()
    }

    /// Runs the acks whose records are durable.
    fn run_acks(&mut self) {
        let due = self
            .acks
            .partition_point(|&(after, _)| after <= self.durable);
        for (_, ack) in self.acks.drain(..due) {
            ack.done(self.durable);
        }
    }

    /// Writes the buffer to its day file and makes it durable. On failure
    /// the whole records that reached the disk stay (made durable), the
    /// rest waits in the buffer; the error says why.
    fn flush(&mut self) -> io::Result<()> {
        let Some(date) = self.buf_date else {
            return Ok(());
        };
        if self.buf.is_empty() {
            return Ok(());
        }
        let written = match self.write_buffer(date) {
            Ok(()) => self.buf.len(),
            Err((e, kept)) => {
                self.current = None;
                self.keep_written(kept);
                let first = self.health.borrow().fault.is_none();
                if first {
                    tracing::error!(error = %e, %date, "EVENT LOG NOT WRITABLE: records wait in memory and are retried");
                    self.health.send_modify(|h| h.fault = Some(e.to_string()));
                }
                return Err(e);
            }
        };
        self.keep_written(written);
        if self.health.borrow().fault.is_some() {
            tracing::warn!(%date, "event log writable again");
        }
        Ok(())
    }

    /// Drops the first `bytes` of the buffer, which are durable, and
    /// announces the highest `seq` among them.
    fn keep_written(&mut self, bytes: usize) {
        let whole = self.ends.partition_point(|&(end, _)| end <= bytes);
        let Some(&(end, seq)) = whole.checked_sub(1).and_then(|i| self.ends.get(i)) else {
            return;
        };
        self.buf.drain(..end);
        self.ends.drain(..whole);
        for (at, _) in &mut self.ends {
            *at -= end;
        }
        self.durable = seq;
        self.logged.send_replace(seq);
        tracing::trace!("durable up to seq {seq}");
    }

    /// Appends the buffer to the day file; on failure, how many bytes of it
    /// are durably in the file (whole records only).
    fn write_buffer(&mut self, date: NaiveDate) -> Result<(), (io::Error, usize)> {
        if self.current.as_ref().is_none_or(|(d, _)| *d != date) {
            let path = self.events_dir.join(files::file_name(date));
            let file = open_for_append(&path).map_err(|e| (e, 0))?;
            sync_dir(&self.events_dir).map_err(|e| (e, 0))?;
            tracing::info!(file = %path.display(), "event log file");
            self.current = Some((date, file));
        }
        match self.current.as_mut() {
            Some((_, file)) => write_durably(file, &self.buf, &self.ends),
            None => Err((io::Error::other("no event log file open"), 0)),
        }
    }
}

/// Appends `buf` (whose records end at `ends`) and makes it durable. On a
/// failure (a full disk takes part of a write), the file is cut back to the
/// last whole record that reached it, which is made durable; the error
/// comes with how many bytes of `buf` that is.
fn write_durably(
    file: &mut File,
    buf: &[u8],
    ends: &[(usize, u64)],
) -> Result<(), (io::Error, usize)> {
    let before = file.metadata().map_err(|e| (e, 0))?.len();
    let error = match file.write_all(buf) {
        Ok(()) => match file.sync_data() {
            Ok(()) => return Ok(()),
            // What a failed fsync wrote cannot be trusted: all of it goes.
            Err(e) => {
                let _ = file.set_len(before);
                return Err((e, 0));
            }
        },
        Err(e) => e,
    };
    let reached = file
        .metadata()
        .map(|m| usize::try_from(m.len().saturating_sub(before)).unwrap_or(0))
        .unwrap_or(0);
    let whole = ends
        .iter()
        .map(|&(end, _)| end)
        .take_while(|&end| end <= reached)
        .last()
        .unwrap_or(0);
    let kept = file
        .set_len(before + whole as u64)
        .and_then(|()| file.sync_data())
        .map_or(0, |()| whole);
    if kept == 0 {
        let _ = file.set_len(before);
    }
    Err((error, kept))
}

/// Opens a day file for appending; if a crash left it ending in the middle
/// of a line, ends that line first so the torn record stays one bad line
/// instead of corrupting the next good one.
fn open_for_append(path: &Path) -> io::Result<File> {
    let mut file = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o640)
        .open(path)?;
    if tail::ends_without_newline(path)? {
        tracing::warn!(file = %path.display(), "event log ends in a torn line (crash?); it is closed off and kept for the reader to count");
        file.write_all(b"\n")?;
    }
    Ok(file)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_ipc::eventlog::reader::{Item as ReadItem, ProblemKind, Reader};

    fn ts(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn siren(on: bool) -> Event {
        Event::siren(on)
    }

    fn records(entries: &[Entry]) -> Vec<Item> {
        entries.iter().cloned().map(Item::Record).collect()
    }

    #[test]
    fn an_ack_runs_once_the_records_before_it_are_durable() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path()).unwrap();
        let day = ts("2026-11-22T10:00:00+00:00");
        let (tx, rx) = std::sync::mpsc::channel();
        let ack = |tx: std::sync::mpsc::Sender<u64>| Ack::new(move |seq| tx.send(seq).unwrap());
        let mut items = records(&[(day, siren(true)), (day, siren(false))]);
        items.push(Item::Ack(ack(tx.clone())));
        items.extend(records(&[(day, siren(true))]));
        journal.write_all(items);
        assert_eq!(
            rx.try_recv(),
            Ok(3),
            "run after the write, with the durable seq"
        );
        assert_eq!(read(dir.path()).0, [1, 2, 3]);
        // An ack with nothing before it in its batch is owed nothing new.
        journal.write_all(vec![Item::Ack(ack(tx))]);
        assert_eq!(rx.try_recv(), Ok(3));
    }

    /// Records and problems of a whole events dir.
    fn read(dir: &Path) -> (Vec<u64>, Vec<ProblemKind>) {
        let mut reader = Reader::from_dir(dir).unwrap();
        let (mut seqs, mut problems) = (Vec::new(), Vec::new());
        while let Some(item) = reader.next_item() {
            match item {
                ReadItem::Record(e) => seqs.push(e.record.seq),
                ReadItem::Problem(p) => problems.push(p.kind),
            }
        }
        (seqs, problems)
    }

    #[test]
    fn rotates_at_local_midnight_and_the_chain_runs_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path()).unwrap();
        let entries = [
            (ts("2026-03-28T23:59:59.999+01:00"), siren(true)),
            (ts("2026-03-29T00:00:00.000+01:00"), siren(false)),
            (ts("2026-03-29T03:00:00.000+02:00"), siren(true)),
        ];
        journal.write_all(records(&entries));
        let names: Vec<String> = files::list_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|(_, p)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["2026-03-28.jsonl", "2026-03-29.jsonl"]);
        let (seqs, problems) = read(dir.path());
        assert_eq!(seqs, [1, 2, 3]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(*journal.logged.borrow(), 3);
    }

    #[test]
    fn a_clock_stepping_back_never_sends_records_to_an_older_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path()).unwrap();
        journal.write_all(records(&[(ts("2026-11-22T08:00:00+00:00"), siren(true))]));
        drop(journal);
        let mut journal = Journal::open(dir.path()).unwrap();
        journal.write_all(records(&[(ts("2026-11-21T08:00:00+00:00"), siren(false))]));
        let names: Vec<_> = files::list_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|(d, _)| d.to_string())
            .collect();
        assert_eq!(names, ["2026-11-22"]);
        let (seqs, problems) = read(dir.path());
        assert_eq!(seqs, [1, 2]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn a_restart_continues_seq_and_chain_after_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let day = ts("2026-11-22T10:00:00+00:00");
        let mut first = Journal::open(dir.path()).unwrap();
        first.write_all(records(&[(day, siren(true)), (day, siren(false))]));
        drop(first);
        // A crash in the middle of the next record.
        let file = dir.path().join("2026-11-22.jsonl");
        let mut f = OpenOptions::new().append(true).open(&file).unwrap();
        f.write_all(br#"{"seq":3,"ts":"2026-11-22T10:00:01+00:00","ki"#)
            .unwrap();
        drop(f);

        let mut second = Journal::open(dir.path()).unwrap();
        second.write_all(records(&[(day, siren(true))]));
        let (seqs, problems) = read(dir.path());
        assert_eq!(seqs, [1, 2, 3], "seq continues from the last valid record");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            matches!(problems[0], ProblemKind::Corrupt { .. }),
            "{problems:?}"
        );
    }
}
