//! Unit tests of the event log reader: records, every kind of problem
//! with its file and line, the borrowed fast path against serde, and
//! reading across files.

use super::*;
use crate::eventlog::chain::{Chain, joined, test_lines, write};
use crate::{SensorKind, SensorState};

/// What the reader reported, in order, without the file names.
#[derive(Debug, PartialEq)]
enum Seen {
    Rec { line: u64, seq: u64 },
    Prob { line: u64, kind: ProblemKind },
}
use Seen::{Prob, Rec};

fn read_all(files: &[PathBuf]) -> (Vec<Seen>, Counts) {
    let mut reader = Reader::new(files.to_vec());
    let mut seen = Vec::new();
    while let Some(item) = reader.next_item() {
        seen.push(match item {
            Item::Record(e) => Rec {
                line: e.line,
                seq: e.record.seq,
            },
            Item::Problem(p) => Prob {
                line: p.line,
                kind: p.kind,
            },
        });
    }
    (seen, reader.counts())
}

fn corrupt(reason: &str) -> ProblemKind {
    ProblemKind::Corrupt {
        reason: reason.to_string(),
    }
}

#[test]
fn a_clean_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let lines = test_lines(&mut Chain::new(), 3);
    let file = write(dir.path(), "a.jsonl", &joined(&lines));
    let (seen, counts) = read_all(&[file]);
    let expected: Vec<Seen> = (1..=3).map(|n| Rec { line: n, seq: n }).collect();
    assert_eq!(seen, expected);
    assert_eq!(
        counts,
        Counts {
            records: 3,
            ..Counts::default()
        }
    );
}

#[test]
fn a_removed_line_shows_as_gap_and_break_at_the_next_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = test_lines(&mut Chain::new(), 4);
    lines.remove(1);
    let file = write(dir.path(), "a.jsonl", &joined(&lines));
    let (seen, counts) = read_all(&[file]);
    assert_eq!(
        seen,
        vec![
            Rec { line: 1, seq: 1 },
            Prob {
                line: 2,
                kind: ProblemKind::SeqGap {
                    expected: 2,
                    found: 3
                }
            },
            Prob {
                line: 2,
                kind: ProblemKind::ChainBreak { seq: 3 }
            },
            Rec { line: 2, seq: 3 },
            Rec { line: 3, seq: 4 },
        ]
    );
    assert_eq!((counts.gaps, counts.breaks, counts.records), (1, 1, 3));
}

#[test]
fn an_altered_line_breaks_the_chain_at_the_following_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = test_lines(&mut Chain::new(), 4);
    assert!(lines[1].contains(r#""on":true"#));
    lines[1] = lines[1].replace(r#""on":true"#, r#""on":false"#);
    let file = write(dir.path(), "a.jsonl", &joined(&lines));
    let (seen, counts) = read_all(&[file]);
    assert_eq!(
        seen,
        vec![
            Rec { line: 1, seq: 1 },
            Rec { line: 2, seq: 2 },
            Prob {
                line: 3,
                kind: ProblemKind::ChainBreak { seq: 3 }
            },
            Rec { line: 3, seq: 3 },
            Rec { line: 4, seq: 4 },
        ]
    );
    assert_eq!((counts.gaps, counts.breaks), (0, 1));
}

#[test]
fn a_torn_last_line_is_torn_not_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let lines = test_lines(&mut Chain::new(), 3);
    let content = format!("{}{}", joined(&lines[..2]), &lines[2][..30]);
    let file = write(dir.path(), "a.jsonl", &content);
    let (seen, counts) = read_all(&[file]);
    assert_eq!(
        seen.last(),
        Some(&Prob {
            line: 3,
            kind: ProblemKind::Torn
        })
    );
    assert_eq!((counts.records, counts.torn, counts.corrupt), (2, 1, 0));
}

#[test]
fn a_complete_record_without_its_newline_is_still_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let lines = test_lines(&mut Chain::new(), 2);
    let content = format!("{}\n{}", lines[0], lines[1]);
    let file = write(dir.path(), "a.jsonl", &content);
    let (seen, counts) = read_all(&[file]);
    assert_eq!(seen, vec![Rec { line: 1, seq: 1 }, Rec { line: 2, seq: 2 }]);
    assert_eq!(counts.torn, 0);
}

#[test]
fn garbage_lines_are_corrupt_with_their_line_numbers_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let lines = test_lines(&mut Chain::new(), 2);
    let content = format!(
        "{}\ngarbage\n\n{{\"seq\":2}}\n\u{0}\u{ff}\n{}\n",
        lines[0], lines[1]
    );
    let file = write(dir.path(), "a.jsonl", &content);
    let (seen, counts) = read_all(&[file]);
    let problems: Vec<(u64, bool)> = seen
        .iter()
        .filter_map(|s| match s {
            Prob { line, kind } => Some((*line, matches!(kind, ProblemKind::Corrupt { .. }))),
            Rec { .. } => None,
        })
        .collect();
    assert_eq!(problems, vec![(2, true), (3, true), (4, true), (5, true)]);
    assert_eq!(
        seen[2],
        Prob {
            line: 3,
            kind: corrupt("empty line")
        }
    );
    assert_eq!(seen.last(), Some(&Rec { line: 6, seq: 2 }));
    assert_eq!(
        counts,
        Counts {
            records: 2,
            corrupt: 4,
            ..Counts::default()
        }
    );
}

