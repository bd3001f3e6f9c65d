//! Text from a design or a database, made safe to show and to keep.
//!
//! A name or comment can hold anything its author typed, including
//! characters that a terminal reads as commands (ESC starts a sequence that
//! can move the cursor, retitle the window or hide what follows). So text
//! is printed through [`printable`], and names may not hold control
//! characters at all: [`forbidden`] says which character is refused.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1) and the bidi
/// overrides that reorder what a reader sees shown as a `\u{…}` escape;
/// text without them is returned as it is, without copying.
pub fn printable(text: &str) -> Cow<'_, str> {
    escaped(text, unprintable)
}

/// Like [`printable`], but keeps line breaks and tabs: for text shown on
/// several lines (a comment in a docs pane).
pub fn printable_lines(text: &str) -> Cow<'_, str> {
    escaped(text, |c| unprintable(c) && !matches!(c, '\n' | '\t'))
}

/// `text` with the characters `escape` picks written as `\u{…}`.
fn escaped(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escape) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

fn unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What a piece of text may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// A name: no control character at all.
    Name,
    /// Free text (a comment, a literal): line breaks and tabs, but no NUL
    /// (PostgreSQL's text cannot hold it) and no other control character.
    Text,
}

/// The first character `text` may not hold, and where (a char index).
pub fn forbidden(text: &str, allowed: Allowed) -> Option<(usize, char)> {
    // Nearly all text is printable ASCII: a pass over the bytes settles it
    // without decoding characters (a 50,000-entity design has a million).
    if text.bytes().all(|b| {
        (0x20..0x7f).contains(&b)
            || (allowed == Allowed::Text && matches!(b, b'\n' | b'\t' | b'\r'))
    }) {
        return None;
    }
    text.chars().enumerate().find(|&(_, c)| match allowed {
        Allowed::Name => c.is_control(),
        Allowed::Text => c.is_control() && !matches!(c, '\n' | '\t' | '\r'),
    })
}

/// A message naming a forbidden character: "holds U+001B (a control
/// character) at character 4".
pub fn forbidden_message(what: &str, text: &str, allowed: Allowed) -> Option<String> {
    let (at, c) = forbidden(text, allowed)?;
    let kind = if c == '\0' {
        "NUL"
    } else {
        "a control character"
    };
    Some(format!(
        "{what} `{}` holds U+{:04X} ({kind}) at character {}",
        printable(text),
        c as u32,
        at + 1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_never_sent() {
        assert_eq!(printable("users"), "users");
        assert!(matches!(printable("users"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("x\u{0}y\u{9b}z"), "x\\u{0}y\\u{9b}z");
        assert_eq!(printable("ab\u{202e}cd"), "ab\\u{202e}cd");
        assert_eq!(printable("two\nlines"), "two\\u{a}lines");
        assert_eq!(printable_lines("two\nlines\u{7}"), "two\nlines\\u{7}");
        assert_eq!(printable("café 表"), "café 表");
    }

    #[test]
    fn names_hold_no_control_character_and_text_no_nul() {
        assert_eq!(forbidden("user\u{0}s", Allowed::Name), Some((4, '\0')));
        assert_eq!(forbidden("a\nb", Allowed::Name), Some((1, '\n')));
        assert_eq!(forbidden("a\nb\tc", Allowed::Text), None);
        assert_eq!(forbidden("a\u{0}", Allowed::Text), Some((1, '\0')));
        assert_eq!(forbidden("\u{1b}[31m", Allowed::Text), Some((0, '\u{1b}')));
        let message = forbidden_message("field name", "a\u{0}b", Allowed::Name).unwrap();
        assert_eq!(
            message,
            "field name `a\\u{0}b` holds U+0000 (NUL) at character 2"
        );
    }
}
