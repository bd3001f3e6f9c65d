//! Comments in a RON design file, kept when the file is rewritten in
//! canonical form (`plinth fmt`, a save in the designer).
//!
//! The model holds no comments, so they are taken from the text that was
//! read: a lexer that knows RON's strings (with escapes), raw strings,
//! chars, `//` line comments and nested `/* */` block comments finds each
//! comment, and a walk over the file's structure anchors it to an item:
//! the item it trails on the same line, or else the one that follows it.
//! Items are named by their place: a top-level key, a list item by its
//! `id`, else its `name`, else its text (`["id"]`), else its position, a
//! key inside it, and so on down. The canonical text is walked the same
//! way and each comment is put back before its anchor (or at the end of
//! the anchor's line). A comment whose anchor is not in the new text (its
//! field was dropped, say) is reported as lost, never dropped unseen.

use std::fmt;

use super::lex::{self, Kind, Token, line_of};

/// The canonical text with the comments put back, and those that had no
/// place in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub text: String,
    pub lost: Vec<Lost>,
}

/// A comment of the old text that the new text has no place for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    /// Its 1-based line in the old text.
    pub line: usize,
    /// The comment as written, `//` or `/* */` included.
    pub text: String,
    /// What it was about: `entities users › fields email › not_null`.
    pub about: String,
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let first = self.text.lines().next().unwrap_or_default();
        let more = if self.text.contains('\n') { " …" } else { "" };
        write!(f, "{first}{more} (on {})", self.about)
    }
}

/// Whether a text may hold comments. Most files have none at all; a text
/// without `//` or `/*` is not worth lexing and holding token by token (a
/// 50,000-entity file is millions of tokens).
pub fn may_hold_comments(text: &str) -> bool {
    text.contains("//") || text.contains("/*")
}

/// Puts the comments of `old` (a RON file) into `canonical` (the same
/// design written anew). Fails only when `old` is not RON a lexer can
/// read, which a file that loaded never is. `canonical` is taken, not
/// copied: with nothing to put back it is the text (84 MB at 50,000
/// entities).
pub fn keep(old: &str, canonical: String) -> Result<Kept, String> {
    let old = old.strip_prefix('\u{feff}').unwrap_or(old);
    let nothing_to_keep = |canonical| Kept {
        text: canonical,
        lost: Vec::new(),
    };
    if !may_hold_comments(old) {
        return Ok(nothing_to_keep(canonical));
    }
    let lexed = lex(old)?;
    if lexed.comments.is_empty() {
        return Ok(nothing_to_keep(canonical));
    }
    let canonical = canonical.as_str();
    let old_tree = Tree::build(old, &lexed.tokens)?;
    let new_lexed = lex(canonical)?;
    let new_tree = Tree::build(canonical, &new_lexed.tokens)?;
    let mut out = Placed::new(canonical);
    let mut lost = Vec::new();
    for comment in &lexed.comments {
        let text = &old[comment.start..comment.end];
        let anchor = old_tree.anchor(old, &lexed.tokens, comment);
        let path = old_tree.path(anchor.node);
        match new_tree.find(&path) {
            Some(node) => out.place(&new_tree, node, anchor.place, text),
            None => lost.push(Lost {
                line: line_of(old, comment.start),
                text: text.to_owned(),
                about: describe(&path),
            }),
        }
    }
    Ok(Kept {
        text: out.finish(),
        lost,
    })
}

// ---- The tokens ----------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Debug)]
struct Lexed {
    tokens: Vec<Token>,
    comments: Vec<Span>,
}

fn lex(text: &str) -> Result<Lexed, String> {
    let mut tokens = Vec::new();
    let mut comments = Vec::new();
    for token in lex::tokens(text) {
        let token = token?;
        match token.kind {
            Kind::Comment => comments.push(Span {
                start: token.start,
                end: token.end,
            }),
            _ => tokens.push(token),
        }
    }
    Ok(Lexed { tokens, comments })
}

// ---- The structure -------------------------------------------------------

/// What names an item among its siblings.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Root,
    /// A `#![…]` attribute, by position.
    Attr(usize),
    /// A key of a struct or a map.
    Key(String),
    /// A list or tuple element: by id, else name, else text, else place.
    Item {
        id: Option<String>,
        name: Option<String>,
        value: Option<String>,
        index: usize,
    },
}

