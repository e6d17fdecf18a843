//! The controller's command line.

use crate::settings::Overrides;
use clap::Parser;
use std::path::PathBuf;

/// homesec-controller: the smart-home security daemon.
///
/// With no --config it runs the embedded default house (simulated sensors).
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Args {
    /// The house description (TOML). Default: the embedded default house.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run fully simulated: start the simulated sensors (homesec-sensors
    /// --sim) as supervised children; no GPIO anywhere.
    #[arg(long)]
    pub sim: bool,
    /// With --sim: run the house clock N times faster (1440 = a day a minute).
    #[arg(long, value_name = "N", default_value_t = 1.0, requires = "sim")]
    pub speed: f64,
    /// With --sim: the scenario the simulated sensors play (default: the
    /// embedded one, config/scenarios/default.toml).
    #[arg(long, value_name = "FILE", requires = "sim")]
    pub scenario: Option<PathBuf>,
    /// With --sim: the simulator's seed (the same seed plays the same days).
    #[arg(long, value_name = "N", requires = "sim")]
    pub seed: Option<u64>,
    /// With --sim: the house time to start from: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`
    /// (local time) or RFC 3339. Default: now.
    #[arg(long, value_name = "DATE-TIME", requires = "sim")]
    pub start: Option<String>,
    /// Instance name (default: the config's, else "home").
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,
    /// Runtime dir for the FIFO and the pidfile.
    #[arg(long, value_name = "DIR")]
    pub runtime_dir: Option<PathBuf>,
    /// Data dir for the event log.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Check the config and exit (0 if valid).
    #[arg(long)]
    pub check_config: bool,
}

impl Args {
    /// The settings this command line overrides.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            instance: self.instance.clone(),
            runtime_dir: self.runtime_dir.clone(),
            data_dir: self.data_dir.clone(),
            sim: self.sim,
            scenario: self.scenario.clone(),
            seed: self.seed,
            speed: self.speed,
            start: self.start.clone(),
        }
    }
}
