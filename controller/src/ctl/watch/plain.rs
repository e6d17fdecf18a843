//! The dashboard as plain text, for stdout that is not a terminal (a pipe,
//! a file, a script) and for `--once`: no escape codes, every line at most
//! [`WIDTH`] characters, cut with `…` where longer.

use super::model::Dashboard;
use std::fmt::Write as _;

/// The widest line, in characters.
pub const WIDTH: usize = 80;

/// The listing of `d`, one `\n`-terminated line each.
pub fn render(d: &Dashboard) -> String {
    let mut lines = vec![
        format!("{}  {}", d.title, d.clock),
        format!("alarm: {}", d.alarm.text),
    ];
    lines.extend(d.trouble.iter().cloned());
    lines.push(format!(
        "{:<20} {:<10} {:<9} {:<7} {:>5}  {}",
        "SENSOR", "ZONE", "STATE", "BATTERY", "SEEN", "TROUBLE"
    ));
    for x in &d.sensors {
        lines.push(format!(
            "{:<20} {:<10} {:<9} {:<7} {:>5}  {}",
            x.id, x.zone, x.state, x.battery, x.seen, x.trouble
        ));
    }
    lines.push(d.cameras.summary.clone());
    lines.extend(d.cameras.rows.iter().map(|row| format!("  {row}")));
    lines.push(match &d.events_problem {
        Some(problem) => format!("EVENTS (not updating: {problem})"),
        None => "EVENTS".to_string(),
    });
    for e in &d.events {
        lines.push(format!("{:>8}  {}  {}", e.seq, e.time, e.what));
    }
    let mut out = String::new();
    for line in lines {
        let _ = writeln!(out, "{}", fit(&line));
    }
    out
}

/// `line` cut to [`WIDTH`] characters, the last one `…` when cut.
pub fn fit(line: &str) -> String {
    if line.chars().count() <= WIDTH {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(WIDTH - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctl::watch::model::Recent;
    use crate::ctl::watch::model::tests::{NOW, alarm_record, reading};
    use homesec_ipc::AlarmState;

    #[test]
    fn every_line_fits_80_columns_and_has_no_escape_codes() {
        let mut recent = Recent::default();
        recent.add([alarm_record(7, AlarmState::Arming, Some(30_000))]);
        let reading = reading(AlarmState::Arming);
        let text = render(&Dashboard::build("home", &reading, &recent, NOW));
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "too wide: {line}");
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
        assert!(
            text.contains("alarm: arming away: exit delay, 20 s left"),
            "{text}"
        );
        assert!(text.contains("front-door"), "{text}");
        assert!(text.contains("EVENTS\n"), "{text}");
    }

    #[test]
    fn a_long_line_is_cut_with_an_ellipsis() {
        let long = "x".repeat(200);
        let cut = fit(&long);
        assert_eq!(cut.chars().count(), WIDTH);
        assert!(cut.ends_with('…'));
        assert_eq!(fit("short"), "short");
    }

    #[test]
    fn without_a_segment_the_listing_says_why() {
        let reading = Err("controller not running: no segment".to_string());
        let mut recent = Recent::default();
        recent.lost("nobody answers".into());
        let text = render(&Dashboard::build("home", &reading, &recent, NOW));
        assert!(text.contains("alarm: controller not running"), "{text}");
        assert!(
            text.contains("EVENTS (not updating: nobody answers)"),
            "{text}"
        );
    }
}
