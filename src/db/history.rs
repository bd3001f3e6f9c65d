//! Running SQL migration files on a server and keeping their history in
//! the `plinth_migrations` table: version, name, checksum (SHA-256 of the
//! `.up.sql` bytes), the down file's checksum as it was when the up file
//! ran, when and how long.
//!
//! A file runs statement by statement on one session, split where `psql`
//! splits it ([`crate::core::sql::script`]), so its own `BEGIN`/`COMMIT`,
//! enum values committed before it and `CREATE INDEX CONCURRENTLY` all
//! behave as written. The history row is written inside the file's
//! transaction (just before its last `COMMIT`), so a migration and its
//! record commit together; a file without a transaction is wrapped in
//! one, unless a statement cannot run inside one: then the row follows
//! the file.

use std::time::Instant;

use sha2::{Digest, Sha256};
use tokio_postgres::{Client, SimpleQueryMessage};

use super::apply::StepFailure;
use super::error::DbError;
use crate::core::sql::Qualified;
use crate::core::sql::script::{self, Position, ScriptError, StandardStrings, Statement};

/// The history table, created when missing.
pub const TABLE: &str = "plinth_migrations";

/// The history table of `schema` as SQL names it, qualified.
fn table(schema: &str) -> String {
    Qualified(schema, TABLE).to_string()
}

/// What `down_checksum` holds when the migration had no down file.
const NO_DOWN_FILE: &str = "none";

/// The down file of a migration as it was when its up file ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DownFile {
    /// Not recorded: the row comes from a plinth that did not record down
    /// files (`down_checksum` is NULL).
    Unrecorded,
    /// There was no down file.
    Missing,
    /// The SHA-256 of its bytes.
    Checksum(String),
}

impl DownFile {
    fn from_column(value: Option<String>) -> DownFile {
        match value {
            None => DownFile::Unrecorded,
            Some(v) if v == NO_DOWN_FILE => DownFile::Missing,
            Some(v) => DownFile::Checksum(v),
        }
    }

    fn to_column(&self) -> Option<&str> {
        match self {
            DownFile::Unrecorded => None,
            DownFile::Missing => Some(NO_DOWN_FILE),
            DownFile::Checksum(sum) => Some(sum),
        }
    }
}

/// One row of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub version: String,
    pub name: String,
    pub checksum: String,
    pub down: DownFile,
    /// `YYYY-MM-DD HH:MM:SS UTC`.
    pub applied_at: String,
    pub execution_ms: i64,
}

/// The SHA-256 of a file's bytes, in lowercase hex.
pub fn checksum(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates the history table if it is missing, and adds the columns a
/// table made by an older plinth lacks (their rows get NULL).
pub async fn ensure_table(client: &Client, schema: &str) -> Result<(), tokio_postgres::Error> {
    let table = table(schema);
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {table} (
                version text PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                down_checksum text,
                applied_at timestamptz NOT NULL DEFAULT now(),
                execution_ms bigint NOT NULL
            );
            ALTER TABLE {table} ADD COLUMN IF NOT EXISTS down_checksum text"
        ))
        .await
}

/// The history in version order; empty when the table does not exist.
/// Reads a table of an older plinth without changing it.
pub async fn applied(client: &Client, schema: &str) -> Result<Vec<Applied>, tokio_postgres::Error> {
    let table = table(schema);
    let row = client
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT FROM pg_attribute \
             WHERE attrelid = to_regclass($1) AND attname = 'down_checksum' \
             AND NOT attisdropped)",
            &[&table],
        )
        .await?;
    let (exists, has_down): (bool, bool) = (row.get(0), row.get(1));
    if !exists {
        return Ok(Vec::new());
    }
    let down = if has_down {
        "down_checksum"
    } else {
        "NULL::text"
    };
    let rows = client
        .query(
            &format!(
                "SELECT version, name, checksum, {down}, \
                 to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', \
                 execution_ms FROM {table} ORDER BY version"
            ),
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Applied {
            version: r.get(0),
            name: r.get(1),
            checksum: r.get(2),
            down: DownFile::from_column(r.get(3)),
            applied_at: r.get(4),
            execution_ms: r.get(5),
        })
        .collect())
}

