//! The house task: the one owner of the house state.
//!
//! Every input arrives here on one bounded channel and is applied, in order,
//! to the [`House`] (the pure alarm state machine). What the house decides
//! goes out: records to the journal (one batch per turn of the loop), the
//! siren, and the status segment, published once per turn so that a burst
//! of events costs one publish. Between inputs the task sleeps until the
//! house's next deadline or the status heartbeat, whichever comes first;
//! nothing polls. It ends when every input sender is gone, which is how a
//! graceful shutdown reaches it, writes the `stop` record and hands the
//! status segment back for the final "stopped" mark.

use crate::clock::{Clock, Millis};
use crate::house::House;
use crate::house::narrate::narrate;
use crate::house::order::ReportOrder;
use crate::house::rejects::RejectLog;
use crate::house::reply;
use crate::house::state::CodeCheck;
use crate::ingest::{CommandInput, Input, SignalKind};
use crate::outputs::backlog::Ack;
use crate::outputs::journal::Entry;
use crate::outputs::memory::{self, AlarmMemory};
use crate::outputs::{Outputs, status};
use crate::settings::{Settings, house_model};
use homesec_config::Config;
use homesec_ipc::command::Command;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::SCHEMA_VERSION;
use homesec_ipc::eventlog::record::{CodeResult, SystemCondition};
use homesec_ipc::line::redact;
use homesec_ipc::rpc::ControlError;
use homesec_ipc::status::{Snapshot, SystemTrouble};
use homesec_ipc::{AlarmKind, AlarmState, SensorState};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Inputs taken from the channel in one turn of the loop, at most.
const TURN: usize = 512;
/// Records waiting for a healthy journal beyond which the house takes no
/// more input until the journal catches up: inputs then wait in the kernel
/// (the queue, the pipes), which a crash of the controller does not lose,
/// instead of in memory, which it does. While the journal syncs one batch,
/// this is how far the next may grow, so it sets how many `fdatasync`s a
/// flood costs: at one turn a flood ran 20–30 % slower than at 4 or 8
/// (docs/PERFORMANCE.md), and the crash window grows with it
/// (docs/DECISIONS.md, "What a kill -9 can lose").
const JOURNAL_HIGH_WATER: usize = 4 * TURN;
/// A journal that makes no progress this long is not waited for: the house
/// takes input again (the disk has stopped answering; the alarm goes on).
const JOURNAL_STALL: Duration = Duration::from_secs(2);

/// Everything the house task owns.
pub struct HouseTask {
    /// The alarm state machine and sensor states.
    house: House,
    /// The clock everything is timed by.
    clock: Clock,
    /// The config in force; published to the ingest tasks on reload.
    config: watch::Sender<Arc<Config>>,
    /// Until when code entry is locked, for the keypad inputs.
    code_lock: watch::Sender<Option<Instant>>,
    /// Where the house's decisions go.
    outputs: Outputs,
    /// What the alarm memory held at start, then what was last handed to
    /// its saver.
    memory: AlarmMemory,
    /// The controller's own trouble conditions.
    trouble: SystemTrouble,
    /// Why the alarm memory could not be read at start, for the record.
    memory_lost: Option<String>,
    /// The inputs that failed and do not run yet.
    failed_inputs: std::collections::BTreeSet<&'static str>,
    /// The newest report applied, per sensor.
    order: ReportOrder,
    /// Identity written into the `start` record and the status header.
    identity: Identity,
}

/// Who this controller is.
#[derive(Debug, Clone)]
struct Identity {
    /// Instance name.
    instance: String,
    /// Where the config came from, in words.
    config_origin: String,
    /// Our pid.
    pid: u32,
    /// When we started.
    started_ms: Millis,
    /// How often the status heartbeat is written.
    heartbeat: Duration,
}

/// Why the house task stopped early.
#[derive(Debug, thiserror::Error)]
pub enum HouseTaskError {
    /// The journal thread is gone: nothing can be logged any more.
    #[error("the event log writer stopped; refusing to run without a log")]
    JournalGone,
}

/// Counters of this run.
#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    accepted: u64,
    rejected: u64,
}

