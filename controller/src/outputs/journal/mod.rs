//! The event log writer: the only code that appends to
//! `<data-dir>/events/YYYY-MM-DD.jsonl`.
//!
//! The house task appends records to a [`backlog`](super::backlog) without
//! ever waiting. Two threads take them from there, because their work is
//! blocking and the disk's part of it is mostly waiting: the
//! [`encoder`] gives each record its `seq` and its link in the hash chain,
//! and the [`writer`] appends what has gathered with one `write` and one
//! `fdatasync` (group commit: under load batches grow, idle they are one
//! record long). While the writer waits for the disk, the encoder prepares
//! the next batch. The file is chosen by each record's local date, so the
//! log rotates exactly at local midnight, but never goes back to an older
//! file when the clock steps back. On start, `seq` and the hash chain
//! continue from the last valid record on disk. No record is shown as
//! logged (`logged_seq`) before it is durable.

mod encoder;
mod writer;

use super::backlog::{self, JournalSender};
use chrono::{DateTime, FixedOffset};
use encoder::Encoder;
use homesec_ipc::eventlog::chain::Chain;
use homesec_ipc::eventlog::{Event, files, tail};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::watch;
use writer::Writer;

/// One record to write: when, and what.
pub type Entry = (DateTime<FixedOffset>, Event);

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
    /// A thread could not be started.
    #[error("cannot start the event log's threads: {0}")]
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

/// How long a stop keeps trying to write what waits, on a disk that refuses.
pub const STOP_GRACE: Duration = Duration::from_secs(5);

/// The open event log: the chain's state and the files.
pub struct Journal {
    encoder: Encoder,
    writer: Writer,
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
            encoder: Encoder::new(chain, newest),
            writer: Writer::new(events_dir),
        })
    }

    /// Follows the highest durable `seq`.
    pub fn logged_seq(&self) -> LoggedSeq {
        self.writer.logged_seq()
    }

    /// Follows whether the log can be written.
    pub fn health(&self) -> watch::Receiver<JournalHealth> {
        self.writer.health()
    }

    /// Starts the encoder and writer threads. They end when the sender is
    /// dropped and everything is durable (or [`STOP_GRACE`] has passed on
    /// a disk that refuses); join the handle to wait for that.
    pub fn spawn(self) -> Result<(JournalSender, std::thread::JoinHandle<()>), JournalError> {
        let (tx, to_encoder, to_writer) = backlog::channel();
        let Journal { encoder, writer } = self;
        let writing = std::thread::Builder::new()
            .name("journal-write".into())
            .spawn(move || writer.run(to_writer))
            .map_err(JournalError::Thread)?;
        // The handle is the encoder's, which outlives the writer: joining
        // it waits for both.
        let handle = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || {
                encoder.run(to_encoder);
                if writing.join().is_err() {
                    tracing::error!("the event log writer thread panicked");
                }
            })
            .map_err(JournalError::Thread)?;
        Ok((tx, handle))
    }

    /// Encodes and writes `entries` on the calling thread.
    #[cfg(test)]
    fn write_all(&mut self, entries: Vec<Entry>) {
        let batches = self.encoder.encode(entries);
        self.writer.accept(batches);
        self.writer.write_waiting();
        self.writer.announce();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_ipc::eventlog::reader::{Item, ProblemKind, Reader};
    use std::fs::OpenOptions;
    use std::io::Write;

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
        journal.write_all(entries.to_vec());
        let names: Vec<String> = files::list_files(dir.path())
            .unwrap()
            .into_iter()
            .map(|(_, p)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["2026-03-28.jsonl", "2026-03-29.jsonl"]);
        let (seqs, problems) = read(dir.path());
        assert_eq!(seqs, [1, 2, 3]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(*journal.logged_seq().borrow(), 3);
    }

    #[test]
    fn a_clock_stepping_back_never_sends_records_to_an_older_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(dir.path()).unwrap();
        journal.write_all([(ts("2026-11-22T08:00:00+00:00"), siren(true))].to_vec());
        drop(journal);
        let mut journal = Journal::open(dir.path()).unwrap();
        journal.write_all([(ts("2026-11-21T08:00:00+00:00"), siren(false))].to_vec());
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
        first.write_all([(day, siren(true)), (day, siren(false))].to_vec());
        drop(first);
        // A crash in the middle of the next record.
        let file = dir.path().join("2026-11-22.jsonl");
        let mut f = OpenOptions::new().append(true).open(&file).unwrap();
        f.write_all(br#"{"seq":3,"ts":"2026-11-22T10:00:01+00:00","ki"#)
            .unwrap();
        drop(f);

        let mut second = Journal::open(dir.path()).unwrap();
        second.write_all([(day, siren(true))].to_vec());
        let (seqs, problems) = read(dir.path());
        assert_eq!(seqs, [1, 2, 3], "seq continues from the last valid record");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            matches!(problems[0], ProblemKind::Corrupt { .. }),
            "{problems:?}"
        );
    }
}
