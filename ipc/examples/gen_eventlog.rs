//! Writes a realistic event log of about N bytes for one local day, for
//! benchmarks of the reader and the reporter.
//!
//! The file is `<data-dir>/events/<day>.jsonl`, written through [`Chain`] so
//! seq and hash chain are valid. Mostly sensor events of ten sensors (doors
//! and windows opening and closing, motion, heartbeats, batteries), with arm
//! and disarm cycles, intrusions, wrong codes, troubles and rejected input
//! mixed in. Records are spread evenly over the day at +01:00; same
//! arguments, same bytes.
//!
//! `cargo run --release -p homesec-ipc --example gen_eventlog -- <data-dir> <bytes> [<YYYY-MM-DD> [<seed>]]`

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone};
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::chain::Chain;
use homesec_ipc::eventlog::files::file_name;
use homesec_ipc::eventlog::record::{
    BypassReason, Cause, CodeResult, SCHEMA_VERSION, TroubleCondition,
};
use homesec_ipc::{AlarmState, Mode, SensorKind, SensorState};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

/// The average line length, to spread the records over the day.
const AVERAGE_LINE: u64 = 238;
const DAY_MS: i64 = 86_400_000;

struct Sensor {
    id: &'static str,
    zone: &'static str,
    kind: SensorKind,
    source: &'static str,
    /// How often it reports, relative to the others.
    weight: u64,
}

const SENSORS: [Sensor; 10] = [
    sensor("front-door", "entry", SensorKind::Door, "pipe:contacts", 12),
    sensor("back-door", "garden", SensorKind::Door, "pipe:contacts", 6),
    sensor("garage-door", "garage", SensorKind::Door, "mq", 4),
    sensor(
        "kitchen-window",
        "kitchen",
        SensorKind::Window,
        "pipe:contacts",
        5,
    ),
    sensor(
        "living-window",
        "living",
        SensorKind::Window,
        "pipe:contacts",
        3,
    ),
    sensor("hall-motion", "entry", SensorKind::Motion, "pipe:pir", 25),
    sensor(
        "living-motion",
        "living",
        SensorKind::Motion,
        "pipe:pir",
        20,
    ),
    sensor("landing-motion", "upstairs", SensorKind::Motion, "fifo", 15),
    sensor("kitchen-smoke", "kitchen", SensorKind::Smoke, "mq", 5),
    sensor("living-glass", "living", SensorKind::Glass, "mq", 5),
];

const fn sensor(
    id: &'static str,
    zone: &'static str,
    kind: SensorKind,
    source: &'static str,
    weight: u64,
) -> Sensor {
    Sensor {
        id,
        zone,
        kind,
        source,
        weight,
    }
}

const USERS: [&str; 3] = ["alice", "bob", "cleaner"];

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_eventlog: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let usage = "usage: gen_eventlog <data-dir> <bytes> [<YYYY-MM-DD> [<seed>]]";
    let (dir, bytes, day, seed) = match args.as_slice() {
        [dir, bytes] => (dir, bytes, "2026-11-22", "1"),
        [dir, bytes, day] => (dir, bytes, day.as_str(), "1"),
        [dir, bytes, day, seed] => (dir, bytes, day.as_str(), seed.as_str()),
        _ => return Err(usage.to_string()),
    };
    let bytes: u64 = bytes
        .parse()
        .map_err(|e| format!("bad byte count '{bytes}': {e}"))?;
    let day =
        NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|e| format!("bad day '{day}': {e}"))?;
    let seed: u64 = seed
        .parse()
        .map_err(|e| format!("bad seed '{seed}': {e}"))?;
    let events = Path::new(dir).join("events");
    std::fs::create_dir_all(&events).map_err(|e| format!("{}: {e}", events.display()))?;
    let path = events.join(file_name(day));
    let (records, written) = generate(&path, bytes, day, seed)?;
    println!("{}: {records} records, {written} bytes", path.display());
    Ok(())
}

