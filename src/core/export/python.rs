//! Python source pieces: string literals, identifiers, class names, and
//! SQLAlchemy column types for plinth's SQL types. Shared by the Alembic
//! and SQLModel writers so both spell a type the same way.

use std::fmt::Write;

use crate::core::model::{DefaultValue, SqlType};
use crate::core::sql::needs_quotes;

/// Python's keywords and the soft keywords that are awkward as names.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case", "type", "_",
];

/// How the text sits between its quotes: a one-line `"..."` literal, or a
/// `"""..."""` docstring, which keeps its line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quotes {
    One,
    Triple,
}

/// The one escaper every Python string plinth writes goes through, so that
/// Python reads back exactly the text given, whatever it holds:
///
/// - a backslash is always doubled, so nothing after it (`\N{`, `\x`, a
///   line break) is read as an escape or a line continuation;
/// - in a one-line literal every `"` is escaped; in a docstring only a `"`
///   followed by another or ending the text, so no run of three closes the
///   docstring and a text ending in `"` does not merge with the closing
///   quotes, while prose keeps its quotes readable;
/// - a docstring keeps `\n` as a line break; everything else Python's
///   `repr` would not print as it is (control characters, NUL, which Python
///   source may not hold at all, `\r`, which Python would read as a line
///   break, the line and paragraph separators U+2028 and U+2029, bidi and
///   other format characters such as U+202E, unassigned and private-use
///   code points, and spaces other than U+0020) becomes `\xNN`, `\uNNNN`
///   or `\UNNNNNNNN`, so a file never holds text that displays differently
///   from what it does. Every other character is written as it is: the
///   file is UTF-8, Python's default source encoding, and no coding cookie
///   can take effect because every file starts with a docstring (PEP 263
///   reads a second-line cookie only after a comment or blank first line).
fn escape(s: &str, quotes: Quotes, out: &mut String) {
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' if quotes == Quotes::One || matches!(chars.peek(), None | Some('"')) => {
                out.push_str("\\\"")
            }
            '\n' if quotes == Quotes::Triple => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if !printable(c) => {
                let n = c as u32;
                let _ = match n {
                    0..=0xff => write!(out, "\\x{n:02x}"),
                    0x100..=0xffff => write!(out, "\\u{n:04x}"),
                    _ => write!(out, "\\U{n:08x}"),
                };
            }
            c => out.push(c),
        }
    }
}

/// Whether Python's `repr` prints `c` as it is (`str.isprintable`): not a
/// control, format, surrogate, private-use or unassigned code point, nor a
/// separator other than the ASCII space.
fn printable(c: char) -> bool {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    if c == ' ' {
        return true;
    }
    !matches!(
        get_general_category(c),
        G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::SpaceSeparator
    )
}

/// A Python string literal in double quotes, on one line.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    escape(s, Quotes::One, &mut out);
    out.push('"');
    out
}

/// A docstring, `"""` included: Python reads back exactly `s`, line
/// breaks kept.
pub fn docstring(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 6);
    out.push_str("\"\"\"");
    escape(s, Quotes::Triple, &mut out);
    out.push_str("\"\"\"");
    out
}

/// SQL for SQLAlchemy's `text()` (which `op.execute` and check constraints
/// use): a colon that would start a bind parameter (`:name`) is escaped, so
/// the SQL reaches the server exactly as written. `::` casts are left alone.
pub fn sql_text(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(sql.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ':' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            let starts_bind = !before.is_some_and(|b| b == ':' || b == '\\' || word(b))
                && after.is_some_and(word);
            // SQLAlchemy also leaves `:name:` alone (the lookahead `(?!:)`
            // after the name); escaping it anyway is harmless.
            if starts_bind {
                out.push('\\');
            }
        }
        out.push(c);
    }
    out
}

/// A string literal of SQL for `sa.text(...)` or `op.execute(...)`.
pub fn sql_string(sql: &str) -> String {
    string(&sql_text(sql))
}

pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Whether `name` can be written as a Python identifier (ASCII only, to
/// stay on the safe side) and is no keyword.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(name)
}

/// A snake_case Python name for a database name: other characters become
/// underscores, a leading digit or a keyword gets an underscore added.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut last_underscore = false;
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        };
        if c == '_' && last_underscore {
            continue;
        }
        last_underscore = c == '_';
        out.push(c);
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if is_keyword(&out) {
        out.push('_');
    }
    out
}

