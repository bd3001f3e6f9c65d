//! Nothing waits forever (issue 11, item 5). A second session holds a
//! lock on a table plinth must change; `apply` and `migrate up` end
//! within their lock timeout, name the relation and the holder's pid, exit
//! non-zero and leave the schema as it was (the same `pg_class` oids, the
//! same rows). `--lock-timeout` beats `PGOPTIONS` and the URL's
//! `options`, which beat the 10 s default; plinth's own settings
//! (`standard_conforming_strings`, `search_path`) still hold under hostile
//! options. PostgreSQL's detail and hint reach the user. In the designer a
//! job stuck behind the lock is cancelled with Esc, rolls back, and the
//! designer keeps answering keys.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::common::{TestDb, plinth_bin, repo_root};
use crate::migrations::catalog;
use crate::saves::tmux;
use crate::{assert_canary, plant_canary};

/// What a command that hits a lock timeout of one second may take, all
/// told (starting the binary, connecting, planning), on a busy machine.
const FEW_SECONDS: Duration = Duration::from_secs(8);

/// A session holding a lock in an open transaction, until it is dropped
/// or its time is up.
struct Held {
    pid: i32,
    release: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Held {
    /// Runs `lock` (a `LOCK TABLE ...`) in a transaction on a session of
    /// its own, and commits after `hold` (or when dropped).
    fn new(db: &TestDb, lock: &str, hold: Duration) -> Held {
        let mut client = db.client();
        let lock = lock.to_owned();
        let (tell, told) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            client
                .batch_execute(&format!("SET application_name = 'holder'; BEGIN; {lock}"))
                .unwrap_or_else(|e| panic!("{lock}: {e}"));
            let pid: i32 = client
                .query_one("SELECT pg_backend_pid()", &[])
                .unwrap()
                .get(0);
            tell.send(pid).unwrap();
            let _ = released.recv_timeout(hold);
            client.batch_execute("COMMIT").unwrap();
        });
        let pid = told.recv().expect("the holder takes its lock");
        Held {
            pid,
            release: Some(release),
            thread: Some(thread),
        }
    }

    /// Holds until dropped (or a minute has passed, so a plinth that
    /// waits forever fails its test rather than hanging it).
    fn forever(db: &TestDb, lock: &str) -> Held {
        Held::new(db, lock, Duration::from_secs(60))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The shipped to-do design, applied to a fresh database with a row in
/// each table and the canary planted.
fn todo_database() -> TestDb {
    let db = TestDb::new();
    plant_canary(&db);
    let todo = repo_root().join("designs/todo.ron");
    let out = plinth(&db, &["apply", todo.to_str().unwrap(), "--yes"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    db.psql_stdin(
        "INSERT INTO users (email) VALUES ('a@example.com');\n\
         INSERT INTO tasks (user_id, title) SELECT id, 'write tests' FROM users;\n",
    );
    db
}

/// The to-do design with a field more in each table: `ALTER TABLE users`
/// runs first, then `ALTER TABLE tasks`.
fn todo_with_more(dir: &Path) -> PathBuf {
    let todo = fs::read_to_string(repo_root().join("designs/todo.ron")).unwrap();
    let more = todo
        .replacen(
            r#"(id: "fxe7ag9", name: "updated_at", type: "timestamptz", not_null: true, default: Expr("now()")),"#,
            r#"(id: "fxe7ag9", name: "updated_at", type: "timestamptz", not_null: true, default: Expr("now()")),
                (id: "fnick01", name: "nickname", type: "text"),"#,
            1,
        )
        .replacen(
            r#"(id: "ftl9jkh", name: "updated_at", type: "timestamptz", not_null: true, default: Expr("now()")),"#,
            r#"(id: "ftl9jkh", name: "updated_at", type: "timestamptz", not_null: true, default: Expr("now()")),
                (id: "fprio01", name: "priority", type: "integer"),"#,
            1,
        );
    assert_ne!(more, todo, "the fields went in");
    let path = dir.join("todo.ron");
    fs::write(&path, more).unwrap();
    path
}

/// `plinth ARGS --url URL` with `env` set and nothing else from the
/// caller's PGOPTIONS, standard input and error piped.
fn plinth(db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Output {
    plinth_at(&db.url(), args, env)
}

fn plinth_at(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(plinth_bin());
    command
        .args(args)
        .args(["--url", url])
        .env_remove("PGOPTIONS")
        .stdin(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the plinth binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The schema as a snapshot: every relation of `public` with its oid,
/// every table's row count, and the catalog listing.
fn snapshot(db: &TestDb) -> String {
    let mut client = db.client();
    let mut out = String::new();
    let relations = client
        .query(
            "SELECT c.oid::text, c.relname::text, c.relkind::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' \
             ORDER BY c.relname",
            &[],
        )
        .unwrap();
    for r in &relations {
        let (oid, name, kind): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        out += &format!("{kind} {name} oid {oid}");
        if kind == "r" {
            let rows: i64 = client
                .query_one(&format!("SELECT count(*) FROM public.\"{name}\""), &[])
                .unwrap()
                .get(0);
            out += &format!(" rows {rows}");
        }
        out.push('\n');
    }
    out + &catalog::describe(&mut client)
}

/// Runs `run`, returning what it returned and how long it took.
fn timed<T>(run: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = run();
    (out, started.elapsed())
}

fn column_exists(db: &TestDb, table: &str, column: &str) -> bool {
    db.client()
        .query_one(
            "SELECT EXISTS (SELECT FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2)",
            &[&table, &column],
        )
        .unwrap()
        .get(0)
}

/// Fails unless `out` failed within a few seconds of a one-second lock
/// timeout, saying it waited for `relation` behind `holder`; returns its
/// standard error.
fn assert_timed_out(out: &Output, took: Duration, relation: &str, holder: &Held) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}{stderr}", text(&out.stdout));
    assert!(took < FEW_SECONDS, "took {took:?}:\n{stderr}");
    assert!(stderr.contains("lock timeout"), "{stderr}");
    assert!(
        stderr.contains(&format!("on {relation}, held by pid {}", holder.pid)),
        "the relation and the holder are named:\n{stderr}"
    );
    assert!(
        stderr.contains("application holder") && stderr.contains("holds AccessExclusiveLock"),
        "{stderr}"
    );
    // Piped: the error says it all, and no progress line is drawn.
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    stderr
}

#[test]
fn apply_behind_an_access_exclusive_lock_ends_at_the_lock_timeout_and_changes_nothing() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    let design = todo_with_more(dir.path());
    let before = snapshot(&db);

    let held = Held::forever(&db, "LOCK TABLE public.tasks IN ACCESS EXCLUSIVE MODE");
    let (out, took) = timed(|| {
        plinth(
            &db,
            &[
                "apply",
                design.to_str().unwrap(),
                "--yes",
                "--lock-timeout",
                "1s",
            ],
            &[],
        )
    });
    let stderr = assert_timed_out(&out, took, "public.tasks", &held);
    // Inspecting reads the catalog without opening the locked table, so
    // the wait comes at the statement that needs it, and what ran before
    // it is rolled back.
    assert!(
        stderr.contains("everything was rolled back")
            && stderr.contains("ALTER TABLE public.tasks ADD COLUMN priority"),
        "{stderr}"
    );
    drop(held);

    assert_eq!(snapshot(&db), before, "the schema is as it was");
    assert_canary(&db);
}

#[test]
fn a_lock_met_mid_transaction_rolls_back_what_ran_before_it() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    let design = todo_with_more(dir.path());
    let before = snapshot(&db);

    // Reading is allowed, so the plan is made; ALTER TABLE tasks waits,
    // after ALTER TABLE users has run.
    let held = Held::forever(&db, "LOCK TABLE public.tasks IN SHARE MODE");
    let (out, took) = timed(|| {
        plinth(
            &db,
            &[
                "apply",
                design.to_str().unwrap(),
                "--yes",
                "--lock-timeout",
                "1s",
            ],
            &[],
        )
    });
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took < FEW_SECONDS, "took {took:?}:\n{stderr}");
    assert!(
        stderr.contains("statement 2 of 2 failed: ALTER TABLE public.tasks ADD COLUMN priority"),
        "{stderr}"
    );
    assert!(
        stderr.contains("PostgreSQL: canceling statement due to lock timeout"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n  waiting: ")
            && stderr.contains(&format!(
                " s for AccessExclusiveLock on public.tasks, held by pid {} (",
                held.pid
            )),
        "{stderr}"
    );
    assert!(stderr.contains("holds ShareLock"), "{stderr}");
    assert!(stderr.contains("everything was rolled back"), "{stderr}");
    drop(held);

    assert!(!column_exists(&db, "users", "nickname"), "rolled back");
    assert_eq!(snapshot(&db), before);
    assert_canary(&db);
}

#[test]
fn lock_timeout_zero_waits_for_a_holder_that_lets_go() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    let design = todo_with_more(dir.path());

    let held = Held::new(
        &db,
        "LOCK TABLE public.tasks IN ACCESS EXCLUSIVE MODE",
        Duration::from_secs(2),
    );
    let (out, took) = timed(|| {
        plinth(
            &db,
            &[
                "apply",
                design.to_str().unwrap(),
                "--yes",
                "--lock-timeout",
                "0",
            ],
            // The flag beats PGOPTIONS.
            &[("PGOPTIONS", "-c lock_timeout=200ms")],
        )
    });
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(took >= Duration::from_millis(1500), "it waited: {took:?}");
    drop(held);
    assert!(column_exists(&db, "tasks", "priority"));
    assert!(column_exists(&db, "users", "nickname"));
    assert_canary(&db);
}

#[test]
fn pgoptions_and_the_url_options_set_the_lock_timeout_when_the_flag_does_not() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    let design = todo_with_more(dir.path());
    let design = design.to_str().unwrap();
    let before = snapshot(&db);
    let held = Held::forever(&db, "LOCK TABLE public.tasks IN ACCESS EXCLUSIVE MODE");

    // PGOPTIONS beats the 10 s default.
    let (out, took) = timed(|| {
        plinth(
            &db,
            &["apply", design, "--yes"],
            &[("PGOPTIONS", "-c lock_timeout=1s")],
        )
    });
    assert_timed_out(&out, took, "public.tasks", &held);

    // The URL's options beat PGOPTIONS, as in libpq.
    let url = format!("{}?options=-c%20lock_timeout%3D1s", db.url());
    let (out, took) = timed(|| {
        plinth_at(
            &url,
            &["apply", design, "--yes"],
            &[("PGOPTIONS", "-c lock_timeout=0")],
        )
    });
    assert_timed_out(&out, took, "public.tasks", &held);

    // And the flag beats both.
    let (out, took) = timed(|| {
        plinth_at(
            &url,
            &["apply", design, "--yes", "--lock-timeout", "500ms"],
            &[("PGOPTIONS", "-c lock_timeout=0")],
        )
    });
    assert_timed_out(&out, took, "public.tasks", &held);
    drop(held);
    assert_eq!(snapshot(&db), before);
    assert_canary(&db);
}

