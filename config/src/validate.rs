//! Turns the raw TOML structs into the resolved [`Config`], checking every
//! rule the schema states. Checks do not stop at the first failure: each
//! problem is recorded with its span and the one earliest in the file is
//! reported, so a user fixing errors one at a time goes top to bottom.

use crate::access::Access;
use crate::code_hash::check_phc;
use crate::duration::{format_duration, parse_duration};
use crate::error::Problem;
use crate::model::*;
use crate::raw::*;
use homesec_ipc::paths::valid_instance_name;
use homesec_ipc::{SensorKind, valid_id};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;
use toml::Spanned;

/// Resolves `raw` into a `Config`, or returns the earliest problem in the file.
pub(crate) fn resolve(raw: RawHouse, source: ConfigSource) -> Result<Config, Problem> {
    let mut found = Problems::default();
    let instance = match &raw.instance {
        Some(name) => found.check(instance_name(name)),
        None => Some(DEFAULT_INSTANCE.to_string()),
    };
    let paths = found.check(paths(&raw.paths));
    let access = found.check(access(&raw.access));
    let timers = found.check(timers(&raw.timers));
    let codes = found.check(code_policy(&raw.codes));
    let alarm = found.check(alarm_policy(&raw.alarm));
    let siren = match &raw.siren {
        Some(siren) => found.check(resolve_siren(siren)).map(Some),
        None => Some(None),
    };
    let zones = resolve_zones(&raw.zones, &mut found);
    let sensors = timers.map(|t| resolve_sensors(&raw, &t, &mut found));
    check_pins(&raw, &mut found);
    let users = resolve_users(&raw.users, &mut found);
    let cameras = resolve_cameras(&raw.cameras, &mut found);
    let detectors = resolve_detectors(&raw.detectors, &mut found);
    let endpoints = found.check(endpoints(&raw.endpoints));
    let config = (|| {
        Some(Config {
            source,
            instance: instance?,
            paths: paths?,
            access: access?,
            timers: timers?,
            codes: codes?,
            alarm: alarm?,
            siren: siren?,
            zones,
            sensors: sensors?,
            users,
            cameras,
            detectors,
            endpoints: endpoints?,
        })
    })();
    match (found.earliest(), config) {
        (None, Some(config)) => non_empty(config),
        (Some(first), _) => Err(first),
        // Every None above comes with a recorded problem; this arm only keeps
        // the match total.
        (None, None) => Err(Problem::new(0..0, "", "invalid house description")),
    }
}

/// Refuses a house that could never work: one without sensors guards
/// nothing, one without users can never be disarmed. (An empty or truncated
/// file parses as exactly that, and must not replace a working house.)
fn non_empty(config: Config) -> Result<Config, Problem> {
    if config.sensors.is_empty() {
        return Err(Problem::new(
            0..0,
            "sensors",
            "the house has no sensors: add at least one [[sensors]] table (is the file empty or cut short?)",
        ));
    }
    if config.users.is_empty() {
        return Err(Problem::new(
            0..0,
            "users",
            "the house has no users, so nobody could disarm it: add at least one [[users]] table with a code_hash",
        ));
    }
    Ok(config)
}

/// The problems found so far.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    /// The value, or None after recording the problem.
    fn check<T>(&mut self, result: Result<T, Problem>) -> Option<T> {
        result.map_err(|p| self.0.push(p)).ok()
    }

    fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// The problem that starts first in the file.
    fn earliest(self) -> Option<Problem> {
        self.0.into_iter().min_by_key(|p| p.span.start)
    }
}

/// A problem at a spanned value.
fn at<T>(value: &Spanned<T>, field: &str, message: impl Into<String>) -> Problem {
    Problem::new(value.span(), field, message)
}

fn instance_name(name: &Text) -> Result<String, Problem> {
    if valid_instance_name(name.get_ref()) {
        Ok(name.get_ref().clone())
    } else {
        Err(at(
            name,
            "instance",
            format!(
                "invalid instance name '{}': use 1 to 32 characters of a-z, 0-9, '-' and '_', starting with a letter or digit",
                name.get_ref()
            ),
        ))
    }
}

