//! Code entry: the wrong-code lockout and the duress code.

use super::*;

#[test]
fn ten_wrong_codes_lock_code_entry_and_each_further_one_adds_a_lockout() {
    let mut house = armed(Mode::Away);
    let t = T0 + 100 * SEC;
    for _ in 0..10 {
        let out = disarm(&mut house, t, CodeCheck::Wrong);
        assert_eq!(out, vec![code("disarm", CodeResult::Wrong, None)]);
    }
    // Locked: even a good code is not looked at.
    let out = disarm(&mut house, t + 89 * SEC, alice());
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);
    assert_eq!(house.state(), Armed);
    // The lockout does not need a tick.
    assert_eq!(house.next_deadline(), Some(T0 + SUPERVISION));
    // Over: the 11th wrong code locks again, for 90 s more (180 s), the
    // 12th for 270 s.
    let t2 = t + 90 * SEC;
    let out = disarm(&mut house, t2, CodeCheck::Wrong);
    assert_eq!(out, vec![code("disarm", CodeResult::Wrong, None)]);
    let out = disarm(&mut house, t2 + 179 * SEC, alice());
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);
    let t3 = t2 + 180 * SEC;
    disarm(&mut house, t3, CodeCheck::Wrong);
    assert_eq!(house.code_entry_locked_until(t3), Some(t3 + 270 * SEC));
    // A correct code after the lockout works and resets the count.
    let t4 = t3 + 270 * SEC;
    let out = disarm(&mut house, t4, alice());
    assert_eq!(out[0], code("disarm", CodeResult::Accepted, Some("alice")));
    assert_eq!(house.state(), Disarmed);
    for _ in 0..9 {
        let out = disarm(&mut house, t4 + SEC, CodeCheck::Wrong);
        assert_eq!(out, vec![code("disarm", CodeResult::Wrong, None)]);
    }
    let out = disarm(&mut house, t4 + SEC, alice());
    assert_eq!(
        out,
        vec![code("disarm", CodeResult::Accepted, Some("alice"))]
    );
}

#[test]
fn the_lockout_error_says_how_long_it_lasts() {
    let mut lock = lockout::CodeLock::default();
    let mut out = Vec::new();
    for _ in 0..10 {
        let result = lock.check(T0, CodeCheck::Wrong, "arm", &rules(), "rpc", &mut out);
        assert_eq!(result, Err(HouseError::WrongCode { action: "arm" }));
    }
    let err = lock
        .check(T0 + 500, alice(), "arm", &rules(), "rpc", &mut out)
        .unwrap_err();
    assert_eq!(
        err,
        HouseError::CodeLocked {
            action: "arm",
            remaining_ms: 89_500
        }
    );
    assert_eq!(
        err.to_string(),
        "code entry is locked for 90s more after too many wrong codes; arm not done"
    );
}

#[test]
fn lockout_covers_every_code_action() {
    let mut house = house();
    for _ in 0..10 {
        let out = house.arm(
            T0,
            Mode::Away,
            CodeCheck::Wrong,
            ArmOptions::default(),
            "rpc",
        );
        assert_eq!(out, vec![code("arm", CodeResult::Wrong, None)]);
    }
    let out = house.bypass(T0 + SEC, "back-window", alice(), "rpc");
    assert_eq!(out, vec![code("bypass", CodeResult::Locked, None)]);
    assert!(!house.sensor("back-window").unwrap().bypassed());
}

#[test]
fn duress_code_disarms_and_writes_a_silent_duress_record() {
    let mut house = armed(Mode::Away);
    report(&mut house, T0 + 100 * SEC, "front-door", SensorState::Open);
    let out = disarm(&mut house, T0 + 105 * SEC, CodeCheck::Duress("bob".into()));
    assert_eq!(out[0], code("disarm", CodeResult::Duress, Some("bob")));
    assert_eq!(
        out[1],
        Event::Duress {
            user: "bob".into(),
            source: "rpc".into()
        }
    );
    assert_eq!(moves(&out), vec![(Pending, Disarmed, Cause::Disarm)]);
    match &out[2] {
        Event::Alarm { user, .. } => assert_eq!(user.as_deref(), Some("bob")),
        other => panic!("expected the alarm record, got {other:?}"),
    }
    assert!(sirens(&out).is_empty());
    assert!(!house.siren());
    assert_eq!(out.len(), 3);
}

#[test]
fn a_code_not_checked_while_locked_is_refused_as_locked_and_not_counted() {
    let mut house = house();
    let out = house.disarm(T0, CodeCheck::NotChecked, "rpc");
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);
    // It did not count towards a lockout: nine real wrong codes do not lock.
    for i in 0..9 {
        house.disarm(T0 + i, CodeCheck::Wrong, "rpc");
    }
    assert_eq!(house.code_entry_locked_until(T0 + 10), None);
    house.disarm(T0 + 10, CodeCheck::Wrong, "rpc");
    assert!(house.code_entry_locked_until(T0 + 11).is_some());
}

