//! Words for numbers, times and durations, shared by the text renderers
//! and the summary so that they say things the same way.

use crate::model::{
    Alarm, AlarmCause, CodeCounts, Input, PeriodKind, Report, StateAt, System, Time,
};

/// `1 alarm`, `2 alarms`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A duration in ms as a person says it: `45s`, `3m 20s`, `4h 21m`, `2d 3h`.
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) if s == 0 => format!("{ms}ms"),
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) if sec == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m {sec}s"),
        (0, _, 0) => format!("{h}h"),
        (0, _, _) => format!("{h}h {m}m"),
        (_, 0, _) => format!("{d}d"),
        _ => format!("{d}d {h}h"),
    }
}

/// A time as the report shows it: the clock time for a day report (with
/// the offset when the day changes clocks), weekday and time for a week,
/// date and time otherwise; times outside the period get their date.
pub fn time(report: &Report, t: &Time) -> String {
    let period = &report.period;
    let inside = *t >= period.start && *t < period.end;
    let offsets_differ = period.start.offset() != period.end.offset();
    match period.kind {
        PeriodKind::Day if inside && offsets_differ => t.format("%H:%M:%S %:z").to_string(),
        PeriodKind::Day if inside => t.format("%H:%M:%S").to_string(),
        PeriodKind::Week if inside => t.format("%a %H:%M").to_string(),
        _ => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// An alarm cause in words.
pub fn cause(cause: AlarmCause) -> &'static str {
    match cause {
        AlarmCause::Intrusion => "intrusion",
        AlarmCause::Panic => "panic",
        AlarmCause::Tamper => "tamper",
        AlarmCause::Fire => "fire",
        AlarmCause::Medical => "medical",
        AlarmCause::Restore => "restored after restart",
        AlarmCause::Duress => "duress (silent)",
        AlarmCause::Silent => "silent alarm",
        AlarmCause::Other => "other",
    }
}

/// The facts of one alarm, one sentence each, as every format lists them.
pub fn alarm_facts(r: &Report, a: &Alarm) -> Vec<String> {
    let mut facts = Vec::new();
    if a.before_period {
        facts.push("raised before this period, still running at its start".to_string());
    }
    let mode = a
        .mode
        .map(|m| format!("mode {m}"))
        .unwrap_or_else(|| "disarmed".to_string());
    let kind = a
        .sensor_kind
        .map(|k| format!(", {k} sensor"))
        .unwrap_or_default();
    facts.push(format!("{mode}{kind}, via {}", a.source));
    match (a.entry_delay_ms, a.entry_used_ms) {
        (Some(delay), Some(used)) => facts.push(format!(
            "entry delay {} granted, {} used",
            duration(delay),
            duration(used)
        )),
        (None, Some(used)) => facts.push(format!("entry delay, {} used", duration(used))),
        _ if !a.silent => facts.push("instant: no entry delay".to_string()),
        _ => {}
    }
    if let Some(user) = &a.user {
        facts.push(format!("user {user}"));
    }
    for raised in &a.also {
        let sensor = raised
            .sensor
            .as_deref()
            .map(|s| format!(" ({})", r.sensor_name(s)));
        facts.push(format!(
            "also {}{} at {}",
            cause(raised.cause),
            sensor.unwrap_or_default(),
            time(r, &raised.at)
        ));
    }
    if let Some(at) = &a.timed_out_at {
        facts.push(format!(
            "siren stopped after the trigger duration at {}",
            time(r, at)
        ));
    }
    facts.push(match &a.disarmed {
        Some(d) => format!(
            "disarmed by {} via {} at {}, {} after the trigger",
            d.user.as_deref().unwrap_or("an unknown user"),
            d.source,
            time(r, &d.at),
            duration(d.after_ms)
        ),
        None => "no disarm followed (before the next alarm or the period's end)".to_string(),
    });
    if !a.clips.is_empty() {
        facts.push(format!("clips: {}", a.clips.join(", ")));
    }
    facts
}

/// The alarm state (and mode) at a moment, in words.
pub fn state_words(state: &StateAt) -> String {
    match (state.state, state.mode) {
        (None, _) => "unknown (no earlier record)".to_string(),
        (Some(s), Some(m)) => format!("{s} ({m})"),
        (Some(s), None) => s.to_string(),
    }
}

/// A serialised enum's name, with spaces for underscores.
pub fn words_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s.replace('_', " "),
        _ => String::new(),
    }
}

/// What the controller did in the period, in one sentence: "1 start,
/// 2 signals."
pub fn controller_counts(s: &System) -> String {
    let parts: Vec<String> = [
        (s.starts, "start", "starts"),
        (
            s.unclean_restarts,
            "restart without a clean stop",
            "restarts without a clean stop",
        ),
        (s.stops, "clean stop", "clean stops"),
        (s.reloads, "config reload", "config reloads"),
        (
            s.reloads_refused,
            "refused config reload",
            "refused config reloads",
        ),
        (s.signals, "signal", "signals"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| count(*n, one, many))
    .collect();
    format!("{}.", parts.join(", "))
}

/// "2 records failed the chain check and are left out of the tables."
pub fn left_out(n: u64) -> Option<String> {
    (n > 0).then(|| {
        format!(
            "{} failed the chain check (a duplicate, or altered) and {} left out of every table above.",
            count(n, "record", "records"),
            if n == 1 { "is" } else { "are" }
        )
    })
}

/// "3 inputs refused (2 from fifo, 1 from mq)."
pub fn refused_inputs(i: &Input) -> String {
    let sources: Vec<String> = i
        .rejected_by_source
        .iter()
        .map(|c| format!("{} from {}", c.count, c.name))
        .collect();
    format!(
        "{} ({}).",
        count(i.rejected.total(), "input refused", "inputs refused"),
        sources.join(", ")
    )
}

/// "Codes: 3 accepted, 1 wrong, 0 while locked out, 0 duress."
pub fn code_counts(c: &CodeCounts) -> String {
    format!(
        "Codes: {} accepted, {} wrong, {} while locked out, {} duress.",
        c.accepted, c.wrong, c.locked, c.duress
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(250), "250ms");
        assert_eq!(duration(45_000), "45s");
        assert_eq!(duration(180_000), "3m");
        assert_eq!(duration(200_000), "3m 20s");
        assert_eq!(duration(15_660_000), "4h 21m");
        assert_eq!(duration(183_600_000), "2d 3h");
        assert_eq!(duration(3_600_000), "1h");
        assert_eq!(duration(86_400_000), "1d");
        assert_eq!(count(1, "alarm", "alarms"), "1 alarm");
        assert_eq!(count(0, "alarm", "alarms"), "0 alarms");
    }
}
