//! The integrity section: what the ipc reader found wrong in the period's
//! files (gaps, chain breaks, corrupt and torn lines), each with its file
//! and line, and how many records each file held. A torn last line of the
//! file the controller is writing now (the newest, if it is the file of
//! the current house day) is a write in progress, reported as
//! `in_progress` and not a failure; in any other file it is `torn`; problems in files read only for the
//! state before the period belong to other reports and are left out. The
//! first record of the file after the period is checked too: a gap or break
//! there means records were cut from the end of the period.

use crate::model::{
    Capped, FileInfo, Integrity, IntegrityStatus, Problem, ProblemCounts, ProblemKind,
};
use chrono::NaiveDate;
use homesec_ipc::eventlog::reader::{self, ProblemKind as ReaderKind};
use std::path::{Path, PathBuf};

/// Most problems listed.
const MAX_PROBLEMS: usize = 200;

/// Builds [`Integrity`].
#[derive(Debug)]
pub struct IntegrityBuilder {
    files: Vec<(NaiveDate, PathBuf, bool, u64)>,
    writing: Option<PathBuf>,
    /// The file after the period, whose first record closes its chain.
    next: Option<PathBuf>,
    /// Index into `files` of the file the last record came from.
    current: Option<usize>,
    counts: ProblemCounts,
    records: u64,
    first_seq: Option<u64>,
    last_seq: Option<u64>,
    problems: Capped<Problem>,
}

impl IntegrityBuilder {
    /// Checks the period's day files `files` (date, path, present);
    /// `writing` is the file the controller may be writing now.
    pub fn new(
        files: Vec<(NaiveDate, PathBuf, bool)>,
        writing: Option<PathBuf>,
        next: Option<PathBuf>,
    ) -> Self {
        IntegrityBuilder {
            files: files
                .into_iter()
                .map(|(d, p, present)| (d, p, present, 0))
                .collect(),
            writing,
            next,
            current: None,
            counts: ProblemCounts::default(),
            records: 0,
            first_seq: None,
            last_seq: None,
            problems: Capped::default(),
        }
    }

    fn index_of(&self, file: &Path) -> Option<usize> {
        self.files.iter().position(|f| f.1 == file)
    }

    /// A record with `seq` read from `file`.
    pub fn record(&mut self, file: &Path, seq: u64) {
        let same = self.current.is_some_and(|i| self.files[i].1 == file);
        if !same {
            self.current = self.index_of(file);
        }
        let Some(index) = self.current else {
            return;
        };
        self.files[index].3 += 1;
        self.records += 1;
        self.first_seq.get_or_insert(seq);
        self.last_seq = Some(seq);
    }

    /// A problem the reader found (never `Unreadable`: that is an error).
    pub fn problem(&mut self, problem: reader::Problem) {
        let closes_the_chain = self.next.as_deref() == Some(problem.file.as_path())
            && matches!(
                problem.kind,
                ReaderKind::SeqGap { .. } | ReaderKind::ChainBreak { .. }
            );
        if self.index_of(&problem.file).is_none() && !closes_the_chain {
            return;
        }
        let being_written = self.writing.as_deref() == Some(problem.file.as_path());
        let (kind, detail) = match &problem.kind {
            ReaderKind::Torn if being_written => (
                ProblemKind::InProgress,
                "unterminated last line: the controller is writing it".to_string(),
            ),
            ReaderKind::Torn => (ProblemKind::Torn, problem.kind.to_string()),
            ReaderKind::Corrupt { .. } | ReaderKind::Unreadable { .. } => {
                (ProblemKind::Corrupt, problem.kind.to_string())
            }
            ReaderKind::SeqGap { .. } => (ProblemKind::Gap, problem.kind.to_string()),
            ReaderKind::ChainBreak { .. } => (ProblemKind::ChainBreak, problem.kind.to_string()),
        };
        let counter = match kind {
            ProblemKind::Gap => &mut self.counts.gaps,
            ProblemKind::ChainBreak => &mut self.counts.chain_breaks,
            ProblemKind::Corrupt => &mut self.counts.corrupt,
            ProblemKind::Torn => &mut self.counts.torn,
            ProblemKind::InProgress => &mut self.counts.in_progress,
        };
        *counter += 1;
        self.problems.push(
            MAX_PROBLEMS,
            Problem {
                file: problem.file.display().to_string(),
                line: problem.line,
                kind,
                detail,
            },
        );
    }

    /// The integrity section.
    pub fn finish(self) -> Integrity {
        let c = self.counts;
        let failed = c.gaps + c.chain_breaks + c.corrupt + c.torn > 0;
        Integrity {
            status: if failed {
                IntegrityStatus::Failed
            } else {
                IntegrityStatus::Ok
            },
            records: self.records,
            first_seq: self.first_seq,
            last_seq: self.last_seq,
            files: self
                .files
                .into_iter()
                .map(|(date, path, present, records)| FileInfo {
                    date,
                    path: path.display().to_string(),
                    present,
                    records,
                })
                .collect(),
            counts: self.counts,
            problems: self.problems,
            left_out: 0,
        }
    }
}
