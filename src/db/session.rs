//! The settings of plinth's sessions, set in one place as each session
//! starts, so that nothing plinth runs can wait forever or be read
//! differently because of a server setting.
//!
//! - `lock_timeout`: `--lock-timeout` when given; else what the
//!   connection's own options set (`options=-c lock_timeout=2s` in the
//!   URL, or `PGOPTIONS`); else [`DEFAULT_LOCK_TIMEOUT`]. A setting made
//!   on the server (`ALTER ROLE ... SET`, `postgresql.conf`) gives way to
//!   plinth's default: waits stay bounded unless the user asks otherwise.
//! - `statement_timeout`, for catalog reads only (inspect, the drift
//!   check): the lock timeout plus [`CATALOG_READ_SLACK`], or the
//!   session's own when that is shorter ([`bound_catalog_read`]).
//! - plinth's own sessions also set `standard_conforming_strings = on`
//!   and `search_path = pg_catalog` after whatever the options said, so
//!   no option or server default changes how its SQL reads; each
//!   transaction then puts the schema it works on after `pg_catalog`.
//!   Migration files keep the server's settings: they run as `psql` runs
//!   them, and psql honours `PGOPTIONS` too.

use std::time::Duration;

use tokio_postgres::{CancelToken, Client, Transaction};

/// How long a statement waits for a lock unless told otherwise.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How much longer than the lock timeout a catalog read may run.
pub const CATALOG_READ_SLACK: Duration = Duration::from_secs(60);

/// The longest timeout PostgreSQL takes (`INT_MAX` milliseconds).
const MAX_TIMEOUT_MS: u128 = i32::MAX as u128;

/// What a session is for, which decides what plinth sets on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// plinth's own statements: standard strings, `pg_catalog` first.
    Own,
    /// Migration files, run as psql runs them: the lock timeout only.
    Scripts,
}

/// A connected session and what plinth needs to watch and cancel it.
pub struct Session {
    pub client: Client,
    /// The session's server process, as `pg_locks` names it.
    pub pid: i32,
    /// The lock timeout in effect; `None` for none.
    pub lock_timeout: Option<Duration>,
}

impl Session {
    /// What cancels the statement running on this session (a cancel
    /// request, as `pg_cancel_backend` sends).
    pub fn cancel_token(&self) -> CancelToken {
        self.client.cancel_token()
    }
}

/// Sets the session's settings after the options of the connection have
/// been applied; `lock_timeout` is `--lock-timeout` when given. Returns
/// the session's process id and the lock timeout in effect.
pub(crate) async fn prepare(
    client: &Client,
    kind: Kind,
    lock_timeout: Option<Duration>,
) -> Result<(i32, Option<Duration>), tokio_postgres::Error> {
    let given = lock_timeout.map(setting);
    let default = setting(DEFAULT_LOCK_TIMEOUT);
    let own = kind == Kind::Own;
    let row = client
        .query_one(
            "SELECT pg_catalog.pg_backend_pid(), pg_catalog.set_config('lock_timeout', \
                 CASE WHEN $1::text IS NOT NULL THEN $1::text \
                      WHEN s.source = 'client' THEN pg_catalog.current_setting('lock_timeout') \
                      ELSE $2::text END, false), \
             CASE WHEN $3::boolean THEN pg_catalog.set_config('standard_conforming_strings', 'on', false) END, \
             CASE WHEN $3::boolean THEN pg_catalog.set_config('search_path', 'pg_catalog', false) END \
             FROM pg_catalog.pg_settings s WHERE s.name = 'lock_timeout'",
            &[&given, &default, &own],
        )
        .await?;
    let pid: i32 = row.get(0);
    let now: String = row.get(1);
    let timeout = parse_duration(&now).unwrap_or(DEFAULT_LOCK_TIMEOUT);
    Ok((pid, Some(timeout).filter(|t| !t.is_zero())))
}