#[test]
fn the_chain_continues_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::new();
    let day1 = write(
        dir.path(),
        "2026-11-21.jsonl",
        &joined(&test_lines(&mut chain, 2)),
    );
    let day2 = write(
        dir.path(),
        "2026-11-22.jsonl",
        &joined(&test_lines(&mut chain, 2)),
    );
    let mut reader = Reader::from_dir(dir.path()).unwrap();
    let mut places = Vec::new();
    while let Some(item) = reader.next_item() {
        match item {
            Item::Record(e) => places.push((e.file.to_path_buf(), e.line, e.record.seq)),
            Item::Problem(p) => panic!("{p}"),
        }
    }
    assert_eq!(
        places,
        vec![
            (day1.clone(), 1, 1),
            (day1.clone(), 2, 2),
            (day2.clone(), 1, 3),
            (day2.clone(), 2, 4),
        ]
    );
    // Out of order, the second file's first record no longer follows.
    let (seen, _) = read_all(&[day2, day1]);
    assert_eq!(
        seen[2],
        Prob {
            line: 1,
            kind: ProblemKind::SeqGap {
                expected: 5,
                found: 1
            }
        }
    );
    assert_eq!(
        seen[3],
        Prob {
            line: 1,
            kind: ProblemKind::ChainBreak { seq: 1 }
        }
    );
}

#[test]
fn the_first_record_anchors_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let lines = test_lines(&mut Chain::new(), 5);
    let later = write(dir.path(), "later.jsonl", &joined(&lines[3..]));
    let (seen, counts) = read_all(&[later]);
    assert_eq!(seen, vec![Rec { line: 1, seq: 4 }, Rec { line: 2, seq: 5 }]);
    assert_eq!(counts.breaks, 0);

    let forged = test_lines(&mut Chain::resume(1, [7; 32]), 1);
    let forged = write(dir.path(), "forged.jsonl", &joined(&forged));
    let (seen, _) = read_all(&[forged]);
    assert_eq!(
        seen[0],
        Prob {
            line: 1,
            kind: ProblemKind::ChainBreak { seq: 1 }
        }
    );
}

#[test]
fn over_long_lines_are_skipped_without_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let lines = test_lines(&mut Chain::new(), 2);
    let huge = "x".repeat(MAX_RECORD_LINE + 10);
    let content = format!("{}\n{huge}\n{}\n{huge}", lines[0], lines[1]);
    let file = write(dir.path(), "a.jsonl", &content);
    let (seen, counts) = read_all(&[file]);
    assert_eq!(
        seen,
        vec![
            Rec { line: 1, seq: 1 },
            Prob {
                line: 2,
                kind: corrupt(&format!("line longer than {MAX_RECORD_LINE} bytes"))
            },
            Rec { line: 3, seq: 2 },
            Prob {
                line: 4,
                kind: ProblemKind::Torn
            },
        ]
    );
    assert_eq!((counts.corrupt, counts.torn), (1, 1));
}

