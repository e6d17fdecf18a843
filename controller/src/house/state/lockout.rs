//! Code entry: the `code` record for every attempt, the duress record, and the
//! wrong-code lockout.
//!
//! Invariants: while locked, a code is not looked at (result `locked`) and
//! does not extend the lockout. `max_wrong_codes` wrong codes in a row lock
//! entry for `lockout`; every further wrong code before a correct one locks it
//! again for `lockout`; a user or duress code resets the count.

use super::HouseError;
use super::spec::{CodeCheck, Millis, Rules, millis};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::CodeResult;

/// The wrong-code counter and the lockout it leads to.
#[derive(Debug, Default)]
pub(super) struct CodeLock {
    wrong_in_a_row: u32,
    locked_until: Option<Millis>,
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

    fn count_wrong(&mut self, now: Millis, rules: &Rules) {
        self.wrong_in_a_row = self.wrong_in_a_row.saturating_add(1);
        if rules.max_wrong_codes > 0 && self.wrong_in_a_row >= rules.max_wrong_codes {
            self.locked_until = Some(now.saturating_add(millis(rules.lockout)));
        }
    }

    fn reset(&mut self) {
        self.wrong_in_a_row = 0;
        self.locked_until = None;
    }
}

fn code_record(action: &str, result: CodeResult, user: Option<&str>, source: &str) -> Event {
    Event::Code {
        action: action.to_string(),
        result,
        user: user.map(str::to_string),
        source: source.to_string(),
    }
}
