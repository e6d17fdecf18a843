//! Where the house task's decisions go, each an output the house never
//! waits on for long: the event log ([`journal`], its own thread, group
//! commit), the shared-memory status segment ([`status`], published once per
//! turn), the [`siren`] and the alarm [`memory`] that survives a restart.

pub mod backlog;
pub mod journal;
pub mod memory;
pub mod siren;
pub mod status;

use backlog::JournalSender;
use journal::{JournalHealth, LoggedSeq};
use memory::MemorySaver;
use siren::Siren;
use status::StatusOutput;

/// The outputs the house task writes to.
pub struct Outputs {
    /// Batches of records for the event log writer.
    pub journal: JournalSender,
    /// The highest durable `seq`, shown in the status segment.
    pub logged: LoggedSeq,
    /// Whether the event log can be written.
    pub journal_health: tokio::sync::watch::Receiver<JournalHealth>,
    /// The shared-memory status segment.
    pub status: StatusOutput,
    /// The siren output.
    pub siren: Box<dyn Siren>,
    /// The alarm memory's saver thread.
    pub memory: MemorySaver,
}
