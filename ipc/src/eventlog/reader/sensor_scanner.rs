//! The reader's fast path: a hand-written scanner for `sensor` records in
//! the exact layout [`crate::eventlog::chain::Chain`] writes (no whitespace,
//! `seq`, `ts`, `kind` first, string values without escapes, printable ASCII).
//!
//! Invariant: when [`sensor_record`] returns `Some`, `serde_json` would have
//! parsed the same line into a `Record` with the same values. Anything the
//! scanner is not sure of (escapes, unknown or repeated fields, other kinds,
//! timestamps outside the common form) gets `None`, and the caller falls back
//! to `serde_json`, which decides.

use crate::{SensorKind, SensorState};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use std::ops::Range;

/// A `sensor` record found by the scanner; string fields are byte ranges of
/// the scanned line (printable ASCII, so every range is valid UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SensorLine {
    pub seq: u64,
    pub ts: DateTime<FixedOffset>,
    pub sensor: Range<usize>,
    pub zone: Range<usize>,
    pub sensor_kind: SensorKind,
    pub state: SensorState,
    pub source: Range<usize>,
    pub prev: Range<usize>,
}

/// Scans `line` as a `sensor` record in the writer's layout; `None` when it
/// is anything else (which says nothing about whether it is a record).
pub(super) fn sensor_record(line: &[u8]) -> Option<SensorLine> {
    if !plain_ascii(line) {
        return None;
    }
    let mut cur = Cursor { line, pos: 0 };
    cur.literal(b"{\"seq\":")?;
    let seq = cur.integer()?;
    cur.literal(b",\"ts\":\"")?;
    let ts = parse_ts(cur.until_quote()?)?;
    cur.literal(b",\"kind\":\"sensor\"")?;
    let mut fields = Fields::default();
    let mut expected = 0;
    while cur.literal(b"}").is_none() {
        let index = cur.key(expected)?;
        expected = index + 1;
        let start = cur.pos;
        cur.until_quote()?;
        fields.set(index, start..cur.pos - 1)?;
    }
    if cur.pos != line.len() {
        return None;
    }
    fields.finish(line, seq, ts)
}

/// Whether every byte is printable ASCII other than `\`: then every string
/// in the line is free of escapes and control characters, and valid UTF-8.
fn plain_ascii(line: &[u8]) -> bool {
    // A branch-free fold per chunk vectorises; `all` over bytes would not.
    // `b - 0x20 < 0x5f` (wrapping) is `0x20 <= b < 0x7f`.
    line.chunks(32).all(|chunk| {
        chunk.iter().fold(true, |ok, &b| {
            ok & (b.wrapping_sub(0x20) < 0x5f) & (b != b'\\')
        })
    })
}

struct Cursor<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// Consumes `text` if the line goes on with it. (An array, not a
    /// slice: comparisons of known length are inlined, not `memcmp` calls.)
    fn literal<const N: usize>(&mut self, text: &[u8; N]) -> Option<()> {
        let rest = self.line.get(self.pos..)?;
        if rest.first_chunk::<N>()? != text {
            return None;
        }
        self.pos += N;
        Some(())
    }

    /// The bytes up to the next `"`, which is consumed.
    fn until_quote(&mut self) -> Option<&'a [u8]> {
        let rest = self.line.get(self.pos..)?;
        let len = memchr::memchr(b'"', rest)?;
        self.pos += len + 1;
        Some(&rest[..len])
    }

    /// The key of the next field (its `,"` before and `:"` after are
    /// consumed), as an index of [`KEYS`]: the `expected` one (where the
    /// writer puts it) costs one comparison, any other known key a search;
    /// `None` for an unknown key.
    fn key(&mut self, expected: usize) -> Option<usize> {
        let prefix = match expected {
            0 => self.literal(b",\"sensor\":\""),
            1 => self.literal(b",\"zone\":\""),
            2 => self.literal(b",\"sensor_kind\":\""),
            3 => self.literal(b",\"state\":\""),
            4 => self.literal(b",\"source\":\""),
            5 => self.literal(b",\"prev\":\""),
            _ => None,
        };
        if prefix.is_some() {
            return Some(expected);
        }
        self.literal(b",\"")?;
        let key = self.until_quote()?;
        self.literal(b":\"")?;
        KEYS.iter().position(|k| k.as_bytes() == key)
    }

    /// A JSON integer that fits a `u64` (no sign, no leading zero).
    fn integer(&mut self) -> Option<u64> {
        let rest = self.line.get(self.pos..)?;
        let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = &rest[..len];
        if digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') {
            return None;
        }
        let mut value: u64 = 0;
        for &d in digits {
            value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        }
        self.pos += len;
        Some(value)
    }
}

/// The fields of a `sensor` record after `kind`, in the order the writer
/// puts them.
const KEYS: [&str; 6] = ["sensor", "zone", "sensor_kind", "state", "source", "prev"];

