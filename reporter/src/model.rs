//! The report: everything a renderer needs, computed once from the log.
//!
//! Renderers (Markdown, text, JSON, HTML) draw from a [`Report`] alone and
//! never read the log. Times are local (the reporter's time zone) with their
//! offset; durations are whole milliseconds. Every list that could grow with
//! the log is a [`Capped`] list that keeps its first items and counts the
//! rest, so a report's size is bounded whatever the log holds. The JSON
//! form of these types is schema 1, documented field by field in
//! [`crate::json`]; a change here is a change there.

use chrono::{DateTime, FixedOffset, NaiveDate};
use homesec_ipc::eventlog::record::{BypassReason, CodeResult, TroubleCondition};
use homesec_ipc::{AlarmState, Mode, SensorKind};
use serde::Serialize;

/// A point in time, local, with its UTC offset.
pub type Time = DateTime<FixedOffset>;

/// The version of the JSON schema these types serialise to.
pub const SCHEMA: u32 = 1;

/// A whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The program that wrote it: `homesec-reporter <version>`.
    pub generator: String,
    /// The instance the log belongs to.
    pub instance: String,
    /// The period reported on.
    pub period: PeriodInfo,
    /// The three lines a person reads first.
    pub summary: Summary,
    /// Counts over the whole period.
    pub totals: Totals,
    /// Display names of the sensors and zones the report mentions.
    pub house: House,
    /// Arming and disarming.
    pub timeline: Timeline,
    /// Each alarm, in order.
    pub alarms: Capped<Alarm>,
    /// Sensor events per zone, per sensor and over time.
    pub activity: Activity,
    /// Doors and windows open too long or while armed.
    pub openings: Openings,
    /// Sensor trouble conditions.
    pub health: Health,
    /// Refused input and code attempts.
    pub input: Input,
    /// Controller starts and stops, config reloads, signals.
    pub system: System,
    /// The period day by day (one entry for a day report).
    pub days: Vec<DaySummary>,
    /// A week against the week before; absent for days and ranges.
    pub comparison: Option<Comparison>,
    /// Sequence and hash chain check of the files read.
    pub integrity: Integrity,
}

/// What kind of period a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One local day.
    Day,
    /// One ISO week, Monday to Sunday.
    Week,
    /// `--from` to `--to`.
    Range,
}

/// The period reported on.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodInfo {
    /// Day, week or range.
    pub kind: PeriodKind,
    /// Its name, also the output file's stem: `2026-11-23`, `2026-W48`,
    /// `2026-11-23T0800--2026-11-23T1200`.
    pub name: String,
    /// First instant (inclusive).
    pub start: Time,
    /// End (exclusive).
    pub end: Time,
    /// `end - start` in ms: a day is 23, 24 or 25 hours long.
    pub length_ms: u64,
    /// Whether the period had ended when the report was made.
    pub complete: bool,
    /// The first record in the period, if any.
    pub first_record: Option<Time>,
    /// The last record in the period, if any.
    pub last_record: Option<Time>,
}

/// The three summary lines: alarms; arming, events and faults; integrity.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Exactly three lines of plain text.
    pub lines: Vec<String>,
}

/// Counts that every record adds to; the same for the period, each day and
/// the week before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Alarms raised (into `triggered`, and silent alarms: duress codes and
    /// silent `activate_alarm`s).
    pub alarms: u64,
    /// Arm commands taken (into `arming`).
    pub arms: u64,
    /// Disarms.
    pub disarms: u64,
    /// Accepted sensor events.
    pub events: u64,
    /// Trouble conditions that started.
    pub faults: u64,
    /// Refused inputs.
    pub rejected: u64,
    /// Wrong codes and codes entered while locked out.
    pub failed_codes: u64,
}

/// A list that keeps its first `cap` items and counts the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capped<T> {
    /// The items kept, in order.
    pub items: Vec<T>,
    /// How many more there were.
    pub omitted: u64,
}

impl<T> Default for Capped<T> {
    fn default() -> Self {
        Capped {
            items: Vec::new(),
            omitted: 0,
        }
    }
}

impl<T> Capped<T> {
    /// Keeps `item` if fewer than `cap` are kept, else counts it.
    pub fn push(&mut self, cap: usize, item: T) {
        if self.items.len() < cap {
            self.items.push(item);
        } else {
            self.omitted += 1;
        }
    }

    /// The number of items there were, kept or not.
    pub fn total(&self) -> u64 {
        self.items.len() as u64 + self.omitted
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.omitted == 0
    }
}

/// Names for the ids the report mentions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct House {
    /// Sensors seen in the log, by id.
    pub sensors: Vec<SensorInfo>,
    /// Zones seen in the log, by id.
    pub zones: Vec<ZoneInfo>,
}

