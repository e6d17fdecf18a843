//! `--sim`: the simulated house's sensor processes, run as supervised
//! children like any detector.
//!
//! Two children of `homesec-sensors --sim` share the work: one publishes
//! every simulated sensor on the message queue; the other publishes
//! `garage-motion` alone on its stdout, read over an anonymous pipe, so that
//! both paths into the controller are live in the demo house. Both run on
//! the house clock that the controller publishes in the status segment.

use crate::settings::Settings;
use anyhow::Context;
use homesec_config::{ConfigSource, Detector, Input};
use std::path::PathBuf;

/// The sensor whose events travel the pipe instead of the queue.
pub const PIPE_SENSOR: &str = "garage-motion";

/// The children to run for `--sim`.
pub fn children(settings: &Settings) -> anyhow::Result<Vec<Detector>> {
    let program = sensors_binary()?;
    let mut common = vec![
        program.display().to_string(),
        "--sim".to_string(),
        "--instance".to_string(),
        settings.instance.clone(),
        "--runtime-dir".to_string(),
        settings.runtime_dir.display().to_string(),
    ];
    if let ConfigSource::File(path) = &settings.config.source {
        common.extend(["--config".to_string(), path.display().to_string()]);
    }
    common.extend(settings.sim_args.iter().cloned());
    let piped = settings
        .config
        .sensor(PIPE_SENSOR)
        .is_some_and(|s| matches!(s.input, Input::Simulated));
    let mut queue = common.clone();
    let mut children = Vec::new();
    if piped {
        queue.extend(["--skip".to_string(), PIPE_SENSOR.to_string()]);
        let mut pipe = common;
        pipe.extend(["--only", PIPE_SENSOR, "--output", "stdout"].map(String::from));
        children.push(Detector {
            name: PIPE_SENSOR.to_string(),
            command: pipe,
        });
    }
    queue.extend(["--output", "mq"].map(String::from));
    children.insert(
        0,
        Detector {
            name: "simulator".to_string(),
            command: queue,
        },
    );
    Ok(children)
}

/// `homesec-sensors`, expected next to this executable (both are built
/// into the same target dir, or installed into the same bin dir).
fn sensors_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("finding this executable")?;
    let sensors = me.with_file_name("homesec-sensors");
    anyhow::ensure!(
        sensors.exists(),
        "--sim needs homesec-sensors next to {} (build the whole workspace: cargo build --release)",
        me.display()
    );
    Ok(sensors)
}
