//! Streaming, verifying reader over one or more event log files.
//!
//! Memory is bounded (reused buffers that grow only to hold a line of at
//! most [`MAX_RECORD_LINE`] bytes; a second thread reads, hashes and scans
//! ahead, a few MiB at most) and the reader never stops: every
//! line is either a record or a [`Problem`], and reading goes on. The
//! sequence and hash chain are checked across files, each record against the
//! last *valid* record before it, so one removed line shows as a `SeqGap` and
//! a `ChainBreak` at the next record, and one altered line as a `ChainBreak`
//! at the record after it.

mod batches;
mod lines;
mod sensor_scanner;

use super::chain::{GENESIS, hex_bytes};
use super::files::list_files;
use super::record::{Event, Record};
use crate::{SensorKind, SensorState};
use batches::Batches;
use chrono::{DateTime, FixedOffset};
use lines::RawLine;
use sensor_scanner::SensorLine;
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The longest line the reader accepts, in bytes; longer lines are corrupt
/// and skipped without being buffered.
pub const MAX_RECORD_LINE: usize = 1 << 20;

/// Something wrong at one line of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// The line number, from 1 (0 when the file could not be opened).
    pub line: u64,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// What is wrong with a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The last line of a file has no `\n` and is not a record: a write that
    /// was cut short (or is still under way).
    Torn,
    /// A complete line that is not a record.
    Corrupt {
        /// Why it is not a record.
        reason: String,
    },
    /// A record whose seq does not follow the last valid record's.
    SeqGap {
        /// The last valid seq plus one.
        expected: u64,
        /// The seq the record has.
        found: u64,
    },
    /// A record whose `prev` is not the hash of the last valid record's line
    /// (or, for seq 1, not [`GENESIS`]).
    ChainBreak {
        /// The seq of the record whose `prev` is wrong.
        seq: u64,
    },
    /// The file could not be opened or read; the reader went on with the next.
    Unreadable {
        /// The I/O error.
        reason: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.kind)
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::Torn => {
                f.write_str("torn last line: no newline and not a complete record")
            }
            ProblemKind::Corrupt { reason } => write!(f, "corrupt line: {reason}"),
            ProblemKind::SeqGap { expected, found } => {
                write!(f, "sequence gap: expected seq {expected}, found {found}")
            }
            ProblemKind::ChainBreak { seq } => write!(
                f,
                "hash chain broken at seq {seq}: prev is not the hash of the last valid record"
            ),
            ProblemKind::Unreadable { reason } => write!(f, "cannot read file: {reason}"),
        }
    }
}

/// How many of each thing the reader has met so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Lines that were records.
    pub records: u64,
    /// Torn last lines.
    pub torn: u64,
    /// Corrupt lines.
    pub corrupt: u64,
    /// Sequence gaps.
    pub gaps: u64,
    /// Chain breaks.
    pub breaks: u64,
    /// Files that could not be opened or read to the end.
    pub unreadable: u64,
}

/// One thing the reader found, as an owned [`Record`] (see [`Reader::next_item`]).
#[derive(Debug)]
pub enum Item<'a> {
    /// A record, after any problems found with it.
    Record(Entry<'a>),
    /// A problem.
    Problem(Problem),
}

/// A record and where it was.
#[derive(Debug)]
pub struct Entry<'a> {
    /// The file it is in.
    pub file: &'a Path,
    /// Its line number, from 1.
    pub line: u64,
    /// The record.
    pub record: Record,
}

/// One thing the reader found, borrowed from the reader (see [`Reader::next_ref`]).
#[derive(Debug)]
pub enum ItemRef<'a> {
    /// A record, after any problems found with it.
    Record(EntryRef<'a>),
    /// A problem.
    Problem(Problem),
}

/// A borrowed record and where it was.
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    /// The file it is in.
    pub file: &'a Path,
    /// Its line number, from 1.
    pub line: u64,
    /// The record.
    pub record: RecordRef<'a>,
}