/// The loop's working state beside the owned parts.
struct Turn {
    records: Vec<Entry>,
    /// Replies owed once this turn's records are durable.
    acks: Vec<Ack>,
    counters: Counters,
    stop_reason: Option<&'static str>,
    rejects: RejectLog,
}

impl HouseTask {
    /// The house of `settings` as the alarm memory left it, publishing the
    /// config in force on `config` and the code lockout on `code_lock`.
    pub fn new(
        settings: &Settings,
        outputs: Outputs,
        config: watch::Sender<Arc<Config>>,
        code_lock: watch::Sender<Option<Instant>>,
    ) -> HouseTask {
        let clock = Clock::new(settings.clock);
        let now = clock.now_ms();
        let (sensors, rules) = house_model(&settings.config);
        let remembered = memory::remembered(&settings.data_dir, &settings.events_dir());
        let identity = Identity {
            instance: settings.instance.clone(),
            config_origin: settings.config_origin(),
            pid: std::process::id(),
            started_ms: now,
            heartbeat: settings.config.timers.heartbeat,
        };
        HouseTask {
            house: House::new(sensors, rules, now),
            clock,
            config,
            code_lock,
            outputs,
            memory: remembered.memory,
            trouble: SystemTrouble {
                memory_lost: remembered.lost.is_some(),
                ..SystemTrouble::default()
            },
            memory_lost: remembered.lost,
            failed_inputs: Default::default(),
            order: ReportOrder::default(),
            identity,
        }
    }

    /// Runs until every input sender is dropped, then writes the `stop`
    /// record, switches the siren off and marks the status stopped.
    pub async fn run(mut self, inputs: mpsc::Receiver<Input>) -> Result<(), HouseTaskError> {
        let mut turn = Turn {
            records: Vec::new(),
            acks: Vec::new(),
            counters: Counters::default(),
            stop_reason: None,
            rejects: RejectLog::default(),
        };
        let served = self.serve(inputs, &mut turn).await;
        // Whatever ended the loop, the siren goes off and readers learn
        // that this controller is no longer running.
        self.outputs.siren.set(false);
        let stopped = self.snapshot(turn.counters, false);
        self.outputs.status.publish(&stopped);
        let saver = self.outputs.memory;
        let _ = tokio::task::spawn_blocking(move || saver.finish()).await;
        served
    }

    async fn serve(
        &mut self,
        mut inputs: mpsc::Receiver<Input>,
        turn: &mut Turn,
    ) -> Result<(), HouseTaskError> {
        let now = self.clock.now_ms();
        turn.push(&self.clock, now, self.start_event());
        if let Some(why) = self.memory_lost.take() {
            turn.push(
                &self.clock,
                now,
                system_trouble(SystemCondition::MemoryLost, true, Some(why)),
            );
        }
        let last = &self.memory;
        let restored =
            self.house
                .restore(now, last.state, last.mode, &last.bypassed, last.code_lock());
        turn.extend(&self.clock, now, restored);
        let mut heartbeat = tokio::time::interval(self.identity.heartbeat);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut batch = Vec::with_capacity(TURN);
        self.finish_turn(turn, true)?;
        tracing::info!("ready: taking events");
        let mut progress = Instant::now();
        loop {
            let wake = self.next_wake();
            let take_input = !self.journal_behind(progress);
            tokio::select! {
                n = inputs.recv_many(&mut batch, TURN), if take_input => {
                    if n == 0 {
                        break;
                    }
                    for input in batch.drain(..) {
                        self.apply(input, turn);
                    }
                }
                () = tokio::time::sleep_until(wake) => self.tick(turn),
                // A batch became durable, or the disk changed its mind:
                // publish so readers see it.
                Ok(()) = self.outputs.logged.changed() => progress = Instant::now(),
                Ok(()) = self.outputs.journal_health.changed() => {}
                _ = heartbeat.tick() => self.tick(turn),
            }
            let ended = turn.rejects.ended(std::time::Instant::now());
            turn.extend(&self.clock, self.clock.now_ms(), ended);
            self.finish_turn(turn, true)?;
        }
        let now = self.clock.now_ms();
        let held_back = turn.rejects.all();
        turn.extend(&self.clock, now, held_back);
        let reason = turn.stop_reason.unwrap_or("inputs closed").to_string();
        turn.push(&self.clock, now, Event::Stop { reason });
        self.finish_turn(turn, false)
    }

