//! Which day files a report reads, and reading them.
//!
//! The files are the period's days (and for a week the week before's),
//! plus the files before them back to one that says what the alarm state
//! was (an `alarm`, `start` or `snapshot` record; usually the day before,
//! at most [`MAX_LOOKBACK`] files back), so that the report knows the state
//! at its start and the hash chain is checked across midnight. They are
//! streamed once, oldest first, through the ipc reader: memory stays
//! bounded however large a file is. Finding the state-setting file reads
//! each candidate backwards in chunks and stops at the first hit.

use crate::ReportError;
use crate::aggregate::{Aggregator, Options};
use crate::model::Report;
use crate::period::Period;
use chrono::NaiveDate;
use homesec_config::Config;
use homesec_ipc::SensorState;
use homesec_ipc::eventlog::files::{file_name, list_files};
use homesec_ipc::eventlog::reader::{self, EventRef, ItemRef, ProblemKind, Reader};
use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// The most files before the period searched for the alarm state.
pub const MAX_LOOKBACK: usize = 31;

/// Record kinds that say what the alarm state is.
const STATE_KINDS: [&[u8]; 3] = [
    br#""kind":"alarm""#,
    br#""kind":"start""#,
    br#""kind":"snapshot""#,
];
const CHUNK: usize = 64 * 1024;

/// The files to read for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Every file to stream, oldest first.
    pub read: Vec<PathBuf>,
    /// The period's day files, present or not.
    pub period_files: Vec<(NaiveDate, PathBuf, bool)>,
    /// The file the controller may be writing now: the newest, if it is
    /// the file of the current house day. Only there is a torn last line a
    /// write in progress rather than damage.
    pub writing: Option<PathBuf>,
    /// The first file after the period, of which only the first record is
    /// read: its `seq` and `prev` prove the period's last records are all
    /// there (records cut from the end of a day show here).
    pub next: Option<PathBuf>,
}

/// Plans the reading of `events_dir` for `period`; `house_today` is the
/// date of the current house day.
pub fn plan(
    events_dir: &Path,
    period: &Period,
    house_today: NaiveDate,
) -> Result<Plan, ReportError> {
    let all = list_files(events_dir).map_err(|source| ReportError::ListDir {
        path: events_dir.to_path_buf(),
        source,
    })?;
    let dates = period.dates();
    let first = period.read_from().date_naive();
    let last = dates.last().copied().unwrap_or(first);
    let before: Vec<&(NaiveDate, PathBuf)> = all.iter().filter(|(d, _)| *d < first).collect();
    // The day before at least, for the chain across midnight; further back
    // only to reach a file that sets the state.
    let mut lookback = before.len().min(1);
    for (n, (_, path)) in before.iter().rev().take(MAX_LOOKBACK).enumerate() {
        if sets_state(path)? {
            lookback = n + 1;
            break;
        }
    }
    let next = all.iter().find(|(d, _)| *d > last).map(|(_, p)| p.clone());
    let read = before[before.len() - lookback..]
        .iter()
        .map(|(_, p)| p.clone())
        .chain(
            all.iter()
                .filter(|(d, _)| (first..=last).contains(d))
                .map(|(_, p)| p.clone()),
        )
        .chain(next.clone())
        .collect();
    let period_files = dates
        .iter()
        .map(|date| {
            let path = events_dir.join(file_name(*date));
            let present = all.iter().any(|(d, _)| d == date);
            (*date, path, present)
        })
        .collect();
    Ok(Plan {
        read,
        period_files,
        writing: all
            .last()
            .filter(|(date, _)| *date == house_today)
            .map(|(_, p)| p.clone()),
        next,
    })
}

/// How sensor records reach the aggregator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    /// Borrowed from the reader's buffer, without allocating: the fast way.
    Borrowed,
    /// As owned records, like every other kind: the reference the fast way
    /// is tested against.
    Owned,
}

/// Reads the planned files and builds the report (summary lines not yet
/// set). Records that fail the chain — a duplicate or replayed `seq`, or a
/// record whose successor's `prev` is not its hash (its content was
/// altered) — are reported by the integrity section and must not feed the
/// tables: when the first reading finds any, the files are read again
/// without them, and the report says how many were left out. A clean log
/// (the usual case) is read once.
pub fn report(
    plan: Plan,
    period: Period,
    config: Config,
    options: Options,
    records: Records,
) -> Result<Report, ReportError> {
    let no_one = HashSet::new();
    let (report, suspects) = read(&plan, &period, &config, &options, records, &no_one)?;
    if suspects.is_empty() {
        return Ok(report);
    }
    let (mut report, _) = read(&plan, &period, &config, &options, records, &suspects)?;
    report.integrity.left_out = suspects.len() as u64;
    Ok(report)
}

/// A record's place: its file and line.
type Place = (PathBuf, u64);