/// A verified record whose text fields borrow the reader's buffers: what
/// [`Record`] holds, without allocating for the common `sensor` records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordRef<'a> {
    /// Sequence number.
    pub seq: u64,
    /// When the controller decided it.
    pub ts: DateTime<FixedOffset>,
    /// What happened.
    pub event: EventRef<'a>,
    /// SHA-256 (hex) of the previous record's line.
    pub prev: &'a str,
}

/// What a [`RecordRef`] says happened.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventRef<'a> {
    /// A sensor event: every `sensor` record comes as this variant, never as
    /// `Other(Event::Sensor { .. })`.
    Sensor(SensorEvent<'a>),
    /// Any other kind (these are rare, and parsed in full).
    Other(&'a Event),
}

/// The fields of a `sensor` record (see [`Event::Sensor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SensorEvent<'a> {
    /// Sensor id.
    pub sensor: &'a str,
    /// The sensor's zone id.
    pub zone: &'a str,
    /// The sensor's kind.
    pub sensor_kind: SensorKind,
    /// What it reported.
    pub state: SensorState,
    /// The input it came through.
    pub source: &'a str,
}

impl RecordRef<'_> {
    /// The record's `kind` as written in the log (`sensor`, `alarm`, ...).
    pub fn kind(&self) -> &'static str {
        match self.event {
            EventRef::Sensor(_) => "sensor",
            EventRef::Other(event) => kind_name(event),
        }
    }

    /// The same record, owned.
    pub fn to_record(&self) -> Record {
        let event = match self.event {
            EventRef::Sensor(s) => Event::Sensor {
                sensor: s.sensor.to_string(),
                zone: s.zone.to_string(),
                sensor_kind: s.sensor_kind,
                state: s.state,
                source: s.source.to_string(),
            },
            EventRef::Other(event) => event.clone(),
        };
        Record {
            seq: self.seq,
            ts: self.ts,
            event,
            prev: self.prev.to_string(),
        }
    }
}

/// The `kind` tag of an event.
fn kind_name(event: &Event) -> &'static str {
    match event {
        Event::Start { .. } => "start",
        Event::Stop { .. } => "stop",
        Event::Sensor { .. } => "sensor",
        Event::Rejected { .. } => "rejected",
        Event::RejectedSummary { .. } => "rejected_summary",
        Event::Alarm { .. } => "alarm",
        Event::ArmRefused { .. } => "arm_refused",
        Event::Code { .. } => "code",
        Event::Duress { .. } => "duress",
        Event::Bypass { .. } => "bypass",
        Event::Unbypass { .. } => "unbypass",
        Event::ActivateAlarm { .. } => "activate_alarm",
        Event::Trouble { .. } => "trouble",
        Event::Siren { .. } => "siren",
        Event::SystemTrouble { .. } => "system_trouble",
        Event::Clock { .. } => "clock",
        Event::Superseded { .. } => "superseded",
        Event::Signal { .. } => "signal",
        Event::Config { .. } => "config",
        Event::Snapshot { .. } => "snapshot",
    }
}

/// The current record: found by the scanner (fields are ranges of the
/// current line) or parsed by `serde_json`.
#[derive(Debug)]
enum Parsed {
    Scanned(SensorLine),
    Full(Record),
}

impl Parsed {
    /// Its seq and `prev` bytes (`line` is the line it was read from).
    fn link<'a>(&'a self, line: &'a [u8]) -> (u64, &'a [u8]) {
        match self {
            Parsed::Scanned(s) => (s.seq, &line[s.prev.clone()]),
            Parsed::Full(r) => (r.seq, r.prev.as_bytes()),
        }
    }

    fn record_ref<'a>(&'a self, line: &'a [u8]) -> RecordRef<'a> {
        match self {
            Parsed::Scanned(s) => {
                // The scanner checked the line is printable ASCII: this
                // cannot fail, and one check of the line is cheaper than four
                // of its fields.
                let line = std::str::from_utf8(line).unwrap_or_default();
                let field =
                    |range: &std::ops::Range<usize>| line.get(range.clone()).unwrap_or_default();
                RecordRef {
                    seq: s.seq,
                    ts: s.ts,
                    event: EventRef::Sensor(SensorEvent {
                        sensor: field(&s.sensor),
                        zone: field(&s.zone),
                        sensor_kind: s.sensor_kind,
                        state: s.state,
                        source: field(&s.source),
                    }),
                    prev: field(&s.prev),
                }
            }
            Parsed::Full(r) => RecordRef {
                seq: r.seq,
                ts: r.ts,
                event: match &r.event {
                    Event::Sensor {
                        sensor,
                        zone,
                        sensor_kind,
                        state,
                        source,
                    } => EventRef::Sensor(SensorEvent {
                        sensor,
                        zone,
                        sensor_kind: *sensor_kind,
                        state: *state,
                        source,
                    }),
                    other => EventRef::Other(other),
                },
                prev: &r.prev,
            },
        }
    }
}

