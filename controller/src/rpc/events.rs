//! Pages of the event log for `events_since`, read from the day files on
//! disk — never from memory, which a crash can lose — and only up to what
//! is durable. A page stops at [`MAX_PAGE`] records or [`PAGE_BYTES`] of
//! record text, whichever comes first, so its answer fits one frame. Lines
//! that are not whole records (a torn tail, a line longer than any record
//! the controller writes) are skipped here, read in bounded memory; the
//! reporter is where they are counted.

use homesec_ipc::eventlog::files;
use homesec_ipc::eventlog::record::Record;
use homesec_ipc::rpc::{EventPage, MAX_FRAME, MAX_PAGE};
use std::io::{self, BufRead, BufReader, Read};
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
    let mut line = Vec::new();
    for file in files_from(events_dir, after)? {
        let mut reader = BufReader::new(std::fs::File::open(&file)?);
        while let Some(whole) = next_line(&mut reader, &mut line)? {
            let Some(record) = whole
                .then(|| serde_json::from_slice::<Record>(&line).ok())
                .flatten()
            else {
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

/// The longest line taken for a record; longer ones are skipped.
const MAX_LINE: usize = MAX_FRAME;

/// Reads the next line into `line` (without its `\n`): `Some(true)` for
/// a line of at most [`MAX_LINE`] bytes, `Some(false)` for a longer one
/// (skipped, never held whole), `None` at the end of the file.
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<bool>> {
    line.clear();
    let limit = u64::try_from(MAX_LINE + 1).unwrap_or(u64::MAX);
    let n = Read::take(&mut *reader, limit).read_until(b'\n', line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() == Some(&b'\n') {
        line.pop();
        return Ok(Some(true));
    }
    if line.len() <= MAX_LINE {
        // The last line of the file, without its newline: a torn tail.
        return Ok(Some(false));
    }
    // Too long: drop the rest of it a buffer at a time.
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(Some(false));
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(Some(false));
            }
            None => {
                let all = buf.len();
                reader.consume(all);
            }
        }
    }
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
    let mut reader = BufReader::new(std::fs::File::open(path)?);
    let mut line = Vec::new();
    while let Some(whole) = next_line(&mut reader, &mut line)? {
        if !whole {
            continue;
        }
        if let Ok(record) = serde_json::from_slice::<Record>(&line) {
            return Ok(Some(record.seq));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_longer_than_any_record_is_skipped_in_bounded_memory() {
        let mut text = b"short\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 3 * MAX_LINE));
        text.extend(b"\nafter\ntorn");
        let mut reader = BufReader::with_capacity(1024, &text[..]);
        let mut line = Vec::new();
        assert_eq!(next_line(&mut reader, &mut line).unwrap(), Some(true));
        assert_eq!(line, b"short");
        assert_eq!(next_line(&mut reader, &mut line).unwrap(), Some(false));
        assert!(line.len() <= MAX_LINE + 1, "held {} bytes", line.len());
        assert_eq!(next_line(&mut reader, &mut line).unwrap(), Some(true));
        assert_eq!(line, b"after");
        assert_eq!(
            next_line(&mut reader, &mut line).unwrap(),
            Some(false),
            "torn tail"
        );
        assert_eq!(next_line(&mut reader, &mut line).unwrap(), None);
    }
}
