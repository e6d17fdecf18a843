//! The people: where each occupant is, what the simulator believes the
//! alarm is set to, and the scripts that turn a routine, an intrusion or a
//! quiet moment at home into timed sensor reports and keypad lines.
//!
//! Scripts run one after another (a task starts once the previous one is
//! over and every motion sensor it touched has cleared), so the controller
//! never sees an arm while a counted detector is still active. The scripts
//! follow the alarm rules: arm only when the counted sensors are at rest,
//! leave within the exit delay, disarm within the entry delay, never move
//! in front of a detector the mode counts; with a sensor known stuck or
//! silent, occupants force the arm as they would at a refusing keypad.

use super::emit::{By, Emit};
use super::faults::FaultBook;
use super::resolve::{Layout, Plan};
use super::rng::Rng;
use super::scenario::Action;
use homesec_ipc::line::Control;
use homesec_ipc::{Mode, SensorKind, SensorState};

/// How long a motion detector holds `motion` before reporting `clear`.
const MOTION_HOLD_MS: (i64, i64) = (10_000, 30_000);
/// Pause between the end of one task and the start of the next.
const TASK_GAP_MS: i64 = 60_000;

/// Where an occupant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// At home and awake.
    Home,
    /// At home, asleep.
    Asleep,
    /// Out.
    Away,
}

impl Place {
    /// The place after `action`, or `None` when it cannot happen from here
    /// (leaving while away, waking while awake).
    pub(crate) fn after(self, action: Action) -> Option<Place> {
        match (self, action) {
            (Place::Asleep, Action::Wake) | (Place::Away, Action::ComeHome) => Some(Place::Home),
            (Place::Home, Action::Leave) => Some(Place::Away),
            (Place::Home, Action::Sleep) => Some(Place::Asleep),
            _ => None,
        }
    }
}

/// Something to do on a simulated day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Task {
    /// Set the alarm as the occupants' places at the start call for.
    Settle,
    /// Occupant `who` runs a routine.
    Routine { who: usize, action: Action },
    /// Intrusion number `index` of the plan.
    Intrusion(usize),
    /// Keypad line number `index` of the plan.
    Keypad(usize),
}

/// The occupants and what the simulator believes about the house.
#[derive(Debug)]
pub(crate) struct Household {
    places: Vec<Place>,
    /// The mode the occupants last armed in; `None` once disarmed.
    armed: Option<Mode>,
    /// Contacts an intruder left open, closed by the next occupant about.
    left_open: Vec<usize>,
    /// When the house is free for the next task.
    cursor: i64,
}

/// What a script may read.
pub(crate) struct Ctx<'a> {
    pub plan: &'a Plan,
    pub faults: &'a FaultBook,
}

impl Household {
    /// A household with occupants at `places`, free from `start`.
    pub(crate) fn new(places: Vec<Place>, start: i64) -> Household {
        Household {
            places,
            armed: None,
            left_open: Vec::new(),
            cursor: start,
        }
    }

    /// Runs `tasks` (sorted by anchor) for the day `day` (start and end,
    /// house ms), filling the time between them with life at home. Nothing
    /// it writes is due before the day starts: the engine may already have
    /// sent everything before that.
    pub(crate) fn run_day(
        &mut self,
        ctx: &Ctx<'_>,
        tasks: &[(i64, Task)],
        (day_start, day_end): (i64, i64),
        rng: &mut Rng,
        out: &mut Vec<(i64, Emit)>,
    ) {
        self.cursor = self.cursor.max(day_start);
        for &(anchor, task) in tasks {
            self.fill(ctx, anchor, rng, out);
            // Keypad lines are typed at their time; people wait their turn.
            let people = !matches!(task, Task::Keypad(_));
            let begin = if people {
                anchor.max(self.cursor)
            } else {
                anchor
            };
            let mut script = Script::new(begin, rng, out);
            match task {
                Task::Settle => self.settle(ctx, &mut script),
                Task::Routine { who, action } => self.routine(ctx, who, action, &mut script),
                Task::Intrusion(index) => self.intrusion(ctx, index, &mut script),
                Task::Keypad(index) => self.keypad(ctx, index, &mut script),
            }
            if people {
                self.cursor = self.cursor.max(script.end() + TASK_GAP_MS);
            }
        }
        self.fill(ctx, day_end, rng, out);
    }

    /// Movement at home while someone is up and the alarm is off, until
    /// shortly before `until`.
    fn fill(&mut self, ctx: &Ctx<'_>, until: i64, rng: &mut Rng, out: &mut Vec<(i64, Emit)>) {
        let Some(layout) = &ctx.plan.layout else {
            return;
        };
        let mean = layout.activity_ms;
        loop {
            if self.armed.is_some() || !self.places.contains(&Place::Home) {
                return;
            }
            let at = self.cursor + rng.between(mean / 2, mean + mean / 2);
            if at + TASK_GAP_MS * 3 > until {
                return;
            }
            let mut script = Script::new(at, rng, out);
            self.tidy(&mut script);
            match script.rng.pick(&layout.doors).copied() {
                Some(door) if script.rng.chance(1, 6) => {
                    script.report(door, SensorState::Open);
                    script.pause(5, 90);
                    script.report(door, SensorState::Closed);
                }
                _ => {
                    let rooms = if layout.rooms.is_empty() {
                        &layout.hall
                    } else {
                        &layout.rooms
                    };
                    if let Some(&room) = script.rng.pick(rooms) {
                        script.motion(room);
                    }
                }
            }
            self.cursor = script.end() + TASK_GAP_MS;
        }
    }

