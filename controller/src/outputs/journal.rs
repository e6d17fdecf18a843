//! The event log writer: the only code that appends to
//! `<data-dir>/events/YYYY-MM-DD.jsonl`.
//!
//! It runs on its own thread because its work is blocking file I/O. Records
//! arrive in batches over a bounded channel; whatever has queued up while the
//! previous batch was being written becomes the next batch, which is written
//! with one `write` and made durable with one `fdatasync` (group commit). So
//! a batch never waits for more records: under load batches grow, idle they
//! are one record long. The file is chosen by each record's local date, so
//! the log rotates exactly at local midnight, but never goes back to an
//! older file when the clock steps back. On start, `seq` and the hash chain
//! continue from the last valid record on disk. A failed write is rolled
//! back and retried with backoff until the disk takes it; meanwhile the
//! bounded channel fills and the daemon slows down rather than drop
//! records it already took in.

use chrono::{DateTime, FixedOffset, NaiveDate};
use homesec_ipc::eventlog::chain::Chain;
use homesec_ipc::eventlog::{Event, files, tail};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

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

/// The sending side, held by the house task.
pub type JournalSender = mpsc::Sender<Vec<Entry>>;

/// The highest `seq` that is written and fsynced, announced after each batch.
pub type LoggedSeq = watch::Receiver<u64>;

/// The open event log: the current file and the chain state.
pub struct Journal {
    events_dir: PathBuf,
    chain: Chain,
    /// The day file appended to, kept open between batches.
    current: Option<(NaiveDate, File)>,
    /// Encoded records not yet durable, all of one day: `buf_date`.
    buf: Vec<u8>,
    buf_date: Option<NaiveDate>,
    /// No record goes to a file older than this: the newest day written.
    /// A clock that steps back (a Pi booting before NTP) must not send
    /// records, and with them the highest `seq`, into an older file.
    floor: Option<NaiveDate>,
    logged: watch::Sender<u64>,
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
        Ok(Journal {
            events_dir: events_dir.to_path_buf(),
            chain,
            current: None,
            buf: Vec::with_capacity(MAX_BATCH_BYTES),
            buf_date: None,
            floor: newest,
            logged: watch::Sender::new(0),
        })
    }

    /// Follows the highest durable `seq`.
    pub fn logged_seq(&self) -> LoggedSeq {
        self.logged.subscribe()
    }

    /// Starts the writer thread. It ends when every sender is dropped and
    /// the last batch is durable; join the handle to wait for that.
    pub fn spawn(
        self,
        capacity: usize,
    ) -> Result<(JournalSender, std::thread::JoinHandle<()>), JournalError> {
        let (tx, rx) = mpsc::channel(capacity);
        let handle = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || self.run(rx))
            .map_err(JournalError::Thread)?;
        Ok((tx, handle))
    }

    fn run(mut self, mut rx: mpsc::Receiver<Vec<Entry>>) {
        while let Some(batch) = rx.blocking_recv() {
            let mut batches = vec![batch];
            let mut queued: usize = batches[0].len();
            while queued < 64 * 1024 {
                match rx.try_recv() {
                    Ok(more) => {
                        queued += more.len();
                        batches.push(more);
                    }
                    Err(_) => break,
                }
            }
            self.write_all(batches.iter().flatten());
        }
        tracing::debug!("journal closed");
    }

    /// Appends entries, each to the file of its local date (never older
    /// than the floor), and makes them durable.
    fn write_all<'a>(&mut self, entries: impl Iterator<Item = &'a Entry>) {
        for (ts, event) in entries {
            let date = self
                .floor
                .map_or(ts.date_naive(), |floor| floor.max(ts.date_naive()));
            if self.buf_date != Some(date) || self.buf.len() >= MAX_BATCH_BYTES {
                self.flush();
                self.buf_date = Some(date);
                self.floor = Some(date);
            }
            if let Err(e) = self.chain.append(*ts, event, &mut self.buf) {
                tracing::error!(error = %e, "event log: cannot encode a record; it is lost");
            }
        }
        self.flush();
    }

    /// Writes the buffer to its day file and makes it durable, retrying
    /// with backoff until it works. Meanwhile the bounded channel fills and
    /// the daemon slows down instead of dropping what it already took in.
    fn flush(&mut self) {
        let Some(date) = self.buf_date else { return };
        if self.buf.is_empty() {
            return;
        }
        let mut backoff = Duration::from_millis(100);
        let mut failures = 0u32;
        loop {
            match self.write_buffer(date) {
                Ok(()) => break,
                Err(e) => {
                    failures += 1;
                    tracing::error!(error = %e, %date, failures, "event log write failed; retrying in {backoff:?}");
                    self.current = None;
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
        if failures > 0 {
            tracing::warn!(%date, failures, "event log writable again");
        }
        self.buf.clear();
        let seq = self.chain.next_seq().saturating_sub(1);
        self.logged.send_replace(seq);
        tracing::trace!("durable up to seq {seq}");
    }

    fn write_buffer(&mut self, date: NaiveDate) -> io::Result<()> {
        if self.current.as_ref().is_none_or(|(d, _)| *d != date) {
            let path = self.events_dir.join(files::file_name(date));
            let file = open_for_append(&path)?;
            sync_dir(&self.events_dir)?;
            tracing::info!(file = %path.display(), "event log file");
            self.current = Some((date, file));
        }
        match self.current.as_mut() {
            Some((_, file)) => write_durably(file, &self.buf),
            None => Err(io::Error::other("no event log file open")),
        }
    }
}

/// Appends `buf`; on failure truncates back to the length before.
fn write_durably(file: &mut File, buf: &[u8]) -> io::Result<()> {
    let before = file.metadata()?.len();
    let result = file.write_all(buf).and_then(|()| file.sync_data());
    if result.is_err() {
        let _ = file.set_len(before);
    }
    result
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
    use homesec_ipc::eventlog::reader::{Item, ProblemKind, Reader};

    fn ts(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn siren(on: bool) -> Event {
        Event::Siren { on }
    }

    /// Records and problems of a whole events dir.
    fn read(dir: &Path) -> (Vec<u64>, Vec<ProblemKind>) {
        let mut reader = Reader::from_dir(dir).unwrap();
        let (mut seqs, mut problems) = (Vec::new(), Vec::new());
        while let Some(item) = reader.next_item() {
            match item {
                Item::Record(e) => seqs.push(e.record.seq),
                Item::Problem(p) => problems.push(p.kind),
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
        journal.write_all(entries.iter());
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
        journal.write_all([(ts("2026-11-22T08:00:00+00:00"), siren(true))].iter());
        drop(journal);
        let mut journal = Journal::open(dir.path()).unwrap();
        journal.write_all([(ts("2026-11-21T08:00:00+00:00"), siren(false))].iter());
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
        first.write_all([(day, siren(true)), (day, siren(false))].iter());
        drop(first);
        // A crash in the middle of the next record.
        let file = dir.path().join("2026-11-22.jsonl");
        let mut f = OpenOptions::new().append(true).open(&file).unwrap();
        f.write_all(br#"{"seq":3,"ts":"2026-11-22T10:00:01+00:00","ki"#)
            .unwrap();
        drop(f);

        let mut second = Journal::open(dir.path()).unwrap();
        second.write_all([(day, siren(true))].iter());
        let (seqs, problems) = read(dir.path());
        assert_eq!(seqs, [1, 2, 3], "seq continues from the last valid record");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            matches!(problems[0], ProblemKind::Corrupt { .. }),
            "{problems:?}"
        );
    }
}