/// A valid id (sensor, zone, user, camera, detector).
fn id(text: &Text, field: &str, what: &str) -> Result<String, Problem> {
    if valid_id(text.get_ref()) {
        Ok(text.get_ref().clone())
    } else {
        Err(at(
            text,
            field,
            format!(
                "invalid {what} id '{}': use 1 to 32 characters of a-z, 0-9, '-' and '_', starting with a letter or digit",
                text.get_ref()
            ),
        ))
    }
}

fn duration(text: &Text, field: &str) -> Result<Duration, Problem> {
    parse_duration(text.get_ref()).map_err(|e| at(text, field, e.to_string()))
}

fn duration_or(text: &Option<Text>, field: &str, default: Duration) -> Result<Duration, Problem> {
    text.as_ref().map_or(Ok(default), |t| duration(t, field))
}

/// A whole number in `range`, or a problem naming the range.
fn number_in(
    value: &Spanned<i64>,
    field: &str,
    range: Range<i64>,
    what: &str,
) -> Result<i64, Problem> {
    let n = *value.get_ref();
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(at(
            value,
            field,
            format!(
                "{what} {n} is out of range ({} to {})",
                range.start,
                range.end - 1
            ),
        ))
    }
}

fn level(text: &Text, field: &str) -> Result<Level, Problem> {
    match text.get_ref().as_str() {
        "high" => Ok(Level::High),
        "low" => Ok(Level::Low),
        other => Err(at(
            text,
            field,
            format!("unknown level '{other}' (expected high or low)"),
        )),
    }
}

fn pull(text: &Text, field: &str) -> Result<Pull, Problem> {
    match text.get_ref().as_str() {
        "up" => Ok(Pull::Up),
        "down" => Ok(Pull::Down),
        "none" => Ok(Pull::None),
        other => Err(at(
            text,
            field,
            format!("unknown pull '{other}' (expected up, down or none)"),
        )),
    }
}

fn absolute_path(text: &Option<Text>, field: &str) -> Result<Option<PathBuf>, Problem> {
    match text {
        None => Ok(None),
        Some(t) if t.get_ref().starts_with('/') => Ok(Some(PathBuf::from(t.get_ref()))),
        Some(t) => Err(at(
            t,
            field,
            format!("'{}' is not an absolute path", t.get_ref()),
        )),
    }
}

fn paths(raw: &RawPaths) -> Result<Paths, Problem> {
    Ok(Paths {
        runtime_dir: absolute_path(&raw.runtime_dir, "paths.runtime_dir")?,
        data_dir: absolute_path(&raw.data_dir, "paths.data_dir")?,
        log_dir: absolute_path(&raw.log_dir, "paths.log_dir")?,
    })
}

fn access(raw: &RawAccess) -> Result<Access, Problem> {
    let name = |text: &Option<Text>, field: &str| -> Result<Option<String>, Problem> {
        let Some(text) = text else { return Ok(None) };
        let name = text.get_ref();
        let valid = (1..=32).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
            && !name.starts_with('-');
        if !valid {
            return Err(at(
                text,
                field,
                "not a user or group name: 1 to 32 of a-z, A-Z, 0-9, '_', '-', '.'",
            ));
        }
        Ok(Some(name.clone()))
    };
    Ok(Access {
        user: name(&raw.user, "access.user")?,
        group: name(&raw.group, "access.group")?,
    })
}

