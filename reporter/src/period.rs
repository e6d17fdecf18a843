//! Periods in local time: a day, an ISO week, or a range, turned into exact
//! instants. A local day runs from one local midnight to the next, so it is
//! 23 or 25 hours long on the days the clocks change; where midnight itself
//! does not exist (a change at midnight), the day starts at the first local
//! time that does. Ranges are at most [`MAX_RANGE_DAYS`] long.

use crate::model::{PeriodKind, Time};
use chrono::{
    DateTime, Datelike, Days, Duration, IsoWeek, Local, LocalResult, NaiveDate, NaiveDateTime,
    NaiveTime, TimeZone, Weekday,
};

/// The longest `--from`/`--to` range, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// A period argument that makes no period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// `--day` not a date.
    #[error("--day '{0}': use YYYY-MM-DD, 'today' or 'yesterday'")]
    Day(String),
    /// `--week` not a week.
    #[error("--week '{0}': use YYYY-Www (like 2026-W48), 'this' or 'last'")]
    Week(String),
    /// `--from`/`--to` not a time.
    #[error("--{flag} '{text}': use YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]' (local) or RFC 3339")]
    Time {
        /// `from` or `to`.
        flag: &'static str,
        /// As given.
        text: String,
    },
    /// A local time that the clock skips.
    #[error("--{flag} '{text}' does not exist in the local time zone (the clocks skip it)")]
    Skipped {
        /// `from` or `to`.
        flag: &'static str,
        /// As given.
        text: String,
    },
    /// `--to` not after `--from`, or too far.
    #[error("--from/--to: the end must be after the start and at most {MAX_RANGE_DAYS} days later")]
    Range,
    /// A date whose day has no local time at all.
    #[error("no local time exists on {0}")]
    NoLocalDay(NaiveDate),
    /// A period at the edge of the calendar: a day or week next to it
    /// does not exist.
    #[error("{0} is too close to the end of the calendar to report on")]
    OutOfRange(String),
}

/// A period resolved to instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// Day, week or range.
    pub kind: PeriodKind,
    /// Its name and output file stem.
    pub name: String,
    /// First instant.
    pub start: Time,
    /// End, exclusive.
    pub end: Time,
    /// For a week: the week before, `(name, start)`; it ends at `start`.
    pub previous: Option<(String, Time)>,
}

impl Period {
    /// The local day `date`.
    pub fn day(date: NaiveDate) -> Result<Period, PeriodError> {
        Ok(Period {
            kind: PeriodKind::Day,
            name: date.format("%Y-%m-%d").to_string(),
            start: day_start(date)?,
            end: day_start(next_day(date)?)?,
            previous: None,
        })
    }

    /// The ISO week `week`, Monday 00:00 to the next Monday 00:00.
    pub fn week(week: IsoWeek) -> Result<Period, PeriodError> {
        let monday = week_monday(week)?;
        let edge = || PeriodError::OutOfRange(week_name(week));
        let before = monday.checked_sub_days(Days::new(7)).ok_or_else(edge)?;
        let after = monday.checked_add_days(Days::new(7)).ok_or_else(edge)?;
        Ok(Period {
            kind: PeriodKind::Week,
            name: week_name(week),
            start: day_start(monday)?,
            end: day_start(after)?,
            previous: Some((week_name(before.iso_week()), day_start(before)?)),
        })
    }

    /// From `start` to `end`.
    pub fn range(start: Time, end: Time) -> Result<Period, PeriodError> {
        let (start, end) = (local(start), local(end));
        if end <= start || end - start > Duration::days(MAX_RANGE_DAYS) {
            return Err(PeriodError::Range);
        }
        let name = format!(
            "{}--{}",
            start.format("%Y-%m-%dT%H%M"),
            end.format("%Y-%m-%dT%H%M")
        );
        Ok(Period {
            kind: PeriodKind::Range,
            name,
            start,
            end,
            previous: None,
        })
    }

    /// The local dates the period touches, first to last.
    pub fn dates(&self) -> Vec<NaiveDate> {
        let first = self.start.date_naive();
        let last = (self.end - Duration::nanoseconds(1)).date_naive();
        first.iter_days().take_while(|d| *d <= last).collect()
    }

    /// The first instant whose records matter: the week before's start for a
    /// week, else the period's start.
    pub fn read_from(&self) -> Time {
        self.previous
            .as_ref()
            .map_or(self.start, |(_, start)| *start)
    }

    /// The local days of the period as `(date, start, end)`, cut to the period.
    pub fn days(&self) -> Result<Vec<(NaiveDate, Time, Time)>, PeriodError> {
        self.dates()
            .into_iter()
            .map(|date| {
                let start = day_start(date)?.max(self.start);
                let end = day_start(next_day(date)?)?.min(self.end);
                Ok((date, start, end))
            })
            .collect()
    }
}