    /// A sensor's report: applied unless a newer one of the same sensor
    /// was (see [`ReportOrder`]), refused if the house does not know it.
    fn sensor_report(
        &mut self,
        now: Millis,
        sensor: String,
        state: SensorState,
        source: String,
        sent_at_ns: u64,
        turn: &mut Turn,
    ) {
        let known = self.house.sensors().any(|s| s.id() == sensor);
        if known && !self.order.admit(&sensor, state, sent_at_ns) {
            // Valid input, only late: counted as accepted.
            turn.counters.accepted += 1;
            tracing::debug!("{sensor} {state} from {source}: superseded by a newer report");
            let event = Event::Superseded {
                sensor,
                state,
                source,
            };
            turn.push(&self.clock, now, event);
            return;
        }
        match self.house.sensor_event(now, &sensor, state, &source) {
            Ok(events) => {
                tracing::debug!("{sensor} {state} from {source}");
                turn.counters.accepted += 1;
                turn.extend(&self.clock, now, events);
            }
            Err(e) => {
                let input = format!("{sensor} {state}");
                turn.reject(&self.clock, now, source, e.to_string(), input);
            }
        }
    }

    /// An input failed or runs again: the `input_failed` trouble is on
    /// while any input is down.
    fn input_trouble(
        &mut self,
        now: Millis,
        input: &'static str,
        failed: bool,
        detail: String,
        turn: &mut Turn,
    ) {
        let changed = if failed {
            self.failed_inputs.insert(input)
        } else {
            self.failed_inputs.remove(input)
        };
        self.trouble.input_failed = !self.failed_inputs.is_empty();
        if changed {
            let detail = Some(format!("{input}: {detail}"));
            turn.push(
                &self.clock,
                now,
                system_trouble(SystemCondition::InputFailed, failed, detail),
            );
        }
    }

    /// A valid code (of a user, or duress) entered after the alarm memory
    /// was lost ends the `memory_lost` trouble: someone who may has looked
    /// at the house.
    fn clear_memory_lost(&mut self, now: Millis, events: &[Event], turn: &mut Turn) {
        let proven = events.iter().any(|e| {
            matches!(
                e,
                Event::Code {
                    result: CodeResult::Accepted | CodeResult::Duress,
                    ..
                }
            )
        });
        if self.trouble.memory_lost && proven {
            self.trouble.memory_lost = false;
            let detail = Some("a valid code was entered".to_string());
            turn.push(
                &self.clock,
                now,
                system_trouble(SystemCondition::MemoryLost, false, detail),
            );
        }
    }

    /// Whether a healthy journal is so far behind that input should wait
    /// in the kernel rather than in memory (see [`JOURNAL_HIGH_WATER`]).
    fn journal_behind(&self, progress: Instant) -> bool {
        !self.trouble.disk_fault
            && progress.elapsed() < JOURNAL_STALL
            && self.outputs.journal.waiting() > JOURNAL_HIGH_WATER
    }

    fn start_event(&self) -> Event {
        Event::Start {
            instance: self.identity.instance.clone(),
            pid: self.identity.pid,
            version: env!("CARGO_PKG_VERSION").to_string(),
            schema: SCHEMA_VERSION,
            config: self.identity.config_origin.clone(),
        }
    }

    /// The tokio instant of the house's next deadline (far away if none).
    fn next_wake(&self) -> tokio::time::Instant {
        let wait = match self.house.next_deadline() {
            Some(at) => self.clock.until(at),
            None => Duration::from_secs(3600),
        };
        tokio::time::Instant::now() + wait
    }

    fn tick(&mut self, turn: &mut Turn) {
        let now = self.clock.now_ms();
        let events = self.house.tick(now);
        turn.extend(&self.clock, now, events);
    }

