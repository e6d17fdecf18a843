//! The message queue contract on real kernel queues: priority order, a full
//! queue, leftover queues from another version or a stopped controller, a
//! sender stranded on a removed queue, and a message from another process
//! (this test binary re-executed as the sender). Each test uses its own
//! queue, named with the pid, removed when the test ends.

use homesec_ipc::endpoint::Trust;
use std::io::ErrorKind;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::time::Duration;

use homesec_ipc::mq::{
    self, MAX_MSG_SIZE, Message, MqError, Opened, QUEUE_DEPTH, Receiver, Sender,
};
use homesec_ipc::{SensorKind, SensorState};

/// Tells the re-executed binary which instance to send to.
const INSTANCE_ENV: &str = "HOMESEC_MQ_TEST_INSTANCE";
const SHORT: Duration = Duration::from_millis(50);

/// A unique instance whose queue is removed on drop, even when a test fails.
struct Instance(String);

impl Instance {
    fn new(tag: &str) -> Instance {
        let instance = Instance(format!("t{}-{tag}", std::process::id()));
        mq::unlink(&instance.0).unwrap();
        instance
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = mq::unlink(&self.0);
    }
}

fn heartbeats(n: usize) -> Vec<Message> {
    (0..n)
        .map(|i| Message::sensor(SensorKind::Motion, format!("m{i}"), SensorState::Heartbeat))
        .collect()
}

fn recv_message(receiver: &Receiver) -> Message {
    receiver.recv().unwrap().message.unwrap()
}

fn assert_empty(receiver: &Receiver) {
    let err = receiver.recv().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock, "{err}");
}

/// A queue with arbitrary attributes, as another version would leave it.
fn leftover_queue(instance: &str, msgsize: usize, depth: usize) -> posixmq::PosixMq {
    posixmq::OpenOptions::readwrite()
        .create_new()
        .max_msg_len(msgsize)
        .capacity(depth)
        .open(&mq::queue_name(instance))
        .unwrap()
}

#[test]
fn the_most_urgent_message_is_received_first() {
    let instance = Instance::new("prio");
    let (receiver, opened) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    assert_eq!(opened, Opened::Created);
    let mut sender = Sender::open(&instance.0, &Trust::client(None, None)).unwrap();
    let beats = heartbeats(5);
    for beat in &beats {
        sender.send(beat, SHORT).unwrap();
    }
    let panic = Message::sensor(SensorKind::Panic, "bedside", SensorState::Pressed);
    sender.send(&panic, SHORT).unwrap();

    let first = receiver.recv().unwrap();
    assert_eq!(first.priority, 3);
    assert_eq!(first.message, Ok(panic));
    for beat in beats {
        // Equal priorities keep their sending order.
        assert_eq!(recv_message(&receiver), beat);
    }
    assert_empty(&receiver);
}

#[test]
fn a_full_queue_fails_after_the_deadline() {
    let instance = Instance::new("full");
    let (receiver, _) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    let mut sender = Sender::open(&instance.0, &Trust::client(None, None)).unwrap();
    for beat in heartbeats(QUEUE_DEPTH) {
        sender.send(&beat, SHORT).unwrap();
    }
    let door = Message::sensor(SensorKind::Door, "front-door", SensorState::Open);
    let err = sender.send(&door, SHORT).unwrap_err();
    assert!(
        matches!(err, MqError::Full { waited, .. } if waited == SHORT),
        "{err}"
    );

    // Once the controller takes one, the next send goes through.
    recv_message(&receiver);
    sender.send(&door, SHORT).unwrap();
    assert_eq!(recv_message(&receiver), door);
}

#[test]
fn a_queue_with_other_attributes_is_recreated() {
    let instance = Instance::new("old");
    let old = leftover_queue(&instance.0, 64, QUEUE_DEPTH);
    old.send(0, b"left over").unwrap();
    assert!(matches!(
        Sender::open(&instance.0, &Trust::client(None, None)),
        Err(MqError::Mismatched {
            msgsize: 64,
            maxmsg: 10,
            ..
        })
    ));
    drop(old);

    let (receiver, opened) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    let expected = Opened::Recreated {
        old_msgsize: 64,
        old_maxmsg: QUEUE_DEPTH,
        discarded: 1,
    };
    assert_eq!(opened, expected);
    let mut sender = Sender::open(&instance.0, &Trust::client(None, None)).unwrap();
    let door = Message::sensor(SensorKind::Door, "front-door", SensorState::Closed);
    sender.send(&door, SHORT).unwrap();
    assert_eq!(recv_message(&receiver), door);
}

#[test]
fn messages_waiting_for_a_restarted_controller_are_kept() {
    let instance = Instance::new("restart");
    let (receiver, _) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    drop(receiver);
    let mut sender = Sender::open(&instance.0, &Trust::client(None, None)).unwrap();
    let beats = heartbeats(3);
    for beat in &beats {
        sender.send(beat, SHORT).unwrap();
    }

    let (receiver, opened) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    assert_eq!(opened, Opened::Existing { waiting: 3 });
    for beat in beats {
        assert_eq!(recv_message(&receiver), beat);
    }
    assert_empty(&receiver);
}

