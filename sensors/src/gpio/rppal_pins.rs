//! The only code that calls rppal: opens the GPIO, configures input pins
//! with their pull resistor and an edge interrupt on both edges. rppal runs
//! the interrupt callbacks on its own thread; the pins stay watched as long
//! as this value lives (dropping an `InputPin` clears its interrupt).

use super::logic::{EdgeFn, PinSource};
use homesec_config::{Level, Pull};
use rppal::gpio::{self, Gpio, InputPin, Trigger};

/// The Raspberry Pi's GPIO through rppal.
pub struct RppalPins {
    gpio: Gpio,
    watched: Vec<InputPin>,
}

impl RppalPins {
    /// Opens the GPIO; fails off a Raspberry Pi. The error is rppal's, in words.
    pub fn open() -> Result<RppalPins, String> {
        let gpio = Gpio::new().map_err(|e| e.to_string())?;
        Ok(RppalPins {
            gpio,
            watched: Vec::new(),
        })
    }
}

impl PinSource for RppalPins {
    fn watch(&mut self, pin: u8, pull: Pull, mut on_edge: EdgeFn) -> Result<Level, String> {
        let raw = self.gpio.get(pin).map_err(|e| e.to_string())?;
        let mut input = match pull {
            Pull::Up => raw.into_input_pullup(),
            Pull::Down => raw.into_input_pulldown(),
            Pull::None => raw.into_input(),
        };
        // Debounce is ours (per sensor, with reports on settle), so rppal's
        // kernel debounce stays off.
        input
            .set_async_interrupt(Trigger::Both, None, move |event| {
                on_edge(level_after(event.trigger));
            })
            .map_err(|e| e.to_string())?;
        let level = from_rppal(input.read());
        self.watched.push(input);
        Ok(level)
    }
}

/// The level an edge leaves the pin at.
fn level_after(trigger: Trigger) -> Level {
    match trigger {
        Trigger::RisingEdge => Level::High,
        _ => Level::Low,
    }
}

fn from_rppal(level: gpio::Level) -> Level {
    match level {
        gpio::Level::High => Level::High,
        gpio::Level::Low => Level::Low,
    }
}
