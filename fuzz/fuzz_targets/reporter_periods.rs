//! The reporter's period arguments (`--day`, `--week`, `--from`/`--to`)
//! through its real command line parser, resolved to the days a report
//! covers. Every value either is refused with a usage error or gives a
//! period whose days are in order; no date arithmetic may panic.
#![no_main]

use chrono::NaiveDate;
use clap::Parser;
use homesec_reporter::cli::Args;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, i32, &str, &str)| {
    let (flag, today, first, second) = input;
    // Any date chrono can represent as "today", edges included.
    let today = NaiveDate::from_num_days_from_ce_opt(today).unwrap_or(NaiveDate::MAX);
    let argv: Vec<&str> = match flag % 4 {
        0 => vec!["homesec-reporter", "--day", first],
        1 => vec!["homesec-reporter", "--week", first],
        2 => vec!["homesec-reporter", "--week"],
        _ => vec!["homesec-reporter", "--from", first, "--to", second],
    };
    let Ok(args) = Args::try_parse_from(argv) else {
        return;
    };
    let Ok(period) = args.period(today) else {
        return;
    };
    let dates = period.dates();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "{dates:?}");
    if let Ok(days) = period.days() {
        assert!(days.iter().all(|(_, start, end)| start <= end), "{days:?}");
    }
});