fn timers(raw: &RawTimers) -> Result<Timers, Problem> {
    let d = Timers::default();
    let timers = Timers {
        exit_delay: duration_or(&raw.exit_delay, "timers.exit_delay", d.exit_delay)?,
        entry_delay: duration_or(&raw.entry_delay, "timers.entry_delay", d.entry_delay)?,
        trigger_duration: duration_or(
            &raw.trigger_duration,
            "timers.trigger_duration",
            d.trigger_duration,
        )?,
        supervision_timeout: duration_or(
            &raw.supervision_timeout,
            "timers.supervision_timeout",
            d.supervision_timeout,
        )?,
        heartbeat: duration_or(&raw.heartbeat, "timers.heartbeat", d.heartbeat)?,
        restart_backoff_max: duration_or(
            &raw.restart_backoff_max,
            "timers.restart_backoff_max",
            d.restart_backoff_max,
        )?,
    };
    if let Some(text) = &raw.entry_delay {
        check_entry_delay(timers.entry_delay, text, "timers.entry_delay")?;
    }
    for (value, text, field) in [
        (timers.heartbeat, &raw.heartbeat, "timers.heartbeat"),
        (
            timers.restart_backoff_max,
            &raw.restart_backoff_max,
            "timers.restart_backoff_max",
        ),
        (
            timers.trigger_duration,
            &raw.trigger_duration,
            "timers.trigger_duration",
        ),
        (
            timers.supervision_timeout,
            &raw.supervision_timeout,
            "timers.supervision_timeout",
        ),
    ] {
        if let (true, Some(text)) = (value.is_zero(), text) {
            return Err(at(text, field, "must be longer than 0s"));
        }
    }
    Ok(timers)
}

fn check_entry_delay(delay: Duration, text: &Text, field: &str) -> Result<(), Problem> {
    if delay > MAX_ENTRY_DELAY {
        Err(at(
            text,
            field,
            format!(
                "entry delay {} is longer than the {} limit",
                format_duration(delay),
                format_duration(MAX_ENTRY_DELAY)
            ),
        ))
    } else {
        Ok(())
    }
}

fn code_policy(raw: &RawCodes) -> Result<CodePolicy, Problem> {
    let d = CodePolicy::default();
    let max_wrong = match &raw.max_wrong {
        Some(n) => number_in(n, "codes.max_wrong", 1..1001, "max_wrong")? as u32,
        None => d.max_wrong,
    };
    Ok(CodePolicy {
        max_wrong,
        lockout: duration_or(&raw.lockout, "codes.lockout", d.lockout)?,
    })
}

fn alarm_policy(raw: &RawAlarm) -> Result<AlarmPolicy, Problem> {
    let swinger_limit = match &raw.swinger_limit {
        Some(n) => number_in(n, "alarm.swinger_limit", 1..1001, "swinger_limit")? as u32,
        None => AlarmPolicy::default().swinger_limit,
    };
    Ok(AlarmPolicy { swinger_limit })
}

fn gpio_pin(value: &Spanned<i64>, field: &str) -> Result<u8, Problem> {
    let n = *value.get_ref();
    match u8::try_from(n) {
        Ok(pin) if pin <= MAX_GPIO_PIN => Ok(pin),
        _ => Err(at(
            value,
            field,
            format!("GPIO pin {n} does not exist: use a BCM pin number from 0 to {MAX_GPIO_PIN}"),
        )),
    }
}

fn resolve_siren(raw: &Spanned<RawSiren>) -> Result<Siren, Problem> {
    let raw = raw.get_ref();
    Ok(Siren {
        pin: gpio_pin(&raw.pin, "siren.pin")?,
        active: raw
            .active
            .as_ref()
            .map_or(Ok(Level::High), |t| level(t, "siren.active"))?,
    })
}

/// Records a problem for each id already seen; `seen` maps an id to the
/// field path of its first use.
fn check_unique(
    seen: &mut HashMap<String, String>,
    text: &Text,
    field: &str,
    what: &str,
    found: &mut Problems,
) {
    let name = text.get_ref();
    match seen.get(name) {
        Some(first) => found.push(at(
            text,
            field,
            format!("duplicate {what} '{name}' (already used by {first})"),
        )),
        None => {
            seen.insert(name.clone(), field.to_string());
        }
    }
}

