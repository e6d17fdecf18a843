//! Start-up and shutdown of the controller: the order in which endpoints are
//! claimed, tasks started, and everything handed back.
//!
//! ```text
//! start:  signals → runtime dir → instance lock, pidfile → event log → FIFO
//!         → status segment → house task → FIFO reader, detectors, signal task
//! stop:   TERM/INT cancels the token → inputs drain and drop their senders
//!         → house task writes `stop`, marks status stopped, siren off
//!         → journal thread flushes, fsyncs → FIFO, segment, pidfile, lock removed
//! ```
//!
//! The release at the end runs on every path once the locks are held, also
//! when serving failed, so a failed start leaves nothing behind.

use crate::clock::{Clock, Millis};
use crate::codes::Keypad;
use crate::diagnostics::LogFile;
use crate::house::House;
use crate::house_task::{HouseTask, Identity};
use crate::input::{INPUT_CAPACITY, InputSender};
use crate::journal::{Journal, JournalSender, LoggedSeq};
use crate::lines::LineIngest;
use crate::memory::{self, AlarmMemory};
use crate::pidfile::Pidfile;
use crate::settings::{Settings, house_model};
use crate::siren::{GpioSiren, SimulatedSiren, Siren};
use crate::{detectors, fifo, mq_ingest, signals, simulation};
use anyhow::Context;
use homesec_config::{Config, Detector};
use homesec_ipc::paths;
use homesec_ipc::status::StatusWriter;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Batches that may wait for the journal thread.
const JOURNAL_CAPACITY: usize = 256;
/// Sensor slots in the status segment at least (room to grow on reload).
const MIN_SENSOR_SLOTS: u16 = 64;
/// Camera slots in the status segment at least.
const MIN_CAMERA_SLOTS: u16 = 16;

/// Runs the controller until a graceful stop. Whatever happens once the
/// endpoints are claimed, they are released again before this returns.
pub fn run(settings: Settings, log_file: Option<LogFile>) -> anyhow::Result<()> {
    let signal_stream = signals::install().context("installing signal handlers")?;
    create_runtime_dir(&settings.runtime_dir)?;
    let locks = [
        Pidfile::acquire(&paths::instance_lock(&settings.instance))?,
        Pidfile::acquire(&settings.pidfile())?,
    ];
    let outcome = claim_and_serve(&settings, signal_stream, log_file);
    release(&settings, locks);
    if outcome.is_ok() {
        tracing::info!("stopped");
    }
    outcome
}

/// Claims the event log, the FIFO and the status segment, then serves.
fn claim_and_serve(
    settings: &Settings,
    signal_stream: signals::SignalStream,
    log_file: Option<LogFile>,
) -> anyhow::Result<()> {
    let journal = Journal::open(&settings.events_dir())?;
    let fifo_path = settings.fifo();
    fifo::create(&fifo_path).with_context(|| format!("creating FIFO {}", fifo_path.display()))?;
    let queue = mq_ingest::open(&settings.instance).context("opening the message queue")?;
    let siren = open_siren(settings)?;
    let (status, sensor_capacity) = create_status(settings)?;
    let mut children = settings.config.detectors.clone();
    if settings.sim {
        children.extend(simulation::children(settings)?);
    }
    announce(settings);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let logged = journal.logged_seq();
    let (journal_tx, journal_thread) = journal.spawn(JOURNAL_CAPACITY);
    let outputs = Outputs {
        journal: journal_tx,
        logged,
        status,
        sensor_capacity,
        siren,
    };
    let inputs = Inputs {
        children,
        queue,
        signal_stream,
    };
    let served = runtime.block_on(serve(settings, inputs, outputs, log_file));
    // Every journal sender is gone now: the thread flushes, fsyncs and ends.
    if journal_thread.join().is_err() {
        tracing::error!("the event log writer panicked");
    }
    served
}

