//! The siren under command: alarms raised on purpose (`activate_alarm`,
//! silent ones included), silence and the siren test.

use super::*;

const TEST: Millis = 3 * SEC;

fn silence(house: &mut House, now: Millis, code: CodeCheck) -> Vec<Event> {
    house.silence(now, code, "rpc")
}

fn siren_test(house: &mut House, now: Millis) -> Vec<Event> {
    house.siren_test(now, alice(), "rpc")
}

fn activated(kind: AlarmKind, reason: &str) -> Event {
    Event::ActivateAlarm {
        alarm_kind: kind,
        reason: reason.into(),
        source: "rpc".into(),
    }
}

fn siren_by(on: bool, cause: SirenCause, user: Option<&str>, source: &str) -> Event {
    Event::Siren {
        on,
        cause: Some(cause),
        user: user.map(Into::into),
        source: Some(source.into()),
    }
}

/// A house armed away whose back window raised the alarm at `T0 + 100 s`.
fn sounding() -> House {
    let mut house = armed(Mode::Away);
    report(&mut house, T0 + 100 * SEC, "back-window", SensorState::Open);
    assert!(house.siren());
    house
}

#[test]
fn activate_raises_panic_fire_and_medical_with_their_causes() {
    for (kind, cause) in [
        (AlarmKind::Panic, Cause::Panic),
        (AlarmKind::Fire, Cause::Fire),
        (AlarmKind::Medical, Cause::Medical),
    ] {
        let mut house = house();
        let out = house.activate(T0 + SEC, kind, "help", "rpc");
        assert_eq!(out[0], activated(kind, "help"), "{kind}");
        assert_eq!(moves(&out), vec![(Disarmed, Triggered, cause)], "{kind}");
        assert_eq!(sirens(&out), vec![true], "{kind}");
        assert!(house.siren());
        // Raised while disarmed: back to disarmed after the trigger duration.
        let out = tick(&mut house, T0 + SEC + TRIGGER);
        assert_eq!(
            moves(&out),
            vec![(Triggered, Disarmed, Cause::TriggerTimeout)]
        );
    }
}

#[test]
fn a_silent_alarm_is_recorded_and_changes_nothing_visible() {
    for make in [house, || armed(Mode::Away)] {
        let mut house = make();
        let before = (
            house.state(),
            house.mode(),
            house.since(),
            house.next_deadline(),
        );
        let out = house.activate(T0 + 100 * SEC, AlarmKind::Silent, "held up", "rpc");
        assert_eq!(out, vec![activated(AlarmKind::Silent, "held up")]);
        let after = (
            house.state(),
            house.mode(),
            house.since(),
            house.next_deadline(),
        );
        assert_eq!(after, before, "no alarm state, mode or deadline changes");
        assert!(!house.siren());
        match house.snapshot(0, 0) {
            Event::Snapshot { state, siren, .. } => {
                assert_eq!((state, siren), (before.0, false));
            }
            other => panic!("expected a snapshot, got {other:?}"),
        }
    }
}

#[test]
fn a_silent_alarm_leaves_a_sounding_siren_on() {
    let mut house = sounding();
    let out = house.activate(T0 + 101 * SEC, AlarmKind::Silent, "", "rpc");
    assert_eq!(out.len(), 1);
    assert_eq!((house.state(), house.siren()), (Triggered, true));
}

#[test]
fn the_reason_is_redacted_and_cut_to_200_bytes_at_a_character_boundary() {
    let mut house = house();
    let out = house.activate(T0, AlarmKind::Silent, "door\nforced 123456", "rpc");
    assert_eq!(out[0], activated(AlarmKind::Silent, "door\\nforced ****"));
    // 'a' then 150 two-byte characters: byte 200 is inside one.
    let long = format!("a{}", "é".repeat(150));
    let out = house.activate(T0, AlarmKind::Silent, &long, "rpc");
    let Event::ActivateAlarm { reason, .. } = &out[0] else {
        panic!("expected activate_alarm, got {:?}", out[0]);
    };
    assert_eq!(reason.len(), 199);
    assert!(long.starts_with(reason.as_str()));
    assert_eq!(MAX_REASON, 200);
}

#[test]
fn silence_switches_the_siren_off_and_the_alarm_stays_triggered() {
    let mut house = sounding();
    let t = T0 + 100 * SEC;
    let out = silence(&mut house, t + 10 * SEC, alice());
    assert_eq!(
        out,
        vec![
            code("silence", CodeResult::Accepted, Some("alice")),
            siren_by(false, SirenCause::Silence, Some("alice"), "rpc"),
        ]
    );
    assert_eq!((house.state(), house.siren()), (Triggered, false));
    assert_eq!(
        house.next_deadline(),
        Some(t + TRIGGER),
        "the alarm runs on"
    );
    // Silenced again: only the code.
    let out = silence(&mut house, t + 20 * SEC, alice());
    assert_eq!(
        out,
        vec![code("silence", CodeResult::Accepted, Some("alice"))]
    );
}

#[test]
fn silence_then_the_trigger_duration_ends_without_a_second_siren_switch() {
    let mut house = sounding();
    let t = T0 + 100 * SEC;
    silence(&mut house, t + 10 * SEC, alice());
    assert!(tick(&mut house, t + TRIGGER - 1).is_empty());
    let out = tick(&mut house, t + TRIGGER);
    assert_eq!(moves(&out), vec![(Triggered, Armed, Cause::TriggerTimeout)]);
    assert!(sirens(&out).is_empty(), "already off: {out:?}");
    assert!(!house.siren());
    // The next alarm sounds as usual.
    let out = report(
        &mut house,
        t + TRIGGER + SEC,
        "kitchen-glass",
        SensorState::Alarm,
    );
    assert_eq!(sirens(&out), vec![true]);
}

