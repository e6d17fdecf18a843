//! Scenario times and the local calendar. A scenario says when things
//! happen as a local time of day (`"07:00"`, `"23:30:15"`) on a numbered day
//! (day 1 is the local date the simulation starts on) or as an offset from
//! the start (`"+5m"`, in the config crate's duration notation). The
//! [`Calendar`] turns those into house time (unix ms) with `chrono::Local`;
//! a time of day that a daylight-saving jump skips moves an hour later.

use chrono::{Datelike, Days, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use homesec_config::duration::parse_duration;

/// Milliseconds in a minute, hour and day, for readable arithmetic.
pub(crate) const MINUTE_MS: i64 = 60_000;
pub(crate) const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_SECONDS: u32 = 86_400;

/// When, within a day or from the start, something is scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// Seconds after local midnight.
    TimeOfDay(u32),
    /// Milliseconds after the simulation start.
    Offset(i64),
}

/// On which days a time of day applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDays {
    /// One day, counted from 0 (the file's `day = 1`).
    Once(u32),
    /// Every day.
    Every,
}

/// A scheduled moment: when, on which days, and how much random spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct When {
    /// The nominal time.
    pub at: At,
    /// The days a time of day applies to (ignored for offsets).
    pub days: OnDays,
    /// The actual time is uniform in nominal ± jitter.
    pub jitter_ms: i64,
}

/// Parses `"HH:MM"`, `"HH:MM:SS"` or `"+<duration>"`.
pub(crate) fn parse_at(text: &str) -> Result<At, String> {
    match text.strip_prefix('+') {
        Some(offset) => parse_duration(offset)
            .map_err(|e| e.to_string())
            .and_then(|d| {
                i64::try_from(d.as_millis()).map_err(|_| format!("offset '{text}' is too large"))
            })
            .map(At::Offset),
        None => parse_time_of_day(text).map(At::TimeOfDay),
    }
}

/// Parses a local time of day, `"HH:MM"` or `"HH:MM:SS"` (hours 0 to 23),
/// into seconds after midnight.
pub(crate) fn parse_time_of_day(text: &str) -> Result<u32, String> {
    let fail = || {
        format!(
            "invalid time '{text}': write a time of day like \"07:30\" or \"23:15:30\", or an offset from the start like \"+5m\""
        )
    };
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(fail());
    }
    let number = |part: &str, max: u32| -> Option<u32> {
        let ok = (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| part.parse().ok())
            .flatten()
            .filter(|&n| n <= max)
    };
    let hours = number(parts[0], 23).ok_or_else(fail)?;
    let minutes = number(parts[1], 59).filter(|_| parts[1].len() == 2);
    let seconds = match parts.get(2) {
        Some(s) => number(s, 59).filter(|_| s.len() == 2),
        None => Some(0),
    };
    match (minutes, seconds) {
        (Some(m), Some(s)) => Ok(hours * 3600 + m * 60 + s),
        _ => Err(fail()),
    }
}

/// Local days from the simulation start's date.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Calendar {
    /// The start, house time.
    pub start_ms: i64,
    /// The local date of the start: day 0.
    first_date: NaiveDate,
}

impl Calendar {
    /// The calendar of a simulation starting at `start_ms`, or `None` when
    /// chrono cannot place that time.
    pub(crate) fn new(start_ms: i64) -> Option<Calendar> {
        let start = Local.timestamp_millis_opt(start_ms).earliest()?;
        Some(Calendar {
            start_ms,
            first_date: start.date_naive(),
        })
    }

    fn date(&self, day: u32) -> NaiveDate {
        // Saturates at chrono's last date; ~700 years of days fit before that.
        self.first_date
            .checked_add_days(Days::new(u64::from(day)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// House time of local midnight starting `day` (0 = the start's date).
    pub(crate) fn day_start(&self, day: u32) -> i64 {
        self.at(day, 0)
    }

    /// House time of `seconds` after local midnight on `day`.
    pub(crate) fn at(&self, day: u32, seconds: u32) -> i64 {
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds.min(DAY_SECONDS - 1), 0)
            .unwrap_or(NaiveTime::MIN);
        local_ms(self.date(day).and_time(time))
    }

    /// The weekday of `day`.
    pub(crate) fn weekday(&self, day: u32) -> Weekday {
        self.date(day).weekday()
    }
}

/// Unix ms of a local date and time. A time skipped by a daylight-saving jump
/// is taken an hour later; an ambiguous one is the earlier of the two.
fn local_ms(local: NaiveDateTime) -> i64 {
    let hour_later = local + chrono::TimeDelta::hours(1);
    Local
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| Local.from_local_datetime(&hour_later).earliest())
        .map_or_else(
            // No local offset at all only happens at the ends of chrono's
            // range; reading the time as UTC keeps the order of events.
            || local.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_and_offsets() {
        assert_eq!(parse_at("07:00"), Ok(At::TimeOfDay(7 * 3600)));
        assert_eq!(parse_at("7:05"), Ok(At::TimeOfDay(7 * 3600 + 300)));
        assert_eq!(parse_at("23:59:59"), Ok(At::TimeOfDay(86_399)));
        assert_eq!(parse_at("00:00"), Ok(At::TimeOfDay(0)));
        assert_eq!(parse_at("+5m"), Ok(At::Offset(300_000)));
        assert_eq!(parse_at("+1h30m"), Ok(At::Offset(5_400_000)));
        assert_eq!(parse_at("+0s"), Ok(At::Offset(0)));
    }

    #[test]
    fn bad_times_say_what_to_write() {
        for bad in [
            "24:00",
            "07:60",
            "07:5",
            "7",
            "07:00:60",
            "07:00:00:00",
            "",
            "+",
            "+5",
            "+5 m",
            "-5m",
            "07h00",
            "007:00",
            "ab:cd",
        ] {
            let err = parse_at(bad).unwrap_err();
            assert!(
                err.contains("\"07:30\"") || err.contains("duration"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn days_follow_the_local_calendar() {
        let midnight = Local
            .from_local_datetime(
                &NaiveDate::from_ymd_opt(2025, 3, 4)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap(),
            )
            .earliest()
            .unwrap()
            .timestamp_millis();
        let calendar = Calendar::new(midnight + 10 * HOUR_MS).unwrap();
        assert_eq!(calendar.day_start(0), midnight);
        assert_eq!(calendar.at(0, 14 * 3600), midnight + 14 * HOUR_MS);
        assert_eq!(calendar.weekday(0), Weekday::Tue);
        assert_eq!(calendar.weekday(5), Weekday::Sun);
        let next = calendar.day_start(1);
        assert!((next - midnight - 24 * HOUR_MS).abs() <= HOUR_MS, "{next}");
    }
}
