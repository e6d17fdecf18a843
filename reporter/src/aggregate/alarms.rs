//! Alarms, each from its trigger to its end: the entry delay that led to
//! it, causes raised again while it sounded, the trigger duration running
//! out, and the disarm that closed it (which may come after the system
//! re-armed itself). A duress code is an alarm of its own, silent, and so
//! is an `activate_alarm` of kind `silent` (the visible kinds are followed
//! by their `alarm` record, like any other trigger). An
//! alarm still running when the period starts is reported with
//! `before_period`; one that ended before it is not.

use super::window::{Phase, ms_between};
use crate::model::{Alarm, AlarmCause, Capped, Disarm, Raised, Time};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::Cause;
use homesec_ipc::{AlarmKind, AlarmState, Mode, SensorKind};

/// Most alarms kept.
const MAX_ALARMS: usize = 100;
/// Most re-raised causes kept on one alarm.
const MAX_RAISED: usize = 8;

/// An entry delay running.
#[derive(Debug, Clone)]
struct Entry {
    at: Time,
    delay_ms: Option<u64>,
    cause: Cause,
    sensor: Option<String>,
    zone: Option<String>,
    source: String,
}

/// Builds the list of [`Alarm`]s.
#[derive(Debug, Default)]
pub struct AlarmsBuilder {
    entry: Option<Entry>,
    /// The alarm sounding now.
    sounding: Option<Alarm>,
    /// An alarm whose siren stopped while armed; the next disarm closes it.
    awaiting_disarm: Option<Alarm>,
    start: Option<Time>,
    alarms: Capped<Alarm>,
}

impl AlarmsBuilder {
    /// Marks the period's start: alarms still open then belong to it.
    pub fn cross_start(&mut self, start: Time) {
        self.start = Some(start);
        for alarm in [&mut self.sounding, &mut self.awaiting_disarm]
            .into_iter()
            .flatten()
        {
            alarm.before_period = true;
        }
    }

    /// Takes one record; `kind_of` tells a sensor's kind.
    pub fn record(
        &mut self,
        ts: Time,
        event: &Event,
        phase: Phase,
        kind_of: impl Fn(&str) -> Option<SensorKind>,
    ) {
        match event {
            Event::Alarm { .. } => self.transition(ts, event, kind_of),
            Event::Duress { user, source } if phase == Phase::In => {
                let mut alarm = new_alarm(ts, AlarmCause::Duress, source, None);
                alarm.silent = true;
                alarm.user = Some(user.clone());
                self.keep(alarm);
            }
            Event::ActivateAlarm {
                alarm_kind: AlarmKind::Silent,
                source,
                ..
            } if phase == Phase::In => {
                let mut alarm = new_alarm(ts, AlarmCause::Silent, source, None);
                alarm.silent = true;
                self.keep(alarm);
            }
            _ => {}
        }
    }

    fn transition(
        &mut self,
        ts: Time,
        event: &Event,
        kind_of: impl Fn(&str) -> Option<SensorKind>,
    ) {
        let Event::Alarm {
            from,
            to,
            mode,
            cause,
            sensor,
            zone,
            user,
            delay_ms,
            source,
        } = event
        else {
            return;
        };
        let entry = self.entry.take();
        match (*from, *to) {
            (_, AlarmState::Pending) => {
                self.entry = Some(Entry {
                    at: ts,
                    delay_ms: *delay_ms,
                    cause: *cause,
                    sensor: sensor.clone(),
                    zone: zone.clone(),
                    source: source.clone(),
                });
            }
            (AlarmState::Triggered, AlarmState::Triggered) => {
                if let Some(alarm) = self.sounding.as_mut() {
                    if alarm.also.len() < MAX_RAISED {
                        alarm.also.push(Raised {
                            at: ts,
                            cause: alarm_cause(*cause),
                            sensor: sensor.clone(),
                        });
                    }
                }
            }
            (_, AlarmState::Triggered) => {
                self.flush_awaiting();
                let trigger = Trigger {
                    cause: *cause,
                    sensor: sensor.as_deref(),
                    zone: zone.as_deref(),
                    mode: *mode,
                };
                let mut alarm = triggered(ts, &trigger, source, entry);
                alarm.sensor_kind = alarm.sensor.as_deref().and_then(kind_of);
                self.sounding = Some(alarm);
            }
            (AlarmState::Triggered, to) => {
                if let Some(mut alarm) = self.sounding.take() {
                    if *cause == Cause::Disarm {
                        alarm.disarmed = Some(disarm(ts, &alarm, user, source));
                        self.keep(alarm);
                    } else {
                        alarm.timed_out_at = Some(ts);
                        if to == AlarmState::Disarmed {
                            self.keep(alarm);
                        } else {
                            self.awaiting_disarm = Some(alarm);
                        }
                    }
                }
            }
            (_, AlarmState::Disarmed) => {
                if let Some(mut alarm) = self.awaiting_disarm.take() {
                    alarm.disarmed = Some(disarm(ts, &alarm, user, source));
                    self.keep(alarm);
                }
            }
            _ => {}
        }
    }

