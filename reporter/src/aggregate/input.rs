//! Refused input (with a count per source) and code attempts (counted by
//! outcome, the failed ones listed). Lists keep their first items; texts
//! are cut to a few hundred bytes.

use super::directory::{MAX_ID, clip};
use crate::model::{Capped, CodeAttempt, CodeCounts, Count, Input, Rejected, Time};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::CodeResult;

/// Most refused inputs listed.
const MAX_REJECTED: usize = 50;
/// Most failed code attempts listed.
const MAX_FAILED: usize = 50;
/// Most sources counted by name; the rest count as `other`.
const MAX_SOURCES: usize = 32;
/// Longest reason or input text kept, in bytes.
const MAX_TEXT: usize = 240;

/// Builds [`Input`].
#[derive(Debug, Default)]
pub struct InputBuilder {
    rejected: Capped<Rejected>,
    by_source: Vec<Count>,
    codes: CodeCounts,
    failed: Capped<CodeAttempt>,
}

impl InputBuilder {
    /// Takes one record of the period.
    pub fn record(&mut self, ts: Time, event: &Event) {
        match event {
            Event::Rejected {
                source,
                reason,
                input,
            } => {
                self.count_source(source);
                self.rejected.push(
                    MAX_REJECTED,
                    Rejected {
                        at: ts,
                        source: clip(source, MAX_ID),
                        reason: clip(reason, MAX_TEXT),
                        input: clip(input, MAX_TEXT),
                    },
                );
            }
            // Refused input the controller counted but did not record one
            // by one: in the totals, never in the list.
            Event::RejectedSummary { source, count, .. } => {
                self.count_source_n(source, *count);
                self.rejected.omitted += count;
            }
            Event::Code {
                action,
                result,
                source,
                ..
            } => {
                let counter = match result {
                    CodeResult::Accepted => &mut self.codes.accepted,
                    CodeResult::Duress => &mut self.codes.duress,
                    CodeResult::Wrong => &mut self.codes.wrong,
                    CodeResult::Locked => &mut self.codes.locked,
                };
                *counter += 1;
                if matches!(result, CodeResult::Wrong | CodeResult::Locked) {
                    self.failed.push(
                        MAX_FAILED,
                        CodeAttempt {
                            at: ts,
                            action: clip(action, MAX_ID),
                            result: *result,
                            source: clip(source, MAX_ID),
                        },
                    );
                }
            }
            _ => {}
        }
    }

    fn count_source(&mut self, source: &str) {
        self.count_source_n(source, 1);
    }

    fn count_source_n(&mut self, source: &str, n: u64) {
        let name = if self.by_source.iter().any(|c| c.name == source)
            || self.by_source.len() < MAX_SOURCES
        {
            source
        } else {
            "other"
        };
        match self.by_source.iter_mut().find(|c| c.name == name) {
            Some(count) => count.count += n,
            None => self.by_source.push(Count {
                name: clip(name, MAX_ID),
                count: n,
            }),
        }
    }

    /// The input section.
    pub fn finish(mut self) -> Input {
        self.by_source
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        Input {
            rejected: self.rejected,
            rejected_by_source: self.by_source,
            codes: self.codes,
            failed_codes: self.failed,
        }
    }
}