    fn keypad(&mut self, ctx: &Ctx<'_>, index: usize, script: &mut Script<'_>) {
        let Some(line) = ctx.plan.keypad.get(index) else {
            return;
        };
        match line.control {
            Control::Arm { mode, .. } => self.armed = Some(mode),
            Control::Disarm { .. } => self.armed = None,
            Control::Bypass { .. } => {}
        }
        script.keypad(line.line.clone());
    }

    /// At the start nobody has touched the keypad yet: arm as the
    /// occupants would have when they went out or to bed.
    fn settle(&mut self, ctx: &Ctx<'_>, script: &mut Script<'_>) {
        if self.places.is_empty() || self.places.contains(&Place::Home) {
            return;
        }
        let (mode, who) = match self.places.iter().position(|p| *p == Place::Asleep) {
            Some(sleeper) => (Mode::Night, sleeper),
            None => (Mode::Away, 0),
        };
        self.arm(ctx, who, mode, script);
    }

    fn routine(&mut self, ctx: &Ctx<'_>, who: usize, action: Action, script: &mut Script<'_>) {
        let (Some(&place), Some(layout)) = (self.places.get(who), &ctx.plan.layout) else {
            return;
        };
        let Some(next) = place.after(action) else {
            return;
        };
        let others = |wanted: Place| {
            self.places
                .iter()
                .enumerate()
                .any(|(i, p)| i != who && *p == wanted)
        };
        let others_up = others(Place::Home);
        let others_asleep = others(Place::Asleep);
        match action {
            Action::Wake => self.wake(ctx, who, layout, script),
            Action::Leave => self.leave(ctx, who, layout, others_up, others_asleep, script),
            Action::ComeHome => self.come_home(ctx, who, layout, script),
            Action::Sleep => self.sleep(ctx, who, layout, others_up, script),
        }
        self.places[who] = next;
    }

    /// Disarm from night mode first: the hall detector counts at night.
    fn wake(&mut self, ctx: &Ctx<'_>, who: usize, layout: &Layout, script: &mut Script<'_>) {
        if self.armed.is_some() {
            self.disarm(ctx, who, script);
        }
        script.pause(5, 30);
        script.walk(&layout.hall);
        script.walk_one(&layout.rooms);
        self.tidy(script);
    }

    fn leave(
        &mut self,
        ctx: &Ctx<'_>,
        who: usize,
        layout: &Layout,
        others_up: bool,
        others_asleep: bool,
        script: &mut Script<'_>,
    ) {
        self.tidy(script);
        if self.armed.is_some() {
            self.disarm(ctx, who, script);
        }
        script.walk_one(&layout.rooms);
        if others_up {
            script.walk(&layout.hall);
            script.pause(2, 5);
            script.report(layout.entrance, SensorState::Open);
            script.pause(3, 6);
            script.report(layout.entrance, SensorState::Closed);
            return;
        }
        let mode = if others_asleep {
            Mode::Night
        } else {
            Mode::Away
        };
        script.wait_until_quiet();
        let armed_at = script.now;
        self.arm(ctx, who, mode, script);
        // Out of the door well inside the exit delay, shut behind.
        let exit = ctx.plan.exit_delay_ms;
        script.pause(2, 4);
        script.walk(&layout.hall);
        let open_at = armed_at + script.rng.between(exit / 4, exit / 2);
        script.now = script.now.max(open_at);
        script.report(layout.entrance, SensorState::Open);
        let close_at = script.now + script.rng.between(3_000, 6_000);
        script.now = close_at
            .min(armed_at + exit - exit / 10)
            .max(script.now + 1_000);
        script.report(layout.entrance, SensorState::Closed);
    }

    /// Door, keypad within the entry delay, door shut, then into the house.
    fn come_home(&mut self, ctx: &Ctx<'_>, who: usize, layout: &Layout, script: &mut Script<'_>) {
        let opened_at = script.now;
        script.report(layout.entrance, SensorState::Open);
        if self.armed.is_some() {
            let delay = layout.entry_delay_ms;
            let disarm_at = opened_at + script.rng.between(delay / 5, delay * 3 / 5);
            script.now = disarm_at.max(opened_at + 1_000);
            self.disarm(ctx, who, script);
        }
        script.pause(2, 8);
        script.report(layout.entrance, SensorState::Closed);
        script.walk(&layout.hall);
        script.walk_one(&layout.rooms);
        self.tidy(script);
    }

    /// The last one up arms night once the detectors have cleared.
    fn sleep(
        &mut self,
        ctx: &Ctx<'_>,
        who: usize,
        layout: &Layout,
        others_up: bool,
        script: &mut Script<'_>,
    ) {
        self.tidy(script);
        script.walk_one(&layout.rooms);
        script.walk(&layout.hall);
        if !others_up {
            script.wait_until_quiet();
            self.arm(ctx, who, Mode::Night, script);
        }
    }

