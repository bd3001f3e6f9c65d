//! Finding the line a problem is about in a design file's text.
//!
//! The RON parser knows positions only while it parses; problems found
//! afterwards (a dangling reference, a duplicate name) know the names that
//! lead to them. We look for those names in the text, each after the one
//! before it, and point at the last one found.

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

/// Finds `path` in `source`: the first word as a `name: "…"` entry (or,
/// failing that, anywhere as a quoted string or a field key), then each
/// next word after it. Stops at the deepest word it finds.
pub fn locate(source: &str, path: &[String]) -> Position {
    let mut from = 0;
    let mut found = None;
    for word in path {
        match find_word(source, word, from) {
            Some(at) => {
                found = Some(at);
                from = at + 1;
            }
            None => break,
        }
    }
    position_of(source, found.unwrap_or(0))
}

fn find_word(source: &str, word: &str, from: usize) -> Option<usize> {
    let rest = &source[from..];
    let quoted = format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\""));
    let named = format!("name: {quoted}");
    let key = format!("{word}:");
    rest.find(&named)
        .map(|i| i + "name: ".len())
        .or_else(|| rest.find(&quoted))
        .or_else(|| rest.find(&key))
        .map(|i| i + from)
}

fn position_of(source: &str, offset: usize) -> Position {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line,
        col: before[line_start..].chars().count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"(
    entities: [
        (name: "users", fields: [(name: "id", type: "uuid")]),
        (
            name: "orders",
            fields: [
                (name: "id", type: "uuid"),
            ],
        ),
    ],
)"#;

    fn at(path: &[&str]) -> (usize, usize) {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let p = locate(SOURCE, &path);
        (p.line, p.col)
    }

    #[test]
    fn finds_each_word_after_the_one_before() {
        assert_eq!(at(&["orders"]), (5, 19));
        assert_eq!(at(&["orders", "id"]), (7, 24));
        assert_eq!(at(&["users", "id"]), (3, 41));
    }

    #[test]
    fn stops_at_the_deepest_word_found() {
        assert_eq!(at(&["orders", "nowhere"]), (5, 19));
        assert_eq!(at(&["nowhere"]), (1, 1));
    }
}