    fn apply(&mut self, input: Input, turn: &mut Turn) {
        let now = self.clock.now_ms();
        match input {
            Input::Sensor {
                sensor,
                state,
                source,
                sent_at_ns,
            } => self.sensor_report(now, sensor, state, source, sent_at_ns, turn),
            Input::Command(input) => self.command(now, input, turn),
            Input::Rejected {
                source,
                reason,
                input,
            } => turn.reject(&self.clock, now, source, reason, input),
            Input::Signal { signal, sender_pid } => self.signal(now, signal, sender_pid, turn),
            Input::Reload { path, result } => self.reload(now, path, result, turn),
            Input::InputTrouble {
                input,
                failed,
                detail,
            } => self.input_trouble(now, input, failed, detail, turn),
        }
    }

    /// A command: applied unless its caller's deadline has passed, its
    /// records recorded, and the answer owed to a waiting caller queued
    /// behind them, so it is sent once they are durable.
    fn command(&mut self, now: Millis, input: CommandInput, turn: &mut Turn) {
        let CommandInput {
            command,
            code,
            caller,
            reply,
            deadline,
        } = input;
        let source = caller.to_string();
        if deadline.is_some_and(|at| Instant::now() >= at) {
            // The caller has given up: applying it now would surprise them.
            let reason = format!("{} arrived after its deadline; not applied", command.word());
            turn.reject(
                &self.clock,
                now,
                source,
                reason.clone(),
                command.word().to_string(),
            );
            if let Some(reply) = reply {
                turn.acks
                    .push(reply::owed(reply, Err(ControlError::Refused { reason })));
            }
            return;
        }
        let unknown = match &command {
            Command::Bypass { sensors, .. } => sensors
                .iter()
                .find(|id| self.house.sensor(id).is_none())
                .cloned(),
            _ => None,
        };
        let events = self.run_command(now, command, code, &source);
        self.clear_memory_lost(now, &events, turn);
        // Refused by the house (arming while armed, bypass of an unknown
        // sensor): counted like any refused input.
        if events.iter().any(|e| matches!(e, Event::Rejected { .. })) {
            turn.counters.rejected += 1;
        } else {
            turn.counters.accepted += 1;
        }
        let locked_for = self
            .house
            .code_entry_locked_until(now)
            .map(|until| until - now);
        let outcome = match unknown {
            Some(sensor) => Err(ControlError::UnknownSensor { sensor }),
            None => reply::outcome(&events, self.house.state(), locked_for),
        };
        turn.extend(&self.clock, now, events);
        if let Some(reply) = reply {
            turn.acks.push(reply::owed(reply, outcome));
        }
    }

    /// What the house does for a command.
    fn run_command(
        &mut self,
        now: Millis,
        command: Command,
        code: CodeCheck,
        source: &str,
    ) -> Vec<Event> {
        match command {
            Command::Arm { mode, options } => self.house.arm(now, mode, code, options, source),
            Command::Disarm => self.house.disarm(now, code, source),
            Command::Bypass { sensors, on } => self.bypass(now, &sensors, on, code, source),
            Command::ActivateAlarm { kind, reason } => {
                self.house.activate(now, kind, &reason, source)
            }
            Command::Silence => self.house.silence(now, code, source),
            Command::SirenTest => self.house.siren_test(now, code, source),
        }
    }

    /// Bypasses (or un-bypasses) each sensor in turn; the code is entered
    /// once: after the first refusal of the code, nothing more is tried.
    fn bypass(
        &mut self,
        now: Millis,
        sensors: &[String],
        on: bool,
        code: CodeCheck,
        source: &str,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        for sensor in sensors {
            let done = if on {
                self.house.bypass(now, sensor, code.clone(), source)
            } else {
                self.house.unbypass(now, sensor, code.clone(), source)
            };
            let refused = done.iter().any(|e| {
                matches!(
                    e,
                    Event::Code {
                        result: CodeResult::Wrong | CodeResult::Locked,
                        ..
                    }
                )
            });
            events.extend(done);
            if refused {
                break;
            }
        }
        events
    }

    fn signal(
        &mut self,
        now: Millis,
        signal: SignalKind,
        sender_pid: Option<i32>,
        turn: &mut Turn,
    ) {
        turn.push(
            &self.clock,
            now,
            Event::Signal {
                signal: signal.name().to_string(),
                sender_pid,
            },
        );
        match signal {
            SignalKind::Usr1 => {
                tracing::warn!(?sender_pid, "SIGUSR1: panic alarm");
                let events = self
                    .house
                    .activate(now, AlarmKind::Panic, "SIGUSR1", "signal");
                turn.extend(&self.clock, now, events);
            }
            SignalKind::Usr2 => {
                let c = turn.counters;
                let snapshot = self.house.snapshot(c.accepted, c.rejected);
                turn.push(&self.clock, now, snapshot);
            }
            SignalKind::Term | SignalKind::Int => turn.stop_reason = Some(signal.name()),
            SignalKind::Hup => {}
        }
    }

