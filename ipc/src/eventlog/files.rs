//! The names of the event log's day files, `YYYY-MM-DD.jsonl` after the local
//! date of the records they hold, and listing them oldest first. Names that do
//! not match exactly (other files, `2026-1-2.jsonl`, directories) are ignored.

use chrono::NaiveDate;
use std::io;
use std::path::{Path, PathBuf};

/// The file name for one day: `YYYY-MM-DD.jsonl`.
pub fn file_name(date: NaiveDate) -> String {
    format!("{}.jsonl", date.format("%Y-%m-%d"))
}

/// The date a file name stands for, if it is exactly a day file's name.
pub fn parse_file_name(name: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(name.strip_suffix(".jsonl")?, "%Y-%m-%d").ok()?;
    (file_name(date) == name).then_some(date)
}

/// The day files in `events_dir`, sorted by date (oldest first).
pub fn list_files(events_dir: &Path) -> io::Result<Vec<(NaiveDate, PathBuf)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(events_dir)? {
        let entry = entry?;
        let Some(date) = entry.file_name().to_str().and_then(parse_file_name) else {
            continue;
        };
        if entry.path().is_file() {
            files.push((date, entry.path()));
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(file_name(day(2026, 1, 2)), "2026-01-02.jsonl");
        assert_eq!(parse_file_name("2026-01-02.jsonl"), Some(day(2026, 1, 2)));
        assert_eq!(parse_file_name("2026-1-2.jsonl"), None);
        assert_eq!(parse_file_name("2026-01-02.json"), None);
        assert_eq!(parse_file_name("2026-02-30.jsonl"), None);
        assert_eq!(parse_file_name("x2026-01-02.jsonl"), None);
    }

    #[test]
    fn list_is_sorted_and_skips_other_names() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "2026-03-01.jsonl",
            "2025-12-31.jsonl",
            "notes.txt",
            "2026-03-01.jsonl.bak",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        std::fs::create_dir(dir.path().join("2026-04-01.jsonl")).unwrap();
        let files = list_files(dir.path()).unwrap();
        assert_eq!(
            files,
            vec![
                (day(2025, 12, 31), dir.path().join("2025-12-31.jsonl")),
                (day(2026, 3, 1), dir.path().join("2026-03-01.jsonl")),
            ]
        );
    }
}
