//! The process: resolves the settings, starts a backend (GPIO or the
//! simulator) and an output (queue or stdout), then runs one loop that
//! blocks on one channel of [`Wake`]s until the earliest deadline of the
//! backend or the output, and publishes what became due.
//!
//! ```text
//! rppal interrupt thread ──Edge──┐
//! inotify thread ──SegmentChanged┼──► main loop ──► filter ──► output (mq | stdout)
//! signal thread ──Stop(TERM|INT)─┘                      └──► SIGUSR1 on a panic press
//! ```

use crate::backend::{Backend, Wake};
use crate::cli::{Args, OutputKind, Settings};
use crate::controller_link::{self, ControllerWatch, Restart};
use crate::filter::Filter;
use crate::gpio::{GpioBackend, RppalPins};
use crate::output::{MqOutput, Output, OutputError, StdoutOutput};
use crate::report::Report;
use crate::scheduled::{Scheduled, StartFeed};
use crate::segment_watch;
use crate::sim::{self, Simulator};
use anyhow::Context;
use homesec_config::{Input, Sensor};
use homesec_ipc::endpoint::Trust;
use homesec_ipc::{SensorKind, SensorState, paths};
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Instant;

/// Runs `homesec-sensors` until SIGTERM/SIGINT, the end of a scenario, or
/// (with `--output stdout`) the reader closing the pipe.
pub fn run(args: Args) -> anyhow::Result<()> {
    let settings = Settings::resolve(args)?;
    let (wake_tx, wake_rx) = mpsc::channel();
    let stop_signal = Arc::new(AtomicI32::new(0));
    spawn_signal_thread(wake_tx.clone(), Arc::clone(&stop_signal))?;
    let segment = paths::status_segment(&settings.instance);
    if let Err(e) = segment_watch::watch_segment(&segment, wake_tx.clone()) {
        tracing::warn!(
            "cannot watch {} for a controller restart ({e}); it is noticed at the next report instead",
            segment.display()
        );
    }
    let watch = ControllerWatch::new(segment.clone(), settings.trust.clone());
    let mut first = Vec::new();
    let backend = start_backend(&settings, &watch, &wake_tx, &mut first)?;
    let output = start_output(&settings);
    tracing::info!(
        instance = %settings.instance,
        config = %settings.house.source,
        output = ?settings.output,
        simulated = settings.sim,
        "homesec-sensors started"
    );
    let mut process = Process {
        backend,
        output,
        filter: settings.filter.clone(),
        panic_buttons: settings
            .house
            .sensors
            .iter()
            .filter(|s| s.kind == SensorKind::Panic)
            .map(|s| s.id.clone())
            .collect(),
        segment,
        pidfile: paths::pidfile(&settings.runtime_dir),
        trust: settings.trust.clone(),
        watch,
        stop_signal,
    };
    let result = process.run(&wake_rx, first);
    process.log_counts();
    result
}

/// TERM and INT become [`Wake::Stop`]; no other signal is handled. The
/// signal is also left in `stop`, where a loop busy sending (waiting on a
/// full queue) sees it between two reports.
fn spawn_signal_thread(wake: Sender<Wake>, stop: Arc<AtomicI32>) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])
        .context("cannot install the SIGTERM/SIGINT handlers")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                stop.store(signal, Ordering::Release);
                if wake.send(Wake::Stop(signal)).is_err() {
                    return;
                }
            }
        })
        .context("cannot start the signal thread")?;
    Ok(())
}

fn start_backend(
    settings: &Settings,
    watch: &ControllerWatch,
    wake: &Sender<Wake>,
    first: &mut Vec<Report>,
) -> anyhow::Result<Box<dyn Backend>> {
    if settings.sim {
        // A simulated house clock starts the scenario at the clock's origin,
        // so every sensor process of the house plays the same days; a real
        // clock starts now. Only the last moment of the past is sent (the
        // reports of a start a moment late): a process restarted hours in
        // must not replay the day — its arms and disarms least of all.
        let clock = watch.clock();
        let now = clock.now_ms();
        let start_ms = if clock.is_simulated() {
            clock.origin_house_ms
        } else {
            now
        };
        let feed = simulator_feed(settings, start_ms)?;
        let mut scheduled = Scheduled::new(feed, start_ms);
        let catch_up = (CATCH_UP_WALL_MS as f64 * clock.speed) as i64;
        let skipped = scheduled.skip_before(now.saturating_sub(catch_up));
        if skipped > 0 {
            tracing::info!(
                skipped,
                "started late in the scenario: its past is not replayed"
            );
        }
        return Ok(Box::new(scheduled));
    }
    let sensors: Vec<&Sensor> = settings
        .house
        .sensors
        .iter()
        .filter(|s| settings.filter.passes_sensor(&s.id))
        .filter(|s| match s.input {
            Input::Gpio(_) => true,
            Input::Simulated => {
                tracing::info!(sensor = %s.id, "simulated sensor skipped (use --sim to simulate it)");
                false
            }
        })
        .collect();
    let backend = GpioBackend::start(&sensors, RppalPins::open, wake, first)?;
    Ok(Box::new(backend))
}