fn resolve_zones(raw: &[Spanned<RawZone>], found: &mut Problems) -> Vec<Zone> {
    let mut seen = HashMap::new();
    let mut zones = Vec::new();
    for (i, zone) in raw.iter().enumerate() {
        let zone = zone.get_ref();
        let field = format!("zones[{i}]");
        check_unique(
            &mut seen,
            &zone.id,
            &format!("{field}.id"),
            "zone id",
            found,
        );
        let id = found.check(id(&zone.id, &format!("{field}.id"), "zone"));
        let role = match &zone.role {
            Some(text) => found
                .check(zone_role(text, &format!("{field}.type")))
                .map(Some),
            None => Some(None),
        };
        if let (Some(id), Some(role)) = (id, role) {
            zones.push(Zone {
                name: zone
                    .name
                    .as_ref()
                    .map_or_else(|| id.clone(), |n| n.get_ref().clone()),
                id,
                role,
                night: zone.night.unwrap_or(false),
            });
        }
    }
    zones
}

fn zone_role(text: &Text, field: &str) -> Result<Role, Problem> {
    Role::from_wire(text.get_ref()).ok_or_else(|| {
        at(
            text,
            field,
            format!(
                "unknown zone type '{}' (expected perimeter, interior or 24h)",
                text.get_ref()
            ),
        )
    })
}

/// What a sensor needs from elsewhere in the file.
struct SensorContext<'a> {
    /// Zone id to (zone type, zone night), from the raw zones.
    zones: HashMap<&'a str, (Option<Role>, bool)>,
    /// Zone ids in file order, for messages.
    zone_list: String,
    timers: &'a Timers,
    /// `[timers] supervision_timeout` as written, if it was.
    default_timeout: Option<&'a Text>,
}

fn resolve_sensors(raw: &RawHouse, timers: &Timers, found: &mut Problems) -> Vec<Sensor> {
    let zones = raw
        .zones
        .iter()
        .map(|z| {
            let z = z.get_ref();
            let role = z.role.as_ref().and_then(|t| Role::from_wire(t.get_ref()));
            (z.id.get_ref().as_str(), (role, z.night.unwrap_or(false)))
        })
        .collect();
    let zone_list = raw
        .zones
        .iter()
        .map(|z| z.get_ref().id.get_ref().as_str())
        .collect::<Vec<_>>();
    let context = SensorContext {
        zones,
        zone_list: if zone_list.is_empty() {
            "none".to_string()
        } else {
            zone_list.join(", ")
        },
        timers,
        default_timeout: raw.timers.supervision_timeout.as_ref(),
    };
    let mut seen = HashMap::new();
    let mut sensors = Vec::new();
    for (i, sensor) in raw.sensors.iter().enumerate() {
        let field = format!("sensors[{i}]");
        check_unique(
            &mut seen,
            &sensor.get_ref().id,
            &format!("{field}.id"),
            "sensor id",
            found,
        );
        if let Some(sensor) = resolve_sensor(sensor, &field, &context, found) {
            sensors.push(sensor);
        }
    }
    sensors
}

fn resolve_sensor(
    raw: &Spanned<RawSensor>,
    field: &str,
    context: &SensorContext,
    found: &mut Problems,
) -> Option<Sensor> {
    let span = raw.span();
    let raw = raw.get_ref();
    let id = found.check(id(&raw.id, &format!("{field}.id"), "sensor"));
    let kind = found.check(
        raw.kind
            .get_ref()
            .parse::<SensorKind>()
            .map_err(|e| at(&raw.kind, &format!("{field}.kind"), e.to_string())),
    );
    let zone = found.check(sensor_zone(&raw.zone, field, context));
    let supervision = found.check(supervision(raw, field, context));
    let input = kind.and_then(|kind| found.check(input(raw, span, field, kind)));
    let (id, kind, (zone_role, zone_night), (interval, timeout), input) =
        (id?, kind?, zone?, supervision?, input?);
    let role = match kind {
        SensorKind::Smoke | SensorKind::Panic | SensorKind::Tamper => Role::TwentyFourHour,
        _ => zone_role.unwrap_or_else(|| Role::default_for(kind)),
    };
    let entry = found.check(entry(raw, field, kind, role, context.timers))?;
    Some(Sensor {
        name: raw
            .name
            .as_ref()
            .map_or_else(|| id.clone(), |n| n.get_ref().clone()),
        id,
        kind,
        zone: raw.zone.get_ref().clone(),
        role,
        night: raw.night.unwrap_or(zone_night),
        entry,
        supervision_interval: interval,
        supervision_timeout: timeout,
        input,
    })
}

