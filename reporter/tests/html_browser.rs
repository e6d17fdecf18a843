//! The HTML report in a real browser: a hand-written log of a day when the
//! clocks go back (25 hours in Berlin) is rendered by the real binary with
//! `--format html --out`, then headless Chromium (Debian's, installed by
//! `.ci/run`) parses it and takes a phone-sized screenshot. The DOM must
//! hold the summary, one chart bar per hour and the timeline; text from the
//! log must stay text. Ignored by the README's test command (Chromium is
//! a system package); `.ci/run` installs it and runs the ignored tests,
//! where a missing Chromium fails the test: it never skips.

mod util;

use homesec_ipc::eventlog::record::{Cause, CodeResult};
use homesec_ipc::{AlarmState as S, Mode, SensorKind as K, SensorState as St};
use std::path::Path;
use std::process::{Command, Output};
use util::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const TZ: &str = "Europe/Berlin";
/// The longest a Chromium run may take before the test gives up on it.
const CHROMIUM_TIMEOUT_SECS: &str = "120";
/// A sensor name a log could hold (the FIFO refuses it; a config or a
/// damaged log could still bring it): it must come out as text.
const HOSTILE: &str = "<script>document.title='owned'</script>";

/// 2026-10-25 in Berlin: +02:00 until 03:00, then +01:00; 25 hours.
fn clocks_back_day() -> Log {
    let mut log = Log::new();
    let summer = |hms: &str| format!("2026-10-25T{hms}+02:00");
    let winter = |hms: &str| format!("2026-10-25T{hms}+01:00");
    log.add(&summer("00:05:00"), start())
        .add(
            &summer("01:30:00"),
            sensor("hall-motion", "hall", K::Motion, St::Motion),
        )
        .add(
            &summer("02:30:00"),
            sensor("hall-motion", "hall", K::Motion, St::Clear),
        )
        .add(
            &winter("02:30:00"),
            sensor("hall-motion", "hall", K::Motion, St::Motion),
        )
        .add(&winter("07:10:00"), rejected("unknown sensor", HOSTILE))
        .add(
            &winter("08:00:00"),
            code("arm", CodeResult::Accepted, Some("resident")),
        )
        .add(
            &winter("08:00:00"),
            with(
                alarm(S::Disarmed, S::Arming, Some(Mode::Away), Cause::Arm),
                |f| {
                    f.user = Some("resident".into());
                    f.source = "fifo".into();
                    f.delay_ms = Some(30_000);
                },
            ),
        )
        .add(
            &winter("08:00:30"),
            alarm(S::Arming, S::Armed, Some(Mode::Away), Cause::ExitDelay),
        )
        .add(
            &winter("14:05:00"),
            sensor("front-door", "entry", K::Door, St::Open),
        )
        .add(
            &winter("14:05:00"),
            with(
                alarm(S::Armed, S::Pending, Some(Mode::Away), Cause::Intrusion),
                |f| {
                    f.sensor = Some("front-door".into());
                    f.zone = Some("entry".into());
                    f.delay_ms = Some(30_000);
                },
            ),
        )
        .add(
            &winter("14:05:30"),
            with(
                alarm(
                    S::Pending,
                    S::Triggered,
                    Some(Mode::Away),
                    Cause::EntryDelay,
                ),
                |f| {
                    f.sensor = Some("front-door".into());
                    f.zone = Some("entry".into());
                    f.delay_ms = Some(180_000);
                },
            ),
        )
        .add(&winter("14:05:30"), siren(true))
        .add(
            &winter("14:07:00"),
            code("disarm", CodeResult::Accepted, Some("resident")),
        )
        .add(
            &winter("14:07:00"),
            with(alarm(S::Triggered, S::Disarmed, None, Cause::Disarm), |f| {
                f.user = Some("resident".into());
                f.source = "fifo".into();
            }),
        )
        .add(&winter("14:07:00"), siren(false))
        .add(
            &winter("14:08:00"),
            sensor("front-door", "entry", K::Door, St::Closed),
        )
        .add(
            &winter("23:59:00"),
            sensor("hall-motion", "hall", K::Motion, St::Clear),
        );
    log
}

/// Runs Chromium headless on `page` with a fresh profile; `extra` says
/// what to produce. Fails the test, with what to do, when it is missing.
fn chromium(page: &Path, profile: &Path, extra: &[&str]) -> Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: this test needs Debian's Chromium. Run .ci/run, which installs it, \
         or `apt-get install -y --no-install-recommends chromium`"
    );
    let out = Command::new("timeout")
        .arg(CHROMIUM_TIMEOUT_SECS)
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=412,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
#[ignore = "needs chromium (Debian package); .ci/run installs it and runs this test"]
fn chromium_parses_and_draws_the_html_report() {
    let log = clocks_back_day();
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path().to_str().unwrap();
    let made = run(
        log.data_dir(),
        TZ,
        &["--day", "2026-10-25", "--format", "html", "--out", out_path],
    );
    assert_eq!(
        made.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(
        made.stdout.is_empty() && made.stderr.is_empty(),
        "quiet on success"
    );
    let page = out_dir.path().join("2026-10-25.html");
    let source = std::fs::read_to_string(&page).unwrap();
    assert!(!source.contains("<script"), "the log's text became markup");

    let browser = tempfile::tempdir().unwrap();
    let dom = chromium(&page, &browser.path().join("dom-profile"), &["--dump-dom"]);
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(
        dom.contains("<h2>Summary</h2>"),
        "no summary in the DOM: {dom}"
    );
    assert!(
        dom.contains("1 alarm: intrusion (Front door) at 14:05:30 +01:00."),
        "{dom}"
    );
    assert_eq!(
        dom.matches("class=\"bar\"").count(),
        25,
        "one bar per hour of a 25-hour day"
    );
    assert_eq!(dom.matches("class=\"alarm-marker\"").count(), 1);
    assert!(dom.contains("class=\"seg s-armed\"") && dom.contains("class=\"seg s-triggered\""));
    assert!(
        !dom.contains("<script"),
        "the browser found a script element"
    );
    assert!(
        dom.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"),
        "{dom}"
    );
    assert!(
        dom.contains("<title>homesec 2026-10-25 (home)</title>"),
        "the page title was changed"
    );

    let shot = browser.path().join("shot.png");
    let screenshot = format!("--screenshot={}", shot.display());
    chromium(&page, &browser.path().join("shot-profile"), &[&screenshot]);
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 8 * 1024,
        "a {}-byte screenshot is blank",
        png.len()
    );
}
