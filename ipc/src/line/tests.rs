//! Unit tests of the event line format: every accepted shape, every
//! refusal with its reason, keypad lines and the code rule.

use super::*;

fn parse(s: &str) -> Result<Line, LineError> {
    parse_line(s.as_bytes())
}

fn event(sensor: &str, state: SensorState) -> Result<Line, LineError> {
    Ok(Line::Event(EventLine {
        sensor: sensor.into(),
        state,
    }))
}

fn control(c: Control) -> Result<Line, LineError> {
    Ok(Line::Control(c))
}

#[test]
fn text_events() {
    assert_eq!(
        parse("front-door open"),
        event("front-door", SensorState::Open)
    );
    assert_eq!(
        parse("\thall-motion \t motion  "),
        event("hall-motion", SensorState::Motion)
    );
    assert_eq!(
        parse("smoke_1 low-battery"),
        event("smoke_1", SensorState::LowBattery)
    );
}

#[test]
fn json_events() {
    assert_eq!(
        parse(r#"{"sensor":"front-door","state":"open"}"#),
        event("front-door", SensorState::Open)
    );
    assert_eq!(
        parse(r#" { "state" : "clear", "sensor" : "hall" } "#),
        event("hall", SensorState::Clear)
    );
}

#[test]
fn text_control_lines() {
    assert_eq!(
        parse("@arm away 1234"),
        control(Control::Arm {
            mode: Mode::Away,
            code: "1234".into(),
            force: false
        })
    );
    assert_eq!(
        parse("@arm night 123456789012 force"),
        control(Control::Arm {
            mode: Mode::Night,
            code: "123456789012".into(),
            force: true
        })
    );
    assert_eq!(
        parse("@disarm 0000"),
        control(Control::Disarm {
            code: "0000".into()
        })
    );
    assert_eq!(
        parse("@bypass back-window 4321"),
        control(Control::Bypass {
            sensor: "back-window".into(),
            code: "4321".into()
        })
    );
}

#[test]
fn json_control_lines() {
    assert_eq!(
        parse(r#"{"command":"arm","mode":"home","code":"1234","force":true}"#),
        control(Control::Arm {
            mode: Mode::Home,
            code: "1234".into(),
            force: true
        })
    );
    assert_eq!(
        parse(r#"{"command":"arm","mode":"away","code":"1234"}"#),
        control(Control::Arm {
            mode: Mode::Away,
            code: "1234".into(),
            force: false
        })
    );
    assert_eq!(
        parse(r#"{"command":"disarm","code":"1234"}"#),
        control(Control::Disarm {
            code: "1234".into()
        })
    );
    assert_eq!(
        parse(r#"{"command":"bypass","sensor":"x","code":"1234"}"#),
        control(Control::Bypass {
            sensor: "x".into(),
            code: "1234".into()
        })
    );
}

#[test]
fn debug_of_control_hides_the_code() {
    let arm = Control::Arm {
        mode: Mode::Away,
        code: "987654".into(),
        force: true,
    };
    let bypass = Control::Bypass {
        sensor: "x".into(),
        code: "987654".into(),
    };
    let disarm = Control::Disarm {
        code: "987654".into(),
    };
    for c in [arm, bypass, disarm] {
        let shown = format!("{:?}", Line::Control(c));
        assert!(!shown.contains("987654"), "{shown}");
        assert!(shown.contains(r#"code: "****""#), "{shown}");
    }
}

#[test]
fn framing_errors() {
    assert_eq!(parse(""), Err(LineError::Empty));
    assert_eq!(parse(" \t "), Err(LineError::Empty));
    assert_eq!(
        parse_line(&[b'a'; MAX_LINE]),
        Err(LineError::TooLong { len: MAX_LINE })
    );
    assert!(
        parse_line(&[b'a'; MAX_LINE - 1])
            .is_err_and(|e| matches!(e, LineError::BadSensorId { .. }))
    );
    assert_eq!(
        parse_line(b"door \xffopen"),
        Err(LineError::NotUtf8 { valid_up_to: 5 })
    );
    assert_eq!(
        parse("door\x00open"),
        Err(LineError::ControlCharacter { at: 4 })
    );
    assert_eq!(
        parse("door open\r"),
        Err(LineError::ControlCharacter { at: 9 })
    );
}

#[test]
fn text_event_errors() {
    assert_eq!(
        parse("Front-Door open"),
        Err(LineError::BadSensorId {
            id: "Front-Door".into()
        })
    );
    let long_id = "a".repeat(100);
    match parse(&format!("{long_id} open")) {
        Err(LineError::BadSensorId { id }) => assert_eq!(id.chars().count(), MAX_QUOTE + 1),
        other => panic!("{other:?}"),
    }
    match parse("door opened") {
        Err(LineError::UnknownState(u)) => assert_eq!(u.name, "opened"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        parse("door"),
        Err(LineError::MissingState {
            sensor: "door".into()
        })
    );
    assert_eq!(
        parse("door open  now please"),
        Err(LineError::ExtraWords {
            first: "now".into(),
            count: 2
        })
    );
}

#[test]
fn text_control_errors() {
    assert_eq!(
        parse("@open 1234"),
        Err(LineError::UnknownCommand {
            command: "open".into()
        })
    );
    assert_eq!(
        parse("@"),
        Err(LineError::UnknownCommand { command: "".into() })
    );
    assert_eq!(parse("@arm"), Err(LineError::MissingMode));
    assert!(matches!(parse("@arm out 1234"), Err(LineError::BadMode(u)) if u.name == "out"));
    assert_eq!(parse("@arm away"), Err(LineError::MissingCode));
    assert_eq!(parse("@disarm"), Err(LineError::MissingCode));
    assert_eq!(parse("@disarm 123"), Err(LineError::BadCode));
    assert_eq!(parse("@disarm 1234567890123"), Err(LineError::BadCode));
    assert_eq!(parse("@disarm 12a4"), Err(LineError::BadCode));
    assert_eq!(parse("@disarm １２３４"), Err(LineError::BadCode));
    assert_eq!(parse("@bypass"), Err(LineError::MissingSensor));
    assert_eq!(
        parse("@bypass X 1234"),
        Err(LineError::BadSensorId { id: "X".into() })
    );
    assert_eq!(parse("@bypass x"), Err(LineError::MissingCode));
    let err = parse("@disarm 1234 5678").unwrap_err();
    assert_eq!(
        err,
        LineError::TooManyWords {
            command: "disarm",
            usage: "@disarm <code>"
        }
    );
    assert!(!err.to_string().contains("5678"), "{err}");
    assert!(matches!(
        parse("@arm away 1234 now"),
        Err(LineError::TooManyWords { command: "arm", .. })
    ));
}

#[test]
fn json_errors() {
    let bad = |s: &str| match parse(s) {
        Err(LineError::BadJson { message }) => message,
        other => panic!("{s}: {other:?}"),
    };
    assert!(bad(r#"{"sensor":"a","state":"open""#).contains("EOF"));
    assert!(bad(r#"{"sensor":"a","state":"open","extra":1}"#).contains("unknown field `extra`"));
    assert!(bad(r#"{"sensor":"a","sensor":"b","state":"open"}"#).contains("duplicate field"));
    assert!(bad(r#"{"sensor":"a","state":"open"} x"#).contains("trailing"));
    assert_eq!(
        parse(r#"{"sensor":1,"state":"open"}"#),
        Err(LineError::WrongType {
            field: "sensor",
            expected: "a string"
        })
    );
    assert_eq!(parse(r#"{"state":"open"}"#), Err(LineError::MissingSensor));
    assert_eq!(
        parse(r#"{"sensor":"a"}"#),
        Err(LineError::MissingState { sensor: "a".into() })
    );
    assert!(matches!(
        parse(r#"{"sensor":"a","state":"shut"}"#),
        Err(LineError::UnknownState(_))
    ));
    assert_eq!(
        parse(r#"{"sensor":"a","state":"open","code":"1234"}"#),
        Err(LineError::UnexpectedField {
            field: "code",
            context: "a sensor event"
        })
    );
    assert_eq!(
        parse(r#"{"command":"launch","code":"1234"}"#),
        Err(LineError::UnknownCommand {
            command: "launch".into()
        })
    );
    assert_eq!(
        parse(r#"{"command":"arm","code":"1234"}"#),
        Err(LineError::MissingMode)
    );
    assert!(matches!(
        parse(r#"{"command":"arm","mode":"out","code":"1234"}"#),
        Err(LineError::BadMode(_))
    ));
    assert_eq!(
        parse(r#"{"command":"disarm"}"#),
        Err(LineError::MissingCode)
    );
    assert_eq!(
        parse(r#"{"command":"arm","mode":"away","code":"1234","force":"yes"}"#),
        Err(LineError::WrongType {
            field: "force",
            expected: "true or false"
        })
    );
    assert_eq!(
        parse(r#"{"command":"disarm","code":"1234","mode":"away"}"#),
        Err(LineError::UnexpectedField {
            field: "mode",
            context: "the disarm command"
        })
    );
    assert_eq!(
        parse(r#"{"command":"bypass","code":"1234"}"#),
        Err(LineError::MissingSensor)
    );
}

#[test]
fn no_error_message_shows_a_code() {
    let lines = [
        r#"{"command":"disarm","code":987654}"#,
        r#"{"command":"disarm","code":"98765x"}"#,
        r#"{"command":"disarm","code":["987654"]}"#,
        r#"{"command":"disarm","code":"987654","x":1}"#,
        "@disarm 987654 987654",
        "@disarm 98765432109876",
    ];
    for line in lines {
        let err = parse(line).unwrap_err();
        assert!(!err.to_string().contains("98765"), "{line}: {err}");
        assert!(!format!("{err:?}").contains("98765"), "{line}: {err:?}");
    }
}

/// What a refusal of `line` shows anywhere: its reason and its excerpt,
/// both through [`redact`] as the controller records them.
fn shown(line: &str) -> String {
    let reason = match parse(line) {
        Ok(parsed) => panic!("{line:?} parsed as {parsed:?}"),
        Err(e) => e.to_string(),
    };
    format!("{} | {}", redact(&reason), excerpt(line.as_bytes()))
}

#[test]
fn a_code_in_the_wrong_place_never_shows() {
    for line in [
        "@arm 739153 away",
        "disarm 739153",
        "739153",
        "front-door 739153",
        "front-door open @disarm 739153",
        r#"{"command":"disarm","pin":"739153"}"#,
        r#"{"command":"arm","mode":"739153"}"#,
        r#"{"sensor":"front-door","state":"739153"}"#,
        r#"{"sensor":739153,"state":"open"}"#,
        "@bypass 739153",
        "@739153",
    ] {
        let shown = shown(line);
        assert!(!shown.contains("739"), "{line:?} shows {shown:?}");
    }
}

#[test]
fn a_glued_line_quotes_only_the_word_that_failed() {
    // Another writer's keypad line glued to a fragment in the FIFO.
    let err = parse("front-door open @disarm 739153").unwrap_err();
    assert_eq!(
        err,
        LineError::ExtraWords {
            first: "@disarm".into(),
            count: 2
        }
    );
}

#[test]
fn control_characters_never_reach_a_log() {
    for line in [
        "{\"sensor\":\"\\u001b[31mEVIL\\u001b[0m\\u001b[2J\",\"state\":\"open\"}",
        "{\"sensor\":\"\\u001b]0;pwned\\u0007\",\"state\":\"open\"}",
        "{\"sensor\":\"x\\nFAKE LOG LINE\",\"state\":\"open\"}",
    ] {
        let shown = shown(line);
        assert!(
            !shown.chars().any(char::is_control),
            "{line:?} shows {shown:?}"
        );
        assert!(!shown.contains('\n'), "{shown:?}");
    }
}

#[test]
fn no_shape_of_line_shows_a_code_it_holds() {
    // A deterministic fuzz over line shapes: words of every kind the format
    // knows, in any order, with a code somewhere among them.
    const CODE: &str = "48151623";
    let words = [
        "@arm",
        "@disarm",
        "@bypass",
        "arm",
        "away",
        "night",
        "force",
        "front-door",
        "open",
        "closed",
        "{",
        "}",
        "\"code\":",
        "\"pin\":",
        "\"command\":",
        "\"mode\":",
        "\"sensor\":",
        "\"state\":",
        ",",
        "\"",
        "\\u0041",
        "x4815",
        "4815x",
        "@",
        "\t",
        CODE,
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for _ in 0..20_000 {
        let len = 1 + (next() % 7) as usize;
        let mut line: Vec<&str> = (0..len)
            .map(|_| words[(next() % words.len() as u64) as usize])
            .collect();
        let at = (next() % (len as u64 + 1)) as usize;
        line.insert(at, CODE);
        let glue = if next() % 2 == 0 { " " } else { "" };
        let line = line.join(glue);
        let reason = parse(&line).map_or_else(|e| e.to_string(), |_| String::new());
        let shown = format!("{} | {}", redact(&reason), excerpt(line.as_bytes()));
        assert!(!shown.contains("4815"), "{line:?} shows {shown:?}");
    }
}
