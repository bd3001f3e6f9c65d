//! Saying what a statement waits for: while a session of plinth's waits
//! on a lock, a second session reads `pg_locks` and `pg_stat_activity` to
//! find which object it waits for and which sessions hold it (pid, user,
//! application, state, for how long, the start of their query).
//!
//! The second session opens only once a statement has run for a while
//! (about a second, sooner when the lock timeout is shorter), so quick
//! commands never open it. When the work fails while it was waiting, the
//! last wait seen is handed back for the error to name.

use std::cell::RefCell;
use std::convert::Infallible;
use std::fmt;
use std::time::{Duration, Instant};

use tokio_postgres::{Client, Row};

use super::connect::{ConnectError, Target};
use super::error::{DbError, printable};
use super::session::Session;

/// How long a statement waits before plinth says what it waits for.
pub const REPORT_AFTER: Duration = Duration::from_secs(1);

/// How often the second session looks, at most.
const EVERY: Duration = Duration::from_millis(500);

/// How long the second session may take to connect.
const CONNECT: Duration = Duration::from_secs(5);

/// How much of a holder's query is shown.
const QUERY_CHARS: usize = 80;

/// A lock a session waits for, and who holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Wait {
    /// What it waits to lock: `public.accounts`, `a row of
    /// public.accounts`, `transaction 1234`, ...
    pub object: String,
    /// The mode it asked for (`AccessExclusiveLock`).
    pub mode: String,
    /// How long it has waited.
    pub waited: Duration,
    /// The sessions it waits behind (holding the lock, or ahead of it in
    /// the queue for it).
    pub holders: Vec<Holder>,
}

/// A session holding (or queued ahead for) a lock another one waits for.
#[derive(Clone, Debug, PartialEq)]
pub struct Holder {
    pub pid: i32,
    pub user: Option<String>,
    pub application: Option<String>,
    /// `active`, `idle in transaction`, ...
    pub state: Option<String>,
    /// How long its transaction (or, outside one, its session) has run.
    pub running: Option<Duration>,
    /// The start of its current (or last) query, on one line.
    pub query: Option<String>,
    /// The modes it holds on the object; none when it only waits ahead.
    pub holds: Option<String>,
}

impl fmt::Display for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on {}", self.mode, self.object)?;
        if self.holders.is_empty() {
            return f.write_str(" (the session holding it is not visible to this user)");
        }
        f.write_str(", held by ")?;
        for (i, holder) in self.holders.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "{holder}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pid {}", self.pid)?;
        let mut parts = Vec::new();
        if let Some(user) = &self.user {
            parts.push(format!("user {user}"));
        }
        if let Some(app) = self.application.as_ref().filter(|a| !a.is_empty()) {
            parts.push(format!("application {app}"));
        }
        match (&self.state, self.running) {
            (Some(state), Some(d)) => parts.push(format!("{state} for {}", seconds(d))),
            (Some(state), None) => parts.push(state.clone()),
            (None, Some(d)) => parts.push(format!("running for {}", seconds(d))),
            (None, None) => {}
        }
        match &self.holds {
            Some(modes) => parts.push(format!("holds {modes}")),
            None => parts.push("queued ahead for it".into()),
        }
        if let Some(query) = self.query.as_ref().filter(|q| !q.is_empty()) {
            parts.push(format!("query `{query}`"));
        }
        write!(f, " ({})", printable(&parts.join(", ")))
    }
}

/// Names in `error` the wait the statement was in, when that is what
/// stopped it (the lock timeout, or a cancel).
pub fn attach(error: &mut DbError, wait: Option<&Wait>) {
    if let Some(wait) = wait
        && error.stopped_waiting()
    {
        error.waiting = Some(format!("{} for {wait}", seconds(wait.waited)));
    }
}

/// `0.4 s`, `12 s`, `3 min 5 s`.
pub(crate) fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 120.0 {
        format!("{} s", s.round())
    } else {
        let s = s.round() as u64;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// Watches one session while it works.
pub struct Watch<'a> {
    target: &'a Target,
    pid: i32,
    lock_timeout: Option<Duration>,
}