/// CamelCase: `order_items` gives `OrderItems`.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    out
}

/// The singular of an English plural, for the last word of a table name
/// (Rails' convention: `order_items` is `OrderItem`, `categories` is
/// `Category`). Words that do not look plural are left alone.
pub fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let cut = |n: usize| word[..word.len() - n].to_owned();
    if lower.len() > 3 && lower.ends_with("ies") {
        return cut(3) + if word.ends_with("IES") { "Y" } else { "y" };
    }
    for ending in ["sses", "shes", "ches", "xes", "zzes"] {
        if lower.ends_with(ending) {
            return cut(2);
        }
    }
    if lower.len() > 1
        && lower.ends_with('s')
        && !["ss", "us", "is"].iter().any(|e| lower.ends_with(e))
    {
        return cut(1);
    }
    word.to_owned()
}

/// A table name as a class name: the last word made singular, in CamelCase
/// (`order_items` gives `OrderItem`).
pub fn class_name(table: &str) -> String {
    let split = table
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let (head, last) = table.split_at(split);
    camel(&format!("{head}{}", singular(last)))
}

/// The SQLAlchemy type of a column, e.g. `sa.String(length=255)` or
/// `postgresql.UUID(as_uuid=True)`. `enum_type` spells a named enum type.
pub fn sa_type(ty: &SqlType, enum_type: &dyn Fn(&str) -> String) -> String {
    match ty {
        SqlType::Uuid => "postgresql.UUID(as_uuid=True)".into(),
        SqlType::Text => "sa.Text()".into(),
        SqlType::Varchar(Some(n)) => format!("sa.String(length={n})"),
        SqlType::Varchar(None) => "sa.String()".into(),
        SqlType::Char(Some(n)) => format!("sa.CHAR(length={n})"),
        SqlType::Char(None) => "sa.CHAR(length=1)".into(),
        SqlType::SmallInt => "sa.SmallInteger()".into(),
        SqlType::Integer => "sa.Integer()".into(),
        SqlType::BigInt => "sa.BigInteger()".into(),
        SqlType::Numeric(Some((p, s))) => format!("sa.Numeric(precision={p}, scale={s})"),
        SqlType::Numeric(None) => "sa.Numeric()".into(),
        SqlType::Real => "sa.REAL()".into(),
        SqlType::Double => "sa.Double()".into(),
        SqlType::Boolean => "sa.Boolean()".into(),
        SqlType::Date => "sa.Date()".into(),
        SqlType::Time => "sa.Time()".into(),
        SqlType::Timestamp => "sa.DateTime()".into(),
        SqlType::Timestamptz => "sa.DateTime(timezone=True)".into(),
        SqlType::Interval => "postgresql.INTERVAL()".into(),
        SqlType::Json => "postgresql.JSON()".into(),
        SqlType::Jsonb => "postgresql.JSONB()".into(),
        SqlType::Bytea => "postgresql.BYTEA()".into(),
        SqlType::Enum(name) => enum_type(name),
        SqlType::Array(inner) => format!("postgresql.ARRAY({})", sa_type(inner, enum_type)),
    }
}

/// `name="..."` for an enum type, with `quote=True` where plinth's DDL
/// quotes the name. SQLAlchemy quotes a name only when it is one of its
/// reserved words or not lower-case; PostgreSQL's other keywords (`none`,
/// `int`, `time`, ...) are fine as column names but refused as type names
/// unless quoted, and SQLAlchemy would write `"from" none` and fail.
pub fn type_name(name: &str) -> String {
    if needs_quotes(name) {
        format!("name={}, quote=True", string(name))
    } else {
        format!("name={}", string(name))
    }
}

/// A reference to an existing enum type, which the column never creates
/// or drops itself.
pub fn enum_reference(name: &str) -> String {
    format!("postgresql.ENUM({}, create_type=False)", type_name(name))
}

/// The `server_default=` value for a default: SQL as written goes through
/// `sa.text`, a string plinth quotes stays a Python string (SQLAlchemy
/// quotes it the same way).
pub fn server_default(default: &DefaultValue) -> String {
    match default {
        DefaultValue::Expr(e) => format!("sa.text({})", sql_string(e)),
        DefaultValue::Text(t) => string(t),
    }
}

