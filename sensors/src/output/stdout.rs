//! Reports on stdout in the FIFO line format (`<sensor-id> <state>\n`,
//! keypad lines as they are), for a controller that spawned this process and
//! reads its stdout over a pipe. Each line goes out in one `write` and is
//! flushed at once, so the reader sees it whole and without delay.

use super::{Counts, Output, OutputError};
use crate::report::Report;
use homesec_ipc::line::MAX_LINE;
use std::io::{ErrorKind, Write};
use std::time::Instant;

/// Writes reports as lines to `W` (stdout in the process, a buffer in tests).
pub struct StdoutOutput<W: Write> {
    out: W,
    counts: Counts,
}

impl<W: Write> StdoutOutput<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> StdoutOutput<W> {
        StdoutOutput {
            out,
            counts: Counts::default(),
        }
    }

    /// The writer, for tests.
    #[cfg(test)]
    fn written(&self) -> &W {
        &self.out
    }
}

/// The line for `report`, with its `\n`, or why it cannot be one.
pub fn format_line(report: &Report) -> Result<String, &'static str> {
    let line = match report {
        Report::Sensor { sensor, state } => format!("{sensor} {state}\n"),
        Report::Keypad(text) => {
            if text.contains(['\n', '\r']) {
                return Err("a keypad line may not contain a line break");
            }
            format!("{text}\n")
        }
    };
    if line.len() > MAX_LINE {
        return Err("longer than the 4096-byte line limit");
    }
    Ok(line)
}

impl<W: Write> Output for StdoutOutput<W> {
    fn send(&mut self, report: &Report) -> Result<(), OutputError> {
        let line = match format_line(report) {
            Ok(line) => line,
            Err(why) => {
                self.counts.dropped += 1;
                tracing::warn!(
                    dropped = self.counts.dropped,
                    "dropped a report that cannot be a line: {why}"
                );
                return Ok(());
            }
        };
        let written = self
            .out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.flush());
        match written {
            Ok(()) => {
                self.counts.sent += 1;
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::BrokenPipe => Err(OutputError::Closed),
            Err(e) => Err(OutputError::Io(e)),
        }
    }

    fn retry_at(&self) -> Option<Instant> {
        None
    }

    fn retry(&mut self, _now: Instant) {}

    /// A pipe has no connection to renew: a new controller spawns a new process.
    fn controller_restarted(&mut self) {}

    fn counts(&self) -> Counts {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_ipc::SensorState;
    use homesec_ipc::line::{Line, parse_line};

    fn door(state: SensorState) -> Report {
        Report::Sensor {
            sensor: "front-door".into(),
            state,
        }
    }

    #[test]
    fn reports_become_lines_the_controller_parses() {
        let mut out = StdoutOutput::new(Vec::new());
        out.send(&door(SensorState::Open)).expect("written");
        out.send(&door(SensorState::LowBattery)).expect("written");
        out.send(&Report::Keypad("@arm away 1234".into()))
            .expect("written");
        let text = String::from_utf8(out.written().clone()).expect("utf-8");
        assert_eq!(
            text,
            "front-door open\nfront-door low-battery\n@arm away 1234\n"
        );
        for line in text.split_inclusive('\n') {
            assert!(parse_line(line.trim_end().as_bytes()).is_ok(), "{line}");
        }
        assert!(matches!(parse_line(b"front-door open"), Ok(Line::Event(_))));
        assert_eq!(out.counts().sent, 3);
    }

    /// Records each `write` call separately.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>, usize);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.1 += 1;
            Ok(())
        }
    }

    #[test]
    fn each_line_is_one_write_and_flushed() {
        let mut out = StdoutOutput::new(Writes::default());
        out.send(&door(SensorState::Closed)).expect("written");
        out.send(&door(SensorState::Heartbeat)).expect("written");
        let writes = out.written();
        assert_eq!(
            writes.0,
            [
                b"front-door closed\n".to_vec(),
                b"front-door heartbeat\n".to_vec()
            ]
        );
        assert_eq!(writes.1, 2);
    }

    #[test]
    fn a_keypad_line_with_a_line_break_is_dropped_and_counted() {
        let mut out = StdoutOutput::new(Vec::new());
        out.send(&Report::Keypad("@disarm 1234\nfront-door open".into()))
            .expect("not fatal");
        assert!(out.written().is_empty());
        assert_eq!(out.counts().dropped, 1);
    }

    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_the_output() {
        let mut out = StdoutOutput::new(ClosedPipe);
        assert!(matches!(
            out.send(&door(SensorState::Open)),
            Err(OutputError::Closed)
        ));
    }
}
