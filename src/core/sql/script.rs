//! Splitting a PostgreSQL script into statements exactly where `psql`
//! does, so that `plinth migrate` runs a migration file as `psql -f` would.
//!
//! The rules are psql's own (`src/fe_utils/psqlscan.l`, which borrows the
//! server's lexer): a statement ends at a semicolon outside strings
//! (`'…'`, `E'…'`, `U&'…'`, `B'…'`, `X'…'`, `$tag$…$tag$`), quoted
//! identifiers (`"…"`, `U&"…"`), comments (`--` to the end of the line,
//! `/* */` nested) and parentheses, and outside the `BEGIN … END` of a
//! `CREATE [OR REPLACE] FUNCTION | PROCEDURE` body. `$1` and identifiers
//! such as `a$b` are not dollar quotes. A plain `'…'` treats backslashes as
//! escapes only when the server's `standard_conforming_strings` is off,
//! which the caller says with [`StandardStrings`].
//!
//! Two psql habits are kept on purpose: psql reads a file line by line, so
//! the server's "string continues after a line break" rule (`'a'` newline
//! `'b'`) only applies within one input line (a lone `\r`); and a piece of
//! whitespace and comments alone is never a statement (the server would do
//! nothing with it). psql's backslash meta-commands (`\set`, `\i`, `\;`)
//! are refused with their place: plinth runs SQL only; so is a `COPY` whose
//! rows pass through psql (`FROM STDIN`, `TO STDOUT`). psql variables
//! (`:name`) are left as written, as psql leaves those it does not know.
//!
//! Each statement keeps its text exactly as written, from its first token
//! to its semicolon, so it can be sent and quoted in errors unchanged.

use std::fmt;

/// What the server's `standard_conforming_strings` says: whether a plain
/// `'…'` string takes backslashes literally (on) or as escapes (off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StandardStrings {
    On,
    Off,
}

/// The kind of a token outside comments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword or unquoted identifier (`select`, `a$b`, `café`).
    Word,
    /// `"…"` or `U&"…"`.
    QuotedIdentifier,
    /// `'…'`, `E'…'`, `N'…'`, `U&'…'`, `B'…'` or `X'…'`, with any
    /// continuation.
    String,
    /// `$tag$…$tag$`.
    DollarString,
    /// A number, with any trailing junk the server would refuse.
    Number,
    /// `$1`.
    Parameter,
    /// A run of operator characters (`+`, `<>`, `||`).
    Operator,
    /// Any other single character: `(`, `)`, `,`, `;`, `.`, `:`, ….
    Punctuation,
}

/// One token: its kind, its text as written and where it starts (a byte
/// offset into the script).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: TokenKind,
    pub text: &'a str,
    pub offset: usize,
}

/// One statement of a script: its text as written, from its first token
/// up to and including its terminating semicolon (the last statement may
/// have none), where it starts, and its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement<'a> {
    pub text: &'a str,
    pub offset: usize,
    pub tokens: Vec<Token<'a>>,
}

impl<'a> Statement<'a> {
    /// The byte offset just past the statement.
    pub fn end(&self) -> usize {
        self.offset + self.text.len()
    }

    /// Whether the statement's first tokens are these words, ignoring
    /// ASCII case: `starts_with(&["CREATE", "DATABASE"])`.
    pub fn starts_with(&self, words: &[&str]) -> bool {
        words.len() <= self.tokens.len()
            && words.iter().zip(&self.tokens).all(|(word, token)| {
                token.kind == TokenKind::Word && token.text.eq_ignore_ascii_case(word)
            })
    }

    /// Whether the word appears as a keyword or unquoted identifier
    /// anywhere in the statement (not in strings, comments or quotes).
    pub fn has_word(&self, word: &str) -> bool {
        self.tokens
            .iter()
            .any(|t| t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case(word))
    }
}

/// A place in a script: 1-based line, and 1-based column in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` (a character boundary) in `script`.
    pub fn of(script: &str, offset: usize) -> Position {
        let before = &script[..offset];
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        Position {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why a script cannot be split, and where: `LINE:COLUMN: problem`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {problem}")]
pub struct ScriptError {
    pub position: Position,
    /// The byte offset of `position`.
    pub offset: usize,
    pub problem: Problem,
}

/// What is wrong with a script.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("unterminated quoted string: the quote opened here is never closed")]
    UnterminatedString,
    #[error("unterminated dollar-quoted string: `{0}` opened here is never closed")]
    UnterminatedDollarQuote(String),
    #[error("unterminated /* comment: the comment opened here is never closed")]
    UnterminatedComment,
    #[error("unterminated quoted identifier: the `\"` opened here is never closed")]
    UnterminatedIdentifier,
    #[error(
        "psql meta-command `{0}`: plinth runs SQL statements only, not psql's backslash commands"
    )]
    MetaCommand(String),
    #[error("{0}")]
    ClientCopy(CopyDirection),
}

