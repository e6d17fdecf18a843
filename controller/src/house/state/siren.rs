//! The siren under command: alarms raised on purpose (`activate_alarm`,
//! SIGUSR1), silencing a raised alarm, and the siren test.
//!
//! Invariants: a silent alarm changes no state and never touches the
//! siren; silence is only taken while `triggered` and leaves it
//! `triggered`; a siren test only runs in `disarmed` and ends by itself at
//! its deadline (through [`House::tick`], which [`House::next_deadline`]
//! includes), or with any change of state.

use super::spec::{CodeCheck, Millis, millis};
use super::{House, HouseError, command};
use homesec_ipc::AlarmKind;
use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{Cause, SirenCause};
use homesec_ipc::line::redact;

/// The longest reason an `activate_alarm` record keeps, in bytes.
pub const MAX_REASON: usize = 200;

impl House {
    /// Raises an alarm on purpose (RPC `activate_alarm`, SIGUSR1), from
    /// any state and without a code: an `activate_alarm` record with the
    /// `reason` ([`redact`]ed, then cut to [`MAX_REASON`] bytes at a
    /// character boundary), then for `panic`, `fire` and `medical` the
    /// change to `triggered` with that cause and the siren; already
    /// triggered, the trigger duration starts anew and a silenced siren
    /// sounds again (a new alarm is news).
    ///
    /// A `silent` alarm is that record and nothing else, like a duress
    /// code: the alarm state, the siren and the status segment stay as they
    /// were, so a person reading the wall panel sees no `triggered`; the
    /// record is what notifications act on. (An `alarm` record would also
    /// be read back as the state after a lost alarm memory, and sound the
    /// siren at the restart.)
    pub fn activate(
        &mut self,
        now: Millis,
        kind: AlarmKind,
        reason: &str,
        source: &str,
    ) -> Vec<Event> {
        let mut out = vec![Event::ActivateAlarm {
            alarm_kind: kind,
            reason: bounded_reason(reason),
            source: source.to_string(),
        }];
        let cause = match kind {
            AlarmKind::Panic => Cause::Panic,
            AlarmKind::Fire => Cause::Fire,
            AlarmKind::Medical => Cause::Medical,
            AlarmKind::Silent => return out,
        };
        self.trigger(now, cause, None, source, &mut out);
        out
    }

    /// Switches the siren off while `triggered`; the alarm stays raised
    /// until the trigger duration ends or a disarm, and a new alarm raised
    /// meanwhile sounds again. Already silenced: only the code record.
    /// Refused when not `triggered` (a `rejected` record says why).
    pub fn silence(&mut self, now: Millis, code: CodeCheck, source: &str) -> Vec<Event> {
        command(source, "silence".to_string(), |out| {
            self.try_silence(now, code, source, out)
        })
    }

    fn try_silence(
        &mut self,
        now: Millis,
        code: CodeCheck,
        source: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), HouseError> {
        let user = self
            .codes
            .check(now, code, "silence", &self.rules, source, out)?;
        if self.alarm.state != AlarmState::Triggered {
            return Err(HouseError::NotTriggered {
                state: self.alarm.state,
            });
        }
        if self.alarm.silence() {
            out.push(Event::Siren {
                on: false,
                cause: Some(SirenCause::Silence),
                user: Some(user),
                source: Some(source.to_string()),
            });
        }
        Ok(())
    }

    /// Sounds the siren for the siren test duration ([`super::Rules`]),
    /// only while `disarmed`; it goes off by itself at the next
    /// [`House::tick`] at or after its end. Asked again while sounding, the
    /// test runs its full duration from now (the code record says so; the
    /// siren does not switch). Any change of state ends it. Refused when
    /// not `disarmed` (a `rejected` record says why).
    pub fn siren_test(&mut self, now: Millis, code: CodeCheck, source: &str) -> Vec<Event> {
        command(source, "siren_test".to_string(), |out| {
            self.try_siren_test(now, code, source, out)
        })
    }

    fn try_siren_test(
        &mut self,
        now: Millis,
        code: CodeCheck,
        source: &str,
        out: &mut Vec<Event>,
    ) -> Result<(), HouseError> {
        let user = self
            .codes
            .check(now, code, "siren_test", &self.rules, source, out)?;
        if self.alarm.state != AlarmState::Disarmed {
            return Err(HouseError::NotDisarmed {
                action: "test the siren",
                state: self.alarm.state,
            });
        }
        let was_on = self.alarm.siren();
        let until = now.saturating_add(millis(self.rules.siren_test));
        self.alarm.test_until = Some(until);
        if !was_on {
            out.push(Event::Siren {
                on: true,
                cause: Some(SirenCause::Test),
                user: Some(user),
                source: Some(source.to_string()),
            });
        }
        Ok(())
    }
}

/// `reason` as an `activate_alarm` record keeps it: [`redact`]ed (control
/// characters escaped, digit runs that could be a code masked), then cut to
/// [`MAX_REASON`] bytes at a character boundary. Redacting first means a
/// cut never leaves part of a code unmasked.
fn bounded_reason(reason: &str) -> String {
    let mut text = redact(reason);
    if text.len() > MAX_REASON {
        let mut end = MAX_REASON;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}