#[test]
fn without_flag_or_options_a_lock_is_waited_for_ten_seconds() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    let design = todo_with_more(dir.path());
    let held = Held::forever(&db, "LOCK TABLE public.tasks IN ACCESS EXCLUSIVE MODE");
    let (out, took) = timed(|| plinth(&db, &["apply", design.to_str().unwrap(), "--yes"], &[]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        took >= Duration::from_secs(10) && took < Duration::from_secs(10) + FEW_SECONDS,
        "took {took:?}:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!("on public.tasks, held by pid {}", held.pid)),
        "{stderr}"
    );
    drop(held);
    assert_canary(&db);
}

/// Hostile options cannot change how plinth's own SQL reads: with
/// `search_path` on a schema of look-alike tables and
/// `standard_conforming_strings` off, apply still changes `public` and a
/// comment with backslashes and quotes lands as written.
#[test]
fn options_cannot_move_plinth_to_another_schema_or_change_its_strings() {
    let db = todo_database();
    db.psql_stdin(
        "CREATE SCHEMA decoy;\n\
         CREATE TABLE decoy.users (id int);\n\
         CREATE TABLE decoy.tasks (id int);\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let design = todo_with_more(dir.path());
    let comment = r#"it's C:\new\table; DROP TABLE keep.canary; --"#;
    let with_comment = fs::read_to_string(&design).unwrap().replacen(
        r#"(id: "fprio01", name: "priority", type: "integer"),"#,
        &format!(r#"(id: "fprio01", name: "priority", type: "integer", comment: {comment:?}),"#),
        1,
    );
    fs::write(&design, with_comment).unwrap();
    let out = plinth(
        &db,
        &["apply", design.to_str().unwrap(), "--yes"],
        &[(
            "PGOPTIONS",
            "-c search_path=decoy -c standard_conforming_strings=off",
        )],
    );
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(column_exists(&db, "tasks", "priority"));
    let stored: String = db
        .client()
        .query_one(
            "SELECT col_description('public.tasks'::regclass, \
             (SELECT attnum FROM pg_attribute WHERE attrelid = 'public.tasks'::regclass \
              AND attname = 'priority'))",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(stored, comment);
    let decoys: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'decoy'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(decoys, 2, "the decoy schema is untouched");
    assert_canary(&db);
}

#[test]
fn postgresql_errors_are_shown_with_their_detail_hint_and_place() {
    let db = todo_database();
    db.psql_stdin("INSERT INTO users (email, display_name) VALUES ('b@example.com', 'Sam'), ('c@example.com', 'Sam');");
    let dir = tempfile::tempdir().unwrap();
    let todo = fs::read_to_string(repo_root().join("designs/todo.ron")).unwrap();
    let unique = todo.replacen(
        r#"(id: "upxzrfb", fields: ["email"]),"#,
        r#"(id: "upxzrfb", fields: ["email"]),
                (id: "uname01", fields: ["display_name"]),"#,
        1,
    );
    let design = dir.path().join("todo.ron");
    fs::write(&design, unique).unwrap();
    let before = snapshot(&db);

    // The detail, from apply.
    let out = plinth(&db, &["apply", design.to_str().unwrap(), "--yes"], &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("PostgreSQL: could not create unique index"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n  detail: Key (display_name)=(Sam) is duplicated."),
        "{stderr}"
    );
    assert!(!stderr.contains("db error"), "{stderr}");
    assert_eq!(snapshot(&db), before);

    // The hint and the place in the statement, from a migration file.
    let migrations = dir.path().join("migrations");
    fs::create_dir(&migrations).unwrap();
    fs::write(
        migrations.join("20240101000000_typo.up.sql"),
        "CREATE TABLE notes (\n    body text CHECK (body = 1)\n);\n",
    )
    .unwrap();
    let out = plinth(
        &db,
        &["migrate", "up", "--dir", migrations.to_str().unwrap()],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("PostgreSQL: operator does not exist: text = integer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n  hint: No operator matches the given name and argument types."),
        "{stderr}"
    );
    assert!(
        stderr.contains("\n  at: line 2, column 27: body text CHECK (body = 1)"),
        "{stderr}"
    );
    // The file's own place of it, too.
    assert!(
        stderr.contains("20240101000000_typo.up.sql failed at line 2, column 27"),
        "{stderr}"
    );
    assert!(!column_exists(&db, "notes", "body"));
    assert_canary(&db);
}

#[test]
fn migrate_up_behind_a_lock_ends_at_the_lock_timeout_and_records_nothing() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    fs::create_dir(&migrations).unwrap();
    fs::write(
        migrations.join("20240101000000_flag.up.sql"),
        "CREATE TABLE audit (id int);\nALTER TABLE tasks ADD COLUMN flag boolean;\n",
    )
    .unwrap();
    // The history table, made by a run with nothing to do.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let out = plinth(
        &db,
        &["migrate", "up", "--dir", empty.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = snapshot(&db);

    let held = Held::forever(&db, "LOCK TABLE public.tasks IN ACCESS EXCLUSIVE MODE");
    let (out, took) = timed(|| {
        plinth(
            &db,
            &[
                "migrate",
                "up",
                "--dir",
                migrations.to_str().unwrap(),
                "--lock-timeout",
                "1s",
            ],
            &[],
        )
    });
    let stderr = assert_timed_out(&out, took, "public.tasks", &held);
    assert!(
        stderr.contains("20240101000000_flag.up.sql failed at line 2, column 1"),
        "{stderr}"
    );
    drop(held);

    let recorded: i64 = db
        .client()
        .query_one("SELECT count(*) FROM public.plinth_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(recorded, 0, "nothing is recorded");
    assert_eq!(snapshot(&db), before);
    assert_canary(&db);
}

/// A second plinth run holding the schema's advisory lock is waited for
/// no longer than the lock timeout either, and named.
#[test]
fn a_second_run_waits_for_the_first_no_longer_than_the_lock_timeout() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    let design = todo_with_more(dir.path());
    let design = design.to_str().unwrap();
    let held = Held::forever(&db, "LOCK TABLE public.tasks IN SHARE MODE");
    // The first run takes the schema's lock and waits for the table.
    let mut first = Command::new(plinth_bin())
        .args(["apply", design, "--yes", "--lock-timeout", "0"])
        .args(["--url", &db.url()])
        .env_remove("PGOPTIONS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let waiting = Instant::now();
    loop {
        let blocked: i64 = db
            .client()
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'plinth' \
                 AND wait_event_type = 'Lock' AND datname = current_database()",
                &[],
            )
            .unwrap()
            .get(0);
        if blocked == 1 {
            break;
        }
        assert!(waiting.elapsed() < FEW_SECONDS, "the first run never waits");
        thread::sleep(Duration::from_millis(50));
    }
    let (out, took) = timed(|| {
        plinth(
            &db,
            &["apply", design, "--yes", "--lock-timeout", "1s"],
            &[],
        )
    });
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took < FEW_SECONDS, "took {took:?}:\n{stderr}");
    assert!(
        stderr.contains("another plinth run on schema `public` holds the schema's lock"),
        "{stderr}"
    );
    assert!(stderr.contains("application plinth"), "{stderr}");
    drop(held);
    let status = first.wait().unwrap();
    assert!(
        status.success(),
        "the first run goes on once the table is free"
    );
    assert!(column_exists(&db, "tasks", "priority"));
    assert_canary(&db);
}

/// The designer: `A` plans, a second session then locks `tasks`, `y`
/// applies and waits behind it (no lock timeout: only the user can end
/// the wait). The status line says who holds the lock; Esc cancels; the
/// transaction (which had already altered `users`) rolls back; the
/// designer keeps answering keys, and no session of plinth's is left
/// waiting on the server.
#[test]
fn the_designer_cancels_an_apply_stuck_behind_a_lock() {
    let db = todo_database();
    let dir = tempfile::tempdir().unwrap();
    todo_with_more(dir.path());
    let before = snapshot(&db);
    let url = format!("{}?options=-c%20lock_timeout%3D0", db.url());

    let tmux = tmux::Tmux::start(dir.path(), "scratch.ron");
    tmux.wait_for_text("[new]");
    tmux.respawn(&format!(
        "PGOPTIONS= '{}' edit todo.ron --url '{url}'; echo $? > '{}'",
        tmux::plinth_bin(),
        tmux.status.display()
    ));
    tmux.wait_for_text("Entities 2");
    tmux.key("A");
    tmux.wait_for_text("y applies");

    let held = Held::forever(&db, "LOCK TABLE public.tasks IN SHARE MODE");
    tmux.key("y");
    let screen = tmux.wait_for("the wait, named", |s| {
        s.contains("on public.tasks, held by pid") && s.contains("Esc cancels")
    });
    assert!(
        screen.contains(&format!("held by pid {}", held.pid)),
        "{screen}"
    );
    let (screen, took) = timed(|| {
        tmux.key("Escape");
        tmux.wait_for_text("cancelled")
    });
    assert!(
        screen.contains("cancelled: the transaction was rolled back; nothing was applied"),
        "{screen}"
    );
    assert!(took < FEW_SECONDS, "took {took:?}");

    // Still answering keys.
    tmux.line(":entity add later");
    tmux.wait_for_text("Entities 3");

    // Nothing of plinth's waits on the server, and nothing changed,
    // while the holder still holds its lock.
    let start = Instant::now();
    loop {
        let waiting: i64 = db
            .client()
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'plinth' \
                 AND wait_event_type = 'Lock' AND datname = current_database()",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting == 0 {
            break;
        }
        assert!(
            start.elapsed() < FEW_SECONDS,
            "a plinth session still waits"
        );
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(snapshot(&db), before, "the schema is as it was");
    drop(held);
    assert_eq!(snapshot(&db), before, "and stays so once the lock is gone");
    tmux.line(":q!");
    assert_eq!(tmux.wait_for_exit(), 0);
    assert_canary(&db);
}
