//! The writer's fast path: `sensor` records (nearly every record under
//! load) written by hand in exactly the bytes `serde_json` would write, the
//! mirror of the reader's `sensor_scanner`.
//!
//! Invariant: when [`write_sensor`] returns `true`, `out` received the same
//! bytes as `serde_json::to_writer` of the record. Anything it is not sure
//! of (a string that needs escaping, a timestamp outside the common form)
//! makes it return `false` without writing, and [`super::chain::Chain`]
//! falls back to `serde_json`. A test holds the two to the same bytes.

use crate::{SensorKind, SensorState};
use chrono::{DateTime, Datelike, FixedOffset, Timelike};

/// The fields of a `sensor` record, borrowed.
pub(crate) struct SensorFields<'a> {
    pub seq: u64,
    pub ts: &'a DateTime<FixedOffset>,
    pub sensor: &'a str,
    pub zone: &'a str,
    pub sensor_kind: SensorKind,
    pub state: SensorState,
    pub source: &'a str,
    pub prev: &'a [u8; 64],
}

/// Appends the record's JSON (no newline) to `out`; `false`, with `out`
/// untouched, when only `serde_json` can be trusted to write it.
pub(crate) fn write_sensor(r: &SensorFields<'_>, out: &mut Vec<u8>) -> bool {
    if ![r.sensor, r.zone, r.source].iter().all(|s| plain(s)) {
        return false;
    }
    let Some(ts) = timestamp(r.ts) else {
        return false;
    };
    out.extend_from_slice(b"{\"seq\":");
    decimal(r.seq, out);
    out.extend_from_slice(b",\"ts\":\"");
    out.extend_from_slice(ts.as_bytes());
    out.extend_from_slice(b"\",\"kind\":\"sensor\",\"sensor\":\"");
    out.extend_from_slice(r.sensor.as_bytes());
    out.extend_from_slice(b"\",\"zone\":\"");
    out.extend_from_slice(r.zone.as_bytes());
    out.extend_from_slice(b"\",\"sensor_kind\":\"");
    out.extend_from_slice(r.sensor_kind.as_str().as_bytes());
    out.extend_from_slice(b"\",\"state\":\"");
    out.extend_from_slice(r.state.as_str().as_bytes());
    out.extend_from_slice(b"\",\"source\":\"");
    out.extend_from_slice(r.source.as_bytes());
    out.extend_from_slice(b"\",\"prev\":\"");
    out.extend_from_slice(r.prev);
    out.extend_from_slice(b"\"}");
    true
}

