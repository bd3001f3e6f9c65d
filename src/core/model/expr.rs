//! SQL expressions a design holds: defaults, checks, index predicates.
//!
//! plinth pastes these into DDL it runs on production databases, and a
//! design file is text anybody may have written. So every expression is
//! read as exactly one PostgreSQL expression when it enters the design
//! (from a file, an edit or a live catalog) and is printed again from what
//! was read: a `;`, a comment, an unbalanced quote or parenthesis, a
//! subquery or a second statement never gets through.
//!
//! The reading is sqlparser's, with its PostgreSQL dialect. PostgreSQL
//! accepts a little that sqlparser does not; such an expression is still
//! taken when PostgreSQL's own lexical rules hold for it (as sqlparser's
//! tokenizer reads them: balanced brackets, no statement separator, no
//! comment, strings and dollar quotes closed) and is then printed token by
//! token. Either way the text printed is made of the tokens read, with
//! every string literal written so that no server setting changes what it
//! means (`E'...'` wherever a backslash appears).

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::fmt;

use sqlparser::ast::{DataType, Expr, Ident, Value, ValueWithSpan, VisitMut, VisitorMut};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace, Word};
use std::ops::ControlFlow;
use std::sync::Arc;

/// How deeply an expression may nest before it is refused. Real schemas
/// stay far below; the bound keeps a hostile file from exhausting the stack.
const MAX_DEPTH: usize = 200;

/// One PostgreSQL expression, as plinth prints it. Behind a pointer: most
/// fields have no default, and an unboxed one made every field 72 bytes
/// larger. Shared, not boxed: it never changes once read, and the same
/// default read again (`now()` on every table) is the same allocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SqlExpr(Arc<Held>);

/// What an expression holds: its text and what is asked of it often.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Held {
    text: String,
    /// Whether sqlparser read it as an expression tree; otherwise only the
    /// lexical guarantee holds.
    parsed: bool,
    /// The columns it names, found once when it was read: checks and
    /// renames ask for them often.
    columns: Vec<String>,
    /// Its value, when it is nothing but a string literal.
    literal: Option<String>,
}

/// Why a piece of text is not one expression, with where in the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    pub message: String,
    /// 1-based line and column inside the expression's text, when known.
    pub at: Option<(usize, usize)>,
}

impl ExprError {
    fn new(message: impl Into<String>, at: Option<(usize, usize)>) -> Self {
        ExprError {
            message: message.into(),
            at,
        }
    }

    /// The message with the place inside the expression, for a reader who
    /// sees only the whole text.
    pub fn describe(&self) -> String {
        match self.at {
            Some((1, col)) => format!("{} (at character {col} of the expression)", self.message),
            Some((line, col)) => format!(
                "{} (at line {line}, column {col} of the expression)",
                self.message
            ),
            None => self.message.clone(),
        }
    }
}

impl SqlExpr {
    /// Reads `text` as one expression: parsed where sqlparser can, else
    /// held to PostgreSQL's lexical rules (see the module documentation).
    pub fn parse(text: &str) -> Result<SqlExpr, ExprError> {
        read(text, false)
    }

    /// Like [`SqlExpr::parse`], but only what sqlparser reads as an
    /// expression: for text a person is typing, where a parse error is
    /// more likely a mistake than syntax plinth does not know.
    pub fn parse_strict(text: &str) -> Result<SqlExpr, ExprError> {
        read(text, true)
    }

    pub fn as_str(&self) -> &str {
        &self.0.text
    }

    /// Whether sqlparser read the expression; `false` means it is held by
    /// its lexical shape alone.
    pub fn is_parsed(&self) -> bool {
        self.0.parsed
    }

    /// The columns the expression names, as PostgreSQL resolves them
    /// (unquoted names folded to lower case), each once, in order.
    pub fn columns(&self) -> &[String] {
        &self.0.columns
    }

    /// Whether the expression names the column `name`.
    pub fn names_column(&self, name: &str) -> bool {
        self.0.columns.iter().any(|c| c == name)
    }

