//! A short, printable, code-free quote of refused input, for logs and the
//! event log's `rejected` records: lossy UTF-8, control characters escaped,
//! at most [`MAX_EXCERPT`] characters, control lines cut to their command
//! word, and every run of digits that could be a code masked ([`redact`]),
//! so a code never reaches a log, whatever shape the line had.

/// The longest excerpt, in characters.
pub const MAX_EXCERPT: usize = 120;

/// Longest command word kept from a control line, in characters.
const MAX_COMMAND: usize = 32;

/// Quotes `line` for a log. Lines that may carry a code (text lines starting
/// with `@`; JSON lines mentioning `code` or using `\` escapes, which could
/// spell it) show only their command word.
pub fn excerpt(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    // Anywhere, not only at the start: a byte-order mark or another
    // invisible prefix must not reveal the code of a control line.
    if let Some(at) = text.find('@') {
        let word = text[at..].split([' ', '\t']).next().unwrap_or_default();
        clip_escaped(&format!("{} … (rest hidden)", clip(word)))
    } else if text.contains("code") || text.contains('\\') {
        match json_command(&text) {
            Some(command) => clip_escaped(&format!(
                r#"{{"command":"{}", … (rest hidden)"#,
                clip(command)
            )),
            None => "… (hidden: may hold a code)".to_string(),
        }
    } else {
        clip_escaped(&text)
    }
}

fn clip(word: &str) -> &str {
    match word.char_indices().nth(MAX_COMMAND) {
        Some((cut, _)) => &word[..cut],
        None => word,
    }
}

/// The string value of the `"command"` key, found by a plain scan (the line
/// may not be valid JSON).
fn json_command(json: &str) -> Option<&str> {
    let after_key = &json[json.find(r#""command""#)? + r#""command""#.len()..];
    let value = after_key
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    value.split('"').next()
}

/// What a masked run of digits becomes.
pub const MASK: &str = "****";

/// `text` safe for any log, terminal or record: control characters escaped
/// (`\u{1b}`, `\n`: an escape sequence cannot reach a terminal, a newline
/// cannot forge a log line) and every run of [`MIN_CODE_LEN`] or more ASCII
/// digits masked as [`MASK`] (a code typed into the wrong place, the wrong
/// field or a mistyped command must not be quoted back). Every reason and
/// excerpt of refused input goes through it.
///
/// [`MIN_CODE_LEN`]: super::MIN_CODE_LEN
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        end_run(&mut out, &mut run);
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    end_run(&mut out, &mut run);
    out
}

/// Writes a run of digits that just ended: masked when it could be a code.
fn end_run(out: &mut String, run: &mut String) {
    if run.len() >= super::MIN_CODE_LEN {
        out.push_str(MASK);
    } else {
        out.push_str(run);
    }
    run.clear();
}

/// [`redact`]s the text and cuts the result to `MAX_EXCERPT` characters,
/// the last of them `…` when something was cut.
fn clip_escaped(text: &str) -> String {
    // The whole text first: a run of digits cut in two by the clip would
    // show part of a code.
    let mut out = redact(text);
    if let Some((cut, _)) = out.char_indices().nth(MAX_EXCERPT) {
        let keep = out[..cut]
            .char_indices()
            .nth(MAX_EXCERPT - 1)
            .map_or(cut, |(i, _)| i);
        out.truncate(keep);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invisible_prefix_does_not_reveal_a_code() {
        let shown = excerpt("\u{feff}@disarm 4711".as_bytes());
        assert!(!shown.contains("4711"), "{shown}");
        let shown = excerpt("\u{feff}{\"command\":\"disarm\",\"code\":\"4711\"}".as_bytes());
        assert!(!shown.contains("4711"), "{shown}");
    }

    #[test]
    fn plain_lines_are_quoted_as_they_are() {
        assert_eq!(excerpt(b"front-door opened"), "front-door opened");
    }

    #[test]
    fn control_characters_are_escaped_and_bad_utf8_replaced() {
        assert_eq!(
            excerpt(b"a\x1b[31m\tb\r\xff"),
            "a\\u{1b}[31m\\tb\\r\u{fffd}"
        );
    }

    #[test]
    fn long_lines_are_cut_to_120_characters() {
        let out = excerpt(&[b'x'; 500]);
        assert_eq!(out.chars().count(), MAX_EXCERPT);
        assert!(out.ends_with('…'));
        let escapes = excerpt(&[0x01; 100]);
        assert!(escapes.chars().count() <= MAX_EXCERPT, "{escapes}");
        assert_eq!(excerpt(&[b'y'; MAX_EXCERPT]).len(), MAX_EXCERPT);
    }

    #[test]
    fn codes_of_text_control_lines_are_hidden() {
        let out = excerpt(b"  @disarm 987654");
        assert!(!out.contains("987654"), "{out}");
        assert!(out.starts_with("@disarm"), "{out}");
        let out = excerpt(b"@arm away 987654 force");
        assert!(!out.contains("987654") && out.starts_with("@arm "), "{out}");
    }

    #[test]
    fn codes_of_json_lines_are_hidden() {
        let out = excerpt(br#"{"command":"arm","mode":"away","code":"987654"}"#);
        assert!(!out.contains("987654"), "{out}");
        assert!(out.contains(r#""command":"arm""#), "{out}");
        let out = excerpt(br#"{"code":"987654","command":"disarm"}"#);
        assert!(!out.contains("987654") && out.contains("disarm"), "{out}");
        let out = excerpt(br#"{"command":"disarm","c\u006fde":"987654"}"#);
        assert!(!out.contains("987654"), "{out}");
        let out = excerpt(br#"{"code":"987654"}"#);
        assert!(!out.contains("987654"), "{out}");
    }
}
