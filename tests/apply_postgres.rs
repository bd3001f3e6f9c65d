//! `plinth apply` against a real server, a fresh database per test: it
//! builds a design on an empty database, does nothing the second time,
//! migrates after an edit, changes nothing on a dry run, lets two
//! concurrent applies run one after the other, and rolls a failed apply
//! back completely, naming the statement that failed. It refuses to drop a
//! field or an entity without `--allow-destructive`, and to apply without
//! `--yes` when there is no terminal to ask on; on a terminal (driven
//! through tmux) it asks and applies only on yes. New enum values are
//! committed before a column uses them, a partial index is not planned
//! again, and `plinth migrate`'s history table is left alone.

#[path = "common/catalog.rs"]
mod catalog;
mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{TestDb, plinth_bin, repo_root, run_plinth};

/// The shipped to-do design, and versions of it edited as text.
fn todo() -> String {
    std::fs::read_to_string(repo_root().join("designs/todo.ron")).expect("todo.ron reads")
}

/// Inserts `line` after the (unique) line containing `after`.
fn insert_after(text: &str, after: &str, line: &str) -> String {
    assert_eq!(text.matches(after).count(), 1, "`{after}` is unique");
    let at = text.find(after).unwrap();
    let end = at + text[at..].find('\n').unwrap() + 1;
    format!("{}{line}\n{}", &text[..end], &text[end..])
}

/// The to-do design with a new field `tasks.priority` and an index on it.
fn todo_with_priority() -> String {
    let text = insert_after(
        &todo(),
        "\"ftl9jkh\"",
        r#"                (id: "fprio01", name: "priority", type: "integer"),"#,
    );
    insert_after(
        &text,
        "\"iflwdrc\"",
        r#"                (id: "iprio01", fields: ["priority"]),"#,
    )
}

/// `text` without the (unique) line containing `marker`.
fn remove_line(text: &str, marker: &str) -> String {
    assert_eq!(text.matches(marker).count(), 1, "`{marker}` is unique");
    let at = text.find(marker).unwrap();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = at + text[at..].find('\n').unwrap() + 1;
    format!("{}{}", &text[..start], &text[end..])
}

/// `text` without the entity whose id is `id`: from its opening `(` to its
/// closing `),`, both on lines of their own as `plinth fmt` writes them.
fn remove_entity(text: &str, id: &str) -> String {
    let marker = format!("id: \"{id}\",");
    assert_eq!(text.matches(&marker).count(), 1, "`{marker}` is unique");
    let at = text.find(&marker).unwrap();
    let start = text[..at].rfind("        (\n").expect("the entity opens");
    let close = "\n        ),\n";
    let end = at + text[at..].find(close).expect("the entity closes") + close.len();
    format!("{}{}", &text[..start], &text[end - 1..])
}