/// Parses `--day`.
pub fn parse_day(text: &str, today: NaiveDate) -> Result<NaiveDate, PeriodError> {
    match text {
        "today" => Ok(today),
        "yesterday" => today
            .pred_opt()
            .ok_or_else(|| PeriodError::Day(text.into())),
        _ => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| PeriodError::Day(text.into())),
    }
}

/// Parses `--week`: `YYYY-Www`, `this` or `last` (the last complete week).
pub fn parse_week(text: &str, today: NaiveDate) -> Result<IsoWeek, PeriodError> {
    let fail = || PeriodError::Week(text.into());
    match text {
        "this" => Ok(today.iso_week()),
        "last" => today
            .checked_sub_days(Days::new(7))
            .map(|d| d.iso_week())
            .ok_or_else(fail),
        _ => {
            let (year, week) = text.split_once("-W").ok_or_else(fail)?;
            let year: i32 = year.parse().map_err(|_| fail())?;
            let week: u32 = week.parse().map_err(|_| fail())?;
            let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(fail)?;
            Ok(monday.iso_week())
        }
    }
}

/// Parses `--from`/`--to`: RFC 3339, or a local `YYYY-MM-DD[( |T)HH:MM[:SS]]`.
pub fn parse_time(flag: &'static str, text: &str) -> Result<Time, PeriodError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t);
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok());
    if let Some(naive) = naive {
        return match Local.from_local_datetime(&naive) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.fixed_offset()),
            LocalResult::None => Err(PeriodError::Skipped {
                flag,
                text: text.into(),
            }),
        };
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => day_start(date),
        Err(_) => Err(PeriodError::Time {
            flag,
            text: text.into(),
        }),
    }
}

/// The first local instant of `date`: midnight, or the first time after it
/// that exists when the clocks skip midnight.
pub fn day_start(date: NaiveDate) -> Result<Time, PeriodError> {
    let mut at = date.and_time(NaiveTime::MIN);
    while at.date() == date {
        match Local.from_local_datetime(&at) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return Ok(t.fixed_offset()),
            LocalResult::None => {
                at = at
                    .checked_add_signed(Duration::minutes(15))
                    .ok_or(PeriodError::NoLocalDay(date))?;
            }
        }
    }
    Err(PeriodError::NoLocalDay(date))
}

fn next_day(date: NaiveDate) -> Result<NaiveDate, PeriodError> {
    date.succ_opt().ok_or(PeriodError::NoLocalDay(date))
}

fn week_monday(week: IsoWeek) -> Result<NaiveDate, PeriodError> {
    NaiveDate::from_isoywd_opt(week.year(), week.week(), Weekday::Mon)
        .ok_or_else(|| PeriodError::Week(week_name(week)))
}

/// The same instant in the local time zone.
pub fn local(t: Time) -> Time {
    t.with_timezone(&Local).fixed_offset()
}

/// `YYYY-Www`.
pub fn week_name(week: IsoWeek) -> String {
    format!("{:04}-W{:02}", week.year(), week.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_and_keywords() {
        let today = date(2026, 3, 1);
        assert_eq!(parse_day("today", today), Ok(today));
        assert_eq!(parse_day("yesterday", today), Ok(date(2026, 2, 28)));
        assert_eq!(parse_day("2026-11-23", today), Ok(date(2026, 11, 23)));
        assert!(parse_day("2026-11-31", today).is_err());
        assert!(parse_day("tomorrow", today).is_err());
    }

    #[test]
    fn weeks_by_name_and_keyword() {
        let today = date(2026, 11, 25); // a Wednesday of 2026-W48
        assert_eq!(week_name(parse_week("this", today).unwrap()), "2026-W48");
        assert_eq!(week_name(parse_week("last", today).unwrap()), "2026-W47");
        assert_eq!(
            week_name(parse_week("2027-W01", today).unwrap()),
            "2027-W01"
        );
        assert!(parse_week("2026-W54", today).is_err());
        assert!(parse_week("2026W01", today).is_err());
        let week = Period::week(parse_week("2026-W01", today).unwrap()).unwrap();
        // ISO 2026-W01 starts on Monday 2025-12-29.
        assert_eq!(week.dates().first(), Some(&date(2025, 12, 29)));
        assert_eq!(week.dates().len(), 7);
        assert_eq!(
            week.previous.as_ref().map(|p| p.0.as_str()),
            Some("2025-W52")
        );
    }

    #[test]
    fn ranges_must_run_forward_and_stay_short() {
        let a = parse_time("from", "2026-11-23T08:00:00+01:00").unwrap();
        let b = parse_time("to", "2026-11-23T12:30:00+01:00").unwrap();
        assert!(Period::range(b, a).is_err());
        assert!(Period::range(a, a + Duration::days(400)).is_err());
        let range = Period::range(a, b).unwrap();
        assert_eq!(range.dates(), vec![date(2026, 11, 23)]);
        assert!(parse_time("to", "23.11.2026").is_err());
    }
}
