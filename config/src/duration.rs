//! Durations as the house description writes them: a whole number followed
//! by a unit (`ms`, `s`, `m`, `h`), optionally chained from the largest unit
//! to the smallest ("1h30m", "1m30s", "2s500ms"). Parsing is exact: no
//! spaces, no fractions, each unit at most once, and no overflow.

use std::time::Duration;

/// A duration string that does not follow the format above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration '{text}': {reason}; write a whole number and a unit (ms, s, m, h), like \"500ms\", \"30s\" or \"1m30s\""
)]
pub struct DurationError {
    /// The text as given.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The units, largest first, with their length in milliseconds.
const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

/// Parses a duration such as "500ms", "30s", "3m", "1h" or "1m30s".
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let fail = |reason| DurationError {
        text: text.to_string(),
        reason,
    };
    if text.is_empty() {
        return Err(fail("it is empty"));
    }
    let mut rest = text;
    let mut total_ms: u64 = 0;
    // Index into UNITS of the next unit allowed: units must strictly shrink.
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(fail("expected a number"));
        }
        let (number, after) = rest.split_at(digits);
        if after.starts_with('.') || after.starts_with(',') {
            return Err(fail(
                "fractions are not allowed: use a smaller unit, like \"1500ms\"",
            ));
        }
        let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        if letters == 0 {
            return Err(fail("a number has no unit"));
        }
        let (unit, after) = after.split_at(letters);
        let index = UNITS
            .iter()
            .position(|(name, _)| *name == unit)
            .ok_or_else(|| fail("unknown unit"))?;
        if index < next_unit {
            return Err(fail(
                "units must go from largest to smallest, each at most once",
            ));
        }
        next_unit = index + 1;
        let part = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(UNITS[index].1))
            .ok_or_else(|| fail("it is too large"))?;
        total_ms = total_ms
            .checked_add(part)
            .ok_or_else(|| fail("it is too large"))?;
        rest = after;
    }
    Ok(Duration::from_millis(total_ms))
}

/// Formats a duration in the same notation, largest units first ("1m30s",
/// "500ms", "0s"). Sub-millisecond parts are dropped.
pub fn format_duration(duration: Duration) -> String {
    let mut ms = duration.as_millis();
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (name, unit_ms) in UNITS {
        let unit_ms = u128::from(unit_ms);
        if ms >= unit_ms {
            out.push_str(&format!("{}{name}", ms / unit_ms));
            ms %= unit_ms;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("3m"), Ok(Duration::from_secs(180)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn combinations_largest_first() {
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(
            parse_duration("1h2m3s4ms"),
            Ok(Duration::from_millis(3_723_004))
        );
        assert_eq!(parse_duration("2s500ms"), Ok(Duration::from_millis(2500)));
    }

    #[test]
    fn rejects_malformed_text_with_a_reason() {
        let reason = |t: &str| parse_duration(t).unwrap_err().reason;
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason("30"), "a number has no unit");
        assert_eq!(reason("s"), "expected a number");
        assert_eq!(reason("30 s"), "a number has no unit");
        assert_eq!(reason("3min"), "unknown unit");
        assert!(reason("1.5s").starts_with("fractions are not allowed"));
        assert_eq!(reason("-1s"), "expected a number");
        assert_eq!(
            reason("30s1m"),
            "units must go from largest to smallest, each at most once"
        );
        assert_eq!(
            reason("1s1s"),
            "units must go from largest to smallest, each at most once"
        );
        assert_eq!(reason("99999999999999999999h"), "it is too large");
        assert_eq!(reason("5124095576030432h"), "it is too large");
    }

    #[test]
    fn error_message_names_the_text_and_the_format() {
        let msg = parse_duration("3 minutes").unwrap_err().to_string();
        assert!(msg.contains("'3 minutes'"), "{msg}");
        assert!(msg.contains("\"1m30s\""), "{msg}");
    }

    #[test]
    fn format_round_trips() {
        for text in ["0s", "500ms", "30s", "1m30s", "1h", "1h2m3s4ms"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_duration(d), text);
        }
        assert_eq!(format_duration(Duration::from_secs(90)), "1m30s");
    }
}