/// Starts the tasks and waits until the house task ends, then for the rest.
async fn serve(
    settings: &Settings,
    sources: Inputs,
    outputs: Outputs,
    log_file: Option<LogFile>,
) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    let tracker = TaskTracker::new();
    let config = Arc::new(settings.config.clone());
    let (config_tx, config_rx) = watch::channel(Arc::clone(&config));
    let (input_tx, input_rx) = mpsc::channel(INPUT_CAPACITY);

    let (code_lock, code_lock_rx) = watch::channel(None);
    let house = tokio::spawn(house_task(settings, config_tx, code_lock, outputs).run(input_rx));
    let Inputs {
        children,
        queue,
        signal_stream,
    } = sources;
    let keypad = Keypad::new(config_rx, code_lock_rx, Clock::new(settings.clock));
    spawn_inputs(settings, children, &tracker, &shutdown, &keypad, &input_tx);
    let stop = shutdown.clone();
    let (keypad_mq, inputs_mq) = (keypad.clone(), input_tx.clone());
    tracker.spawn(async move {
        if let Err(e) = mq_ingest::run(queue, keypad_mq, inputs_mq, stop).await {
            tracing::error!(error = %e, "message queue reader stopped");
        }
    });
    let reloader = signals::Reloader {
        source: config.source.clone(),
        log_file,
    };
    tracker.spawn(signals::run(
        signal_stream,
        input_tx,
        reloader,
        shutdown.clone(),
    ));
    tracker.close();

    let ended = house.await;
    // The house task ends once every input is closed; if it ended for
    // another reason, stop the inputs too.
    shutdown.cancel();
    tracker.wait().await;
    match ended {
        Ok(result) => result.map(drop).map_err(anyhow::Error::new),
        Err(e) => Err(anyhow::anyhow!("the house task panicked: {e}")),
    }
}

/// Creates the runtime dir (0750) and refuses one that another user owns
/// or that others may write to: the FIFO and pidfile live there.
fn create_runtime_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o750)
        .create(dir)
        .with_context(|| format!("creating runtime dir {}", dir.display()))?;
    let meta = std::fs::metadata(dir).with_context(|| format!("reading {}", dir.display()))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    anyhow::ensure!(
        meta.uid() == me && meta.mode() & 0o002 == 0,
        "runtime dir {} belongs to uid {} or is writable by anyone; use a dir of your own (--runtime-dir)",
        dir.display(),
        meta.uid()
    );
    Ok(())
}

fn create_status(settings: &Settings) -> anyhow::Result<(StatusWriter, u16)> {
    let sensors = u16::try_from(settings.config.sensors.len())
        .unwrap_or(u16::MAX)
        .max(MIN_SENSOR_SLOTS);
    let cameras = u16::try_from(settings.config.cameras.len())
        .unwrap_or(u16::MAX)
        .max(MIN_CAMERA_SLOTS);
    let path = settings.status_segment();
    let writer = StatusWriter::create(&path, sensors, cameras)
        .with_context(|| format!("creating the status segment {}", path.display()))?;
    Ok((writer, sensors))
}

/// Where the house task's inputs come from, besides the FIFO.
struct Inputs {
    children: Vec<Detector>,
    queue: homesec_ipc::mq::Receiver,
    signal_stream: signals::SignalStream,
}

/// Where the house task's decisions go.
struct Outputs {
    journal: JournalSender,
    logged: LoggedSeq,
    status: StatusWriter,
    sensor_capacity: u16,
    siren: Box<dyn Siren>,
}

fn house_task(
    settings: &Settings,
    config_tx: watch::Sender<Arc<Config>>,
    code_lock: watch::Sender<Option<Millis>>,
    outputs: Outputs,
) -> HouseTask {
    let clock = Clock::new(settings.clock);
    let now = clock.now_ms();
    let config = &settings.config;
    let (sensors, rules) = house_model(config);
    HouseTask {
        house: House::new(sensors, rules, now),
        clock,
        config: config_tx,
        journal: outputs.journal,
        logged: outputs.logged,
        code_lock,
        status: outputs.status,
        siren: outputs.siren,
        memory: remembered(settings),
        identity: Identity {
            instance: settings.instance.clone(),
            config_origin: settings.config_origin(),
            pid: std::process::id(),
            started_ms: now,
            heartbeat: config.timers.heartbeat,
            sensor_capacity: outputs.sensor_capacity,
        },
    }
}

