//! The command line of `homesec-sensors`, and the settings it resolves to:
//! each of instance and runtime dir from the command line, then the config,
//! then the defaults of `homesec_ipc::paths` (as the controller does).

use crate::filter::Filter;
use anyhow::Context;
use clap::{Parser, ValueEnum};
use homesec_config::Config;
use homesec_ipc::endpoint::Trust;
use homesec_ipc::paths;
use std::path::PathBuf;

/// homesec-sensors: reads the house's sensors (GPIO on a Raspberry Pi, or a
/// simulator) and publishes their reports to the controller.
///
/// With no --config it uses the embedded default house.
#[derive(Debug, Clone, Parser)]
#[command(version, about)]
pub struct Args {
    /// The house description (TOML). Default: the embedded default house.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Instance name (default: the config's, else "home").
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Runtime dir holding the controller's pidfile.
    #[arg(long, value_name = "DIR")]
    pub runtime_dir: Option<PathBuf>,
    /// Simulate every sensor, whatever its input; no GPIO is touched.
    #[arg(long)]
    pub sim: bool,
    /// With --sim: the scenario file (default: the built-in scenario).
    #[arg(long, value_name = "FILE", requires = "sim")]
    pub scenario: Option<PathBuf>,
    /// With --sim: the random seed of the scenario.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "sim")]
    pub seed: u64,
    /// Send only this sensor's reports (and no keypad lines).
    #[arg(long, value_name = "SENSOR-ID")]
    pub only: Option<String>,
    /// Do not send this sensor's reports (nor keypad lines); repeatable.
    #[arg(long, value_name = "SENSOR-ID")]
    pub skip: Vec<String>,
    /// Where reports go: the message queue, or stdout lines for a
    /// controller that spawned this process.
    #[arg(long, value_enum, default_value_t = OutputKind::Mq)]
    pub output: OutputKind,
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputKind {
    /// The POSIX message queue `/homesec-<instance>-events`.
    Mq,
    /// Lines on stdout in the FIFO line format.
    Stdout,
}

/// Everything a run needs, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The house.
    pub house: Config,
    /// Instance name.
    pub instance: String,
    /// Runtime dir (for the pidfile).
    pub runtime_dir: PathBuf,
    /// Which reports go out.
    pub filter: Filter,
    /// Simulate everything.
    pub sim: bool,
    /// With `sim`: the scenario file.
    pub scenario: Option<PathBuf>,
    /// With `sim`: the seed.
    pub seed: u64,
    /// Where reports go.
    pub output: OutputKind,
    /// Whose endpoints (queue, status segment, pidfile) to trust.
    pub trust: Trust,
}

impl Settings {
    /// Loads the config and applies the command line.
    pub fn resolve(args: Args) -> anyhow::Result<Settings> {
        let house = match &args.config {
            Some(path) => homesec_config::load(path)
                .with_context(|| format!("{} is not a valid homesec config", path.display()))?,
            None => homesec_config::default_house(),
        };
        let instance = args.instance.unwrap_or_else(|| house.instance.clone());
        anyhow::ensure!(
            paths::valid_instance_name(&instance),
            "instance name '{instance}' is not valid: use 1 to 32 of a-z, 0-9, '-' and '_'"
        );
        let runtime_dir = args
            .runtime_dir
            .or_else(|| house.paths.runtime_dir.clone())
            .unwrap_or_else(|| paths::default_runtime_dir(&instance));
        let filter = Filter::new(args.only, args.skip, &house)?;
        let trust = house.access.client_trust()?;
        Ok(Settings {
            house,
            instance,
            runtime_dir,
            filter,
            sim: args.sim,
            scenario: args.scenario,
            seed: args.seed,
            output: args.output,
            trust,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("homesec-sensors").chain(args.iter().copied()))
    }

    #[test]
    fn defaults() {
        let args = parse(&[]).expect("valid");
        assert!(!args.sim);
        assert_eq!(args.seed, 1);
        assert_eq!(args.output, OutputKind::Mq);
        let settings = Settings::resolve(args).expect("resolves");
        assert_eq!(settings.instance, "home");
    }

    #[test]
    fn the_command_line_wins_over_the_config() {
        let args = parse(&[
            "--instance",
            "t1",
            "--runtime-dir",
            "/tmp/x",
            "--output",
            "stdout",
        ])
        .expect("valid");
        let settings = Settings::resolve(args).expect("resolves");
        assert_eq!(settings.instance, "t1");
        assert_eq!(settings.runtime_dir, PathBuf::from("/tmp/x"));
        assert_eq!(settings.output, OutputKind::Stdout);
    }

    #[test]
    fn scenario_and_seed_need_sim() {
        assert!(parse(&["--seed", "3"]).is_err());
        assert!(parse(&["--sim", "--seed", "3", "--skip", "a", "--skip", "b"]).is_ok());
    }

    #[test]
    fn a_bad_instance_name_is_refused() {
        let args = parse(&["--instance", "Bad/Name"]).expect("parses");
        let err = Settings::resolve(args).expect_err("invalid");
        assert!(err.to_string().contains("'Bad/Name' is not valid"), "{err}");
    }
}
