//! Wakes the sensor process's main loop when the controller's status
//! segment is created or replaced (a controller starting), so that a
//! restart is noticed at once without polling: an inotify watch on the
//! segment's folder, read by a thread of its own.

use crate::backend::Wake;
use inotify::{Inotify, WatchMask};
use std::ffi::OsString;
use std::path::Path;
use std::sync::mpsc::Sender;

/// Watches the segment's folder with inotify from a thread, sending
/// [`Wake::SegmentChanged`] when the segment file is created or replaced.
/// Returns an error (the caller goes on without it) if inotify is unavailable.
pub fn watch_segment(segment: &Path, wake: Sender<Wake>) -> std::io::Result<()> {
    let dir = segment.parent().unwrap_or(Path::new("/"));
    let name: OsString = segment.file_name().unwrap_or_default().to_os_string();
    let mut inotify = Inotify::init()?;
    inotify
        .watches()
        .add(dir, WatchMask::CREATE | WatchMask::MOVED_TO)?;
    std::thread::Builder::new()
        .name("segment-watch".into())
        .spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends when inotify fails or the main loop is gone.
            while let Ok(events) = inotify.read_events_blocking(&mut buf) {
                let ours = events.into_iter().any(|e| e.name == Some(name.as_os_str()));
                if ours && wake.send(Wake::SegmentChanged).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_watcher_wakes_when_the_segment_appears() {
        let dir = tempfile::tempdir().expect("temp dir");
        let segment = dir.path().join("homesec-x.status");
        let (tx, rx) = std::sync::mpsc::channel();
        watch_segment(&segment, tx).expect("inotify available");
        std::fs::write(dir.path().join("other"), b"").expect("written");
        std::fs::write(dir.path().join("tmp"), b"").expect("written");
        std::fs::rename(dir.path().join("tmp"), &segment).expect("renamed");
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok(Wake::SegmentChanged)
        );
        assert!(rx.try_recv().is_err(), "other files are ignored");
    }
}
