//! The house description parser and validator on any text: never a panic,
//! and every refusal has a location inside the text (line and column from
//! 1, the line one that exists).
#![no_main]

use homesec_config::{ConfigSource, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Err(err) = parse(text, ConfigSource::Embedded) else {
        return;
    };
    let message = err.to_string();
    assert!(!message.is_empty());
    if let Some(d) = err.diagnostic() {
        let lines = text.split('\n').count().max(1);
        assert!(
            d.line >= 1 && d.line <= lines,
            "line {} of {lines}: {message}",
            d.line
        );
        assert!(d.column >= 1, "{message}");
    }
});
