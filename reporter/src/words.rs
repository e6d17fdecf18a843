//! Words for numbers, times and durations, shared by the text renderers
//! and the summary so that they say things the same way.

use crate::model::{AlarmCause, PeriodKind, Report, Time};

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
        AlarmCause::Restore => "restored after restart",
        AlarmCause::Duress => "duress (silent)",
        AlarmCause::Other => "other",
    }
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
