//! The POSIX queue's message decoder, with a round trip: a message that
//! decodes encodes back to the very bytes it came from (the encoding is
//! canonical) and decodes again to itself.
#![no_main]

use homesec_ipc::mq::{MAX_MSG_SIZE, Message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(message) = Message::decode(data) else {
        return;
    };
    let mut buf = [0u8; MAX_MSG_SIZE];
    let len = message.encode(&mut buf).expect("a decoded message encodes");
    assert_eq!(&buf[..len], data, "the encoding is not canonical");
    assert_eq!(Message::decode(&buf[..len]).as_ref(), Ok(&message));
});
