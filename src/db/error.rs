//! PostgreSQL's errors as plinth shows them, in one place: the message,
//! then what else the server said (detail, hint, context), where in the
//! statement it points, the statement itself (shortened), and what the
//! statement was waiting for when it stopped.
//!
//! tokio-postgres prints a server error as "db error" and keeps the rest
//! in its source; every command and the designer go through
//! [`DbError`] instead, so nothing the server said is dropped. Text from
//! the server can hold names from the database, so control characters are
//! shown escaped, never sent raw to a terminal.

use std::fmt;

use tokio_postgres::error::{ErrorPosition, SqlState};

/// How much of a statement an error shows.
const STATEMENT_CHARS: usize = 240;
/// How much of the statement's line an error's position shows.
const NEAR_CHARS: usize = 60;

/// What PostgreSQL (or the connection to it) said when something failed.
/// Boxed, so the errors that carry one stay small; its [`Parts`] read
/// and write through it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DbError(Box<Parts>);

/// The parts of a [`DbError`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Parts {
    /// The SQLSTATE, when the server sent the error.
    pub code: Option<String>,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// Where inside a function or trigger it happened (PostgreSQL's
    /// `CONTEXT`).
    pub context: Option<String>,
    /// Where the server points: `line 1, column 17: ...`.
    pub near: Option<String>,
    /// The same place as a byte offset into the statement, so a caller
    /// that knows where the statement starts can name the place in its
    /// file.
    pub offset: Option<usize>,
    /// The statement that failed, on one line and shortened.
    pub statement: Option<String>,
    /// The lock the statement was waiting for when it stopped, and who
    /// held it (see [`crate::db::wait`]).
    pub waiting: Option<String>,
    /// The server's position (1-based, in characters), kept until the
    /// statement is known.
    pub(crate) position: Option<Position>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// In the statement sent.
    Original(usize),
    /// In a query the server made up (a function body, say).
    Internal(usize, String),
}

impl std::ops::Deref for DbError {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl std::ops::DerefMut for DbError {
    fn deref_mut(&mut self) -> &mut Parts {
        &mut self.0
    }
}

impl From<Parts> for DbError {
    fn from(parts: Parts) -> Self {
        DbError(Box::new(parts))
    }
}

impl DbError {
    /// What `e` says, without the statement.
    pub fn of(e: &tokio_postgres::Error) -> DbError {
        let Some(db) = e.as_db_error() else {
            return DbError::from(Parts {
                message: chain(e),
                ..Parts::default()
            });
        };
        let position = db.position().map(|p| match p {
            ErrorPosition::Original(at) => Position::Original(*at as usize),
            ErrorPosition::Internal { position, query } => {
                Position::Internal(*position as usize, query.clone())
            }
        });
        let mut error = DbError::from(Parts {
            code: Some(db.code().code().to_owned()),
            message: db.message().to_owned(),
            detail: db.detail().map(str::to_owned),
            hint: db.hint().map(str::to_owned),
            context: db.where_().map(str::to_owned),
            position,
            ..Parts::default()
        });
        if let Some(Position::Internal(at, query)) = &error.position {
            let shown = near(query, *at);
            error.near = Some(shown);
        }
        error
    }

    /// What `e` says about `statement`: the statement (shortened) and
    /// where in it the server points.
    pub fn in_statement(e: &tokio_postgres::Error, statement: &str) -> DbError {
        let mut error = DbError::of(e);
        if let Some(Position::Original(at)) = error.position {
            error.near = Some(near(statement, at));
            error.offset = statement
                .char_indices()
                .nth(at.saturating_sub(1))
                .map(|(i, _)| i);
        }
        error.statement = Some(shorten(statement));
        error
    }

    /// Whether the statement stopped because it waited too long or was
    /// cancelled (lock_timeout, statement_timeout, a cancel request).
    pub fn stopped_waiting(&self) -> bool {
        let stopped = [SqlState::LOCK_NOT_AVAILABLE, SqlState::QUERY_CANCELED];
        self.code
            .as_deref()
            .is_some_and(|code| stopped.iter().any(|s| s.code() == code))
    }

    /// Whether a cancel request (or statement_timeout) stopped it.
    pub fn cancelled(&self) -> bool {
        self.code.as_deref() == Some(SqlState::QUERY_CANCELED.code())
    }
}

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        DbError::of(&e)
    }
}

