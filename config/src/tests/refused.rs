//! Files that are refused, each with the line, column and field of the
//! first problem and a message that says what to do.

use super::*;

#[test]
fn syntax_error() {
    let text = "instance = \"home\"\n[timers\nexit_delay = \"1s\"\n";
    let err = parse_text(text).unwrap_err();
    assert!(matches!(err, ConfigError::Parse(_)), "{err}");
    let d = err.diagnostic().unwrap();
    assert_eq!((d.line, d.column), (2, 8), "{err}");
    assert_eq!(d.field, "");
    assert!(!d.message.contains('\n'), "{err}");
    assert!(err.to_string().starts_with("house.toml:2:8: "), "{err}");
}

#[test]
fn unknown_field_top_level_and_nested() {
    refused_at(
        "colour = \"red\"\n",
        "colour",
        0,
        "colour",
        "unknown field `colour`",
    );
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\n[sensors.gpio]\npin = 4\nactive = \"low\"\npull = \"up\"\nspeed = 1\n",
    );
    refused_at(
        &text,
        "speed",
        0,
        "sensors[1].gpio.speed",
        "unknown field `speed`",
    );
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\n[sensors.simulated]\nrate = 1\n",
    );
    refused_at(
        &text,
        "rate",
        0,
        "sensors[1].simulated.rate",
        "unknown field `rate`",
    );
}

#[test]
fn wrong_type_and_missing_field() {
    refused_at(
        "[timers]\nexit_delay = 30\n",
        "30",
        0,
        "timers.exit_delay",
        "invalid type",
    );
    let text = format!("{BASE}\n[[sensors]]\nid = \"x\"\nzone = \"entry\"\n[sensors.simulated]\n");
    refused_at(
        &text,
        "[[sensors]]",
        1,
        "sensors[1]",
        "missing field `kind`",
    );
}

#[test]
fn unknown_sensor_kind() {
    let text =
        with_sensor("id = \"x\"\nkind = \"doorbell\"\nzone = \"entry\"\n[sensors.simulated]\n");
    let d = refused_at(
        &text,
        "\"doorbell\"",
        0,
        "sensors[1].kind",
        "unknown sensor kind 'doorbell'",
    );
    assert!(d.message.contains("motion door window"), "{d}");
}

#[test]
fn duplicate_sensor_id_points_at_the_second() {
    let text = with_sensor(
        "id = \"front-door\"\nkind = \"window\"\nzone = \"entry\"\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "\"front-door\"",
        1,
        "sensors[1].id",
        "duplicate sensor id 'front-door' (already used by sensors[0].id)",
    );
}

#[test]
fn duplicate_zone_user_camera_detector_ids() {
    let text = format!("{BASE}\n[[zones]]\nid = \"living\"\n");
    refused_at(
        &text,
        "\"living\"",
        1,
        "zones[2].id",
        "duplicate zone id 'living'",
    );

    let hash = code_hash::hash_code("1234").unwrap();
    let text = format!(
        "{BASE}\n[[users]]\nname = \"a\"\ncode_hash = \"{hash}\"\n[[users]]\nname = \"a\"\ncode_hash = \"{hash}\"\n"
    );
    refused_at(
        &text,
        "\"a\"",
        1,
        "users[2].name",
        "duplicate user name 'a'",
    );

    let text = format!(
        "{BASE}\n[[cameras]]\nid = \"cam\"\ntoken = \"t\"\n[[cameras]]\nid = \"cam\"\ntoken = \"u\"\n"
    );
    refused_at(
        &text,
        "\"cam\"",
        1,
        "cameras[1].id",
        "duplicate camera id 'cam'",
    );

    let text = format!(
        "{BASE}\n[[detectors]]\nname = \"d\"\ncommand = [\"true\"]\n[[detectors]]\nname = \"d\"\ncommand = [\"true\"]\n"
    );
    refused_at(
        &text,
        "\"d\"",
        1,
        "detectors[1].name",
        "duplicate detector name 'd'",
    );
}

