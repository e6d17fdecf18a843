//! Newest report wins, per sensor. Queue priorities decide which sensor is
//! heard first; they must never decide the order of one sensor's own
//! reports. Every report carries when it was sent on the machine's
//! monotonic clock (the queue message's `sent_at_ns`; a FIFO or pipe line
//! takes the moment it was read), and a report older than the newest one
//! applied for its sensor is stale: recorded as `superseded`, never applied.
//! A door sent `closed` then `open` while the controller was busy is
//! received `open`, `closed` (priority 2 before 1) and stays open.
//!
//! Heartbeats carry no state and are always taken (they keep supervision
//! fed); they neither move nor meet the mark.

use homesec_ipc::SensorState;
use std::collections::HashMap;

/// The newest report applied, per sensor.
#[derive(Debug, Default)]
pub struct ReportOrder {
    newest: HashMap<String, u64>,
}

impl ReportOrder {
    /// Whether a report of `sensor` sent at `sent_at_ns` is to be applied
    /// (and, if so, the newest now); `false`: a newer one was applied.
    pub fn admit(&mut self, sensor: &str, state: SensorState, sent_at_ns: u64) -> bool {
        if state == SensorState::Heartbeat {
            return true;
        }
        match self.newest.get_mut(sensor) {
            Some(newest) if sent_at_ns < *newest => false,
            Some(newest) => {
                *newest = sent_at_ns;
                true
            }
            None => {
                self.newest.insert(sensor.to_string(), sent_at_ns);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SensorState::{Closed, Heartbeat, Open};

    #[test]
    fn an_older_report_of_the_same_sensor_is_stale() {
        let mut order = ReportOrder::default();
        // Received open (sent at 20) before closed (sent at 10).
        assert!(order.admit("back-door", Open, 20));
        assert!(!order.admit("back-door", Closed, 10));
        // Another sensor has its own mark; equal times keep arrival order.
        assert!(order.admit("front-door", Closed, 10));
        assert!(order.admit("front-door", Open, 10));
        // Heartbeats always pass and move nothing.
        assert!(order.admit("back-door", Heartbeat, 1));
        assert!(order.admit("back-door", Closed, 21));
    }
}