    fn reload(
        &mut self,
        now: Millis,
        path: String,
        result: Result<Arc<Config>, String>,
        turn: &mut Turn,
    ) {
        let checked = result.and_then(|config| self.fits(&config).map(|()| config));
        match checked {
            Ok(config) => {
                let (sensors, rules) = house_model(&config);
                let events = self.house.reconfigure(sensors, rules, now);
                self.config.send_replace(config);
                tracing::info!(%path, "config reloaded");
                turn.push(
                    &self.clock,
                    now,
                    Event::Config {
                        accepted: true,
                        path,
                        error: None,
                    },
                );
                turn.extend(&self.clock, now, events);
            }
            Err(error) => {
                tracing::error!(%path, %error, "config reload refused; the old config stays in force");
                turn.push(
                    &self.clock,
                    now,
                    Event::Config {
                        accepted: false,
                        path,
                        error: Some(error),
                    },
                );
            }
        }
    }

    /// Whether a reloaded config can run in this process without a restart,
    /// and may replace the running one now: while the house is not
    /// disarmed, no sensor it watches and no user who could disarm it may
    /// disappear.
    fn fits(&self, config: &Config) -> Result<(), String> {
        let capacity = usize::from(self.outputs.status.sensor_capacity());
        if config.sensors.len() > capacity {
            return Err(format!(
                "{} sensors do not fit the status segment made for {capacity}; restart the controller to grow it",
                config.sensors.len()
            ));
        }
        let running = self.config.borrow();
        if self.house.state() != AlarmState::Disarmed {
            let gone = |old: Vec<&str>, new: Vec<&str>| -> Vec<String> {
                old.into_iter()
                    .filter(|id| !new.contains(id))
                    .map(str::to_string)
                    .collect()
            };
            let sensors = gone(
                running.sensors.iter().map(|s| s.id.as_str()).collect(),
                config.sensors.iter().map(|s| s.id.as_str()).collect(),
            );
            let users = gone(
                running.users.iter().map(|u| u.name.as_str()).collect(),
                config.users.iter().map(|u| u.name.as_str()).collect(),
            );
            if !sensors.is_empty() || !users.is_empty() {
                return Err(format!(
                    "the house is {}: a reload may not remove sensors ({}) or users ({}) until it is disarmed",
                    self.house.state(),
                    sensors.join(", "),
                    users.join(", ")
                ));
            }
        }
        if config.instance != running.instance
            || config.paths != running.paths
            || config.detectors != running.detectors
        {
            tracing::warn!(
                "the reloaded config changes the instance, paths or detectors; those take a restart and keep their old values until then"
            );
        }
        Ok(())
    }

    /// Sends the turn's records, switches the siren, publishes status.
    /// Never waits for the disk: the journal takes records whatever it
    /// can write, and says so ([`Self::disk_health`]).
    fn finish_turn(&mut self, turn: &mut Turn, running: bool) -> Result<(), HouseTaskError> {
        self.outputs.siren.set(self.house.siren() && running);
        self.disk_health(turn);
        if let Some(step) = self.clock.check_wall() {
            let (from, to) = (self.clock.stamp(step.from), self.clock.stamp(step.to));
            let now = self.clock.now_ms();
            turn.push(&self.clock, now, Event::Clock { from, to });
        }
        // The keypad inputs learn of a lockout before anyone sees this turn.
        let locked_until = self
            .house
            .code_entry_locked_until(self.clock.now_ms())
            .map(|until| self.clock.instant_of(until));
        self.code_lock.send_if_modified(|old| {
            let changed = *old != locked_until;
            *old = locked_until;
            changed
        });
        if !turn.records.is_empty() || !turn.acks.is_empty() {
            let records = std::mem::take(&mut turn.records);
            let acks = std::mem::take(&mut turn.acks);
            self.outputs
                .journal
                .send(records, acks)
                .map_err(|_| HouseTaskError::JournalGone)?;
        }
        let snapshot = self.snapshot(turn.counters, running);
        self.outputs.status.publish(&snapshot);
        tracing::trace!("status published");
        self.remember();
        Ok(())
    }

