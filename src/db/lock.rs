//! The advisory lock that keeps `plinth apply` and `plinth migrate` runs on
//! one schema apart: one key per schema, held for a whole run by the
//! session that makes the changes.

use std::time::{Duration, Instant};

use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use super::error::{DbError, Parts};
use super::wait::{Holder, seconds, start_of};

/// How long to wait between two tries while another run holds the lock.
const RETRY: Duration = Duration::from_millis(200);

/// The lock key of a schema: FNV-1a (64 bit) of `plinth apply:SCHEMA`, the
/// same on every machine and every run.
pub fn lock_key(schema: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in format!("plinth apply:{schema}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Takes the session-level lock of `schema`, waiting while another run
/// holds it, for as long as the session's `lock_timeout` (forever when it
/// has none). `waiting` hears once who holds it, if it has to wait; a
/// run that waits too long fails like a statement behind a lock, naming
/// the holder.
///
/// It polls with `pg_try_advisory_lock` rather than blocking in
/// `pg_advisory_lock`, and is taken outside any transaction: a session
/// blocked in a statement holds a snapshot, which `CREATE INDEX
/// CONCURRENTLY` in the lock holder waits for, a deadlock.
pub async fn lock(
    client: &Client,
    schema: &str,
    waiting: impl FnOnce(&str),
) -> Result<(), DbError> {
    let mut waiting = Some(waiting);
    let key = lock_key(schema);
    let timeout: i64 = client
        .query_one(
            "SELECT setting::bigint FROM pg_catalog.pg_settings WHERE name = 'lock_timeout'",
            &[],
        )
        .await?
        .get(0);
    let timeout = u64::try_from(timeout)
        .ok()
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis);
    let started = Instant::now();
    loop {
        let got: bool = client
            .query_one("SELECT pg_catalog.pg_try_advisory_lock($1)", &[&key])
            .await?
            .get(0);
        if got {
            return Ok(());
        }
        if let Some(say) = waiting.take() {
            say(&holder(client, key).await);
        }
        if let Some(timeout) = timeout
            && started.elapsed() >= timeout
        {
            return Err(DbError::from(Parts {
                code: Some(SqlState::LOCK_NOT_AVAILABLE.code().to_owned()),
                message: format!(
                    "another plinth run on schema `{schema}` holds the schema's lock, for longer \
                     than the lock timeout"
                ),
                waiting: Some(format!(
                    "{} for the lock of schema `{schema}`, {}",
                    seconds(started.elapsed()),
                    holder(client, key).await
                )),
                hint: Some(
                    "wait for it to finish, or pass a longer --lock-timeout (0 waits as long as \
                     it takes)"
                        .into(),
                ),
                ..Parts::default()
            }));
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// Who holds the advisory lock `key`, in words.
async fn holder(client: &Client, key: i64) -> String {
    let rows = client
        .query(
            "SELECT a.pid, a.usename::text, a.application_name, a.state, \
                    EXTRACT(epoch FROM pg_catalog.now() - a.backend_start)::float8, \
                    pg_catalog.left(a.query, 400) \
             FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
               AND l.database = (SELECT oid FROM pg_catalog.pg_database \
                                 WHERE datname = pg_catalog.current_database()) \
               AND l.classid = ((($1::bigint) >> 32) & 4294967295)::oid \
               AND l.objid = (($1::bigint) & 4294967295)::oid",
            &[&key],
        )
        .await;
    let holders: Vec<String> = match rows {
        Ok(rows) => rows
            .iter()
            .map(|r| {
                let query: Option<String> = r.get(5);
                Holder {
                    pid: r.get(0),
                    user: r.get(1),
                    application: r.get(2),
                    state: r.get(3),
                    running: r
                        .get::<_, Option<f64>>(4)
                        .and_then(|s| Duration::try_from_secs_f64(s.max(0.0)).ok()),
                    query: query.map(|q| start_of(&q)),
                    holds: Some("the lock".into()),
                }
                .to_string()
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    if holders.is_empty() {
        "held by a session this user cannot see".into()
    } else {
        format!("held by {}", holders.join(" and "))
    }
}

/// Releases [`lock`]; closing the session releases it too.
pub async fn unlock(client: &Client, schema: &str) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "SELECT pg_catalog.pg_advisory_unlock($1)",
            &[&lock_key(schema)],
        )
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_are_fixed_and_differ_by_schema() {
        assert_eq!(lock_key("public"), lock_key("public"));
        assert_ne!(lock_key("public"), lock_key("sales"));
    }
}