    /// The expression with every reference to column `from` made a
    /// reference to `to`; `None` when it names no `from`.
    pub fn rename_column(&self, from: &str, to: &str) -> Option<SqlExpr> {
        self.rename_columns(&[(from, to)])
    }

    /// The expression with each column `from` made `to`, all at once (so
    /// `a`→`b` with `b`→`a` swaps them); `None` when it names none of them.
    pub fn rename_columns(&self, renames: &[(&str, &str)]) -> Option<SqlExpr> {
        let names = self.columns();
        if !renames
            .iter()
            .any(|(from, _)| names.iter().any(|n| n == from))
        {
            return None;
        }
        let target = |name: &str| {
            renames
                .iter()
                .find(|(from, _)| *from == name)
                .map(|(_, to)| *to)
        };
        let text = if self.0.parsed {
            let mut expr = parse_tree(&self.0.text).expect("a parsed expression parses again");
            let _ = expr.visit(&mut column_refs(|ident: &mut Ident| {
                if let Some(to) = target(&resolved(ident)) {
                    *ident = column_ident(to);
                }
            }));
            expr.to_string()
        } else {
            let mut tokens = tokens(&self.0.text).expect("a held expression tokenizes again");
            for i in column_tokens(&tokens) {
                if let Token::Word(w) = &tokens[i].token
                    && let Some(to) = target(&word_name(w))
                {
                    tokens[i].token = column_word(to);
                }
            }
            print_tokens(&tokens)
        };
        Some(SqlExpr::new(text, self.0.parsed))
    }

    /// The value of the expression when it is nothing but a string literal
    /// (`'pending'`), for checks of what a default can mean.
    pub fn string_literal(&self) -> Option<String> {
        self.0.literal.clone()
    }

    /// An expression from text plinth printed itself (see [`printed`]),
    /// with what is asked of it often found once.
    fn new(text: String, parsed: bool) -> SqlExpr {
        let (columns, literal) = if parsed {
            let expr = parse_tree(&text).expect("a parsed expression parses again");
            (find_columns(&expr), literal_of(&expr))
        } else {
            let tokens = tokens(&text).expect("a held expression tokenizes again");
            let mut names = Vec::new();
            for i in column_tokens(&tokens) {
                if let Token::Word(w) = &tokens[i].token {
                    let name = word_name(w);
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
            (names, None)
        };
        SqlExpr(Arc::new(Held {
            text,
            parsed,
            columns,
            literal,
        }))
    }
}

/// The columns a parsed expression names, each once, in order.
fn find_columns(expr: &Expr) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut expr = expr.clone();
    let _ = expr.visit(&mut column_refs(|ident: &mut Ident| {
        let name = resolved(ident);
        if !names.contains(&name) {
            names.push(name);
        }
    }));
    names
}

fn literal_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Value(ValueWithSpan { value, .. }) => match value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::UnicodeStringLiteral(s)
            | Value::NationalStringLiteral(s) => Some(s.clone()),
            Value::DollarQuotedString(d) => Some(d.value.clone()),
            _ => None,
        },
        _ => None,
    }
}

impl fmt::Display for SqlExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.text)
    }
}

/// For tests that write their own expressions: text that is not one
/// expression is a bug in the test.
#[cfg(test)]
impl From<&str> for SqlExpr {
    fn from(text: &str) -> Self {
        SqlExpr::parse(text).unwrap_or_else(|e| panic!("`{text}`: {}", e.describe()))
    }
}

/// Read-only access to the text, so code that only prints or compares an
/// expression treats it as the `&str` it is.
impl std::ops::Deref for SqlExpr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0.text
    }
}

impl serde::Serialize for SqlExpr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.text)
    }
}