/// A one-table design whose `state` column has the enum type `status`
/// with the labels `values`; `more` are further fields of `items`.
fn status_design(values: &str, more: &str) -> String {
    format!(
        r#"#![enable(implicit_some)]
(
    format: 1,
    name: "states",
    enums: [
        (id: "tstat01", name: "status", values: [{values}]),
    ],
    entities: [
        (
            id: "eitem01",
            name: "items",
            fields: [
                (id: "fitem01", name: "id", type: "uuid", not_null: true, default: Expr("gen_random_uuid()")),
                (id: "fitem02", name: "state", type: "status", not_null: true, default: Text("a")),
{more}
            ],
            primary_key: ["id"],
        ),
    ],
)
"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("the design is written");
    path
}

fn apply(db: &TestDb, design: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(plinth_bin());
    cmd.arg("apply")
        .arg(design)
        .args(["--url", &db.conninfo()])
        .args(extra)
        .stdin(Stdio::null());
    cmd
}

fn output(mut cmd: Command) -> Output {
    cmd.output().expect("plinth runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Applies and expects success; returns standard output.
fn apply_ok(db: &TestDb, design: &Path, extra: &[&str]) -> String {
    let out = output(apply(db, design, extra));
    assert!(
        out.status.success(),
        "plinth apply failed ({}):\n{}{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The catalog of a fresh database built by `plinth ddl` of the design.
fn reference(design: &Path) -> String {
    let db = TestDb::new();
    db.psql_stdin(&run_plinth(&[Path::new("ddl"), design]));
    catalog::describe(&mut db.client())
}

/// Applies and expects exit code `code`; returns standard output and
/// standard error.
fn apply_exits(db: &TestDb, design: &Path, extra: &[&str], code: i32) -> (String, String) {
    let out = output(apply(db, design, extra));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "plinth apply {extra:?}:\n{stdout}{stderr}"
    );
    (stdout, stderr)
}

/// The one value the query returns.
fn scalar<T: for<'a> postgres::types::FromSql<'a>>(db: &TestDb, sql: &str) -> T {
    db.client()
        .query_one(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

fn table_exists(db: &TestDb, table: &str) -> bool {
    scalar(
        db,
        &format!("SELECT to_regclass('public.{table}') IS NOT NULL"),
    )
}

fn column_exists(db: &TestDb, table: &str, column: &str) -> bool {
    scalar(
        db,
        &format!(
            "SELECT EXISTS (SELECT FROM information_schema.columns WHERE table_schema = 'public' \
             AND table_name = '{table}' AND column_name = '{column}')"
        ),
    )
}

/// The tables of the `public` schema, by name.
fn tables(db: &TestDb) -> Vec<String> {
    db.client()
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Single quotes `s` for `sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// How long to wait for the terminal to show what a step should show.
const DEADLINE: Duration = Duration::from_secs(20);

/// A tmux server of this test's own with one 120×40 window running a
/// shell command, which writes its exit status down; killed on drop,
/// failed or not. As in `tests/tui_tmux.rs`, except that the socket is in
/// a temp dir of its own (`-S`), so nothing is left behind in `/tmp`.
struct Terminal {
    socket: PathBuf,
    status: PathBuf,
    _scratch: tempfile::TempDir,
}

impl Terminal {
    fn run(command: &str) -> Terminal {
        match Command::new("tmux").arg("-V").output() {
            Ok(out) if out.status.success() => {}
            _ => panic!(
                "tmux is not installed, and the prompt of plinth apply is tested inside it: \
                 install it (`apt-get install tmux`; ./.ci/test does this) and run the tests again"
            ),
        }
        let scratch = tempfile::tempdir().expect("a temp dir");
        let terminal = Terminal {
            socket: scratch.path().join("tmux"),
            status: scratch.path().join("exit-status"),
            _scratch: scratch,
        };
        let shell = format!(
            "{command}; echo $? > {}",
            sh_quote(terminal.status.to_str().unwrap())
        );
        terminal.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "apply",
            "-x",
            "120",
            "-y",
            "40",
            "-e",
            "TERM=xterm-256color",
            &shell,
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
        ]);
        terminal
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Types `line` as it is, then presses Enter.
    fn type_line(&self, line: &str) {
        self.tmux(&["send-keys", "-t", "apply", "-l", line]);
        self.tmux(&["send-keys", "-t", "apply", "Enter"]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "apply"])
    }

    /// Waits until the screen shows `wanted`; fails with the last screen
    /// when it does not in time.
    fn wait_for(&self, wanted: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(wanted) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!("timed out waiting for `{wanted}`; the screen:\n{screen}");
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the command to end and returns its exit status.
    fn exit_code(&self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(status) = std::fs::read_to_string(&self.status)
                && let Ok(code) = status.trim().parse()
            {
                return code;
            }
            if start.elapsed() > DEADLINE {
                panic!(
                    "timed out waiting for the command to end; the screen:\n{}",
                    self.screen()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

#[test]
fn builds_an_empty_database_then_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    for name in ["todo.ron", "shop.ron", "blog.ron"] {
        let design = repo_root().join("designs").join(name);
        let db = if name == "todo.ron" {
            &db
        } else {
            &TestDb::new()
        };
        let out = apply_ok(db, &design, &["--yes"]);
        assert!(out.contains("Applied"), "{out}");
        let built = catalog::describe(&mut db.client());
        catalog::assert_same(&built, &reference(&design), name);

        let again = apply_ok(db, &design, &["--yes"]);
        assert!(again.contains("Nothing to do"), "{name}: {again}");
        catalog::assert_same(
            &catalog::describe(&mut db.client()),
            &built,
            &format!("{name} again"),
        );
    }
    // Without --yes and without a terminal to ask on, it refuses.
    let edited = write(dir.path(), "todo.ron", &todo_with_priority());
    let out = output(apply(&db, &edited, &[]));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));
}

#[test]
fn migrates_after_an_edit_and_a_dry_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    apply_ok(&db, &repo_root().join("designs/todo.ron"), &["--yes"]);
    let before = catalog::describe(&mut db.client());

    let edited = write(dir.path(), "todo.ron", &todo_with_priority());
    let dry = apply_ok(&db, &edited, &["--dry-run"]);
    assert!(
        dry.contains("ADD COLUMN priority") && dry.contains("Dry run"),
        "{dry}"
    );
    catalog::assert_same(&catalog::describe(&mut db.client()), &before, "dry run");

    let out = apply_ok(&db, &edited, &["--yes"]);
    assert!(out.contains("Applied 2 statement(s)"), "{out}");
    catalog::assert_same(
        &catalog::describe(&mut db.client()),
        &reference(&edited),
        "migrated",
    );
    let again = apply_ok(&db, &edited, &["--dry-run"]);
    assert!(again.contains("Nothing to do"), "{again}");
}

#[test]
fn two_concurrent_applies_run_one_after_the_other() {
    let design = repo_root().join("designs/shop.ron");
    let expected = reference(&design);
    for round in 0..3 {
        let db = TestDb::new();
        let spawn = || {
            let mut cmd = apply(&db, &design, &["--yes"]);
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.spawn().expect("plinth starts")
        };
        let (a, b) = (spawn(), spawn());
        let outs = [a, b].map(|c| c.wait_with_output().expect("plinth ends"));
        for out in &outs {
            assert!(
                out.status.success(),
                "round {round}: {}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
        let stdouts: Vec<String> = outs.iter().map(|o| text(&o.stdout)).collect();
        let applied = stdouts.iter().filter(|s| s.contains("Applied")).count();
        let idle = stdouts
            .iter()
            .filter(|s| s.contains("Nothing to do"))
            .count();
        assert_eq!((applied, idle), (1, 1), "round {round}: {stdouts:#?}");
        catalog::assert_same(
            &catalog::describe(&mut db.client()),
            &expected,
            &format!("round {round}"),
        );
    }
}

#[test]
fn a_failed_apply_rolls_everything_back_and_names_the_statement() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    apply_ok(&db, &repo_root().join("designs/todo.ron"), &["--yes"]);
    db.psql_stdin(
        "INSERT INTO users (email, display_name) VALUES ('a@example.com', 'Sam'), \
         ('b@example.com', 'Sam');",
    );
    let before = catalog::describe(&mut db.client());

    // A new field and index first, then a unique key the rows break.
    let failing = insert_after(
        &todo_with_priority(),
        "\"upxzrfb\"",
        r#"                (id: "uname01", fields: ["display_name"]),"#,
    );
    let design = write(dir.path(), "todo.ron", &failing);
    let out = output(apply(&db, &design, &["--yes"]));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}{stderr}", text(&out.stdout));
    assert!(stderr.contains("rolled back"), "{stderr}");
    let statement = stderr
        .lines()
        .find(|l| l.contains("failed: ALTER TABLE"))
        .unwrap_or_else(|| panic!("no failing statement in:\n{stderr}"));
    assert!(
        statement.contains("ADD CONSTRAINT") && statement.contains("UNIQUE (display_name)"),
        "{statement}"
    );
    assert!(
        stderr.contains("PostgreSQL: could not create unique index"),
        "{stderr}"
    );
    catalog::assert_same(
        &catalog::describe(&mut db.client()),
        &before,
        "after the failed apply",
    );
    let rows: i64 = db
        .client()
        .query_one("SELECT count(*) FROM users", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 2);
}

#[test]
fn refuses_to_drop_a_field_without_allow_destructive_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    apply_ok(&db, &repo_root().join("designs/todo.ron"), &["--yes"]);
    db.psql_stdin(
        "INSERT INTO users (email) VALUES ('a@example.com'); \
         INSERT INTO tasks (user_id, title, notes) SELECT id, 'Write tests', 'keep me' FROM users;",
    );
    let before = catalog::describe(&mut db.client());

    // `tasks.notes` is gone from the design.
    let design = write(dir.path(), "todo.ron", &remove_line(&todo(), "\"fn4f3a6\""));
    let (stdout, stderr) = apply_exits(&db, &design, &["--yes"], 1);
    assert!(
        stderr.contains("refusing a destructive plan")
            && stderr.contains("dropping column `tasks.notes`")
            && stderr.contains("--allow-destructive"),
        "{stderr}"
    );
    assert!(stdout.contains("destructive-drop"), "{stdout}");
    catalog::assert_same(&catalog::describe(&mut db.client()), &before, "refused");
    let notes: String = scalar(&db, "SELECT notes FROM tasks");
    assert_eq!(notes, "keep me");

    let out = apply_ok(&db, &design, &["--allow-destructive", "--yes"]);
    assert!(out.contains("Applied"), "{out}");
    assert!(!column_exists(&db, "tasks", "notes"));
    let title: String = scalar(&db, "SELECT title FROM tasks");
    assert_eq!(title, "Write tests");
}

#[test]
fn refuses_to_drop_an_entity_without_allow_destructive_and_keeps_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    apply_ok(&db, &repo_root().join("designs/todo.ron"), &["--yes"]);
    db.psql_stdin(
        "INSERT INTO users (email) VALUES ('a@example.com'); \
         INSERT INTO tasks (user_id, title) SELECT id, 'Write tests' FROM users;",
    );
    let before = catalog::describe(&mut db.client());

    // The entity `tasks` is gone from the design.
    let design = write(dir.path(), "todo.ron", &remove_entity(&todo(), "emjxhm9"));
    let (_, stderr) = apply_exits(&db, &design, &["--yes"], 1);
    assert!(
        stderr.contains("refusing a destructive plan")
            && stderr.contains("dropping table `tasks`")
            && stderr.contains("--allow-destructive"),
        "{stderr}"
    );
    catalog::assert_same(&catalog::describe(&mut db.client()), &before, "refused");
    let title: String = scalar(&db, "SELECT title FROM tasks");
    assert_eq!(title, "Write tests");

    let out = apply_ok(&db, &design, &["--allow-destructive", "--yes"]);
    assert!(out.contains("Applied"), "{out}");
    assert!(!table_exists(&db, "tasks"));
    assert_eq!(tables(&db), ["users"]);
    let users: i64 = scalar(&db, "SELECT count(*) FROM users");
    assert_eq!(users, 1);
}

#[test]
fn without_yes_and_without_a_terminal_it_changes_nothing() {
    let db = TestDb::new();
    let design = repo_root().join("designs/todo.ron");
    let empty = catalog::describe(&mut db.client());

    // Standard input closed, then a pipe that even carries a yes: neither
    // is a terminal, so neither is asked.
    let closed = output(apply(&db, &design, &[]));
    let mut piped = apply(&db, &design, &[]);
    piped
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = piped.spawn().expect("plinth starts");
    // plinth may have exited before the write: the answer is there only
    // if it looks.
    let _ = child.stdin.take().unwrap().write_all(b"y\n");
    let piped = child.wait_with_output().expect("plinth ends");

    for (how, out) in [("closed", closed), ("a pipe", piped)] {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "stdin {how}: {stderr}");
        assert!(
            stderr.contains("standard input is not a terminal") && stderr.contains("pass --yes"),
            "stdin {how}: {stderr}"
        );
        assert!(!text(&out.stdout).contains("Applied"), "stdin {how}");
        assert_eq!(tables(&db), Vec::<String>::new(), "stdin {how}");
        catalog::assert_same(&catalog::describe(&mut db.client()), &empty, how);
    }
}

#[test]
fn asks_on_a_terminal_and_applies_only_on_yes() {
    let db = TestDb::new();
    let design = repo_root().join("designs/todo.ron");
    let empty = catalog::describe(&mut db.client());
    let command = format!(
        "{} apply {} --url {}",
        sh_quote(plinth_bin().to_str().unwrap()),
        sh_quote(design.to_str().unwrap()),
        sh_quote(&db.conninfo())
    );

    let no = Terminal::run(&command);
    no.wait_for("[y/N]");
    // Nothing runs before the answer.
    assert_eq!(tables(&db), Vec::<String>::new());
    no.type_line("n");
    no.wait_for("not applied: nothing was changed");
    assert_eq!(no.exit_code(), 1, "{}", no.screen());
    catalog::assert_same(&catalog::describe(&mut db.client()), &empty, "answered n");

    let yes = Terminal::run(&command);
    yes.wait_for("[y/N]");
    yes.type_line("y");
    yes.wait_for("Applied ");
    assert_eq!(yes.exit_code(), 0, "{}", yes.screen());
    assert_eq!(tables(&db), ["tasks", "users"]);
    catalog::assert_same(
        &catalog::describe(&mut db.client()),
        &reference(&design),
        "answered y",
    );
}

#[test]
fn a_new_enum_value_is_committed_before_a_column_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let first = write(dir.path(), "v1.ron", &status_design(r#""a", "b""#, ""));
    apply_ok(&db, &first, &["--yes"]);
    db.psql_stdin("INSERT INTO items DEFAULT VALUES;");

    // `c` is new, and the new column's default already uses it.
    let second = write(
        dir.path(),
        "v2.ron",
        &status_design(
            r#""a", "b", "c""#,
            r#"                (id: "fitem03", name: "next_state", type: "status", not_null: true, default: Text("c")),"#,
        ),
    );
    let out = apply_ok(&db, &second, &["--yes"]);
    assert!(
        out.contains("Committed 1 new enum value(s) first.") && out.contains("Applied"),
        "{out}"
    );
    let labels: Vec<String> = db
        .client()
        .query(
            "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = 'status'::regtype \
             ORDER BY enumsortorder",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(labels, ["a", "b", "c"]);
    assert!(column_exists(&db, "items", "next_state"));
    let row: (String, String) = {
        let row = db
            .client()
            .query_one("SELECT state::text, next_state::text FROM items", &[])
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(row, ("a".to_owned(), "c".to_owned()));
    catalog::assert_same(
        &catalog::describe(&mut db.client()),
        &reference(&second),
        "with c",
    );

    let again = apply_ok(&db, &second, &["--yes"]);
    assert!(again.contains("Nothing to do"), "{again}");
}

#[test]
fn a_partial_index_is_not_planned_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let partial = insert_after(
        &todo(),
        "\"iflwdrc\"",
        r#"                (id: "iopen01", name: "tasks_open_due_idx", fields: ["user_id", "due_at"], where: "NOT done"),"#,
    );
    let design = write(dir.path(), "todo.ron", &partial);
    let out = apply_ok(&db, &design, &["--yes"]);
    assert!(out.contains("Applied"), "{out}");
    let definition: String = scalar(
        &db,
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'tasks_open_due_idx'",
    );
    assert!(definition.contains("WHERE (NOT done)"), "{definition}");

    // PostgreSQL spells the predicate `(NOT done)`; that is no change.
    let again = apply_ok(&db, &design, &["--yes"]);
    assert!(again.contains("Nothing to do"), "{again}");
}

#[test]
fn leaves_the_migration_history_table_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let migrations = tmp.path().join("migrations");
    let db = TestDb::new();
    let todo_ron = repo_root().join("designs/todo.ron");
    let (design, dir) = (todo_ron.to_str().unwrap(), migrations.to_str().unwrap());
    let stamp = "20240501120000";
    run_plinth(&[
        "migrate",
        "new",
        design,
        "-m",
        "create todo",
        "--dir",
        dir,
        "--timestamp",
        stamp,
    ]);
    run_plinth(&["migrate", "up", "--url", &db.conninfo(), "--dir", dir]);
    let history = "SELECT count(*) FROM plinth_migrations";
    assert_eq!(scalar::<i64>(&db, history), 1);

    let edited = write(tmp.path(), "todo.ron", &todo_with_priority());
    let dry = apply_ok(&db, &edited, &["--dry-run"]);
    assert!(
        dry.contains("ADD COLUMN priority") && !dry.contains("plinth_migrations"),
        "{dry}"
    );

    let out = apply_ok(&db, &edited, &["--yes"]);
    assert!(
        out.contains("Applied") && !out.contains("plinth_migrations"),
        "{out}"
    );
    assert!(column_exists(&db, "tasks", "priority"));
    assert_eq!(scalar::<i64>(&db, history), 1);
    let again = apply_ok(&db, &edited, &["--yes"]);
    assert!(again.contains("Nothing to do"), "{again}");
}

/// While another run holds the schema's lock (as `plinth migrate up` does
/// while it builds an index concurrently), a waiting apply holds no
/// transaction and no snapshot, so `CREATE INDEX CONCURRENTLY` in the lock
/// holder finishes instead of waiting for the apply (a deadlock, had the
/// apply waited inside its transaction). Then the apply goes on.
#[test]
fn a_waiting_apply_does_not_hold_up_create_index_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    apply_ok(&db, &repo_root().join("designs/todo.ron"), &["--yes"]);
    let edited = write(dir.path(), "todo.ron", &todo_with_priority());

    let mut holder = db.client();
    let key = plinth::db::lock::lock_key("public");
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .unwrap();
    let mut cmd = apply(&db, &edited, &["--yes"]);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let waiting = cmd.spawn().expect("plinth starts");

    // Wait until the apply is connected and polling for the lock.
    let started = Instant::now();
    let polls = "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND application_name = 'plinth'";
    while holder.query_one(polls, &[]).unwrap().get::<_, i64>(0) == 0 {
        assert!(started.elapsed() < DEADLINE, "plinth apply never connected");
        thread::sleep(Duration::from_millis(50));
    }
    thread::sleep(Duration::from_millis(500));
    let in_transaction: i64 = holder
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND application_name = 'plinth' AND xact_start IS NOT NULL \
             AND state <> 'active'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(in_transaction, 0, "the waiting apply holds a transaction");

    holder
        .batch_execute("SET statement_timeout = '15s'")
        .unwrap();
    holder
        .batch_execute("CREATE INDEX CONCURRENTLY tasks_title_idx ON tasks (title)")
        .expect("CREATE INDEX CONCURRENTLY finishes while an apply waits");
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&key])
        .unwrap();

    let out = waiting.wait_with_output().expect("plinth ends");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("Waiting for another plinth run"),
        "it said it waited: {stderr}"
    );
    assert!(column_exists(&db, "tasks", "priority"), "{stdout}");
}

/// After an apply, renaming a field and an entity in the design (keeping
/// their ids, as the designer and `plinth fmt` write them) is a RENAME on
/// the next apply: plinth recorded what it applied, with its ids, so the
/// live objects are known by id. The rows stay, in the same table and
/// column (same `pg_class.oid`, same `attnum`).
#[test]
fn renames_since_the_last_apply_are_renames_and_keep_the_rows() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let design = write(dir.path(), "todo.ron", &todo());
    apply_ok(&db, &design, &["--yes"]);
    db.psql_stdin(
        "INSERT INTO users (email) VALUES ('a@example.com');
         INSERT INTO tasks (user_id, title, notes) SELECT id, 'call', 'before noon' FROM users;",
    );
    assert_eq!(scalar::<i64>(&db, "SELECT count(*) FROM tasks"), 1);
    let oid: u32 = scalar(&db, "SELECT 'tasks'::regclass::oid");
    let attnum: i16 = scalar(
        &db,
        "SELECT attnum FROM pg_attribute WHERE attrelid = 'tasks'::regclass AND attname = 'notes'",
    );
    let recorded: i64 = scalar(&db, "SELECT count(*) FROM plinth.applied");
    assert_eq!(recorded, 1, "the apply was recorded");

    let renamed = todo()
        .replace(r#"name: "notes""#, r#"name: "details""#)
        .replace(r#"name: "tasks""#, r#"name: "todos""#);
    assert_ne!(renamed, todo());
    write(dir.path(), "todo.ron", &renamed);
    let out = apply_ok(&db, &design, &["--yes"]);
    assert!(out.contains("rename entity `tasks` to `todos`"), "{out}");
    assert!(
        out.contains("rename field `todos.notes` to `details`"),
        "{out}"
    );
    assert!(!out.contains("DROP"), "{out}");
    assert_eq!(
        scalar::<String>(&db, "SELECT details FROM todos"),
        "before noon"
    );
    assert_eq!(scalar::<u32>(&db, "SELECT 'todos'::regclass::oid"), oid);
    assert_eq!(
        scalar::<i16>(
            &db,
            "SELECT attnum FROM pg_attribute WHERE attrelid = 'todos'::regclass \
             AND attname = 'details'"
        ),
        attnum
    );
    assert_eq!(scalar::<i64>(&db, "SELECT count(*) FROM plinth.applied"), 2);
    let again = apply_ok(&db, &design, &["--yes"]);
    assert!(again.contains("Nothing to do"), "{again}");
    assert_eq!(
        scalar::<i64>(&db, "SELECT count(*) FROM plinth.applied"),
        2,
        "an apply that changes nothing records nothing new"
    );
}

/// A changed foreign key action, a type, a check and an index definition
/// are changed in place: the plan holds ALTERs and constraint or index
/// drops and adds only, and every row is still there, in the same table.
#[test]
fn changed_keys_types_checks_and_indexes_are_altered_in_place() {
    let with_check = |expr: &str| {
        let at = "            indexes: [\n                (id: \"iflwdrc\"";
        assert_eq!(todo().matches(at).count(), 1);
        todo().replace(
            at,
            &format!("            checks: [(id: \"ctitle1\", expr: \"{expr}\")],\n{at}"),
        )
    };
    let before = with_check("length(title) > 0");
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let design = write(dir.path(), "todo.ron", &before);
    apply_ok(&db, &design, &["--yes"]);
    db.psql_stdin(
        "INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com');
         INSERT INTO tasks (user_id, title) SELECT id, 'task of ' || email FROM users;",
    );
    assert_eq!(scalar::<i64>(&db, "SELECT count(*) FROM tasks"), 2);
    let oid: u32 = scalar(&db, "SELECT 'tasks'::regclass::oid");

    let after = with_check("length(title) > 1")
        .replace("on_delete: Cascade", "on_delete: Restrict")
        .replace(
            r#"name: "title", type: "varchar(200)""#,
            r#"name: "title", type: "text""#,
        )
        .replace(
            r#"(id: "iflwdrc", fields: ["user_id"])"#,
            r#"(id: "iflwdrc", fields: ["user_id", "done"])"#,
        );
    write(dir.path(), "todo.ron", &after);
    let out = apply_ok(&db, &design, &["--yes"]);
    let statements: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Statements:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert!(statements.len() >= 4, "{out}");
    for s in &statements {
        assert!(
            !s.contains("DROP TABLE")
                && !s.contains("CREATE TABLE")
                && !s.contains("DROP COLUMN")
                && !s.contains("ADD COLUMN"),
            "{s}\n{out}"
        );
    }
    assert!(out.contains("ALTER COLUMN title TYPE text"), "{out}");
    assert!(out.contains("ON DELETE RESTRICT"), "{out}");
    assert!(out.contains("length(title) > 1"), "{out}");
    assert!(out.contains("(user_id, done)"), "{out}");
    assert_eq!(scalar::<i64>(&db, "SELECT count(*) FROM tasks"), 2);
    assert_eq!(scalar::<u32>(&db, "SELECT 'tasks'::regclass::oid"), oid);
    let again = apply_ok(&db, &design, &["--yes"]);
    assert!(again.contains("Nothing to do"), "{again}");
}