impl std::error::Error for DbError {}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable(&self.message))?;
        let lines = [
            ("detail", &self.detail),
            ("hint", &self.hint),
            ("at", &self.near),
            ("context", &self.context),
            ("statement", &self.statement),
            ("waiting", &self.waiting),
        ];
        for (label, value) in lines {
            if let Some(value) = value {
                let value = printable(value).replace('\n', "\n    ");
                write!(f, "\n  {label}: {value}")?;
            }
        }
        Ok(())
    }
}

/// A statement on one line (line breaks and indentation folded into
/// spaces), cut after [`STATEMENT_CHARS`] characters.
pub fn shorten(sql: &str) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    cut(&line, STATEMENT_CHARS)
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// `line L, column C: TEXT`, TEXT being the statement's line up to and
/// a little past character `at` (1-based, as PostgreSQL counts).
fn near(sql: &str, at: usize) -> String {
    let before: String = sql.chars().take(at.saturating_sub(1)).collect();
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..].chars().count() + 1;
    let text = sql[start..].lines().next().unwrap_or("").trim_end();
    // Keep the point itself in view on a long line.
    let skip = column.saturating_sub(NEAR_CHARS / 2 + 1);
    let shown: String = text.chars().skip(skip).collect();
    let (lead, shown) = if skip > 0 {
        ("…", shown.as_str())
    } else {
        ("", shown.trim_start())
    };
    format!(
        "line {line}, column {column}: {lead}{}",
        cut(shown, NEAR_CHARS)
    )
}

/// Text with control characters (other than line breaks) escaped, so no
/// message can move the cursor or recolour a terminal.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// An error and its causes, each said once: never "db error" alone.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text += &format!(": {next}");
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(message: &str) -> DbError {
        DbError::from(Parts {
            code: Some("42601".into()),
            message: message.into(),
            ..Parts::default()
        })
    }

    #[test]
    fn every_part_the_server_sent_is_shown_in_order() {
        let mut e = error("duplicate key value violates unique constraint \"users_email_key\"");
        e.detail = Some("Key (email)=(a@example.com) already exists.".into());
        e.hint = Some("Remove the duplicates first.".into());
        e.statement = Some(shorten("ALTER TABLE users\n    ADD UNIQUE (email);"));
        assert_eq!(
            e.to_string(),
            "duplicate key value violates unique constraint \"users_email_key\"\n  \
             detail: Key (email)=(a@example.com) already exists.\n  \
             hint: Remove the duplicates first.\n  \
             statement: ALTER TABLE users ADD UNIQUE (email);"
        );
    }

    #[test]
    fn the_position_names_line_and_column_of_the_statement() {
        let sql = "CREATE TABLE t (\n    a nosuchtype\n);";
        let at = sql.find("nosuchtype").unwrap() + 1;
        assert_eq!(near(sql, at), "line 2, column 7: a nosuchtype");
        // Characters, not bytes, as PostgreSQL counts.
        assert_eq!(
            near("SELECT 'é', oops", 13),
            "line 1, column 13: SELECT 'é', oops"
        );
        let long = format!("SELECT {}, oops FROM t", "x, ".repeat(100));
        let at = long.find("oops").unwrap() + 1;
        let shown = near(&long, at);
        assert!(shown.contains("oops FROM t"), "{shown}");
        assert!(
            shown.starts_with(&format!("line 1, column {at}: …")),
            "{shown}"
        );
    }

    #[test]
    fn statements_are_folded_onto_one_line_and_cut() {
        assert_eq!(
            shorten("CREATE TABLE t (\n    a int\n);"),
            "CREATE TABLE t ( a int );"
        );
        let long = format!("INSERT INTO t VALUES ({})", "1, ".repeat(200));
        let short = shorten(&long);
        assert_eq!(short.chars().count(), STATEMENT_CHARS + 1);
        assert!(short.ends_with('…'));
    }

    #[test]
    fn control_characters_from_the_server_are_escaped() {
        let e = error("relation \"x\u{1b}[2J\" does not exist");
        assert_eq!(e.to_string(), "relation \"x\\u{1b}[2J\" does not exist");
        let mut e = error("failed");
        e.detail = Some("two\nlines".into());
        assert_eq!(e.to_string(), "failed\n  detail: two\n    lines");
    }

    #[test]
    fn lock_timeouts_and_cancels_are_told_apart_from_other_errors() {
        let mut e = error("canceling statement due to lock timeout");
        e.code = Some("55P03".into());
        assert!(e.stopped_waiting() && !e.cancelled());
        e.code = Some("57014".into());
        assert!(e.stopped_waiting() && e.cancelled());
        assert!(!error("syntax error").stopped_waiting());
        assert!(!DbError::default().stopped_waiting());
    }
}
