//! Running SQL migration files on a server and keeping their history in
//! the `plinth_migrations` table: version, name, checksum (SHA-256 of the
//! `.up.sql` bytes), when and how long.
//!
//! A file runs statement by statement on one session, as `psql -f` runs
//! it, so its own `BEGIN`/`COMMIT`, enum values committed before it and
//! `CREATE INDEX CONCURRENTLY` all behave as written. The history row is
//! written inside the file's transaction (just before its last `COMMIT`),
//! so a migration and its record commit together; a file without a
//! transaction is wrapped in one, unless it runs `CONCURRENTLY`, which no
//! transaction may hold: then the row follows the file.

use std::time::Instant;

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use super::apply::StepFailure;

/// The history table, created when missing.
pub const TABLE: &str = "plinth_migrations";

const CREATE: &str = "CREATE TABLE IF NOT EXISTS plinth_migrations (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    execution_ms bigint NOT NULL
)";

/// One row of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub version: String,
    pub name: String,
    pub checksum: String,
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

/// Creates the history table if it is missing.
pub async fn ensure_table(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute(CREATE).await
}

/// The history in version order; empty when the table does not exist.
pub async fn applied(client: &Client) -> Result<Vec<Applied>, tokio_postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&TABLE])
        .await?
        .get(0);
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT version, name, checksum, \
             to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', \
             execution_ms FROM plinth_migrations ORDER BY version",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Applied {
            version: r.get(0),
            name: r.get(1),
            checksum: r.get(2),
            applied_at: r.get(3),
            execution_ms: r.get(4),
        })
        .collect())
}

/// What to record when a file has run.
pub enum Record<'a> {
    /// Insert the history row of an applied `.up.sql`.
    Insert {
        version: &'a str,
        name: &'a str,
        checksum: &'a str,
    },
    /// Delete the row of a reverted migration.
    Delete { version: &'a str },
}

/// Runs the script `sql` and records it; returns the milliseconds it took.
/// On failure, a transaction left open is rolled back.
pub async fn run_file(client: &Client, sql: &str, record: Record<'_>) -> Result<i64, StepFailure> {
    let mut statements = split(sql);
    let is = |s: &str, words: &[&str]| {
        let first = s.split_whitespace().next().unwrap_or("");
        let first = first.trim_end_matches(';');
        words.iter().any(|w| first.eq_ignore_ascii_case(w))
    };
    let begins = statements
        .iter()
        .any(|s| is(s, &["BEGIN", "START"]) || is(s, &["COMMIT", "END"]));
    let concurrent = statements.iter().any(|s| {
        s.split_whitespace()
            .any(|w| w.eq_ignore_ascii_case("CONCURRENTLY"))
    });
    // The index before which the history statement runs.
    let at = if let Some(last_commit) = statements.iter().rposition(|s| is(s, &["COMMIT", "END"])) {
        last_commit
    } else if concurrent || begins {
        statements.len()
    } else {
        statements.insert(0, "BEGIN".to_owned());
        statements.push("COMMIT".to_owned());
        statements.len() - 1
    };
    let total = statements.len();
    let started = Instant::now();
    for (i, statement) in statements.iter().enumerate() {
        if i == at {
            record_it(client, &record, started, i, total).await?;
        }
        if let Err(e) = client.batch_execute(statement).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(failure(i + 1, total, statement, &e));
        }
    }
    if at == total {
        record_it(client, &record, started, total, total).await?;
    }
    Ok(elapsed_ms(started))
}

fn elapsed_ms(started: Instant) -> i64 {
    i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)
}

async fn record_it(
    client: &Client,
    record: &Record<'_>,
    started: Instant,
    number: usize,
    total: usize,
) -> Result<(), StepFailure> {
    let (sql, result) = match record {
        Record::Insert {
            version,
            name,
            checksum,
        } => {
            let sql = "INSERT INTO plinth_migrations (version, name, checksum, execution_ms) \
                       VALUES ($1, $2, $3, $4)";
            let ms = elapsed_ms(started);
            let result = client.execute(sql, &[version, name, checksum, &ms]).await;
            (sql, result)
        }
        Record::Delete { version } => {
            let sql = "DELETE FROM plinth_migrations WHERE version = $1";
            (sql, client.execute(sql, &[version]).await)
        }
    };
    result.map(|_| ()).map_err(|e| {
        let failure = failure(number, total, sql, &e);
        StepFailure {
            message: format!("{} (recording the migration)", failure.message),
            ..failure
        }
    })
}

fn failure(number: usize, total: usize, statement: &str, e: &tokio_postgres::Error) -> StepFailure {
    let message = match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        None => e.to_string(),
    };
    StepFailure {
        number,
        total,
        statement: statement.split_whitespace().collect::<Vec<_>>().join(" "),
        message,
    }
}

/// The statements of a script, without comments-only pieces: split at
/// semicolons outside quotes, identifiers, comments and dollar quotes.
pub fn split(sql: &str) -> Vec<String> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut code = false;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &sql[i..];
        if rest.starts_with("--") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if let Some(body) = rest.strip_prefix("/*") {
            i += body.find("*/").map_or(rest.len(), |n| n + 4);
            continue;
        }
        match bytes[i] {
            q @ (b'\'' | b'"') => {
                if !code {
                    start = i;
                    code = true;
                }
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == q {
                        if bytes.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                if !code {
                    start = i;
                    code = true;
                }
                let tag_len = rest[1..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|&n| rest[1 + n..].starts_with('$'));
                match tag_len {
                    Some(n) => {
                        let tag = &rest[..n + 2];
                        i += tag.len();
                        i += sql[i..].find(tag).map_or(sql.len() - i, |m| m + tag.len());
                    }
                    None => i += 1,
                }
            }
            b';' => {
                if code {
                    out.push(sql[start..=i].trim().to_owned());
                }
                code = false;
                i += 1;
            }
            c => {
                if !code && !c.is_ascii_whitespace() {
                    start = i;
                    code = true;
                }
                i += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    if code {
        out.push(sql[start..].trim().to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_split_at_semicolons_outside_quotes_and_comments() {
        let sql = "-- title; with a semicolon\n\nALTER TYPE s ADD VALUE 'a;b';\n\nBEGIN;\n\
                   /* c; */ CREATE TABLE \"x;y\" (é text DEFAULT 'it''s;');\n\
                   CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql;\n\
                   COMMIT;\n-- trailing comment, café\n";
        let parts = split(sql);
        assert_eq!(parts.len(), 5, "{parts:#?}");
        assert_eq!(parts[0], "ALTER TYPE s ADD VALUE 'a;b';");
        assert_eq!(parts[1], "BEGIN;");
        assert_eq!(parts[2], "CREATE TABLE \"x;y\" (é text DEFAULT 'it''s;');");
        assert!(parts[3].ends_with("$fn$ LANGUAGE sql;"), "{parts:#?}");
        assert_eq!(parts[4], "COMMIT;");
    }

    #[test]
    fn checksums_are_sha256_hex() {
        assert_eq!(
            checksum(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