#[test]
fn sensor_zone_must_exist() {
    let text =
        with_sensor("id = \"x\"\nkind = \"motion\"\nzone = \"garage\"\n[sensors.simulated]\n");
    let d = refused_at(
        &text,
        "\"garage\"",
        0,
        "sensors[1].zone",
        "zone 'garage' does not exist (known zones: entry, living)",
    );
    let line = d.line;
    assert_eq!(
        d.to_string(),
        format!(
            "house.toml:{line}:8: sensors[1].zone: zone 'garage' does not exist (known zones: entry, living)"
        )
    );
}

#[test]
fn invalid_ids() {
    let text =
        with_sensor("id = \"Back Door\"\nkind = \"door\"\nzone = \"entry\"\n[sensors.simulated]\n");
    refused_at(
        &text,
        "\"Back Door\"",
        0,
        "sensors[1].id",
        "invalid sensor id 'Back Door'",
    );
    refused_at(
        "[[zones]]\nid = \"-x\"\n",
        "\"-x\"",
        0,
        "zones[0].id",
        "invalid zone id",
    );
    let text = format!("[[cameras]]\nid = \"{}\"\ntoken = \"t\"\n", "c".repeat(33));
    refused_at(&text, "\"ccc", 0, "cameras[0].id", "invalid camera id");
    refused_at(
        "instance = \"My House\"\n",
        "\"My House\"",
        0,
        "instance",
        "invalid instance name",
    );
}

#[test]
fn gpio_pin_used_twice_names_both_sensors() {
    let text = format!(
        "{BASE}\n{}{}",
        gpio_sensor("w1", "17"),
        gpio_sensor("w2", "17")
    );
    refused_at(
        &text,
        "17",
        1,
        "sensors[2].gpio.pin",
        "GPIO pin 17 is used by both sensor 'w1' and sensor 'w2'",
    );
}

#[test]
fn siren_pin_counts_in_file_order() {
    let text = format!("{BASE}\n{}\n[siren]\npin = 12\n", gpio_sensor("w1", "12"));
    refused_at(
        &text,
        "12",
        1,
        "siren.pin",
        "GPIO pin 12 is used by both sensor 'w1' and the siren",
    );
    let text = format!("[siren]\npin = 12\n{BASE}\n{}", gpio_sensor("w1", "12"));
    refused_at(
        &text,
        "12",
        1,
        "sensors[1].gpio.pin",
        "used by both the siren and sensor 'w1'",
    );
}

#[test]
fn gpio_pin_out_of_range() {
    let text = format!("{BASE}\n{}", gpio_sensor("w1", "28"));
    refused_at(
        &text,
        "28",
        0,
        "sensors[1].gpio.pin",
        "GPIO pin 28 does not exist",
    );
    let text = format!("{BASE}\n{}", gpio_sensor("w1", "-1"));
    refused_at(
        &text,
        "-1",
        0,
        "sensors[1].gpio.pin",
        "GPIO pin -1 does not exist",
    );
    refused_at("[siren]\npin = 40\n", "40", 0, "siren.pin", "GPIO pin 40");
}

#[test]
fn gpio_levels_and_pulls() {
    let text = format!(
        "{BASE}\n{}",
        gpio_sensor("w1", "4").replace("\"up\"", "\"sideways\"")
    );
    refused_at(
        &text,
        "\"sideways\"",
        0,
        "sensors[1].gpio.pull",
        "unknown pull 'sideways'",
    );
    let text = format!(
        "{BASE}\n{}",
        gpio_sensor("w1", "4").replace("\"high\"", "\"1\"")
    );
    refused_at(
        &text,
        "\"1\"",
        0,
        "sensors[1].gpio.active",
        "unknown level '1'",
    );
}

#[test]
fn exactly_one_input() {
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\n[sensors.simulated]\n[sensors.gpio]\npin = 4\nactive = \"low\"\npull = \"up\"\n",
    );
    refused_at(
        &text,
        "[sensors.gpio]",
        0,
        "sensors[1].gpio",
        "sensor 'x' has both [sensors.gpio] and [sensors.simulated]",
    );
    let text = with_sensor("id = \"x\"\nkind = \"door\"\nzone = \"entry\"\n");
    refused_at(
        &text,
        "[[sensors]]",
        1,
        "sensors[1]",
        "sensor 'x' has no input",
    );
}

