//! Start-up and shutdown of the controller: the order in which endpoints are
//! claimed, tasks started, and everything handed back.
//!
//! ```text
//! start:  signals → runtime dir → instance lock, pidfile → event log → FIFO
//!         → control socket → message queue → siren → status segment → journal thread
//!         → house task → FIFO reader, detectors, queue reader, control server,
//!           signal task
//! stop:   TERM/INT cancels the token → inputs drain and drop their senders
//!         → house task writes `stop`, marks status stopped, siren off
//!         → journal thread flushes, fsyncs → FIFO, socket, segment, pidfile,
//!           lock removed
//! ```
//!
//! The release at the end runs on every path once the locks are held, also
//! when serving failed, so a failed start leaves nothing behind.

use crate::clock::Clock;
use crate::diagnostics::LogFile;
use crate::endpoints;
use crate::house::task::HouseTask;
use crate::ingest::keypad::Keypad;
use crate::ingest::line_ingest::LineIngest;
use crate::ingest::{INPUT_CAPACITY, InputSender};
use crate::ingest::{fifo, pipes, queue, signals, simulation, supervisor};
use crate::outputs::journal::{Journal, LoggedSeq};
use crate::outputs::memory::{self, MemorySaver};
use crate::outputs::status::StatusOutput;
use crate::outputs::{Outputs, siren};
use crate::rpc::{self, Limits, peer::Allowed};
use crate::settings::Settings;
use anyhow::Context;
use homesec_config::Detector;
use homesec_ipc::endpoint;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Makes every file and directory this process creates from now on private
/// to its user and group (umask `027`): diagnostic logs can quote what
/// arrives on any input, and are `0640` in `0750` dirs at most.
pub fn set_private_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o027));
}

/// Runs the controller until a graceful stop. Whatever happens once the
/// endpoints are claimed, they are released again before this returns.
pub fn run(settings: Settings, log_file: Option<LogFile>) -> anyhow::Result<()> {
    let signal_stream = signals::install().context("installing signal handlers")?;
    let claimed = endpoints::claim(&settings)?;
    let outcome = claim_and_serve(&settings, signal_stream, log_file);
    claimed.release(&settings);
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
    fifo::create(&fifo_path)?;
    let control = rpc::socket::bind(&settings.control_socket(), &settings.trust)?;
    let queue = queue::open(&settings.instance, &settings.trust)?;
    let siren = siren::open(settings)?;
    let status = StatusOutput::create(settings)?;
    let memory = MemorySaver::spawn(memory::path(&settings.data_dir))
        .context("starting the alarm memory's saver thread")?;
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
    let journal_health = journal.health();
    let (journal_tx, journal_thread) = journal.spawn()?;
    let outputs = Outputs {
        journal: journal_tx,
        logged,
        journal_health,
        status,
        siren,
        memory,
    };
    let inputs = Inputs {
        children,
        queue,
        control,
        signal_stream,
    };
    let served = runtime.block_on(serve(settings, inputs, outputs, log_file));
    // Every journal sender is gone now: the thread flushes, fsyncs and ends.
    if journal_thread.join().is_err() {
        tracing::error!("the event log writer panicked");
    }
    served
}

/// Where the house task's inputs come from, besides the FIFO.
struct Inputs {
    children: Vec<Detector>,
    queue: homesec_ipc::mq::Receiver,
    control: std::os::unix::net::UnixListener,
    signal_stream: signals::SignalStream,
}

/// Starts the tasks and waits until the house task ends, then for the rest.
async fn serve(
    settings: &Settings,
    sources: Inputs,
    outputs: Outputs,
    log_file: Option<LogFile>,
) -> anyhow::Result<()> {
    let config = Arc::new(settings.config.clone());
    let (config_tx, config_rx) = watch::channel(Arc::clone(&config));
    let (input_tx, input_rx) = mpsc::channel(INPUT_CAPACITY);
    let (code_lock, code_lock_rx) = watch::channel(None);
    let logged = outputs.logged.clone();
    let house = HouseTask::new(settings, outputs, config_tx, code_lock);
    let house = tokio::spawn(house.run(input_rx));

    let Inputs {
        children,
        queue,
        control,
        signal_stream,
    } = sources;
    let spawner = Spawner {
        tracker: TaskTracker::new(),
        shutdown: CancellationToken::new(),
        keypad: Keypad::new(config_rx, code_lock_rx),
        inputs: input_tx,
        max_backoff: settings.config.timers.restart_backoff_max,
        gave_up: Arc::default(),
    };
    spawner.fifo(settings);
    spawner.queue(settings, queue);
    spawner.children(children);
    spawner.control(settings, control, logged)?;
    let reloader = signals::Reloader {
        source: config.source.clone(),
        log_file,
    };
    let Spawner {
        tracker,
        shutdown,
        inputs,
        gave_up,
        ..
    } = spawner;
    tracker.spawn(signals::run(
        signal_stream,
        inputs,
        reloader,
        shutdown.clone(),
    ));
    tracker.close();

    let ended = house.await;
    // The house task ends once every input is closed; if it ended for
    // another reason, stop the inputs too.
    shutdown.cancel();
    tracker.wait().await;
    if let Some(reason) = gave_up
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    {
        return Err(anyhow::anyhow!(reason));
    }
    match ended {
        Ok(result) => result.map_err(anyhow::Error::new),
        Err(e) => Err(anyhow::anyhow!("the house task panicked: {e}")),
    }
}

