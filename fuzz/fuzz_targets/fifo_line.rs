//! The FIFO and detector-pipe line format: bytes as they arrive on a pipe,
//! framed by `LineSplitter` and parsed by `parse_line`, as the controller's
//! ingest does. Beyond "never panics": a framed line is never longer than
//! `MAX_LINE`, and what the house would log about a refused line (the
//! redacted reason and the excerpt) never holds a run of four digits or a
//! control character, whatever the line.
#![no_main]

use homesec_ipc::line::{LineError, LineSplitter, MAX_LINE, excerpt, parse_line, redact};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses where the stream is cut into reads, so lines
    // split across reads are exercised too.
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let mut splitter = LineSplitter::new();
    let mut check = |framed: Result<&[u8], LineError>| match framed {
        Ok(line) => {
            assert!(
                line.len() <= MAX_LINE,
                "a framed line of {} bytes",
                line.len()
            );
            if let Err(e) = parse_line(line) {
                assert_safe_to_log(&redact(&e.to_string()));
                assert_safe_to_log(&excerpt(line));
            }
        }
        Err(e) => assert_safe_to_log(&redact(&e.to_string())),
    };
    for read in stream.chunks(usize::from(cut).max(1)) {
        splitter.push(read, &mut check);
    }
    splitter.finish(&mut check);
});

fn assert_safe_to_log(text: &str) {
    assert!(
        !text.chars().any(char::is_control),
        "control character in {text:?}"
    );
    let longest_digits = text
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits < 4, "a code-like run of digits in {text:?}");
}
