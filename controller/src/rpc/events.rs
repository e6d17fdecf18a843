//! Pages of the event log for `events_since`, read from the day files on
//! disk — never from memory, which a crash can lose — and only up to what
//! is durable. A page stops at [`MAX_PAGE`] records or [`PAGE_BYTES`] of
//! record text, whichever comes first, so its answer fits one frame. Lines
//! that are not whole records (a torn tail) are skipped here; the reporter
//! is where they are counted.

use homesec_ipc::eventlog::files;
use homesec_ipc::eventlog::record::Record;
use homesec_ipc::rpc::{EventPage, MAX_FRAME, MAX_PAGE};
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

/// Record text one page holds at most: the frame, less room for the JSON
/// around the records.
pub const PAGE_BYTES: usize = MAX_FRAME * 3 / 4;

/// Up to `max` records with `seq` in `after+1..=durable`.
pub fn page(events_dir: &Path, after: u64, max: u32, durable: u64) -> io::Result<EventPage> {
    let max = max.clamp(1, MAX_PAGE) as usize;
    let mut page = EventPage {
        records: Vec::new(),
        more: false,
    };
    if after >= durable {
        return Ok(page);
    }
    let mut bytes = 0;
    for file in files_from(events_dir, after)? {
        let reader = BufReader::new(std::fs::File::open(&file)?);
        for line in reader.split(b'\n') {
            let line = line?;
            let Ok(record) = serde_json::from_slice::<Record>(&line) else {
                continue;
            };
            if record.seq <= after {
                continue;
            }
            if record.seq > durable {
                return Ok(page);
            }
            if page.records.len() == max || bytes + line.len() > PAGE_BYTES {
                page.more = true;
                return Ok(page);
            }
            bytes += line.len();
            page.records.push(record);
        }
    }
    Ok(page)
}

/// The day files that can hold records after `after`: the newest whose
/// first record is at or before `after + 1`, and every later one.
fn files_from(events_dir: &Path, after: u64) -> io::Result<Vec<PathBuf>> {
    let all = match files::list_files(events_dir) {
        Ok(all) => all,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut start = 0;
    for (i, (_, path)) in all.iter().enumerate().rev() {
        if first_seq(path)?.is_some_and(|first| first <= after + 1) {
            start = i;
            break;
        }
    }
    Ok(all.into_iter().skip(start).map(|(_, path)| path).collect())
}

/// The `seq` of a file's first whole record.
fn first_seq(path: &Path) -> io::Result<Option<u64>> {
    let reader = BufReader::new(std::fs::File::open(path)?);
    for line in reader.split(b'\n') {
        if let Ok(record) = serde_json::from_slice::<Record>(&line?) {
            return Ok(Some(record.seq));
        }
    }
    Ok(None)
}