/// A `COPY` whose rows pass through the client: psql reads them from the
/// lines after the statement (`FROM STDIN`, up to `\.`) or prints them
/// (`TO STDOUT`). plinth sends statements only, so it cannot: after
/// `FROM STDIN` psql would not even read the next lines as SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CopyDirection {
    #[error(
        "`COPY ... FROM STDIN` takes its rows from psql's input, which plinth does not send: \
         write the rows as INSERT statements, or COPY from a file on the server"
    )]
    FromStdin,
    #[error(
        "`COPY ... TO STDOUT` prints its rows through psql, which plinth does not: \
         a migration has nowhere to write them"
    )]
    ToStdout,
}

/// Whether `statement` is `COPY ... FROM STDIN` or `COPY ... TO STDOUT`.
fn client_copy(statement: &Statement<'_>) -> Option<CopyDirection> {
    if !statement.starts_with(&["COPY"]) {
        return None;
    }
    statement.tokens.windows(2).find_map(|pair| {
        let word =
            |t: &Token<'_>, w: &str| t.kind == TokenKind::Word && t.text.eq_ignore_ascii_case(w);
        if word(&pair[0], "FROM") && word(&pair[1], "STDIN") {
            Some(CopyDirection::FromStdin)
        } else if word(&pair[0], "TO") && word(&pair[1], "STDOUT") {
            Some(CopyDirection::ToStdout)
        } else {
            None
        }
    })
}

/// The statements of `script`, in order.
pub fn split(script: &str, strings: StandardStrings) -> Result<Vec<Statement<'_>>, ScriptError> {
    split_from(script, 0, strings)
}

/// The statements of `script` from byte `offset` on, which must be where
/// a statement ended (psql's lexer starts afresh there): for going on
/// after a statement changed `standard_conforming_strings`. Offsets and
/// positions stay those of the whole script.
pub fn split_from(
    script: &str,
    offset: usize,
    strings: StandardStrings,
) -> Result<Vec<Statement<'_>>, ScriptError> {
    match split_prefix(script, offset, strings) {
        (statements, None) => Ok(statements),
        (_, Some(error)) => Err(error),
    }
}

/// Like [`split_from`], but keeping the statements before an error: a
/// runner that executes them one by one may see one change
/// `standard_conforming_strings` and read the rest (error included)
/// differently.
pub fn split_prefix(
    script: &str,
    offset: usize,
    strings: StandardStrings,
) -> (Vec<Statement<'_>>, Option<ScriptError>) {
    let mut lexer = Lexer {
        src: script,
        pos: offset,
        strings,
    };
    let mut out = Vec::new();
    loop {
        match lexer.statement() {
            Ok(Some(statement)) => out.push(statement),
            Ok(None) => return (out, None),
            Err(error) => return (out, Some(error)),
        }
    }
}

/// How a quoted string treats what is inside it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// `''` is a quote, backslashes are text (`'…'` with
    /// standard_conforming_strings on, `U&'…'`).
    Standard,
    /// `''` and `\'` are quotes, a backslash escapes the next character
    /// (`E'…'`, and `'…'` with standard_conforming_strings off).
    Escapes,
    /// The first quote ends it (`B'…'`, `X'…'`).
    Bits,
}

/// psql's count of open parentheses and of `BEGIN … END` blocks in a
/// function or procedure body: a semicolon inside either does not end the
/// statement.
#[derive(Default)]
struct Nesting {
    parens: usize,
    begins: usize,
    /// How many words the statement has had so far.
    words: usize,
    /// The first letters of its first four words, where they are one of
    /// `create`, `function`, `procedure`, `or`, `replace` (0 otherwise):
    /// enough to tell `CREATE [OR REPLACE] FUNCTION | PROCEDURE`.
    first: [u8; 4],
}

impl Nesting {
    fn at_top(&self) -> bool {
        self.parens == 0 && self.begins == 0
    }

    fn see(&mut self, token: &Token<'_>) {
        match (token.kind, token.text) {
            (TokenKind::Punctuation, "(") => self.parens += 1,
            (TokenKind::Punctuation, ")") => self.parens = self.parens.saturating_sub(1),
            (TokenKind::Word, word) => self.word(word),
            _ => {}
        }
    }

