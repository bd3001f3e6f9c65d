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
///
/// A large file is cut in two halves at once: the second half from an
/// entity's start guessed by the layout plinth writes, the first up to
/// it, checking it is an entity's start. When it is not (a file laid out
/// by hand, say), the file is cut from the start as one.
pub(super) fn split(source: &str) -> Option<Parts<'_>> {
    let halves = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
        && source.len() >= PARALLEL_FROM;
    if halves
        && let Some(middle) = entity_start_after(source, source.len() / 2)
        && let Some(parts) = split_at(source, middle)
    {
        return Some(parts);
    }
    match cut(source, Cut::default(), 0, None)? {
        Reached::Close(close, cut) => Some(cut.parts(source, close, Vec::new())),
        Reached::Stop(_) => None,
    }
}

/// Below this size one pass is quicker than starting a thread.
const PARALLEL_FROM: usize = 4 << 20;

/// The start of the first entity after `from`, as plinth lays entities
/// out (`        ),` then `        (` on lines of their own); only a guess,
/// which [`split_at`] checks.
fn entity_start_after(source: &str, from: usize) -> Option<usize> {
    const BETWEEN: &str = "\n        ),\n        (\n";
    let at = source.get(from..)?.find(BETWEEN)?;
    Some(from + at + BETWEEN.len() - 2)
}

/// Cuts the entities from `middle` on, on another thread, while this one
/// cuts up to `middle`; `None` unless an entity starts there.
fn split_at(source: &str, middle: usize) -> Option<Parts<'_>> {
    let (first, second) = std::thread::scope(|scope| {
        let second = scope.spawn(|| match cut(source, Cut::inside_list(), middle, None)? {
            Reached::Close(close, cut) => Some((close, cut.entities)),
            Reached::Stop(_) => None,
        });
        let first = cut(source, Cut::default(), 0, Some(middle));
        (first, second.join().expect("cutting a file does not panic"))
    });
    let (Reached::Stop(first), Some((close, rest))) = (first?, second) else {
        return None;
    };
    Some(first.parts(source, close, rest))
}

/// Where a cut stopped: the entity list's `]` (at this offset), or the
/// offset it was told to stop at, with what it found on the way.
enum Reached {
    Close(usize, Cut),
    Stop(Cut),
}

/// What a cut has found so far.
#[derive(Default)]
struct Cut {
    /// The open brackets, outermost first.
    open: Vec<u8>,
    /// The `[` of the entity list, once found.
    list: Option<usize>,
    /// The entity being read: where its first token starts and its last ends.
    entity: Option<(usize, usize)>,
    entities: Vec<(usize, usize)>,
}

impl Cut {
    /// A cut that starts at an entity, in the list of the design.
    fn inside_list() -> Cut {
        Cut {
            open: vec![b'(', b'['],
            list: Some(0),
            ..Cut::default()
        }
    }

    /// The parts, the list closing at `close`, with the entities `rest`
    /// after the ones this cut found.
    fn parts(self, source: &str, close: usize, rest: Vec<(usize, usize)>) -> Parts<'_> {
        let start = self.list.expect("a list was found");
        let mut header = String::with_capacity(source.len() - (close - start));
        header.push_str(&source[..=start]);
        header.push_str(&source[close..]);
        Parts {
            header,
            entities: self
                .entities
                .into_iter()
                .chain(rest)
                .map(|(s, e)| (s, &source[s..e]))
                .collect(),
        }
    }
}

/// Reads tokens from `from` (a token's start), cutting out entities,
/// until the list closes, or until the token at `stop`, which must start
/// an entity.
fn cut(source: &str, state: Cut, from: usize, stop: Option<usize>) -> Option<Reached> {
    let mut tokens = lex::tokens_from(source, from)
        .filter(|t| !matches!(t, Ok(t) if t.kind == Kind::Comment))
        .peekable();
    // The end of an attribute already read.
    let mut skip_to = 0;
    let Cut {
        mut open,
        mut list,
        mut entity,
        mut entities,
    } = state;
    while let Some(token) = tokens.next() {
        let t = token.ok()?;
        let text = &source[t.start..t.end];
        if t.start < skip_to {
            continue;
        }
        if let Some(stop) = stop
            && t.start >= stop
        {
            // Only a token that starts the next entity of the list.
            if t.start != stop || open.len() != 2 || list.is_none() || entity.is_some() {
                return None;
            }
            return Some(Reached::Stop(Cut {
                open,
                list,
                entity,
                entities,
            }));
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
        if list.is_some() {
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
                    return Some(Reached::Close(
                        t.start,
                        Cut {
                            open,
                            list,
                            entity,
                            entities,
                        },
                    ));
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

    /// Cut in halves or in one pass, a file gives the same parts; a guess
    /// that is not an entity's start (inside a comment, not a token's
    /// start, a field) gives no halves, and the one pass then cuts it.
    #[test]
    fn halves_cut_as_one_pass_does_and_a_wrong_guess_is_refused() {
        let design = crate::core::synthetic::design(300, 5);
        let text = crate::file::to_text(&design);
        let one_pass = match cut(&text, Cut::default(), 0, None) {
            Some(Reached::Close(close, cut)) => cut.parts(&text, close, Vec::new()),
            _ => panic!("a file plinth wrote is cut"),
        };
        assert_eq!(one_pass.entities.len(), 300);
        let mut tried = 0;
        let mut from = 0;
        while let Some(guess) = entity_start_after(&text, from) {
            let halves = split_at(&text, guess).expect("each guess in a plain file is a start");
            assert_eq!(halves, one_pass);
            tried += 1;
            from = guess + 1;
        }
        assert_eq!(tried, 299, "every entity after the first is a guess");
        // Strings hold no line breaks as plinth writes them; a comment can.
        let commented = text.replacen(
            "    entities: [\n",
            "    entities: [\n        /*\n        ),\n        (\n        */\n",
            1,
        );
        let in_comment = entity_start_after(&commented, 0).unwrap();
        assert!(split_at(&commented, in_comment).is_none());
        assert!(
            split_at(&commented, in_comment + 1).is_none(),
            "not a token's start"
        );
        let field_line = commented.find("(id: \"f").unwrap();
        assert!(
            split_at(&commented, field_line).is_none(),
            "a field is not an entity"
        );
        assert_eq!(split(&commented).unwrap().entities.len(), 300);
    }

    #[test]
    fn an_empty_list_and_a_trailing_comma_give_no_empty_entity() {
        let parts = split("(name: \"x\", entities: [])").unwrap();
        assert!(parts.entities.is_empty());
        let parts = split("(name: \"x\", entities: [(name: \"a\"),])").unwrap();
        assert_eq!(parts.entities.len(), 1);
    }
}
