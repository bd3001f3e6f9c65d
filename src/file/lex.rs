//! RON's tokens, as much as plinth needs to find its way in a design file
//! without deserializing it: brackets, keys, strings (with escapes), raw
//! strings, chars, `//` line comments and nested `/* */` block comments.
//!
//! Two readers share it: keeping comments across `fmt` (`comments`) and
//! finding where an object is written (`locate`). Tokens are produced one
//! at a time and strings are decoded only when asked, so a pass over a
//! 50,000-entity file allocates nothing per token.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Open(u8),
    Close(u8),
    Colon,
    Comma,
    /// A string (`"…"`, `r#"…"#`, `b"…"`); [`string_value`] decodes it.
    Str,
    Ident,
    /// A `//` or `/* */` comment.
    Comment,
    /// Numbers, chars, `#`, `!` and anything else.
    Other,
}

/// A token and where it is: `text[start..end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// The tokens of `text`, in order; an unclosed string or comment ends it
/// with an error naming its line.
pub(super) fn tokens(text: &str) -> Lexer<'_> {
    tokens_from(text, 0)
}

/// The tokens of `text` from offset `i`, which starts a token.
pub(super) fn tokens_from(text: &str, i: usize) -> Lexer<'_> {
    Lexer { text, i }
}

pub(super) struct Lexer<'a> {
    text: &'a str,
    i: usize,
}

impl Lexer<'_> {
    /// Passes over the tokens up to the close of the bracket just read;
    /// `false` when the text ends first or cannot be read.
    pub(super) fn pass_brackets(&mut self) -> bool {
        let mut depth = 1usize;
        for t in self.by_ref() {
            let Ok(t) = t else {
                return false;
            };
            match t.kind {
                Kind::Open(_) => depth += 1,
                Kind::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return true;
                    }
                }
                _ => {}
            }
        }
        false
    }
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = self.i;
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
        }
        if i >= bytes.len() {
            self.i = i;
            return None;
        }
        let start = i;
        let c = bytes[i];
        let unclosed = |what: &str| {
            Err(format!(
                "{what} at line {} is not closed",
                line_of(text, start)
            ))
        };
        let kind = match c {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                Kind::Comment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                loop {
                    if i + 1 >= bytes.len() {
                        self.i = bytes.len();
                        return Some(unclosed("a block comment"));
                    }
                    match (bytes[i], bytes[i + 1]) {
                        (b'/', b'*') => {
                            depth += 1;
                            i += 2;
                        }
                        (b'*', b'/') => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => i += 1,
                    }
                }
                Kind::Comment
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                Kind::Open(c)
            }
            b')' | b']' | b'}' => {
                i += 1;
                Kind::Close(c)
            }
            b':' => {
                i += 1;
                Kind::Colon
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b'"' | b'r' | b'b' if string_at(bytes, i).is_some() => {
                match string_at(bytes, i).and_then(|body| string_end(bytes, i, body)) {
                    Some(end) => {
                        i = end;
                        Kind::Str
                    }
                    None => {
                        self.i = bytes.len();
                        return Some(unclosed("a string"));
                    }
                }
            }
            b'\'' => match char_end(bytes, i) {
                Some(end) => {
                    i = end;
                    Kind::Other
                }
                None => {
                    self.i = bytes.len();
                    return Some(unclosed("a char"));
                }
            },
            c if c == b'_' || c.is_ascii_alphabetic() => {
                if c == b'r' && bytes.get(i + 1) == Some(&b'#') {
                    i += 2; // a raw identifier, r#name
                }
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                Kind::Ident
            }
            _ => {
                // A number, `#`, `!`, or a character outside ASCII: one
                // token up to the next space or punctuation.
                i += 1;
                while i < bytes.len()
                    && !b" \t\r\n()[]{}:,\"'/".contains(&bytes[i])
                    && !matches!(bytes[i - 1], b'#' | b'!')
                {
                    i += 1;
                }
                while !text.is_char_boundary(i) {
                    i += 1;
                }
                Kind::Other
            }
        };
        self.i = i;
        Some(Ok(Token {
            kind,
            start,
            end: i,
        }))
    }
}

/// How a string starting at `i` is written: `Some(hashes)` for a raw
/// string (`r#"`, `br"`), `Some(usize::MAX)` for a plain one (`"`, `b"`),
/// `None` when no string starts there.
fn string_at(bytes: &[u8], i: usize) -> Option<usize> {
    let i = if bytes[i] == b'b' { i + 1 } else { i };
    match bytes.get(i)? {
        b'"' => Some(usize::MAX),
        b'r' => {
            let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
            (bytes.get(i + 1 + hashes) == Some(&b'"')).then_some(hashes)
        }
        _ => None,
    }
}

