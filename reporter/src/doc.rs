//! A small document writer with two flavours: Markdown (headings with `#`,
//! pipe tables) and plain text (underlined headings, columns padded with
//! spaces). Every text it is given may quote the event log, which quotes
//! input, so each is made harmless on the way in ([`Doc::clean`]): control
//! characters escaped (no terminal escape sequence reaches a reader's
//! screen), and in Markdown `\`, `<`, `>`, `&` and `|` backslash-escaped (no
//! HTML reaches a Markdown renderer, no input breaks a table). Cells are
//! single-line: newlines become spaces.

use std::fmt::Write;

/// Markdown or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Markdown.
    Markdown,
    /// Plain text.
    Text,
}

/// A document being written.
#[derive(Debug)]
pub struct Doc {
    flavour: Flavour,
    out: String,
}

impl Doc {
    /// An empty document.
    pub fn new(flavour: Flavour) -> Self {
        Doc {
            flavour,
            out: String::new(),
        }
    }

    /// A heading; level 1 is the title.
    pub fn heading(&mut self, level: usize, text: &str) {
        let text = &self.clean(text);
        self.gap();
        match self.flavour {
            Flavour::Markdown => {
                let _ = writeln!(self.out, "{} {text}", "#".repeat(level));
            }
            Flavour::Text => {
                let rule = match level {
                    1 => '=',
                    2 => '-',
                    _ => '~',
                };
                let underline: String = std::iter::repeat_n(rule, text.chars().count()).collect();
                let _ = writeln!(self.out, "{text}\n{underline}");
            }
        }
        self.out.push('\n');
    }

    /// A paragraph of lines kept as lines.
    pub fn lines(&mut self, lines: &[String]) {
        self.gap();
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            let line = self.clean(line);
            let hard_break = self.flavour == Flavour::Markdown && i < last;
            let _ = writeln!(self.out, "{line}{}", if hard_break { "  " } else { "" });
        }
        self.out.push('\n');
    }

    /// A paragraph.
    pub fn para(&mut self, text: &str) {
        self.lines(&[text.to_string()]);
    }

    /// A bulleted list.
    pub fn bullets(&mut self, items: &[String]) {
        self.gap();
        for item in items {
            let item = self.clean(item);
            let _ = writeln!(self.out, "- {item}");
        }
        self.out.push('\n');
    }

    /// A table; rows shorter than the header are padded.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        self.gap();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|row| (0..header.len()).map(|i| self.cell(row.get(i))).collect())
            .collect();
        match self.flavour {
            Flavour::Markdown => self.markdown_table(header, &rows),
            Flavour::Text => self.text_table(header, &rows),
        }
        self.out.push('\n');
    }

    fn cell(&self, text: Option<&String>) -> String {
        let text = text.map_or("", String::as_str).replace(['\n', '\r'], " ");
        self.clean(&text)
    }

    /// `text` safe to write: control characters escaped (`\u{1b}`), and in
    /// Markdown the characters that would start HTML, an entity or a table
    /// cell escaped with a backslash.
    pub fn clean(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                c if c.is_control() => out.extend(c.escape_default()),
                '\\' | '<' | '>' | '&' | '|' if self.flavour == Flavour::Markdown => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        out
    }

    fn markdown_table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let _ = writeln!(self.out, "| {} |", header.join(" | "));
        let rule: Vec<&str> = header.iter().map(|_| "---").collect();
        let _ = writeln!(self.out, "| {} |", rule.join(" | "));
        for row in rows {
            let _ = writeln!(self.out, "| {} |", row.join(" | "));
        }
    }

    fn text_table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        for row in std::iter::once(&header).chain(rows) {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            let _ = writeln!(self.out, "{}", cells.join("  ").trim_end());
        }
    }

    /// Makes sure blocks are separated by one blank line.
    fn gap(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// The finished document, ending in one newline.
    pub fn finish(mut self) -> String {
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_escape_pipes_and_newlines() {
        let mut doc = Doc::new(Flavour::Markdown);
        doc.heading(2, "Input");
        doc.table(&["a", "b"], &[vec!["x|y".into(), "1\n2".into()]]);
        assert_eq!(
            doc.finish(),
            "## Input\n\n| a | b |\n| --- | --- |\n| x\\|y | 1 2 |\n"
        );
    }

    #[test]
    fn input_quoted_from_the_log_stays_text_in_both_flavours() {
        let hostile = "\u{1b}[2J<script>x</script> & a\\|b\u{7}".to_string();
        let mut md = Doc::new(Flavour::Markdown);
        md.para(&hostile);
        md.table(&["input"], &[vec![hostile.clone()]]);
        let md = md.finish();
        assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'), "{md}");
        assert!(
            !md.contains("<script>") && md.contains("\\<script\\>"),
            "{md}"
        );
        assert!(md.contains("\\&") && md.contains("a\\\\\\|b"), "{md}");
        let mut text = Doc::new(Flavour::Text);
        text.heading(2, &hostile);
        text.bullets(std::slice::from_ref(&hostile));
        let text = text.finish();
        assert!(
            !text.contains('\u{1b}') && text.contains("\\u{1b}[2J"),
            "{text}"
        );
        // Plain text shows markup as it is: nothing renders it.
        assert!(text.contains("<script>"), "{text}");
    }

    #[test]
    fn text_tables_are_padded_columns() {
        let mut doc = Doc::new(Flavour::Text);
        doc.heading(1, "Report");
        doc.table(
            &["sensor", "n"],
            &[vec!["front-door".into(), "3".into()], vec!["w".into()]],
        );
        assert_eq!(
            doc.finish(),
            "Report\n======\n\nsensor      n\nfront-door  3\nw\n"
        );
    }
}