#[derive(Clone, Debug)]
struct Node {
    seg: Seg,
    start: usize,
    end: usize,
    /// Where the closing bracket of the node's value is, if it has one.
    close: Option<usize>,
    /// The node's value when it is a string.
    string: Option<String>,
    parent: Option<usize>,
    children: Vec<usize>,
}

struct Tree {
    nodes: Vec<Node>,
}

/// Where a comment goes relative to its anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// On its own line(s) before the anchor's line.
    Before,
    /// At the end of the line the anchor starts on.
    AfterStart,
    /// At the end of the line the anchor ends on.
    AfterEnd,
    /// Before the closing bracket of the anchor's value.
    BeforeClose,
    /// At the end of the file.
    End,
}

struct Anchor {
    node: usize,
    place: Place,
}

struct Walk<'a> {
    text: &'a str,
    tokens: &'a [Token],
    at: usize,
    nodes: Vec<Node>,
}

impl Tree {
    fn build(text: &str, tokens: &[Token]) -> Result<Tree, String> {
        let mut walk = Walk {
            text,
            tokens,
            at: 0,
            nodes: Vec::new(),
        };
        let root = walk.node(Seg::Root, None, walk.start());
        let mut attrs = 0;
        while walk.peek_other("#") {
            let attr = walk.node(Seg::Attr(attrs), Some(root), walk.start());
            attrs += 1;
            walk.at += 1;
            if walk.peek_other("!") {
                walk.at += 1;
            }
            walk.expect_open(b'[')?;
            let close = walk.skip_to_close()?;
            walk.nodes[attr].end = close + 1;
        }
        let end = walk.value(root)?;
        walk.nodes[root].end = end;
        if walk.at < tokens.len() {
            return Err(walk.error("text after the design"));
        }
        Ok(Tree { nodes: walk.nodes })
    }

    fn depth(&self, mut node: usize) -> usize {
        let mut depth = 0;
        while let Some(p) = self.nodes[node].parent {
            depth += 1;
            node = p;
        }
        depth
    }

    fn path(&self, mut node: usize) -> Vec<Seg> {
        let mut path = vec![self.nodes[node].seg.clone()];
        while let Some(p) = self.nodes[node].parent {
            path.push(self.nodes[p].seg.clone());
            node = p;
        }
        path.reverse();
        path
    }

    /// The node at `path` (as [`Tree::path`] gives it, from another text).
    fn find(&self, path: &[Seg]) -> Option<usize> {
        let mut node = 0;
        for seg in &path[1..] {
            let children = &self.nodes[node].children;
            let found = children.iter().copied().find(|&c| {
                let child = &self.nodes[c].seg;
                match (seg, child) {
                    (
                        Seg::Item {
                            id,
                            name,
                            value,
                            index,
                        },
                        Seg::Item {
                            id: id2,
                            name: name2,
                            value: value2,
                            index: index2,
                        },
                    ) => {
                        if id.is_some() {
                            id == id2
                        } else if name.is_some() {
                            name == name2
                        } else if value.is_some() {
                            value == value2
                        } else {
                            index == index2
                        }
                    }
                    (a, b) => a == b,
                }
            });
            node = found?;
        }
        Some(node)
    }

