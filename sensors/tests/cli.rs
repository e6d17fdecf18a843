//! The `homesec-sensors` binary from the outside: what it refuses and why,
//! and the FIFO line format it writes with `--output stdout`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const SENSORS: &str = env!("CARGO_BIN_EXE_homesec-sensors");

#[test]
fn without_sim_a_house_with_no_gpio_sensor_is_refused_with_the_way_out() {
    let out = Command::new(SENSORS)
        .args(["--instance", "t-cli-nogpio"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no sensor to watch is wired to GPIO") && err.contains("--sim"),
        "{err}"
    );
}

#[test]
fn an_unknown_sensor_in_only_is_refused_naming_the_known_ones() {
    let out = Command::new(SENSORS)
        .args(["--sim", "--only", "attic"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("attic") && err.contains("front-door"), "{err}");
}

#[test]
fn a_gpio_house_off_a_pi_names_the_sensor_and_the_pin() {
    let pi = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../config/examples/raspberry-pi.toml"
    );
    let out = Command::new(SENSORS)
        .args(["--config", pi, "--instance", "t-cli-pi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open the GPIO") && err.contains("GPIO "),
        "{err}"
    );
}

#[test]
fn sim_on_stdout_writes_fifo_lines_for_one_sensor() {
    let mut child = Command::new(SENSORS)
        .args([
            "--sim",
            "--instance",
            "t-cli-stdout",
            "--only",
            "garage-motion",
            "--output",
            "stdout",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    // SAFETY: signals our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success(), "TERM is a clean stop");
    // The first report of a simulated sensor is its heartbeat, in the FIFO
    // line format, and it parses as one.
    assert_eq!(first, "garage-motion heartbeat");
    assert!(matches!(
        homesec_ipc::line::parse_line(first.as_bytes()),
        Ok(homesec_ipc::line::Line::Event(_))
    ));
}