    /// Follows the event log's health: the `disk_fault` trouble while it
    /// cannot be written, a record of each change (written once the disk
    /// takes records again).
    fn disk_health(&mut self, turn: &mut Turn) {
        let health = self.outputs.journal_health.borrow_and_update().clone();
        let fault = health.fault.is_some();
        if fault == self.trouble.disk_fault {
            return;
        }
        self.trouble.disk_fault = fault;
        let detail = match health.fault {
            Some(why) => why,
            None if health.lost > 0 => format!(
                "the event log is writable again; {} records waited too long and were lost",
                health.lost
            ),
            None => "the event log is writable again; nothing was lost".to_string(),
        };
        let now = self.clock.now_ms();
        let event = system_trouble(SystemCondition::DiskFault, fault, Some(detail));
        turn.push(&self.clock, now, event);
    }

    /// Hands the alarm memory to its saver when the state, mode, bypasses
    /// or code lockout changed.
    fn remember(&mut self) {
        let codes = self.house.code_lock();
        let now = AlarmMemory {
            state: self.house.state(),
            mode: self.house.mode(),
            bypassed: self
                .house
                .sensors()
                .filter(|s| s.bypassed())
                .map(|s| s.id().to_string())
                .collect(),
            wrong_codes: codes.wrong_in_a_row,
            locked_until_ms: codes.locked_until.map(|t| self.clock.shown(t)),
        };
        if now != self.memory {
            self.outputs.memory.put(now.clone());
            self.memory = now;
        }
    }

    fn snapshot(&self, counters: Counters, running: bool) -> Snapshot {
        let house = &self.house;
        Snapshot {
            pid: self.identity.pid,
            instance: self.identity.instance.clone(),
            running,
            siren: house.siren() && running,
            trouble: self.trouble,
            heartbeat_ms: homesec_ipc::clock::wall_ms(),
            heartbeat_interval_ms: u32::try_from(self.identity.heartbeat.as_millis())
                .unwrap_or(u32::MAX),
            started_ms: self.clock.shown(self.identity.started_ms),
            alarm: house.state(),
            mode: house.mode(),
            since_ms: self.clock.shown(house.since()),
            accepted: counters.accepted,
            rejected: counters.rejected,
            logged_seq: *self.outputs.logged.borrow(),
            clock: self.clock.published(),
            sensors: status::sensor_slots(house, &self.clock),
            cameras: Vec::new(),
        }
    }
}

impl Turn {
    fn push(&mut self, clock: &Clock, now: Millis, event: Event) {
        self.records.push((clock.timestamp(now), event));
    }

    fn extend(&mut self, clock: &Clock, now: Millis, events: Vec<Event>) {
        let ts = clock.timestamp(now);
        for event in events {
            narrate(&event);
            self.records.push((ts, event));
        }
    }

    /// Counts a refused input and records it in bounded form (see
    /// [`RejectLog`]). Reason and excerpt are [`redact`]ed here, where every
    /// refusal passes: they quote input, and input can hold a code or a
    /// terminal escape.
    fn reject(
        &mut self,
        clock: &Clock,
        now: Millis,
        source: String,
        reason: String,
        input: String,
    ) {
        let (reason, input) = (redact(&reason), redact(&input));
        self.counters.rejected += 1;
        let at = std::time::Instant::now();
        if let Some(record) = self.rejects.refuse(at, source, reason, input) {
            self.push(clock, now, record);
        }
    }
}

/// A `system_trouble` record.
fn system_trouble(condition: SystemCondition, active: bool, detail: Option<String>) -> Event {
    if active {
        tracing::error!(
            ?condition,
            detail = detail.as_deref().unwrap_or(""),
            "TROUBLE"
        );
    } else {
        tracing::info!(?condition, "trouble over");
    }
    Event::SystemTrouble {
        condition,
        active,
        detail,
    }
}