    /// Which node a comment is about, and where it goes beside it.
    fn anchor(&self, text: &str, tokens: &[Token], comment: &Span) -> Anchor {
        let line_start = text[..comment.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[comment.end..]
            .find('\n')
            .map_or(text.len(), |i| comment.end + i);
        // Tokens and nodes are in the order of the text.
        let next_at = tokens.partition_point(|t| t.start < comment.end);
        let before_on_line = tokens[..next_at]
            .last()
            .is_some_and(|t| t.start >= line_start);
        let after_on_line = tokens.get(next_at).is_some_and(|t| t.start < line_end);
        let starting_in = |from: usize, to: usize| {
            let first = self.nodes.partition_point(|n| n.start < from).max(1);
            let last = self.nodes.partition_point(|n| n.start < to);
            (first..last.max(first)).min_by_key(|&n| (self.depth(n), self.nodes[n].start))
        };
        if before_on_line && !after_on_line {
            // Trailing: the outermost item that starts on this line, else
            // the outermost that ends on it.
            if let Some(node) = starting_in(line_start, comment.start) {
                return Anchor {
                    node,
                    place: Place::AfterStart,
                };
            }
            let ending = (1..self.nodes.len())
                .filter(|&n| self.nodes[n].end > line_start && self.nodes[n].end <= comment.start)
                .min_by_key(|&n| self.depth(n));
            if let Some(node) = ending {
                return Anchor {
                    node,
                    place: Place::AfterEnd,
                };
            }
        }
        // Leading: the outermost item that starts at the next token.
        let Some(next) = tokens.get(next_at) else {
            return Anchor {
                node: 0,
                place: Place::End,
            };
        };
        let starting = starting_in(next.start, next.start + 1)
            .or_else(|| (self.nodes[0].start == next.start).then_some(0));
        if let Some(node) = starting {
            return Anchor {
                node,
                place: Place::Before,
            };
        }
        if let Kind::Close(_) = next.kind
            && let Some(node) =
                (0..self.nodes.len()).find(|&n| self.nodes[n].close == Some(next.start))
        {
            return Anchor {
                node,
                place: Place::BeforeClose,
            };
        }
        // Inside an item (between a key and its value, say): before it.
        let inner = (0..self.nodes.len())
            .filter(|&n| self.nodes[n].start <= next.start && next.start < self.nodes[n].end)
            .max_by_key(|&n| self.depth(n))
            .unwrap_or(0);
        Anchor {
            node: inner,
            place: Place::Before,
        }
    }
}

impl Walk<'_> {
    fn node(&mut self, seg: Seg, parent: Option<usize>, start: usize) -> usize {
        let id = self.nodes.len();
        self.nodes.push(Node {
            seg,
            start,
            end: start,
            close: None,
            string: None,
            parent,
            children: Vec::new(),
        });
        if let Some(p) = parent {
            self.nodes[p].children.push(id);
        }
        id
    }

    fn token(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn start(&self) -> usize {
        self.token().map_or(self.text.len(), |t| t.start)
    }

    fn peek_other(&self, text: &str) -> bool {
        self.token()
            .is_some_and(|t| t.kind == Kind::Other && &self.text[t.start..t.end] == text)
    }

    fn error(&self, what: &str) -> String {
        format!("{what} at line {}", line_of(self.text, self.start()))
    }

    fn expect_open(&mut self, bracket: u8) -> Result<(), String> {
        match self.token() {
            Some(t) if t.kind == Kind::Open(bracket) => {
                self.at += 1;
                Ok(())
            }
            _ => Err(self.error(&format!("expected `{}`", bracket as char))),
        }
    }

    /// Skips to the bracket that closes the one just opened; returns its offset.
    fn skip_to_close(&mut self) -> Result<usize, String> {
        let mut depth = 1;
        while let Some(t) = self.token() {
            let kind = t.kind;
            self.at += 1;
            match kind {
                Kind::Open(_) => depth += 1,
                Kind::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(self.tokens[self.at - 1].start);
                    }
                }
                _ => {}
            }
        }
        Err(self.error("a bracket is not closed"))
    }

    /// Reads one value owned by `owner` (its key or item), adding what it
    /// holds as children; returns the offset after it.
    fn value(&mut self, owner: usize) -> Result<usize, String> {
        let Some(t) = self.token().cloned() else {
            return Err(self.error("expected a value"));
        };
        match t.kind {
            Kind::Ident | Kind::Other | Kind::Str => {
                self.at += 1;
                if t.kind == Kind::Str {
                    self.nodes[owner].string = Some(lex::string_value(self.text, &t));
                }
                let followed_by_paren =
                    matches!(self.token(), Some(n) if n.kind == Kind::Open(b'('));
                if t.kind == Kind::Ident && followed_by_paren {
                    self.value(owner)
                } else {
                    Ok(t.end)
                }
            }
            Kind::Open(b'(') => {
                self.at += 1;
                let is_struct = matches!(
                    (self.tokens.get(self.at), self.tokens.get(self.at + 1)),
                    (Some(a), Some(b)) if a.kind == Kind::Ident && b.kind == Kind::Colon
                );
                if is_struct {
                    self.entries(owner, b')')
                } else {
                    self.items(owner, b')')
                }
            }
            Kind::Open(b'[') => {
                self.at += 1;
                self.items(owner, b']')
            }
            Kind::Open(b'{') => {
                self.at += 1;
                self.entries(owner, b'}')
            }
            _ => Err(self.error("expected a value")),
        }
    }

    /// `key: value, …` up to `close`, each a child of `owner`.
    fn entries(&mut self, owner: usize, close: u8) -> Result<usize, String> {
        loop {
            let Some(t) = self.token().cloned() else {
                return Err(self.error("a bracket is not closed"));
            };
            if t.kind == Kind::Close(close) {
                self.at += 1;
                self.nodes[owner].close = Some(t.start);
                return Ok(t.end);
            }
            let key = match t.kind {
                Kind::Str => lex::string_value(self.text, &t),
                _ => self.text[t.start..t.end].to_owned(),
            };
            let node = self.node(Seg::Key(key), Some(owner), t.start);
            self.at += 1;
            match self.token() {
                Some(c) if c.kind == Kind::Colon => self.at += 1,
                _ => return Err(self.error("expected `:`")),
            }
            let end = self.value(node)?;
            self.nodes[node].end = end;
            self.comma(close)?;
        }
    }

    /// `value, …` up to `close`, each an item of `owner`.
    fn items(&mut self, owner: usize, close: u8) -> Result<usize, String> {
        let mut index = 0;
        loop {
            let Some(t) = self.token().cloned() else {
                return Err(self.error("a bracket is not closed"));
            };
            if t.kind == Kind::Close(close) {
                self.at += 1;
                self.nodes[owner].close = Some(t.start);
                return Ok(t.end);
            }
            let node = self.node(
                Seg::Item {
                    id: None,
                    name: None,
                    value: None,
                    index,
                },
                Some(owner),
                t.start,
            );
            index += 1;
            let end = self.value(node)?;
            self.nodes[node].end = end;
            let named = |key: &str| {
                self.nodes[node]
                    .children
                    .iter()
                    .find(|&&c| self.nodes[c].seg == Seg::Key(key.into()))
                    .and_then(|&c| self.nodes[c].string.clone())
            };
            let (id, name) = (named("id"), named("name"));
            let value = self.nodes[node].string.clone();
            if let Seg::Item {
                id: i,
                name: n,
                value: v,
                ..
            } = &mut self.nodes[node].seg
            {
                (*i, *n, *v) = (id, name, value);
            }
            self.comma(close)?;
        }
    }

    fn comma(&mut self, close: u8) -> Result<(), String> {
        match self.token() {
            Some(t) if t.kind == Kind::Comma => {
                self.at += 1;
                Ok(())
            }
            Some(t) if t.kind == Kind::Close(close) => Ok(()),
            _ => Err(self.error("expected `,`")),
        }
    }
}

