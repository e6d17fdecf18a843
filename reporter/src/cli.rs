//! The reporter's command line, and turning it into a period and output
//! formats. Exactly one of `--day`, `--week`, `--from`/`--to` is required.

use crate::period::{self, Period, PeriodError};
use clap::{ArgGroup, Parser, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// homesec-reporter: daily and weekly security reports from the event log.
///
/// Prints the report (Markdown by default), or with --out writes
/// <DIR>/<period>.{md,json,html} atomically. Exit codes: 0 done, 1 error
/// (nothing written), 2 bad arguments, 3 the log failed its integrity
/// check (the report is still written and says where).
#[derive(Debug, Parser)]
#[command(version, about, group(ArgGroup::new("period").required(true).args(["day", "week", "from"])))]
pub struct Args {
    /// The house description (TOML), for the data dir, instance and names.
    /// Default: the embedded default house.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data dir holding events/ (default: the config's paths.data_dir, else
    /// the instance's default data dir).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Instance name (default: the config's, else "home").
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// One local day: YYYY-MM-DD, today or yesterday.
    #[arg(long, value_name = "DAY")]
    pub day: Option<String>,
    /// One ISO week, Monday to Sunday: YYYY-Www, this or last; alone, the
    /// last complete week (what a Monday cron job wants).
    #[arg(long, value_name = "WEEK", num_args = 0..=1, default_missing_value = "last")]
    pub week: Option<String>,
    /// Start of a range: YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]' (local) or RFC 3339.
    #[arg(long, value_name = "DATE-TIME", requires = "to")]
    pub from: Option<String>,
    /// End of a range (exclusive), like --from.
    #[arg(long, value_name = "DATE-TIME", requires = "from")]
    pub to: Option<String>,
    /// Output format. Default: md on stdout; with --out, md, json and html.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write <DIR>/<period>.<ext> (temp file and rename) instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Doors and windows open at least this long are listed (like 15m, 1h30m).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_threshold)]
    pub open_threshold: Duration,
}

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text.
    Text,
    /// Markdown.
    Md,
    /// JSON, schema 1.
    Json,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Md => "md",
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

impl Args {
    /// The period asked for; `today` is the local date now.
    pub fn period(&self, today: chrono::NaiveDate) -> Result<Period, PeriodError> {
        if let Some(day) = &self.day {
            return Period::day(period::parse_day(day, today)?);
        }
        if let Some(week) = &self.week {
            return Period::week(period::parse_week(week, today)?);
        }
        let from = period::parse_time("from", self.from.as_deref().unwrap_or_default())?;
        let to = period::parse_time("to", self.to.as_deref().unwrap_or_default())?;
        Period::range(from, to)
    }

    /// The formats to produce.
    pub fn formats(&self) -> Vec<Format> {
        match (self.format, &self.out) {
            (Some(format), _) => vec![format],
            (None, Some(_)) => vec![Format::Md, Format::Json, Format::Html],
            (None, None) => vec![Format::Md],
        }
    }
}

fn parse_threshold(text: &str) -> Result<Duration, String> {
    homesec_config::duration::parse_duration(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn a_period_is_required_and_only_one() {
        assert!(Args::try_parse_from(["r"]).is_err());
        assert!(Args::try_parse_from(["r", "--day", "today", "--week"]).is_err());
        assert!(Args::try_parse_from(["r", "--from", "2026-01-01"]).is_err());
        let args = Args::try_parse_from(["r", "--week"]).unwrap();
        assert_eq!(args.week.as_deref(), Some("last"));
        assert_eq!(args.open_threshold, Duration::from_secs(900));
        assert_eq!(args.formats(), vec![Format::Md]);
        let args = Args::try_parse_from(["r", "--day", "today", "--out", "/x"]).unwrap();
        assert_eq!(args.formats().len(), 3);
    }
}