    fn word(&mut self, word: &str) {
        let is = |w: &str| word.eq_ignore_ascii_case(w);
        if ["create", "function", "procedure", "or", "replace"]
            .iter()
            .any(|w| is(w))
            && self.words < self.first.len()
        {
            self.first[self.words] = word.as_bytes()[0].to_ascii_lowercase();
        }
        self.words += 1;
        let routine = matches!(
            self.first,
            [b'c', b'f' | b'p', ..] | [b'c', b'o', b'r', b'f' | b'p']
        );
        if routine && self.parens == 0 {
            if is("begin") {
                self.begins += 1;
            } else if is("case") {
                // CASE also ends with END; it only matters inside a BEGIN.
                if self.begins >= 1 {
                    self.begins += 1;
                }
            } else if is("end") {
                self.begins = self.begins.saturating_sub(1);
            }
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    strings: StandardStrings,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// psql's `ident_start`: letters, `_` and every byte of a non-ASCII
/// character.
fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// psql's `dolq_cont`: what a dollar-quote tag continues with.
fn is_tag_cont(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit()
}

/// psql's `ident_cont`: identifiers may hold digits and `$` after the
/// first character.
fn is_ident_cont(b: u8) -> bool {
    is_tag_cont(b) || b == b'$'
}

fn is_op_char(b: u8) -> bool {
    b"~!@#^&|`?+-*/%<>=".contains(&b)
}

impl<'a> Lexer<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes().get(i).copied()
    }

    fn error(&self, offset: usize, problem: Problem) -> ScriptError {
        ScriptError {
            position: Position::of(self.src, offset),
            offset,
            problem,
        }
    }

    /// The next statement; `None` at the end of the script.
    fn statement(&mut self) -> Result<Option<Statement<'a>>, ScriptError> {
        let mut tokens: Vec<Token<'a>> = Vec::new();
        let mut nesting = Nesting::default();
        loop {
            let Some(token) = self.token()? else {
                let Some(last) = tokens.last() else {
                    return Ok(None);
                };
                let end = last.offset + last.text.len();
                return self.statement_of(tokens, end).map(Some);
            };
            let ends = token.kind == TokenKind::Punctuation && token.text == ";";
            if ends && nesting.at_top() {
                if tokens.is_empty() {
                    // Only whitespace and comments before it: nothing to run.
                    nesting = Nesting::default();
                    continue;
                }
                tokens.push(token);
                return self.statement_of(tokens, self.pos).map(Some);
            }
            nesting.see(&token);
            tokens.push(token);
        }
    }

