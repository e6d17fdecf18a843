//! The dashboard's keys: `a`, `h`, `n` arm away, home, night; `d` disarm;
//! `b` bypass (asks a sensor id first); `q` or Esc quit; Ctrl-C quits from
//! anywhere. A command asks for the code in a masked field: one `*` per
//! digit, Backspace deletes, Enter sends, Esc cancels. The code never
//! leaves this module but in the [`Outcome::Send`] that carries it off.

use crate::ctl::control::Action;
use homesec_ipc::Mode;
use homesec_ipc::command::ArmOptions;
use homesec_ipc::vocab::{MAX_ID_LEN, valid_id};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The shortest and longest code the house accepts (`homesec-config`'s rule).
const CODE_DIGITS: std::ops::RangeInclusive<usize> = 4..=12;
/// The help line.
pub const HELP: &str = "a arm away  h arm home  n arm night  d disarm  b bypass  q quit";

/// A command the keys asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Arm in this mode.
    Arm(Mode),
    /// Disarm.
    Disarm,
    /// Bypass this sensor.
    Bypass(String),
}

impl Request {
    /// The request in words: `arm away`, `disarm`, `bypass front-door`.
    pub fn label(&self) -> String {
        match self {
            Request::Arm(mode) => format!("arm {mode}"),
            Request::Disarm => "disarm".to_string(),
            Request::Bypass(sensor) => format!("bypass {sensor}"),
        }
    }

    /// What `homesecctl` sends for it.
    pub fn action(&self) -> Action {
        match self {
            Request::Arm(mode) => Action::Arm {
                mode: *mode,
                options: ArmOptions::default(),
                bypass: Vec::new(),
            },
            Request::Disarm => Action::Disarm,
            Request::Bypass(sensor) => Action::Bypass {
                sensors: vec![sensor.clone()],
                on: true,
            },
        }
    }
}

/// What a key press asks of the dashboard.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to do (a key with no meaning here).
    Ignored,
    /// The field changed: redraw.
    Edited,
    /// The field was given up.
    Cancelled,
    /// Leave the dashboard.
    Quit,
    /// Send this request with this code.
    Send {
        /// The command.
        request: Request,
        /// The code typed.
        code: String,
    },
}

/// What is being typed.
#[derive(Debug, Default)]
enum Field {
    /// No field: the keys are commands.
    #[default]
    Idle,
    /// A bypass's sensor id.
    Sensor(String),
    /// A command's code.
    Code { request: Request, digits: String },
}

/// The key handler and its field.
#[derive(Debug, Default)]
pub struct Keys {
    field: Field,
}

