//! Bad input on the FIFO and on a detector's pipe: each bad line is refused
//! with its own reason and counted; the good lines around it still land.

use homesec_ipc::eventlog::Event;
use homesec_system_tests::*;

fn rejections(world: &World) -> Vec<(String, String)> {
    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    records
        .into_iter()
        .filter_map(|r| match r.event {
            Event::Rejected { source, reason, .. } => Some((source, reason)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_kind_of_bad_fifo_line_is_rejected_and_the_rest_lands() {
    let world = World::new("badfifo");
    let controller = world.start();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"front-door open\n");
    bytes.extend_from_slice(b"\x00\x01\x02garbage\n");
    bytes.extend_from_slice(b"front-door \xc3\x28\n");
    bytes.extend_from_slice(b"no-such-sensor open\n");
    bytes.extend_from_slice(b"front-door ajar\n");
    bytes.extend_from_slice(b"{\"sensor\": \"front-door\", \"state\": \n");
    bytes.extend_from_slice(b"hall-motion open\n");
    bytes.extend_from_slice(b"front-door closed\n");
    world.send_raw(&bytes);
    // An over-long line must be one write of its own to stay atomic.
    let mut long = vec![b'x'; 5000];
    long.push(b'\n');
    world.send_raw(&long);
    world.send(&["back-door open"]);
    controller.wait_until_published("back-door");
    let status = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert!(controller.stop().success());

    let (records, _) = world.log();
    assert_eq!(
        sensor_events(&records),
        vec![
            ("front-door".to_string(), "open".to_string()),
            ("front-door".to_string(), "closed".to_string()),
            ("back-door".to_string(), "open".to_string()),
        ]
    );
    let rejected = rejections(&world);
    let reasons: Vec<&str> = rejected.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(rejected.len(), 7, "{reasons:#?}");
    assert!(rejected.iter().all(|(source, _)| source == "fifo"));
    let expect = [
        "control character",
        "UTF-8",
        "no-such-sensor",
        "ajar",
        "JSON",
        "cannot report",
        "too long",
    ];
    for (reason, needle) in reasons.iter().zip(expect) {
        assert!(
            reason.contains(needle),
            "'{reason}' should mention '{needle}'"
        );
    }
    assert_eq!(json["rejected"], 7);
    assert_eq!(json["accepted"], 3);
}

#[test]
fn a_fragment_without_newline_is_not_glued_to_the_next_writers_line() {
    let world = World::new("fragment");
    let controller = world.start();
    world.send_raw(b"front-door open");
    controller.wait_for_log("input rejected");
    world.send(&["back-door open"]);
    controller.wait_for_log("back-door open");
    assert!(controller.stop().success());
    let (records, _) = world.log();
    assert_eq!(
        sensor_events(&records),
        vec![("back-door".to_string(), "open".to_string())]
    );
    let rejected = rejections(&world);
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].1.contains("newline"), "{rejected:?}");
}

#[test]
fn bad_lines_from_a_detector_pipe_are_rejected_and_the_rest_lands() {
    let script = r#"printf 'garage-motion motion\nnonsense\ngarage-motion flying\n{"sensor":1}\ngarage-motion clear\n'; exec sleep 600"#;
    let config = format!(
        "{DEFAULT_HOUSE}\n[[detectors]]\nname = \"bad-script\"\ncommand = [\"sh\", \"-c\", {script:?}]\n"
    );
    let world = World::new("badpipe").with_config(&config);
    let controller = world.start();
    controller.wait_for_log("garage-motion clear");
    assert!(controller.stop().success());

    let (records, _) = world.log();
    assert_eq!(
        sensor_events(&records),
        vec![
            ("garage-motion".to_string(), "motion".to_string()),
            ("garage-motion".to_string(), "clear".to_string()),
        ]
    );
    let rejected = rejections(&world);
    assert_eq!(rejected.len(), 3, "{rejected:#?}");
    assert!(
        rejected
            .iter()
            .all(|(source, _)| source == "pipe:bad-script")
    );
}

/// Every file under `dir`, read as text.
fn all_text_under(dir: &std::path::Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&all_text_under(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    text
}

#[test]
fn codes_and_terminal_escapes_in_refused_input_reach_no_log() {
    const CODE: &str = "739153";
    let world = World::new("leaks");
    let controller = world.start();
    let lines = [
        "@arm 739153 away",
        "disarm 739153",
        "739153",
        "front-door 739153",
        "front-door open @disarm 739153",
        r#"{"command":"disarm","pin":"739153"}"#,
        r#"{"command":"arm","mode":"739153"}"#,
        r#"{"sensor":"739153","state":"open"}"#,
        "@bypass 739153 1234",
        "{\"sensor\":\"\\u001b[31mEVIL\\u001b[0m\\u001b[2J\",\"state\":\"open\"}",
        "{\"sensor\":\"\\u001b]0;pwned\\u0007\",\"state\":\"open\"}",
        "{\"sensor\":\"x\\nFAKE LOG LINE\",\"state\":\"open\"}",
    ];
    world.send(&lines);
    // The same through the queue, as keypad messages a sensor process sends.
    let mut sender = homesec_ipc::mq::Sender::open(
        &world.instance,
        &homesec_ipc::endpoint::Trust::client(None, None),
    )
    .unwrap();
    for line in &lines[..9] {
        let message = homesec_ipc::mq::Message::keypad(line.to_string());
        sender
            .send(&message, std::time::Duration::from_secs(10))
            .unwrap();
    }
    world.send(&["back-door open"]);
    controller.wait_until_published("back-door open");
    let mut controller = controller;
    controller.signal(libc::SIGTERM);
    let stderr = controller.rest_of_stderr();
    assert!(controller.wait().success());

    let rejected = rejections(&world);
    assert!(rejected.len() >= lines.len() + 9 - 1, "{rejected:#?}");
    let logs = all_text_under(&world.data_dir());
    for (what, text) in [("stderr", &stderr), ("event and diagnostic logs", &logs)] {
        assert!(!text.contains(CODE), "{what} shows the code:\n{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{what}:\n{text}"
        );
        assert!(
            !text.lines().any(|l| l.starts_with("FAKE LOG LINE")),
            "{what} has a forged line:\n{text}"
        );
    }
}

#[test]
fn a_flood_of_garbage_is_counted_exactly_but_recorded_in_bounded_form() {
    const LINES: u64 = 100_000;
    let world = World::new("flood");
    let controller = world.start();
    // Whole lines per write, each write at most PIPE_BUF so none is torn.
    let chunk = "garbage line\n".repeat(4096 / 13);
    let per_chunk = (4096 / 13) as u64;
    let mut sent = 0;
    while sent < LINES {
        let n = per_chunk.min(LINES - sent);
        world.send_raw(&chunk.as_bytes()[..(n * 13) as usize]);
        sent += n;
    }
    let rejected = || {
        let out = world.ctl(&["status", "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        json["rejected"].as_u64().unwrap()
    };
    while rejected() < LINES {
        controller.wait_for_log("status published");
    }
    assert_eq!(rejected(), LINES, "every refusal is counted, once");
    assert!(controller.stop().success());

    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    let one_by_one = records
        .iter()
        .filter(|r| matches!(r.event, Event::Rejected { .. }))
        .count() as u64;
    let summarised: u64 = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::RejectedSummary { count, source, .. } => {
                assert_eq!(source, "fifo");
                Some(*count)
            }
            _ => None,
        })
        .sum();
    assert_eq!(
        one_by_one + summarised,
        LINES,
        "nothing is lost from the totals"
    );
    assert!(one_by_one <= 40, "{one_by_one} recorded one by one");
    let bytes: u64 = std::fs::read_dir(world.events_dir())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(
        bytes < 64 * 1024,
        "{bytes} bytes of event log for 1.3 MB of garbage"
    );
}
