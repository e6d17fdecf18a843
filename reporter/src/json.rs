//! The JSON report, schema version 1.
//!
//! One JSON object (pretty-printed, UTF-8, ending in a newline). Readers
//! must ignore fields they do not know: later versions of schema 1 may add
//! fields; removing or changing one makes schema 2. Conventions:
//! times are RFC 3339 strings in the reporter's local time zone with their
//! offset (`"2026-11-23T14:05:29.760+01:00"`); durations are integers in
//! milliseconds with names ending in `_ms`; a field without a value is
//! `null`, never left out; a *capped list* is `{"items": [...], "omitted": n}`,
//! the first items in log order and how many more there were. Names of
//! states, modes, kinds and causes are the event log's (see
//! `homesec_ipc::eventlog::record`).
//!
//! | field | type | meaning |
//! | --- | --- | --- |
//! | `schema` | 1 | this schema |
//! | `generator` | string | `homesec-reporter <version>` |
//! | `instance` | string | the instance name |
//! | `period.kind` | `day` \| `week` \| `range` | |
//! | `period.name` | string | `2026-11-23`, `2026-W48` or `2026-11-23T0800--2026-11-23T1200`; the output file's name |
//! | `period.start`, `period.end` | time | the period, end exclusive |
//! | `period.length_ms` | integer | `end - start`: a day is 23, 24 or 25 hours |
//! | `period.complete` | bool | false while the period is still running |
//! | `period.first_record`, `period.last_record` | time \| null | first and last record in the period |
//! | `summary.lines` | 3 strings | alarms; arms, disarms, events, faults; integrity |
//! | `totals` | totals | counts over the period (below) |
//! | `house.sensors[]` | `{id, name, zone, kind}` | every sensor the report mentions: name from the config (else the id); zone and kind from the log (else the config, else null) |
//! | `house.zones[]` | `{id, name}` | every zone the report mentions |
//! | `timeline.at_start`, `timeline.at_end` | state | alarm state when the period began and ended (or now); `{state, mode, since}`, `state` null when no earlier record tells |
//! | `timeline.armed_ms` | integer | time with a mode set (arming, armed, pending, triggered) |
//! | `timeline.segments` | capped list of `{start, end, state, mode}` | the period cut where the state changed, back to back |
//! | `timeline.changes` | capped list of change | arms, exit delays ended, disarms, restores, refused arms (below) |
//! | `alarms` | capped list of alarm | each alarm (below) |
//! | `activity.events` | integer | accepted sensor events |
//! | `activity.zones[]` | `{zone, events, activations}` | per zone, most events first; `activations` counts active states (open, motion, alarm, pressed) |
//! | `activity.sensors[]` | `{sensor, zone, kind, events, activations}` | per sensor, most events first |
//! | `activity.other_events` | integer | events of ids past the 256 per list |
//! | `activity.histogram.bucket_minutes` | integer | 60, wider for ranges over 200 hours |
//! | `activity.histogram.buckets[]` | `{start, events, activations}` | back to back from `period.start`; a DST day has 23 or 25 |
//! | `openings.threshold_ms` | integer | `--open-threshold` |
//! | `openings.items` | capped list of opening | doors and windows open at least the threshold or while armed (below) |
//! | `health.troubles` | capped list of trouble | trouble periods overlapping the period (below) |
//! | `health.sensors[]` | `{sensor, offline, low_battery, tamper, offline_ms}` | trouble periods per sensor and condition, offline time within the period |
//! | `health.tamper_events` | integer | sensor events reporting a device's tamper switch |
//! | `input.rejected` | capped list of `{at, source, reason, input}` | refused input; `input` is the logged excerpt (codes hidden) |
//! | `input.rejected_by_source[]` | `{name, count}` | most first; `other` past 32 sources |
//! | `input.codes` | `{accepted, duress, wrong, locked}` | code attempts by outcome |
//! | `input.failed_codes` | capped list of `{at, action, result, source}` | `result` is `wrong` or `locked` |
//! | `system` | object | `starts`, `stops`, `unclean_restarts` (a start without a clean stop before it), `reloads`, `reloads_refused`, `signals`, and `events`: capped list of `{at, what, detail}` with `what` one of `start`, `unclean_start`, `stop`, `reload`, `reload_refused`, `signal` |
//! | `days[]` | `{date, length_ms, totals}` | each local day of the period (one for a day report) |
//! | `comparison` | object \| null | weeks only: `{previous, previous_totals, previous_logged}`: the week before's name, its totals, and whether it had any record |
//! | `integrity.status` | `ok` \| `failed` | failed on any gap, chain break, corrupt line or torn line |
//! | `integrity.records` | integer | records in the period's files |
//! | `integrity.first_seq`, `integrity.last_seq` | integer \| null | |
//! | `integrity.files[]` | `{date, path, present, records}` | each day file of the period |
//! | `integrity.counts` | `{gaps, chain_breaks, corrupt, torn, in_progress}` | |
//! | `integrity.problems` | capped list of `{file, line, kind, detail}` | `kind`: `gap`, `chain_break`, `corrupt`, `torn`, or `in_progress` (the unterminated last line of the current house day's file: the controller writing it; not a failure) |
//!
//! **totals**: `{alarms, arms, disarms, events, faults, rejected, failed_codes}`:
//! alarms raised (into `triggered`, plus silent alarms), arm commands taken,
//! disarms, accepted sensor events, trouble conditions that started,
//! refused inputs, wrong or locked-out codes.
//!
//! **change**: `{at, action, state, mode, user, source, delay_ms, sensors}`;
//! `action` is `arm` (exit delay starts; `delay_ms` is it; `sensors` are
//! those a forced arm bypassed), `armed` (exit delay ended), `disarm`,
//! `alarm_ended` (an alarm raised while disarmed ran out), `restore` (a
//! restarted controller took up its state) or `refused` (`sensors` in the
//! way, `state` null).
//!
//! **alarm**: `{cause, sensor, zone, sensor_kind, mode, triggered_at,
//! before_period, silent, user, source, entry_started_at, entry_delay_ms,
//! entry_used_ms, also, timed_out_at, disarmed, clips}`; `cause` is
//! `intrusion`, `panic`, `tamper`, `fire`, `medical`, `restore`, `duress`
//! (silent, `user` set), `silent` (a silent `activate_alarm`) or `other`; `before_period` marks an alarm raised earlier and
//! still running when the period began; the `entry_*` fields say when the
//! entry delay began, how long it was and how much was used before the
//! trigger (null without one); `also` lists `{at, cause, sensor}` raised
//! again while it sounded; `timed_out_at` is when the trigger duration ran
//! out; `disarmed` is `{at, user, source, after_ms}` (after_ms from the
//! trigger) or null if nobody disarmed in the period; `clips` names camera
//! clips (empty until the event log names them).
//!
//! **opening**: `{sensor, zone, kind, opened_at, closed_at, open_ms,
//! too_long, armed_ms, bypass}`; `closed_at` null if still open at the
//! period's end (`open_ms` runs to then); `armed_ms` is the time it was
//! open while the system was armed, which it can only be when bypassed;
//! `bypass` the bypass reason (`manual`, `forced`, `swinger`,
//! `still_active`, `restored`) or null.
//!
//! **trouble**: `{sensor, zone, condition, started_at, ended_at,
//! duration_ms}`; `condition` is `offline`, `low_battery` or `tamper`;
//! `ended_at` null if it still held at the period's end; `duration_ms` is
//! the part within the period.

use crate::model::Report;

/// The report as JSON (schema 1), ending in a newline.
pub fn render(report: &Report) -> String {
    // Every type in the report serialises to JSON (string keys, no
    // non-finite floats), so this cannot fail; keep a valid object anyway.
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        serde_json::json!({ "schema": crate::model::SCHEMA, "error": e.to_string() }).to_string()
    });
    text.push('\n');
    text
}
