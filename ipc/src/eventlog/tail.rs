//! Where a restarted writer continues the log: the last line that parses as
//! a record, found by reading the newest day file backwards in chunks (never
//! the whole file), falling back to older files when a file holds no record.
//! The chain is not verified here; that is the reader's job.

use super::chain::line_hash;
use super::files::list_files;
use super::reader::MAX_RECORD_LINE;
use super::record::Record;
use chrono::{DateTime, FixedOffset};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const CHUNK: usize = 64 * 1024;

/// Where the log ends: what the next record must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumePoint {
    /// The last record's seq plus one.
    pub next_seq: u64,
    /// SHA-256 of the last record's line: the next record's `prev`.
    pub prev_hash: [u8; 32],
    /// The file holding the last record.
    pub last_file: PathBuf,
    /// The last record's time (a clock that went back shows here).
    pub last_ts: DateTime<FixedOffset>,
}

/// Why the end of the log could not be found.
#[derive(Debug, thiserror::Error)]
pub enum TailError {
    /// The events directory could not be listed.
    #[error("cannot list event log directory {}: {source}", dir.display())]
    ListDir {
        /// The directory.
        dir: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A day file could not be read.
    #[error("cannot read event log file {}: {source}", file.display())]
    ReadFile {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

/// The resume point after the last record in `events_dir`; `None` when there
/// is no record at all (no directory, no files, or only files without one).
pub fn resume_point(events_dir: &Path) -> Result<Option<ResumePoint>, TailError> {
    let files = match list_files(events_dir) {
        Ok(files) => files,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            let dir = events_dir.to_path_buf();
            return Err(TailError::ListDir { dir, source });
        }
    };
    for (_, file) in files.into_iter().rev() {
        match last_record(&file) {
            Ok(Some((record, prev_hash))) => {
                return Ok(Some(ResumePoint {
                    next_seq: record.seq.saturating_add(1),
                    prev_hash,
                    last_file: file,
                    last_ts: record.ts,
                }));
            }
            Ok(None) => {}
            Err(source) => return Err(TailError::ReadFile { file, source }),
        }
    }
    Ok(None)
}

/// Whether `path` is non-empty and its last byte is not `\n` (a torn tail: the
/// writer must add a `\n` before appending). A missing file does not.
pub fn ends_without_newline(path: &Path) -> io::Result<bool> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    let mut last = [0];
    file.read_exact_at(&mut last, len - 1)?;
    Ok(last[0] != b'\n')
}

/// The last line of `path` that parses as a record, with the hash of that line.
fn last_record(path: &Path) -> io::Result<Option<(Record, [u8; 32])>> {
    let mut lines = BackwardLines::open(path)?;
    while let Some(line) = lines.next_line()? {
        if let Ok(record) = serde_json::from_slice::<Record>(&line) {
            return Ok(Some((record, line_hash(&line))));
        }
    }
    Ok(None)
}

/// A file's lines from the last to the first, read in chunks from the end.
/// Lines longer than [`MAX_RECORD_LINE`] are skipped, not buffered.
struct BackwardLines {
    file: File,
    /// File offset where `buf` starts; bytes before it are not read yet.
    pos: u64,
    /// Bytes from `pos` up to the end of the lines not yet returned.
    buf: Vec<u8>,
    /// Inside a line too long to keep, looking for the `\n` before it.
    skipping: bool,
    /// The first line of the file has been returned.
    done: bool,
}

impl BackwardLines {
    fn open(path: &Path) -> io::Result<Self> {
        let file = File::open(path)?;
        let pos = file.metadata()?.len();
        Ok(BackwardLines {
            file,
            pos,
            buf: Vec::new(),
            skipping: false,
            done: false,
        })
    }