/// Reads records from a sequence of files, oldest first:
///
/// ```no_run
/// # use homesec_ipc::eventlog::reader::{EventRef, ItemRef, Reader};
/// let mut reader = Reader::from_dir("/var/lib/homesec/events".as_ref())?;
/// while let Some(item) = reader.next_ref() {
///     match item {
///         ItemRef::Record(entry) => match entry.record.event {
///             EventRef::Sensor(s) => println!("{} {} {}", entry.record.ts, s.sensor, s.state),
///             EventRef::Other(event) => println!("{} {event:?}", entry.record.ts),
///         },
///         ItemRef::Problem(problem) => eprintln!("{problem}"),
///     }
/// }
/// println!("{:?}", reader.counts());
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// [`next_ref`](Self::next_ref) lends each record without allocating for
/// `sensor` records; [`next_item`](Self::next_item) gives owned ones.
/// The first record read anchors the chain: when its seq is 1 its `prev` must
/// be [`GENESIS`], otherwise (older files not given) it is trusted.
#[derive(Debug)]
pub struct Reader {
    files: std::vec::IntoIter<PathBuf>,
    path: PathBuf,
    /// The lines of the current file, read and hashed on another thread.
    input: Option<Batches>,
    line_no: u64,
    pending: VecDeque<Problem>,
    /// The record of the current line, once checked.
    current: Option<Parsed>,
    /// Whether `current` is still to be handed out.
    ready: bool,
    /// Seq and hex hash of the last valid record.
    last: Option<(u64, [u8; 64])>,
    counts: Counts,
}

impl Reader {
    /// Reads `files` in the order given.
    pub fn new(files: impl IntoIterator<Item = PathBuf>) -> Self {
        Reader {
            files: files.into_iter().collect::<Vec<_>>().into_iter(),
            path: PathBuf::new(),
            input: None,
            line_no: 0,
            pending: VecDeque::new(),
            current: None,
            ready: false,
            last: None,
            counts: Counts::default(),
        }
    }

    /// Reads every day file in `events_dir`, oldest first.
    pub fn from_dir(events_dir: &Path) -> io::Result<Self> {
        let files = list_files(events_dir)?;
        Ok(Self::new(files.into_iter().map(|(_, path)| path)))
    }