/// `n` in decimal, as serde_json writes an integer.
fn decimal(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Text JSON writes as it is: printable ASCII without `"` or `\`.
fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

/// A timestamp as chrono's RFC 3339 serialisation writes it, for the common
/// form only: years 0..=9999, whole milliseconds, an offset of whole minutes.
struct Timestamp {
    bytes: [u8; 29],
    len: usize,
}

impl Timestamp {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

fn timestamp(ts: &DateTime<FixedOffset>) -> Option<Timestamp> {
    let local = ts.naive_local();
    let nano = local.nanosecond();
    let offset = ts.offset().local_minus_utc();
    let millis = nano / 1_000_000;
    // A leap second (nano of 10^9 and more) is left to chrono too.
    if !(0..=9999).contains(&local.year()) || nano % 1_000_000 != 0 || millis >= 1000 {
        return None;
    }
    if offset % 60 != 0 {
        return None;
    }
    let mut t = Timestamp {
        bytes: [0; 29],
        len: 0,
    };
    let year = local.year() as u32;
    t.digits(year / 100);
    t.digits(year % 100);
    t.push(b'-');
    t.digits(local.month());
    t.push(b'-');
    t.digits(local.day());
    t.push(b'T');
    t.digits(local.hour());
    t.push(b':');
    t.digits(local.minute());
    t.push(b':');
    t.digits(local.second());
    if millis != 0 {
        t.push(b'.');
        t.push(b'0' + (millis / 100) as u8);
        t.digits(millis % 100);
    }
    if offset == 0 {
        t.push(b'Z');
    } else {
        t.push(if offset < 0 { b'-' } else { b'+' });
        let minutes = offset.unsigned_abs() / 60;
        t.digits(minutes / 60);
        t.push(b':');
        t.digits(minutes % 60);
    }
    Some(t)
}

impl Timestamp {
    fn push(&mut self, b: u8) {
        self.bytes[self.len] = b;
        self.len += 1;
    }

    /// Two decimal digits of `n` (below 100).
    fn digits(&mut self, n: u32) {
        self.push(b'0' + (n / 10 % 10) as u8);
        self.push(b'0' + (n % 10) as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eventlog::record::Event;
    use chrono::TimeZone;

    /// What serde_json writes for the same record (the reference).
    fn by_serde(r: &SensorFields<'_>) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Reference<'a> {
            seq: u64,
            ts: &'a DateTime<FixedOffset>,
            #[serde(flatten)]
            event: &'a Event,
            prev: &'a str,
        }
        let event = Event::Sensor {
            sensor: r.sensor.to_string(),
            zone: r.zone.to_string(),
            sensor_kind: r.sensor_kind,
            state: r.state,
            source: r.source.to_string(),
        };
        let prev = std::str::from_utf8(r.prev).unwrap();
        serde_json::to_vec(&Reference {
            seq: r.seq,
            ts: r.ts,
            event: &event,
            prev,
        })
        .unwrap()
    }

    /// Whether the fast path wrote (and wrote serde_json's bytes).
    fn check(ts: DateTime<FixedOffset>, sensor: &str, source: &str) -> bool {
        let prev = [b'a'; 64];
        let fields = SensorFields {
            seq: 1_234_567,
            ts: &ts,
            sensor,
            zone: "entry",
            sensor_kind: SensorKind::Door,
            state: SensorState::Open,
            source,
            prev: &prev,
        };
        let mut out = b"kept".to_vec();
        if write_sensor(&fields, &mut out) {
            assert_eq!(
                String::from_utf8_lossy(&out[4..]),
                String::from_utf8_lossy(&by_serde(&fields)),
                "{ts:?}"
            );
            true
        } else {
            assert_eq!(out, b"kept", "a refusal writes nothing");
            false
        }
    }

    /// Timestamps across offsets, milliseconds, years and leap seconds;
    /// strings with and without characters JSON escapes: every time the
    /// fast path writes, it writes serde_json's bytes.
    #[test]
    fn writes_exactly_what_serde_json_writes_or_nothing() {
        let offsets = [
            0,
            3600,
            -3 * 3600,
            5 * 3600 + 45 * 60,
            -(9 * 3600 + 30 * 60),
            37,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut fast = 0;
        for &offset in &offsets {
            let zone = FixedOffset::east_opt(offset).unwrap();
            for _ in 0..2_000 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let secs = (seed % 320_000_000_000) as i64 - 62_000_000_000;
                let nanos = match seed % 5 {
                    0 => 0,
                    1 => (seed % 1000) as u32 * 1_000_000,
                    2 => (seed % 1_000_000_000) as u32,
                    3 => 1_000_000_000 + (seed % 1000) as u32 * 1_000_000,
                    _ => (seed % 1_000_000) as u32 * 1000,
                };
                if let Some(ts) = zone.timestamp_opt(secs, nanos).single() {
                    fast += usize::from(check(ts, "front-door", "fifo"));
                }
            }
        }
        // Whole seconds and milliseconds in years 0..=9999 with whole-minute
        // offsets: about a quarter of the cases above.
        assert!(fast > 1_000, "only {fast} timestamps took the fast path");
        let ts = FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 22, 8, 15, 0)
            .unwrap();
        for odd in [
            "a\"b",
            "a\\b",
            "tab\there",
            "é",
            "\u{7f}",
            "pipe:door sensor",
        ] {
            let plain = !odd.contains(['"', '\\', '\t', 'é', '\u{7f}']);
            assert_eq!(check(ts, odd, "fifo"), plain, "{odd:?}");
            assert_eq!(check(ts, "front-door", odd), plain, "{odd:?}");
        }
    }

    #[test]
    fn the_common_record_takes_the_fast_path() {
        let ts = FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 22, 8, 15, 0)
            .unwrap()
            + chrono::Duration::milliseconds(250);
        let prev = [b'0'; 64];
        let fields = SensorFields {
            seq: 7,
            ts: &ts,
            sensor: "front-door",
            zone: "entry",
            sensor_kind: SensorKind::Door,
            state: SensorState::Open,
            source: "fifo",
            prev: &prev,
        };
        let mut out = Vec::new();
        assert!(write_sensor(&fields, &mut out));
        assert_eq!(out, by_serde(&fields));
    }
}
