//! Streaming, verifying reader over one or more event log files.
//!
//! Memory is bounded (reused buffers that grow only to hold a line of at
//! most [`MAX_RECORD_LINE`] bytes; a second thread reads and hashes ahead,
//! a few hundred KiB at most) and the reader never stops: every
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
        Event::Alarm { .. } => "alarm",
        Event::ArmRefused { .. } => "arm_refused",
        Event::Code { .. } => "code",
        Event::Duress { .. } => "duress",
        Event::Bypass { .. } => "bypass",
        Event::Trouble { .. } => "trouble",
        Event::Siren { .. } => "siren",
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
        let Some(input) = self.input.as_ref() else {
            return;
        };
        let line = input.line();
        let parsed = match parse_line(line) {
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

/// The record on `line`: by the scanner when it can, else by `serde_json`.
fn parse_line(line: &[u8]) -> Result<Parsed, String> {
    if line.is_empty() {
        return Err("empty line".to_string());
    }
    if let Some(scanned) = sensor_scanner::sensor_record(line) {
        return Ok(Parsed::Scanned(scanned));
    }
    serde_json::from_slice(line)
        .map(Parsed::Full)
        .map_err(|e| format!("not a record: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::chain::{Chain, joined, test_lines, write};
    use crate::{SensorKind, SensorState};

    /// What the reader reported, in order, without the file names.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Rec { line: u64, seq: u64 },
        Prob { line: u64, kind: ProblemKind },
    }
    use Seen::{Prob, Rec};

    fn read_all(files: &[PathBuf]) -> (Vec<Seen>, Counts) {
        let mut reader = Reader::new(files.to_vec());
        let mut seen = Vec::new();
        while let Some(item) = reader.next_item() {
            seen.push(match item {
                Item::Record(e) => Rec {
                    line: e.line,
                    seq: e.record.seq,
                },
                Item::Problem(p) => Prob {
                    line: p.line,
                    kind: p.kind,
                },
            });
        }
        (seen, reader.counts())
    }

    fn corrupt(reason: &str) -> ProblemKind {
        ProblemKind::Corrupt {
            reason: reason.to_string(),
        }
    }

    #[test]
    fn a_clean_chain_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 3);
        let file = write(dir.path(), "a.jsonl", &joined(&lines));
        let (seen, counts) = read_all(&[file]);
        let expected: Vec<Seen> = (1..=3).map(|n| Rec { line: n, seq: n }).collect();
        assert_eq!(seen, expected);
        assert_eq!(
            counts,
            Counts {
                records: 3,
                ..Counts::default()
            }
        );
    }

    #[test]
    fn a_removed_line_shows_as_gap_and_break_at_the_next_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = test_lines(&mut Chain::new(), 4);
        lines.remove(1);
        let file = write(dir.path(), "a.jsonl", &joined(&lines));
        let (seen, counts) = read_all(&[file]);
        assert_eq!(
            seen,
            vec![
                Rec { line: 1, seq: 1 },
                Prob {
                    line: 2,
                    kind: ProblemKind::SeqGap {
                        expected: 2,
                        found: 3
                    }
                },
                Prob {
                    line: 2,
                    kind: ProblemKind::ChainBreak { seq: 3 }
                },
                Rec { line: 2, seq: 3 },
                Rec { line: 3, seq: 4 },
            ]
        );
        assert_eq!((counts.gaps, counts.breaks, counts.records), (1, 1, 3));
    }

    #[test]
    fn an_altered_line_breaks_the_chain_at_the_following_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = test_lines(&mut Chain::new(), 4);
        assert!(lines[1].contains(r#""on":true"#));
        lines[1] = lines[1].replace(r#""on":true"#, r#""on":false"#);
        let file = write(dir.path(), "a.jsonl", &joined(&lines));
        let (seen, counts) = read_all(&[file]);
        assert_eq!(
            seen,
            vec![
                Rec { line: 1, seq: 1 },
                Rec { line: 2, seq: 2 },
                Prob {
                    line: 3,
                    kind: ProblemKind::ChainBreak { seq: 3 }
                },
                Rec { line: 3, seq: 3 },
                Rec { line: 4, seq: 4 },
            ]
        );
        assert_eq!((counts.gaps, counts.breaks), (0, 1));
    }

    #[test]
    fn a_torn_last_line_is_torn_not_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 3);
        let content = format!("{}{}", joined(&lines[..2]), &lines[2][..30]);
        let file = write(dir.path(), "a.jsonl", &content);
        let (seen, counts) = read_all(&[file]);
        assert_eq!(
            seen.last(),
            Some(&Prob {
                line: 3,
                kind: ProblemKind::Torn
            })
        );
        assert_eq!((counts.records, counts.torn, counts.corrupt), (2, 1, 0));
    }

    #[test]
    fn a_complete_record_without_its_newline_is_still_a_record() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 2);
        let content = format!("{}\n{}", lines[0], lines[1]);
        let file = write(dir.path(), "a.jsonl", &content);
        let (seen, counts) = read_all(&[file]);
        assert_eq!(seen, vec![Rec { line: 1, seq: 1 }, Rec { line: 2, seq: 2 }]);
        assert_eq!(counts.torn, 0);
    }

    #[test]
    fn garbage_lines_are_corrupt_with_their_line_numbers_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 2);
        let content = format!(
            "{}\ngarbage\n\n{{\"seq\":2}}\n\u{0}\u{ff}\n{}\n",
            lines[0], lines[1]
        );
        let file = write(dir.path(), "a.jsonl", &content);
        let (seen, counts) = read_all(&[file]);
        let problems: Vec<(u64, bool)> = seen
            .iter()
            .filter_map(|s| match s {
                Prob { line, kind } => Some((*line, matches!(kind, ProblemKind::Corrupt { .. }))),
                Rec { .. } => None,
            })
            .collect();
        assert_eq!(problems, vec![(2, true), (3, true), (4, true), (5, true)]);
        assert_eq!(
            seen[2],
            Prob {
                line: 3,
                kind: corrupt("empty line")
            }
        );
        assert_eq!(seen.last(), Some(&Rec { line: 6, seq: 2 }));
        assert_eq!(
            counts,
            Counts {
                records: 2,
                corrupt: 4,
                ..Counts::default()
            }
        );
    }

    #[test]
    fn the_chain_continues_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut chain = Chain::new();
        let day1 = write(
            dir.path(),
            "2026-11-21.jsonl",
            &joined(&test_lines(&mut chain, 2)),
        );
        let day2 = write(
            dir.path(),
            "2026-11-22.jsonl",
            &joined(&test_lines(&mut chain, 2)),
        );
        let mut reader = Reader::from_dir(dir.path()).unwrap();
        let mut places = Vec::new();
        while let Some(item) = reader.next_item() {
            match item {
                Item::Record(e) => places.push((e.file.to_path_buf(), e.line, e.record.seq)),
                Item::Problem(p) => panic!("{p}"),
            }
        }
        assert_eq!(
            places,
            vec![
                (day1.clone(), 1, 1),
                (day1.clone(), 2, 2),
                (day2.clone(), 1, 3),
                (day2.clone(), 2, 4),
            ]
        );
        // Out of order, the second file's first record no longer follows.
        let (seen, _) = read_all(&[day2, day1]);
        assert_eq!(
            seen[2],
            Prob {
                line: 1,
                kind: ProblemKind::SeqGap {
                    expected: 5,
                    found: 1
                }
            }
        );
        assert_eq!(
            seen[3],
            Prob {
                line: 1,
                kind: ProblemKind::ChainBreak { seq: 1 }
            }
        );
    }

    #[test]
    fn the_first_record_anchors_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 5);
        let later = write(dir.path(), "later.jsonl", &joined(&lines[3..]));
        let (seen, counts) = read_all(&[later]);
        assert_eq!(seen, vec![Rec { line: 1, seq: 4 }, Rec { line: 2, seq: 5 }]);
        assert_eq!(counts.breaks, 0);

        let forged = test_lines(&mut Chain::resume(1, [7; 32]), 1);
        let forged = write(dir.path(), "forged.jsonl", &joined(&forged));
        let (seen, _) = read_all(&[forged]);
        assert_eq!(
            seen[0],
            Prob {
                line: 1,
                kind: ProblemKind::ChainBreak { seq: 1 }
            }
        );
    }

    #[test]
    fn over_long_lines_are_skipped_without_stopping() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 2);
        let huge = "x".repeat(MAX_RECORD_LINE + 10);
        let content = format!("{}\n{huge}\n{}\n{huge}", lines[0], lines[1]);
        let file = write(dir.path(), "a.jsonl", &content);
        let (seen, counts) = read_all(&[file]);
        assert_eq!(
            seen,
            vec![
                Rec { line: 1, seq: 1 },
                Prob {
                    line: 2,
                    kind: corrupt(&format!("line longer than {MAX_RECORD_LINE} bytes"))
                },
                Rec { line: 3, seq: 2 },
                Prob {
                    line: 4,
                    kind: ProblemKind::Torn
                },
            ]
        );
        assert_eq!((counts.corrupt, counts.torn), (1, 1));
    }

    #[test]
    fn an_unreadable_file_is_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut chain = Chain::new();
        let missing = dir.path().join("missing.jsonl");
        let _ = test_lines(&mut chain, 1);
        let present = write(dir.path(), "b.jsonl", &joined(&test_lines(&mut chain, 1)));
        let mut reader = Reader::new([missing.clone(), present]);
        match reader.next_item() {
            Some(Item::Problem(p)) => {
                assert_eq!((p.file.as_path(), p.line), (missing.as_path(), 0));
                assert!(matches!(p.kind, ProblemKind::Unreadable { .. }));
                assert!(
                    p.to_string()
                        .starts_with(&format!("{}:0: cannot read file", missing.display()))
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(reader.next_item(), Some(Item::Record(e)) if e.record.seq == 2));
        assert!(reader.next_item().is_none());
        assert_eq!(reader.counts().unreadable, 1);
    }

    /// Record lines (without `\n`) of `count` sensor events from `chain`,
    /// the kind the reader's scanner handles.
    fn sensor_lines(chain: &mut Chain, count: usize) -> Vec<String> {
        let events: Vec<Event> = (0..count)
            .map(|n| Event::Sensor {
                sensor: format!("door-{}", n % 3),
                zone: "entry".into(),
                sensor_kind: SensorKind::Door,
                state: [SensorState::Open, SensorState::Closed][n % 2],
                source: "fifo".into(),
            })
            .collect();
        append_lines(chain, &events)
    }

    fn append_lines(chain: &mut Chain, events: &[Event]) -> Vec<String> {
        let ts = DateTime::parse_from_rfc3339("2026-11-22T08:15:00.250+01:00").unwrap();
        let mut out = Vec::new();
        for event in events {
            chain.append(ts, event, &mut out).unwrap();
        }
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn borrowed_and_owned_records_are_what_serde_parses() {
        let dir = tempfile::tempdir().unwrap();
        let mut chain = Chain::new();
        let mut lines = sensor_lines(&mut chain, 2);
        // Escapes in a sensor record: the scanner leaves it to serde.
        lines.extend(append_lines(
            &mut chain,
            &[
                Event::Sensor {
                    sensor: "hall".into(),
                    zone: "in\"side".into(),
                    sensor_kind: SensorKind::Motion,
                    state: SensorState::Motion,
                    source: "pipe:pir".into(),
                },
                Event::Siren { on: true },
            ],
        ));
        lines.extend(sensor_lines(&mut chain, 1));
        let file = write(dir.path(), "a.jsonl", &joined(&lines));
        let expected: Vec<Record> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();

        let mut reader = Reader::new([file.clone()]);
        let mut borrowed = Vec::new();
        while let Some(item) = reader.next_ref() {
            let ItemRef::Record(entry) = item else {
                panic!("{item:?}")
            };
            assert_eq!(entry.file, file.as_path());
            let sensor = matches!(entry.record.event, EventRef::Sensor(_));
            assert_eq!(sensor, entry.record.kind() == "sensor");
            borrowed.push((entry.line, entry.record.to_record()));
        }
        // Both paths are taken: the scanner for plain sensor lines, serde
        // for the escaped one.
        assert!(sensor_scanner::sensor_record(lines[0].as_bytes()).is_some());
        assert!(sensor_scanner::sensor_record(lines[2].as_bytes()).is_none());
        let owned: Vec<(u64, Record)> = {
            let mut reader = Reader::new([file]);
            std::iter::from_fn(|| match reader.next_item()? {
                Item::Record(e) => Some((e.line, e.record)),
                Item::Problem(p) => panic!("{p}"),
            })
            .collect()
        };
        let numbered: Vec<(u64, Record)> = (1..).zip(expected).collect();
        assert_eq!(borrowed, numbered);
        assert_eq!(owned, numbered);
        assert_eq!(reader.counts().records, 5);
    }

    #[test]
    fn tampered_sensor_lines_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let lines = sensor_lines(&mut Chain::new(), 6);
        let mut tampered = lines.clone();
        // Line 2 altered (still a well-formed record), line 4 removed, line
        // 5 given a state no sensor has, and the last one torn.
        assert!(tampered[1].contains(r#""state":"closed""#));
        tampered[1] = tampered[1].replace(r#""state":"closed""#, r#""state":"open""#);
        tampered[4] = tampered[4].replace(r#""state":"open""#, r#""state":"ajar""#);
        let torn = &lines[5][..lines[5].len() - 1];
        tampered[5] = torn.to_string();
        tampered.remove(3);
        let content = format!("{}{torn}", joined(&tampered[..4]));
        let file = write(dir.path(), "a.jsonl", &content);
        let (seen, counts) = read_all(&[file]);
        let ajar = seen.iter().find_map(|s| match s {
            Prob {
                line: 4,
                kind: ProblemKind::Corrupt { reason },
            } => Some(reason.clone()),
            _ => None,
        });
        assert!(ajar.unwrap().contains("ajar"));
        let rest: Vec<&Seen> = seen
            .iter()
            .filter(|s| !matches!(s, Prob { line: 4, .. }))
            .collect();
        assert_eq!(
            rest,
            vec![
                &Rec { line: 1, seq: 1 },
                &Rec { line: 2, seq: 2 },
                &Prob {
                    line: 3,
                    kind: ProblemKind::ChainBreak { seq: 3 }
                },
                &Rec { line: 3, seq: 3 },
                &Prob {
                    line: 5,
                    kind: ProblemKind::Torn
                },
            ]
        );
        assert_eq!(
            counts,
            Counts {
                records: 3,
                torn: 1,
                corrupt: 1,
                breaks: 1,
                ..Counts::default()
            }
        );
    }

    #[test]
    fn a_removed_sensor_line_is_a_gap_and_a_break() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = sensor_lines(&mut Chain::new(), 3);
        lines.remove(1);
        let file = write(dir.path(), "a.jsonl", &joined(&lines));
        let (seen, counts) = read_all(&[file]);
        assert_eq!(
            seen[1..3],
            [
                Prob {
                    line: 2,
                    kind: ProblemKind::SeqGap {
                        expected: 2,
                        found: 3
                    }
                },
                Prob {
                    line: 2,
                    kind: ProblemKind::ChainBreak { seq: 3 }
                },
            ]
        );
        assert_eq!((counts.records, counts.gaps, counts.breaks), (2, 1, 1));
    }

    #[test]
    fn problems_display_file_line_and_what() {
        let p = Problem {
            file: "/x/2026-11-22.jsonl".into(),
            line: 7,
            kind: ProblemKind::SeqGap {
                expected: 3,
                found: 5,
            },
        };
        assert_eq!(
            p.to_string(),
            "/x/2026-11-22.jsonl:7: sequence gap: expected seq 3, found 5"
        );
    }
}