#[test]
fn an_unreadable_file_is_reported_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::new();
    let missing = dir.path().join("missing.jsonl");
    let _ = test_lines(&mut chain, 1);
    let present = write(dir.path(), "b.jsonl", &joined(&test_lines(&mut chain, 1)));
    let mut reader = Reader::new([missing.clone(), present]);
    match reader.next_item() {
        Some(Item::Problem(p)) => {
            assert_eq!((p.file.as_path(), p.line), (missing.as_path(), 0));
            assert!(matches!(p.kind, ProblemKind::Unreadable { .. }));
            assert!(
                p.to_string()
                    .starts_with(&format!("{}:0: cannot read file", missing.display()))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(reader.next_item(), Some(Item::Record(e)) if e.record.seq == 2));
    assert!(reader.next_item().is_none());
    assert_eq!(reader.counts().unreadable, 1);
}

/// Record lines (without `\n`) of `count` sensor events from `chain`,
/// the kind the reader's scanner handles.
fn sensor_lines(chain: &mut Chain, count: usize) -> Vec<String> {
    let events: Vec<Event> = (0..count)
        .map(|n| Event::Sensor {
            sensor: format!("door-{}", n % 3),
            zone: "entry".into(),
            sensor_kind: SensorKind::Door,
            state: [SensorState::Open, SensorState::Closed][n % 2],
            source: "fifo".into(),
        })
        .collect();
    append_lines(chain, &events)
}

fn append_lines(chain: &mut Chain, events: &[Event]) -> Vec<String> {
    let ts = DateTime::parse_from_rfc3339("2026-11-22T08:15:00.250+01:00").unwrap();
    let mut out = Vec::new();
    for event in events {
        chain.append(ts, event, &mut out).unwrap();
    }
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn borrowed_and_owned_records_are_what_serde_parses() {
    let dir = tempfile::tempdir().unwrap();
    let mut chain = Chain::new();
    let mut lines = sensor_lines(&mut chain, 2);
    // Escapes in a sensor record: the scanner leaves it to serde.
    lines.extend(append_lines(
        &mut chain,
        &[
            Event::Sensor {
                sensor: "hall".into(),
                zone: "in\"side".into(),
                sensor_kind: SensorKind::Motion,
                state: SensorState::Motion,
                source: "pipe:pir".into(),
            },
            Event::siren(true),
        ],
    ));
    lines.extend(sensor_lines(&mut chain, 1));
    let file = write(dir.path(), "a.jsonl", &joined(&lines));
    let expected: Vec<Record> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();

    let mut reader = Reader::new([file.clone()]);
    let mut borrowed = Vec::new();
    while let Some(item) = reader.next_ref() {
        let ItemRef::Record(entry) = item else {
            panic!("{item:?}")
        };
        assert_eq!(entry.file, file.as_path());
        let sensor = matches!(entry.record.event, EventRef::Sensor(_));
        assert_eq!(sensor, entry.record.kind() == "sensor");
        borrowed.push((entry.line, entry.record.to_record()));
    }
    // Both paths are taken: the scanner for plain sensor lines, serde
    // for the escaped one.
    assert!(sensor_scanner::sensor_record(lines[0].as_bytes()).is_some());
    assert!(sensor_scanner::sensor_record(lines[2].as_bytes()).is_none());
    let owned: Vec<(u64, Record)> = {
        let mut reader = Reader::new([file]);
        std::iter::from_fn(|| match reader.next_item()? {
            Item::Record(e) => Some((e.line, e.record)),
            Item::Problem(p) => panic!("{p}"),
        })
        .collect()
    };
    let numbered: Vec<(u64, Record)> = (1..).zip(expected).collect();
    assert_eq!(borrowed, numbered);
    assert_eq!(owned, numbered);
    assert_eq!(reader.counts().records, 5);
}

#[test]
fn tampered_sensor_lines_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let lines = sensor_lines(&mut Chain::new(), 6);
    let mut tampered = lines.clone();
    // Line 2 altered (still a well-formed record), line 4 removed, line
    // 5 given a state no sensor has, and the last one torn.
    assert!(tampered[1].contains(r#""state":"closed""#));
    tampered[1] = tampered[1].replace(r#""state":"closed""#, r#""state":"open""#);
    tampered[4] = tampered[4].replace(r#""state":"open""#, r#""state":"ajar""#);
    let torn = &lines[5][..lines[5].len() - 1];
    tampered[5] = torn.to_string();
    tampered.remove(3);
    let content = format!("{}{torn}", joined(&tampered[..4]));
    let file = write(dir.path(), "a.jsonl", &content);
    let (seen, counts) = read_all(&[file]);
    let ajar = seen.iter().find_map(|s| match s {
        Prob {
            line: 4,
            kind: ProblemKind::Corrupt { reason },
        } => Some(reason.clone()),
        _ => None,
    });
    assert!(ajar.unwrap().contains("ajar"));
    let rest: Vec<&Seen> = seen
        .iter()
        .filter(|s| !matches!(s, Prob { line: 4, .. }))
        .collect();
    assert_eq!(
        rest,
        vec![
            &Rec { line: 1, seq: 1 },
            &Rec { line: 2, seq: 2 },
            &Prob {
                line: 3,
                kind: ProblemKind::ChainBreak { seq: 3 }
            },
            &Rec { line: 3, seq: 3 },
            &Prob {
                line: 5,
                kind: ProblemKind::Torn
            },
        ]
    );
    assert_eq!(
        counts,
        Counts {
            records: 3,
            torn: 1,
            corrupt: 1,
            breaks: 1,
            ..Counts::default()
        }
    );
}

#[test]
fn a_removed_sensor_line_is_a_gap_and_a_break() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = sensor_lines(&mut Chain::new(), 3);
    lines.remove(1);
    let file = write(dir.path(), "a.jsonl", &joined(&lines));
    let (seen, counts) = read_all(&[file]);
    assert_eq!(
        seen[1..3],
        [
            Prob {
                line: 2,
                kind: ProblemKind::SeqGap {
                    expected: 2,
                    found: 3
                }
            },
            Prob {
                line: 2,
                kind: ProblemKind::ChainBreak { seq: 3 }
            },
        ]
    );
    assert_eq!((counts.records, counts.gaps, counts.breaks), (2, 1, 1));
}

#[test]
fn problems_display_file_line_and_what() {
    let p = Problem {
        file: "/x/2026-11-22.jsonl".into(),
        line: 7,
        kind: ProblemKind::SeqGap {
            expected: 3,
            found: 5,
        },
    };
    assert_eq!(
        p.to_string(),
        "/x/2026-11-22.jsonl:7: sequence gap: expected seq 3, found 5"
    );
}
