//! The house description as bytes in a file, read as the controller reads
//! it at start and on SIGHUP (`homesec_config::load`): bytes that are not
//! UTF-8 and NULs included. A refusal always names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(data).expect("write");
    if let Err(err) = homesec_config::load(file.path()) {
        let name = file.path().display().to_string();
        assert!(err.to_string().contains(&name), "{err}");
    }
});
