//! The dashboard drawn with ratatui, top to bottom: title and clock, the
//! alarm line (and system trouble), the sensor table, the camera slots, the
//! newest events (as many as fit), the status line (a prompt or the last
//! answer) and the keys. Laid out for 80×24 and up: the sensors keep their
//! rows before the events get theirs, leaving the events at least
//! [`EVENT_ROWS_KEPT`] rows where the screen allows.

use super::keys::HELP;
use super::model::Dashboard;
use homesec_ipc::AlarmState;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};

/// Rows the events keep (heading included) when sensors are many.
const EVENT_ROWS_KEPT: u16 = 4;

/// Draws `d`, with `status` (a prompt or the last answer) above the keys.
pub fn draw(frame: &mut Frame, d: &Dashboard, status: &str) {
    let [title, alarm, sensors, cameras, events, line, help] =
        Layout::vertical(heights(d, frame.area().height)).areas(frame.area());
    frame.render_widget(title_line(d, title.width), title);
    frame.render_widget(alarm_lines(d), alarm);
    frame.render_widget(sensor_table(d), sensors);
    frame.render_widget(camera_lines(d), cameras);
    frame.render_widget(event_table(d), events);
    frame.render_widget(
        Paragraph::new(status).style(Style::new().add_modifier(Modifier::BOLD)),
        line,
    );
    frame.render_widget(
        Paragraph::new(HELP).style(Style::new().fg(Color::DarkGray)),
        help,
    );
}

/// The height of each part on a screen `height` rows tall.
fn heights(d: &Dashboard, height: u16) -> [Constraint; 7] {
    let count = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    let alarm = count(d.trouble.len()).saturating_add(1);
    let cameras = count(d.cameras.rows.len()).saturating_add(1);
    let fixed = alarm.saturating_add(cameras).saturating_add(3);
    let rest = height.saturating_sub(fixed);
    let sensors_wanted = count(d.sensors.len()).saturating_add(1);
    let sensors = sensors_wanted.min(rest.saturating_sub(EVENT_ROWS_KEPT).max(rest.min(2)));
    let events = rest.saturating_sub(sensors);
    [
        Constraint::Length(1),
        Constraint::Length(alarm),
        Constraint::Length(sensors),
        Constraint::Length(cameras),
        Constraint::Length(events),
        Constraint::Length(1),
        Constraint::Length(1),
    ]
}

fn title_line(d: &Dashboard, width: u16) -> Paragraph<'static> {
    let room = usize::from(width).saturating_sub(d.clock.len() + 1);
    let title = format!("{:<room$} {}", d.title, d.clock);
    Paragraph::new(title).style(Style::new().add_modifier(Modifier::REVERSED))
}

fn alarm_lines(d: &Dashboard) -> Paragraph<'static> {
    let colour = match d.alarm.state {
        Some(AlarmState::Disarmed) => Color::Green,
        Some(AlarmState::Arming | AlarmState::Armed) => Color::Yellow,
        Some(AlarmState::Pending | AlarmState::Triggered) | None => Color::Red,
    };
    let mut lines = vec![Line::from(vec![
        Span::raw("alarm: "),
        Span::styled(
            d.alarm.text.clone(),
            Style::new().fg(colour).add_modifier(Modifier::BOLD),
        ),
    ])];
    let trouble = Style::new().fg(Color::Red);
    lines.extend(d.trouble.iter().map(|t| Line::styled(t.clone(), trouble)));
    Paragraph::new(lines)
}

fn sensor_table(d: &Dashboard) -> Table<'static> {
    let rows = d.sensors.iter().map(|x| {
        let style = if x.faulty {
            Style::new().fg(Color::Red)
        } else if x.active {
            Style::new().fg(Color::Yellow)
        } else {
            Style::new()
        };
        Row::new([
            x.id.clone(),
            x.zone.clone(),
            x.state.clone(),
            x.battery.to_string(),
            x.seen.clone(),
            x.trouble.clone(),
        ])
        .style(style)
    });
    let widths = [
        Constraint::Length(18),
        Constraint::Length(10),
        Constraint::Length(9),
        Constraint::Length(7),
        Constraint::Length(5),
        Constraint::Min(0),
    ];
    Table::new(rows, widths).header(heading([
        "SENSOR", "ZONE", "STATE", "BATTERY", "SEEN", "TROUBLE",
    ]))
}

fn camera_lines(d: &Dashboard) -> Paragraph<'static> {
    let mut lines = vec![Line::styled(
        d.cameras.summary.clone(),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    lines.extend(
        d.cameras
            .rows
            .iter()
            .map(|row| Line::raw(format!("  {row}"))),
    );
    Paragraph::new(lines)
}

fn event_table(d: &Dashboard) -> Table<'static> {
    let rows = d
        .events
        .iter()
        .map(|e| Row::new([e.seq.clone(), e.time.clone(), e.what.clone()]));
    let widths = [
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Min(0),
    ];
    let title = match &d.events_problem {
        Some(problem) => format!("EVENTS (not updating: {problem})"),
        None => "EVENTS".to_string(),
    };
    Table::new(rows, widths).header(heading([title, String::new(), String::new()]))
}

fn heading<const N: usize>(cells: [impl Into<String>; N]) -> Row<'static> {
    Row::new(cells.map(|c| c.into())).style(Style::new().add_modifier(Modifier::BOLD))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctl::watch::model::Recent;
    use crate::ctl::watch::model::tests::{NOW, alarm_record, reading};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn screen(width: u16, height: u16, d: &Dashboard) -> String {
        let backend = TestBackend::new(width, height);
        let mut terminal = Terminal::new(backend).expect("a test backend never fails");
        terminal
            .draw(|frame| draw(frame, d, "code for arm away: ****_"))
            .expect("a test backend never fails");
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    #[test]
    fn an_80_by_24_screen_shows_every_part() {
        let mut recent = Recent::default();
        recent.add([alarm_record(7, AlarmState::Arming, Some(30_000))]);
        let d = Dashboard::build("home", &reading(AlarmState::Arming), &recent, NOW);
        let text = screen(80, 24, &d);
        for needle in [
            "homesec 'home': controller alive (pid 42)",
            "alarm: arming away: exit delay, 20 s left",
            "SENSOR",
            "front-door",
            "back-door",
            "cameras: 2 slots, none connected yet",
            "EVENTS",
            "alarm disarmed -> arming away (arm, resident)",
            "code for arm away: ****_",
            "a arm away",
        ] {
            assert!(text.contains(needle), "no '{needle}' in\n{text}");
        }
    }

    #[test]
    fn many_sensors_leave_the_events_their_rows() {
        let mut reading = reading(AlarmState::Disarmed);
        if let Ok(status) = &mut reading {
            let extra = status.snapshot.sensors[0].clone();
            status.snapshot.sensors = (0..40)
                .map(|i| homesec_ipc::status::SensorSlot {
                    id: format!("s{i}"),
                    ..extra.clone()
                })
                .collect();
        }
        let mut recent = Recent::default();
        recent.add([alarm_record(7, AlarmState::Armed, None)]);
        let d = Dashboard::build("home", &reading, &recent, NOW);
        let text = screen(80, 24, &d);
        assert!(text.contains("EVENTS"), "{text}");
        assert!(text.contains("alarm disarmed -> armed"), "{text}");
        assert!(text.contains("a arm away"), "{text}");
    }
}