/// What the session's `standard_conforming_strings` is now, which decides
/// how psql (and so plinth) reads the backslashes of a plain string.
pub async fn standard_strings(client: &Client) -> Result<StandardStrings, tokio_postgres::Error> {
    let messages = client
        .simple_query("SHOW standard_conforming_strings")
        .await?;
    let on = messages.iter().any(|m| match m {
        SimpleQueryMessage::Row(row) => row.get(0) == Some("on"),
        _ => false,
    });
    Ok(if on {
        StandardStrings::On
    } else {
        StandardStrings::Off
    })
}

/// What to record when a file has run.
pub enum Record<'a> {
    /// Insert the history row of an applied `.up.sql`.
    Insert {
        version: &'a str,
        name: &'a str,
        checksum: &'a str,
        down: &'a DownFile,
    },
    /// Delete the row of a reverted migration.
    Delete { version: &'a str },
}

/// Why a file did not run to the end; whatever it did was rolled back
/// (except what a file without a transaction had committed).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The file cannot be split into statements.
    #[error("{0}")]
    Script(#[from] ScriptError),
    /// The session's `standard_conforming_strings` could not be read.
    #[error("cannot read standard_conforming_strings: {0}")]
    Setting(String),
    /// A statement failed; `at` is where in the file: where the server
    /// points, else where the statement starts (none for the
    /// `BEGIN`/`COMMIT` plinth adds and the history statement).
    #[error("{failure}")]
    Statement {
        failure: StepFailure,
        at: Option<Position>,
    },
}