#[test]
fn the_growing_lockout_stops_at_an_hour() {
    let mut house = armed(Mode::Away);
    let mut t = T0 + 100 * SEC;
    let mut lockouts = Vec::new();
    for _ in 0..100 {
        disarm(&mut house, t, CodeCheck::Wrong);
        if let Some(until) = house.code_entry_locked_until(t) {
            lockouts.push(until - t);
            t = until;
        }
    }
    // 90 s, 180 s, ... one lockout more each time, then an hour each.
    assert_eq!(&lockouts[..3], &[90 * SEC, 180 * SEC, 270 * SEC]);
    assert!(lockouts.windows(2).all(|w| w[0] <= w[1]), "{lockouts:?}");
    assert_eq!(lockouts.last(), Some(&MAX_LOCKOUT));
}

#[test]
fn a_restart_keeps_the_count_and_the_lockout() {
    let mut before = armed(Mode::Away);
    let t0 = T0 + 100 * SEC;
    for _ in 0..10 {
        disarm(&mut before, t0, CodeCheck::Wrong);
    }
    let t = t0 + 90 * SEC;
    disarm(&mut before, t, CodeCheck::Wrong);
    let kept = before.code_lock();
    assert_eq!(kept.wrong_in_a_row, 11);
    assert_eq!(kept.locked_until, Some(t + 180 * SEC));

    let mut restarted = house();
    restarted.restore(t + 10 * SEC, Armed, Some(Mode::Away), &[], kept);
    let out = disarm(&mut restarted, t + 10 * SEC, alice());
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);
    // The count goes on: the next wrong code after the lockout earns 270 s.
    let after = t + 180 * SEC;
    disarm(&mut restarted, after, CodeCheck::Wrong);
    assert_eq!(
        restarted.code_entry_locked_until(after),
        Some(after + 270 * SEC)
    );
}

#[test]
fn a_kept_lockout_never_outlasts_what_its_count_earns() {
    // The wall clock stepped back a day while the controller was down: the
    // kept end is a day too far, and is cut to the lockout the count earns.
    let kept = CodeLockState {
        wrong_in_a_row: 10,
        locked_until: Some(T0 + 86_400 * SEC),
    };
    let mut restarted = house();
    restarted.restore(T0, Disarmed, None, &[], kept);
    assert_eq!(restarted.code_entry_locked_until(T0), Some(T0 + 90 * SEC));
}

#[test]
fn lockout_covers_unbypass_silence_and_the_siren_test() {
    let mut house = armed(Mode::Away);
    house.bypass(T0 + 50 * SEC, "hall-motion", alice(), "rpc");
    let t = T0 + 100 * SEC;
    report(&mut house, t, "back-window", SensorState::Open);
    assert!(house.siren());
    // Wrong codes for the new commands count towards the lockout.
    for i in 0..10 {
        let out = house.silence(t + i, CodeCheck::Wrong, "rpc");
        assert_eq!(out, vec![code("silence", CodeResult::Wrong, None)]);
    }
    let t = t + 10 * SEC;
    let out = house.silence(t, alice(), "rpc");
    assert_eq!(out, vec![code("silence", CodeResult::Locked, None)]);
    assert!(house.siren(), "a locked code silences nothing");
    let out = house.unbypass(t, "hall-motion", alice(), "rpc");
    assert_eq!(out, vec![code("unbypass", CodeResult::Locked, None)]);
    assert!(house.sensor("hall-motion").unwrap().bypassed());
    let out = disarm(&mut house, t, alice());
    assert_eq!(out, vec![code("disarm", CodeResult::Locked, None)]);

    let mut idle = house_with_lockout();
    let out = idle.siren_test(T0 + SEC, alice(), "rpc");
    assert_eq!(out, vec![code("siren_test", CodeResult::Locked, None)]);
    assert!(!idle.siren());
}

/// A disarmed house whose code entry is locked.
fn house_with_lockout() -> House {
    let mut house = house();
    for _ in 0..10 {
        house.siren_test(T0, CodeCheck::Wrong, "rpc");
    }
    assert!(house.code_entry_locked_until(T0 + SEC).is_some());
    house
}

#[test]
fn a_duress_code_on_the_new_commands_does_what_was_asked_and_writes_duress() {
    let bob = || CodeCheck::Duress("bob".into());
    let duress = Event::Duress {
        user: "bob".into(),
        source: "rpc".into(),
    };
    let mut house = armed(Mode::Away);
    house.bypass(T0 + 50 * SEC, "hall-motion", alice(), "rpc");
    let out = house.unbypass(T0 + 60 * SEC, "hall-motion", bob(), "rpc");
    assert_eq!(
        out[..2],
        [
            code("unbypass", CodeResult::Duress, Some("bob")),
            duress.clone()
        ]
    );
    assert!(!house.sensor("hall-motion").unwrap().bypassed());

    report(&mut house, T0 + 100 * SEC, "back-window", SensorState::Open);
    let out = house.silence(T0 + 110 * SEC, bob(), "rpc");
    assert_eq!(
        out[..2],
        [
            code("silence", CodeResult::Duress, Some("bob")),
            duress.clone()
        ]
    );
    assert_eq!(sirens(&out), vec![false]);
    assert_eq!((house.state(), house.siren()), (Triggered, false));

    disarm(&mut house, T0 + 120 * SEC, alice());
    let out = house.siren_test(T0 + 130 * SEC, bob(), "rpc");
    assert_eq!(
        out[..2],
        [code("siren_test", CodeResult::Duress, Some("bob")), duress]
    );
    assert!(house.siren());
}
