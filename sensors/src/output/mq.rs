//! Reports on the POSIX message queue `/homesec-<instance>-events`, at the
//! contract's urgency priority.
//!
//! - Queue full: `send` waits at most [`FULL_WAIT`], then logs and counts the drop.
//! - Queue missing (controller not started): reports wait in a local buffer
//!   of [`WAITING_CAPACITY`] (the oldest is dropped and counted past that)
//!   while opening is retried every [`RETRY_EVERY`]; once open, they go out
//!   in order before anything newer.
//! - Controller restarted: the queue is reopened, since the new controller
//!   may have replaced it with a fresh one.

use super::{Counts, Output, OutputError};
use crate::report::Report;
use homesec_ipc::SensorKind;
use homesec_ipc::endpoint::Trust;
use homesec_ipc::mq::{Message, MqError, Sender, queue_name};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// How long a send waits while the queue is full.
pub const FULL_WAIT: Duration = Duration::from_secs(2);
/// How often opening a missing queue is retried. A retry loop because Linux
/// offers no way to wait for a queue to be created short of mounting the
/// mqueue filesystem and watching it with inotify, which a sensor process
/// cannot count on.
pub const RETRY_EVERY: Duration = Duration::from_millis(500);
/// Reports kept while the queue is missing.
pub const WAITING_CAPACITY: usize = 256;

/// The message queue output.
pub struct MqOutput {
    instance: String,
    trust: Trust,
    name: String,
    kinds: HashMap<String, SensorKind>,
    sender: Option<Sender>,
    waiting: VecDeque<Message>,
    next_try: Option<Instant>,
    full_wait: Duration,
    told_missing: bool,
    counts: Counts,
}

impl MqOutput {
    /// An output for `instance`'s queue, knowing each sensor's kind; tries to
    /// open the queue at once.
    pub fn new(
        instance: &str,
        trust: Trust,
        kinds: HashMap<String, SensorKind>,
        now: Instant,
    ) -> MqOutput {
        MqOutput::with_full_wait(instance, trust, kinds, now, FULL_WAIT)
    }

    /// Like [`MqOutput::new`] with another wait on a full queue.
    pub fn with_full_wait(
        instance: &str,
        trust: Trust,
        kinds: HashMap<String, SensorKind>,
        now: Instant,
        full_wait: Duration,
    ) -> MqOutput {
        let mut output = MqOutput {
            instance: instance.to_string(),
            trust,
            name: queue_name(instance),
            kinds,
            sender: None,
            waiting: VecDeque::new(),
            next_try: None,
            full_wait,
            told_missing: false,
            counts: Counts::default(),
        };
        output.retry(now);
        output
    }

    fn message(&self, report: &Report) -> Option<Message> {
        match report {
            Report::Keypad(line) => Some(Message::keypad(line.clone())),
            Report::Sensor { sensor, state } => {
                let kind = self.kinds.get(sensor)?;
                Some(Message::sensor(*kind, sensor.clone(), *state))
            }
        }
    }

    fn open(&mut self, now: Instant) {
        match Sender::open(&self.instance, &self.trust) {
            Ok(sender) => {
                tracing::info!("connected to the message queue {}", self.name);
                self.sender = Some(sender);
                self.next_try = None;
                self.told_missing = false;
            }
            Err(e) => {
                if !self.told_missing {
                    tracing::warn!(
                        "{e}; keeping up to {WAITING_CAPACITY} reports and retrying every {} ms",
                        RETRY_EVERY.as_millis()
                    );
                    self.told_missing = true;
                }
                self.next_try = Some(now + RETRY_EVERY);
            }
        }
    }

    /// Sends what waits, oldest first, until it is all out or the queue is lost.
    fn flush_waiting(&mut self, now: Instant) {
        while let Some(msg) = self.waiting.pop_front() {
            if let Err(msg) = self.deliver(msg, now) {
                self.waiting.push_front(msg);
                return;
            }
        }
    }

    /// Sends one message; gives it back when the queue is gone (to wait).
    fn deliver(&mut self, msg: Message, now: Instant) -> Result<(), Message> {
        let Some(sender) = self.sender.as_mut() else {
            return Err(msg);
        };
        match sender.send(&msg, self.full_wait) {
            Ok(()) => {
                self.counts.sent += 1;
                Ok(())
            }
            Err(e @ (MqError::NoQueue { .. } | MqError::Mismatched { .. })) => {
                tracing::warn!("lost the message queue: {e}");
                self.sender = None;
                self.open(now);
                Err(msg)
            }
            Err(e) => {
                self.drop_message(&msg, &e.to_string());
                if matches!(e, MqError::Io { .. }) {
                    // Reopen before the next send rather than reuse a
                    // descriptor that just failed.
                    self.sender = None;
                    self.open(now);
                }
                Ok(())
            }
        }
    }

    fn drop_message(&mut self, msg: &Message, why: &str) {
        self.counts.dropped += 1;
        let what = match msg {
            Message::Sensor { sensor, state, .. } => format!("'{sensor} {state}'"),
            Message::Keypad { .. } => "a keypad line".to_string(),
        };
        tracing::warn!(
            dropped = self.counts.dropped,
            "dropped report {what}: {why}"
        );
    }

