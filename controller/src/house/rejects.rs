//! Refused input, recorded in bounded form: per source and per minute the
//! first [`IN_FULL`] refusals become `rejected` records (and diagnostic log
//! lines), the rest are counted into one `rejected_summary` record with the
//! first and last of them, written when the minute ends. A writer that
//! floods the FIFO with garbage thus costs the disk a few records a minute,
//! not one record per line; the status segment's `rejected` counter still
//! counts every one.
//!
//! Minutes are measured on the monotonic clock: a wall clock that steps, or
//! a simulated house clock at 1440×, changes nothing here.

use homesec_ipc::eventlog::Event;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Refusals recorded one by one per source and window.
pub const IN_FULL: u64 = 20;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// The refusals of the current window, per source.
#[derive(Debug, Default)]
pub struct RejectLog {
    windows: HashMap<String, Window>,
}

/// One source's window.
#[derive(Debug)]
struct Window {
    started: Instant,
    in_full: u64,
    more: u64,
    first: (String, String),
    last: (String, String),
}

impl RejectLog {
    /// Takes one refusal at `now`: the `rejected` record to write, or `None`
    /// when this window's records are spent (it is counted instead).
    pub fn refuse(
        &mut self,
        now: Instant,
        source: String,
        reason: String,
        input: String,
    ) -> Option<Event> {
        let window = self.windows.entry(source.clone()).or_insert(Window {
            started: now,
            in_full: 0,
            more: 0,
            first: Default::default(),
            last: Default::default(),
        });
        if window.in_full < IN_FULL {
            window.in_full += 1;
            tracing::warn!(%source, %reason, %input, "input rejected");
            return Some(Event::Rejected {
                source,
                reason,
                input,
            });
        }
        if window.more == 0 {
            window.first = (reason.clone(), input.clone());
        }
        window.more += 1;
        window.last = (reason, input);
        None
    }

    /// The summaries of the windows that ended by `now`; those windows
    /// start afresh with the next refusal.
    pub fn ended(&mut self, now: Instant) -> Vec<Event> {
        self.close(|window| now.duration_since(window.started) >= WINDOW)
    }

    /// The summaries of every window, ended or not (at a stop).
    pub fn all(&mut self) -> Vec<Event> {
        self.close(|_| true)
    }

    fn close(&mut self, done: impl Fn(&Window) -> bool) -> Vec<Event> {
        let mut summaries = Vec::new();
        self.windows.retain(|source, window| {
            if !done(window) {
                return true;
            }
            if window.more > 0 {
                tracing::warn!(
                    %source,
                    count = window.more,
                    "more input rejected than the log records one by one; counted in a rejected_summary record"
                );
                let (first_reason, first_input) = std::mem::take(&mut window.first);
                let (last_reason, last_input) = std::mem::take(&mut window.last);
                summaries.push(Event::RejectedSummary {
                    source: source.clone(),
                    count: window.more,
                    first_reason,
                    first_input,
                    last_reason,
                    last_input,
                });
            }
            false
        });
        // Sources in a stable order, for a log that reads the same each time.
        summaries.sort_by(|a, b| source_of(a).cmp(source_of(b)));
        summaries
    }
}

fn source_of(event: &Event) -> &str {
    match event {
        Event::RejectedSummary { source, .. } => source,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refuse(log: &mut RejectLog, at: Instant, source: &str, n: u64) -> usize {
        (0..n)
            .filter_map(|i| log.refuse(at, source.into(), format!("bad {i}"), format!("line {i}")))
            .count()
    }

    #[test]
    fn a_flood_becomes_a_few_records_and_one_summary_a_minute() {
        let t0 = Instant::now();
        let mut log = RejectLog::default();
        assert_eq!(refuse(&mut log, t0, "fifo", 1_000), IN_FULL as usize);
        // Another source has its own budget.
        assert_eq!(refuse(&mut log, t0, "mq", 3), 3);
        assert!(log.ended(t0 + WINDOW / 2).is_empty(), "the minute runs on");
        let summaries = log.ended(t0 + WINDOW);
        assert_eq!(
            summaries,
            vec![Event::RejectedSummary {
                source: "fifo".into(),
                count: 1_000 - IN_FULL,
                first_reason: format!("bad {IN_FULL}"),
                first_input: format!("line {IN_FULL}"),
                last_reason: "bad 999".into(),
                last_input: "line 999".into(),
            }]
        );
        // A new minute records in full again.
        assert_eq!(refuse(&mut log, t0 + WINDOW, "fifo", 5), 5);
        assert!(log.all().is_empty(), "nothing was held back");
    }

    #[test]
    fn a_stop_writes_what_the_minute_held_back() {
        let t0 = Instant::now();
        let mut log = RejectLog::default();
        refuse(&mut log, t0, "pipe:x", IN_FULL + 2);
        let summaries = log.all();
        assert!(
            matches!(&summaries[..], [Event::RejectedSummary { count: 2, .. }]),
            "{summaries:?}"
        );
    }
}