#[test]
fn entry_delay_with_instant() {
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\nentry_delay = \"10s\"\ninstant = true\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "true",
        0,
        "sensors[1].instant",
        "entry_delay and instant = true contradict each other",
    );
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\ninstant = true\nentry_delay = \"10s\"\n[sensors.simulated]\n",
    );
    refused_at(&text, "\"10s\"", 0, "sensors[1].entry_delay", "contradict");
}

#[test]
fn entry_delay_limit() {
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\nentry_delay = \"46s\"\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "\"46s\"",
        0,
        "sensors[1].entry_delay",
        "entry delay 46s is longer than the 45s limit",
    );
    let text = format!("[timers]\nentry_delay = \"1m\"\n{BASE}");
    refused_at(
        &text,
        "\"1m\"",
        0,
        "timers.entry_delay",
        "longer than the 45s limit",
    );
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\nentry_delay = \"45s\"\n[sensors.simulated]\n",
    );
    assert_eq!(
        parse_text(&text).unwrap().sensor("x").unwrap().entry,
        Entry::Delayed(MAX_ENTRY_DELAY)
    );
}

#[test]
fn glass_and_24_hour_sensors_are_always_instant() {
    let text = with_sensor(
        "id = \"g\"\nkind = \"glass\"\nzone = \"entry\"\nentry_delay = \"10s\"\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "\"10s\"",
        0,
        "sensors[1].entry_delay",
        "glass-break sensor is always instant",
    );
    let text = with_sensor(
        "id = \"g\"\nkind = \"glass\"\nzone = \"entry\"\ninstant = false\n[sensors.simulated]\n",
    );
    refused_at(&text, "false", 0, "sensors[1].instant", "always instant");
    let text = with_sensor(
        "id = \"p\"\nkind = \"panic\"\nzone = \"entry\"\nentry_delay = \"10s\"\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "\"10s\"",
        0,
        "sensors[1].entry_delay",
        "24-hour sensor always triggers at once",
    );
}

#[test]
fn bad_duration_string() {
    let text = format!("[timers]\nexit_delay = \"30 seconds\"\n{BASE}");
    refused_at(
        &text,
        "\"30 seconds\"",
        0,
        "timers.exit_delay",
        "invalid duration '30 seconds'",
    );
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\nsupervision_interval = \"1x\"\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "\"1x\"",
        0,
        "sensors[1].supervision_interval",
        "unknown unit",
    );
    refused_at(
        "[timers]\nheartbeat = \"0s\"\n",
        "\"0s\"",
        0,
        "timers.heartbeat",
        "longer than 0s",
    );
}

#[test]
fn supervision_timeout_at_least_twice_the_interval() {
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\nsupervision_interval = \"60s\"\nsupervision_timeout = \"90s\"\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "\"90s\"",
        0,
        "sensors[1].supervision_timeout",
        "supervision_timeout 1m30s must be at least twice supervision_interval 1m",
    );
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\nsupervision_interval = \"6m\"\n[sensors.simulated]\n",
    );
    refused_at(
        &text,
        "\"6m\"",
        0,
        "sensors[1].supervision_interval",
        "supervision_timeout 10m must be at least twice",
    );
    let text = format!("[timers]\nsupervision_timeout = \"1m\"\n{BASE}");
    refused_at(
        &text,
        "\"1m\"",
        0,
        "timers.supervision_timeout",
        "(sensor 'front-door' uses the default)",
    );
    let text = with_sensor(
        "id = \"x\"\nkind = \"door\"\nzone = \"entry\"\nsupervision_interval = \"30s\"\nsupervision_timeout = \"1m\"\n[sensors.simulated]\n",
    );
    let x = parse_text(&text).unwrap().sensor("x").unwrap().clone();
    assert_eq!(
        (x.supervision_interval, x.supervision_timeout),
        (Duration::from_secs(30), Duration::from_secs(60))
    );
}