    /// The previous line (without `\n`); the segment after the final `\n`
    /// comes first, empty when the file ends with one.
    fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(newline) = self.buf.iter().rposition(|&b| b == b'\n') {
                let line = self.buf.split_off(newline + 1);
                self.buf.truncate(newline);
                if std::mem::take(&mut self.skipping) {
                    continue;
                }
                return Ok(Some(line));
            }
            if self.buf.len() > MAX_RECORD_LINE {
                self.buf.clear();
                self.skipping = true;
            }
            if self.pos == 0 {
                let first = std::mem::take(&mut self.buf);
                let seen = std::mem::replace(&mut self.done, true);
                return Ok((!seen && !self.skipping).then_some(first));
            }
            self.read_chunk()?;
        }
    }

    /// Prepends the chunk of the file before `pos` to `buf`.
    fn read_chunk(&mut self) -> io::Result<()> {
        // CHUNK fits in u64 and the result is at most CHUNK, so it fits in usize.
        let len = self.pos.min(CHUNK as u64) as usize;
        self.pos -= len as u64;
        let mut chunk = vec![0; len];
        self.file.read_exact_at(&mut chunk, self.pos)?;
        chunk.extend_from_slice(&self.buf);
        self.buf = chunk;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::chain::{Chain, joined, test_lines, write};

    /// The resume point a writer should get after `line`, the last record in `file`.
    fn after(line: &str, file: &Path) -> ResumePoint {
        let record: Record = serde_json::from_str(line).unwrap();
        ResumePoint {
            next_seq: record.seq + 1,
            prev_hash: line_hash(line.as_bytes()),
            last_file: file.to_path_buf(),
            last_ts: record.ts,
        }
    }

    #[test]
    fn resumes_after_the_last_record() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 3);
        let file = write(dir.path(), "2026-11-22.jsonl", &joined(&lines));
        let point = resume_point(dir.path()).unwrap().unwrap();
        assert_eq!(point, after(&lines[2], &file));
        assert!(!ends_without_newline(&file).unwrap());
        // A chain resumed there links to the existing records.
        assert_eq!(Chain::resume(point.next_seq, point.prev_hash), {
            let mut chain = Chain::new();
            test_lines(&mut chain, 3);
            chain
        });
    }

    #[test]
    fn resumes_after_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 3);
        let content = format!("{}{}", joined(&lines[..2]), &lines[2][..20]);
        let file = write(dir.path(), "2026-11-22.jsonl", &content);
        assert_eq!(
            resume_point(dir.path()).unwrap(),
            Some(after(&lines[1], &file))
        );
        assert!(ends_without_newline(&file).unwrap());
    }

    #[test]
    fn resumes_after_garbage_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 3);
        let content = format!("{}garbage\n\n{{\"seq\":9}}\n\n", joined(&lines));
        let file = write(dir.path(), "2026-11-22.jsonl", &content);
        assert_eq!(
            resume_point(dir.path()).unwrap(),
            Some(after(&lines[2], &file))
        );
    }

    #[test]
    fn falls_back_to_older_files_when_the_newest_has_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut chain = Chain::new();
        let older = test_lines(&mut chain, 2);
        let day1 = write(dir.path(), "2026-11-20.jsonl", &joined(&older));
        write(dir.path(), "2026-11-21.jsonl", "garbage\n");
        let day3 = write(dir.path(), "2026-11-22.jsonl", "");
        assert_eq!(
            resume_point(dir.path()).unwrap(),
            Some(after(&older[1], &day1))
        );
        assert!(!ends_without_newline(&day3).unwrap());
    }

    #[test]
    fn no_record_at_all_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(resume_point(dir.path()).unwrap(), None);
        assert_eq!(resume_point(&dir.path().join("absent")).unwrap(), None);
        write(dir.path(), "2026-11-22.jsonl", "{\"torn");
        write(
            dir.path(),
            "notes.txt",
            &joined(&test_lines(&mut Chain::new(), 1)),
        );
        assert_eq!(resume_point(dir.path()).unwrap(), None);
        assert!(!ends_without_newline(&dir.path().join("absent.jsonl")).unwrap());
    }

    #[test]
    fn finds_the_last_record_of_a_file_bigger_than_a_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let lines = test_lines(&mut Chain::new(), 2000);
        let huge = "y".repeat(MAX_RECORD_LINE + CHUNK + 5);
        let content = format!("{}{huge}\n{huge}", joined(&lines));
        assert!(content.len() > 20 * CHUNK);
        let file = write(dir.path(), "2026-11-22.jsonl", &content);
        assert_eq!(
            resume_point(dir.path()).unwrap(),
            Some(after(&lines[1999], &file))
        );

        let mut lines = BackwardLines::open(&file).unwrap();
        let mut count = 0;
        while let Some(line) = lines.next_line().unwrap() {
            assert!(line.len() <= MAX_RECORD_LINE);
            count += 1;
        }
        assert_eq!(count, 2000, "the two over-long lines are skipped");
    }

    #[test]
    fn an_over_long_first_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(
            dir.path(),
            "a.jsonl",
            &format!("{}\nb\n", "z".repeat(MAX_RECORD_LINE + 1)),
        );
        let mut lines = BackwardLines::open(&file).unwrap();
        assert_eq!(lines.next_line().unwrap(), Some(Vec::new()));
        assert_eq!(lines.next_line().unwrap(), Some(b"b".to_vec()));
        assert_eq!(lines.next_line().unwrap(), None);
        assert_eq!(lines.next_line().unwrap(), None);
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = resume_point(&write(dir.path(), "plain-file", "")).unwrap_err();
        assert!(matches!(err, TailError::ListDir { .. }));
        assert!(err.to_string().contains("plain-file"), "{err}");
    }
}
