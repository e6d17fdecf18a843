//! The dashboard in a terminal: raw mode and the alternate screen, held by
//! a guard that gives the terminal back on every way out (return, error,
//! panic: ratatui's panic hook restores it too).
//!
//! The loop waits on four things and nothing else, redrawing after each:
//! a key (crossterm's `EventStream`, woken by the terminal's input), the
//! event feed (a long poll in the controller, see `feed.rs`), the answer
//! to a command sent, and a one-second tick for the clock and the ages.
//! The status segment is read again at every wake, so the screen follows
//! the segment's `logged_seq` the moment a record is durable, and follows
//! everything else within a second. Idle, it wakes once a second.

use super::feed::{self, Feed};
use super::keys::{Keys, Outcome, Request};
use super::model::{Dashboard, Recent};
use super::{read, view};
use crate::ctl::control;
use crate::ctl::{EXIT_ERROR, EXIT_OK, Target};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{Event, EventStream};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

/// The terminal, given back when this is dropped.
struct Screen(DefaultTerminal);

impl Screen {
    fn enter() -> std::io::Result<Screen> {
        match ratatui::try_init() {
            Ok(terminal) => Ok(Screen(terminal)),
            Err(e) => {
                // Raw mode may be on already.
                ratatui::restore();
                Err(e)
            }
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// What the loop keeps between wakes.
struct App {
    keys: Keys,
    recent: Recent,
    /// The last answer or notice, shown when no field is open.
    notice: String,
}

impl App {
    /// The status line: the open field's prompt, else the last notice.
    fn status_line(&self) -> String {
        self.keys.prompt().unwrap_or_else(|| self.notice.clone())
    }
}

/// Runs the dashboard until a quit key; the exit code.
pub async fn run(target: &Target) -> u8 {
    let mut screen = match Screen::enter() {
        Ok(screen) => screen,
        Err(e) => {
            eprintln!("homesecctl: cannot use the terminal: {e}");
            return EXIT_ERROR;
        }
    };
    let (feed_tx, mut feed_rx) = mpsc::channel(16);
    let feed = tokio::spawn(feed::run(target.socket.clone(), feed_tx));
    let (answer_tx, mut answer_rx) = mpsc::channel(4);
    let mut terminal_events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut app = App {
        keys: Keys::default(),
        recent: Recent::default(),
        notice: String::new(),
    };
    let code = loop {
        let d = Dashboard::build(
            &target.instance,
            &read(target),
            &app.recent,
            homesec_ipc::clock::wall_ms(),
        );
        let line = app.status_line();
        if let Err(e) = screen.0.draw(|frame| view::draw(frame, &d, &line)) {
            break Err(format!("cannot draw: {e}"));
        }
        tokio::select! {
            _ = tick.tick() => {}
            Some(news) = feed_rx.recv() => apply(&mut app.recent, news),
            Some(answer) = answer_rx.recv() => app.notice = answer,
            event = terminal_events.next() => match event {
                Some(Ok(Event::Key(key))) => {
                    if on_key(&mut app, key, target, &answer_tx) {
                        break Ok(());
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => break Err(format!("cannot read the terminal: {e}")),
                None => break Ok(()),
            },
        }
    };
    feed.abort();
    drop(screen);
    match code {
        Ok(()) => EXIT_OK,
        Err(message) => {
            eprintln!("homesecctl: {message}");
            EXIT_ERROR
        }
    }
}

/// Takes what the feed said.
pub(super) fn apply(recent: &mut Recent, news: Feed) {
    match news {
        Feed::Up => recent.found(),
        Feed::Records(records) => recent.add(records),
        Feed::Down(reason) => recent.lost(reason),
    }
}

/// Handles one key; whether to quit.
fn on_key(
    app: &mut App,
    key: ratatui::crossterm::event::KeyEvent,
    target: &Target,
    answers: &mpsc::Sender<String>,
) -> bool {
    match app.keys.press(key) {
        Outcome::Quit => return true,
        Outcome::Cancelled => app.notice = "cancelled".to_string(),
        Outcome::Send { request, code } => {
            app.notice = format!("{}: sent, waiting for the controller", request.label());
            send(request, code, target, answers.clone());
        }
        Outcome::Ignored | Outcome::Edited => {}
    }
    false
}

/// Sends `request` on a task of its own, so the screen stays live while the
/// controller makes the command durable; the answer comes back on `answers`.
fn send(request: Request, code: String, target: &Target, answers: mpsc::Sender<String>) {
    let socket = target.socket.clone();
    tokio::spawn(async move {
        let label = request.label();
        let answer = match control::send(&socket, request.action(), code).await {
            Ok(done) => format!("{label}: done, the house is {}", done.alarm),
            Err(why) => format!("{label}: {why}"),
        };
        // The dashboard may be gone; then nobody needs the answer.
        let _ = answers.send(answer).await;
    });
}