    /// The counts so far (final once [`next_item`](Self::next_item) returned `None`).
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The next record (owned) or problem; `None` when every file has been
    /// read. Problems with a record (gap, break) come just before it.
    pub fn next_item(&mut self) -> Option<Item<'_>> {
        Some(match self.next_ref()? {
            ItemRef::Record(entry) => Item::Record(Entry {
                file: entry.file,
                line: entry.line,
                record: entry.record.to_record(),
            }),
            ItemRef::Problem(problem) => Item::Problem(problem),
        })
    }

    /// The next record (borrowed until the next call) or problem; `None`
    /// when every file has been read. Problems with a record (gap, break)
    /// come just before it.
    pub fn next_ref(&mut self) -> Option<ItemRef<'_>> {
        loop {
            if let Some(problem) = self.pending.pop_front() {
                return Some(ItemRef::Problem(problem));
            }
            if std::mem::take(&mut self.ready) {
                break;
            }
            if !self.advance() {
                return None;
            }
        }
        let parsed = self.current.as_ref()?;
        let line = self.input.as_ref()?.line();
        Some(ItemRef::Record(EntryRef {
            file: &self.path,
            line: self.line_no,
            record: parsed.record_ref(line),
        }))
    }

    /// Reads one more line, or opens the next file; false when all are read.
    fn advance(&mut self) -> bool {
        let Some(input) = self.input.as_mut() else {
            return self.open_next();
        };
        match input.next_line() {
            Ok(None) => self.input = None,
            Ok(Some(raw)) => {
                self.line_no += 1;
                self.take_line(raw);
            }
            Err(e) => {
                self.input = None;
                self.counts.unreadable += 1;
                self.problem(
                    self.line_no + 1,
                    ProblemKind::Unreadable {
                        reason: e.to_string(),
                    },
                );
            }
        }
        true
    }

    fn open_next(&mut self) -> bool {
        let Some(path) = self.files.next() else {
            return false;
        };
        self.path = path;
        self.line_no = 0;
        match File::open(&self.path).and_then(Batches::spawn) {
            Ok(batches) => self.input = Some(batches),
            Err(e) => {
                self.counts.unreadable += 1;
                self.problem(
                    0,
                    ProblemKind::Unreadable {
                        reason: e.to_string(),
                    },
                );
            }
        }
        true
    }

    fn take_line(&mut self, raw: RawLine) {
        let unterminated = match raw {
            RawLine::Complete => false,
            RawLine::Unterminated => true,
            RawLine::TooLong { terminated: true } => {
                let reason = format!("line longer than {MAX_RECORD_LINE} bytes");
                return self.corrupt(reason);
            }
            RawLine::TooLong { terminated: false } => return self.torn(),
        };
        let Some(input) = self.input.as_mut() else {
            return;
        };
        let scanned = input.take_scanned();
        let line = input.line();
        let parsed = match scanned.map_or_else(|| parse_line(line), |s| Ok(Parsed::Scanned(s))) {
            Ok(parsed) => parsed,
            Err(_) if unterminated => return self.torn(),
            Err(reason) => return self.corrupt(reason),
        };
        let (seq, prev) = parsed.link(line);
        let prev_ok = match &self.last {
            Some((_, last_hex)) => prev == last_hex,
            None => seq != 1 || prev == GENESIS.as_bytes(),
        };
        let hash = input.hash();
        self.verify(seq, prev_ok, hash);
        self.counts.records += 1;
        self.current = Some(parsed);
        self.ready = true;
    }

    /// Reports a gap or break of the record `seq` (whose `prev` matched the
    /// last valid record when `prev_ok`, and whose line hashes to `hash`),
    /// and makes it the last valid one.
    fn verify(&mut self, seq: u64, prev_ok: bool, hash: [u8; 32]) {
        if let Some((last_seq, _)) = self.last {
            let expected = last_seq.saturating_add(1);
            if seq != expected {
                self.counts.gaps += 1;
                let found = seq;
                self.problem(self.line_no, ProblemKind::SeqGap { expected, found });
            }
        }
        if !prev_ok {
            self.counts.breaks += 1;
            self.problem(self.line_no, ProblemKind::ChainBreak { seq });
        }
        self.last = Some((seq, hex_bytes(&hash)));
    }

    fn torn(&mut self) {
        self.counts.torn += 1;
        self.problem(self.line_no, ProblemKind::Torn);
    }

    fn corrupt(&mut self, reason: String) {
        self.counts.corrupt += 1;
        self.problem(self.line_no, ProblemKind::Corrupt { reason });
    }

    fn problem(&mut self, line: u64, kind: ProblemKind) {
        let file = self.path.clone();
        self.pending.push_back(Problem { file, line, kind });
    }
}

/// The record on a line the scanner could not read, by `serde_json`.
fn parse_line(line: &[u8]) -> Result<Parsed, String> {
    if line.is_empty() {
        return Err("empty line".to_string());
    }
    serde_json::from_slice(line)
        .map(Parsed::Full)
        .map_err(|e| format!("not a record: {e}"))
}

#[cfg(test)]
mod tests;