/// One thing to run: a statement of the file, the `BEGIN`/`COMMIT` plinth
/// wraps around a file without its own, or the history statement.
enum Step<'a> {
    Sql(Statement<'a>),
    Wrap(&'static str),
    Record,
}

fn starts_transaction(s: &Statement<'_>) -> bool {
    s.starts_with(&["BEGIN"]) || s.starts_with(&["START"])
}

fn ends_transaction(s: &Statement<'_>) -> bool {
    s.starts_with(&["COMMIT"]) || s.starts_with(&["END"])
}

/// Whether PostgreSQL refuses the statement inside a transaction block
/// (`CREATE INDEX CONCURRENTLY`, `VACUUM`, `CREATE DATABASE`, ...). Read
/// from its tokens, so a comment before it or the word in a string does
/// not change the answer.
fn refuses_transaction(s: &Statement<'_>) -> bool {
    const HEADS: [&[&str]; 11] = [
        &["VACUUM"],
        &["CREATE", "DATABASE"],
        &["DROP", "DATABASE"],
        &["CREATE", "TABLESPACE"],
        &["DROP", "TABLESPACE"],
        &["ALTER", "SYSTEM"],
        &["REINDEX", "DATABASE"],
        &["REINDEX", "SYSTEM"],
        &["CREATE", "SUBSCRIPTION"],
        &["DROP", "SUBSCRIPTION"],
        &["DISCARD", "ALL"],
    ];
    s.has_word("CONCURRENTLY") || HEADS.iter().any(|head| s.starts_with(head))
}

/// The steps of a file: wrapped in a transaction unless it has its own or
/// a statement refuses one, with the history statement inside the file's
/// transaction when there is one.
fn plan(statements: Vec<Statement<'_>>) -> Vec<Step<'_>> {
    let own = statements
        .iter()
        .any(|s| starts_transaction(s) || ends_transaction(s));
    let wrapped = !own && !statements.iter().any(refuses_transaction);
    let mut steps = Vec::new();
    if wrapped {
        steps.push(Step::Wrap("BEGIN"));
    }
    steps.extend(rest(statements, true, wrapped));
    steps
}

/// The steps for the file's statements from some point on: the history
/// statement (if still to run) before the last `COMMIT`, or else last;
/// then plinth's own `COMMIT` if it wrapped the file.
fn rest(statements: Vec<Statement<'_>>, record: bool, wrapped: bool) -> Vec<Step<'_>> {
    let at = statements
        .iter()
        .rposition(ends_transaction)
        .unwrap_or(statements.len());
    let mut steps: Vec<Step<'_>> = statements.into_iter().map(Step::Sql).collect();
    if record {
        steps.insert(at, Step::Record);
    }
    if wrapped {
        steps.push(Step::Wrap("COMMIT"));
    }
    steps
}

/// Runs the script `sql` and records it; returns the milliseconds it took.
/// On failure, a transaction left open is rolled back.
///
/// The script is split as psql splits it under the session's
/// `standard_conforming_strings`, and split again from where a statement
/// changed that setting, as psql does; a part that cannot be split is an
/// error once the statements before it have run without changing it.
pub async fn run_file(
    client: &Client,
    schema: &str,
    sql: &str,
    record: Record<'_>,
) -> Result<i64, RunError> {
    let mut strings = standard_strings(client)
        .await
        .map_err(|e| RunError::Setting(message(&e)))?;
    let (statements, mut unsplit) = script::split_prefix(sql, 0, strings);
    let mut steps = plan(statements);
    // Statements are numbered 1..=total in messages; the history
    // statement is not one of them.
    let counted = |steps: &[Step<'_>]| steps.iter().filter(|s| !matches!(s, Step::Record)).count();
    let mut total = counted(&steps);
    let mut number = 0;
    let started = Instant::now();
    let mut i = 0;
    while i < steps.len() {
        // The file goes on past its last statement only if a statement
        // changes how the rest reads; else the error stands here.
        if unsplit.is_some()
            && !steps[i..].iter().any(|s| matches!(s, Step::Sql(_)))
            && let Some(error) = unsplit.take()
        {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(error.into());
        }
        if !matches!(steps[i], Step::Record) {
            number += 1;
        }
        let failed = |failure| RunError::Statement { failure, at: None };
        match &steps[i] {
            Step::Record => record_it(client, schema, &record, started, number, total)
                .await
                .map_err(failed)?,
            Step::Wrap(statement) => execute(client, statement, number, total)
                .await
                .map_err(failed)?,
            Step::Sql(statement) => {
                let (text, offset, end) = (statement.text, statement.offset, statement.end());
                // The setting is read in the statement's round trip:
                // tokio-postgres sends both queries before either answer.
                let (ran, now) = tokio::join!(
                    execute(client, text, number, total),
                    standard_strings(client)
                );
                // Where the server points, else where the statement starts.
                ran.map_err(|failure| RunError::Statement {
                    at: Some(Position::of(
                        sql,
                        offset + failure.error.offset.unwrap_or(0),
                    )),
                    failure,
                })?;
                let now = match now {
                    Ok(now) => now,
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK").await;
                        return Err(RunError::Setting(message(&e)));
                    }
                };
                if now != strings {
                    strings = now;
                    let (statements, error) = script::split_prefix(sql, end, strings);
                    unsplit = error;
                    let record_pending = steps[i + 1..].iter().any(|s| matches!(s, Step::Record));
                    let wrapped = matches!(steps.last(), Some(Step::Wrap("COMMIT")));
                    steps.truncate(i + 1);
                    steps.extend(rest(statements, record_pending, wrapped));
                    total = counted(&steps);
                }
            }
        }
        i += 1;
    }
    Ok(elapsed_ms(started))
}

/// Runs one statement; on failure rolls back whatever transaction is open.
async fn execute(
    client: &Client,
    statement: &str,
    number: usize,
    total: usize,
) -> Result<(), StepFailure> {
    match client.batch_execute(statement).await {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(StepFailure::new(number, total, statement, &e))
        }
    }
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

async fn record_it(
    client: &Client,
    schema: &str,
    record: &Record<'_>,
    started: Instant,
    number: usize,
    total: usize,
) -> Result<(), StepFailure> {
    let table = table(schema);
    let (sql, result) = match record {
        Record::Insert {
            version,
            name,
            checksum,
            down,
        } => {
            let sql = format!(
                "INSERT INTO {table} (version, name, checksum, down_checksum, execution_ms) \
                 VALUES ($1, $2, $3, $4, $5)"
            );
            let ms = elapsed_ms(started);
            let down = down.to_column();
            let result = client
                .execute(&sql, &[version, name, checksum, &down, &ms])
                .await;
            (sql, result)
        }
        Record::Delete { version } => {
            let sql = format!("DELETE FROM {table} WHERE version = $1");
            let result = client.execute(&sql, &[version]).await;
            (sql, result)
        }
    };
    if let Err(e) = result {
        let _ = client.batch_execute("ROLLBACK").await;
        let mut failure = StepFailure::new(number, total, &sql, &e);
        failure.error.message += " (recording the migration)";
        return Err(failure);
    }
    Ok(())
}

/// What PostgreSQL said, in full.
fn message(e: &tokio_postgres::Error) -> String {
    DbError::of(e).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps of a script as text: `[BEGIN]`/`[COMMIT]` for plinth's
    /// wrapping, `[record]` for the history statement.
    fn steps(sql: &str) -> Vec<String> {
        plan(script::split(sql, StandardStrings::On).unwrap())
            .iter()
            .map(|s| match s {
                Step::Sql(s) => s.text.to_owned(),
                Step::Wrap(w) => format!("[{w}]"),
                Step::Record => "[record]".to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_file_without_a_transaction_is_wrapped_with_its_record_inside() {
        assert_eq!(
            steps("CREATE TABLE t (a text);\nINSERT INTO t VALUES ('CONCURRENTLY; COMMIT');"),
            [
                "[BEGIN]",
                "CREATE TABLE t (a text);",
                "INSERT INTO t VALUES ('CONCURRENTLY; COMMIT');",
                "[record]",
                "[COMMIT]"
            ]
        );
    }

    #[test]
    fn a_file_with_its_own_transaction_records_before_its_last_commit() {
        assert_eq!(
            steps(
                "ALTER TYPE s ADD VALUE 'x';\n/* then */ BEGIN;\nSELECT 1;\n-- done\ncommit;\n\
                 BEGIN; SELECT 2; END;\nSELECT 3;"
            ),
            [
                "ALTER TYPE s ADD VALUE 'x';",
                "BEGIN;",
                "SELECT 1;",
                "commit;",
                "BEGIN;",
                "SELECT 2;",
                "[record]",
                "END;",
                "SELECT 3;"
            ]
        );
    }

    #[test]
    fn statements_that_refuse_a_transaction_run_unwrapped_with_the_record_last() {
        for sql in [
            "/* fast */ CREATE INDEX CONCURRENTLY i ON t (a);",
            "-- tidy\nVACUUM t;",
            "DROP INDEX concurrently i;",
            "CREATE DATABASE other;",
        ] {
            let got = steps(&format!("SELECT 1;\n{sql}"));
            assert_eq!(got.len(), 3, "{got:?}");
            assert_eq!(got[2], "[record]", "{sql}");
            assert!(!got.iter().any(|s| s == "[BEGIN]"), "{sql}: {got:?}");
        }
        // The word in a string, a quoted name or a comment is not the
        // statement.
        let got = steps(
            "SELECT 'CONCURRENTLY', \"vacuum\" /* CONCURRENTLY */;\nCOMMENT ON TABLE t IS 'VACUUM';",
        );
        assert_eq!(got.first().map(String::as_str), Some("[BEGIN]"), "{got:?}");
    }

    #[test]
    fn an_empty_file_still_records_itself() {
        assert_eq!(
            steps("-- nothing yet\n"),
            ["[BEGIN]", "[record]", "[COMMIT]"]
        );
    }

    #[test]
    fn down_file_records_read_back_as_written() {
        for down in [
            DownFile::Unrecorded,
            DownFile::Missing,
            DownFile::Checksum(checksum(b"DROP TABLE t;")),
        ] {
            let column = down.to_column().map(str::to_owned);
            assert_eq!(DownFile::from_column(column), down);
        }
    }

    #[test]
    fn checksums_are_sha256_hex() {
        assert_eq!(
            checksum(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
