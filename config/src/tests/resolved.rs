//! Files that are accepted, and what they resolve to: roles, defaults,
//! GPIO inputs, codes, the embedded house and the examples.

use super::*;

#[test]
fn load_reads_a_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("house.toml");
    std::fs::write(&path, BASE).unwrap();
    assert_eq!(
        load(&path).unwrap().source,
        ConfigSource::File(path.clone())
    );
    std::fs::write(&path, "bogus = 1\n").unwrap();
    let err = load(&path).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:1:1: bogus: ", path.display())),
        "{err}"
    );
}

#[test]
fn roles_resolve_from_kind_and_zone() {
    let text = format!(
        "{BASE}\n[[zones]]\nid = \"garage\"\ntype = \"interior\"\n[[zones]]\nid = \"vault\"\ntype = \"24h\"\n{}{}{}{}{}",
        "[[sensors]]\nid = \"m\"\nkind = \"motion\"\nzone = \"entry\"\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"gd\"\nkind = \"door\"\nzone = \"garage\"\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"s\"\nkind = \"smoke\"\nzone = \"entry\"\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"w\"\nkind = \"window\"\nzone = \"living\"\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"vd\"\nkind = \"door\"\nzone = \"vault\"\n[sensors.simulated]\n",
    );
    let config = parse_text(&text).unwrap();
    let role = |id| config.sensor(id).unwrap().role;
    assert_eq!(
        role("m"),
        Role::Perimeter,
        "the zone type wins over the kind"
    );
    assert_eq!(role("gd"), Role::Interior);
    assert_eq!(
        role("s"),
        Role::TwentyFourHour,
        "smoke is 24h whatever the zone"
    );
    assert_eq!(role("w"), Role::Perimeter, "untyped zone: by kind");
    assert_eq!(role("vd"), Role::TwentyFourHour);
    assert_eq!(config.sensor("vd").unwrap().entry, Entry::Instant);
    assert_eq!(
        config.sensor("gd").unwrap().entry,
        Entry::Delayed(Duration::from_secs(30))
    );
    refused_at(
        &text.replace("\"24h\"", "\"allday\""),
        "\"allday\"",
        0,
        "zones[3].type",
        "unknown zone type 'allday'",
    );
}

#[test]
fn night_and_entry_defaults() {
    let text = format!(
        "[timers]\nentry_delay = \"20s\"\n[[zones]]\nid = \"hall\"\nnight = true\n{}{}{}{}{}",
        "[[sensors]]\nid = \"a\"\nkind = \"motion\"\nzone = \"hall\"\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"b\"\nkind = \"motion\"\nzone = \"hall\"\nnight = false\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"c\"\nkind = \"window\"\nzone = \"hall\"\ninstant = false\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"d\"\nkind = \"door\"\nzone = \"hall\"\ninstant = true\n[sensors.simulated]\n",
        "[[sensors]]\nid = \"e\"\nkind = \"motion\"\nzone = \"hall\"\nentry_delay = \"5s\"\n[sensors.simulated]\n",
    );
    let text = format!(
        "{text}{}",
        &BASE[BASE.find("[[users]]").unwrap()..BASE.find("[[sensors]]").unwrap()]
    );
    let config = parse_text(&text).unwrap();
    let s = |id| config.sensor(id).unwrap();
    assert!(s("a").night, "from the zone");
    assert!(!s("b").night, "the sensor overrides the zone");
    assert_eq!(s("a").entry, Entry::Instant);
    assert_eq!(s("c").entry, Entry::Delayed(Duration::from_secs(20)));
    assert_eq!(s("d").entry, Entry::Instant);
    assert_eq!(s("e").entry.delay(), Some(Duration::from_secs(5)));
    assert!(s("a").counts_in(Mode::Night) && !s("b").counts_in(Mode::Night));
    assert!(s("b").counts_in(Mode::Away) && !s("b").counts_in(Mode::Home));
    assert_eq!(config.sensors_in_zone("hall").count(), 5);
}

#[test]
fn gpio_input_resolves_with_kind_debounce() {
    let text = format!(
        "{BASE}\n{}[[sensors]]\nid = \"pir\"\nkind = \"motion\"\nzone = \"living\"\n[sensors.gpio]\npin = 5\nactive = \"high\"\npull = \"down\"\n[siren]\npin = 18\nactive = \"low\"\n",
        gpio_sensor("w1", "4")
    );
    let config = parse_text(&text).unwrap();
    let gpio = |id| match config.sensor(id).unwrap().input {
        Input::Gpio(g) => g,
        Input::Simulated => panic!("{id} should be on GPIO"),
    };
    assert_eq!(gpio("w1").debounce, Duration::from_millis(20));
    assert_eq!(
        (gpio("w1").pin, gpio("w1").active, gpio("w1").pull),
        (4, Level::High, Pull::Up)
    );
    assert_eq!(gpio("pir").debounce, Duration::ZERO);
    assert_eq!(
        config.siren,
        Some(Siren {
            pin: 18,
            active: Level::Low
        })
    );
    let slow = text.replace("pull = \"down\"", "pull = \"down\"\ndebounce = \"2s\"");
    refused_at(
        &slow,
        "\"2s\"",
        0,
        "sensors[2].gpio.debounce",
        "longer than the 1s limit",
    );
}