impl<'de> serde::Deserialize<'de> for SqlExpr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SqlExpr::parse(&text).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{}` is not one SQL expression: {}",
                crate::core::text::printable(&text),
                e.describe()
            ))
        })
    }
}

fn read(text: &str, strict: bool) -> Result<SqlExpr, ExprError> {
    // Real schemas repeat a few defaults (`now()`, `gen_random_uuid()`)
    // thousands of times: each text is read once per thread.
    thread_local! {
        static READ: RefCell<HashMap<(String, bool), Result<SqlExpr, ExprError>>> =
            RefCell::default();
    }
    let key = (text.to_owned(), strict);
    if let Some(hit) = READ.with(|r| r.borrow().get(&key).cloned()) {
        return hit;
    }
    let result = read_uncached(text, strict);
    READ.with(|r| {
        let mut r = r.borrow_mut();
        if r.len() >= 4096 {
            r.clear();
        }
        r.insert(key, result.clone());
    });
    result
}

fn read_uncached(text: &str, strict: bool) -> Result<SqlExpr, ExprError> {
    let tokens = tokens(text)?;
    lexical_floor(&tokens)?;
    match parse_tokens(tokens.clone()) {
        Ok(mut expr) => {
            refuse_subqueries(&expr)?;
            canonical(&mut expr);
            printed(expr.to_string(), true)
        }
        Err(Reason::TooDeep) => Err(ExprError::new(
            format!("the expression nests more than {MAX_DEPTH} levels deep"),
            None,
        )),
        Err(Reason::Trailing(at, token)) => Err(ExprError::new(
            format!("`{token}` follows a complete expression; only one expression is allowed"),
            Some(at),
        )),
        Err(Reason::Parser(message)) if strict => Err(ExprError::new(message, None)),
        Err(Reason::Parser(_)) => {
            let mut tokens = tokens;
            for t in &mut tokens {
                make_safe_token(&mut t.token);
            }
            for i in column_tokens(&tokens) {
                if let Token::Word(w) = &tokens[i].token {
                    tokens[i].token = column_word(&word_name(w));
                }
            }
            printed(print_tokens(&tokens), false)
        }
    }
}

/// Takes plinth's own printing only when reading it again gives it back
/// unchanged: two tokens printed side by side must never become a third
/// (`- -1` as `--1`, a comment).
fn printed(text: String, parsed: bool) -> Result<SqlExpr, ExprError> {
    let again = tokens(&text).and_then(|t| {
        lexical_floor(&t)?;
        Ok(t)
    });
    let same = match again {
        Err(_) => false,
        Ok(t) if parsed => parse_tokens(t).is_ok_and(|mut e| {
            canonical(&mut e);
            e.to_string() == text
        }),
        Ok(t) => print_tokens(&t) == text,
    };
    if !same {
        return Err(ExprError::new(
            format!("plinth cannot write this expression back safely (it would read `{text}`)"),
            None,
        ));
    }
    Ok(SqlExpr::new(text, parsed))
}

fn tokens(text: &str) -> Result<Vec<TokenWithSpan>, ExprError> {
    Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .map_err(|e| {
            ExprError::new(
                e.message,
                Some((e.location.line as usize, e.location.column as usize)),
            )
        })
}

fn at(t: &TokenWithSpan) -> Option<(usize, usize)> {
    Some((t.span.start.line as usize, t.span.start.column as usize))
}

/// What must hold for any text plinth takes as an expression, parsed or
/// not: something there, no statement separator, no comment, and brackets
/// that close in order.
fn lexical_floor(tokens: &[TokenWithSpan]) -> Result<(), ExprError> {
    let mut open: Vec<(char, &TokenWithSpan)> = Vec::new();
    let mut seen = false;
    for t in tokens {
        let close = |want: char, open: &mut Vec<(char, &TokenWithSpan)>| match open.pop() {
            Some((c, _)) if c == want => Ok(()),
            _ => Err(ExprError::new(
                format!("`{}` closes nothing that is open", t.token),
                at(t),
            )),
        };
        match &t.token {
            Token::SemiColon => {
                return Err(ExprError::new(
                    "`;` ends a statement; an expression cannot hold one outside a string",
                    at(t),
                ));
            }
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_),
            ) => {
                return Err(ExprError::new(
                    "comments are not allowed in an expression",
                    at(t),
                ));
            }
            Token::Whitespace(_) | Token::EOF => continue,
            // psql reads a backslash outside a string as one of its own
            // commands (`\! rm`), PostgreSQL as nothing at all.
            Token::Backslash => {
                return Err(ExprError::new(
                    "a backslash outside a string is not SQL (psql would run it as a command)",
                    at(t),
                ));
            }
            Token::Char(c) => {
                return Err(ExprError::new(
                    format!("`{c}` is not part of a PostgreSQL expression"),
                    at(t),
                ));
            }
            Token::Word(w) if matches!(w.quote_style, Some(q) if q != '"') => {
                return Err(ExprError::new(
                    format!(
                        "`{}` is not a PostgreSQL identifier (quote names with \")",
                        t.token
                    ),
                    at(t),
                ));
            }
            Token::DollarQuotedString(d)
                if d.tag.as_deref().is_some_and(|tag| {
                    tag.starts_with(|c: char| c.is_ascii_digit())
                        || !tag.chars().all(|c| c.is_alphanumeric() || c == '_')
                }) =>
            {
                return Err(ExprError::new(
                    format!(
                        "`${}$` is not a dollar-quote tag PostgreSQL reads the same way",
                        d.tag.as_deref().unwrap_or_default()
                    ),
                    at(t),
                ));
            }
            Token::LParen => open.push(('(', t)),
            Token::LBracket => open.push(('[', t)),
            Token::LBrace => open.push(('{', t)),
            Token::RParen => close('(', &mut open)?,
            Token::RBracket => close('[', &mut open)?,
            Token::RBrace => close('{', &mut open)?,
            _ => {}
        }
        seen = true;
    }
    if let Some((c, t)) = open.last() {
        return Err(ExprError::new(format!("`{c}` is never closed"), at(t)));
    }
    if !seen {
        return Err(ExprError::new("the expression is empty", None));
    }
    Ok(())
}

enum Reason {
    TooDeep,
    Trailing((usize, usize), String),
    Parser(String),
}

fn parse_tokens(tokens: Vec<TokenWithSpan>) -> Result<Expr, Reason> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(MAX_DEPTH)
        .with_tokens_with_locations(tokens);
    let expr = parser.parse_expr().map_err(|e| match e {
        ParserError::RecursionLimitExceeded => Reason::TooDeep,
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => Reason::Parser(m),
    })?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(Reason::Trailing(
            at(&next).unwrap_or((1, 1)),
            next.token.to_string(),
        ));
    }
    Ok(expr)
}

fn parse_tree(text: &str) -> Result<Expr, ExprError> {
    let tokens = tokens(text)?;
    parse_tokens(tokens).map_err(|_| ExprError::new("does not parse", None))
}

/// PostgreSQL refuses subqueries in defaults, checks and index
/// predicates; refusing them here says so before the database does.
fn refuse_subqueries(expr: &Expr) -> Result<(), ExprError> {
    struct Queries;
    impl sqlparser::ast::Visitor for Queries {
        type Break = ();
        fn pre_visit_query(&mut self, _: &sqlparser::ast::Query) -> ControlFlow<()> {
            ControlFlow::Break(())
        }
    }
    if sqlparser::ast::Visit::visit(expr, &mut Queries).is_break() {
        return Err(ExprError::new(
            "a subquery is not allowed here (PostgreSQL refuses them in defaults, checks and \
             index predicates)",
            None,
        ));
    }
    Ok(())
}

/// Words PostgreSQL reads as functions without parentheses
/// (`current_schema`), which sqlparser may hand over as identifiers.
const VALUE_FUNCTIONS: &[&str] = &[
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "localtime",
    "localtimestamp",
    "session_user",
    "system_user",
    "user",
];

/// Calls its function on every identifier that stands for a column: a
/// bare name, or the last part of a qualified one (`orders.amount`); not a
/// field picked out of a composite value (`(address).city`), nor a word
/// PostgreSQL reads as a function.
struct ColumnRefs<F> {
    each: F,
    /// Field names after a dot, met before their turn in the walk.
    fields: Vec<*const Expr>,
}

fn column_refs<F: FnMut(&mut Ident)>(each: F) -> ColumnRefs<F> {
    ColumnRefs {
        each,
        fields: Vec::new(),
    }
}

impl<F: FnMut(&mut Ident)> VisitorMut for ColumnRefs<F> {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if self.fields.contains(&(expr as *const Expr)) {
            return ControlFlow::Continue(());
        }
        match expr {
            Expr::Identifier(ident)
                if ident.quote_style.is_some()
                    || !VALUE_FUNCTIONS.contains(&ident.value.to_ascii_lowercase().as_str()) =>
            {
                (self.each)(ident);
            }
            Expr::CompoundIdentifier(parts) => {
                if let Some(last) = parts.last_mut() {
                    (self.each)(last);
                }
            }
            Expr::CompoundFieldAccess { access_chain, .. } => {
                for access in access_chain {
                    if let sqlparser::ast::AccessExpr::Dot(field) = access {
                        self.fields.push(field as *const Expr);
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// A column reference written as plinth writes identifiers: bare where
/// PostgreSQL reads it back unchanged, quoted otherwise. Every reference is
/// written this way, so renaming a field and renaming it back gives the
/// same text.
fn column_ident(name: &str) -> Ident {
    Ident {
        value: name.to_owned(),
        quote_style: crate::core::sql::needs_quotes(name).then_some('"'),
        span: sqlparser::tokenizer::Span::empty(),
    }
}

fn column_word(name: &str) -> Token {
    Token::Word(Word {
        value: name.to_owned(),
        quote_style: crate::core::sql::needs_quotes(name).then_some('"'),
        keyword: Keyword::NoKeyword,
    })
}

/// What every parsed expression goes through before it is printed.
fn canonical(expr: &mut Expr) {
    let _ = expr.visit(&mut SafeStrings);
    lower_case_types(expr);
    let _ = expr.visit(&mut column_refs(|ident: &mut Ident| {
        *ident = column_ident(&resolved(ident));
    }));
}

/// A column reference's name as PostgreSQL resolves it.
fn resolved(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_ascii_lowercase(),
    }
}

fn word_name(w: &Word) -> String {
    match w.quote_style {
        Some(_) => w.value.clone(),
        None => w.value.to_ascii_lowercase(),
    }
}

/// In an expression sqlparser cannot read, the words that stand where a
/// column would: not keywords, not function names (followed by `(`), not
/// a qualifier's tail or a cast's type (after `.` or `::`).
fn column_tokens(tokens: &[TokenWithSpan]) -> Vec<usize> {
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_) | Token::EOF))
        .collect();
    let mut out = Vec::new();
    for (k, &i) in significant.iter().enumerate() {
        let Token::Word(w) = &tokens[i].token else {
            continue;
        };
        if w.quote_style.is_none() && w.keyword != Keyword::NoKeyword {
            continue;
        }
        let before = k.checked_sub(1).map(|p| &tokens[significant[p]].token);
        let after = significant.get(k + 1).map(|&n| &tokens[n].token);
        if matches!(after, Some(Token::LParen | Token::Period)) {
            continue;
        }
        if matches!(before, Some(Token::DoubleColon)) {
            continue;
        }
        out.push(i);
    }
    out
}

/// Makes a string token mean the same whatever `standard_conforming_strings`
/// says: a backslash only ever appears inside `E'...'`, where it is escaped.
fn make_safe_token(token: &mut Token) {
    let text = match token {
        Token::SingleQuotedString(s) | Token::NationalStringLiteral(s) if s.contains('\\') => {
            std::mem::take(s)
        }
        Token::UnicodeStringLiteral(s) => std::mem::take(s),
        Token::DollarQuotedString(d) => std::mem::take(&mut d.value),
        _ => return,
    };
    *token = if text.contains('\\') {
        Token::EscapedStringLiteral(text)
    } else {
        Token::SingleQuotedString(text)
    };
}

/// The same rule as [`make_safe_token`], on a parsed tree. Dollar quotes
/// are written as plain strings too: psql and sqlparser disagree on which
/// tags are valid, and a plain string leaves nothing to disagree on.
struct SafeStrings;

impl VisitorMut for SafeStrings {
    type Break = ();

    fn pre_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
        let text = match &mut value.value {
            Value::SingleQuotedString(s) | Value::NationalStringLiteral(s) if s.contains('\\') => {
                std::mem::take(s)
            }
            Value::UnicodeStringLiteral(s) => std::mem::take(s),
            Value::DollarQuotedString(d) => std::mem::take(&mut d.value),
            _ => return ControlFlow::Continue(()),
        };
        value.value = if text.contains('\\') {
            Value::EscapedStringLiteral(text)
        } else {
            Value::SingleQuotedString(text)
        };
        ControlFlow::Continue(())
    }
}

/// Built-in type names printed in lower case, as PostgreSQL prints them
/// (`'{}'::jsonb`, not sqlparser's `'{}'::JSONB`). A type spelled with a
/// quote anywhere (a quoted name, a string modifier) is left as it is.
fn lower_case_types(expr: &mut Expr) {
    fn lower(ty: &mut DataType) {
        if matches!(ty, DataType::Custom(..)) {
            return;
        }
        let text = ty.to_string();
        if text.contains(['"', '\'', '`']) {
            return;
        }
        *ty = DataType::Custom(Ident::new(text.to_lowercase()).into(), Vec::new());
    }
    let _ = sqlparser::ast::visit_expressions_mut(expr, |e| {
        match e {
            Expr::Cast { data_type, .. } => lower(data_type),
            Expr::TypedString(ts) => lower(&mut ts.data_type),
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

fn print_tokens(tokens: &[TokenWithSpan]) -> String {
    let mut out = String::new();
    for t in tokens {
        match &t.token {
            Token::EOF => {}
            Token::Whitespace(_) => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
            other => out.push_str(&other.to_string()),
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        SqlExpr::parse(text)
            .unwrap_or_else(|e| panic!("`{text}` refused: {}", e.describe()))
            .to_string()
    }

    fn refused(text: &str) -> String {
        match SqlExpr::parse(text) {
            Ok(e) => panic!("`{text}` accepted as `{e}`"),
            Err(e) => e.describe(),
        }
    }

    #[test]
    fn statements_and_comments_are_refused() {
        assert!(refused("false); DROP TABLE keep.canary; --").contains("`)` closes nothing"));
        assert!(refused("true; DROP TABLE x; --").contains("`;` ends a statement"));
        assert!(refused("1 -- the rest").contains("comments"));
        assert!(refused("1 /* x */").contains("comments"));
        assert!(refused("(1").contains("never closed"));
        assert!(
            refused("'abc").contains("nterminated"),
            "{}",
            refused("'abc")
        );
        assert!(refused("").contains("empty"));
        assert!(refused("   ").contains("empty"));
        assert!(refused("1 2").contains("follows a complete expression"));
        assert!(refused("a = 1 b").contains("`b` follows"));
        assert!(refused("(select 1)").contains("subquery"));
        assert!(refused("exists (select 1)").contains("subquery"));
        assert!(refused("1 IN (select 1)").contains("subquery"));
        assert!(refused(r"f(\! touch /tmp/x)").contains("backslash"));
        assert!(refused(r"\g").contains("backslash"));
        assert!(refused("`a`").contains("not part of a PostgreSQL expression"));
        assert!(refused("$1$x$1$").contains("dollar-quote tag"));
        for minus in ["- -1", "- - a", "1 - -1", "-(-1)"] {
            assert!(
                !ok(minus).contains("--"),
                "`{minus}` printed as {}",
                ok(minus)
            );
        }
    }

    #[test]
    fn strings_with_statements_inside_stay_strings() {
        let e = ok("'x''; DROP TABLE t; --'");
        assert_eq!(e, "'x''; DROP TABLE t; --'");
        assert_eq!(ok("$$a; b$$"), "'a; b'");
        assert_eq!(ok("$q$it's$q$"), "'it''s'");
    }

    #[test]
    fn backslashes_are_written_for_every_server_setting() {
        // With standard_conforming_strings off, `'x\'` would not close.
        assert_eq!(ok(r"'x\'"), r"E'x\\'");
        assert_eq!(ok(r"E'it\'s'"), r"E'it\'s'");
        assert_eq!(ok("'plain'"), "'plain'");
        assert_eq!(ok(r"U&'d\0061t'"), "'dat'");
        assert_eq!(ok(r"$$a\b$$"), r"E'a\\b'");
    }

    #[test]
    fn real_expressions_survive() {
        for text in [
            "now()",
            "gen_random_uuid()",
            "CURRENT_TIMESTAMP",
            "nextval('\"Foobar_id_seq\"'::regclass)",
            "'G'::mpaa_rating",
            "(length((foo)::text) > 0)",
            "(bar > (0)::numeric)",
            "to_tsvector('english'::regconfig, ((title || ' '::text) || COALESCE(content, ''::text)))",
            "(\"Bar\" < \"ID\")",
            "status = ANY(ARRAY['a'::text, 'b'::text])",
            "price * 1.1",
            "'{}'::jsonb",
            "(id)::double precision",
            "'x'::character varying(10)",
            "'a'::\"MyType\"",
            "date '2020-01-01'",
        ] {
            let printed = ok(text);
            assert_eq!(ok(&printed), printed, "printing is stable for `{text}`");
            assert_eq!(printed, text, "printed as PostgreSQL prints it");
        }
    }

    #[test]
    fn columns_are_found_and_renamed() {
        let e = SqlExpr::parse("amount > 0 AND \"Note\" <> '' AND lower(Code) = 'x'").unwrap();
        assert_eq!(e.columns(), vec!["amount", "Note", "code"]);
        let r = e.rename_column("amount", "total").unwrap();
        assert!(r.as_str().contains("total > 0"), "{r}");
        assert!(!r.names_column("amount"));
        let q = e.rename_column("code", "Order").unwrap();
        assert!(q.as_str().contains("lower(\"Order\")"), "{q}");
        assert_eq!(e.rename_column("absent", "x"), None);
        let swapped = SqlExpr::parse("a < b").unwrap();
        assert_eq!(
            swapped
                .rename_columns(&[("a", "b"), ("b", "a")])
                .unwrap()
                .as_str(),
            "b < a"
        );
        // References are written one way, so a rename and its inverse
        // give back the text.
        let shouting = SqlExpr::parse("CODE <> '' AND \"note\" <> ''").unwrap();
        assert_eq!(shouting.as_str(), "code <> '' AND note <> ''");
        let there = shouting.rename_column("code", "Key Code").unwrap();
        assert_eq!(there.as_str(), "\"Key Code\" <> '' AND note <> ''");
        assert_eq!(there.rename_column("Key Code", "code").unwrap(), shouting);
        assert_eq!(
            SqlExpr::parse("now()").unwrap().columns(),
            Vec::<String>::new()
        );
        let special = SqlExpr::parse("current_schema || current_role || (address).city").unwrap();
        assert_eq!(special.columns(), vec!["address"]);
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let deep = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
        assert!(refused(&deep).contains("nests more than"));
    }

    #[test]
    fn string_literals_are_recognised() {
        assert_eq!(
            SqlExpr::parse("'late'")
                .unwrap()
                .string_literal()
                .as_deref(),
            Some("late")
        );
        assert_eq!(
            SqlExpr::parse("'late'::text").unwrap().string_literal(),
            None
        );
    }
}