#[test]
fn silence_then_disarm_writes_no_second_siren_switch() {
    let mut house = sounding();
    silence(&mut house, T0 + 110 * SEC, alice());
    let out = disarm(&mut house, T0 + 120 * SEC, alice());
    assert_eq!(moves(&out), vec![(Triggered, Disarmed, Cause::Disarm)]);
    assert!(sirens(&out).is_empty());
}

#[test]
fn a_new_alarm_after_silence_sounds_again() {
    let mut house = sounding();
    silence(&mut house, T0 + 110 * SEC, alice());
    let out = report(&mut house, T0 + 120 * SEC, "smoke", SensorState::Alarm);
    assert_eq!(moves(&out), vec![(Triggered, Triggered, Cause::Fire)]);
    assert_eq!(sirens(&out), vec![true]);
    assert!(house.siren());
}

#[test]
fn silence_is_refused_when_not_triggered() {
    let mut armed_house = armed(Mode::Away);
    let out = silence(&mut armed_house, T0 + 100 * SEC, alice());
    assert_eq!(
        out,
        vec![
            code("silence", CodeResult::Accepted, Some("alice")),
            rejected(
                "cannot silence: the system is armed, not triggered",
                "silence"
            ),
        ]
    );
    // Nor during a siren test.
    let mut house = house();
    siren_test(&mut house, T0);
    let out = silence(&mut house, T0 + SEC, alice());
    assert!(matches!(out[1], Event::Rejected { .. }), "{out:?}");
    assert!(house.siren());
}

#[test]
fn a_wrong_code_silences_nothing() {
    let mut house = sounding();
    let out = silence(&mut house, T0 + 110 * SEC, CodeCheck::Wrong);
    assert_eq!(out, vec![code("silence", CodeResult::Wrong, None)]);
    assert!(house.siren());
}

#[test]
fn the_siren_test_sounds_and_ends_by_itself_at_its_deadline() {
    let mut house = house();
    let t = T0 + SEC;
    let out = siren_test(&mut house, t);
    assert_eq!(
        out,
        vec![
            code("siren_test", CodeResult::Accepted, Some("alice")),
            siren_by(true, SirenCause::Test, Some("alice"), "rpc"),
        ]
    );
    assert!(house.siren());
    assert_eq!(house.state(), Disarmed);
    assert_eq!(
        house.next_deadline(),
        Some(t + TEST),
        "the house task wakes for it"
    );
    assert!(tick(&mut house, t + TEST - 1).is_empty());
    let out = tick(&mut house, t + TEST);
    assert_eq!(
        out,
        vec![Event::Siren {
            on: false,
            cause: Some(SirenCause::Test),
            user: None,
            source: Some("timer".into()),
        }]
    );
    assert!(!house.siren());
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
}

#[test]
fn a_siren_test_asked_again_runs_its_full_time_from_then() {
    let mut house = house();
    siren_test(&mut house, T0);
    let out = siren_test(&mut house, T0 + 2 * SEC);
    assert_eq!(
        out,
        vec![code("siren_test", CodeResult::Accepted, Some("alice"))]
    );
    assert!(tick(&mut house, T0 + TEST).is_empty());
    assert_eq!(sirens(&tick(&mut house, T0 + 2 * SEC + TEST)), vec![false]);
}

#[test]
fn the_siren_test_is_refused_unless_disarmed() {
    let mut arming = house();
    arm(&mut arming, T0, Mode::Away, false);
    let out = siren_test(&mut arming, T0 + SEC);
    assert_eq!(
        out,
        vec![
            code("siren_test", CodeResult::Accepted, Some("alice")),
            rejected(
                "cannot test the siren: the system is arming; disarm first",
                "siren_test"
            ),
        ]
    );
    assert!(!arming.siren());
    let mut house = sounding();
    let out = siren_test(&mut house, T0 + 110 * SEC);
    assert!(matches!(out[1], Event::Rejected { .. }), "{out:?}");
}

#[test]
fn arming_during_a_siren_test_ends_it() {
    let mut house = house();
    siren_test(&mut house, T0);
    let out = arm(&mut house, T0 + SEC, Mode::Away, false);
    assert_eq!(moves(&out), vec![(Disarmed, Arming, Cause::Arm)]);
    assert_eq!(sirens(&out), vec![false]);
    assert!(!house.siren());
    assert_eq!(house.next_deadline(), Some(T0 + SEC + EXIT));
    assert!(tick(&mut house, T0 + TEST).is_empty());
}

#[test]
fn an_alarm_during_a_siren_test_takes_the_siren_over() {
    let mut house = house();
    siren_test(&mut house, T0);
    let out = report(&mut house, T0 + SEC, "smoke", SensorState::Alarm);
    assert_eq!(moves(&out), vec![(Disarmed, Triggered, Cause::Fire)]);
    assert!(sirens(&out).is_empty(), "on already: {out:?}");
    assert!(tick(&mut house, T0 + TEST).is_empty(), "the test is over");
    assert!(house.siren());
}