/// The offset after the string at `i`, written as `kind` says.
fn string_end(bytes: &[u8], i: usize, kind: usize) -> Option<usize> {
    let open = bytes[i..].iter().position(|&b| b == b'"')? + i;
    if kind == usize::MAX {
        let mut k = open + 1;
        while k < bytes.len() {
            match bytes[k] {
                b'"' => return Some(k + 1),
                b'\\' => k += 2,
                _ => k += 1,
            }
        }
        return None;
    }
    let mut k = open + 1;
    while k < bytes.len() {
        if bytes[k] == b'"'
            && bytes[k + 1..]
                .iter()
                .take(kind)
                .filter(|&&b| b == b'#')
                .count()
                == kind
        {
            return Some(k + 1 + kind);
        }
        k += 1;
    }
    None
}

/// A `'c'` char at `i`: the offset after it.
fn char_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut k = i + 1;
    if bytes.get(k) == Some(&b'\\') {
        k += 2;
    } else {
        k += 1;
    }
    while k < bytes.len() && bytes[k] != b'\'' {
        k += 1;
    }
    (k < bytes.len()).then_some(k + 1)
}

/// The value of a [`Kind::Str`] token, its escapes resolved.
pub(super) fn string_value(text: &str, token: &Token) -> String {
    let bytes = text.as_bytes();
    let raw = &text[token.start..token.end];
    match string_at(bytes, token.start) {
        Some(usize::MAX) => {
            let open = raw.find('"').map_or(0, |o| o + 1);
            unescape(&raw[open..raw.len().saturating_sub(1)])
        }
        Some(hashes) => {
            let open = raw.find('"').map_or(0, |o| o + 1);
            raw[open..raw.len().saturating_sub(1 + hashes)].to_owned()
        }
        None => raw.to_owned(),
    }
}

fn unescape(body: &str) -> String {
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => value.push('\n'),
            Some('t') => value.push('\t'),
            Some('r') => value.push('\r'),
            Some('0') => value.push('\0'),
            Some('u') => {
                let mut hex = String::new();
                for h in chars.by_ref() {
                    match h {
                        '{' => {}
                        '}' => break,
                        h => hex.push(h),
                    }
                }
                value.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            }
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                value.extend(u8::from_str_radix(&hex, 16).ok().map(char::from));
            }
            Some(other) => value.push(other),
            None => {}
        }
    }
    value
}

/// The 1-based line of `offset`.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokens(text)
            .map(|t| t.unwrap())
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn comment_markers_inside_strings_chars_and_raw_strings_are_not_comments() {
        let text = r####"( a: "// not \" /* a comment", b: r#"/* nor " this"#, c: '/', d: '\'', e: br"//" ) // yes"####;
        let comments: Vec<&str> = kinds(text)
            .into_iter()
            .filter(|(k, _)| *k == Kind::Comment)
            .map(|(_, s)| s)
            .collect();
        assert_eq!(comments, ["// yes"]);
        let strings: Vec<String> = tokens(text)
            .map(|t| t.unwrap())
            .filter(|t| t.kind == Kind::Str)
            .map(|t| string_value(text, &t))
            .collect();
        assert_eq!(strings, ["// not \" /* a comment", "/* nor \" this", "//"]);
    }

    #[test]
    fn block_comments_nest_and_unclosed_ones_are_errors() {
        let text = "/* a /* b */ still a */ (x: 1) /* c */";
        let comments: Vec<&str> = kinds(text)
            .into_iter()
            .filter(|(k, _)| *k == Kind::Comment)
            .map(|(_, s)| s)
            .collect();
        assert_eq!(comments, ["/* a /* b */ still a */", "/* c */"]);
        let last = |t: &str| tokens(t).last().unwrap();
        assert!(
            last("(x: 1) /* a /* b */")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(last("(x: \"open)").unwrap_err().contains("not closed"));
    }

    #[test]
    fn strings_decode_their_escapes() {
        let text = r#""caf\u{e9} \x41\n""#;
        let t = tokens(text).next().unwrap().unwrap();
        assert_eq!(string_value(text, &t), "café A\n");
    }

    #[test]
    fn identifiers_keys_and_brackets() {
        assert_eq!(
            kinds("(name: Some(1))"),
            [
                (Kind::Open(b'('), "("),
                (Kind::Ident, "name"),
                (Kind::Colon, ":"),
                (Kind::Ident, "Some"),
                (Kind::Open(b'('), "("),
                (Kind::Other, "1"),
                (Kind::Close(b')'), ")"),
                (Kind::Close(b')'), ")"),
            ]
        );
    }
}
