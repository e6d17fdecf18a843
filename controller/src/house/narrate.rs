//! What the house decided, told in the diagnostic log, so that a person
//! watching the daemon's stderr sees alarms arm, trigger and clear without
//! reading the event log. Sensor events are at `debug` (there can be
//! thousands a second); everything that changes the alarm is at `info` or
//! above.

use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::CodeResult;

/// Logs one record's meaning, at a level fitting its weight.
pub fn narrate(event: &Event) {
    match event {
        Event::Alarm {
            from,
            to,
            mode,
            cause,
            sensor,
            user,
            ..
        } => {
            let mode = mode.map(|m| format!(" ({m})")).unwrap_or_default();
            let who = sensor.as_deref().or(user.as_deref()).unwrap_or("-");
            if *to == AlarmState::Triggered {
                tracing::warn!("ALARM: {from} -> {to}{mode}, cause {cause:?}, by {who}");
            } else {
                tracing::info!("alarm: {from} -> {to}{mode}, cause {cause:?}, by {who}");
            }
        }
        Event::ArmRefused { mode, sensors, .. } => {
            tracing::warn!(
                "arming {mode} refused: {} open or faulted",
                sensors.join(", ")
            );
        }
        Event::Code {
            action,
            result,
            user,
            source,
        } => match result {
            CodeResult::Wrong | CodeResult::Locked => {
                tracing::warn!(%source, "code for {action}: {result:?}");
            }
            CodeResult::Accepted | CodeResult::Duress => {
                tracing::info!(%source, "code for {action} accepted (user {})", user.as_deref().unwrap_or("?"));
            }
        },
        Event::Duress { user, source } => {
            tracing::warn!(%source, "duress code of {user}: silent alarm")
        }
        Event::Bypass { sensor, reason, .. } => tracing::info!("{sensor} bypassed ({reason:?})"),
        Event::Unbypass { sensor, user, .. } => {
            tracing::info!(
                "{sensor} bypass ended by {}",
                user.as_deref().unwrap_or("?")
            )
        }
        Event::ActivateAlarm {
            alarm_kind,
            reason,
            source,
        } => tracing::warn!(%source, "alarm raised on purpose: {alarm_kind} ({reason})"),
        Event::Siren {
            on,
            cause: Some(cause),
            user,
            source,
        } => tracing::info!(
            source = source.as_deref().unwrap_or("-"),
            "siren {} ({cause:?}, user {})",
            if *on { "on" } else { "off" },
            user.as_deref().unwrap_or("-")
        ),
        Event::Trouble {
            sensor,
            condition,
            active,
            ..
        } => {
            if *active {
                tracing::warn!("trouble: {sensor} {condition:?}");
            } else {
                tracing::info!("trouble over: {sensor} {condition:?}");
            }
        }
        _ => {}
    }
}