    fn flush_awaiting(&mut self) {
        if let Some(alarm) = self.awaiting_disarm.take() {
            self.keep(alarm);
        }
    }

    /// Keeps an alarm that belongs to the period.
    fn keep(&mut self, alarm: Alarm) {
        let in_period = self.start.is_some_and(|start| alarm.triggered_at >= start);
        if in_period || alarm.before_period {
            self.alarms.push(MAX_ALARMS, alarm);
        }
    }

    /// The alarms, with any still open at the period's end.
    pub fn finish(mut self) -> Capped<Alarm> {
        self.flush_awaiting();
        if let Some(alarm) = self.sounding.take() {
            self.keep(alarm);
        }
        self.alarms
    }
}

/// What raised the alarm.
struct Trigger<'a> {
    cause: Cause,
    sensor: Option<&'a str>,
    zone: Option<&'a str>,
    mode: Option<Mode>,
}

/// A new alarm from a transition into `triggered`, after `entry` if one ran.
/// An alarm raised by the entry delay running out takes its cause, sensor
/// and source from the entry.
fn triggered(ts: Time, trigger: &Trigger<'_>, source: &str, entry: Option<Entry>) -> Alarm {
    let via_entry = trigger.cause == Cause::EntryDelay;
    let cause = match (&entry, via_entry) {
        (Some(entry), true) => entry.cause,
        _ => trigger.cause,
    };
    let mut alarm = new_alarm(ts, alarm_cause(cause), source, trigger.mode);
    alarm.sensor = trigger.sensor.map(str::to_string);
    alarm.zone = trigger.zone.map(str::to_string);
    if let Some(entry) = entry {
        if via_entry {
            alarm.sensor = entry.sensor.or(alarm.sensor);
            alarm.zone = entry.zone.or(alarm.zone);
            alarm.source = entry.source;
        }
        alarm.entry_started_at = Some(entry.at);
        alarm.entry_delay_ms = entry.delay_ms;
        alarm.entry_used_ms = Some(ms_between(entry.at, ts));
    }
    alarm
}

fn new_alarm(ts: Time, cause: AlarmCause, source: &str, mode: Option<Mode>) -> Alarm {
    Alarm {
        cause,
        sensor: None,
        zone: None,
        sensor_kind: None,
        mode,
        triggered_at: ts,
        before_period: false,
        silent: false,
        user: None,
        source: source.to_string(),
        entry_started_at: None,
        entry_delay_ms: None,
        entry_used_ms: None,
        also: Vec::new(),
        timed_out_at: None,
        disarmed: None,
        clips: Vec::new(),
    }
}

fn disarm(ts: Time, alarm: &Alarm, user: &Option<String>, source: &str) -> Disarm {
    Disarm {
        at: ts,
        user: user.clone(),
        source: source.to_string(),
        after_ms: ms_between(alarm.triggered_at, ts),
    }
}

fn alarm_cause(cause: Cause) -> AlarmCause {
    match cause {
        Cause::Intrusion | Cause::EntryDelay => AlarmCause::Intrusion,
        Cause::Panic => AlarmCause::Panic,
        Cause::Tamper => AlarmCause::Tamper,
        Cause::Fire => AlarmCause::Fire,
        Cause::Medical => AlarmCause::Medical,
        Cause::Restore => AlarmCause::Restore,
        _ => AlarmCause::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Time {
        chrono::DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn a_silent_activate_alarm_is_a_silent_alarm_and_medical_has_its_cause() {
        let mut builder = AlarmsBuilder::default();
        builder.cross_start(at("2026-11-22T00:00:00+00:00"));
        let no_kind = |_: &str| None;
        let silent = Event::ActivateAlarm {
            alarm_kind: AlarmKind::Silent,
            reason: "held up".into(),
            source: "rpc".into(),
        };
        builder.record(at("2026-11-22T08:00:00+00:00"), &silent, Phase::In, no_kind);
        // A visible kind: its alarm record raises it, not this record.
        let medical = Event::ActivateAlarm {
            alarm_kind: AlarmKind::Medical,
            reason: "fell".into(),
            source: "rpc".into(),
        };
        let ts = at("2026-11-22T09:00:00+00:00");
        builder.record(ts, &medical, Phase::In, no_kind);
        let raised = Event::Alarm {
            from: AlarmState::Disarmed,
            to: AlarmState::Triggered,
            mode: None,
            cause: Cause::Medical,
            sensor: None,
            zone: None,
            user: None,
            delay_ms: Some(180_000),
            source: "rpc".into(),
        };
        builder.record(ts, &raised, Phase::In, no_kind);
        let alarms = builder.finish().items;
        let got: Vec<(AlarmCause, bool)> = alarms.iter().map(|a| (a.cause, a.silent)).collect();
        assert_eq!(
            got,
            vec![(AlarmCause::Silent, true), (AlarmCause::Medical, false)]
        );
    }
}
