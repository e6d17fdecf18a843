//! Writing report files for cron: `<dir>/<period>.<ext>` written to a temp
//! file in the same dir, synced, then renamed over the old one, so a reader
//! sees the old report or the new one, never half of either; running the
//! same report again replaces the file with the same content.

use crate::ReportError;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `content` to `dir/name` atomically; returns the path.
pub fn write_atomic(dir: &Path, name: &str, content: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join(name);
    let temp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let fail = |source| ReportError::Write {
        path: path.clone(),
        source,
    };
    let written = File::create(&temp).and_then(|mut file| {
        file.write_all(content.as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&temp, &path)) {
        // The temp file is ours and useless now; a failure to remove it
        // changes nothing about the error reported.
        let _ = fs::remove_file(&temp);
        return Err(fail(e));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(dir.path(), "a.md", "one").unwrap();
        let path = write_atomic(dir.path(), "a.md", "two").unwrap();
        assert_eq!(fs::read_to_string(path).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["a.md"]);
        let missing = dir.path().join("missing");
        let err = write_atomic(&missing, "a.md", "x").unwrap_err();
        assert!(err.to_string().contains("missing/a.md"), "{err}");
    }
}