    /// The statement of `tokens`, unless it is a `COPY` whose rows
    /// travel through psql itself.
    fn statement_of(
        &self,
        tokens: Vec<Token<'a>>,
        end: usize,
    ) -> Result<Statement<'a>, ScriptError> {
        let offset = tokens[0].offset;
        let statement = Statement {
            text: &self.src[offset..end],
            offset,
            tokens,
        };
        match client_copy(&statement) {
            Some(direction) => Err(self.error(offset, Problem::ClientCopy(direction))),
            None => Ok(statement),
        }
    }

    /// The next token after whitespace and comments; `None` at the end.
    fn token(&mut self) -> Result<Option<Token<'a>>, ScriptError> {
        self.skip_blanks()?;
        let start = self.pos;
        let Some(c) = self.at(start) else {
            return Ok(None);
        };
        let kind = match c {
            b'\'' => {
                self.pos += 1;
                self.quoted(start, self.plain())?;
                TokenKind::String
            }
            b'"' => {
                self.pos += 1;
                self.quoted_identifier(start)?;
                TokenKind::QuotedIdentifier
            }
            b'$' => self.dollar(start)?,
            b'0'..=b'9' => {
                self.number(start);
                TokenKind::Number
            }
            b'.' if self.at(start + 1).is_some_and(|b| b.is_ascii_digit()) => {
                self.number(start);
                TokenKind::Number
            }
            b'\\' => return Err(self.meta_command(start)),
            c if is_ident_start(c) => self.word(start)?,
            c if is_op_char(c) => {
                self.operator(start);
                TokenKind::Operator
            }
            _ => {
                self.pos += 1;
                TokenKind::Punctuation
            }
        };
        Ok(Some(Token {
            kind,
            text: &self.src[start..self.pos],
            offset: start,
        }))
    }

    /// How a plain `'…'` string reads under the server's setting.
    fn plain(&self) -> Quoting {
        match self.strings {
            StandardStrings::On => Quoting::Standard,
            StandardStrings::Off => Quoting::Escapes,
        }
    }

    fn skip_blanks(&mut self) -> Result<(), ScriptError> {
        loop {
            match (self.at(self.pos), self.at(self.pos + 1)) {
                (Some(b), _) if is_space(b) => self.pos += 1,
                (Some(b'-'), Some(b'-')) => self.pos = self.line_end(self.pos),
                (Some(b'/'), Some(b'*')) => self.block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    /// Where a `--` comment starting at `from` ends: at the next line
    /// break (`\n` or `\r`), or the end of the script.
    fn line_end(&self, from: usize) -> usize {
        self.bytes()[from..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(self.src.len(), |n| from + n)
    }

    /// Skips a `/* */` comment, which may hold other comments.
    fn block_comment(&mut self) -> Result<(), ScriptError> {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 0usize;
        loop {
            match (self.at(self.pos), self.at(self.pos + 1)) {
                (None, _) => return Err(self.error(start, Problem::UnterminatedComment)),
                (Some(b'*'), Some(b'/')) => {
                    self.pos += 2;
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                (Some(b'/'), Some(b'*')) => {
                    self.pos += 2;
                    depth += 1;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Scans a quoted string whose opening quote is just before `pos`.
    fn quoted(&mut self, start: usize, quoting: Quoting) -> Result<(), ScriptError> {
        loop {
            match self.at(self.pos) {
                None => return Err(self.error(start, Problem::UnterminatedString)),
                Some(b'\\') if quoting == Quoting::Escapes => {
                    self.pos = (self.pos + 2).min(self.src.len());
                }
                Some(b'\'') => {
                    if quoting != Quoting::Bits && self.at(self.pos + 1) == Some(b'\'') {
                        self.pos += 2;
                        continue;
                    }
                    self.pos += 1;
                    match self.continuation(self.pos) {
                        Some(quote) => self.pos = quote + 1,
                        None => return Ok(()),
                    }
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Where a string that closed just before `at` goes on, if it does.
    ///
    /// The server continues a string across whitespace holding a line break
    /// (`'a'` newline `'b'` is `'ab'`). psql hands its lexer one line at a
    /// time without the `\n` (and without trailing `\r`s), so for psql the
    /// break can only be a `\r` inside a line; a quote that ends its line
    /// leaves the lexer waiting, and the next line may go on with `\r'`.
    fn continuation(&self, mut at: usize) -> Option<usize> {
        let bytes = self.bytes();
        loop {
            let line_end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| at + n);
            let mut visible = line_end;
            while visible > at && bytes[visible - 1] == b'\r' {
                visible -= 1;
            }
            if at >= visible {
                if line_end >= bytes.len() {
                    return None;
                }
                at = line_end + 1;
                continue;
            }
            let mut broke = false;
            let mut i = at;
            while i < visible {
                match bytes[i] {
                    b' ' | b'\t' | 0x0c => i += 1,
                    b'\r' => {
                        broke = true;
                        i += 1;
                    }
                    b'-' if bytes.get(i + 1) == Some(&b'-') => {
                        i += bytes[i..visible].iter().position(|&b| b == b'\r')?;
                    }
                    b'\'' if broke => return Some(i),
                    _ => return None,
                }
            }
            return None;
        }
    }

    /// Scans a quoted identifier whose opening `"` is just before `pos`.
    fn quoted_identifier(&mut self, start: usize) -> Result<(), ScriptError> {
        loop {
            match self.at(self.pos) {
                None => return Err(self.error(start, Problem::UnterminatedIdentifier)),
                Some(b'"') if self.at(self.pos + 1) == Some(b'"') => self.pos += 2,
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// `$1`, a `$tag$…$tag$` string, or a lone `$`.
    fn dollar(&mut self, start: usize) -> Result<TokenKind, ScriptError> {
        let after = start + 1;
        if self.at(after).is_some_and(|b| b.is_ascii_digit()) {
            self.pos = self.digits(after);
            self.junk();
            return Ok(TokenKind::Parameter);
        }
        let mut tag_end = after;
        if self.at(after).is_some_and(is_ident_start) {
            tag_end += 1;
            while self.at(tag_end).is_some_and(is_tag_cont) {
                tag_end += 1;
            }
        }
        if self.at(tag_end) != Some(b'$') {
            // psql keeps only the `$`; what follows is lexed afresh.
            self.pos = after;
            return Ok(TokenKind::Punctuation);
        }
        let delimiter = &self.src[start..=tag_end];
        let body = tag_end + 1;
        match self.src[body..].find(delimiter) {
            Some(n) => {
                self.pos = body + n + delimiter.len();
                Ok(TokenKind::DollarString)
            }
            None => Err(self.error(
                start,
                Problem::UnterminatedDollarQuote(delimiter.to_owned()),
            )),
        }
    }

    fn digits(&self, from: usize) -> usize {
        from + self.bytes()[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    }

    /// Identifier characters glued to a number or parameter, which the
    /// server refuses as trailing junk but which are part of its token.
    fn junk(&mut self) {
        if self.at(self.pos).is_some_and(is_ident_start) {
            self.pos = self.ident_end(self.pos);
        }
    }

    fn ident_end(&self, from: usize) -> usize {
        from + self.bytes()[from..]
            .iter()
            .take_while(|&&b| is_ident_cont(b))
            .count()
    }

    /// A number: the longest of psql's integer, decimal, real and
    /// trailing-junk rules (`1e$$` is one token, `1e+$$` is not).
    fn number(&mut self, start: usize) {
        let integer = self.digits(start);
        if integer > start && self.bytes()[integer..].starts_with(b"..") {
            // `1..10`: the integer, then `..`.
            self.pos = integer;
            return;
        }
        let mut ends = Vec::new();
        if integer > start {
            ends.push(integer);
        }
        let mut base = integer;
        if self.at(integer) == Some(b'.') {
            base = self.digits(integer + 1);
            ends.push(base);
        }
        if matches!(self.at(base), Some(b'e' | b'E')) {
            let mut j = base + 1;
            let signed = matches!(self.at(j), Some(b'+' | b'-'));
            if signed {
                j += 1;
            }
            let exponent = self.digits(j);
            if exponent > j {
                ends.push(exponent);
            } else if signed {
                ends.push(j);
            }
        }
        let junk: Vec<usize> = ends
            .iter()
            .filter(|&&end| self.at(end).is_some_and(is_ident_start))
            .map(|&end| self.ident_end(end))
            .collect();
        self.pos = ends.into_iter().chain(junk).max().unwrap_or(start + 1);
    }

    /// A word, or a string or identifier with a letter prefix (`E'…'`,
    /// `B'…'`, `X'…'`, `N'…'`, `U&'…'`, `U&"…"`).
    fn word(&mut self, start: usize) -> Result<TokenKind, ScriptError> {
        let next = self.at(start + 1);
        match (self.bytes()[start].to_ascii_lowercase(), next) {
            (b'e', Some(b'\'')) => {
                self.pos = start + 2;
                self.quoted(start, Quoting::Escapes)?;
                Ok(TokenKind::String)
            }
            (b'b' | b'x', Some(b'\'')) => {
                self.pos = start + 2;
                self.quoted(start, Quoting::Bits)?;
                Ok(TokenKind::String)
            }
            (b'n', Some(b'\'')) => {
                self.pos = start + 2;
                self.quoted(start, self.plain())?;
                Ok(TokenKind::String)
            }
            (b'u', Some(b'&')) => match self.at(start + 2) {
                Some(b'\'') => {
                    self.pos = start + 3;
                    self.quoted(start, Quoting::Standard)?;
                    Ok(TokenKind::String)
                }
                Some(b'"') => {
                    self.pos = start + 3;
                    self.quoted_identifier(start)?;
                    Ok(TokenKind::QuotedIdentifier)
                }
                _ => {
                    // psql's {xufailed}: the `u` alone, not an identifier.
                    self.pos = start + 1;
                    Ok(TokenKind::Punctuation)
                }
            },
            _ => {
                self.pos = self.ident_end(start + 1);
                Ok(TokenKind::Word)
            }
        }
    }

    /// A run of operator characters, stopping where a comment starts.
    fn operator(&mut self, start: usize) {
        let mut i = start;
        while let Some(b) = self.at(i) {
            let next = self.at(i + 1);
            let comment = (b == b'-' && next == Some(b'-')) || (b == b'/' && next == Some(b'*'));
            if !is_op_char(b) || (comment && i > start) {
                break;
            }
            i += 1;
        }
        self.pos = i.max(start + 1);
    }

    fn meta_command(&self, start: usize) -> ScriptError {
        let name_end = start
            + 1
            + self.bytes()[start + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
        let end = if name_end > start + 1 {
            name_end
        } else {
            // `\;`, `\\`, `\!`: the one character after the backslash.
            self.src[start + 1..]
                .chars()
                .next()
                .map_or(start + 1, |c| start + 1 + c.len_utf8())
        };
        self.error(start, Problem::MetaCommand(self.src[start..end].to_owned()))
    }
}

#[cfg(test)]
mod tests;
