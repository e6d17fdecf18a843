//! Sequence numbers and the hash chain of the event log.
//!
//! Record `n` carries `seq = n` and `prev` = lowercase hex SHA-256 of record
//! `n - 1`'s exact line bytes (without the `\n`); the first record ever has
//! `prev` = [`GENESIS`]. Removing, inserting or altering a line therefore
//! breaks either the sequence or the chain at the next record. [`Chain`] is
//! the writer's side: it serialises records and keeps both going.

use super::record::Event;
use super::sensor_writer::{SensorFields, write_sensor};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev` of the very first record: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 of one record line (its bytes without the `\n`).
pub fn line_hash(line: &[u8]) -> [u8; 32] {
    Sha256::digest(line).into()
}

/// A hash as 64 lowercase hex digits.
pub fn hex(hash: &[u8; 32]) -> String {
    // Only ASCII hex digits are written, so this cannot fail.
    String::from_utf8_lossy(&hex_bytes(hash)).into_owned()
}

/// A hash as 64 lowercase hex digits, without allocating.
pub fn hex_bytes(hash: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 64];
    for (i, byte) in hash.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(byte >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(byte & 0xf)];
    }
    out
}

/// Parses 64 hex digits (either case) back into a hash.
pub fn parse_hex(text: &str) -> Option<[u8; 32]> {
    let digits = text.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        // Two hex digits make at most 0xff.
        *byte = u8::try_from(high << 4 | low).ok()?;
    }
    Some(out)
}

/// The writer's position in the chain: the next sequence number and the hash
/// of the last line written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    next_seq: u64,
    prev_hash: [u8; 32],
}

/// A [`super::Record`] made of borrowed parts: same fields, same order, same JSON.
#[derive(Serialize)]
struct RecordRef<'a> {
    seq: u64,
    ts: &'a DateTime<FixedOffset>,
    #[serde(flatten)]
    event: &'a Event,
    prev: &'a str,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    /// The chain of a log that has no record yet: seq 1, `prev` = [`GENESIS`].
    pub fn new() -> Self {
        Chain {
            next_seq: 1,
            prev_hash: [0; 32],
        }
    }

    /// Continues an existing log (see [`super::tail::resume_point`]).
    pub fn resume(next_seq: u64, prev_hash: [u8; 32]) -> Self {
        Chain {
            next_seq,
            prev_hash,
        }
    }

    /// The sequence number the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The `prev` the next record gets, as raw bytes (all zeros at genesis).
    pub fn prev_hash(&self) -> [u8; 32] {
        self.prev_hash
    }

    /// Appends one record line (JSON and `\n`) to `out` and advances the
    /// chain; returns the record's seq. On error `out` and the chain are as
    /// they were.
    pub fn append(
        &mut self,
        ts: DateTime<FixedOffset>,
        event: &Event,
        out: &mut Vec<u8>,
    ) -> Result<u64, serde_json::Error> {
        let start = out.len();
        let prev = hex_bytes(&self.prev_hash);
        if !self.write_fast(&ts, event, &prev, out) {
            self.write_serde(&ts, event, &prev, out)?;
        }
        self.prev_hash = line_hash(&out[start..]);
        out.push(b'\n');
        let seq = self.next_seq;
        self.next_seq += 1;
        Ok(seq)
    }

    /// A `sensor` record by hand (see [`super::sensor_writer`]); `false`
    /// when it must go through serde.
    fn write_fast(
        &self,
        ts: &DateTime<FixedOffset>,
        event: &Event,
        prev: &[u8; 64],
        out: &mut Vec<u8>,
    ) -> bool {
        let Event::Sensor {
            sensor,
            zone,
            sensor_kind,
            state,
            source,
        } = event
        else {
            return false;
        };
        let fields = SensorFields {
            seq: self.next_seq,
            ts,
            sensor,
            zone,
            sensor_kind: *sensor_kind,
            state: *state,
            source,
            prev,
        };
        write_sensor(&fields, out)
    }

    /// Any record through serde_json; on error `out` is as it was.
    fn write_serde(
        &self,
        ts: &DateTime<FixedOffset>,
        event: &Event,
        prev: &[u8; 64],
        out: &mut Vec<u8>,
    ) -> Result<(), serde_json::Error> {
        let start = out.len();
        let record = RecordRef {
            seq: self.next_seq,
            ts,
            event,
            // Hex digits are ASCII, so this is always valid UTF-8.
            prev: std::str::from_utf8(prev).unwrap_or(GENESIS),
        };
        serde_json::to_writer(&mut *out, &record).inspect_err(|_| out.truncate(start))
    }
}

/// Record lines (without `\n`) for tests: `count` siren events from `chain`,
/// one second apart.
#[cfg(test)]
pub(crate) fn test_lines(chain: &mut Chain, count: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for _ in 0..count {
        let mut out = Vec::new();
        let seconds = i64::try_from(chain.next_seq()).unwrap();
        let ts = DateTime::from_timestamp(1_790_000_000 + seconds, 0)
            .unwrap()
            .fixed_offset();
        let event = Event::siren(seconds % 2 == 0);
        chain.append(ts, &event, &mut out).unwrap();
        out.pop();
        lines.push(String::from_utf8(out).unwrap());
    }
    lines
}

/// Writes `content` to a file `name` in `dir`, for tests.
#[cfg(test)]
pub(crate) fn write(dir: &std::path::Path, name: &str, content: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

/// `lines`, each ended by `\n`, for tests.
#[cfg(test)]
pub(crate) fn joined(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::Record;

    fn ts(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn genesis_is_the_hex_of_zero() {
        assert_eq!(GENESIS, hex(&[0; 32]));
        assert_eq!(parse_hex(GENESIS), Some([0; 32]));
    }

    #[test]
    fn hex_round_trips_and_rejects_junk() {
        let hash = line_hash(b"abc");
        let text = hex(&hash);
        assert_eq!(
            text,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(parse_hex(&text), Some(hash));
        assert_eq!(parse_hex(&text.to_uppercase()), Some(hash));
        assert_eq!(parse_hex(&text[1..]), None);
        assert_eq!(parse_hex(&format!("g{}", &text[1..])), None);
        assert_eq!(parse_hex(&format!("+{}", &text[1..])), None);
    }

    #[test]
    fn append_writes_records_that_link() {
        let mut chain = Chain::new();
        let mut out = Vec::new();
        let first = Event::siren(true);
        let second = Event::Stop {
            reason: "SIGTERM".into(),
        };
        assert_eq!(
            chain
                .append(ts("2026-11-22T08:00:00+01:00"), &first, &mut out)
                .unwrap(),
            1
        );
        assert_eq!(
            chain
                .append(ts("2026-11-22T08:00:01.5+01:00"), &second, &mut out)
                .unwrap(),
            2
        );
        assert_eq!(chain.next_seq(), 3);

        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(text.ends_with('\n'));
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            format!(
                r#"{{"seq":1,"ts":"2026-11-22T08:00:00+01:00","kind":"siren","on":true,"prev":"{GENESIS}"}}"#
            )
        );
        let a: Record = serde_json::from_str(lines[0]).unwrap();
        let b: Record = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(a.event, first);
        assert_eq!((b.seq, &b.event), (2, &second));
        assert_eq!(b.prev, hex(&line_hash(lines[0].as_bytes())));
        assert_eq!(chain.prev_hash(), line_hash(lines[1].as_bytes()));
        // The borrowed form writes exactly what `Record` would.
        assert_eq!(serde_json::to_string(&b).unwrap(), lines[1]);
    }

    #[test]
    fn resume_continues_where_told() {
        let prev = line_hash(b"earlier line");
        let mut chain = Chain::resume(42, prev);
        let mut out = b"kept".to_vec();
        let seq = chain.append(ts("2026-11-22T00:00:00Z"), &Event::siren(false), &mut out);
        assert_eq!(seq.unwrap(), 42);
        assert!(out.starts_with(b"kept{"));
        let rec: Record = serde_json::from_slice(&out[4..]).unwrap();
        assert_eq!(rec.prev, hex(&prev));
    }
}
