//! Errors with their place in the file: every parse or validation error
//! carries the file name, a 1-based line and column computed from the byte
//! span, the field path (`sensors[3].zone`, indexes 0-based) and a message,
//! and prints as `house.toml:12:8: sensors[3].zone: message`.

use crate::locate::field_path_at;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// One located problem in a house description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file's path, or `<embedded default house>`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Path of the offending field, like `sensors[3].zone`; empty when the
    /// text is not TOML at all.
    pub field: String,
    /// What is wrong, on one line.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Why a house description was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read the house description: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said (in the message, so it shows once rather than
        /// again as the cause).
        error: std::io::Error,
    },
    /// The text is not TOML, or does not fit the schema (unknown field,
    /// missing field, wrong type).
    #[error("{0}")]
    Parse(Diagnostic),
    /// A value breaks a rule (bad id, unknown zone, pin used twice, ...).
    #[error("{0}")]
    Invalid(Diagnostic),
}

impl ConfigError {
    /// The located problem, unless this is an I/O error.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::Parse(d) | ConfigError::Invalid(d) => Some(d),
        }
    }
}

/// A validation problem before it is located: span, field path, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub span: Range<usize>,
    pub field: String,
    pub message: String,
}

impl Problem {
    pub(crate) fn new(
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            span,
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Locates a validation problem in `text`.
pub(crate) fn invalid(problem: Problem, text: &str, file: &str) -> ConfigError {
    let (line, column) = line_column(text, problem.span.start);
    ConfigError::Invalid(Diagnostic {
        file: file.to_string(),
        line,
        column,
        field: problem.field,
        message: problem.message,
    })
}

/// Locates a TOML syntax or schema error in `text`, finding the field path
/// from the error's span.
pub(crate) fn parse_failed(error: &toml::de::Error, text: &str, file: &str) -> ConfigError {
    let offset = error.span().map_or(0, |span| span.start);
    let (line, column) = line_column(text, offset);
    let message = error
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(": ");
    // The TOML parser says nothing about some bytes (a NUL in a comment):
    // name the character, escaped, so the message is never empty.
    let message = match (
        message.is_empty(),
        text[offset.min(text.len())..].chars().next(),
    ) {
        (false, _) => message,
        (true, Some(c)) => format!(
            "character {} is not allowed here (a config is plain text)",
            c.escape_default()
        ),
        (true, None) => "unexpected end of the file".to_string(),
    };
    ConfigError::Parse(Diagnostic {
        file: file.to_string(),
        line,
        column,
        field: field_path_at(text, offset).unwrap_or_default(),
        message,
    })
}

/// 1-based line and character column of a byte offset (clamped to the text).
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (1, 5));
        assert_eq!(line_column(text, 6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_column(text, 10), (2, 4));
        assert_eq!(line_column(text, 1000), (3, 1));
    }

    #[test]
    fn display_names_file_place_and_field() {
        let d = Diagnostic {
            file: "house.toml".into(),
            line: 12,
            column: 8,
            field: "sensors[3].zone".into(),
            message: "zone 'garage' does not exist".into(),
        };
        assert_eq!(
            d.to_string(),
            "house.toml:12:8: sensors[3].zone: zone 'garage' does not exist"
        );
        let bare = Diagnostic {
            field: String::new(),
            ..d
        };
        assert_eq!(
            bare.to_string(),
            "house.toml:12:8: zone 'garage' does not exist"
        );
    }
}
