//! Keeps the FIFO and queue readers alive. An input whose task ends with an
//! error is started again after a backoff (1 s doubling up to
//! `timers.restart_backoff_max`), and the house hears of it: an
//! [`Input::InputTrouble`] while it is down, another once it has run for
//! [`HEALTHY_RUN`] again, so `homesecctl status` shows a degraded input
//! instead of "alive" over a deaf controller. An input that fails
//! [`MAX_FAILURES`] times within [`FAILURE_WINDOW`] is not restarted again:
//! the supervisor returns the reason, and the daemon exits non-zero so that
//! systemd starts the whole controller afresh.

use super::{Input, InputSender};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The first wait before a restart.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// An input that has run this long again is healthy: its trouble ends.
pub const HEALTHY_RUN: Duration = Duration::from_secs(10);
/// Failures within [`FAILURE_WINDOW`] after which the controller gives up.
pub const MAX_FAILURES: usize = 5;
/// The window [`MAX_FAILURES`] are counted in.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(600);

/// Runs `start` until it ends without an error or `shutdown` is cancelled,
/// restarting it when it fails. `Err` is the last failure when the
/// controller must give up.
pub async fn supervise<F, Fut>(
    input: &'static str,
    max_backoff: Duration,
    shutdown: CancellationToken,
    inputs: InputSender,
    mut start: F,
) -> Result<(), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let first = FIRST_BACKOFF.min(max_backoff);
    let mut backoff = first;
    let mut failures: Vec<Instant> = Vec::new();
    let mut in_trouble = false;
    loop {
        let run = start();
        tokio::pin!(run);
        let healthy = tokio::time::sleep(HEALTHY_RUN);
        tokio::pin!(healthy);
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                () = &mut healthy, if in_trouble => {
                    in_trouble = false;
                    backoff = first;
                    tracing::info!(input, "input running again");
                    tell(&inputs, input, false, "running again".into()).await;
                }
            }
        };
        let error = match result {
            Ok(()) => return Ok(()),
            Err(_) if shutdown.is_cancelled() => return Ok(()),
            Err(error) => error,
        };
        let now = Instant::now();
        failures.retain(|&at| now.duration_since(at) < FAILURE_WINDOW);
        failures.push(now);
        tracing::error!(input, %error, failures = failures.len(), "input failed; restarting in {backoff:?}");
        tell(&inputs, input, true, error.clone()).await;
        in_trouble = true;
        if failures.len() >= MAX_FAILURES {
            return Err(format!(
                "the {input} input failed {} times within {} s (last: {error}); giving up",
                failures.len(),
                FAILURE_WINDOW.as_secs()
            ));
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = shutdown.cancelled() => return Ok(()),
        }
        backoff = (backoff * 2).min(max_backoff);
    }
}

async fn tell(inputs: &InputSender, input: &'static str, failed: bool, detail: String) {
    let _ = inputs
        .send(Input::InputTrouble {
            input,
            failed,
            detail,
        })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::mpsc;

    fn troubles(rx: &mut mpsc::Receiver<Input>) -> Vec<bool> {
        let mut seen = Vec::new();
        while let Ok(input) = rx.try_recv() {
            if let Input::InputTrouble { failed, .. } = input {
                seen.push(failed);
            }
        }
        seen
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_input_is_restarted_and_its_trouble_ends_once_it_runs_again() {
        let (tx, mut rx) = mpsc::channel(16);
        let shutdown = CancellationToken::new();
        let starts = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&starts);
        let stop = shutdown.clone();
        let task = tokio::spawn(supervise(
            "fifo",
            Duration::from_secs(60),
            shutdown.clone(),
            tx,
            move || {
                let n = counted.fetch_add(1, Ordering::SeqCst);
                let stop = stop.clone();
                async move {
                    if n < 2 {
                        Err(format!("failure {n}"))
                    } else {
                        stop.cancelled().await;
                        Ok(())
                    }
                }
            },
        ));
        // Two failures (1 s, then 2 s of backoff), then it runs.
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(starts.load(Ordering::SeqCst), 3);
        assert_eq!(troubles(&mut rx), vec![true, true]);
        tokio::time::sleep(HEALTHY_RUN).await;
        assert_eq!(troubles(&mut rx), vec![false], "healthy again");
        shutdown.cancel();
        assert_eq!(task.await.unwrap(), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn an_input_that_keeps_failing_makes_the_controller_give_up() {
        let (tx, mut rx) = mpsc::channel(16);
        let shutdown = CancellationToken::new();
        let result = supervise("mq", Duration::from_secs(2), shutdown, tx, || async {
            Err("receive failed".to_string())
        })
        .await;
        let error = result.unwrap_err();
        assert!(error.contains("mq") && error.contains("5 times"), "{error}");
        assert_eq!(troubles(&mut rx), vec![true; MAX_FAILURES]);
    }
}
