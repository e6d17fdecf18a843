//! Code entry: the `code` record for every attempt, the duress record, and the
//! wrong-code lockout.
//!
//! Invariants: while locked, a code is not looked at (result `locked`) and
//! does not extend the lockout. `max_wrong_codes` wrong codes in a row lock
//! entry for `lockout`; every further wrong code before a correct one locks
//! it again, each time for one `lockout` longer (ALARM.md: "each further
//! wrong code adds 90 s"), up to [`MAX_LOCKOUT`]; a user or duress code
//! resets the count. The count and the end of the lockout survive a restart
//! ([`CodeLockState`], kept in the alarm memory), so killing the controller
//! never hands a guesser fresh attempts.

use super::HouseError;
use super::spec::{CodeCheck, Millis, Rules, millis};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::CodeResult;

/// The longest one lockout grows to (unless the configured lockout is
/// longer): a guesser then gets one try an hour, and the owner is never
/// locked out of their own house for days.
pub const MAX_LOCKOUT: Millis = 3_600_000;

/// The wrong-code counter and the lockout it leads to.
#[derive(Debug, Default)]
pub(super) struct CodeLock {
    wrong_in_a_row: u32,
    locked_until: Option<Millis>,
}

/// What the alarm memory keeps of code entry across a restart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeLockState {
    /// Wrong codes in a row since the last correct one.
    pub wrong_in_a_row: u32,
    /// Until when code entry is locked (house time), if it is.
    pub locked_until: Option<Millis>,
}

impl CodeLock {
    /// Records the attempt for `action` and returns the user whose code it
    /// was (a duress code also writes the `duress` record), or why it is
    /// refused.
    pub(super) fn check(
        &mut self,
        now: Millis,
        code: CodeCheck,
        action: &'static str,
        rules: &Rules,
        source: &str,
        out: &mut Vec<Event>,
    ) -> Result<String, HouseError> {
        if let Some(until) = self.locked_until.filter(|&until| until > now) {
            out.push(code_record(action, CodeResult::Locked, None, source));
            return Err(HouseError::CodeLocked {
                action,
                remaining_ms: until - now,
            });
        }
        match code {
            // Entered while locked; the lockout may have just ended, but
            // the attempt belongs to the locked time.
            CodeCheck::NotChecked => {
                out.push(code_record(action, CodeResult::Locked, None, source));
                Err(HouseError::CodeLocked {
                    action,
                    remaining_ms: 0,
                })
            }
            CodeCheck::Wrong => {
                out.push(code_record(action, CodeResult::Wrong, None, source));
                self.count_wrong(now, rules);
                Err(HouseError::WrongCode { action })
            }
            CodeCheck::User(user) => {
                self.reset();
                out.push(code_record(
                    action,
                    CodeResult::Accepted,
                    Some(&user),
                    source,
                ));
                Ok(user)
            }
            CodeCheck::Duress(user) => {
                self.reset();
                out.push(code_record(action, CodeResult::Duress, Some(&user), source));
                out.push(Event::Duress {
                    user: user.clone(),
                    source: source.to_string(),
                });
                Ok(user)
            }
        }
    }

    /// Until when code entry is locked, if it is at `now`.
    pub(super) fn locked_until(&self, now: Millis) -> Option<Millis> {
        self.locked_until.filter(|&until| until > now)
    }

    /// What to keep across a restart.
    pub(super) fn state(&self) -> CodeLockState {
        CodeLockState {
            wrong_in_a_row: self.wrong_in_a_row,
            locked_until: self.locked_until,
        }
    }

    /// Takes up what a previous run kept. The end of the lockout is wall
    /// time from before the restart: a clock that stepped back meanwhile
    /// must not stretch it, so what is left is never more than the lockout
    /// this count earns.
    pub(super) fn restore(&mut self, now: Millis, kept: CodeLockState, rules: &Rules) {
        self.wrong_in_a_row = kept.wrong_in_a_row;
        let longest = now.saturating_add(lockout_for(kept.wrong_in_a_row, rules));
        self.locked_until = kept
            .locked_until
            .filter(|&until| until > now)
            .map(|until| until.min(longest));
    }

    fn count_wrong(&mut self, now: Millis, rules: &Rules) {
        self.wrong_in_a_row = self.wrong_in_a_row.saturating_add(1);
        if rules.max_wrong_codes > 0 && self.wrong_in_a_row >= rules.max_wrong_codes {
            let lockout = lockout_for(self.wrong_in_a_row, rules);
            self.locked_until = Some(now.saturating_add(lockout));
        }
    }

    fn reset(&mut self) {
        self.wrong_in_a_row = 0;
        self.locked_until = None;
    }
}

/// The lockout that the `wrong`-th wrong code in a row earns: one
/// `lockout` for the `max_wrong_codes`-th, one more for each after it, at
/// most [`MAX_LOCKOUT`] (or `lockout`, if that is longer).
fn lockout_for(wrong: u32, rules: &Rules) -> Millis {
    if rules.max_wrong_codes == 0 || wrong < rules.max_wrong_codes {
        return 0;
    }
    let steps = i64::from(wrong - rules.max_wrong_codes + 1);
    let one = millis(rules.lockout);
    one.saturating_mul(steps).min(MAX_LOCKOUT.max(one))
}

fn code_record(action: &str, result: CodeResult, user: Option<&str>, source: &str) -> Event {
    Event::Code {
        action: action.to_string(),
        result,
        user: user.map(str::to_string),
        source: source.to_string(),
    }
}
