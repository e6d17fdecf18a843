//! Finds the field path (`sensors[2].gpio.pin`) at a byte offset, for errors
//! that serde reports with only a span (unknown field, wrong type, missing
//! field). It re-reads the text as a generic tree whose keys and values keep
//! their spans, then descends to the innermost key or value covering the
//! offset. Text that is not TOML has no path.

use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use std::fmt;
use toml::Spanned;

/// A TOML value with spans on every key and nested value.
enum Node {
    Table(Vec<(Spanned<String>, Spanned<Node>)>),
    Array(Vec<Spanned<Node>>),
    Leaf,
}

/// One step of a field path.
enum Step {
    Key(String),
    Index(usize),
}

/// The field path at `offset`, if the text is TOML and a field covers it.
pub(crate) fn field_path_at(text: &str, offset: usize) -> Option<String> {
    let root: Node = toml::from_str(text).ok()?;
    let mut steps = path_in(&root, offset)?;
    steps.reverse();
    let mut path = String::new();
    for step in steps {
        match step {
            Step::Key(key) if path.is_empty() => path.push_str(&key),
            Step::Key(key) => {
                path.push('.');
                path.push_str(&key);
            }
            Step::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    Some(path)
}

/// The steps (innermost first) from `node` to the field covering `offset`.
/// A child table's span may not include its sub-tables (`[sensors.gpio]`
/// comes after `[[sensors]]`'s own span ends), so every child is searched,
/// not only those whose span covers the offset.
fn path_in(node: &Node, offset: usize) -> Option<Vec<Step>> {
    match node {
        Node::Table(entries) => entries.iter().find_map(|(key, value)| {
            let on_key = key.span().contains(&offset);
            step_into(Step::Key(key.get_ref().clone()), on_key, value, offset)
        }),
        Node::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, value)| step_into(Step::Index(i), false, value, offset)),
        Node::Leaf => None,
    }
}

/// The path through one child: deeper inside it if a descendant covers the
/// offset, else just `step` if the child's key or value does.
fn step_into(step: Step, on_key: bool, value: &Spanned<Node>, offset: usize) -> Option<Vec<Step>> {
    if let Some(mut inner) = path_in(value.get_ref(), offset) {
        inner.push(step);
        return Some(inner);
    }
    (on_key || value.span().contains(&offset)).then(|| vec![step])
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any TOML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(Node::Leaf)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(Node::Leaf)
    }

    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(Node::Leaf)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Table(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str, needle: &str) -> Option<String> {
        field_path_at(text, text.find(needle).unwrap())
    }

    #[test]
    fn keys_values_and_array_elements() {
        let text = "instance = \"x\"\n[timers]\nexit_delay = 3\n[[sensors]]\nid = \"a\"\n[[sensors]]\nid = \"b\"\nbogus = 1\n";
        assert_eq!(path(text, "instance").as_deref(), Some("instance"));
        assert_eq!(path(text, "3").as_deref(), Some("timers.exit_delay"));
        assert_eq!(path(text, "\"b\"").as_deref(), Some("sensors[1].id"));
        assert_eq!(path(text, "bogus").as_deref(), Some("sensors[1].bogus"));
    }

    #[test]
    fn sub_tables_after_the_array_element() {
        let text = "[[sensors]]\nid = \"a\"\n[sensors.gpio]\npin = 3\n[[sensors]]\nid = \"b\"\n[sensors.gpio]\npull = 7\n";
        assert_eq!(path(text, "pull").as_deref(), Some("sensors[1].gpio.pull"));
        assert_eq!(path(text, "pin").as_deref(), Some("sensors[0].gpio.pin"));
    }

    #[test]
    fn inline_tables_and_arrays() {
        let text = "[[detectors]]\nname = \"d\"\ncommand = [\"sh\", 5]\ngpio = { pin = 1 }\n";
        assert_eq!(path(text, "5").as_deref(), Some("detectors[0].command[1]"));
        assert_eq!(path(text, "pin").as_deref(), Some("detectors[0].gpio.pin"));
    }

    #[test]
    fn not_toml_has_no_path() {
        assert_eq!(field_path_at("x = = 1", 4), None);
    }
}