/// A sensor's description.
#[derive(Debug, Clone, Serialize)]
pub struct SensorInfo {
    /// Sensor id.
    pub id: String,
    /// Display name from the config, else the id.
    pub name: String,
    /// Zone id, when known.
    pub zone: Option<String>,
    /// Kind, when known.
    pub kind: Option<SensorKind>,
}

/// A zone's description.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneInfo {
    /// Zone id.
    pub id: String,
    /// Display name from the config, else the id.
    pub name: String,
}

impl Report {
    /// A sensor's display name (its id when unknown).
    pub fn sensor_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.house
            .sensors
            .iter()
            .find(|s| s.id == id)
            .map_or(id, |s| s.name.as_str())
    }

    /// A zone's display name (its id when unknown).
    pub fn zone_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.house
            .zones
            .iter()
            .find(|z| z.id == id)
            .map_or(id, |z| z.name.as_str())
    }

    /// Whether the integrity check failed.
    pub fn integrity_failed(&self) -> bool {
        self.integrity.status == IntegrityStatus::Failed
    }
}

/// The alarm state at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateAt {
    /// The state; `None` when the log does not say (no earlier record).
    pub state: Option<AlarmState>,
    /// The armed mode.
    pub mode: Option<Mode>,
    /// When this state began, if the log says.
    pub since: Option<Time>,
}

/// Arming and disarming over the period.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    /// The state when the period began.
    pub at_start: StateAt,
    /// The state when it ended (or now, for a period still running).
    pub at_end: StateAt,
    /// Time spent with a mode set (arming, armed, pending, triggered), in ms.
    pub armed_ms: u64,
    /// The period cut where the state changed, back to back from start to
    /// end; a renderer draws these as one bar. When some are omitted, the
    /// kept ones end before the period does.
    pub segments: Capped<Segment>,
    /// Arms, exit delays ending, disarms, restores and refused arms.
    pub changes: Capped<Change>,
}

/// A stretch of time in one alarm state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// First instant.
    pub start: Time,
    /// End (exclusive).
    pub end: Time,
    /// The state; `None` when unknown.
    pub state: Option<AlarmState>,
    /// The mode, when armed.
    pub mode: Option<Mode>,
}

/// What an arming change was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    /// Armed by a user: the exit delay starts.
    Arm,
    /// The exit delay ended: armed.
    Armed,
    /// Disarmed by a user.
    Disarm,
    /// Disarmed when an alarm raised while disarmed ended.
    AlarmEnded,
    /// The controller restarted and took up the state its last run left.
    Restore,
    /// Arming was refused: sensors open or faulted.
    Refused,
}

/// One arming change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// When.
    pub at: Time,
    /// What.
    pub action: ChangeAction,
    /// The state it led to (`None` for a refusal).
    pub state: Option<AlarmState>,
    /// The mode armed or asked for.
    pub mode: Option<Mode>,
    /// The user whose code it was.
    pub user: Option<String>,
    /// The input it came through (`fifo`, `mq`, `rpc`, `timer`, ...).
    pub source: String,
    /// The exit delay that started, for an arm, in ms.
    pub delay_ms: Option<u64>,
    /// For a refusal, the sensors in the way; for an arm, the sensors a
    /// forced arm bypassed.
    pub sensors: Vec<String>,
}

/// Why an alarm was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmCause {
    /// A sensor the mode counts.
    Intrusion,
    /// Panic button, SIGUSR1 or RPC.
    Panic,
    /// A tamper loop or switch.
    Tamper,
    /// Smoke, or a fire alarm raised by RPC.
    Fire,
    /// A medical alarm raised by RPC.
    Medical,
    /// The controller restarted during an entry delay or an alarm.
    Restore,
    /// A duress code: a silent alarm.
    Duress,
    /// A silent alarm raised by RPC (`activate_alarm` of kind `silent`).
    Silent,
    /// Any other cause the log gives.
    Other,
}

/// One alarm, from the trigger to the disarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// Why.
    pub cause: AlarmCause,
    /// The sensor that caused it.
    pub sensor: Option<String>,
    /// That sensor's zone.
    pub zone: Option<String>,
    /// That sensor's kind, when known.
    pub sensor_kind: Option<SensorKind>,
    /// The armed mode at the time.
    pub mode: Option<Mode>,
    /// When the siren went on (for a silent alarm: when it was raised).
    pub triggered_at: Time,
    /// Whether it was raised before the period began and still running at its start.
    pub before_period: bool,
    /// A silent alarm (duress, or a silent `activate_alarm`): no siren.
    pub silent: bool,
    /// The user, for a duress alarm.
    pub user: Option<String>,
    /// The input it came through.
    pub source: String,
    /// When the entry delay began, if the alarm came through one.
    pub entry_started_at: Option<Time>,
    /// The entry delay granted, in ms.
    pub entry_delay_ms: Option<u64>,
    /// The entry delay used: from its start to the trigger, in ms.
    pub entry_used_ms: Option<u64>,
    /// Further causes raised while it sounded (a fire during a burglary).
    pub also: Vec<Raised>,
    /// When the trigger duration ran out (siren off, re-armed or disarmed).
    pub timed_out_at: Option<Time>,
    /// Who disarmed, when and after how long; `None` if nobody did in the period.
    pub disarmed: Option<Disarm>,
    /// Camera clips the log names for this alarm (none yet: the log does
    /// not name clips so far).
    pub clips: Vec<String>,
}

