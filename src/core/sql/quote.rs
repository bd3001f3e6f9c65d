//! Quoting identifiers and literals for PostgreSQL.

use std::fmt;

use super::keywords;

/// An identifier, printed bare when PostgreSQL reads it back unchanged and
/// double-quoted otherwise (upper case, spaces, keywords, leading digits).
#[derive(Clone, Copy, Debug)]
pub struct Ident<'a>(pub &'a str);

impl fmt::Display for Ident<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_bare(self.0) {
            f.write_str(self.0)
        } else {
            write!(f, "\"{}\"", self.0.replace('"', "\"\""))
        }
    }
}

/// Whether PostgreSQL needs `name` in double quotes to read it back as
/// written.
pub fn needs_quotes(name: &str) -> bool {
    !is_bare(name)
}

fn is_bare(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !keywords::needs_quoting(name)
}

/// A string literal that means the same whatever the server's
/// `standard_conforming_strings` says: `'...'` with quotes doubled when the
/// text holds no backslash, else `E'...'` with backslashes doubled too (a
/// plain `'a\'` would not close where that setting is off, and whatever
/// follows would be read as SQL).
#[derive(Clone, Copy, Debug)]
pub struct Literal<'a>(pub &'a str);

impl fmt::Display for Literal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.contains('\\') {
            write!(f, "E'{}'", self.0.replace('\\', "\\\\").replace('\'', "''"))
        } else {
            write!(f, "'{}'", self.0.replace('\'', "''"))
        }
    }
}

/// A comma-separated list of identifiers.
pub struct IdentList<'a>(pub &'a [String]);

impl fmt::Display for IdentList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Ident(name))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_where_postgres_needs_it() {
        let q = |s: &str| Ident(s).to_string();
        assert_eq!(q("customers"), "customers");
        assert_eq!(q("order_items2"), "order_items2");
        assert_eq!(q("order"), "\"order\"");
        assert_eq!(q("User"), "\"User\"");
        assert_eq!(q("line item"), "\"line item\"");
        assert_eq!(q("1st"), "\"1st\"");
        assert_eq!(q("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(q("café"), "\"café\"");
    }

    #[test]
    fn escapes_literals() {
        assert_eq!(Literal("it's").to_string(), "'it''s'");
        assert_eq!(Literal("a\\b").to_string(), "E'a\\\\b'");
        assert_eq!(
            Literal("x\\'; DROP TABLE t; --").to_string(),
            "E'x\\\\''; DROP TABLE t; --'"
        );
    }
}