fn generate(path: &Path, target: u64, day: NaiveDate, seed: u64) -> Result<(u64, u64), String> {
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = File::create(path).map_err(fail)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let zone = FixedOffset::east_opt(3600).ok_or("bad offset")?;
    let midnight = zone
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .ok_or("no local midnight")?;
    let step_ms = (DAY_MS / i64::try_from(target / AVERAGE_LINE).unwrap_or(1).max(1)).max(1);
    let mut house = House::new(seed);
    let mut chain = Chain::new();
    let mut line = Vec::with_capacity(1024);
    let (mut records, mut written) = (0u64, 0u64);
    let mut pending = vec![house.start()];
    while written < target {
        if pending.is_empty() {
            pending = house.step();
            pending.reverse();
        }
        let Some(event) = pending.pop() else { continue };
        let offset_ms = (i64::try_from(records).unwrap_or(i64::MAX))
            .saturating_mul(step_ms)
            .min(DAY_MS - 1);
        let ts: DateTime<FixedOffset> = midnight + Duration::milliseconds(offset_ms);
        line.clear();
        chain
            .append(ts, &event, &mut line)
            .map_err(|e| format!("cannot serialise {event:?}: {e}"))?;
        out.write_all(&line).map_err(fail)?;
        records += 1;
        written += line.len() as u64;
    }
    out.flush().map_err(fail)?;
    Ok((records, written))
}

/// The simulated house: sensor levels and the alarm state, so that the
/// events follow each other plausibly.
struct House {
    rng: u64,
    active: [bool; SENSORS.len()],
    armed: Option<Mode>,
    troubled: [bool; SENSORS.len()],
}

impl House {
    fn new(seed: u64) -> Self {
        House {
            rng: seed,
            active: [false; SENSORS.len()],
            armed: None,
            troubled: [false; SENSORS.len()],
        }
    }

