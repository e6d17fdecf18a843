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