/// Whether rendered source uses the `postgresql` dialect module.
pub fn uses_postgresql(source: &str) -> bool {
    source.contains("postgresql.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_what_python_needs() {
        assert_eq!(string("plain"), "\"plain\"");
        assert_eq!(string("it's \"x\"\n\\"), r#""it's \"x\"\n\\""#);
        assert_eq!(string("tab\there\u{1}"), "\"tab\\there\\x01\"");
        assert_eq!(string("café"), "\"café\"");
    }

    #[test]
    fn one_line_literals_escape_everything_python_would_not_print() {
        assert_eq!(string("a\0b"), "\"a\\x00b\"");
        assert_eq!(string("\\N{BULLET}"), "\"\\\\N{BULLET}\"");
        assert_eq!(
            string("line\u{2028}para\u{2029}"),
            "\"line\\u2028para\\u2029\""
        );
        assert_eq!(string("\u{202e}evil\u{200f}"), "\"\\u202eevil\\u200f\"");
        assert_eq!(string("\u{7f}\u{85}\u{a0}"), "\"\\x7f\\x85\\xa0\"");
        assert_eq!(string("\u{e000}\u{10ffff}"), "\"\\ue000\\U0010ffff\"");
        assert_eq!(string("🦀 日本 é"), "\"🦀 日本 é\"");
    }

    #[test]
    fn docstrings_keep_line_breaks_and_never_close_early() {
        assert_eq!(docstring("plain"), "\"\"\"plain\"\"\"");
        assert_eq!(docstring("two\nlines"), "\"\"\"two\nlines\"\"\"");
        // A quote at the end would run into the closing quotes.
        assert_eq!(docstring("say \"hi\""), "\"\"\"say \"hi\\\"\"\"\"");
        // No run of three quotes is left; a lone quote stays readable.
        assert_eq!(docstring("a\"\"\"b"), "\"\"\"a\\\"\\\"\"b\"\"\"");
        assert_eq!(docstring("\"\""), "\"\"\"\\\"\\\"\"\"\"");
        assert_eq!(docstring("back\\"), "\"\"\"back\\\\\"\"\"");
        assert_eq!(docstring("cr\r\ntab\t"), "\"\"\"cr\\r\ntab\\t\"\"\"");
    }

    #[test]
    fn colons_that_look_like_binds_are_escaped() {
        assert_eq!(
            sql_text("'pending'::order_status"),
            "'pending'::order_status"
        );
        assert_eq!(sql_text("a :b and c::d"), "a \\:b and c::d");
        assert_eq!(sql_text("x:y"), "x:y");
        assert_eq!(sql_text("note: done"), "note: done");
        assert_eq!(sql_string("a :b"), "\"a \\\\:b\"");
    }

    #[test]
    fn names() {
        assert_eq!(class_name("order_items"), "OrderItem");
        assert_eq!(class_name("categories"), "Category");
        assert_eq!(class_name("addresses"), "Address");
        assert_eq!(class_name("inventory"), "Inventory");
        assert_eq!(class_name("posts_tags"), "PostsTag");
        assert_eq!(class_name("status"), "Status");
        assert_eq!(class_name("audit_log"), "AuditLog");
        assert_eq!(class_name("boxes"), "Box");
        assert_eq!(class_name("2fa codes"), "T2faCode");
        assert_eq!(class_name("Ck_\u{a307f}s"), "CkS");
        assert_eq!(class_name("日本s"), "S");
        assert_eq!(snake("from"), "from_");
        assert_eq!(snake("End Date"), "end_date");
        assert_eq!(snake("1st"), "_1st");
        assert!(is_identifier("user_id") && !is_identifier("class") && !is_identifier("a-b"));
    }

    #[test]
    fn types_are_sqlalchemy_spellings() {
        let e = |n: &str| enum_reference(n);
        let t = |s: &str| sa_type(&SqlType::parse(s).unwrap(), &e);
        assert_eq!(t("varchar(255)"), "sa.String(length=255)");
        assert_eq!(t("numeric(12,2)"), "sa.Numeric(precision=12, scale=2)");
        assert_eq!(t("timestamptz"), "sa.DateTime(timezone=True)");
        assert_eq!(t("uuid"), "postgresql.UUID(as_uuid=True)");
        assert_eq!(
            t("order_status[]"),
            "postgresql.ARRAY(postgresql.ENUM(name=\"order_status\", create_type=False))"
        );
        assert_eq!(
            t("none"),
            "postgresql.ENUM(name=\"none\", quote=True, create_type=False)"
        );
    }
}