impl Keys {
    /// Takes one key event.
    pub fn press(&mut self, key: KeyEvent) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::Ignored;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return match key.code {
                KeyCode::Char('c') => Outcome::Quit,
                _ => Outcome::Ignored,
            };
        }
        match std::mem::take(&mut self.field) {
            Field::Idle => self.command(key.code),
            Field::Sensor(id) => self.sensor(id, key.code),
            Field::Code { request, digits } => self.code(request, digits, key.code),
        }
    }

    /// The field's prompt as shown, the code masked; `None` when idle.
    pub fn prompt(&self) -> Option<String> {
        match &self.field {
            Field::Idle => None,
            Field::Sensor(id) => Some(format!(
                "bypass which sensor? {id}_  (Enter next, Esc cancel)"
            )),
            Field::Code { request, digits } => Some(format!(
                "code for {}: {}_  (Enter send, Esc cancel)",
                request.label(),
                "*".repeat(digits.len())
            )),
        }
    }

    fn command(&mut self, key: KeyCode) -> Outcome {
        let request = match key {
            KeyCode::Char('q') | KeyCode::Esc => return Outcome::Quit,
            KeyCode::Char('a') => Request::Arm(Mode::Away),
            KeyCode::Char('h') => Request::Arm(Mode::Home),
            KeyCode::Char('n') => Request::Arm(Mode::Night),
            KeyCode::Char('d') => Request::Disarm,
            KeyCode::Char('b') => {
                self.field = Field::Sensor(String::new());
                return Outcome::Edited;
            }
            _ => return Outcome::Ignored,
        };
        self.field = Field::Code {
            request,
            digits: String::new(),
        };
        Outcome::Edited
    }

    fn sensor(&mut self, mut id: String, key: KeyCode) -> Outcome {
        match key {
            KeyCode::Esc => return Outcome::Cancelled,
            KeyCode::Enter if valid_id(&id) => {
                self.field = Field::Code {
                    request: Request::Bypass(id),
                    digits: String::new(),
                };
                return Outcome::Edited;
            }
            KeyCode::Backspace => {
                id.pop();
            }
            KeyCode::Char(c)
                if id.len() < MAX_ID_LEN
                    && (c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') =>
            {
                id.push(c);
            }
            _ => {
                self.field = Field::Sensor(id);
                return Outcome::Ignored;
            }
        }
        self.field = Field::Sensor(id);
        Outcome::Edited
    }

    fn code(&mut self, request: Request, mut digits: String, key: KeyCode) -> Outcome {
        match key {
            KeyCode::Esc => return Outcome::Cancelled,
            KeyCode::Enter if CODE_DIGITS.contains(&digits.len()) => {
                return Outcome::Send {
                    request,
                    code: digits,
                };
            }
            KeyCode::Backspace => {
                digits.pop();
            }
            KeyCode::Char(c) if c.is_ascii_digit() && digits.len() < *CODE_DIGITS.end() => {
                digits.push(c);
            }
            _ => {
                self.field = Field::Code { request, digits };
                return Outcome::Ignored;
            }
        }
        self.field = Field::Code { request, digits };
        Outcome::Edited
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(keys: &mut Keys, text: &str) -> Outcome {
        let mut last = Outcome::Ignored;
        for c in text.chars() {
            last = keys.press(key(KeyCode::Char(c)));
        }
        last
    }

    #[test]
    fn arm_asks_the_code_masked_and_enter_sends_it() {
        let mut keys = Keys::default();
        assert_eq!(keys.press(key(KeyCode::Char('a'))), Outcome::Edited);
        type_text(&mut keys, "1234");
        let prompt = keys.prompt().unwrap_or_default();
        assert!(prompt.starts_with("code for arm away: ****_"), "{prompt}");
        assert!(!prompt.contains("1234"), "{prompt}");
        assert_eq!(
            keys.press(key(KeyCode::Enter)),
            Outcome::Send {
                request: Request::Arm(Mode::Away),
                code: "1234".to_string()
            }
        );
        assert_eq!(keys.prompt(), None, "the field closes once sent");
    }

    #[test]
    fn the_code_field_takes_digits_only_and_backspace() {
        let mut keys = Keys::default();
        keys.press(key(KeyCode::Char('d')));
        type_text(&mut keys, "12x3q");
        keys.press(key(KeyCode::Backspace));
        type_text(&mut keys, "45");
        assert_eq!(
            keys.press(key(KeyCode::Enter)),
            Outcome::Send {
                request: Request::Disarm,
                code: "1245".to_string()
            }
        );
    }

    #[test]
    fn a_short_code_is_not_sent_and_a_long_one_stops_at_twelve_digits() {
        let mut keys = Keys::default();
        keys.press(key(KeyCode::Char('h')));
        type_text(&mut keys, "123");
        assert_eq!(keys.press(key(KeyCode::Enter)), Outcome::Ignored);
        type_text(&mut keys, "4567890123456");
        let Outcome::Send { code, .. } = keys.press(key(KeyCode::Enter)) else {
            panic!("twelve digits are a code");
        };
        assert_eq!(code, "123456789012");
    }

    #[test]
    fn esc_cancels_a_field_and_quits_when_idle() {
        let mut keys = Keys::default();
        keys.press(key(KeyCode::Char('n')));
        type_text(&mut keys, "12");
        assert_eq!(keys.press(key(KeyCode::Esc)), Outcome::Cancelled);
        assert_eq!(keys.prompt(), None);
        assert_eq!(keys.press(key(KeyCode::Esc)), Outcome::Quit);
        assert_eq!(keys.press(key(KeyCode::Char('q'))), Outcome::Quit);
    }

    #[test]
    fn q_is_a_letter_in_a_sensor_id_and_ctrl_c_always_quits() {
        let mut keys = Keys::default();
        keys.press(key(KeyCode::Char('b')));
        type_text(&mut keys, "aq");
        assert!(keys.prompt().unwrap_or_default().contains("aq_"));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keys.press(ctrl_c), Outcome::Quit);
    }

    #[test]
    fn bypass_asks_the_sensor_then_the_code() {
        let mut keys = Keys::default();
        keys.press(key(KeyCode::Char('b')));
        // Not an id character, and an empty id is not taken.
        assert_eq!(keys.press(key(KeyCode::Char('X'))), Outcome::Ignored);
        assert_eq!(keys.press(key(KeyCode::Enter)), Outcome::Ignored);
        type_text(&mut keys, "back-door");
        keys.press(key(KeyCode::Enter));
        assert!(
            keys.prompt()
                .unwrap_or_default()
                .starts_with("code for bypass back-door: _")
        );
        type_text(&mut keys, "2580");
        let Outcome::Send { request, code } = keys.press(key(KeyCode::Enter)) else {
            panic!("a bypass with a code is sent");
        };
        assert_eq!(request, Request::Bypass("back-door".to_string()));
        assert_eq!(code, "2580");
        assert!(matches!(
            request.action(),
            Action::Bypass { sensors, on: true } if sensors == ["back-door"]
        ));
    }

    #[test]
    fn key_releases_are_not_presses() {
        let mut keys = Keys::default();
        let mut release = key(KeyCode::Char('q'));
        release.kind = KeyEventKind::Release;
        assert_eq!(keys.press(release), Outcome::Ignored);
    }
}