/// What the input tasks are started with.
struct Spawner {
    tracker: TaskTracker,
    shutdown: CancellationToken,
    keypad: Keypad,
    inputs: InputSender,
    max_backoff: Duration,
    /// Why an input was given up on: the controller then stops and exits
    /// non-zero, for systemd to start it afresh.
    gave_up: Arc<Mutex<Option<String>>>,
}

impl Spawner {
    /// The FIFO reader, supervised: a failed one is restarted (the FIFO
    /// created again if it is gone).
    fn fifo(&self, settings: &Settings) {
        let (path, trust) = (settings.fifo(), settings.trust.clone());
        let (keypad, inputs, stop) = (
            self.keypad.clone(),
            self.inputs.clone(),
            self.shutdown.clone(),
        );
        self.supervised("fifo", move || {
            let ingest = LineIngest::new("fifo".into(), keypad.clone(), inputs.clone());
            let (path, trust, stop) = (path.clone(), trust.clone(), stop.clone());
            async move {
                fifo::create(&path).map_err(|e| e.to_string())?;
                fifo::run(&path, &trust, ingest, stop)
                    .await
                    .map_err(|e| format!("FIFO {}: {e}", path.display()))
            }
        });
    }

    /// The queue reader, supervised: a failed one is restarted on the queue
    /// opened afresh.
    fn queue(&self, settings: &Settings, opened: homesec_ipc::mq::Receiver) {
        let (instance, trust) = (settings.instance.clone(), settings.trust.clone());
        let (keypad, inputs, stop) = (
            self.keypad.clone(),
            self.inputs.clone(),
            self.shutdown.clone(),
        );
        let mut first = Some(opened);
        self.supervised("mq", move || {
            let opened = first.take();
            let (instance, trust) = (instance.clone(), trust.clone());
            let (keypad, inputs, stop) = (keypad.clone(), inputs.clone(), stop.clone());
            async move {
                let receiver = match opened {
                    Some(receiver) => receiver,
                    None => queue::open(&instance, &trust).map_err(|e| e.to_string())?,
                };
                queue::run(receiver, keypad, inputs, stop)
                    .await
                    .map_err(|e| format!("message queue: {e}"))
            }
        });
    }

    /// The control socket's server (see [`rpc`]).
    fn control(
        &self,
        settings: &Settings,
        listener: std::os::unix::net::UnixListener,
        logged: LoggedSeq,
    ) -> anyhow::Result<()> {
        let listener =
            tokio::net::UnixListener::from_std(listener).context("serving the control socket")?;
        let access_user = settings.config.access.user.as_deref();
        let allowed = Allowed::new(
            endpoint::my_uid(),
            access_user.and_then(endpoint::uid_of),
            settings.trust.group(),
        );
        let shared = Arc::new(rpc::service::Shared::new(
            self.inputs.clone(),
            self.keypad.clone(),
            settings.status_segment(),
            settings.trust.clone(),
            settings.events_dir(),
            logged,
            self.shutdown.clone(),
        ));
        self.tracker.spawn(rpc::serve(
            listener,
            allowed,
            shared,
            Limits {
                connections: settings.config.endpoints.control.max_connections,
                in_flight: settings.config.endpoints.control.max_in_flight,
            },
            self.inputs.clone(),
            self.shutdown.clone(),
        ));
        Ok(())
    }

    /// One supervisor per child (the config's detectors and, with `--sim`,
    /// the simulated sensors).
    fn children(&self, children: Vec<Detector>) {
        for child in children {
            let ingest = LineIngest::new(
                format!("pipe:{}", child.name),
                self.keypad.clone(),
                self.inputs.clone(),
            );
            self.tracker.spawn(pipes::supervise(
                child,
                self.max_backoff,
                ingest,
                self.shutdown.clone(),
            ));
        }
    }

    /// Runs `start` under [`supervisor::supervise`]; giving up stops the
    /// controller.
    fn supervised<F, Fut>(&self, input: &'static str, start: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send,
    {
        let (shutdown, inputs) = (self.shutdown.clone(), self.inputs.clone());
        let (max_backoff, gave_up) = (self.max_backoff, Arc::clone(&self.gave_up));
        self.tracker.spawn(async move {
            let stop = shutdown.clone();
            if let Err(reason) =
                supervisor::supervise(input, max_backoff, stop, inputs, start).await
            {
                tracing::error!("{reason}; stopping the controller so that it is started afresh");
                *gave_up.lock().unwrap_or_else(PoisonError::into_inner) = Some(reason);
                shutdown.cancel();
            }
        });
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
        if settings.resumed.is_some() {
            tracing::info!(
                "the event log had gone past the start asked for: the simulated house continues from its last record"
            );
        }
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