/// A cause raised again while an alarm sounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Raised {
    /// When.
    pub at: Time,
    /// Why.
    pub cause: AlarmCause,
    /// Which sensor.
    pub sensor: Option<String>,
}

/// The disarm that ended an alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disarm {
    /// When.
    pub at: Time,
    /// Whose code.
    pub user: Option<String>,
    /// The input it came through.
    pub source: String,
    /// Time from the trigger to the disarm, in ms.
    pub after_ms: u64,
}

/// Sensor events per zone, per sensor and over time.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    /// Accepted sensor events in the period.
    pub events: u64,
    /// Per zone, most events first.
    pub zones: Vec<ZoneActivity>,
    /// Per sensor, most events first.
    pub sensors: Vec<SensorActivity>,
    /// Events of sensors or zones past the per-id cap, not in the lists.
    pub other_events: u64,
    /// Events over time.
    pub histogram: Histogram,
}

/// One zone's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneActivity {
    /// Zone id.
    pub zone: String,
    /// All accepted events.
    pub events: u64,
    /// Events that were active states (open, motion, alarm, pressed).
    pub activations: u64,
}

/// One sensor's events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SensorActivity {
    /// Sensor id.
    pub sensor: String,
    /// Its zone.
    pub zone: String,
    /// Its kind.
    pub kind: SensorKind,
    /// All accepted events.
    pub events: u64,
    /// Events that were active states (open, motion, alarm, pressed).
    pub activations: u64,
}

/// Events counted in buckets of equal length from the period's start.
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    /// Length of a bucket, in minutes (60 for days and weeks).
    pub bucket_minutes: u32,
    /// The buckets, back to back; a day has 23, 24 or 25.
    pub buckets: Vec<Bucket>,
}

/// One bucket of the histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// First instant (local; across a DST change two buckets may show the same hour).
    pub start: Time,
    /// Accepted sensor events.
    pub events: u64,
    /// Of those, active states.
    pub activations: u64,
}

/// Doors and windows open too long or while armed.
#[derive(Debug, Clone, Serialize)]
pub struct Openings {
    /// The "too long" threshold, in ms.
    pub threshold_ms: u64,
    /// Each opening that was too long, armed, or both.
    pub items: Capped<Opening>,
}

/// One door or window opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opening {
    /// Sensor id.
    pub sensor: String,
    /// Its zone.
    pub zone: String,
    /// Door or window.
    pub kind: SensorKind,
    /// When it opened (may be before the period).
    pub opened_at: Time,
    /// When it closed; `None` if still open at the period's end.
    pub closed_at: Option<Time>,
    /// How long it was open (to the period's end, if still open), in ms.
    pub open_ms: u64,
    /// Whether `open_ms` is at least the threshold.
    pub too_long: bool,
    /// Time it was open while the system was `armed` (necessarily
    /// bypassed, or it would have raised the alarm), in ms.
    pub armed_ms: u64,
    /// Why it was bypassed, if it was while open.
    pub bypass: Option<BypassReason>,
}

/// Sensor trouble conditions.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Each trouble period that overlaps the report's period.
    pub troubles: Capped<Trouble>,
    /// Per sensor: how many trouble periods of each condition, and total offline time.
    pub sensors: Vec<SensorHealth>,
    /// Sensor events reporting the device's own tamper switch.
    pub tamper_events: u64,
}

/// One trouble period of one sensor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trouble {
    /// Sensor id.
    pub sensor: String,
    /// Its zone.
    pub zone: String,
    /// Offline, low battery, tamper.
    pub condition: TroubleCondition,
    /// When it began (may be before the period).
    pub started_at: Time,
    /// When it ended; `None` if it still held at the period's end.
    pub ended_at: Option<Time>,
    /// How long it held within the period, in ms.
    pub duration_ms: u64,
}

/// One sensor's troubles in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SensorHealth {
    /// Sensor id.
    pub sensor: String,
    /// Offline periods.
    pub offline: u64,
    /// Low-battery periods.
    pub low_battery: u64,
    /// Tamper periods.
    pub tamper: u64,
    /// Time offline within the period, in ms.
    pub offline_ms: u64,
}