    fn keep_waiting(&mut self, msg: Message) {
        if self.waiting.len() == WAITING_CAPACITY {
            if let Some(oldest) = self.waiting.pop_front() {
                self.drop_message(
                    &oldest,
                    "the local buffer is full while the message queue is missing",
                );
            }
        }
        self.waiting.push_back(msg);
    }
}

impl Output for MqOutput {
    fn send(&mut self, report: &Report) -> Result<(), OutputError> {
        let Some(msg) = self.message(report) else {
            self.counts.dropped += 1;
            tracing::warn!(
                dropped = self.counts.dropped,
                "dropped a report of a sensor not in the house: {report:?}"
            );
            return Ok(());
        };
        let now = Instant::now();
        if self.sender.is_none() || !self.waiting.is_empty() {
            self.keep_waiting(msg);
            self.flush_waiting(now);
            return Ok(());
        }
        if let Err(msg) = self.deliver(msg, now) {
            self.keep_waiting(msg);
        }
        Ok(())
    }

    fn retry_at(&self) -> Option<Instant> {
        self.next_try
    }

    fn retry(&mut self, now: Instant) {
        if self.sender.is_none() {
            self.open(now);
        }
        self.flush_waiting(now);
    }

    fn controller_restarted(&mut self) {
        tracing::info!("reopening the message queue {}", self.name);
        self.sender = None;
        self.retry(Instant::now());
    }

    fn counts(&self) -> Counts {
        Counts {
            waiting: self.waiting.len(),
            ..self.counts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use homesec_ipc::SensorState;
    use homesec_ipc::mq::{Receiver, unlink};

    /// A unique instance whose queue is removed at the end.
    struct Instance(String);

    impl Instance {
        fn new(tag: &str) -> Instance {
            let name = format!("t-sens-{tag}-{}", std::process::id());
            unlink(&name).expect("no stale queue");
            Instance(name)
        }
    }

    impl Drop for Instance {
        fn drop(&mut self) {
            let _ = unlink(&self.0);
        }
    }

    fn kinds() -> HashMap<String, SensorKind> {
        HashMap::from([("front-door".to_string(), SensorKind::Door)])
    }

    fn door(state: SensorState) -> Report {
        Report::Sensor {
            sensor: "front-door".into(),
            state,
        }
    }

    fn received(rx: &Receiver) -> Vec<Message> {
        std::iter::from_fn(|| rx.recv().ok().and_then(|r| r.message.ok())).collect()
    }

    #[test]
    fn reports_wait_for_the_queue_and_go_out_in_order() {
        let instance = Instance::new("wait");
        let t0 = Instant::now();
        let mut out = MqOutput::new(&instance.0, Trust::client(None, None), kinds(), t0);
        assert_eq!(out.retry_at(), Some(t0 + RETRY_EVERY));
        // Both at priority 2, so the queue keeps their order.
        out.send(&door(SensorState::Open)).expect("kept");
        out.send(&Report::Keypad("@disarm 1234".into()))
            .expect("kept");
        assert_eq!(out.counts().waiting, 2);

        let (rx, _) = Receiver::open(&instance.0, &Trust::controller(None)).expect("queue created");
        out.retry(t0 + RETRY_EVERY);
        assert_eq!(out.retry_at(), None);
        assert_eq!(
            out.counts(),
            Counts {
                sent: 2,
                dropped: 0,
                waiting: 0
            }
        );
        let got = received(&rx);
        assert_eq!(got.len(), 2);
        assert!(matches!(
            &got[0],
            Message::Sensor {
                state: SensorState::Open,
                ..
            }
        ));
        assert!(matches!(&got[1], Message::Keypad { line, .. } if line == "@disarm 1234"));
    }

    #[test]
    fn a_full_queue_drops_and_counts_after_the_wait() {
        let instance = Instance::new("full");
        let (_rx, _) =
            Receiver::open(&instance.0, &Trust::controller(None)).expect("queue created");
        let wait = Duration::from_millis(20);
        let mut out = MqOutput::with_full_wait(
            &instance.0,
            Trust::client(None, None),
            kinds(),
            Instant::now(),
            wait,
        );
        for _ in 0..homesec_ipc::mq::QUEUE_DEPTH + 2 {
            out.send(&door(SensorState::Heartbeat)).expect("not fatal");
        }
        let counts = out.counts();
        assert_eq!(counts.sent, homesec_ipc::mq::QUEUE_DEPTH as u64);
        assert_eq!(counts.dropped, 2);
    }

    #[test]
    fn the_local_buffer_is_bounded_and_drops_the_oldest() {
        let instance = Instance::new("bound");
        let mut out = MqOutput::new(
            &instance.0,
            Trust::client(None, None),
            kinds(),
            Instant::now(),
        );
        for _ in 0..WAITING_CAPACITY + 3 {
            out.send(&door(SensorState::Heartbeat)).expect("kept");
        }
        assert_eq!(out.counts().waiting, WAITING_CAPACITY);
        assert_eq!(out.counts().dropped, 3);
    }

    #[test]
    fn a_report_of_an_unknown_sensor_is_counted() {
        let instance = Instance::new("unknown");
        let mut out = MqOutput::new(
            &instance.0,
            Trust::client(None, None),
            kinds(),
            Instant::now(),
        );
        out.send(&Report::Sensor {
            sensor: "attic".into(),
            state: SensorState::Open,
        })
        .expect("not fatal");
        assert_eq!(out.counts().dropped, 1);
        assert_eq!(out.counts().waiting, 0);
    }
}
