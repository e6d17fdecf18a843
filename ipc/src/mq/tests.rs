//! Codec tests: round trips, one crafted message per decode error, encode
//! refusals, the priority table, and a no-panic sweep over hostile bytes.

use super::*;
use crate::{SensorKind, SensorState};

fn door_open() -> Message {
    Message::Sensor {
        kind: SensorKind::Door,
        sensor: "front-door".into(),
        state: SensorState::Open,
        sent_at_ns: 0x0102_0304_0506_0708,
    }
}

fn arm_line() -> Message {
    Message::Keypad {
        line: "@arm away 1234".into(),
        sent_at_ns: 42,
    }
}

fn encoded(msg: &Message) -> Vec<u8> {
    let mut buf = [0; MAX_MSG_SIZE];
    let len = msg.encode(&mut buf).unwrap();
    buf[..len].to_vec()
}

/// A valid door report with `edit` applied to its bytes.
fn crafted(edit: impl FnOnce(&mut Vec<u8>)) -> Result<Message, DecodeError> {
    let mut bytes = encoded(&door_open());
    edit(&mut bytes);
    Message::decode(&bytes)
}

#[test]
fn the_layout_is_the_documented_one() {
    let bytes = encoded(&door_open());
    assert_eq!(bytes.len(), HEADER_LEN + "front-door".len());
    assert_eq!(&bytes[..8], &[1, 1, 2, 1, 10, 0, 0, 0]);
    assert_eq!(&bytes[8..16], &[8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(&bytes[16..], b"front-door");

    let bytes = encoded(&arm_line());
    assert_eq!(&bytes[..8], &[1, 2, 0, 0, 14, 0, 0, 0]);
    assert_eq!(&bytes[16..], b"@arm away 1234");
    assert_eq!(queue_name("home"), "/homesec-home-events");
}

#[test]
fn both_kinds_round_trip() {
    let longest_line = Message::Keypad {
        line: "é".repeat(MAX_PAYLOAD / 2),
        sent_at_ns: u64::MAX,
    };
    for msg in [door_open(), arm_line(), longest_line] {
        assert_eq!(Message::decode(&encoded(&msg)), Ok(msg));
    }
    for kind in SensorKind::ALL {
        for state in SensorState::ALL.iter().filter(|s| kind.accepts(**s)) {
            let msg = Message::sensor(*kind, "a".repeat(32), *state);
            assert_eq!(Message::decode(&encoded(&msg)), Ok(msg));
        }
    }
}

#[test]
fn every_decode_error_from_a_crafted_message() {
    use DecodeError::*;
    assert_eq!(crafted(|b| b.truncate(15)), Err(Truncated { len: 15 }));
    assert_eq!(crafted(|b| b[0] = 2), Err(WrongVersion { found: 2 }));
    assert_eq!(
        crafted(|b| b.resize(MAX_MSG_SIZE + 1, b'a')),
        Err(Oversized { len: 129 })
    );
    assert_eq!(crafted(|b| b[1] = 3), Err(UnknownMessageKind { code: 3 }));
    assert_eq!(crafted(|b| b[7] = 1), Err(NonZeroReserved));
    assert_eq!(crafted(|b| b[4] = 0), Err(PayloadLength { declared: 0 }));
    assert_eq!(crafted(|b| b[4] = 97), Err(PayloadLength { declared: 97 }));
    assert_eq!(
        crafted(|b| b.push(b'x')),
        Err(BadLength {
            declared: 10,
            actual: 11
        })
    );
    assert_eq!(crafted(|b| b[2] = 0), Err(UnknownSensorKind { code: 0 }));
    assert_eq!(crafted(|b| b[3] = 12), Err(UnknownState { code: 12 }));
    assert_eq!(
        crafted(|b| b[3] = SensorState::Motion.code()),
        Err(StateNotForKind {
            kind: SensorKind::Door,
            state: SensorState::Motion
        })
    );
    assert_eq!(
        crafted(|b| b[16] = b'F'),
        Err(BadSensorId {
            id: "Front-door".into()
        })
    );
    assert_eq!(
        crafted(|b| b[1] = 2),
        Err(SensorFieldsInKeypad { kind: 2, state: 1 })
    );
    assert_eq!(
        crafted(|b| {
            b[1..4].copy_from_slice(&[2, 0, 0]);
            b[16] = 0xff;
        }),
        Err(NotUtf8)
    );
}

#[test]
fn errors_never_quote_a_keypad_code() {
    let err = crafted(|b| {
        b.truncate(16);
        b.extend_from_slice(b"@disarm 987654");
        b[4] = 14;
    })
    .unwrap_err();
    assert!(matches!(err, DecodeError::BadSensorId { .. }));
    assert!(!err.to_string().contains("987654"), "{err}");
    let debug = format!("{:?}", arm_line());
    assert!(!debug.contains("1234"), "{debug}");
}

#[test]
fn encode_refuses_what_decode_would_refuse() {
    let mut buf = [0; MAX_MSG_SIZE];
    let bad_id = Message::sensor(SensorKind::Door, "Front", SensorState::Open);
    assert!(matches!(
        bad_id.encode(&mut buf),
        Err(EncodeError::InvalidSensorId { .. })
    ));
    let wrong_state = Message::sensor(SensorKind::Motion, "hall", SensorState::Open);
    assert_eq!(
        wrong_state.encode(&mut buf),
        Err(EncodeError::StateNotForKind {
            kind: SensorKind::Motion,
            state: SensorState::Open
        })
    );
    for len in [0, MAX_PAYLOAD + 1] {
        let line = Message::keypad("x".repeat(len));
        assert_eq!(line.encode(&mut buf), Err(EncodeError::LineLength { len }));
    }
}

#[test]
fn priority_follows_urgency() {
    use SensorKind as K;
    use SensorState as S;
    let cases = [
        (K::Panic, S::Pressed, 3),
        (K::Tamper, S::Open, 3),
        (K::Motion, S::Tamper, 3),
        (K::Smoke, S::Alarm, 3),
        (K::Door, S::Open, 2),
        (K::Motion, S::Motion, 2),
        (K::Glass, S::Alarm, 2),
        (K::Door, S::Closed, 1),
        (K::Smoke, S::Clear, 1),
        (K::Panic, S::Released, 1),
        (K::Window, S::LowBattery, 1),
        (K::Window, S::BatteryOk, 1),
        (K::Panic, S::Heartbeat, 0),
    ];
    for (kind, state, priority) in cases {
        let msg = Message::sensor(kind, "s", state);
        assert_eq!(msg.priority(), priority, "{kind} {state}");
    }
    assert_eq!(arm_line().priority(), 2);
}

/// A tiny xorshift64 so the sweep needs no crate and is reproducible.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn decode_never_panics() {
    let valid = [encoded(&door_open()), encoded(&arm_line())];
    for bytes in &valid {
        for len in 0..bytes.len() {
            assert!(Message::decode(&bytes[..len]).is_err(), "prefix {len}");
        }
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut decoded = 0;
    for i in 0..5000 {
        let mut bytes: Vec<u8> = (0..rng.next() % 160).map(|_| rng.next() as u8).collect();
        // Half the inputs start from a valid header so the sweep also reaches
        // the checks behind the version and kind bytes.
        if i % 2 == 0 {
            let base = &valid[i % valid.len()];
            let keep = base.len().min(bytes.len()).min(rng.next() as usize % 17);
            bytes[..keep].copy_from_slice(&base[..keep]);
        }
        if let Ok(msg) = Message::decode(&bytes) {
            assert_eq!(
                encoded(&msg),
                bytes,
                "decoded bytes must re-encode identically"
            );
            decoded += 1;
        }
    }
    println!("{decoded} random inputs decoded");
}
