//! Turns a stream of records into a [`Report`], one record at a time.
//!
//! Records before the period only move state forward (alarm state, open
//! doors, troubles, a running alarm), so the period starts from what the
//! log says was true then; records of the week before a reported week are
//! counted for the comparison; records past the end are ignored. Every
//! builder keeps bounded state: counters per sensor, zone and hour, and
//! lists capped with a count of the rest. Memory does not grow with the log.

mod activity;
mod alarms;
mod directory;
mod health;
mod input;
mod integrity;
mod openings;
mod system;
mod timeline;
mod totals;
mod window;

pub use window::{Phase, Window};

use crate::model::{Comparison, DaySummary, PeriodInfo, Report, SCHEMA, Summary, Time, Totals};
use crate::period::Period;
use activity::ActivityBuilder;
use alarms::AlarmsBuilder;
use chrono::{DateTime, FixedOffset, Local, NaiveDate, Offset, TimeZone, Utc};
use directory::Directory;
use health::HealthBuilder;
use homesec_config::Config;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::Record;
use homesec_ipc::eventlog::reader;
use homesec_ipc::eventlog::reader::SensorEvent;
use homesec_ipc::{AlarmState, SensorKind, SensorState};
use input::InputBuilder;
use integrity::IntegrityBuilder;
use openings::OpeningsBuilder;
use std::path::{Path, PathBuf};
use system::SystemBuilder;
use timeline::TimelineBuilder;

/// What a report is made with besides the log.
#[derive(Debug, Clone)]
pub struct Options {
    /// The instance name.
    pub instance: String,
    /// Doors and windows open at least this long are listed, in ms.
    pub open_threshold_ms: u64,
    /// The time the report is made.
    pub now: Time,
}

/// The period's day files to check: `(date, path, present)`.
pub type PeriodFiles = Vec<(NaiveDate, PathBuf, bool)>;

/// Builds a report from records fed in log order.
#[derive(Debug)]
pub struct Aggregator {
    period: Period,
    window: Window,
    now: Time,
    instance: String,
    crossed: bool,
    local: Localizer,
    directory: Directory,
    totals: Totals,
    previous_totals: Totals,
    previous_logged: bool,
    days: Vec<(NaiveDate, Time, Time, Totals)>,
    first_record: Option<Time>,
    last_record: Option<Time>,
    timeline: TimelineBuilder,
    alarms: AlarmsBuilder,
    activity: ActivityBuilder,
    openings: OpeningsBuilder,
    health: HealthBuilder,
    input: InputBuilder,
    system: SystemBuilder,
    integrity: IntegrityBuilder,
}

impl Aggregator {
    /// An aggregator for `period`, checking `files`; `writing` is the file
    /// the controller may be writing now (its torn last line is a write in
    /// progress).
    pub fn new(
        period: Period,
        days: Vec<(NaiveDate, Time, Time)>,
        files: PeriodFiles,
        writing: Option<PathBuf>,
        next: Option<PathBuf>,
        config: Config,
        options: Options,
    ) -> Self {
        let window = Window {
            previous_start: period.previous.as_ref().map(|(_, start)| *start),
            start: period.start,
            end: period.end,
            until: period.end,
        };
        Aggregator {
            activity: ActivityBuilder::new(period.start, period.end),
            openings: OpeningsBuilder::new(options.open_threshold_ms, window),
            health: HealthBuilder::new(window),
            integrity: IntegrityBuilder::new(files, writing, next),
            days: days
                .into_iter()
                .map(|(d, s, e)| (d, s, e, Totals::default()))
                .collect(),
            period,
            window,
            now: options.now,
            instance: options.instance,
            crossed: false,
            local: Localizer::default(),
            directory: Directory::new(config),
            totals: Totals::default(),
            previous_totals: Totals::default(),
            previous_logged: false,
            first_record: None,
            last_record: None,
            timeline: TimelineBuilder::new(),
            alarms: AlarmsBuilder::default(),
            input: InputBuilder::default(),
            system: SystemBuilder::default(),
        }
    }