impl<'a> Watch<'a> {
    /// Watches `session`, connecting to `target` to look.
    pub fn new(target: &'a Target, session: &Session) -> Watch<'a> {
        Watch {
            target,
            pid: session.pid,
            lock_timeout: session.lock_timeout,
        }
    }

    /// When the second session first looks: early enough to see a wait
    /// before the lock timeout ends it.
    fn first_look(&self) -> Duration {
        match self.lock_timeout {
            Some(t) => REPORT_AFTER.min(t / 2),
            None => REPORT_AFTER,
        }
    }

    fn every(&self) -> Duration {
        match self.lock_timeout {
            Some(t) => EVERY.min(t / 4).max(Duration::from_millis(20)),
            None => EVERY,
        }
    }

    /// Runs `work`; while it waits on a lock for longer than
    /// [`REPORT_AFTER`], `report` hears what it waits for at every look.
    /// Returns what `work` returned and, when it ended while waiting, the
    /// wait as it stood at the end.
    pub async fn run<T>(
        &self,
        work: impl Future<Output = T>,
        mut report: impl FnMut(&Wait),
    ) -> (T, Option<Wait>) {
        let seen: RefCell<Option<(Wait, Instant)>> = RefCell::new(None);
        let every = self.every();
        let watcher = async {
            tokio::time::sleep(self.first_look()).await;
            let Ok(client) = self.watcher().await else {
                return std::future::pending::<Infallible>().await;
            };
            loop {
                match look(&client, self.pid).await {
                    Ok(Some(wait)) => {
                        if wait.waited >= REPORT_AFTER {
                            report(&wait);
                        }
                        *seen.borrow_mut() = Some((wait, Instant::now()));
                    }
                    Ok(None) => {}
                    // Watching is a courtesy: the work goes on unwatched.
                    Err(_) => return std::future::pending::<Infallible>().await,
                }
                tokio::time::sleep(every).await;
            }
        };
        let out = tokio::select! {
            out = work => out,
            never = watcher => match never {},
        };
        // A wait seen at the last look or the one before (the look that
        // races the lock timeout may find it already over).
        let wait = seen.into_inner().and_then(|(mut wait, at)| {
            let since = at.elapsed();
            (since <= every * 2 + Duration::from_millis(200)).then(|| {
                wait.waited += since;
                wait
            })
        });
        (out, wait)
    }

    async fn watcher(&self) -> Result<Client, ConnectError> {
        self.target.connect(CONNECT).await
    }
}

/// What session `pid` waits for, if it waits for a lock.
pub async fn look(client: &Client, pid: i32) -> Result<Option<Wait>, tokio_postgres::Error> {
    // `waitstart` is PostgreSQL 14's; read through jsonb so older
    // servers answer too (with when the statement started).
    let rows = client
        .query(
            "SELECT CASE WHEN w.relation IS NOT NULL THEN w.relation::regclass::text END, \
                    w.locktype, w.mode, w.transactionid::text, \
                    EXTRACT(epoch FROM now() - coalesce((to_jsonb(w) ->> 'waitstart')::timestamptz, \
                                                        a.query_start, now()))::float8, \
                    h.pid, h.usename::text, h.application_name, h.state, \
                    EXTRACT(epoch FROM now() - coalesce(h.xact_start, h.backend_start))::float8, \
                    left(h.query, 400), \
                    (SELECT string_agg(DISTINCT hl.mode, ', ') FROM pg_locks hl \
                     WHERE hl.pid = h.pid AND hl.granted AND hl.locktype = w.locktype \
                       AND hl.database IS NOT DISTINCT FROM w.database \
                       AND hl.relation IS NOT DISTINCT FROM w.relation \
                       AND hl.page IS NOT DISTINCT FROM w.page \
                       AND hl.tuple IS NOT DISTINCT FROM w.tuple \
                       AND hl.transactionid IS NOT DISTINCT FROM w.transactionid \
                       AND hl.virtualxid IS NOT DISTINCT FROM w.virtualxid \
                       AND hl.classid IS NOT DISTINCT FROM w.classid \
                       AND hl.objid IS NOT DISTINCT FROM w.objid \
                       AND hl.objsubid IS NOT DISTINCT FROM w.objsubid) \
             FROM pg_locks w \
             JOIN pg_stat_activity a ON a.pid = w.pid \
             LEFT JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS b(pid) ON true \
             LEFT JOIN pg_stat_activity h ON h.pid = b.pid \
             WHERE w.pid = $1 AND NOT w.granted \
             ORDER BY h.pid",
            &[&pid],
        )
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let relation: Option<String> = first.get(0);
    let locktype: String = first.get(1);
    let transaction: Option<String> = first.get(3);
    let object = match (locktype.as_str(), relation, transaction) {
        ("relation", Some(r), _) => r,
        ("tuple" | "page", Some(r), _) => format!("a row of {r}"),
        ("transactionid", _, Some(x)) => format!("rows changed by transaction {x}"),
        ("advisory", _, _) => "an advisory lock".into(),
        (other, Some(r), _) => format!("{other} of {r}"),
        (other, None, _) => format!("a lock of type {other}"),
    };
    let holders = rows
        .iter()
        .filter_map(|row| {
            let pid: Option<i32> = row.get(5);
            pid.map(|pid| holder(row, pid))
        })
        .collect();
    Ok(Some(Wait {
        object: printable(&object),
        mode: first.get(2),
        waited: duration(first.get(4)),
        holders,
    }))
}

fn holder(row: &Row, pid: i32) -> Holder {
    let query: Option<String> = row.get(10);
    Holder {
        pid,
        user: row.get(6),
        application: row.get(7),
        state: row.get(8),
        running: row.get::<_, Option<f64>>(9).map(|s| duration(Some(s))),
        query: query.map(|q| start_of(&q)),
        holds: row.get(11),
    }
}

/// The first [`QUERY_CHARS`] characters of a query, on one line.
pub fn start_of(query: &str) -> String {
    let line = query.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= QUERY_CHARS {
        return line;
    }
    let mut out: String = line.chars().take(QUERY_CHARS).collect();
    out.push('…');
    out
}

fn duration(seconds: Option<f64>) -> Duration {
    Duration::try_from_secs_f64(seconds.unwrap_or(0.0).max(0.0)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(pid: i32) -> Holder {
        Holder {
            pid,
            user: Some("ann".into()),
            application: Some("psql".into()),
            state: Some("idle in transaction".into()),
            running: Some(Duration::from_secs(42)),
            query: Some(start_of(
                "LOCK TABLE public.accounts\n  IN ACCESS EXCLUSIVE MODE",
            )),
            holds: Some("AccessExclusiveLock".into()),
        }
    }

    #[test]
    fn a_wait_names_the_object_and_every_holder() {
        let wait = Wait {
            object: "public.accounts".into(),
            mode: "AccessExclusiveLock".into(),
            waited: Duration::from_millis(1500),
            holders: vec![holder(4242)],
        };
        assert_eq!(
            wait.to_string(),
            "AccessExclusiveLock on public.accounts, held by pid 4242 (user ann, application \
             psql, idle in transaction for 42 s, holds AccessExclusiveLock, query `LOCK TABLE \
             public.accounts IN ACCESS EXCLUSIVE MODE`)"
        );
        let mut queued = holder(7);
        queued.holds = None;
        queued.application = Some(String::new());
        let two = Wait {
            holders: vec![holder(4242), queued],
            ..wait
        };
        let text = two.to_string();
        assert!(text.contains(") and pid 7 (user ann, idle in"), "{text}");
        assert!(text.contains("queued ahead for it"), "{text}");
    }

    #[test]
    fn an_error_that_stopped_waiting_names_the_wait_and_no_other_does() {
        let wait = Wait {
            object: "public.accounts".into(),
            mode: "RowExclusiveLock".into(),
            waited: Duration::from_millis(1000),
            holders: vec![holder(9)],
        };
        let mut timeout = DbError::from(crate::db::error::Parts {
            code: Some("55P03".into()),
            message: "canceling statement due to lock timeout".into(),
            ..Default::default()
        });
        attach(&mut timeout, Some(&wait));
        let text = timeout.to_string();
        assert!(
            text.contains(
                "\n  waiting: 1.0 s for RowExclusiveLock on public.accounts, held by pid 9 ("
            ),
            "{text}"
        );
        let mut other = DbError::from(crate::db::error::Parts {
            code: Some("23505".into()),
            ..Default::default()
        });
        attach(&mut other, Some(&wait));
        assert_eq!(other.waiting, None);
    }

    #[test]
    fn a_holder_the_user_cannot_see_is_said_so() {
        let wait = Wait {
            object: "a row of public.t".into(),
            mode: "ShareLock".into(),
            waited: Duration::from_secs(200),
            holders: vec![],
        };
        assert_eq!(
            wait.to_string(),
            "ShareLock on a row of public.t (the session holding it is not visible to this \
             user)"
        );
    }

    #[test]
    fn queries_are_cut_to_their_start_and_escapes_are_shown_escaped() {
        let long = format!("SELECT {}", "a, ".repeat(100));
        let start = start_of(&long);
        assert_eq!(start.chars().count(), QUERY_CHARS + 1);
        let mut h = holder(1);
        h.query = Some("SELECT '\u{1b}[2J'".into());
        assert!(h.to_string().contains("SELECT '\\u{1b}[2J'"), "{h}");
    }
}