/// The scenario simulator as a feed that can start over at any house time.
/// Every sensor is simulated, whatever its input (a laptop run of a Pi
/// config). The scenario is bound to the house once here, so that a bad
/// scenario fails the start rather than a later restart.
fn simulator_feed(settings: &Settings, start_ms: i64) -> anyhow::Result<StartFeed> {
    let scenario = match &settings.scenario {
        Some(path) => sim::load_scenario(path)?,
        None => sim::default_scenario(),
    };
    let mut house = settings.house.clone();
    for sensor in &mut house.sensors {
        sensor.input = Input::Simulated;
    }
    let seed = settings.seed;
    let first = Simulator::new(&scenario, &house, seed, start_ms)?;
    tracing::info!(scenario = scenario.name(), seed, "simulating every sensor");
    let mut first = Some(first);
    Ok(Box::new(move |at_ms| {
        let simulator = match first.take() {
            Some(simulator) if at_ms == start_ms => Ok(simulator),
            _ => Simulator::new(&scenario, &house, seed, at_ms),
        };
        match simulator {
            Ok(mut simulator) => Box::new(move || simulator.next()),
            Err(e) => {
                tracing::error!("cannot restart the scenario: {e}");
                Box::new(|| None)
            }
        }
    }))
}

fn start_output(settings: &Settings) -> Box<dyn Output> {
    match settings.output {
        OutputKind::Stdout => Box::new(StdoutOutput::new(std::io::stdout())),
        OutputKind::Mq => {
            let kinds: HashMap<String, SensorKind> = settings
                .house
                .sensors
                .iter()
                .map(|s| (s.id.clone(), s.kind))
                .collect();
            let trust = settings.trust.clone();
            Box::new(MqOutput::new(
                &settings.instance,
                trust,
                kinds,
                Instant::now(),
            ))
        }
    }
}

/// How much of a simulated past, in wall milliseconds, a starting process
/// still sends: enough for the moment it takes to start.
const CATCH_UP_WALL_MS: i64 = 2_000;

/// Why the loop ended without an error.
enum Stop {
    Signal(i32),
    ScenarioEnded,
    ReaderGone,
}

struct Process {
    backend: Box<dyn Backend>,
    output: Box<dyn Output>,
    filter: Filter,
    panic_buttons: HashSet<String>,
    segment: PathBuf,
    pidfile: PathBuf,
    trust: Trust,
    watch: ControllerWatch,
    /// The TERM/INT received, 0 if none: checked between two sends.
    stop_signal: Arc<AtomicI32>,
}

impl Process {
    fn run(&mut self, wake: &Receiver<Wake>, first: Vec<Report>) -> anyhow::Result<()> {
        let stop = self.run_until_stop(wake, first)?;
        match stop {
            Stop::Signal(signal) => tracing::info!(signal, "stopping on signal"),
            Stop::ScenarioEnded => {
                tracing::info!("the scenario ended and nothing can stop us: stopping")
            }
            Stop::ReaderGone => {
                tracing::info!("stdout closed: the controller stopped reading; stopping")
            }
        }
        Ok(())
    }

