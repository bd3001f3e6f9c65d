//! A design file cut into its parts: the design without its entities, and
//! each entity's text. The entities are nearly all of a large file, and
//! parsed apart they can be parsed on every core.
//!
//! The cut is only a shortcut: whenever the file is not laid out as plinth
//! writes it (no `entities` list, a `#![enable(…)]` attribute that would
//! change how the parts parse, text the lexer cannot read), there is no cut
//! and the whole file is parsed as one.

use super::lex::{self, Kind};

/// A design file in parts.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parts<'a> {
    /// The file with its entity list emptied: `… entities: [] …`.
    pub header: String,
    /// Each entity's text, in file order, with the offset it starts at.
    pub entities: Vec<(usize, &'a str)>,
}

/// The attribute `plinth::file::to_text` starts every file with.
const IMPLICIT_SOME: &str = "#![enable(implicit_some)]";

/// Cuts `source` into its parts, or `None` when it should be parsed whole.
pub(super) fn split(source: &str) -> Option<Parts<'_>> {
    // Where we are: the open brackets, outermost first.
    let mut open: Vec<u8> = Vec::new();
    let mut tokens = lex::tokens(source)
        .filter(|t| !matches!(t, Ok(t) if t.kind == Kind::Comment))
        .peekable();
    // The `[` of the entity list, once found, and the entity being read.
    let mut list: Option<usize> = None;
    let mut entity: Option<(usize, usize)> = None;
    let mut entities = Vec::new();
    // The end of an attribute already read.
    let mut skip_to = 0;
    while let Some(token) = tokens.next() {
        let t = token.ok()?;
        let text = &source[t.start..t.end];
        if t.start < skip_to {
            continue;
        }
        if open.is_empty() && t.kind == Kind::Other && text.starts_with('#') {
            // The one attribute plinth writes, which the options every part
            // is parsed with turn on anyway; any other changes how they parse.
            if !source[t.start..].starts_with(IMPLICIT_SOME) {
                return None;
            }
            skip_to = t.start + IMPLICIT_SOME.len();
            continue;
        }
        if let Some(start) = list {
            // Inside the list: an entity is every token up to a comma or
            // the list's end at the list's own depth.
            let at_list = open.len() == 2;
            match t.kind {
                Kind::Comma if at_list => {
                    entities.push(entity.take()?);
                    continue;
                }
                Kind::Close(b']') if at_list => {
                    entities.extend(entity.take());
                    let mut header = String::with_capacity(source.len() - (t.start - start));
                    header.push_str(&source[..=start]);
                    header.push_str(&source[t.start..]);
                    return Some(Parts {
                        header,
                        entities: entities
                            .into_iter()
                            .map(|(s, e)| (s, &source[s..e]))
                            .collect(),
                    });
                }
                _ => {}
            }
            let begun = entity.get_or_insert((t.start, t.end));
            begun.1 = t.end;
        }
        match t.kind {
            Kind::Open(bracket) => open.push(bracket),
            Kind::Close(_) => {
                open.pop()?;
            }
            Kind::Ident if list.is_none() && open == [b'('] && text == "entities" => {
                let colon = tokens.next()?.ok()?;
                let bracket = tokens.next()?.ok()?;
                if colon.kind != Kind::Colon || bracket.kind != Kind::Open(b'[') {
                    return None;
                }
                open.push(b'[');
                list = Some(bracket.start);
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_cut_out_with_their_offsets_and_comments_left_out() {
        let source = r#"(
    format: 1,
    name: "shop",
    entities: [
        // the first
        (name: "a", fields: [(name: "x", type: "text")]),
        (name: "b, ]", comment: Some("(")) /* after */ ,
    ],
    enums: [],
)"#;
        let parts = split(source).expect("a plain file is cut");
        let texts: Vec<&str> = parts.entities.iter().map(|(_, t)| *t).collect();
        assert_eq!(
            texts,
            [
                r#"(name: "a", fields: [(name: "x", type: "text")])"#,
                r#"(name: "b, ]", comment: Some("("))"#
            ]
        );
        for (at, text) in &parts.entities {
            assert_eq!(&source[*at..*at + text.len()], *text);
        }
        assert_eq!(
            parts.header,
            "(\n    format: 1,\n    name: \"shop\",\n    entities: [],\n    enums: [],\n)"
        );
    }

    #[test]
    fn files_not_laid_out_as_plinth_writes_them_are_not_cut() {
        for source in [
            "#![enable(unwrap_newtypes)]\n(format: 1, name: \"x\", entities: [])",
            "(format: 1, name: \"x\")",
            "(format: 1, name: \"x\", entities: [(name: \"a)",
            "(format: 1, name: \"x\", entities: [(name: \"a\"),,])",
            "(format: 1, name: \"x\", entities: [(name: \"a\")",
        ] {
            assert_eq!(split(source), None, "{source}");
        }
    }

    #[test]
    fn the_attribute_plinth_writes_is_kept_in_the_header() {
        let source =
            "#![enable(implicit_some)]\n(format: 1, name: \"x\", entities: [(name: \"a\")])";
        let parts = split(source).expect("plinth's own attribute does not stop the cut");
        assert_eq!(parts.entities.len(), 1);
        assert_eq!(
            parts.header,
            "#![enable(implicit_some)]\n(format: 1, name: \"x\", entities: [])"
        );
    }

    #[test]
    fn an_empty_list_and_a_trailing_comma_give_no_empty_entity() {
        let parts = split("(name: \"x\", entities: [])").unwrap();
        assert!(parts.entities.is_empty());
        let parts = split("(name: \"x\", entities: [(name: \"a\"),])").unwrap();
        assert_eq!(parts.entities.len(), 1);
    }
}
