//! `homesecctl watch`: a live dashboard of the house — the alarm state with
//! its exit or entry countdown, every sensor, the camera slots, the newest
//! events — with keys to arm, disarm and bypass.
//!
//! Status comes from the shared-memory segment (as `homesecctl status`
//! reads it: it answers even when the controller is too busy for the
//! socket); events and commands go over the control socket. [`model`]
//! turns both into what is shown; [`view`] draws it in a terminal
//! ([`tui`] runs that), [`plain`] writes it as text when stdout is not a
//! terminal, or once with `--once`.

mod feed;
pub mod keys;
pub mod model;
pub mod plain;
mod tui;
pub mod view;

use super::{EXIT_ERROR, EXIT_NOT_RUNNING, EXIT_OK, EXIT_TROUBLE, Target, status};
use homesec_ipc::status::Liveness;
use model::{Dashboard, Reading, Recent, Status};
use std::io::{IsTerminal, Write};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

/// How long `--once` waits for the control socket's events.
const ONCE_PATIENCE: Duration = Duration::from_secs(5);

/// `homesecctl watch [--once]`: the dashboard in a terminal; a listing
/// printed at each change when stdout is not a terminal; one listing with
/// `--once`. Exit code 0, or 1 when the terminal fails; `--once` exits like
/// `homesecctl status` (3 not running, 4 unreadable segment, 5 trouble).
pub fn watch(target: &Target, once: bool) -> u8 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("homesecctl: {e}");
            return EXIT_ERROR;
        }
    };
    if once {
        runtime.block_on(print_once(target))
    } else if std::io::stdout().is_terminal() {
        runtime.block_on(tui::run(target))
    } else {
        runtime.block_on(print_changes(target))
    }
}

/// The status segment now, with its number of camera slots.
fn read(target: &Target) -> Reading {
    read_coded(target).map_err(|(_, message)| message)
}

/// [`read`], the error with the exit code `homesecctl status` gives it.
fn read_coded(target: &Target) -> Result<Status, (u8, String)> {
    let reader = status::open(&target.instance, &target.trust)?;
    let (report, live) = status::read(&reader)?;
    Ok(Status {
        snapshot: report.snapshot,
        live,
        camera_slots: reader.capacities().1,
    })
}

/// `--once`: the newest events (if the socket answers in time), then one
/// listing.
async fn print_once(target: &Target) -> u8 {
    let mut recent = Recent::default();
    match tokio::time::timeout(ONCE_PATIENCE, feed::tail(&target.socket)).await {
        Ok(Ok(records)) => recent.add(records),
        Ok(Err(reason)) => recent.lost(reason),
        Err(_) => recent.lost(format!("no answer in {} s", ONCE_PATIENCE.as_secs())),
    }
    let reading = read_coded(target);
    let code = match &reading {
        Ok(s) if s.live != Liveness::Alive => EXIT_NOT_RUNNING,
        Ok(s) if s.snapshot.trouble.any() => EXIT_TROUBLE,
        Ok(_) => EXIT_OK,
        Err((code, _)) => *code,
    };
    let reading = reading.map_err(|(_, message)| message);
    let d = Dashboard::build(
        &target.instance,
        &reading,
        &recent,
        homesec_ipc::clock::wall_ms(),
    );
    if let Err(e) = std::io::stdout()
        .lock()
        .write_all(plain::render(&d).as_bytes())
    {
        eprintln!("homesecctl: cannot write: {e}");
        return EXIT_ERROR;
    }
    code
}

/// Stdout is not a terminal: a listing each time the house changes (its
/// state, a sensor, a camera, a new event), checked at each feed message
/// and once a second; ends when stdout is closed.
async fn print_changes(target: &Target) -> u8 {
    let (feed_tx, mut feed_rx) = mpsc::channel(16);
    let feed = tokio::spawn(feed::run(target.socket.clone(), feed_tx));
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut recent = Recent::default();
    let mut shown = None;
    let code = loop {
        let reading = read(target);
        let now = Changes::of(&reading, &recent);
        if shown.as_ref() != Some(&now) {
            let d = Dashboard::build(
                &target.instance,
                &reading,
                &recent,
                homesec_ipc::clock::wall_ms(),
            );
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{}", plain::render(&d))
                .and_then(|()| out.flush())
                .is_err()
            {
                // The reader is gone (a closed pipe): nothing left to do.
                break EXIT_OK;
            }
            shown = Some(now);
        }
        tokio::select! {
            _ = tick.tick() => {}
            Some(news) = feed_rx.recv() => tui::apply(&mut recent, news),
        }
    };
    feed.abort();
    code
}

/// What a new listing is printed for: everything shown but the clock and
/// the ages, which change every second.
#[derive(Debug, PartialEq)]
struct Changes {
    status: Result<Status, String>,
    newest_event: u64,
    feed_down: bool,
}

impl Changes {
    fn of(reading: &Reading, recent: &Recent) -> Changes {
        let status = reading.clone().map(|mut s| {
            let x = &mut s.snapshot;
            // Published at every heartbeat, or counted with every report.
            x.heartbeat_ms = 0;
            x.accepted = 0;
            x.rejected = 0;
            x.logged_seq = 0;
            for sensor in &mut x.sensors {
                sensor.last_seen_ms = 0;
                sensor.events = 0;
            }
            for camera in &mut x.cameras {
                camera.frames = 0;
                camera.last_frame_ms = 0;
            }
            if let Liveness::Stale { age_ms } = &mut s.live {
                *age_ms = 0;
            }
            s
        });
        Changes {
            status,
            newest_event: recent.newest(),
            feed_down: recent.is_down(),
        }
    }
}
