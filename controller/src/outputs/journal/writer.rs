//! The journal's second thread: appends the encoder's batches to their
//! day files and makes them durable, one `write` and one `fdatasync` for
//! whatever has gathered since the last (group commit). Only here is
//! `logged_seq` raised, and only once the records are on disk.
//!
//! A disk that refuses a write (full, failing) never stops the house: the
//! records that made it, up to the last whole line, stay and are made
//! durable; the rest wait, encoded and in order, and are retried with
//! backoff, so recovery writes whatever fits, with no gap in `seq`. The
//! fault is announced ([`JournalHealth`]) for the status segment and
//! `homesecctl`. A stop on a full disk gives up after [`STOP_GRACE`] and
//! says how many records it could not write.

use super::{JournalHealth, STOP_GRACE};
use crate::outputs::backlog::{Encoded, WriterEnd};
use chrono::NaiveDate;
use homesec_ipc::eventlog::{files, tail};
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The first wait before a failed write is tried again.
const RETRY_FIRST: Duration = Duration::from_millis(100);
/// The longest wait between tries.
const RETRY_MAX: Duration = Duration::from_secs(5);
/// Most bytes gathered into one `write`.
const MAX_WRITE_BYTES: usize = 1 << 20;

/// The files side of the journal.
pub struct Writer {
    events_dir: PathBuf,
    /// The day file appended to, kept open between batches.
    current: Option<(NaiveDate, File)>,
    /// Encoded records not yet durable, all of one day: `buf_date`.
    buf: Vec<u8>,
    buf_date: Option<NaiveDate>,
    /// Where each record in `buf` ends, and its `seq`.
    ends: Vec<(usize, u64)>,
    /// Batches behind `buf`: of another day, or `buf` was full, or the
    /// disk refused.
    waiting: VecDeque<Encoded>,
    /// Records made durable since the thread last said so, and the
    /// highest `seq` among them.
    made_durable: usize,
    durable_seq: Option<u64>,
    logged: watch::Sender<u64>,
    health: watch::Sender<JournalHealth>,
}

impl Writer {
    /// A writer of day files in `events_dir` (which exists).
    pub fn new(events_dir: &Path) -> Writer {
        Writer {
            events_dir: events_dir.to_path_buf(),
            current: None,
            buf: Vec::with_capacity(MAX_WRITE_BYTES),
            buf_date: None,
            ends: Vec::new(),
            waiting: VecDeque::new(),
            made_durable: 0,
            durable_seq: None,
            logged: watch::Sender::new(0),
            health: watch::Sender::new(JournalHealth::default()),
        }
    }

    /// Follows the highest durable `seq`.
    pub fn logged_seq(&self) -> watch::Receiver<u64> {
        self.logged.subscribe()
    }

    /// Follows whether the log can be written.
    pub fn health(&self) -> watch::Receiver<JournalHealth> {
        self.health.subscribe()
    }

    /// Writes batches until the encoder is done and all is durable, or a
    /// stop has waited [`STOP_GRACE`] for a disk that refuses.
    pub fn run(mut self, end: WriterEnd) {
        let mut retry = RETRY_FIRST;
        let mut stop_by: Option<Instant> = None;
        loop {
            if self.health.borrow().fault.is_some() {
                end.pause(retry);
            }
            let handed = end.take(self.is_done());
            if handed.closed && stop_by.is_none() {
                stop_by = Some(Instant::now() + STOP_GRACE);
            }
            self.accept(handed.batches);
            self.write_waiting();
            end.durable(std::mem::take(&mut self.made_durable));
            // Room first, then `logged_seq`: a house task woken by the new
            // `logged_seq` must already see the room it waits for.
            self.announce();
            match self.health_after(handed.lost) {
                true => retry = RETRY_FIRST,
                false => retry = (retry * 2).min(RETRY_MAX),
            }
            if handed.last && self.is_done() {
                break;
            }
            if stop_by.is_some_and(|by| Instant::now() >= by) {
                let left = end.not_durable();
                tracing::error!(
                    records = left,
                    "stopping with {left} records not written to the event log: the disk still refuses them"
                );
                break;
            }
        }
        tracing::debug!("journal closed");
    }

    /// Takes batches to write, after those already waiting.
    pub fn accept(&mut self, batches: Vec<Encoded>) {
        self.waiting.extend(batches);
    }

    /// Whether everything accepted is durable.
    fn is_done(&self) -> bool {
        self.buf.is_empty() && self.waiting.is_empty()
    }

    /// Writes what waits, each batch to the file of its date, made
    /// durable; stops at the first write the disk refuses (the rest waits
    /// for the next try).
    pub fn write_waiting(&mut self) {
        while let Some(batch) = self.waiting.pop_front() {
            if self.buf_date != Some(batch.date) || self.buf.len() >= MAX_WRITE_BYTES {
                if self.flush().is_err() {
                    self.waiting.push_front(batch);
                    return;
                }
                self.buf_date = Some(batch.date);
            }
            let base = self.buf.len();
            self.buf.extend_from_slice(&batch.bytes);
            self.ends
                .extend(batch.ends.iter().map(|&(end, seq)| (base + end, seq)));
        }
        let _ = self.flush();
    }

    /// Announces whether everything accepted is durable; `true` if it is.
    fn health_after(&mut self, lost: u64) -> bool {
        let healthy = self.is_done();
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
        self.made_durable += whole;
        self.durable_seq = Some(seq);
        tracing::trace!("durable up to seq {seq}");
    }

    /// Raises `logged_seq` to what is durable now.
    pub fn announce(&mut self) {
        if let Some(seq) = self.durable_seq.take() {
            self.logged.send_replace(seq);
        }
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