/// Where each of [`KEYS`] was found, each at most once.
#[derive(Default)]
struct Fields([Option<Range<usize>>; 6]);

impl Fields {
    /// Records field `index`; `None` when it was already seen.
    fn set(&mut self, index: usize, value: Range<usize>) -> Option<()> {
        let slot = self.0.get_mut(index)?;
        if slot.is_some() {
            return None;
        }
        *slot = Some(value);
        Some(())
    }

    fn finish(self, line: &[u8], seq: u64, ts: DateTime<FixedOffset>) -> Option<SensorLine> {
        let [sensor, zone, sensor_kind, state, source, prev] = self.0;
        Some(SensorLine {
            seq,
            ts,
            sensor: sensor?,
            zone: zone?,
            sensor_kind: ascii(&line[sensor_kind?])?.parse().ok()?,
            state: ascii(&line[state?])?.parse().ok()?,
            source: source?,
            prev: prev?,
        })
    }
}

fn ascii(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`, the form chrono writes;
/// `None` for anything else, including leap seconds, which chrono then
/// parses or refuses.
pub(super) fn parse_ts(text: &[u8]) -> Option<DateTime<FixedOffset>> {
    let (date_time, zone) = split_zone(text)?;
    let (main, nanos) = match date_time.get(19..) {
        Some([]) => (date_time, 0),
        Some([b'.', fraction @ ..]) => (&date_time[..19], nanoseconds(fraction)?),
        _ => return None,
    };
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        n0,
        n1,
        b':',
        s0,
        s1,
    ] = *main
    else {
        return None;
    };
    let year = i32::try_from(digits(&[y0, y1, y2, y3])?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, digits(&[m0, m1])?, digits(&[d0, d1])?)?;
    let (hour, minute, second) = (digits(&[h0, h1])?, digits(&[n0, n1])?, digits(&[s0, s1])?);
    if second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    zone.from_local_datetime(&date.and_time(time)).single()
}

/// Splits off the offset: `Z` or `±HH:MM` (hours below 24, minutes below 60).
fn split_zone(text: &[u8]) -> Option<(&[u8], FixedOffset)> {
    if let Some(rest) = text.strip_suffix(b"Z") {
        return Some((rest, FixedOffset::east_opt(0)?));
    }
    let split = text.len().checked_sub(6)?;
    let (rest, zone) = text.split_at(split);
    let [sign, h0, h1, b':', m0, m1] = *zone else {
        return None;
    };
    let (hours, minutes) = (digits(&[h0, h1])?, digits(&[m0, m1])?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
    let offset = match sign {
        b'+' => FixedOffset::east_opt(seconds)?,
        b'-' => FixedOffset::west_opt(seconds)?,
        _ => return None,
    };
    Some((rest, offset))
}

/// 1 to 9 fraction digits as nanoseconds.
fn nanoseconds(fraction: &[u8]) -> Option<u32> {
    if !(1..=9).contains(&fraction.len()) {
        return None;
    }
    let value = digits(fraction)?;
    let scale = 10u32.checked_pow(u32::try_from(9 - fraction.len()).ok()?)?;
    value.checked_mul(scale)
}

/// A run of at most 9 ASCII digits as a number.
fn digits(text: &[u8]) -> Option<u32> {
    text.iter().try_fold(0u32, |value, &d| {
        d.is_ascii_digit().then(|| value * 10 + u32::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::chain::Chain;
    use crate::eventlog::{Event, Record};

    fn sensor_line(ts: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let event = Event::Sensor {
            sensor: "front-door".into(),
            zone: "entry".into(),
            sensor_kind: SensorKind::Door,
            state: SensorState::Open,
            source: "pipe:contacts".into(),
        };
        let ts = DateTime::parse_from_rfc3339(ts).unwrap();
        Chain::resume(41, [9; 32])
            .append(ts, &event, &mut out)
            .unwrap();
        out.pop();
        out
    }

    /// The record the scanner found, rebuilt as `serde_json` would give it.
    fn as_record(line: &[u8], s: &SensorLine) -> Record {
        let text = |r: &Range<usize>| String::from_utf8(line[r.clone()].to_vec()).unwrap();
        Record {
            seq: s.seq,
            ts: s.ts,
            event: Event::Sensor {
                sensor: text(&s.sensor),
                zone: text(&s.zone),
                sensor_kind: s.sensor_kind,
                state: s.state,
                source: text(&s.source),
            },
            prev: text(&s.prev),
        }
    }

    #[test]
    fn the_writers_sensor_lines_scan_like_serde() {
        for ts in [
            "2026-11-22T08:15:00+01:00",
            "2026-11-22T08:15:00.250+01:00",
            "2026-03-29T01:59:59.999999999-09:30",
            "2024-02-29T23:00:00.000001+00:00",
        ] {
            let line = sensor_line(ts);
            let scanned = sensor_record(&line).unwrap();
            let expected: Record = serde_json::from_slice(&line).unwrap();
            assert_eq!(as_record(&line, &scanned), expected, "{ts}");
            assert_eq!(scanned.seq, 41);
        }
    }

    #[test]
    fn anything_unusual_is_left_to_serde() {
        let line = String::from_utf8(sensor_line("2026-11-22T08:15:00+01:00")).unwrap();
        let variants = [
            line.replace("front-door", r"front\u002ddoor"),
            line.replace("front-door", "front-d\u{f6}or"),
            line.replace(r#""zone""#, r#""zone2""#),
            line.replace(r#","source""#, r#","zone":"x","source""#),
            line.replace(r#""kind":"sensor""#, r#""kind":"trouble""#),
            line.replace(r#"{"seq":41"#, r#"{"seq":041"#),
            line.replace(r#"{"seq":41"#, r#"{ "seq":41"#),
            line.replace(r#""state":"open""#, r#""state":"ajar""#),
            line.replace(r#""state":"open""#, r#""state":1"#),
            line.replace(r#""state":"open","#, ""),
            line.replace("08:15:00+01:00", "08:15:60+01:00"),
            line.replace("08:15:00+01:00", "08:15:00 +01:00"),
            line.replace("T08", "t08"),
            format!("{line} "),
            format!("{line}}}"),
            line[..line.len() - 1].to_string(),
            r#"{"seq":99999999999999999999,"ts":"2026-11-22T08:15:00Z","kind":"sensor"}"#
                .to_string(),
        ];
        for variant in variants {
            assert_eq!(sensor_record(variant.as_bytes()), None, "{variant}");
        }
    }

    #[test]
    fn field_order_after_kind_does_not_matter() {
        let line = String::from_utf8(sensor_line("2026-11-22T08:15:00Z")).unwrap();
        let moved = line
            .replace(r#","zone":"entry""#, "")
            .replace(r#","source":"#, r#","zone":"entry","source":"#);
        assert_ne!(moved, line);
        let scanned = sensor_record(moved.as_bytes()).unwrap();
        let expected: Record = serde_json::from_str(&moved).unwrap();
        assert_eq!(as_record(moved.as_bytes(), &scanned), expected);
    }

    /// Every byte flip, deletion and insertion of a writer's line: whatever
    /// the scanner accepts, serde parses to the same record.
    #[test]
    fn mutated_lines_never_scan_differently_from_serde() {
        let line = sensor_line("2026-11-22T08:15:00.250+01:00");
        let mut accepted = 0;
        for pos in 0..line.len() {
            for byte in [
                b'0', b'9', b'"', b',', b'}', b':', b'a', b'\\', b' ', 0x7f, 0xc3,
            ] {
                let mut replaced = line.clone();
                replaced[pos] = byte;
                let mut inserted = line.clone();
                inserted.insert(pos, byte);
                let mut removed = line.clone();
                removed.remove(pos);
                for variant in [replaced, inserted, removed] {
                    if let Some(scanned) = sensor_record(&variant) {
                        accepted += 1;
                        let parsed: Record = serde_json::from_slice(&variant)
                            .unwrap_or_else(|e| panic!("{e}: {variant:?}"));
                        assert_eq!(as_record(&variant, &scanned), parsed);
                    }
                }
            }
        }
        // Most mutations inside string values still scan.
        assert!(accepted > 1000, "{accepted}");
    }

    #[test]
    fn timestamps_parse_as_chrono_does() {
        let good = [
            "2026-11-22T08:15:00Z",
            "2026-11-22T08:15:00+00:00",
            "2026-11-22T08:15:00-00:00",
            "2026-11-22T23:59:59.5+23:59",
            "2026-11-22T00:00:00.123456789-23:59",
            "2026-02-28T12:00:00.12+05:45",
            "0001-01-01T00:00:00+00:00",
            "9999-12-31T23:59:59.999999999Z",
        ];
        for text in good {
            let expected: DateTime<FixedOffset> = text.parse().unwrap();
            assert_eq!(parse_ts(text.as_bytes()), Some(expected), "{text}");
        }
        let refused = [
            "2026-02-29T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T08:60:00Z",
            "2026-11-22T08:15:60Z",
            "2026-11-22T08:15:00.Z",
            "2026-11-22T08:15:00.1234567890Z",
            "2026-11-22T08:15:00+24:00",
            "2026-11-22T08:15:00+01:60",
            "2026-11-22T08:15:00+0100",
            "2026-11-22 08:15:00Z",
            "2026-11-22T08:15:00z",
            "2026-11-22T08:15:00",
            "2026-1-22T08:15:00Z",
            "+2026-11-22T08:15:00Z",
            "2026-11-22T08:15:0aZ",
        ];
        for text in refused {
            assert_eq!(parse_ts(text.as_bytes()), None, "{text}");
        }
    }
}