fn sensor_zone(
    zone: &Text,
    field: &str,
    context: &SensorContext,
) -> Result<(Option<Role>, bool), Problem> {
    context
        .zones
        .get(zone.get_ref().as_str())
        .copied()
        .ok_or_else(|| {
            at(
                zone,
                &format!("{field}.zone"),
                format!(
                    "zone '{}' does not exist (known zones: {})",
                    zone.get_ref(),
                    context.zone_list
                ),
            )
        })
}

fn entry(
    raw: &RawSensor,
    field: &str,
    kind: SensorKind,
    role: Role,
    timers: &Timers,
) -> Result<Entry, Problem> {
    let delay_field = format!("{field}.entry_delay");
    let instant_field = format!("{field}.instant");
    let delay = match &raw.entry_delay {
        Some(text) => Some((text, duration(text, &delay_field)?)),
        None => None,
    };
    let instant = raw.instant.as_ref();
    if let (Some((text, _)), Some(flag)) = (delay, instant) {
        if *flag.get_ref() {
            let message = "entry_delay and instant = true contradict each other: keep one";
            return Err(if text.span().start > flag.span().start {
                at(text, &delay_field, message)
            } else {
                at(flag, &instant_field, message)
            });
        }
    }
    let always_instant = match (kind, role) {
        (SensorKind::Glass, _) => Some("a glass-break sensor is always instant"),
        (_, Role::TwentyFourHour) => Some("a 24-hour sensor always triggers at once"),
        _ => None,
    };
    if let Some(reason) = always_instant {
        if let Some((text, _)) = delay {
            return Err(at(
                text,
                &delay_field,
                format!("{reason}: remove entry_delay"),
            ));
        }
        if let Some(flag) = instant.filter(|f| !*f.get_ref()) {
            return Err(at(
                flag,
                &instant_field,
                format!("{reason}: remove instant = false"),
            ));
        }
        return Ok(Entry::Instant);
    }
    if let Some((text, delay)) = delay {
        check_entry_delay(delay, text, &delay_field)?;
        return Ok(Entry::Delayed(delay));
    }
    Ok(match (instant.map(|f| *f.get_ref()), kind) {
        (Some(true), _) => Entry::Instant,
        (Some(false), _) | (None, SensorKind::Door) => Entry::Delayed(timers.entry_delay),
        (None, _) => Entry::Instant,
    })
}

fn supervision(
    raw: &RawSensor,
    field: &str,
    context: &SensorContext,
) -> Result<(Duration, Duration), Problem> {
    let interval_field = format!("{field}.supervision_interval");
    let timeout_field = format!("{field}.supervision_timeout");
    let interval = duration_or(
        &raw.supervision_interval,
        &interval_field,
        DEFAULT_SUPERVISION_INTERVAL,
    )?;
    let timeout = duration_or(
        &raw.supervision_timeout,
        &timeout_field,
        context.timers.supervision_timeout,
    )?;
    if let (true, Some(text)) = (interval.is_zero(), &raw.supervision_interval) {
        return Err(at(text, &interval_field, "must be longer than 0s"));
    }
    if timeout >= interval.saturating_mul(2) {
        return Ok((interval, timeout));
    }
    let message = format!(
        "supervision_timeout {} must be at least twice supervision_interval {}, or one late report marks the sensor offline",
        format_duration(timeout),
        format_duration(interval)
    );
    // Point at whichever of the two this sensor set; with neither set the
    // timeout comes from [timers], which then must have been written.
    Err(
        match (
            &raw.supervision_timeout,
            &raw.supervision_interval,
            context.default_timeout,
        ) {
            (Some(text), _, _) => at(text, &timeout_field, message),
            (None, Some(text), _) => at(text, &interval_field, message),
            (None, None, Some(text)) => at(
                text,
                "timers.supervision_timeout",
                format!("{message} (sensor '{}' uses the default)", raw.id.get_ref()),
            ),
            (None, None, None) => at(&raw.id, &timeout_field, message),
        },
    )
}

