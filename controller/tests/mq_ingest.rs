//! The POSIX message queue across real processes: bad messages refused and
//! counted while good ones flow, a leftover queue of another shape replaced,
//! and no event lost when the controller is killed and restarted while a
//! sender keeps sending.

use homesec_ipc::endpoint::Trust;
use homesec_ipc::eventlog::Event;
use homesec_ipc::mq::{self, Message};
use homesec_ipc::{SensorKind, SensorState};
use homesec_system_tests::*;
use std::process::Command;
use std::time::Duration;

fn raw_queue(instance: &str) -> posixmq::PosixMq {
    posixmq::OpenOptions::writeonly()
        .open(&mq::queue_name(instance))
        .unwrap()
}

#[test]
fn bad_messages_are_refused_and_counted_and_the_queue_keeps_flowing() {
    let world = World::new("mqbad");
    let controller = world.start();
    let mut sender = mq::Sender::open(&world.instance, &Trust::client(None, None)).unwrap();
    let good = |sensor: &str, state| Message::sensor(SensorKind::Door, sensor, state);
    sender
        .send(
            &good("front-door", SensorState::Open),
            Duration::from_secs(5),
        )
        .unwrap();
    let raw = raw_queue(&world.instance);
    let mut wrong_version = [0u8; 26];
    wrong_version[..5].copy_from_slice(&[9, 1, 2, 1, 10]);
    wrong_version[16..].copy_from_slice(b"front-door");
    raw.send(1, &wrong_version).unwrap();
    raw.send(1, &[1, 1, 2]).unwrap(); // truncated
    let mut unknown_id = wrong_version;
    unknown_id[0] = 1;
    unknown_id[16..].copy_from_slice(b"cellar-dor");
    raw.send(1, &unknown_id).unwrap();
    let mut unknown_kind = wrong_version;
    unknown_kind[0] = 1;
    unknown_kind[2] = 99;
    raw.send(1, &unknown_kind).unwrap();
    let mut kind_mismatch = wrong_version;
    kind_mismatch[0] = 1;
    kind_mismatch[2] = SensorKind::Window.code();
    raw.send(1, &kind_mismatch).unwrap();
    sender
        .send(
            &good("back-door", SensorState::Open),
            Duration::from_secs(5),
        )
        .unwrap();
    controller.wait_until_published("back-door open");
    let json: serde_json::Value =
        serde_json::from_slice(&world.ctl(&["status", "--json"]).stdout).unwrap();
    assert!(controller.stop().success());

    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        sensor_events(&records),
        vec![
            ("front-door".to_string(), "open".to_string()),
            ("back-door".to_string(), "open".to_string())
        ]
    );
    let reasons: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.event {
            homesec_ipc::eventlog::Event::Rejected { source, reason, .. } if source == "mq" => {
                Some(reason.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:#?}");
    for (reason, needle) in reasons
        .iter()
        .zip(["version", "short", "cellar-dor", "99", "window"])
    {
        assert!(
            reason.contains(needle),
            "'{reason}' should mention '{needle}'"
        );
    }
    assert_eq!(json["rejected"], 5);
    assert_eq!(json["accepted"], 2);
}

#[test]
fn a_leftover_queue_of_another_shape_is_recreated() {
    let world = World::new("mqold");
    let name = mq::queue_name(&world.instance);
    let old = posixmq::OpenOptions::readwrite()
        .create_new()
        .max_msg_len(64)
        .capacity(4)
        .open(&name)
        .unwrap();
    drop(old);
    let controller = Controller::spawn(world.command());
    let line = controller.wait_for_log("recreated");
    assert!(line.contains("old_msgsize=64"), "{line}");
    controller.wait_for_log("ready");
    assert!(controller.stop().success());
}

fn durable_seq_at_least(n: u64) -> impl Fn(&str) -> bool {
    move |l: &str| {
        l.split("durable up to seq ")
            .nth(1)
            .and_then(|s| s.trim().parse::<u64>().ok())
            .is_some_and(|seq| seq >= n)
    }
}

fn send(instance: &str, sensor: &str, count: u64) -> std::process::Child {
    Command::new(bin("homesec-load"))
        .args([
            "write",
            "--queue",
            instance,
            "--sensor",
            sensor,
            "--count",
            &count.to_string(),
        ])
        .spawn()
        .unwrap()
}

#[test]
fn events_sent_while_the_controller_is_dead_wait_in_the_queue() {
    let world = World::new("mqkill");
    let mut first = world.start();
    assert!(
        send(&world.instance, "living-motion", 50)
            .wait()
            .unwrap()
            .success()
    );
    // start record + 50 events: nothing is in flight when the kill comes.
    first.wait_for(durable_seq_at_least(51));
    first.signal(libc::SIGKILL);
    first.wait();
    // Sent into the queue the dead controller left: the first ten wait
    // there, then the sender blocks until the controller is back.
    let mut writer = send(&world.instance, "hall-motion", 3000);
    let queue = posixmq::OpenOptions::readonly()
        .open(&mq::queue_name(&world.instance))
        .unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    // The kernel has no "queue is full" event to wait for; 10 ms steps only
    // bound how late the full queue is noticed.
    while queue.attributes().unwrap().current_messages < mq::QUEUE_DEPTH {
        assert!(
            std::time::Instant::now() < deadline,
            "the queue never filled"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let second = Controller::spawn(world.command());
    let kept = second.wait_for_log("kept from the last run");
    assert!(
        kept.contains(&format!("waiting={}", mq::QUEUE_DEPTH)),
        "{kept}"
    );
    second.wait_for_log("ready");
    assert!(writer.wait().unwrap().success(), "the writer gave up");
    second.wait_for(durable_seq_at_least(3052));
    assert!(second.stop().success());
    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    assert_contiguous(&records);
    // Every message is accounted for: applied, or recorded as superseded
    // where the queue handed a newer report (priority 2) out before an
    // older one of the same sensor.
    let accounted = |sensor: &str| {
        records
            .iter()
            .filter(|r| match &r.event {
                Event::Sensor { sensor: s, .. } | Event::Superseded { sensor: s, .. } => {
                    s == sensor
                }
                _ => false,
            })
            .count()
    };
    assert_eq!(accounted("living-motion"), 50);
    assert_eq!(accounted("hall-motion"), 3000);
    // And the newest report is what the house ended with.
    let events = sensor_events(&records);
    assert_eq!(
        events
            .iter()
            .rev()
            .find(|(s, _)| s == "hall-motion")
            .map(|(_, st)| st.as_str()),
        Some("clear")
    );
}

#[test]
fn a_code_check_does_not_hold_up_the_sensor_reports_behind_it() {
    let world = World::new("mqkeypad");
    let controller = world.start();
    let mut sender = mq::Sender::open(&world.instance, &Trust::client(None, None)).unwrap();
    // A wrong code: never remembered, so it costs a full argon2 hash.
    sender
        .send(&Message::keypad("@disarm 0000"), Duration::from_secs(5))
        .unwrap();
    sender
        .send(
            &Message::sensor(SensorKind::Door, "back-door", SensorState::Open),
            Duration::from_secs(5),
        )
        .unwrap();
    controller.wait_for_log("code for disarm: Wrong");
    assert!(controller.stop().success());
    let (records, _) = world.log();
    let position = |wanted: fn(&homesec_ipc::eventlog::Event) -> bool| {
        records.iter().position(|r| wanted(&r.event)).unwrap()
    };
    let door = position(
        |e| matches!(e, homesec_ipc::eventlog::Event::Sensor { sensor, .. } if sensor == "back-door"),
    );
    let code = position(|e| matches!(e, homesec_ipc::eventlog::Event::Code { .. }));
    assert!(
        door < code,
        "the door report waited for the code check (door at {door}, code at {code})"
    );
}

#[test]
fn queue_priority_never_reorders_one_sensors_reports() {
    let world = World::new("mqorder");
    let controller = world.start();
    let mut sender = mq::Sender::open(&world.instance, &Trust::client(None, None)).unwrap();
    let door = |state| Message::sensor(SensorKind::Door, "back-door", state);
    let motion = |state| Message::sensor(SensorKind::Motion, "living-motion", state);
    // While the controller is stopped, each sensor reports a change and
    // then its reversal; the queue hands the higher priority out first.
    controller.signal(libc::SIGSTOP);
    let wait = Duration::from_secs(5);
    sender.send(&door(SensorState::Closed), wait).unwrap(); // priority 1
    sender.send(&door(SensorState::Open), wait).unwrap(); // priority 2
    sender.send(&motion(SensorState::Clear), wait).unwrap(); // priority 1
    sender.send(&motion(SensorState::Motion), wait).unwrap(); // priority 2
    controller.signal(libc::SIGCONT);
    controller.wait_for(|l| l.contains("living-motion clear") && l.contains("superseded"));
    controller.wait_for_log("status published");
    let json: serde_json::Value =
        serde_json::from_slice(&world.ctl(&["status", "--json"]).stdout).unwrap();
    let state_of = |id: &str| {
        json["sensors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["state"]
            .clone()
    };
    // The newest report of each sensor is what the house believes.
    assert_eq!(state_of("back-door"), "open");
    assert_eq!(state_of("living-motion"), "motion");
    assert!(controller.stop().success());

    let (records, _) = world.log();
    let superseded: Vec<(String, String)> = records
        .iter()
        .filter_map(|r| match &r.event {
            homesec_ipc::eventlog::Event::Superseded { sensor, state, .. } => {
                Some((sensor.clone(), state.to_string()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        superseded,
        vec![
            ("back-door".to_string(), "closed".to_string()),
            ("living-motion".to_string(), "clear".to_string()),
        ]
    );
}
