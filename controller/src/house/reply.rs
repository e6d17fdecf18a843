//! What a caller waiting for a command (an RPC call) is told, read from the
//! records the house wrote for it, and sent only once those records are
//! durable (an [`Ack`] behind them in the journal's queue).
//!
//! A duress code is answered exactly like the user's own code: its only
//! trace is the `duress` record, which the answer does not look at.

use crate::clock::Millis;
use crate::ingest::Reply;
use crate::outputs::backlog::Ack;
use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::CodeResult;
use homesec_ipc::rpc::{Applied, ControlError};

/// The answer to a command whose records are `events`: the first refusal
/// among them, else the state the house is in now. `locked_for` is how
/// long code entry stays locked (for a refusal because of it).
pub fn outcome(
    events: &[Event],
    alarm: AlarmState,
    locked_for: Option<Millis>,
) -> Result<Applied, ControlError> {
    for event in events {
        match event {
            Event::Code {
                result: CodeResult::Wrong,
                ..
            } => return Err(ControlError::WrongCode),
            Event::Code {
                result: CodeResult::Locked,
                ..
            } => {
                let ms = u64::try_from(locked_for.unwrap_or(0)).unwrap_or(0);
                return Err(ControlError::LockedOut {
                    seconds_left: ms.div_ceil(1000),
                });
            }
            Event::ArmRefused { sensors, .. } => {
                return Err(ControlError::SensorsOpen {
                    sensors: sensors.clone(),
                });
            }
            Event::Rejected { reason, .. } => {
                return Err(ControlError::Refused {
                    reason: reason.clone(),
                });
            }
            _ => {}
        }
    }
    Ok(Applied {
        logged_seq: 0,
        alarm,
    })
}

/// The ack that sends `outcome` on `reply` once the records before it are
/// durable, with the durable `seq` filled in.
pub fn owed(reply: Reply, outcome: Result<Applied, ControlError>) -> Ack {
    Ack::new(move |seq| {
        let answer = outcome.map(|applied| Applied {
            logged_seq: seq,
            ..applied
        });
        // The caller may have given up meanwhile; nothing to do then.
        let _ = reply.send(answer);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: CodeResult) -> Event {
        Event::Code {
            action: "disarm".into(),
            result,
            user: None,
            source: "rpc".into(),
        }
    }

    #[test]
    fn a_duress_code_is_answered_like_the_users_own() {
        let plain = outcome(&[code(CodeResult::Accepted)], AlarmState::Disarmed, None);
        let duress = [
            code(CodeResult::Duress),
            Event::Duress {
                user: "resident".into(),
                source: "rpc".into(),
            },
        ];
        assert_eq!(outcome(&duress, AlarmState::Disarmed, None), plain);
        assert!(plain.is_ok());
    }

    #[test]
    fn refusals_are_told_by_their_kind() {
        assert_eq!(
            outcome(&[code(CodeResult::Wrong)], AlarmState::Armed, None),
            Err(ControlError::WrongCode)
        );
        assert_eq!(
            outcome(&[code(CodeResult::Locked)], AlarmState::Armed, Some(89_001)),
            Err(ControlError::LockedOut { seconds_left: 90 })
        );
    }
}
