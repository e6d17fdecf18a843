//! The controller's own life: starts (a start with no clean stop before it
//! means a crash or power cut), stops, config reloads and signals.

use super::directory::clip;
use super::window::Phase;
use crate::model::{System, SystemEvent, Time};
use homesec_ipc::eventlog::Event;

/// Most events listed.
const MAX_EVENTS: usize = 50;
/// Longest detail kept, in bytes.
const MAX_DETAIL: usize = 240;

/// Builds [`System`].
#[derive(Debug, Default)]
pub struct SystemBuilder {
    /// Whether the last record seen was a clean stop (`None` before any).
    last_was_stop: Option<bool>,
    system: System,
}

impl SystemBuilder {
    /// Takes one record.
    pub fn record(&mut self, ts: Time, event: &Event, phase: Phase) {
        let was_stop = self.last_was_stop;
        self.last_was_stop = Some(matches!(event, Event::Stop { .. }));
        if phase != Phase::In {
            return;
        }
        let system = &mut self.system;
        let (what, detail) = match event {
            Event::Start { version, .. } if was_stop == Some(false) => {
                system.starts += 1;
                system.unclean_restarts += 1;
                ("unclean_start", format!("version {version}"))
            }
            Event::Start { version, .. } => {
                system.starts += 1;
                ("start", format!("version {version}"))
            }
            Event::Stop { reason } => {
                system.stops += 1;
                ("stop", reason.clone())
            }
            Event::Config {
                accepted: true,
                path,
                ..
            } => {
                system.reloads += 1;
                ("reload", path.clone())
            }
            Event::Config { path, error, .. } => {
                system.reloads_refused += 1;
                let error = error.as_deref().unwrap_or("refused");
                ("reload_refused", format!("{path}: {error}"))
            }
            Event::Signal { signal, .. } => {
                system.signals += 1;
                ("signal", signal.clone())
            }
            _ => return,
        };
        system.events.push(
            MAX_EVENTS,
            SystemEvent {
                at: ts,
                what: what.to_string(),
                detail: clip(&detail, MAX_DETAIL),
            },
        );
    }

    /// Takes a record that is neither a start nor a stop, and not in the
    /// system section (a sensor report), for the unclean-restart check.
    pub fn other_record(&mut self) {
        self.last_was_stop = Some(false);
    }

    /// The system section.
    pub fn finish(self) -> System {
        self.system
    }
}