    /// A problem the reader found.
    pub fn problem(&mut self, problem: reader::Problem) {
        self.integrity.problem(problem);
    }

    /// A record read from `file` that failed the chain: counted as read by
    /// the integrity section, left out of every table.
    pub fn left_out(&mut self, file: &Path, seq: u64) {
        self.integrity.record(file, seq);
    }

    /// A record read from `file`.
    pub fn record(&mut self, file: &Path, record: &Record) {
        let Some((ts, phase)) = self.enter(file, record.seq, record.ts) else {
            return;
        };
        let event = &record.event;
        if let Event::Sensor {
            sensor,
            zone,
            sensor_kind,
            state,
            ..
        } = event
        {
            self.sensor(ts, sensor, zone, *sensor_kind, *state, phase);
        }
        let before = self.timeline.state();
        self.timeline.record(ts, event, phase);
        let after = self.timeline.state();
        if before.state != after.state {
            self.openings
                .armed(ts, after.state == Some(AlarmState::Armed));
            if after.state == Some(AlarmState::Disarmed) {
                self.openings.disarmed();
            }
        }
        match event {
            Event::Bypass { sensor, reason, .. } => self.openings.bypass(sensor, *reason),
            Event::Unbypass { sensor, .. } => self.openings.unbypass(sensor),
            _ => {}
        }
        let directory = &self.directory;
        self.alarms.record(ts, event, phase, |s| directory.kind(s));
        self.health.record(ts, event, phase);
        self.system.record(ts, event, phase);
        match phase {
            Phase::In => self.count_in(ts, event),
            Phase::Previous => {
                totals::count(&mut self.previous_totals, event);
                self.previous_logged = true;
            }
            Phase::Before => {}
        }
    }

    /// A `sensor` record borrowed from the reader — the bulk of every log —
    /// counted exactly as [`Aggregator::record`] counts the same record
    /// owned, without allocating. A `tamper` report, which is also a health
    /// event, must go through `record`.
    pub fn sensor_record(
        &mut self,
        file: &Path,
        seq: u64,
        at: DateTime<FixedOffset>,
        s: &SensorEvent<'_>,
    ) {
        debug_assert_ne!(
            s.state,
            SensorState::Tamper,
            "tamper reports take the owned path"
        );
        let Some((ts, phase)) = self.enter(file, seq, at) else {
            return;
        };
        self.sensor(ts, s.sensor, s.zone, s.sensor_kind, s.state, phase);
        self.system.other_record();
        match phase {
            Phase::In => self.count_in_with(ts, totals::count_sensor),
            Phase::Previous => {
                totals::count_sensor(&mut self.previous_totals);
                self.previous_logged = true;
            }
            Phase::Before => {}
        }
    }

    /// What every record does first: integrity, and whether and where it
    /// falls in the period (its local time and phase).
    fn enter(&mut self, file: &Path, seq: u64, at: DateTime<FixedOffset>) -> Option<(Time, Phase)> {
        self.integrity.record(file, seq);
        let phase = self.window.phase(&at)?;
        if phase == Phase::In && !self.crossed {
            self.cross_start();
        }
        Some((self.local.local(at), phase))
    }

    fn sensor(
        &mut self,
        ts: Time,
        sensor: &str,
        zone: &str,
        kind: SensorKind,
        state: SensorState,
        phase: Phase,
    ) {
        self.directory.saw(sensor, zone, kind);
        self.openings.sensor(ts, sensor, zone, kind, state);
        if phase == Phase::In {
            self.activity.sensor(ts, sensor, zone, kind, state);
        }
    }

    fn count_in(&mut self, ts: Time, event: &Event) {
        self.input.record(ts, event);
        self.count_in_with(ts, |totals| totals::count(totals, event));
    }

    /// Adds to the period's totals and its day's, and notes the record's time.
    fn count_in_with(&mut self, ts: Time, add: impl Fn(&mut Totals)) {
        add(&mut self.totals);
        let day = self.days.partition_point(|d| d.1 <= ts);
        if let Some(day) = day.checked_sub(1).and_then(|i| self.days.get_mut(i)) {
            add(&mut day.3);
        }
        self.first_record.get_or_insert(ts);
        self.last_record = Some(ts);
    }