/// One reading of the planned files, leaving out the records at `skip`;
/// returns the report and the places of the records that failed the chain.
fn read(
    plan: &Plan,
    period: &Period,
    config: &Config,
    options: &Options,
    records: Records,
    skip: &HashSet<Place>,
) -> Result<(Report, HashSet<Place>), ReportError> {
    let days = period.days()?;
    let mut aggregator = Aggregator::new(
        period.clone(),
        days,
        plan.period_files.clone(),
        plan.writing.clone(),
        plan.next.clone(),
        config.clone(),
        options.clone(),
    );
    let mut suspects = Suspects::default();
    let mut reader = Reader::new(plan.read.clone());
    while let Some(item) = reader.next_ref() {
        match item {
            // The next file's first record has been checked against the
            // period's last: nothing more is needed from it.
            ItemRef::Record(entry) if plan.next.as_deref() == Some(entry.file) => {
                aggregator.record(entry.file, &entry.record.to_record());
                break;
            }
            ItemRef::Record(entry) => {
                suspects.record(entry.file, entry.line);
                // Most reports skip nothing: no place is built for them.
                if !skip.is_empty() && skip.contains(&(entry.file.to_path_buf(), entry.line)) {
                    aggregator.left_out(entry.file, entry.record.seq);
                    continue;
                }
                match &entry.record.event {
                    EventRef::Sensor(s)
                        if s.state != SensorState::Tamper && records == Records::Borrowed =>
                    {
                        aggregator.sensor_record(entry.file, entry.record.seq, entry.record.ts, s);
                    }
                    _ => aggregator.record(entry.file, &entry.record.to_record()),
                }
            }
            ItemRef::Problem(problem) => {
                if let ProblemKind::Unreadable { reason } = &problem.kind {
                    return Err(ReportError::Unreadable {
                        path: problem.file.clone(),
                        reason: reason.clone(),
                    });
                }
                suspects.problem(&problem);
                aggregator.problem(problem);
            }
        }
    }
    Ok((aggregator.finish(), suspects.found))
}

/// Finds the records that failed the chain, from the problems the reader
/// reports just before each record.
#[derive(Default)]
struct Suspects {
    found: HashSet<Place>,
    /// The place of the last record read.
    last: Option<Place>,
    /// The record about to come has a seq that does not follow.
    gap_here: Option<Place>,
}

impl Suspects {
    fn problem(&mut self, problem: &reader::Problem) {
        let here = (problem.file.clone(), problem.line);
        match problem.kind {
            // A seq that goes back: a duplicated or replayed record.
            ProblemKind::SeqGap { expected, found } if found < expected => {
                self.found.insert(here.clone());
                self.gap_here = Some(here);
            }
            ProblemKind::SeqGap { .. } => self.gap_here = Some(here),
            // A break where no record is missing: the one before was altered.
            ProblemKind::ChainBreak { .. } if self.gap_here.as_ref() != Some(&here) => {
                if let Some(last) = &self.last {
                    self.found.insert(last.clone());
                }
            }
            _ => {}
        }
    }

    fn record(&mut self, file: &Path, line: u64) {
        // Called for every record: the path is copied only when it changes.
        match &mut self.last {
            Some((last_file, last_line)) if last_file == file => *last_line = line,
            last => *last = Some((file.to_path_buf(), line)),
        }
        self.gap_here = None;
    }
}

/// Whether the file holds a record that sets the alarm state; read from the
/// end backwards, since the state's last word is what counts and is
/// usually near the end.
fn sets_state(path: &Path) -> Result<bool, ReportError> {
    let unreadable = |e: io::Error| ReportError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    let overlap = STATE_KINDS.iter().map(|k| k.len()).max().unwrap_or(0) - 1;
    let mut buf = vec![0; CHUNK + overlap];
    let mut end = len;
    while end > 0 {
        let start = end.saturating_sub(CHUNK as u64);
        // At most CHUNK + overlap bytes, so it fits in usize.
        let take =
            usize::try_from((end - start) + (len - end).min(overlap as u64)).unwrap_or(CHUNK);
        let chunk = &mut buf[..take];
        file.read_exact_at(chunk, start).map_err(unreadable)?;
        if STATE_KINDS.iter().any(|kind| contains(chunk, kind)) {
            return Ok(true);
        }
        end = start;
    }
    Ok(false)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_kinds_are_found_across_chunk_borders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.jsonl");
        let mut text = "x".repeat(CHUNK * 2 - 5);
        text.push_str(r#""kind":"start""#);
        text.push_str(&"y".repeat(100));
        std::fs::write(&path, &text).unwrap();
        assert!(sets_state(&path).unwrap());
        std::fs::write(&path, "z".repeat(CHUNK * 3)).unwrap();
        assert!(!sets_state(&path).unwrap());
        std::fs::write(&path, "").unwrap();
        assert!(!sets_state(&path).unwrap());
    }
}
