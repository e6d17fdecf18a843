//! Framing a byte stream into lines of at most [`MAX_LINE`] bytes.
//!
//! Memory stays bounded at `MAX_LINE` whatever the input: an over-long line is
//! counted, not stored, until its `\n`, then reported once as `TooLong`.

use super::{LineError, MAX_LINE};

/// Splits a byte stream into lines; feed it with [`push`](Self::push) as
/// bytes arrive and call [`finish`](Self::finish) at end of input.
#[derive(Debug)]
pub struct LineSplitter {
    /// The start of the current line, when it is short enough to keep.
    partial: Vec<u8>,
    /// Bytes of the current line seen so far, when it is too long to keep.
    discarding: Option<usize>,
}

impl Default for LineSplitter {
    fn default() -> Self {
        Self::new()
    }
}

impl LineSplitter {
    /// A splitter at the start of a stream.
    pub fn new() -> Self {
        LineSplitter {
            partial: Vec::with_capacity(MAX_LINE),
            discarding: None,
        }
    }

    /// Feeds `data`; calls `each` with every line it completes (without its
    /// `\n` or `\r\n`), or with `Err(TooLong)` once for each over-long line.
    pub fn push(&mut self, data: &[u8], mut each: impl FnMut(Result<&[u8], LineError>)) {
        let mut rest = data;
        while let Some(newline) = memchr::memchr(b'\n', rest) {
            self.complete(&rest[..newline], &mut each);
            rest = &rest[newline + 1..];
        }
        self.keep(rest);
    }

    /// Ends the stream: an unterminated last fragment is reported as
    /// `Unterminated` (or `TooLong` if it was already too long). The splitter
    /// is then ready for a new stream.
    pub fn finish(&mut self, mut each: impl FnMut(Result<&[u8], LineError>)) {
        if let Some(len) = self.discarding.take() {
            each(Err(LineError::TooLong { len }));
        } else if !self.partial.is_empty() {
            each(Err(LineError::Unterminated {
                len: self.partial.len(),
            }));
            self.partial.clear();
        }
    }

    /// Handles the end of a line whose last bytes (before `\n`) are `tail`.
    fn complete(&mut self, tail: &[u8], each: &mut impl FnMut(Result<&[u8], LineError>)) {
        let len = self.discarding.take().unwrap_or(self.partial.len()) + tail.len();
        if len >= MAX_LINE {
            each(Err(LineError::TooLong { len }));
        } else if self.partial.is_empty() {
            each(Ok(strip_cr(tail)));
        } else {
            self.partial.extend_from_slice(tail);
            each(Ok(strip_cr(&self.partial)));
        }
        self.partial.clear();
    }

    /// Keeps the start of a line that has no `\n` yet, or counts it if too long.
    fn keep(&mut self, fragment: &[u8]) {
        if let Some(seen) = &mut self.discarding {
            *seen += fragment.len();
        } else if self.partial.len() + fragment.len() >= MAX_LINE {
            self.discarding = Some(self.partial.len() + fragment.len());
            self.partial.clear();
        } else {
            self.partial.extend_from_slice(fragment);
        }
    }
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every result as an owned value, so tests can compare them.
    fn split(pushes: &[&[u8]]) -> Vec<Result<Vec<u8>, LineError>> {
        let mut splitter = LineSplitter::new();
        let mut out = Vec::new();
        for data in pushes {
            splitter.push(data, |r| out.push(r.map(<[u8]>::to_vec)));
        }
        splitter.finish(|r| out.push(r.map(<[u8]>::to_vec)));
        out
    }

    fn ok(s: &str) -> Result<Vec<u8>, LineError> {
        Ok(s.as_bytes().to_vec())
    }

    #[test]
    fn lines_split_across_pushes_are_joined() {
        let out = split(&[b"front-do", b"or op", b"en\nhall-motion", b" motion\n"]);
        assert_eq!(out, vec![ok("front-door open"), ok("hall-motion motion")]);
    }

    #[test]
    fn many_lines_in_one_push() {
        let out = split(&[b"a open\nb closed\n\nc clear\n"]);
        assert_eq!(
            out,
            vec![ok("a open"), ok("b closed"), ok(""), ok("c clear")]
        );
    }

    #[test]
    fn crlf_loses_its_cr_but_a_lone_cr_stays() {
        let out = split(&[b"a open\r\nb\rc\n", b"d open\r", b"\n"]);
        assert_eq!(out, vec![ok("a open"), ok("b\rc"), ok("d open")]);
    }

    #[test]
    fn exactly_max_line_with_newline_is_accepted() {
        let line = vec![b'x'; MAX_LINE - 1];
        let mut data = line.clone();
        data.push(b'\n');
        assert_eq!(split(&[&data]), vec![Ok(line.clone())]);
        // The same, one byte at a time.
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        assert_eq!(split(&bytes), vec![Ok(line)]);
    }

    #[test]
    fn one_byte_over_is_too_long_and_the_next_line_survives() {
        let mut data = vec![b'x'; MAX_LINE];
        data.extend_from_slice(b"\na open\n");
        assert_eq!(
            split(&[&data]),
            vec![Err(LineError::TooLong { len: MAX_LINE }), ok("a open")]
        );
    }

    #[test]
    fn over_long_line_over_many_pushes_is_reported_once() {
        let chunk = vec![b'y'; 1000];
        let mut pushes: Vec<&[u8]> = vec![b"a open\nzz"];
        pushes.extend(std::iter::repeat_n(chunk.as_slice(), 50));
        pushes.push(b"tail\nb closed\n");
        let out = split(&pushes);
        assert_eq!(
            out,
            vec![
                ok("a open"),
                Err(LineError::TooLong {
                    len: 2 + 50_000 + 4
                }),
                ok("b closed"),
            ]
        );
    }

    #[test]
    fn memory_stays_bounded_for_endless_input() {
        let mut splitter = LineSplitter::new();
        let chunk = vec![b'z'; 65536];
        let mut calls = 0;
        for _ in 0..64 {
            splitter.push(&chunk, |_| calls += 1);
        }
        assert_eq!(calls, 0);
        assert!(splitter.partial.capacity() <= MAX_LINE);
        splitter.finish(|r| {
            assert_eq!(r, Err(LineError::TooLong { len: 64 * 65536 }));
            calls += 1;
        });
        assert_eq!(calls, 1);
    }

    #[test]
    fn unterminated_tail_is_reported_at_finish() {
        let out = split(&[b"a open\nb clo"]);
        assert_eq!(
            out,
            vec![ok("a open"), Err(LineError::Unterminated { len: 5 })]
        );
    }

    #[test]
    fn garbage_and_invalid_utf8_are_framed_untouched() {
        let out = split(&[b"\x00\xff\xfe\x01\n\x80abc\n"]);
        assert_eq!(
            out,
            vec![Ok(b"\x00\xff\xfe\x01".to_vec()), Ok(b"\x80abc".to_vec())]
        );
    }

    #[test]
    fn splitter_is_reusable_after_finish() {
        let mut splitter = LineSplitter::new();
        let mut out = Vec::new();
        splitter.push(b"half", |r| out.push(r.map(<[u8]>::to_vec)));
        splitter.finish(|r| out.push(r.map(<[u8]>::to_vec)));
        splitter.push(b"a open\n", |r| out.push(r.map(<[u8]>::to_vec)));
        assert_eq!(
            out,
            vec![Err(LineError::Unterminated { len: 4 }), ok("a open")]
        );
    }
}
