//! Splitting a command line into words.
//!
//! Words are separated by whitespace, except inside a SQL string
//! (`'it''s'`), a quoted identifier (`"Order Lines"`) or parentheses
//! (`numeric(12, 2)`, `(now() + interval '1 day')`), so a type, a default
//! expression or an index's field list is always one word. `->` is a word
//! of its own even when written without spaces.

use super::CommandError;

/// A word of a command line, as written (quotes and parentheses kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
}

impl Word {
    /// Whether the word is this keyword, in any case.
    pub fn is(&self, keyword: &str) -> bool {
        self.text.eq_ignore_ascii_case(keyword)
    }
}

pub fn words(line: &str) -> Result<Vec<Word>, CommandError> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    let flush = |current: &mut String, out: &mut Vec<Word>| {
        if !current.is_empty() {
            out.push(Word {
                text: std::mem::take(current),
            });
        }
    };
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => flush(&mut current, &mut out),
            '-' if chars.peek() == Some(&'>') => {
                chars.next();
                flush(&mut current, &mut out);
                out.push(Word { text: "->".into() });
            }
            '\'' | '"' => {
                current.push(c);
                quoted(c, &mut chars, &mut current)?;
            }
            '(' => {
                current.push(c);
                let mut depth = 1;
                while depth > 0 {
                    let Some(c) = chars.next() else {
                        return Err(CommandError::new("`(` is never closed"));
                    };
                    current.push(c);
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        '\'' | '"' => quoted(c, &mut chars, &mut current)?,
                        _ => {}
                    }
                }
            }
            ')' => return Err(CommandError::new("`)` without a matching `(`")),
            c => current.push(c),
        }
    }
    flush(&mut current, &mut out);
    Ok(out)
}

/// Copies a quoted run up to and including its closing quote; a doubled
/// quote stands for one and does not close it.
fn quoted(
    quote: char,
    chars: &mut std::iter::Peekable<std::str::Chars>,
    out: &mut String,
) -> Result<(), CommandError> {
    loop {
        match chars.next() {
            None => {
                return Err(CommandError::new(format!("`{quote}` is never closed")));
            }
            Some(c) if c == quote => {
                out.push(c);
                if chars.peek() == Some(&quote) {
                    out.push(chars.next().expect("peeked"));
                } else {
                    return Ok(());
                }
            }
            Some(c) => out.push(c),
        }
    }
}

/// A name as written: bare, or in double quotes with `""` for a quote.
pub fn name(raw: &str) -> Result<String, CommandError> {
    if let Some(inner) = raw.strip_prefix('"') {
        let Some(inner) = inner.strip_suffix('"') else {
            return Err(CommandError::new(format!("`{raw}` is not a name")));
        };
        let name = inner.replace("\"\"", "\"");
        if name.is_empty() {
            return Err(CommandError::new("a name cannot be empty"));
        }
        return Ok(name);
    }
    if raw.is_empty() || raw.contains(['"', '\'', '(', ')', ',', '.']) {
        return Err(CommandError::new(format!("`{raw}` is not a name")));
    }
    Ok(raw.to_owned())
}

/// `ENTITY.FIELD`, either part bare or double-quoted.
pub fn qualified(raw: &str) -> Result<(String, String), CommandError> {
    let mut in_quotes = false;
    for (i, c) in raw.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '.' if !in_quotes => return Ok((name(&raw[..i])?, name(&raw[i + 1..])?)),
            _ => {}
        }
    }
    Err(CommandError::new(format!(
        "`{raw}` names no field; write ENTITY.FIELD, e.g. orders.customer_id"
    )))
}

/// The names in a parenthesised list: `(a, b)`.
pub fn name_list(raw: &str) -> Result<Vec<String>, CommandError> {
    let inner = raw
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| {
            CommandError::new(format!("expected a field list like (a, b), not `{raw}`"))
        })?;
    let names: Vec<String> = inner
        .split(',')
        .map(|n| name(n.trim()))
        .collect::<Result<_, _>>()?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        words(line).unwrap().into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn groups_strings_quotes_and_parentheses() {
        assert_eq!(
            texts("field add t.x numeric(12, 2) default 'it''s here'"),
            [
                "field",
                "add",
                "t.x",
                "numeric(12, 2)",
                "default",
                "'it''s here'"
            ]
        );
        assert_eq!(
            texts(r#"rel add "Order Lines".order_id->orders"#),
            ["rel", "add", "\"Order Lines\".order_id", "->", "orders"]
        );
        assert_eq!(
            texts("d (now() + interval '1 day')"),
            ["d", "(now() + interval '1 day')"]
        );
    }

    #[test]
    fn unbalanced_input_is_refused() {
        assert_eq!(
            words("x numeric(12").unwrap_err().to_string(),
            "`(` is never closed"
        );
        assert_eq!(
            words("x 'abc").unwrap_err().to_string(),
            "`'` is never closed"
        );
        assert!(words("x )").is_err());
    }

    #[test]
    fn names_and_qualified_names() {
        assert_eq!(
            qualified("orders.customer_id").unwrap(),
            ("orders".into(), "customer_id".into())
        );
        assert_eq!(
            qualified(r#""Order Lines"."Unit.Price""#).unwrap(),
            ("Order Lines".into(), "Unit.Price".into())
        );
        assert!(qualified("orders").is_err());
        assert!(qualified("orders.").is_err());
        assert_eq!(name_list("(a, b,c)").unwrap(), ["a", "b", "c"]);
        assert!(name_list("(a,,b)").is_err());
    }
}
