//! The counts each record adds to [`Totals`]: the one definition used for
//! the period, each of its days and the week before, so they always agree.

use crate::model::Totals;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{Cause, CodeResult};
use homesec_ipc::{AlarmKind, AlarmState};

/// What a `sensor` record counts for.
pub fn count_sensor(totals: &mut Totals) {
    totals.events += 1;
}

/// Adds what `event` counts for to `totals`.
pub fn count(totals: &mut Totals, event: &Event) {
    match event {
        Event::Sensor { .. } => count_sensor(totals),
        Event::Alarm {
            from, to, cause, ..
        } => {
            if *to == AlarmState::Triggered && *from != AlarmState::Triggered {
                totals.alarms += 1;
            }
            match cause {
                Cause::Arm => totals.arms += 1,
                Cause::Disarm => totals.disarms += 1,
                _ => {}
            }
        }
        Event::Duress { .. }
        | Event::ActivateAlarm {
            alarm_kind: AlarmKind::Silent,
            ..
        } => totals.alarms += 1,
        Event::Trouble { active: true, .. } => totals.faults += 1,
        Event::Rejected { .. } => totals.rejected += 1,
        Event::RejectedSummary { count, .. } => totals.rejected += count,
        Event::Code {
            result: CodeResult::Wrong | CodeResult::Locked,
            ..
        } => totals.failed_codes += 1,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alarm_counts_once_and_a_re_raise_not_again() {
        let mut totals = Totals::default();
        let alarm = |from, to, cause| Event::Alarm {
            from,
            to,
            mode: None,
            cause,
            sensor: None,
            zone: None,
            user: None,
            delay_ms: None,
            source: "timer".into(),
        };
        count(
            &mut totals,
            &alarm(AlarmState::Disarmed, AlarmState::Arming, Cause::Arm),
        );
        count(
            &mut totals,
            &alarm(AlarmState::Armed, AlarmState::Triggered, Cause::Intrusion),
        );
        count(
            &mut totals,
            &alarm(AlarmState::Triggered, AlarmState::Triggered, Cause::Fire),
        );
        count(
            &mut totals,
            &alarm(AlarmState::Triggered, AlarmState::Disarmed, Cause::Disarm),
        );
        assert_eq!((totals.arms, totals.alarms, totals.disarms), (1, 1, 1));
    }

    #[test]
    fn a_silent_activate_alarm_counts_as_an_alarm_and_a_visible_one_by_its_alarm_record() {
        let mut totals = Totals::default();
        let activate = |alarm_kind| Event::ActivateAlarm {
            alarm_kind,
            reason: String::new(),
            source: "rpc".into(),
        };
        count(&mut totals, &activate(AlarmKind::Silent));
        assert_eq!(totals.alarms, 1);
        count(&mut totals, &activate(AlarmKind::Panic));
        assert_eq!(totals.alarms, 1, "its `alarm` record counts it");
    }
}