#[test]
fn senders_never_create_the_queue() {
    let instance = Instance::new("none");
    let err = Sender::open(&instance.0, &Trust::client(None, None)).unwrap_err();
    assert!(matches!(&err, MqError::NoQueue { name } if name == &mq::queue_name(&instance.0)));
    assert!(posixmq::PosixMq::open(&mq::queue_name(&instance.0)).is_err());
}

#[test]
fn a_sender_stranded_on_a_removed_queue_moves_to_the_new_one() {
    let instance = Instance::new("strand");
    let (old_receiver, _) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    let mut sender = Sender::open(&instance.0, &Trust::client(None, None)).unwrap();
    drop(old_receiver);
    mq::unlink(&instance.0).unwrap();
    let (receiver, opened) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    assert_eq!(opened, Opened::Created);

    // These fill the orphan nobody reads; the one after finds it full,
    // notices the name now means another queue, and is sent there.
    for beat in heartbeats(QUEUE_DEPTH) {
        sender.send(&beat, SHORT).unwrap();
    }
    let window = Message::sensor(SensorKind::Window, "attic", SensorState::Open);
    sender.send(&window, SHORT).unwrap();
    assert_eq!(recv_message(&receiver), window);
    assert_empty(&receiver);
}

/// The queue's permission bits, from its descriptor.
fn queue_mode(receiver: &Receiver) -> u32 {
    // SAFETY: an all-zero stat is a valid value for fstat to overwrite.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: the receiver's descriptor is open while `receiver` lives.
    assert_eq!(unsafe { libc::fstat(receiver.as_raw_fd(), &mut stat) }, 0);
    stat.st_mode & 0o777
}

#[test]
fn the_queue_is_private_or_group_writable_whatever_the_umask() {
    let instance = Instance::new("mode");
    let (receiver, _) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    assert_eq!(queue_mode(&receiver), 0o600);
    drop(receiver);
    // Reopened with a group: the mode follows the configuration.
    let group = rustix::process::getegid().as_raw();
    let (receiver, _) = Receiver::open(&instance.0, &Trust::controller(Some(group))).unwrap();
    assert_eq!(queue_mode(&receiver), 0o620);
}

#[test]
fn the_descriptor_polls_readable_when_a_message_waits() {
    let instance = Instance::new("poll");
    let (receiver, _) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    let readable = || {
        let mut fd = libc::pollfd {
            fd: receiver.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no waiting.
        unsafe { libc::poll(&mut fd, 1, 0) == 1 && fd.revents & libc::POLLIN != 0 }
    };
    assert!(!readable());
    let mut sender = Sender::open(&instance.0, &Trust::client(None, None)).unwrap();
    sender
        .send(&Message::keypad("@disarm 1234"), SHORT)
        .unwrap();
    assert!(readable());
}

#[test]
fn a_broken_message_is_reported_and_the_queue_keeps_flowing() {
    let instance = Instance::new("broken");
    let (receiver, _) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    let raw = posixmq::OpenOptions::writeonly()
        .open(&mq::queue_name(&instance.0))
        .unwrap();
    raw.send(2, &[1; MAX_MSG_SIZE]).unwrap();
    let mut sender = Sender::open(&instance.0, &Trust::client(None, None)).unwrap();
    let door = Message::sensor(SensorKind::Door, "back-door", SensorState::Open);
    sender.send(&door, SHORT).unwrap();

    let broken = receiver.recv().unwrap();
    assert_eq!(broken.priority, 2);
    assert!(broken.message.is_err(), "{:?}", broken.message);
    assert_eq!(recv_message(&receiver), door);
}

#[test]
fn a_message_from_another_process_is_received() {
    let instance = Instance::new("proc");
    let (receiver, _) = Receiver::open(&instance.0, &Trust::controller(None)).unwrap();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "sender_process", "--ignored", "--nocapture"])
        .env(INSTANCE_ENV, &instance.0)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&child.stdout);
    assert!(child.status.success(), "sender process failed: {report}");
    assert!(report.contains("1 passed"), "sender did not run: {report}");
    // The child has exited, so its message is waiting.
    let received = receiver.recv().unwrap();
    assert_eq!(received.priority, 3);
    match received.message.unwrap() {
        Message::Sensor {
            kind,
            sensor,
            state,
            sent_at_ns,
        } => {
            assert_eq!(
                (kind, sensor.as_str(), state),
                (SensorKind::Smoke, "kitchen-smoke", SensorState::Alarm)
            );
            assert!(sent_at_ns <= mq::monotonic_ns());
        }
        other => panic!("expected a sensor report, got {other:?}"),
    }
}

/// The sender half, run only as a child of the test above.
#[test]
#[ignore = "run by a_message_from_another_process_is_received in a child process"]
fn sender_process() {
    let Ok(instance) = std::env::var(INSTANCE_ENV) else {
        println!(
            "skipped: only meaningful as a child of a_message_from_another_process_is_received"
        );
        return;
    };
    let mut sender = Sender::open(&instance, &Trust::client(None, None)).unwrap();
    let smoke = Message::sensor(SensorKind::Smoke, "kitchen-smoke", SensorState::Alarm);
    sender.send(&smoke, SHORT).unwrap();
}