/// Refused input and code attempts.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    /// Refused inputs.
    pub rejected: Capped<Rejected>,
    /// Refused inputs per source, most first.
    pub rejected_by_source: Vec<Count>,
    /// Code attempts by outcome.
    pub codes: CodeCounts,
    /// Wrong codes and codes entered while locked out.
    pub failed_codes: Capped<CodeAttempt>,
}

/// A name and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The name (`other` collects names past the cap).
    pub name: String,
    /// How often.
    pub count: u64,
}

/// One refused input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// When.
    pub at: Time,
    /// The input it came through.
    pub source: String,
    /// Why it was refused.
    pub reason: String,
    /// The start of the input as logged (codes hidden).
    pub input: String,
}

/// Code attempts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CodeCounts {
    /// A user's code.
    pub accepted: u64,
    /// A duress code.
    pub duress: u64,
    /// No user's code.
    pub wrong: u64,
    /// Not checked: code entry was locked.
    pub locked: u64,
}

/// One failed code attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeAttempt {
    /// When.
    pub at: Time,
    /// `arm`, `disarm` or `bypass`.
    pub action: String,
    /// `wrong` or `locked`.
    pub result: CodeResult,
    /// The input it came through.
    pub source: String,
}

/// The controller's own life.
#[derive(Debug, Clone, Default, Serialize)]
pub struct System {
    /// Controller starts.
    pub starts: u64,
    /// Clean stops.
    pub stops: u64,
    /// Starts with no clean stop before them: a crash or power cut.
    pub unclean_restarts: u64,
    /// Config reloads taken.
    pub reloads: u64,
    /// Config reloads refused.
    pub reloads_refused: u64,
    /// Signals acted on.
    pub signals: u64,
    /// Those events, in order.
    pub events: Capped<SystemEvent>,
}

/// One event of the controller's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemEvent {
    /// When.
    pub at: Time,
    /// `start`, `unclean_start`, `stop`, `reload`, `reload_refused` or `signal`.
    pub what: String,
    /// The version, stop reason, config path and error, or signal name.
    pub detail: String,
}

/// One local day of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaySummary {
    /// The date.
    pub date: NaiveDate,
    /// Its length in ms (23, 24 or 25 hours; less where the period cuts it).
    pub length_ms: u64,
    /// Its counts.
    pub totals: Totals,
}

/// A week against the week before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The week before's name (`2026-W47`).
    pub previous: String,
    /// Its counts.
    pub previous_totals: Totals,
    /// Whether any record of it was found (no file at all reads as zeros).
    pub previous_logged: bool,
}

/// The outcome of the integrity check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrityStatus {
    /// Every line a record, every seq and `prev` as expected.
    Ok,
    /// A gap, a chain break, a corrupt line or a torn line not at the log's end.
    Failed,
}

/// Sequence and hash chain check of the period's files.
#[derive(Debug, Clone, Serialize)]
pub struct Integrity {
    /// Ok or failed.
    pub status: IntegrityStatus,
    /// Records read in the period's files.
    pub records: u64,
    /// The first and last seq read in them.
    pub first_seq: Option<u64>,
    /// See `first_seq`.
    pub last_seq: Option<u64>,
    /// The period's day files, present or not.
    pub files: Vec<FileInfo>,
    /// How many of each problem.
    pub counts: ProblemCounts,
    /// Each problem with its file and line.
    pub problems: Capped<Problem>,
    /// Records that failed the chain (a duplicate, or altered) and were
    /// left out of every table.
    pub left_out: u64,
}

/// One day file of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    /// Its date.
    pub date: NaiveDate,
    /// Its path.
    pub path: String,
    /// Whether it exists.
    pub present: bool,
    /// Records read from it.
    pub records: u64,
}

/// How many of each problem.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProblemCounts {
    /// Sequence gaps.
    pub gaps: u64,
    /// Hash chain breaks.
    pub chain_breaks: u64,
    /// Complete lines that are not records.
    pub corrupt: u64,
    /// Unterminated last lines of older files (a write cut short).
    pub torn: u64,
    /// An unterminated last line of the newest file: the controller writing it.
    pub in_progress: u64,
}

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A seq does not follow the last valid record's: records removed (or inserted).
    Gap,
    /// A `prev` is not the hash of the last valid record: a record altered or removed.
    ChainBreak,
    /// A complete line that is not a record.
    Corrupt,
    /// An unterminated last line in a file the controller no longer writes.
    Torn,
    /// The unterminated last line of the newest file; not an error.
    InProgress,
}

/// One problem found in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// The line, from 1.
    pub line: u64,
    /// What kind.
    pub kind: ProblemKind,
    /// In words.
    pub detail: String,
}
