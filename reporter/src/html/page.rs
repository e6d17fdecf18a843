//! Writing HTML that cannot be malformed: [`Page`] opens and closes
//! elements (every end tag matches its start tag), [`escape`] makes any
//! text safe in content and attributes, and [`table`] lays out the report's
//! tables with numbers right-aligned and long cells wrapped.

use std::fmt::{Display, Write};

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by their entities, safe
/// in element content and in quoted attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// An attribute: its name and a value, escaped when written.
pub(super) type Attr<'a> = (&'a str, &'a dyn Display);

/// The page being written. Elements are opened and closed through it, so
/// every end tag matches its start tag; text and attribute values are
/// escaped on the way in.
#[derive(Debug, Default)]
pub(super) struct Page {
    out: String,
    open: Vec<&'static str>,
}

/// Elements after whose end tag a newline keeps the source readable.
pub(super) const BLOCKS: [&str; 20] = [
    "head",
    "body",
    "main",
    "header",
    "section",
    "article",
    "div",
    "p",
    "h1",
    "h2",
    "h3",
    "ul",
    "li",
    "table",
    "tr",
    "figure",
    "figcaption",
    "svg",
    "g",
    "style",
];

impl Page {
    pub(super) fn start_tag(&mut self, tag: &str, attrs: &[Attr]) {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"{}\"", escape(&value.to_string()));
        }
    }

    /// Opens `tag`; [`Page::close`] ends it.
    pub(super) fn open(&mut self, tag: &'static str, attrs: &[Attr]) {
        self.start_tag(tag, attrs);
        self.out.push('>');
        self.open.push(tag);
    }

    /// Ends the element opened last.
    pub(super) fn close(&mut self) {
        if let Some(tag) = self.open.pop() {
            let _ = write!(self.out, "</{tag}>");
            if BLOCKS.contains(&tag) {
                self.out.push('\n');
            }
        }
    }

    /// An element without content: `<meta …/>`, `<rect …/>`.
    pub(super) fn empty(&mut self, tag: &'static str, attrs: &[Attr]) {
        self.start_tag(tag, attrs);
        self.out.push_str("/>");
    }

    /// Escaped text.
    pub(super) fn text(&mut self, text: &str) {
        self.out.push_str(&escape(text));
    }

    /// An element holding only text.
    pub(super) fn leaf(&mut self, tag: &'static str, attrs: &[Attr], text: &str) {
        self.open(tag, attrs);
        self.text(text);
        self.close();
    }

    /// The style sheet: a constant of this module, never text from the log.
    pub(super) fn style(&mut self, css: &'static str) {
        self.open("style", &[]);
        self.out.push_str(css);
        self.close();
    }

    /// The page, with any element still open closed.
    /// Starts the document: the doctype, before the first element.
    pub(super) fn doctype(&mut self) {
        self.out.push_str("<!DOCTYPE html>\n");
    }

    pub(super) fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

pub(super) fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Columns whose cells are all at most this long stay on one line.
pub(super) const SHORT_CELL: usize = 16;
/// Cells longer than this make their column a wide one.
pub(super) const LONG_CELL: usize = 24;

/// How a table column is laid out, as a CSS class of its cells.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    /// Numbers only: right-aligned, one line.
    Numeric,
    /// Short text: one line.
    Short,
    /// Text of a few words: wraps, but not narrower than a phrase.
    Medium,
    /// Long text: wraps, never narrower than a readable width.
    Wide,
}

impl Column {
    /// The column a table's cells call for.
    pub(super) fn of<'a>(cells: impl Iterator<Item = &'a String> + Clone) -> Column {
        let cells = cells.filter(|s| !s.is_empty());
        let longest = cells.clone().map(|s| s.chars().count()).max().unwrap_or(0);
        if longest > LONG_CELL {
            Column::Wide
        } else if longest > SHORT_CELL {
            Column::Medium
        } else if longest > 0 && cells.clone().all(|s| is_number(s)) {
            Column::Numeric
        } else {
            Column::Short
        }
    }

    pub(super) fn class(self) -> &'static str {
        match self {
            Column::Numeric => "n",
            Column::Short => "s",
            Column::Medium => "m",
            Column::Wide => "w",
        }
    }
}

/// A table in a box that scrolls sideways when the screen is narrower:
/// short cells stay on one line, longer text wraps at a readable width,
/// numbers are right-aligned.
pub(super) fn table(page: &mut Page, header: &[&str], rows: &[Vec<String>]) {
    let classes: Vec<&str> = (0..header.len())
        .map(|c| Column::of(rows.iter().filter_map(move |row| row.get(c))).class())
        .collect();
    page.open("div", &[("class", &"scroll")]);
    page.open("table", &[]);
    page.open("thead", &[]);
    page.open("tr", &[]);
    for (class, name) in classes.iter().zip(header) {
        page.leaf("th", &[("class", class)], name);
    }
    page.close();
    page.close();
    page.open("tbody", &[]);
    for row in rows {
        page.open("tr", &[]);
        for (c, class) in classes.iter().enumerate() {
            let text = row.get(c).map_or("", String::as_str);
            page.leaf("td", &[("class", class)], text);
        }
        page.close();
    }
    page.close();
    page.close();
    page.close();
}
