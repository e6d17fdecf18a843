//! Streaming, verifying reader over one or more event log files.
//!
//! Memory is bounded (a 64 KiB read buffer and one line of at most
//! [`MAX_RECORD_LINE`] bytes, both reused) and the reader never stops: every
//! line is either a record or a [`Problem`], and reading goes on. The
//! sequence and hash chain are checked across files, each record against the
//! last *valid* record before it, so one removed line shows as a `SeqGap` and
//! a `ChainBreak` at the next record, and one altered line as a `ChainBreak`
//! at the record after it.

use super::chain::{GENESIS, hex_bytes, line_hash};
use super::files::list_files;
use super::record::Record;
use std::collections::VecDeque;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The longest line the reader accepts, in bytes; longer lines are corrupt
/// and skipped without being buffered.
pub const MAX_RECORD_LINE: usize = 1 << 20;

const READ_BUFFER: usize = 64 * 1024;

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

/// One thing the reader found.
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

/// The raw result of reading one line into the line buffer.
enum RawLine {
    /// A line ended by `\n` (the buffer holds it without the `\n`).
    Complete,
    /// The file ended without a `\n` after this line.
    Unterminated,
    /// Longer than [`MAX_RECORD_LINE`]; `terminated` says whether a `\n` ended it.
    TooLong { terminated: bool },
}

/// Reads records from a sequence of files, oldest first:
///
/// ```no_run
/// # use homesec_ipc::eventlog::reader::{Item, Reader};
/// let mut reader = Reader::from_dir("/var/lib/homesec/events".as_ref())?;
/// while let Some(item) = reader.next_item() {
///     match item {
///         Item::Record(entry) => println!("{} {}", entry.record.seq, entry.record.ts),
///         Item::Problem(problem) => eprintln!("{problem}"),
///     }
/// }
/// println!("{:?}", reader.counts());
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// The first record read anchors the chain: when its seq is 1 its `prev` must
/// be [`GENESIS`], otherwise (older files not given) it is trusted.
#[derive(Debug)]
pub struct Reader {
    files: std::vec::IntoIter<PathBuf>,
    path: PathBuf,
    input: Option<BufReader<File>>,
    line_no: u64,
    buf: Vec<u8>,
    pending: VecDeque<Problem>,
    ready: Option<Record>,
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
            buf: Vec::new(),
            pending: VecDeque::new(),
            ready: None,
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

    /// The next record or problem; `None` when every file has been read.
    /// Problems with a record (gap, break) come just before it.
    pub fn next_item(&mut self) -> Option<Item<'_>> {
        loop {
            if let Some(problem) = self.pending.pop_front() {
                return Some(Item::Problem(problem));
            }
            if let Some(record) = self.ready.take() {
                return Some(Item::Record(Entry {
                    file: &self.path,
                    line: self.line_no,
                    record,
                }));
            }
            if !self.advance() {
                return None;
            }
        }
    }

    /// Reads one more line, or opens the next file; false when all are read.
    fn advance(&mut self) -> bool {
        let Some(input) = self.input.as_mut() else {
            return self.open_next();
        };
        match read_line(input, &mut self.buf) {
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
        match File::open(&self.path) {
            Ok(file) => self.input = Some(BufReader::with_capacity(READ_BUFFER, file)),
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
        match parse_record(&self.buf) {
            Ok(record) => {
                let hash = line_hash(&self.buf);
                self.verify(&record, hash);
                self.counts.records += 1;
                self.ready = Some(record);
            }
            Err(_) if unterminated => self.torn(),
            Err(reason) => self.corrupt(reason),
        }
    }

    /// Checks `record` (whose line hashes to `hash`) against the last valid
    /// record, and makes it the last valid one.
    fn verify(&mut self, record: &Record, hash: [u8; 32]) {
        let prev_ok = match self.last {
            Some((seq, prev_hex)) => {
                let expected = seq.saturating_add(1);
                if record.seq != expected {
                    self.counts.gaps += 1;
                    let found = record.seq;
                    self.problem(self.line_no, ProblemKind::SeqGap { expected, found });
                }
                record.prev.as_bytes() == prev_hex
            }
            None => record.seq != 1 || record.prev == GENESIS,
        };
        if !prev_ok {
            self.counts.breaks += 1;
            self.problem(self.line_no, ProblemKind::ChainBreak { seq: record.seq });
        }
        self.last = Some((record.seq, hex_bytes(&hash)));
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

fn parse_record(line: &[u8]) -> Result<Record, String> {
    if line.is_empty() {
        return Err("empty line".to_string());
    }
    serde_json::from_slice(line).map_err(|e| format!("not a record: {e}"))
}

/// Reads the next line into `buf` (without its `\n`), keeping at most
/// [`MAX_RECORD_LINE`] bytes of it; `None` at the end of the file.
fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<Option<RawLine>> {
    buf.clear();
    let mut too_long = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (too_long, buf.is_empty()) {
                (true, _) => Some(RawLine::TooLong { terminated: false }),
                (false, true) => None,
                (false, false) => Some(RawLine::Unterminated),
            });
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let part = &available[..newline.unwrap_or(available.len())];
        if too_long || buf.len() + part.len() > MAX_RECORD_LINE {
            too_long = true;
            buf.clear();
        } else {
            buf.extend_from_slice(part);
        }
        let used = part.len() + usize::from(newline.is_some());
        input.consume(used);
        if newline.is_some() {
            return Ok(Some(if too_long {
                RawLine::TooLong { terminated: true }
            } else {
                RawLine::Complete
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::chain::{Chain, test_lines};

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

    fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    fn joined(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
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