    /// splitmix64: small, fast, and enough for test data.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn start(&self) -> Event {
        Event::Start {
            instance: "home".into(),
            pid: 4242,
            version: "0.1.0".into(),
            schema: SCHEMA_VERSION,
            config: "/etc/homesec/house.toml".into(),
        }
    }

    /// The events of one step: mostly one sensor event, sometimes a short
    /// sequence (an arm, a disarm, an intrusion).
    fn step(&mut self) -> Vec<Event> {
        match self.below(10_000) {
            0..9_300 => vec![self.sensor_event()],
            9_300..9_450 => self.arm_or_disarm(),
            9_450..9_480 => self.intrusion(),
            9_480..9_650 => vec![self.code("disarm", CodeResult::Wrong, None)],
            9_650..9_750 => vec![self.trouble()],
            9_750..9_950 => vec![Event::Rejected {
                source: "fifo".into(),
                reason: "unknown sensor 'attic-window'".into(),
                input: "attic-window open".into(),
            }],
            9_950..9_980 => vec![Event::Bypass {
                sensor: "garage-door".into(),
                reason: BypassReason::Manual,
                user: Some("bob".into()),
                source: "rpc".into(),
            }],
            _ => vec![
                Event::Signal {
                    signal: "SIGHUP".into(),
                    sender_pid: Some(1),
                },
                Event::Config {
                    accepted: true,
                    path: "/etc/homesec/house.toml".into(),
                    error: None,
                },
            ],
        }
    }

    fn pick_sensor(&mut self) -> usize {
        let total: u64 = SENSORS.iter().map(|s| s.weight).sum();
        let mut roll = self.below(total);
        for (i, s) in SENSORS.iter().enumerate() {
            if roll < s.weight {
                return i;
            }
            roll -= s.weight;
        }
        0
    }

    fn sensor_event(&mut self) -> Event {
        let i = self.pick_sensor();
        let s = &SENSORS[i];
        let state = match self.below(1000) {
            0 => SensorState::LowBattery,
            1 => SensorState::BatteryOk,
            2..80 => SensorState::Heartbeat,
            _ if matches!(s.kind, SensorKind::Smoke | SensorKind::Glass) => SensorState::Clear,
            _ => {
                self.active[i] = !self.active[i];
                let [active, rest] = match s.kind {
                    SensorKind::Motion => [SensorState::Motion, SensorState::Clear],
                    _ => [SensorState::Open, SensorState::Closed],
                };
                if self.active[i] { active } else { rest }
            }
        };
        Event::Sensor {
            sensor: s.id.into(),
            zone: s.zone.into(),
            sensor_kind: s.kind,
            state,
            source: s.source.into(),
        }
    }

    fn user(&mut self) -> String {
        let i = usize::try_from(self.below(USERS.len() as u64)).unwrap_or(0);
        USERS[i].into()
    }

    fn code(&mut self, action: &str, result: CodeResult, user: Option<String>) -> Event {
        Event::Code {
            action: action.into(),
            result,
            user,
            source: "fifo".into(),
        }
    }

    fn alarm(&self, from: AlarmState, to: AlarmState, cause: Cause) -> AlarmBuilder {
        AlarmBuilder(Event::Alarm {
            from,
            to,
            mode: self.armed,
            cause,
            sensor: None,
            zone: None,
            user: None,
            delay_ms: None,
            source: "fifo".into(),
        })
    }

    fn arm_or_disarm(&mut self) -> Vec<Event> {
        let user = self.user();
        if self.armed.is_some() {
            let code = self.code("disarm", CodeResult::Accepted, Some(user.clone()));
            let disarm = self
                .alarm(AlarmState::Armed, AlarmState::Disarmed, Cause::Disarm)
                .user(&user);
            self.armed = None;
            return vec![code, disarm.no_mode()];
        }
        let mode =
            [Mode::Away, Mode::Home, Mode::Night][usize::try_from(self.below(3)).unwrap_or(0)];
        self.armed = Some(mode);
        vec![
            self.code("arm", CodeResult::Accepted, Some(user.clone())),
            self.alarm(AlarmState::Disarmed, AlarmState::Arming, Cause::Arm)
                .user(&user)
                .delay(30_000)
                .into(),
            self.alarm(AlarmState::Arming, AlarmState::Armed, Cause::ExitDelay)
                .timer()
                .into(),
        ]
    }

    fn intrusion(&mut self) -> Vec<Event> {
        if self.armed.is_none() {
            return vec![self.sensor_event()];
        }
        let s = &SENSORS[0];
        let mut events = vec![
            self.alarm(AlarmState::Armed, AlarmState::Pending, Cause::Intrusion)
                .sensor(s.id, s.zone)
                .delay(30_000)
                .into(),
        ];
        let user = self.user();
        if self.below(3) == 0 {
            events.push(
                self.alarm(
                    AlarmState::Pending,
                    AlarmState::Triggered,
                    Cause::EntryDelay,
                )
                .timer()
                .delay(180_000)
                .into(),
            );
            events.push(Event::siren(true));
            events.push(self.code("disarm", CodeResult::Accepted, Some(user.clone())));
            events.push(
                self.alarm(AlarmState::Triggered, AlarmState::Disarmed, Cause::Disarm)
                    .user(&user)
                    .no_mode(),
            );
            events.push(Event::siren(false));
        } else {
            events.push(self.code("disarm", CodeResult::Accepted, Some(user.clone())));
            events.push(
                self.alarm(AlarmState::Pending, AlarmState::Disarmed, Cause::Disarm)
                    .user(&user)
                    .no_mode(),
            );
        }
        self.armed = None;
        events
    }

    fn trouble(&mut self) -> Event {
        let i = self.pick_sensor();
        self.troubled[i] = !self.troubled[i];
        Event::Trouble {
            sensor: SENSORS[i].id.into(),
            zone: SENSORS[i].zone.into(),
            condition: if i % 2 == 0 {
                TroubleCondition::Offline
            } else {
                TroubleCondition::LowBattery
            },
            active: self.troubled[i],
        }
    }
}

/// Fills in the optional fields of an `alarm` event.
struct AlarmBuilder(Event);

impl AlarmBuilder {
    fn user(mut self, name: &str) -> Self {
        if let Event::Alarm { user, .. } = &mut self.0 {
            *user = Some(name.into());
        }
        self
    }

    fn delay(mut self, ms: u64) -> Self {
        if let Event::Alarm { delay_ms, .. } = &mut self.0 {
            *delay_ms = Some(ms);
        }
        self
    }

    fn sensor(mut self, id: &str, in_zone: &str) -> Self {
        if let Event::Alarm { sensor, zone, .. } = &mut self.0 {
            *sensor = Some(id.into());
            *zone = Some(in_zone.into());
        }
        self
    }

    fn timer(mut self) -> Self {
        if let Event::Alarm { source, .. } = &mut self.0 {
            *source = "timer".into();
        }
        self
    }

    fn no_mode(mut self) -> Event {
        if let Event::Alarm { mode, .. } = &mut self.0 {
            *mode = None;
        }
        self.0
    }
}

impl From<AlarmBuilder> for Event {
    fn from(builder: AlarmBuilder) -> Event {
        builder.0
    }
}
