//! The control socket end to end: a real controller, `homesecctl` as a user
//! types it, and raw clients on the real socket for what a hostile or
//! broken client does. Every command's answer is checked against the event
//! log read from disk right after it returned.

use homesec_ipc::AlarmState;
use homesec_ipc::eventlog::Event;
use homesec_ipc::eventlog::record::{Cause, CodeResult, Record};
use homesec_ipc::rpc::{self, ControlError};
use homesec_system_tests::*;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// The `logged up to seq N` of a command's answer.
fn logged_seq(output: &std::process::Output) -> u64 {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seq = stdout
        .rsplit("logged up to seq ")
        .next()
        .and_then(|rest| rest.trim().parse().ok());
    seq.unwrap_or_else(|| panic!("no seq in {stdout}"))
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sources_of(records: &[Record], matches: impl Fn(&Event) -> Option<&str>) -> Vec<String> {
    records
        .iter()
        .filter_map(|r| matches(&r.event).map(str::to_string))
        .collect()
}

#[test]
fn an_rpc_arm_that_returned_is_on_disk_with_who_asked() {
    let world = World::new("rpcarm");
    let controller = world.start();
    let output = world.ctl_with_code(&["arm", "away"], "1234");
    let seq = logged_seq(&output);
    // Read at once, with the controller still running: what the answer
    // calls logged is in the file.
    let (records, problems) = world.log();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(
        records.iter().any(|r| r.seq == seq),
        "seq {seq} not on disk"
    );
    let armed = records.iter().find(|r| {
        matches!(
            &r.event,
            Event::Alarm {
                to: AlarmState::Arming,
                cause: Cause::Arm,
                ..
            }
        )
    });
    let armed = armed.expect("an arming record");
    assert!(armed.seq <= seq, "the arm's record is within the answer");
    let Event::Alarm { source, user, .. } = &armed.event else {
        unreachable!()
    };
    assert_eq!(user.as_deref(), Some("resident"));
    assert!(
        source.starts_with("rpc pid=") && source.contains(&format!("uid={}", my_uid())),
        "{source}"
    );
    assert!(controller.stop().success());
}

#[test]
fn activate_alarm_from_a_second_process_names_its_pid_and_sounds_the_siren() {
    let world = World::new("rpcpanic");
    let controller = world.start();
    let child = world
        .ctl_command(&["alarm", "activate", "--reason", "help"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let output = child.wait_with_output().unwrap();
    let seq = logged_seq(&output);
    controller.wait_for_log("SIREN ON");
    let (records, _) = world.log();
    let triggered = sources_of(&records, |e| match e {
        Event::Alarm {
            to: AlarmState::Triggered,
            source,
            ..
        } => Some(source),
        _ => None,
    });
    assert_eq!(triggered.len(), 1, "{triggered:?}");
    assert!(
        triggered[0].contains(&format!("pid={pid} uid={}", my_uid())),
        "{triggered:?}"
    );
    let siren = records
        .iter()
        .find(|r| matches!(r.event, Event::Siren { on: true, .. }))
        .expect("a siren record");
    assert!(siren.seq <= seq);
    assert!(controller.stop().success());
}

#[test]
fn a_wrong_code_is_refused_with_exit_4_and_a_duress_code_answers_like_the_right_one() {
    let world = World::new("rpccodes");
    let controller = world.start();
    let wrong = world.ctl_with_code(&["disarm"], "0000");
    assert_eq!(wrong.status.code(), Some(4), "{}", stderr(&wrong));
    assert!(stderr(&wrong).contains("wrong code"), "{}", stderr(&wrong));

    logged_seq(&world.ctl_with_code(&["arm", "home"], "1234"));
    let duress = world.ctl_with_code(&["disarm"], "9999");
    logged_seq(&world.ctl_with_code(&["arm", "home"], "1234"));
    let plain = world.ctl_with_code(&["disarm"], "1234");
    // Nothing but the seq tells the two answers apart.
    let without_seq = |o: &std::process::Output| {
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        text.split(" seq ").next().unwrap_or_default().to_string()
    };
    assert_eq!(without_seq(&duress), without_seq(&plain));
    assert_eq!(duress.status.code(), plain.status.code());
    assert_eq!(stderr(&duress), stderr(&plain));

    let (records, _) = world.log();
    let duress_records = records
        .iter()
        .filter(|r| matches!(r.event, Event::Duress { .. }))
        .count();
    assert_eq!(duress_records, 1);
    let wrong_codes = records
        .iter()
        .filter(|r| {
            matches!(
                r.event,
                Event::Code {
                    result: CodeResult::Wrong,
                    ..
                }
            )
        })
        .count();
    assert_eq!(wrong_codes, 1);
    assert!(controller.stop().success());
}

#[test]
fn ten_wrong_codes_lock_code_entry_and_the_right_code_is_refused_until_it_ends() {
    let world = World::new("rpclock");
    let controller = world.start();
    for _ in 0..10 {
        let wrong = world.ctl_with_code(&["disarm"], "0000");
        assert_eq!(wrong.status.code(), Some(4), "{}", stderr(&wrong));
    }
    let right = world.ctl_with_code(&["disarm"], "1234");
    assert_eq!(right.status.code(), Some(4), "{}", stderr(&right));
    let message = stderr(&right);
    assert!(
        message.contains("locked for") && message.contains(" s more"),
        "{message}"
    );
    assert!(controller.stop().success());
}

#[test]
fn thirty_two_clients_at_once_are_all_answered() {
    let world = World::new("rpc32");
    let controller = world.start();
    let children: Vec<_> = (0..32)
        .map(|_| {
            world
                .ctl_command(&["alarm", "activate", "--kind", "panic"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let pids: Vec<u32> = children.iter().map(|c| c.id()).collect();
    for child in children {
        logged_seq(&child.wait_with_output().unwrap());
    }
    let (records, _) = world.log();
    let triggered = sources_of(&records, |e| match e {
        Event::Alarm {
            cause: Cause::Panic,
            source,
            ..
        } => Some(source),
        _ => None,
    });
    for pid in pids {
        let named = triggered
            .iter()
            .filter(|s| s.contains(&format!("pid={pid} ")))
            .count();
        assert_eq!(named, 1, "pid {pid} in {triggered:?}");
    }
    assert!(controller.stop().success());
}

#[test]
fn events_pages_through_the_log_on_disk() {
    let world = World::new("rpcevents");
    let controller = world.start();
    let lines: Vec<String> = (0..300)
        .map(|i| format!("front-door {}", if i % 2 == 0 { "open" } else { "closed" }))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    world.send(&refs);
    let seq = logged_seq(&world.ctl_with_code(&["arm", "home", "--force"], "1234"));
    let output = world.ctl(&["events", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: Vec<Record> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let (on_disk, _) = world.log();
    let on_disk: Vec<Record> = on_disk.into_iter().filter(|r| r.seq <= seq).collect();
    // More than one page (200), every record once, in order.
    assert!(on_disk.len() > 300, "{}", on_disk.len());
    assert_eq!(printed, on_disk);
    let since = world.ctl(&["events", "--json", "--since", &(seq - 2).to_string()]);
    assert_eq!(String::from_utf8_lossy(&since.stdout).lines().count(), 2);
    assert!(controller.stop().success());
}

/// A raw connection to the control socket.
fn raw(world: &World) -> UnixStream {
    let stream = UnixStream::connect(world.control_socket()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// Whether the controller closed `stream` (read returns end of file or a
/// reset) rather than answering.
fn closed_by_peer(mut stream: UnixStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn garbage_a_huge_length_and_an_oversized_frame_close_their_connection_and_are_counted() {
    let world = World::new("rpcbad");
    let controller = world.start();
    let mut garbage = raw(&world);
    garbage.write_all(b"\x00\x00\x00\x05hello").unwrap();
    assert!(closed_by_peer(garbage), "not JSON: closed");
    controller.wait_for_log("bad request on the control socket");

    let mut huge = raw(&world);
    huge.write_all(&u32::MAX.to_be_bytes()).unwrap();
    assert!(
        closed_by_peer(huge),
        "a 4 GiB length: closed, never allocated"
    );
    controller.wait_for_log("bad request on the control socket");

    let mut oversized = raw(&world);
    let len = u32::try_from(rpc::MAX_FRAME + 1).unwrap();
    oversized.write_all(&len.to_be_bytes()).unwrap();
    oversized
        .write_all(&vec![b' '; rpc::MAX_FRAME + 1])
        .unwrap_or(());
    assert!(closed_by_peer(oversized), "over the frame limit: closed");
    controller.wait_for_log("bad request on the control socket");

    // The rest goes on: a good call, and a FIFO line.
    logged_seq(&world.ctl(&["alarm", "activate"]));
    world.send(&["front-door open"]);
    controller.wait_until_published("front-door open");
    let status = world.ctl(&["status", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert!(json["rejected"].as_u64().unwrap() >= 3, "{json}");
    assert!(controller.stop().success());
}

#[test]
fn a_client_that_never_reads_its_answers_stalls_nobody_else() {
    let world = World::new("rpcdeaf");
    let controller = world.start();
    // Many requests, never a read: the answers fill the socket and the
    // connection's buffer.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let deaf = raw(&world);
    let request = |id: u64| {
        let mut context = tarpc::context::current();
        context.deadline = std::time::Instant::now() + Duration::from_secs(30);
        let message: tarpc::ClientMessage<rpc::ControlRequest> =
            tarpc::ClientMessage::Request(tarpc::Request {
                context,
                id,
                message: rpc::ControlRequest::Status {},
            });
        let body = serde_json::to_vec(&message).unwrap();
        let mut frame = u32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
        frame.extend(body);
        frame
    };
    let mut writer = deaf.try_clone().unwrap();
    writer.set_nonblocking(true).unwrap();
    for id in 1..=20_000 {
        if writer.write_all(&request(id)).is_err() {
            break;
        }
    }
    // Others are served: a command over a second connection, a FIFO line.
    runtime.block_on(async {
        let client = rpc::connect(&world.control_socket()).await.unwrap();
        let mut ctx = tarpc::context::current();
        ctx.deadline = std::time::Instant::now() + Duration::from_secs(20);
        let answer = client
            .activate_alarm(ctx, homesec_ipc::AlarmKind::Panic, "deaf test".into())
            .await
            .unwrap();
        assert_eq!(answer.unwrap().alarm, AlarmState::Triggered);
    });
    world.send(&["front-door open"]);
    controller.wait_until_published("front-door open");
    drop(deaf);
    assert!(controller.stop().success());
}

#[test]
fn a_call_whose_deadline_has_passed_is_not_applied() {
    let world = World::new("rpclate");
    let controller = world.start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = rpc::connect(&world.control_socket()).await.unwrap();
        let mut late = tarpc::context::current();
        late.deadline = std::time::Instant::now() - Duration::from_secs(1);
        let answer = client
            .activate_alarm(late, homesec_ipc::AlarmKind::Panic, "too late".into())
            .await;
        // Refused by the transport or by the house, never done.
        assert!(
            matches!(answer, Err(_) | Ok(Err(ControlError::Refused { .. }))),
            "{answer:?}"
        );
        // A call after it, on time, is answered: the house took no panic
        // from the late one.
        let mut ctx = tarpc::context::current();
        ctx.deadline = std::time::Instant::now() + Duration::from_secs(20);
        let status = client.status(ctx).await.unwrap().unwrap();
        assert_eq!(status.alarm, AlarmState::Disarmed);
    });
    assert!(controller.stop().success());
    let (records, _) = world.log();
    assert!(
        !records.iter().any(|r| matches!(
            r.event,
            Event::Alarm {
                cause: Cause::Panic,
                ..
            }
        )),
        "a late call was applied"
    );
}

#[test]
fn five_hundred_connections_are_bounded_and_the_fifo_goes_on() {
    let world = World::new("rpcmany");
    let controller = world.start();
    let held: Vec<UnixStream> = (0..500)
        .filter_map(|_| UnixStream::connect(world.control_socket()).ok())
        .collect();
    controller.wait_for_log("connections are open already");
    world.send(&["front-door open"]);
    controller.wait_until_published("front-door open");
    drop(held);
    // Once the server has seen them go, a call is served again. A call
    // refused meanwhile means a place is still held by a connection whose
    // end the server has not seen yet: wait for the next end, try again.
    loop {
        let call = world.ctl(&["alarm", "activate"]);
        if call.status.success() {
            break;
        }
        controller.wait_for(|line| line.contains("control connection ended"));
    }
    assert!(controller.stop().success());
}

#[test]
fn unknown_sensors_and_bad_codes_are_typed_errors() {
    let world = World::new("rpctyped");
    let controller = world.start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = rpc::connect(&world.control_socket()).await.unwrap();
        let ctx = || {
            let mut ctx = tarpc::context::current();
            ctx.deadline = std::time::Instant::now() + Duration::from_secs(20);
            ctx
        };
        let unknown = client
            .bypass(ctx(), vec!["attic".into()], true, "1234".into())
            .await
            .unwrap();
        assert_eq!(
            unknown,
            Err(ControlError::UnknownSensor {
                sensor: "attic".into()
            })
        );
        let malformed = client.disarm(ctx(), "12ab".into()).await.unwrap();
        assert!(
            matches!(malformed, Err(ControlError::Invalid { .. })),
            "{malformed:?}"
        );
    });
    assert!(controller.stop().success());
}

fn my_uid() -> u32 {
    homesec_ipc::endpoint::my_uid()
}

#[test]
fn the_commands_a_panel_needs_work_through_homesecctl() {
    let world = World::new("rpcpanel");
    let controller = world.start();
    logged_seq(&world.ctl_with_code(&["siren-test"], "1234"));
    controller.wait_for_log("SIREN ON");
    let armed = world.ctl_with_code(&["arm", "away", "--skip-delay"], "2580");
    logged_seq(&armed);
    assert!(
        String::from_utf8_lossy(&armed.stdout).contains("the house is armed;"),
        "no exit delay: {:?}",
        armed
    );
    logged_seq(&world.ctl_with_code(&["bypass", "front-door"], "1234"));
    logged_seq(&world.ctl_with_code(&["bypass", "--off", "front-door"], "1234"));
    let fire = world.ctl(&["alarm", "activate", "--kind", "fire", "--reason", "smoke"]);
    logged_seq(&fire);
    let silenced = world.ctl_with_code(&["silence"], "1234");
    assert!(
        String::from_utf8_lossy(&silenced.stdout).contains("the house is triggered;"),
        "silence keeps the alarm: {silenced:?}"
    );
    let not_now = world.ctl_with_code(&["siren-test"], "1234");
    assert_eq!(
        not_now.status.code(),
        Some(4),
        "a siren test while triggered"
    );
    logged_seq(&world.ctl_with_code(&["disarm"], "1234"));
    assert!(controller.stop().success());

    let (records, _) = world.log();
    let kinds: Vec<String> = records
        .iter()
        .filter_map(|r| {
            let value = serde_json::to_value(&r.event).ok()?;
            let kind = value["kind"].as_str()?.to_string();
            let detail = ["cause", "alarm_kind", "to"]
                .iter()
                .filter_map(|k| value[*k].as_str())
                .collect::<Vec<_>>()
                .join("/");
            Some(format!("{kind}:{detail}"))
        })
        .filter(|k| !k.starts_with("code:") && !k.starts_with("start") && !k.starts_with("stop"))
        .collect();
    let expected = [
        "siren:test",
        "alarm:arm/armed",
        "bypass:",
        "unbypass:",
        "activate_alarm:fire",
        "alarm:fire/triggered",
        "siren:",
        "siren:silence",
        "rejected:",
        "alarm:disarm/disarmed",
    ];
    for want in expected {
        assert!(kinds.iter().any(|k| k == want), "{want} not in {kinds:?}");
    }
}

#[test]
fn a_sigkill_mid_call_leaves_a_stale_socket_that_the_restart_replaces_and_a_retry_succeeds() {
    let world = World::new("rpckill");
    let first = world.start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Calls in flight on one connection while the controller dies.
    let outcome = runtime.block_on(async {
        let client = rpc::connect(&world.control_socket()).await.unwrap();
        let calls: Vec<_> = (0..50)
            .map(|i| {
                let client = client.clone();
                tokio::spawn(async move {
                    let mut ctx = tarpc::context::current();
                    ctx.deadline = std::time::Instant::now() + Duration::from_secs(20);
                    client
                        .activate_alarm(ctx, homesec_ipc::AlarmKind::Panic, format!("call {i}"))
                        .await
                })
            })
            .collect();
        first.signal(libc::SIGKILL);
        let mut answered = 0;
        let mut failed = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(Ok(_)) => answered += 1,
                _ => failed += 1,
            }
        }
        (answered, failed)
    });
    // Every call ended, one way or the other: none hangs on a dead peer.
    assert_eq!(outcome.0 + outcome.1, 50);
    let mut first = first;
    first.wait();
    assert!(
        world.control_socket().exists(),
        "a kill leaves the socket file"
    );

    let second = world.start();
    let retried = world.ctl(&["alarm", "activate", "--reason", "retry"]);
    let seq = logged_seq(&retried);
    assert!(second.stop().success());
    let (records, _) = world.log();
    // Every call that was answered Ok is on disk, the retry too.
    let activated = records
        .iter()
        .filter(|r| matches!(r.event, Event::ActivateAlarm { .. }))
        .count();
    assert!(
        activated > outcome.0,
        "{activated} records, {} answered",
        outcome.0
    );
    assert!(records.iter().any(|r| r.seq == seq));
}

#[test]
fn events_follow_prints_records_as_they_are_logged_and_sensors_lists_the_house() {
    let world = World::new("rpcfollow");
    let controller = world.start();
    let mut follow = world
        .ctl_command(&["events", "--follow", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(follow.stdout.take().unwrap());
    let mut next_record = || -> Record {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut lines, &mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
    };
    // The start record first, then what happens after `--follow` began:
    // each is printed once it is durable, without polling the file.
    assert!(matches!(next_record().event, Event::Start { .. }));
    world.send(&["front-door open"]);
    let record = next_record();
    assert!(
        matches!(&record.event, Event::Sensor { sensor, .. } if sensor == "front-door"),
        "{record:?}"
    );
    let _ = follow.kill();
    let _ = follow.wait();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sensors = runtime.block_on(async {
        let client = rpc::connect(&world.control_socket()).await.unwrap();
        let mut ctx = tarpc::context::current();
        ctx.deadline = std::time::Instant::now() + Duration::from_secs(20);
        client.sensors(ctx).await.unwrap().unwrap()
    });
    let door = sensors.iter().find(|s| s.id == "front-door").unwrap();
    assert_eq!(door.state, homesec_ipc::SensorState::Open);
    assert_eq!(sensors.len(), homesec_config::default_house().sensors.len());
    assert!(controller.stop().success());
}