#[test]
fn codes_check_every_user() {
    let hash = |c| code_hash::hash_code(c).unwrap();
    let text = format!(
        "{BASE}[[users]]\nname = \"alice\"\ncode_hash = \"{}\"\nduress_hash = \"{}\"\n[[users]]\nname = \"bob\"\ncode_hash = \"{}\"\n",
        hash("4711"),
        hash("9999"),
        hash("2580")
    );
    let config = parse_text(&text).unwrap();
    assert_eq!(
        config.check_code("4711"),
        Some(("alice".to_string(), CodeMatch::User))
    );
    assert_eq!(
        config.check_code("9999"),
        Some(("alice".to_string(), CodeMatch::Duress))
    );
    assert_eq!(
        config.check_code("2580"),
        Some(("bob".to_string(), CodeMatch::User))
    );
    assert_eq!(
        config.check_code("1234"),
        Some(("owner".to_string(), CodeMatch::User))
    );
    assert_eq!(config.check_code("0000"), None);
    assert_eq!(config.user("bob").unwrap().check("9999"), None);
}

#[test]
fn default_house_validates() {
    let house = default_house();
    assert_eq!(house.source, ConfigSource::Embedded);
    assert_eq!(house.instance, "home");
    assert_eq!(house.sensors.len(), 9);
    assert!(house.sensors.iter().all(|s| s.input == Input::Simulated));
    assert_eq!(
        house.sensor("front-door").unwrap().entry,
        Entry::Delayed(Duration::from_secs(30))
    );
    assert_eq!(house.sensor("back-door").unwrap().role, Role::Perimeter);
    assert!(house.sensor("hall-motion").unwrap().night);
    assert!(!house.sensor("living-motion").unwrap().night);
    assert_eq!(house.sensor("smoke-hall").unwrap().kind, SensorKind::Smoke);
    assert_eq!(
        house.sensor("panic-button").unwrap().role,
        Role::TwentyFourHour
    );
    assert!(house.detectors.is_empty());
    assert_eq!(house.cameras.len(), 2);
    assert_eq!(
        house.check_code("1234"),
        Some(("resident".into(), CodeMatch::User))
    );
    assert_eq!(
        house.check_code("9999"),
        Some(("resident".into(), CodeMatch::Duress))
    );
    assert_eq!(
        house.check_code("2580"),
        Some(("guest".into(), CodeMatch::User))
    );
}

#[test]
fn embedded_errors_name_the_embedded_house() {
    let err = parse("x = 1", ConfigSource::Embedded).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("<embedded default house>:1:1: x: "),
        "{err}"
    );
}

#[test]
fn examples_validate() {
    let laptop = load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/laptop.toml"
    )))
    .unwrap();
    assert_eq!(laptop.timers.exit_delay, Duration::from_secs(10));
    assert_eq!(laptop.detectors.len(), 1);
    assert_eq!(laptop.detectors[0].command[0], "sh");
    let pi = load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/raspberry-pi.toml"
    )))
    .unwrap();
    assert!(pi.sensors.iter().all(|s| matches!(s.input, Input::Gpio(_))));
    assert!(pi.siren.is_some());
    assert_eq!(
        pi.paths.runtime_dir.as_deref(),
        Some(Path::new("/run/homesec"))
    );
    assert_eq!(
        pi.paths.data_dir.as_deref(),
        Some(Path::new("/var/lib/homesec"))
    );
    assert_eq!(
        pi.paths.log_dir.as_deref(),
        Some(Path::new("/var/log/homesec"))
    );
}

#[test]
fn an_empty_or_cut_short_file_is_refused() {
    for (text, field) in [
        ("", "sensors"),
        ("# only a comment\n", "sensors"),
        (&BASE[..BASE.find("[[users]]").unwrap()], "sensors"),
        (
            &BASE.replace(
                &BASE[BASE.find("[[users]]").unwrap()..BASE.find("[[sensors]]").unwrap()],
                "",
            ),
            "users",
        ),
    ] {
        let err = parse_text(text).unwrap_err();
        let diagnostic = err.diagnostic().unwrap();
        assert_eq!(diagnostic.field, field, "{err}");
        assert_eq!((diagnostic.line, diagnostic.column), (1, 1), "{err}");
    }
}

#[test]
fn a_character_the_toml_parser_has_no_words_for_is_named() {
    let err = parse_text("# a comment \u{0}\n").unwrap_err();
    let text = err.to_string();
    assert!(
        text.ends_with("character \\u{0} is not allowed here (a config is plain text)"),
        "{text}"
    );
}
