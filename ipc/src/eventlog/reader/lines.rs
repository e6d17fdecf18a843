//! Splitting a file into lines through one reused buffer.
//!
//! The buffer starts at [`CHUNK`] bytes and grows only while a single line
//! does not fit, up to [`MAX_RECORD_LINE`] plus one chunk: a longer line is
//! dropped as it streams past (reported as too long), so memory stays bounded
//! whatever the file holds. Lines are found with `memchr` and handed out as
//! slices of the buffer, never copied.

use super::MAX_RECORD_LINE;
use std::io::{self, Read};
use std::ops::Range;

/// How much is read at a time: large enough that system calls are rare,
/// small enough to stay in the CPU's L2 cache.
const CHUNK: usize = 256 * 1024;

/// What [`LineBuffer::next_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RawLine {
    /// A line ended by `\n` ([`LineBuffer::line`] holds it without the `\n`).
    Complete,
    /// The input ended without a `\n` after this line.
    Unterminated,
    /// Longer than [`MAX_RECORD_LINE`]; `terminated` says whether a `\n` ended it.
    TooLong {
        /// Whether a `\n` ended it.
        terminated: bool,
    },
}

/// A read buffer and the position of the current line in it.
#[derive(Debug, Default)]
pub(super) struct LineBuffer {
    buf: Vec<u8>,
    /// Unconsumed input is `buf[start..end]`.
    start: usize,
    end: usize,
    /// Where the search for the next `\n` continues (`start..searched` has none).
    searched: usize,
    /// Inside a line that is too long: dropping bytes until its `\n`.
    dropping: bool,
    line: Range<usize>,
}

impl LineBuffer {
    /// The line of the last [`RawLine::Complete`] or [`RawLine::Unterminated`].
    pub(super) fn line(&self) -> &[u8] {
        &self.buf[self.line.clone()]
    }

    /// Finds the next line of `input`; `None` at its end.
    pub(super) fn next_line(&mut self, input: &mut impl Read) -> io::Result<Option<RawLine>> {
        loop {
            if let Some(found) = memchr::memchr(b'\n', &self.buf[self.searched..self.end]) {
                let newline = self.searched + found;
                return Ok(Some(self.take(newline, true)));
            }
            self.searched = self.end;
            if self.dropping || self.end - self.start > MAX_RECORD_LINE {
                // Too long whatever follows: drop what we have of it.
                self.dropping = true;
                self.start = 0;
                self.end = 0;
                self.searched = 0;
            }
            if self.fill(input)? == 0 {
                return Ok(if self.dropping {
                    self.dropping = false;
                    Some(RawLine::TooLong { terminated: false })
                } else if self.start == self.end {
                    None
                } else {
                    Some(self.take(self.end, false))
                });
            }
        }
    }

    /// Ends the current line at `end` (a `\n` when `terminated`).
    fn take(&mut self, end: usize, terminated: bool) -> RawLine {
        let line = self.start..end;
        self.start = if terminated { end + 1 } else { end };
        self.searched = self.start;
        if std::mem::take(&mut self.dropping) || line.len() > MAX_RECORD_LINE {
            return RawLine::TooLong { terminated };
        }
        self.line = line;
        if terminated {
            RawLine::Complete
        } else {
            RawLine::Unterminated
        }
    }

    /// Reads more input after what is unconsumed; returns how much.
    fn fill(&mut self, input: &mut impl Read) -> io::Result<usize> {
        self.make_room();
        loop {
            match input.read(&mut self.buf[self.end..]) {
                Ok(read) => {
                    self.end += read;
                    return Ok(read);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Moves the unconsumed input to the front, and grows the buffer when a
    /// partial line fills it.
    fn make_room(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.searched -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let size = (self.buf.len() * 2).clamp(CHUNK, MAX_RECORD_LINE + CHUNK);
            self.buf.resize(size, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes a call.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn split(data: &[u8], step: usize) -> Vec<(RawLine, Vec<u8>)> {
        let mut lines = LineBuffer::default();
        let mut input = Trickle { data, step };
        let mut out = Vec::new();
        while let Some(raw) = lines.next_line(&mut input).unwrap() {
            let text = match raw {
                RawLine::TooLong { .. } => Vec::new(),
                _ => lines.line().to_vec(),
            };
            out.push((raw, text));
        }
        out
    }

    #[test]
    fn lines_split_the_same_whatever_the_read_sizes() {
        let data = b"first\n\nthird line\nlast without newline";
        let expected = vec![
            (RawLine::Complete, b"first".to_vec()),
            (RawLine::Complete, Vec::new()),
            (RawLine::Complete, b"third line".to_vec()),
            (RawLine::Unterminated, b"last without newline".to_vec()),
        ];
        for step in [1, 2, 3, 7, 64, CHUNK] {
            assert_eq!(split(data, step), expected, "step {step}");
        }
    }

    #[test]
    fn lines_across_many_chunks_are_whole() {
        let line = "x".repeat(1000);
        let data = format!("{line}\n").repeat(1000);
        let lines = split(data.as_bytes(), 4096 + 17);
        assert_eq!(lines.len(), 1000);
        assert!(
            lines
                .iter()
                .all(|(raw, text)| *raw == RawLine::Complete && text == line.as_bytes())
        );
    }

    #[test]
    fn the_longest_line_is_kept_and_one_more_byte_is_too_long() {
        let longest = "a".repeat(MAX_RECORD_LINE);
        let longer = "b".repeat(MAX_RECORD_LINE + 1);
        let much_longer = "c".repeat(3 * MAX_RECORD_LINE);
        let data = format!("{longest}\n{longer}\nok\n{much_longer}\nend\n{longer}");
        let lines = split(data.as_bytes(), 100_000);
        let kinds: Vec<RawLine> = lines.iter().map(|(raw, _)| *raw).collect();
        assert_eq!(
            kinds,
            vec![
                RawLine::Complete,
                RawLine::TooLong { terminated: true },
                RawLine::Complete,
                RawLine::TooLong { terminated: true },
                RawLine::Complete,
                RawLine::TooLong { terminated: false },
            ]
        );
        assert_eq!(lines[0].1.len(), MAX_RECORD_LINE);
        assert_eq!(lines[2].1, b"ok");
        assert_eq!(lines[4].1, b"end");
    }

    #[test]
    fn the_buffer_stays_bounded() {
        let data = "d".repeat(5 * MAX_RECORD_LINE);
        let mut lines = LineBuffer::default();
        let mut input = Trickle {
            data: data.as_bytes(),
            step: CHUNK,
        };
        assert_eq!(
            lines.next_line(&mut input).unwrap(),
            Some(RawLine::TooLong { terminated: false })
        );
        assert!(lines.buf.len() <= MAX_RECORD_LINE + CHUNK);
        assert_eq!(lines.next_line(&mut input).unwrap(), None);
    }
}