#[test]
fn bad_code_hash() {
    let text = "[[users]]\nname = \"alice\"\ncode_hash = \"1234\"\n";
    refused_at(
        text,
        "\"1234\"",
        0,
        "users[0].code_hash",
        "not a usable argon2 hash",
    );
    let hash = code_hash::hash_code("1234").unwrap();
    let text = format!(
        "[[users]]\nname = \"alice\"\ncode_hash = \"{hash}\"\nduress_hash = \"$argon2id$v=19$oops\"\n"
    );
    refused_at(
        &text,
        "\"$argon2id$v=19$oops\"",
        0,
        "users[0].duress_hash",
        "not a usable argon2 hash",
    );
    // Issue #15 finding 4: parameters too costly to check are refused where
    // they are written.
    let costly =
        "\"$argon2id$v=19$m=4294967295,t=4294967295,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA\"";
    refused_at(
        &format!("[[users]]\nname = \"alice\"\ncode_hash = {costly}\n"),
        costly,
        0,
        "users[0].code_hash",
        "too long to check on a Raspberry Pi",
    );
}

#[test]
fn cameras_detectors_endpoints_and_paths() {
    refused_at(
        "[[cameras]]\nid = \"c\"\ntoken = \"\"\n",
        "\"\"",
        0,
        "cameras[0].token",
        "token is empty",
    );
    refused_at(
        "[[detectors]]\nname = \"d\"\ncommand = []\n",
        "[]",
        0,
        "detectors[0].command",
        "needs a program",
    );
    refused_at(
        "[endpoints]\ncamera_tcp = \"localhost\"\n",
        "\"localhost\"",
        0,
        "endpoints.camera_tcp",
        "not a socket address",
    );
    refused_at(
        "[endpoints]\ncontrol_max_connections = 0\n",
        "0",
        0,
        "endpoints.control_max_connections",
        "out of range (1 to 1024)",
    );
    refused_at(
        "[paths]\ndata_dir = \"var/lib\"\n",
        "\"var/lib\"",
        0,
        "paths.data_dir",
        "not an absolute path",
    );
    refused_at(
        "[alarm]\nswinger_limit = 0\n",
        "0",
        0,
        "alarm.swinger_limit",
        "out of range (1 to 1000)",
    );

    let text = format!(
        "{BASE}\n[endpoints]\ncamera_tcp = \"127.0.0.1:7700\"\n[[cameras]]\nid = \"porch\"\ntoken = \"s3cret\"\n[[detectors]]\nname = \"d\"\ncommand = [\"sh\", \"-c\", \"true\"]\n"
    );
    let config = parse_text(&text).unwrap();
    assert_eq!(
        config.endpoints.camera_tcp,
        Some("127.0.0.1:7700".parse().unwrap())
    );
    assert_eq!(config.endpoints.control.max_connections, 64);
    assert_eq!(config.camera("porch").unwrap().name, "porch");
    assert_eq!(config.detectors[0].command, ["sh", "-c", "true"]);
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("s3cret"),
        "the token leaks into Debug: {debug}"
    );
}

#[test]
fn first_error_in_file_order_is_reported() {
    // The bad kind (line of sensors[1]) comes before the unknown zone of
    // sensors[2] and after nothing else wrong, though zones are checked first.
    let text = format!(
        "{BASE}\n[[sensors]]\nid = \"a\"\nkind = \"bell\"\nzone = \"entry\"\n[sensors.simulated]\n[[sensors]]\nid = \"b\"\nkind = \"door\"\nzone = \"nowhere\"\n[sensors.simulated]\n[[zones]]\nid = \"Bad\"\n"
    );
    refused_at(
        &text,
        "\"bell\"",
        0,
        "sensors[1].kind",
        "unknown sensor kind",
    );
    // Within one sensor the earlier field wins too.
    let text =
        with_sensor("id = \"x\"\nzone = \"nowhere\"\nkind = \"bell\"\n[sensors.simulated]\n");
    refused_at(&text, "\"nowhere\"", 0, "sensors[1].zone", "does not exist");
}

#[test]
fn io_error_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.toml");
    let err = load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err}");
    assert!(err.diagnostic().is_none());
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}