    fn run_until_stop(
        &mut self,
        wake: &Receiver<Wake>,
        mut due: Vec<Report>,
    ) -> anyhow::Result<Stop> {
        loop {
            // Edges already queued come before settling debounce at `now`,
            // so a level is never reported past an edge that cancelled it.
            while let Ok(woke) = wake.try_recv() {
                if let ControlFlow::Break(stop) = self.handle(woke, &mut due) {
                    return Ok(stop);
                }
            }
            if let Some(restart) = self.watch.refresh() {
                self.restarted(restart, &mut due);
            }
            let now = Instant::now();
            self.backend.due(now, &self.watch.clock(), &mut due);
            if self.output.retry_at().is_some_and(|at| at <= now) {
                self.output.retry(now);
            }
            if let ControlFlow::Break(stop) = self.publish(&mut due)? {
                return Ok(stop);
            }
            if self.backend.finished() {
                return Ok(self.wait_for_stop(wake));
            }
            let woke = match self.deadline() {
                Some(at) => wake.recv_timeout(at.saturating_duration_since(Instant::now())),
                None => wake.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match woke {
                Ok(woke) => {
                    if let ControlFlow::Break(stop) = self.handle(woke, &mut due) {
                        return Ok(stop);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    anyhow::bail!("every wake source is gone (signal thread ended)")
                }
            }
        }
    }

    /// The scenario is over: stay until told to stop, so that a supervisor
    /// (the controller's `--sim`) does not restart and replay it.
    fn wait_for_stop(&mut self, wake: &Receiver<Wake>) -> Stop {
        tracing::info!("the scenario ended; waiting for TERM or INT");
        while let Ok(woke) = wake.recv() {
            if let Wake::Stop(signal) = woke {
                return Stop::Signal(signal);
            }
        }
        Stop::ScenarioEnded
    }

    fn deadline(&self) -> Option<Instant> {
        let clock = self.watch.clock();
        [
            self.backend.next_due(Instant::now(), &clock),
            self.output.retry_at(),
            self.watch.recheck_at(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn handle(&mut self, woke: Wake, due: &mut Vec<Report>) -> ControlFlow<Stop> {
        match woke {
            Wake::Edge(edge) => self.backend.on_edge(edge, due),
            // The segment is re-read at the top of the loop.
            Wake::SegmentChanged => {}
            Wake::Stop(signal) => return ControlFlow::Break(Stop::Signal(signal)),
        }
        ControlFlow::Continue(())
    }

    fn restarted(&mut self, restart: Restart, due: &mut Vec<Report>) {
        match restart.old_pid {
            Some(old) => tracing::info!(
                old_pid = old,
                new_pid = restart.new_pid,
                "the controller restarted"
            ),
            None => tracing::info!(pid = restart.new_pid, "the controller is up"),
        }
        self.output.controller_restarted();
        self.backend
            .clock_changed(&restart.old_clock, &self.watch.clock());
        // What a crash may have lost on the way: every sensor's state now,
        // before anything newer. (A first start has it all already.)
        if restart.old_pid.is_some() {
            let mut current = Vec::new();
            self.backend.current(&mut current);
            tracing::info!(
                sensors = current.len(),
                "sending every sensor's current state to the new controller"
            );
            due.splice(0..0, current);
        }
    }

    fn publish(&mut self, due: &mut Vec<Report>) -> anyhow::Result<ControlFlow<Stop>> {
        // Every panic press of this batch signals first: a send may wait up
        // to its deadline behind a full queue, the alarm must not.
        for report in due.iter() {
            if self.filter.passes(report) && self.is_panic_press(report) {
                self.signal_panic(report);
            }
        }
        let mut reports = due.drain(..);
        while let Some(report) = reports.next() {
            // A send may have waited on a full queue: a stop asked for
            // meanwhile ends the batch; what is left is logged as lost.
            let signal = self.stop_signal.load(Ordering::Acquire);
            if signal != 0 {
                let unsent = 1 + reports.count();
                tracing::warn!(unsent, "stopping before these reports went out");
                return Ok(ControlFlow::Break(Stop::Signal(signal)));
            }
            if !self.filter.passes(&report) {
                continue;
            }
            match self.output.send(&report) {
                Ok(()) => {}
                Err(OutputError::Closed) => return Ok(ControlFlow::Break(Stop::ReaderGone)),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    fn is_panic_press(&self, report: &Report) -> bool {
        matches!(report, Report::Sensor { sensor, state: SensorState::Pressed } if self.panic_buttons.contains(sensor))
    }

    /// The signal is the fastest way in, and never waits behind a queue.
    fn signal_panic(&self, report: &Report) {
        if let Err(e) = controller_link::signal_panic(&self.segment, &self.pidfile, &self.trust) {
            tracing::error!(?report, "panic button pressed, but {e}");
        }
    }

    fn log_counts(&self) {
        let counts = self.output.counts();
        tracing::info!(
            sent = counts.sent,
            dropped = counts.dropped,
            "reports sent and dropped"
        );
        if counts.waiting > 0 {
            tracing::warn!(
                lost = counts.waiting,
                "reports still waiting for the message queue are lost"
            );
        }
    }
}