fn input(
    raw: &RawSensor,
    span: Range<usize>,
    field: &str,
    kind: SensorKind,
) -> Result<Input, Problem> {
    match (&raw.gpio, &raw.simulated) {
        (Some(gpio), None) => {
            gpio_input(gpio.get_ref(), &format!("{field}.gpio"), kind).map(Input::Gpio)
        }
        (None, Some(_)) => Ok(Input::Simulated),
        (Some(gpio), Some(simulated)) => {
            let message = format!(
                "sensor '{}' has both [sensors.gpio] and [sensors.simulated]: keep one",
                raw.id.get_ref()
            );
            Err(if gpio.span().start > simulated.span().start {
                at(gpio, &format!("{field}.gpio"), message)
            } else {
                at(simulated, &format!("{field}.simulated"), message)
            })
        }
        (None, None) => Err(Problem::new(
            span,
            field,
            format!(
                "sensor '{}' has no input: add a [sensors.gpio] or a [sensors.simulated] table",
                raw.id.get_ref()
            ),
        )),
    }
}

/// The debounce a sensor gets when its `[sensors.gpio]` gives none:
/// mechanical contacts and buttons bounce, detector outputs do not.
fn default_debounce(kind: SensorKind) -> Duration {
    match kind {
        SensorKind::Door | SensorKind::Window | SensorKind::Tamper | SensorKind::Panic => {
            Duration::from_millis(20)
        }
        SensorKind::Motion | SensorKind::Glass | SensorKind::Smoke => Duration::ZERO,
    }
}

fn gpio_input(raw: &RawGpio, field: &str, kind: SensorKind) -> Result<GpioInput, Problem> {
    let debounce_field = format!("{field}.debounce");
    let debounce = duration_or(&raw.debounce, &debounce_field, default_debounce(kind))?;
    if let (true, Some(text)) = (debounce > MAX_DEBOUNCE, &raw.debounce) {
        return Err(at(
            text,
            &debounce_field,
            format!(
                "debounce {} is longer than the {} limit",
                format_duration(debounce),
                format_duration(MAX_DEBOUNCE)
            ),
        ));
    }
    Ok(GpioInput {
        pin: gpio_pin(&raw.pin, &format!("{field}.pin"))?,
        active: level(&raw.active, &format!("{field}.active"))?,
        pull: pull(&raw.pull, &format!("{field}.pull"))?,
        debounce,
    })
}

/// Records a problem for each GPIO pin used a second time (in file order),
/// naming both users; the siren's pin counts.
fn check_pins(raw: &RawHouse, found: &mut Problems) {
    let mut uses: Vec<(&Spanned<i64>, String, String)> = Vec::new();
    if let Some(siren) = &raw.siren {
        uses.push((
            &siren.get_ref().pin,
            "siren.pin".to_string(),
            "the siren".to_string(),
        ));
    }
    for (i, sensor) in raw.sensors.iter().enumerate() {
        if let Some(gpio) = &sensor.get_ref().gpio {
            let owner = format!("sensor '{}'", sensor.get_ref().id.get_ref());
            uses.push((&gpio.get_ref().pin, format!("sensors[{i}].gpio.pin"), owner));
        }
    }
    uses.sort_by_key(|(pin, _, _)| pin.span().start);
    let mut owners: HashMap<i64, &str> = HashMap::new();
    for (pin, field, owner) in &uses {
        match owners.get(pin.get_ref()) {
            Some(first) => found.push(at(
                pin,
                field,
                format!(
                    "GPIO pin {} is used by both {first} and {owner}",
                    pin.get_ref()
                ),
            )),
            None => {
                owners.insert(*pin.get_ref(), owner);
            }
        }
    }
}