    fn cross_start(&mut self) {
        self.crossed = true;
        self.timeline.cross_start(self.period.start);
        self.alarms.cross_start(self.period.start);
    }

    /// Where things still open are cut off: the period's end, or for a
    /// period still running, now (or the last record, if the log runs ahead
    /// of this clock, as a simulated house's does).
    fn until(&self) -> Time {
        if self.now >= self.period.end {
            return self.period.end;
        }
        let latest = self.last_record.map_or(self.now, |last| last.max(self.now));
        latest.clamp(self.period.start, self.period.end)
    }

    /// The report (its summary lines still empty; see [`crate::summary`]).
    pub fn finish(mut self) -> Report {
        if !self.crossed {
            self.cross_start();
        }
        self.window.until = self.until();
        let window = self.window;
        let timeline = self.timeline.finish(&window);
        let alarms = self.alarms.finish();
        let openings = self.openings.finish(window.until);
        let health = self.health.finish(window.until);
        let activity = self.activity.finish();
        let mut sensor_ids: Vec<String> =
            activity.sensors.iter().map(|s| s.sensor.clone()).collect();
        sensor_ids.extend(alarms.items.iter().filter_map(|a| a.sensor.clone()));
        sensor_ids.extend(openings.items.items.iter().map(|o| o.sensor.clone()));
        sensor_ids.extend(health.troubles.items.iter().map(|t| t.sensor.clone()));
        for change in &timeline.changes.items {
            sensor_ids.extend(change.sensors.iter().cloned());
        }
        sensor_ids.sort();
        sensor_ids.dedup();
        let mut zone_ids: Vec<String> = activity.zones.iter().map(|z| z.zone.clone()).collect();
        zone_ids.extend(alarms.items.iter().filter_map(|a| a.zone.clone()));
        zone_ids.extend(openings.items.items.iter().map(|o| o.zone.clone()));
        zone_ids.extend(health.troubles.items.iter().map(|t| t.zone.clone()));
        let house = self.directory.house(&sensor_ids, &zone_ids);
        let comparison = self.period.previous.as_ref().map(|(name, _)| Comparison {
            previous: name.clone(),
            previous_totals: self.previous_totals,
            previous_logged: self.previous_logged,
        });
        Report {
            schema: SCHEMA,
            generator: concat!("homesec-reporter ", env!("CARGO_PKG_VERSION")).to_string(),
            instance: self.instance,
            period: PeriodInfo {
                kind: self.period.kind,
                name: self.period.name,
                start: self.period.start,
                end: self.period.end,
                length_ms: window::ms_between(self.period.start, self.period.end),
                complete: self.now >= self.period.end,
                first_record: self.first_record,
                last_record: self.last_record,
            },
            summary: Summary { lines: Vec::new() },
            totals: self.totals,
            house,
            timeline,
            alarms,
            activity,
            openings,
            health,
            input: self.input.finish(),
            system: self.system.finish(),
            days: self
                .days
                .into_iter()
                .map(|(date, start, end, totals)| DaySummary {
                    date,
                    length_ms: window::ms_between(start, end),
                    totals,
                })
                .collect(),
            comparison,
            integrity: self.integrity.finish(),
        }
    }
}

/// Converts record times to the local zone, asking the zone once per
/// quarter hour of UTC time (offsets only change on quarter hours).
#[derive(Debug)]
struct Localizer {
    slot: i64,
    offset: FixedOffset,
}

impl Default for Localizer {
    fn default() -> Self {
        Localizer {
            slot: i64::MIN,
            offset: Utc.fix(),
        }
    }
}

impl Localizer {
    fn local(&mut self, ts: Time) -> Time {
        let slot = ts.timestamp().div_euclid(900);
        if slot != self.slot {
            self.offset = Local.offset_from_utc_datetime(&ts.naive_utc()).fix();
            self.slot = slot;
        }
        ts.with_timezone(&self.offset)
    }
}