/// Bounds the catalog reads of transaction `tx` (inspect, the drift
/// check): `statement_timeout` becomes the lock timeout plus
/// [`CATALOG_READ_SLACK`], unless the session's own is shorter. A
/// session without a lock timeout is left as it is: the user asked to
/// wait as long as it takes.
pub async fn bound_catalog_read(tx: &Transaction<'_>) -> Result<(), tokio_postgres::Error> {
    let slack = i64::try_from(CATALOG_READ_SLACK.as_millis()).unwrap_or(i64::MAX);
    tx.execute(
        "SELECT pg_catalog.set_config('statement_timeout', (l.ms + $1)::text || 'ms', true) \
         FROM (SELECT setting::bigint AS ms FROM pg_catalog.pg_settings \
               WHERE name = 'lock_timeout') l, \
              (SELECT setting::bigint AS ms FROM pg_catalog.pg_settings \
               WHERE name = 'statement_timeout') s \
         WHERE l.ms > 0 AND (s.ms = 0 OR s.ms > l.ms + $1) AND l.ms + $1 <= $2",
        &[&slack, &(MAX_TIMEOUT_MS as i64)],
    )
    .await
    .map(|_| ())
}

/// A duration as PostgreSQL's timeout settings take it: whole
/// milliseconds, none rounded down to zero (zero means no timeout).
fn setting(duration: Duration) -> String {
    if duration.is_zero() {
        return "0".into();
    }
    let ms = duration.as_nanos().div_ceil(1_000_000).min(MAX_TIMEOUT_MS);
    format!("{ms}ms")
}

/// Reads a timeout as `--lock-timeout` takes it and PostgreSQL shows it:
/// a number and a unit (`500ms`, `10s`, `1.5s`, `2min`, `1h`, `1d`), or
/// `0` for none (`Duration::ZERO`). A bare number other than zero is
/// refused: PostgreSQL would read it as milliseconds, a person as seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = (&text[..split], text[split..].trim());
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: write it as 10s, 500ms or 2min"))?;
    let seconds = match unit {
        "" if value == 0.0 => return Ok(Duration::ZERO),
        "" => {
            return Err(format!(
                "`{text}` needs a unit: {number}s for seconds, {number}ms for milliseconds"
            ));
        }
        "us" => value / 1_000_000.0,
        "ms" => value / 1000.0,
        "s" => value,
        "min" | "m" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86_400.0,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}` (use ms, s, min, h or d)"
            ));
        }
    };
    if seconds * 1000.0 > MAX_TIMEOUT_MS as f64 {
        return Err(format!(
            "`{text}` is longer than PostgreSQL's longest timeout (about 24 days); 0 waits as \
             long as it takes"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Duration {
        parse_duration(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn durations_read_with_their_unit() {
        assert_eq!(parsed("10s"), Duration::from_secs(10));
        assert_eq!(parsed("500ms"), Duration::from_millis(500));
        assert_eq!(parsed("1.5s"), Duration::from_millis(1500));
        assert_eq!(parsed("2min"), Duration::from_secs(120));
        assert_eq!(parsed("2m"), Duration::from_secs(120));
        assert_eq!(parsed("1h"), Duration::from_secs(3600));
        assert_eq!(parsed(" 3 s "), Duration::from_secs(3));
    }

    #[test]
    fn zero_in_any_unit_means_no_timeout() {
        for zero in ["0", "0s", "0ms", "0.0"] {
            assert_eq!(parsed(zero), Duration::ZERO, "{zero}");
        }
    }

    #[test]
    fn what_is_not_a_duration_is_refused_with_the_way_to_write_it() {
        let bare = parse_duration("10").unwrap_err();
        assert!(bare.contains("10s") && bare.contains("10ms"), "{bare}");
        let unit = parse_duration("10 fortnights").unwrap_err();
        assert!(unit.contains("unknown unit `fortnights`"), "{unit}");
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("").is_err());
        let long = parse_duration("30d").unwrap_err();
        assert!(long.contains("longest timeout"), "{long}");
    }

    #[test]
    fn settings_are_whole_milliseconds_never_rounded_to_none() {
        assert_eq!(setting(Duration::ZERO), "0");
        assert_eq!(setting(Duration::from_secs(10)), "10000ms");
        assert_eq!(setting(Duration::from_micros(100)), "1ms");
        assert_eq!(setting(Duration::from_micros(1500)), "2ms");
        // What PostgreSQL shows reads back as what was set.
        for shown in ["10s", "500ms", "1min", "2h", "1d", "0"] {
            assert_eq!(parsed(&setting(parsed(shown))), parsed(shown), "{shown}");
        }
    }
}