fn resolve_users(raw: &[Spanned<RawUser>], found: &mut Problems) -> Vec<User> {
    let mut seen = HashMap::new();
    let mut users = Vec::new();
    for (i, user) in raw.iter().enumerate() {
        let user = user.get_ref();
        let field = format!("users[{i}]");
        check_unique(
            &mut seen,
            &user.name,
            &format!("{field}.name"),
            "user name",
            found,
        );
        let name = found.check(id(&user.name, &format!("{field}.name"), "user"));
        let code_hash = found.check(phc(&user.code_hash, &format!("{field}.code_hash")));
        let duress_hash = match &user.duress_hash {
            Some(text) => found
                .check(phc(text, &format!("{field}.duress_hash")))
                .map(Some),
            None => Some(None),
        };
        if let (Some(name), Some(code_hash), Some(duress_hash)) = (name, code_hash, duress_hash) {
            users.push(User {
                name,
                code_hash,
                duress_hash,
            });
        }
    }
    users
}

fn phc(text: &Text, field: &str) -> Result<String, Problem> {
    check_phc(text.get_ref())
        .map(|()| text.get_ref().clone())
        .map_err(|why| at(text, field, format!("not a usable argon2 hash ({why}); make one with homesec_config::code_hash::hash_code")))
}

fn resolve_cameras(raw: &[Spanned<RawCamera>], found: &mut Problems) -> Vec<Camera> {
    let mut seen = HashMap::new();
    let mut cameras = Vec::new();
    for (i, camera) in raw.iter().enumerate() {
        let camera = camera.get_ref();
        let field = format!("cameras[{i}]");
        check_unique(
            &mut seen,
            &camera.id,
            &format!("{field}.id"),
            "camera id",
            found,
        );
        let id = found.check(id(&camera.id, &format!("{field}.id"), "camera"));
        if camera.token.get_ref().is_empty() {
            found.push(at(
                &camera.token,
                &format!("{field}.token"),
                "the camera token is empty",
            ));
            continue;
        }
        if let Some(id) = id {
            cameras.push(Camera {
                name: camera
                    .name
                    .as_ref()
                    .map_or_else(|| id.clone(), |n| n.get_ref().clone()),
                id,
                token: camera.token.get_ref().clone(),
            });
        }
    }
    cameras
}

fn resolve_detectors(raw: &[Spanned<RawDetector>], found: &mut Problems) -> Vec<Detector> {
    let mut seen = HashMap::new();
    let mut detectors = Vec::new();
    for (i, detector) in raw.iter().enumerate() {
        let detector = detector.get_ref();
        let field = format!("detectors[{i}]");
        check_unique(
            &mut seen,
            &detector.name,
            &format!("{field}.name"),
            "detector name",
            found,
        );
        let name = found.check(id(&detector.name, &format!("{field}.name"), "detector"));
        let command = detector.command.get_ref();
        if command.first().is_none_or(String::is_empty) {
            found.push(at(
                &detector.command,
                &format!("{field}.command"),
                "the command needs a program: give it as [\"program\", \"arg\", ...]",
            ));
            continue;
        }
        if let Some(name) = name {
            detectors.push(Detector {
                name,
                command: command.clone(),
            });
        }
    }
    detectors
}

fn socket_addr(text: &Option<Text>, field: &str) -> Result<Option<SocketAddr>, Problem> {
    text.as_ref()
        .map(|t| {
            t.get_ref().parse::<SocketAddr>().map_err(|_| {
                at(
                    t,
                    field,
                    format!(
                        "'{}' is not a socket address like 127.0.0.1:7700",
                        t.get_ref()
                    ),
                )
            })
        })
        .transpose()
}

fn endpoints(raw: &RawEndpoints) -> Result<Endpoints, Problem> {
    let d = ControlLimits::default();
    let limit = |value: &Option<Spanned<i64>>, field: &str, most: i64, default: usize| {
        value.as_ref().map_or(Ok(default), |n| {
            let name = field.trim_start_matches("endpoints.");
            number_in(n, field, 1..most + 1, name).map(|n| n as usize)
        })
    };
    Ok(Endpoints {
        camera_tcp: socket_addr(&raw.camera_tcp, "endpoints.camera_tcp")?,
        control: ControlLimits {
            max_connections: limit(
                &raw.control_max_connections,
                "endpoints.control_max_connections",
                1024,
                d.max_connections,
            )?,
            max_in_flight: limit(
                &raw.control_max_in_flight,
                "endpoints.control_max_in_flight",
                256,
                d.max_in_flight,
            )?,
        },
    })
}
