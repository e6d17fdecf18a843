//! Streams event log files through the verifying reader and prints, as JSON,
//! the events per sensor, the records per kind and the integrity counts: the
//! reader-only stand-in for `homesec-reporter` in `bench/reporter.sh`, and
//! the same per-sensor counts the benchmark asks `jq` for.
//!
//! `cargo run --release -p homesec-ipc --example scan_eventlog -- <data-dir> [<YYYY-MM-DD>]`

use homesec_ipc::eventlog::files::file_name;
use homesec_ipc::eventlog::reader::{EventRef, ItemRef, Reader};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scan_eventlog: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let (dir, day) = match args.as_slice() {
        [dir] => (dir, None),
        [dir, day] => (dir, Some(day)),
        _ => return Err("usage: scan_eventlog <data-dir> [<YYYY-MM-DD>]".to_string()),
    };
    let events = Path::new(dir).join("events");
    let mut reader = match day {
        Some(day) => {
            let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|e| format!("bad day '{day}': {e}"))?;
            Reader::new([events.join(file_name(date))])
        }
        None => Reader::from_dir(&events).map_err(|e| format!("{}: {e}", events.display()))?,
    };
    let mut per_sensor: HashMap<String, u64> = HashMap::new();
    let mut per_kind: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut problems = Vec::new();
    while let Some(item) = reader.next_ref() {
        match item {
            ItemRef::Record(entry) => {
                *per_kind.entry(entry.record.kind()).or_default() += 1;
                if let EventRef::Sensor(s) = entry.record.event {
                    // Look up by `&str` first: no allocation for a known sensor.
                    match per_sensor.get_mut(s.sensor) {
                        Some(count) => *count += 1,
                        None => {
                            per_sensor.insert(s.sensor.to_string(), 1);
                        }
                    }
                }
            }
            ItemRef::Problem(problem) if problems.len() < 100 => {
                problems.push(problem.to_string());
            }
            ItemRef::Problem(_) => {}
        }
    }
    let counts = reader.counts();
    let report = serde_json::json!({
        "sensors": per_sensor.into_iter().collect::<BTreeMap<_, _>>(),
        "kinds": per_kind,
        "integrity": {
            "records": counts.records,
            "torn": counts.torn,
            "corrupt": counts.corrupt,
            "gaps": counts.gaps,
            "breaks": counts.breaks,
            "unreadable": counts.unreadable,
            "first_problems": problems,
        },
    });
    println!("{report:#}");
    Ok(())
}