/// The siren: the configured GPIO output, or the simulated one with
/// `--sim` or when the house has none. A siren pin that cannot be opened
/// stops the start: an alarm system must not run with a dead siren.
fn open_siren(settings: &Settings) -> anyhow::Result<Box<dyn Siren>> {
    match &settings.config.siren {
        Some(siren) if !settings.sim => {
            let active_high = siren.active == homesec_config::Level::High;
            Ok(Box::new(GpioSiren::open(siren.pin, active_high)?))
        }
        _ => Ok(Box::new(SimulatedSiren::default())),
    }
}

/// The alarm memory the previous run left.
fn remembered(settings: &Settings) -> (PathBuf, AlarmMemory) {
    let path = memory::path(&settings.data_dir);
    let last = memory::load(&path);
    if last.state != homesec_ipc::AlarmState::Disarmed {
        tracing::warn!(state = %last.state, "the last run stopped while not disarmed; taking that state up again");
    }
    (path, last)
}

/// Starts the FIFO reader and one supervisor per child (the config's
/// detectors and, with `--sim`, the simulated sensors).
fn spawn_inputs(
    settings: &Settings,
    children: Vec<Detector>,
    tracker: &TaskTracker,
    shutdown: &CancellationToken,
    keypad: &Keypad,
    inputs: &InputSender,
) {
    let ingest = LineIngest::new("fifo".into(), keypad.clone(), inputs.clone());
    let fifo_path = settings.fifo();
    let stop = shutdown.clone();
    tracker.spawn(async move {
        if let Err(e) = fifo::run(&fifo_path, ingest, stop).await {
            tracing::error!(error = %e, fifo = %fifo_path.display(), "FIFO reader stopped");
        }
    });
    for child in children {
        let ingest = LineIngest::new(
            format!("pipe:{}", child.name),
            keypad.clone(),
            inputs.clone(),
        );
        tracker.spawn(detectors::supervise(child, ingest, shutdown.clone()));
    }
}

/// Prints where everything lives, for the person who just started us.
fn announce(settings: &Settings) {
    tracing::info!(
        instance = %settings.instance,
        config = %settings.config_origin(),
        sensors = settings.config.sensors.len(),
        "homesec controller starting"
    );
    if settings.clock.is_simulated() {
        let start = Clock::new(settings.clock).timestamp(settings.clock.origin_house_ms);
        tracing::info!("house clock:    {}× from {start}", settings.clock.speed);
    }
    tracing::info!("FIFO:           {}", settings.fifo().display());
    tracing::info!("pidfile:        {}", settings.pidfile().display());
    tracing::info!("status segment: {}", settings.status_segment().display());
    tracing::info!(
        "event log:      {}",
        settings.events_dir().join("YYYY-MM-DD.jsonl").display()
    );
    tracing::info!(
        "diagnostics:    {}",
        settings.log_dir.join("controller.log.YYYY-MM-DD").display()
    );
}

/// Removes the endpoints we own (the status segment was already marked
/// stopped by the house task), then releases the locks.
fn release(settings: &Settings, locks: [Pidfile; 2]) {
    for path in [settings.fifo(), settings.status_segment()] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "cannot remove"),
        }
    }
    // Sensors notice the controller's restart (a new pid in the status
    // segment) and open the new queue.
    if let Err(e) = homesec_ipc::mq::unlink(&settings.instance) {
        tracing::warn!(error = %e, "cannot remove the message queue");
    }
    for lock in locks.into_iter().rev() {
        let path = lock.path().to_path_buf();
        if let Err(e) = lock.remove() {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove");
        }
    }
}
