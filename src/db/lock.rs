//! The advisory lock that keeps `plinth apply` and `plinth migrate` runs on
//! one schema apart: one key per schema, held for a whole run by the
//! session that makes the changes.

use std::time::Duration;

use tokio_postgres::Client;

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
/// holds it and calling `waiting` once if it has to.
///
/// It polls with `pg_try_advisory_lock` rather than blocking in
/// `pg_advisory_lock`, and is taken outside any transaction: a session
/// blocked in a statement holds a snapshot, which `CREATE INDEX
/// CONCURRENTLY` in the lock holder waits for, a deadlock.
pub async fn lock(
    client: &Client,
    schema: &str,
    waiting: impl FnOnce(),
) -> Result<(), tokio_postgres::Error> {
    let mut waiting = Some(waiting);
    loop {
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&lock_key(schema)])
            .await?
            .get(0);
        if got {
            return Ok(());
        }
        if let Some(say) = waiting.take() {
            say();
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// Releases [`lock`]; closing the session releases it too.
pub async fn unlock(client: &Client, schema: &str) -> Result<(), tokio_postgres::Error> {
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&lock_key(schema)])
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