fn describe(path: &[Seg]) -> String {
    let mut words = Vec::new();
    for seg in &path[1..] {
        match seg {
            Seg::Root => {}
            Seg::Attr(i) => words.push(format!("attribute {}", i + 1)),
            Seg::Key(k) => words.push(k.clone()),
            Seg::Item {
                id,
                name,
                value,
                index,
            } => {
                let what = name
                    .as_ref()
                    .or(value.as_ref())
                    .map(|n| format!("`{n}`"))
                    .or_else(|| id.as_ref().map(|i| format!("id {i}")))
                    .unwrap_or_else(|| format!("item {}", index + 1));
                match words.last_mut() {
                    Some(last) => {
                        last.push(' ');
                        last.push_str(&what);
                    }
                    None => words.push(what),
                }
            }
        }
    }
    if words.is_empty() {
        "the design".into()
    } else {
        words.join(" › ")
    }
}

// ---- Putting them back ---------------------------------------------------

/// The canonical text's lines and what goes before and after each.
struct Placed<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    before: Vec<Vec<String>>,
    after: Vec<Vec<String>>,
    end: Vec<String>,
}

impl<'a> Placed<'a> {
    fn new(text: &'a str) -> Self {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        let lines = starts.len();
        Placed {
            text,
            starts,
            before: vec![Vec::new(); lines],
            after: vec![Vec::new(); lines],
            end: Vec::new(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    fn line_text(&self, line: usize) -> &str {
        let start = self.starts[line];
        let end = self.starts.get(line + 1).map_or(self.text.len(), |&e| e);
        self.text[start..end].trim_end_matches('\n')
    }

    fn indent(&self, line: usize) -> &str {
        let text = self.line_text(line);
        &text[..text.len() - text.trim_start().len()]
    }

    /// Whether `offset` is the first thing on its line.
    fn leads_line(&self, offset: usize) -> bool {
        let line = self.line(offset);
        self.text[self.starts[line]..offset].trim().is_empty()
    }

    fn place(&mut self, tree: &Tree, mut node: usize, place: Place, comment: &str) {
        match place {
            Place::Before => {
                // Before the first enclosing item that begins its line.
                while !self.leads_line(tree.nodes[node].start) {
                    match tree.nodes[node].parent {
                        Some(p) => node = p,
                        None => break,
                    }
                }
                self.put_before(self.line(tree.nodes[node].start), comment, "");
            }
            Place::AfterStart => self.put_after(self.line(tree.nodes[node].start), comment),
            Place::AfterEnd => {
                let end = tree.nodes[node].end.saturating_sub(1);
                self.put_after(self.line(end), comment);
            }
            Place::BeforeClose => match tree.nodes[node].close {
                Some(close) if self.leads_line(close) => {
                    self.put_before(self.line(close), comment, "    ");
                }
                Some(close) => self.put_after(self.line(close), comment),
                None => self.put_after(self.line(tree.nodes[node].end.saturating_sub(1)), comment),
            },
            Place::End => self.end.push(comment.to_owned()),
        }
    }

    fn put_before(&mut self, line: usize, comment: &str, deeper: &str) {
        let indent = format!("{}{deeper}", self.indent(line));
        self.before[line].push(format!("{indent}{comment}"));
    }

    /// At the end of a line; a second comment after a `//` one would be
    /// swallowed by it, so that one goes on its own line before instead.
    fn put_after(&mut self, line: usize, comment: &str) {
        if self.after[line].iter().any(|c| c.starts_with("//")) {
            self.put_before(line, comment, "");
        } else {
            self.after[line].push(comment.to_owned());
        }
    }

    fn finish(self) -> String {
        let mut out = String::with_capacity(self.text.len() + 256);
        for line in 0..self.starts.len() {
            for c in &self.before[line] {
                out.push_str(c);
                out.push('\n');
            }
            out.push_str(self.line_text(line));
            for c in &self.after[line] {
                out.push(' ');
                out.push_str(c);
            }
            out.push('\n');
        }
        for c in &self.end {
            out.push_str(c);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANONICAL: &str = r#"#![enable(implicit_some)]
(
    format: 1,
    name: "t",
    entities: [
        (
            id: "e1",
            name: "users",
            fields: [
                (id: "f1", name: "id", type: "uuid", not_null: true),
                (id: "f2", name: "email", type: "text"),
            ],
            primary_key: ["id"],
        ),
    ],
)
"#;

    fn kept(old: &str) -> Kept {
        keep(old, CANONICAL.to_owned()).unwrap()
    }

    #[test]
    fn leading_and_trailing_comments_come_back_beside_their_items() {
        // Written by hand: no ids, other spacing, a header.
        let old = r#"// The shop's users.
#![enable(implicit_some)]
(
    format: 1, // never changes
    name: "t",
    entities: [
        // People who log in.
        (
            name: "users",
            fields: [
                /* the key */ (name: "id", type: "uuid", not_null: true),
                (name: "email", type: "text"), // unique later
                // more to come
            ],
            primary_key: ["id"],
        ), // end of users
    ],
)
// the end
"#;
        let k = kept(old);
        assert_eq!(k.lost, []);
        assert_eq!(
            k.text,
            r#"// The shop's users.
#![enable(implicit_some)]
(
    format: 1, // never changes
    name: "t",
    entities: [
        // People who log in.
        (
            id: "e1",
            name: "users",
            fields: [
                /* the key */
                (id: "f1", name: "id", type: "uuid", not_null: true),
                (id: "f2", name: "email", type: "text"), // unique later
                // more to come
            ],
            primary_key: ["id"],
        ), // end of users
    ],
)
// the end
"#
        );
        // And the result is a fixed point.
        assert_eq!(keep(&k.text, CANONICAL.to_owned()).unwrap(), k);
    }

    #[test]
    fn a_comment_inside_a_one_line_item_goes_before_that_line() {
        let old = r#"(
    format: 1,
    name: "t",
    entities: [(
        name: "users",
        fields: [
            (
                name: "id",
                type: "uuid",
                // set by the database
                not_null: true,
            ),
            (name: "email", type: "text"),
        ],
        primary_key: ["id"],
    )],
)
"#;
        let k = kept(old);
        assert_eq!(k.lost, []);
        assert!(
            k.text.contains(
                "                // set by the database\n                (id: \"f1\", name: \"id\""
            ),
            "{}",
            k.text
        );
    }

    #[test]
    fn items_are_matched_by_id_before_name_so_a_rename_keeps_its_comment() {
        let old = CANONICAL.replace(
            "            name: \"users\",",
            "            // renamed soon\n            name: \"users\",",
        );
        let renamed = CANONICAL.replace("\"users\"", "\"people\"");
        let k = keep(&old, renamed.clone()).unwrap();
        assert_eq!(k.lost, []);
        assert!(
            k.text
                .contains("// renamed soon\n            name: \"people\"")
        );
    }

    #[test]
    fn a_comment_whose_item_is_gone_is_reported_with_its_line() {
        let old = CANONICAL.replace(
            "(id: \"f2\", name: \"email\", type: \"text\"),",
            "(id: \"f2\", name: \"email\", type: \"text\"), // the login",
        );
        let without = CANONICAL.replace(
            "                (id: \"f2\", name: \"email\", type: \"text\"),\n",
            "",
        );
        let k = keep(&old, without.clone()).unwrap();
        assert_eq!(k.text, without);
        assert_eq!(
            k.lost,
            [Lost {
                line: 11,
                text: "// the login".into(),
                about: "entities `users` › fields `email`".into(),
            }]
        );
        assert_eq!(
            k.lost[0].to_string(),
            "// the login (on entities `users` › fields `email`)"
        );
    }

    #[test]
    fn without_comments_the_canonical_text_is_given_back() {
        assert_eq!(kept("(format: 1, name: \"t\")").text, CANONICAL);
    }

    #[test]
    fn two_line_comments_that_land_on_one_line_do_not_swallow_each_other() {
        let old = r#"(
    format: 1,
    name: "t",
    entities: [(
        name: "users",
        fields: [
            (
                name: "id", // the key
                type: "uuid", // a uuid
                not_null: true,
            ),
            (name: "email", type: "text"),
        ],
        primary_key: ["id"],
    )],
)
"#;
        let k = kept(old);
        assert_eq!(k.lost, []);
        assert!(
            k.text.contains(
                "                // a uuid\n                (id: \"f1\", name: \"id\", type: \"uuid\", not_null: true), // the key\n"
            ),
            "{}",
            k.text
        );
        assert_eq!(keep(&k.text, CANONICAL.to_owned()).unwrap().text, k.text);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Comments put on random lines of a random design's canonical
        /// text, on their own lines and at line ends, all come back, the
        /// result loads as the same design, and keeping them again
        /// changes nothing.
        #[test]
        fn comments_on_any_line_survive(seed in proptest::prelude::any::<u64>(), picks in proptest::collection::vec((proptest::prelude::any::<u16>(), proptest::prelude::any::<bool>()), 1..12)) {
            use crate::core::ids::IdGen;
            let design = crate::core::testing::Gen::new(seed).design(5);
            let canonical = super::super::to_text(&design);
            let mut lines: Vec<String> = canonical.lines().map(str::to_owned).collect();
            let mut written = Vec::new();
            for (i, (at, own_line)) in picks.iter().enumerate() {
                let at = *at as usize % lines.len();
                let comment = if i % 3 == 2 { format!("/* c{i} */") } else { format!("// c{i}") };
                if *own_line {
                    let indent: String = lines[at].chars().take_while(|c| *c == ' ').collect();
                    lines.insert(at, format!("{indent}{comment}"));
                } else if !lines[at].contains("//") {
                    lines[at].push(' ');
                    lines[at].push_str(&comment);
                } else {
                    continue;
                }
                written.push(comment);
            }
            let old = lines.join("\n") + "\n";
            let kept = keep(&old, canonical.clone()).unwrap();
            proptest::prop_assert_eq!(&kept.lost, &Vec::<Lost>::new());
            for c in &written {
                proptest::prop_assert!(kept.text.contains(c.as_str()), "{} is gone:\n{}", c, kept.text);
            }
            let loaded = super::super::parse(&kept.text, &mut IdGen::seeded(0));
            proptest::prop_assert!(loaded.is_ok(), "{:?}\n{}", loaded.err(), kept.text);
            proptest::prop_assert_eq!(loaded.unwrap(), design);
            proptest::prop_assert_eq!(keep(&kept.text, canonical.clone()).unwrap(), kept);
        }
    }
}