    /// Someone gets in and moves about; a contact is left open, a broken
    /// pane reports its alarm and clears.
    fn intrusion(&mut self, ctx: &Ctx<'_>, index: usize, script: &mut Script<'_>) {
        let Some(intrusion) = ctx.plan.intrusions.get(index) else {
            return;
        };
        let entry = intrusion.entry;
        if ctx.plan.sensors[entry].kind == SensorKind::Glass {
            script.report(entry, SensorState::Alarm);
            script.pause(3, 8);
            script.report(entry, SensorState::Clear);
        } else {
            script.report(entry, SensorState::Open);
            if !self.left_open.contains(&entry) {
                self.left_open.push(entry);
            }
        }
        let steps = i64::try_from(intrusion.path.len()).unwrap_or(1).max(1);
        let step_ms = intrusion.stay_ms / steps;
        for &sensor in &intrusion.path {
            script.now += script.rng.between(step_ms / 2, step_ms);
            script.motion(sensor);
        }
    }

    /// Closes what an intruder left open.
    fn tidy(&mut self, script: &mut Script<'_>) {
        for sensor in std::mem::take(&mut self.left_open) {
            script.pause(5, 20);
            script.report(sensor, SensorState::Closed);
        }
    }

    fn arm(&mut self, ctx: &Ctx<'_>, who: usize, mode: Mode, script: &mut Script<'_>) {
        let Some(code) = ctx.plan.occupants.get(who).map(|o| &o.code) else {
            return;
        };
        let at = script.now;
        let blocked = ctx.plan.sensors.iter().enumerate().any(|(i, sensor)| {
            sensor.counts_in(mode) && (ctx.faults.in_the_way(i, at) || self.left_open.contains(&i))
        });
        let force = if blocked { " force" } else { "" };
        script.keypad(format!("@arm {mode} {code}{force}"));
        self.armed = Some(mode);
    }

    fn disarm(&mut self, ctx: &Ctx<'_>, who: usize, script: &mut Script<'_>) {
        if let Some(occupant) = ctx.plan.occupants.get(who) {
            script.keypad(format!("@disarm {}", occupant.code));
            self.armed = None;
        }
    }
}

/// A run of actions in time, writing timed reports.
struct Script<'a> {
    rng: &'a mut Rng,
    out: &'a mut Vec<(i64, Emit)>,
    /// The actor's clock.
    now: i64,
    /// When every detector this script set off has cleared.
    quiet_at: i64,
}

impl<'a> Script<'a> {
    fn new(now: i64, rng: &'a mut Rng, out: &'a mut Vec<(i64, Emit)>) -> Script<'a> {
        Script {
            rng,
            out,
            now,
            quiet_at: now,
        }
    }

    fn pause(&mut self, min_s: i64, max_s: i64) {
        self.now += self.rng.between(min_s * 1000, max_s * 1000);
    }

    fn report(&mut self, sensor: usize, state: SensorState) {
        let by = By::Life;
        self.out
            .push((self.now, Emit::Sensor { sensor, state, by }));
    }

    fn keypad(&mut self, line: String) {
        self.out.push((self.now, Emit::Keypad(line)));
    }

    /// `motion` now, `clear` after the detector's hold time.
    fn motion(&mut self, sensor: usize) {
        self.report(sensor, SensorState::Motion);
        let clear_at = self.now + self.rng.between(MOTION_HOLD_MS.0, MOTION_HOLD_MS.1);
        let by = By::Life;
        let state = SensorState::Clear;
        self.out
            .push((clear_at, Emit::Sensor { sensor, state, by }));
        self.quiet_at = self.quiet_at.max(clear_at);
    }

    /// Past each of `sensors` in turn.
    fn walk(&mut self, sensors: &[usize]) {
        for &sensor in sensors {
            self.pause(2, 8);
            self.motion(sensor);
        }
    }

    /// Into one of `rooms`.
    fn walk_one(&mut self, rooms: &[usize]) {
        if let Some(&room) = self.rng.pick(rooms) {
            self.pause(2, 8);
            self.motion(room);
        }
    }

    /// On once every detector set off has cleared.
    fn wait_until_quiet(&mut self) {
        self.now = self.now.max(self.quiet_at);
        self.pause(2, 5);
    }

    fn end(&self) -> i64 {
        self.now.max(self.quiet_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_change_only_by_routines_that_fit() {
        assert_eq!(Place::Asleep.after(Action::Wake), Some(Place::Home));
        assert_eq!(Place::Home.after(Action::Leave), Some(Place::Away));
        assert_eq!(Place::Away.after(Action::ComeHome), Some(Place::Home));
        assert_eq!(Place::Home.after(Action::Sleep), Some(Place::Asleep));
        assert_eq!(Place::Away.after(Action::Leave), None);
        assert_eq!(Place::Home.after(Action::Wake), None);
        assert_eq!(Place::Asleep.after(Action::ComeHome), None);
    }
}
