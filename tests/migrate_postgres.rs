//! `plinth migrate up|down|status` against a real server, a fresh database
//! per test: the chain written by `plinth migrate new` goes up (the catalog
//! then equals what `plinth ddl` of the last version builds), down one step
//! and up again; a changed applied file is refused and reported; a manual
//! change to the schema shows as drift; concurrent runs apply each file once.
//! Tricky hand-written files split where psql splits them and leave what
//! `psql -f` leaves; down files are checksummed; a history table of an
//! older plinth keeps working.

#[path = "common/catalog.rs"]
mod catalog;
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{TestDb, plinth_bin, repo_root, run_plinth};

/// The designs of the chain, as in `tests/migrate_sql.rs`.
fn versions() -> Vec<(&'static str, PathBuf)> {
    let fixtures = repo_root().join("tests/fixtures/migrate");
    vec![
        ("create todo", repo_root().join("designs/todo.ron")),
        ("task priorities", fixtures.join("todo_v2.ron")),
        ("projects", fixtures.join("todo_v3.ron")),
    ]
}

const TIMESTAMPS: [&str; 3] = ["20240501120000", "20240502120000", "20240503120000"];

const NAMES: [&str; 3] = [
    "20240501120000_create_todo",
    "20240502120000_task_priorities",
    "20240503120000_projects",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes the chain into `dir` with `plinth migrate new`; `extra` goes to
/// the second migration.
fn write_chain(dir: &Path, extra: &[&str]) {
    for (i, (message, design)) in versions().iter().enumerate() {
        let mut args = vec![
            "migrate",
            "new",
            design.to_str().unwrap(),
            "-m",
            message,
            "--dir",
            dir.to_str().unwrap(),
            "--timestamp",
            TIMESTAMPS[i],
        ];
        if i == 1 {
            args.extend_from_slice(extra);
        }
        run_plinth(&args);
    }
}

fn migrate(db: &TestDb, dir: &Path, action: &str) -> Command {
    let mut cmd = Command::new(plinth_bin());
    cmd.args(["migrate", action, "--url", &db.conninfo(), "--dir"])
        .arg(dir)
        .stdin(Stdio::null());
    cmd
}

fn run(db: &TestDb, dir: &Path, action: &str) -> Output {
    migrate(db, dir, action).output().expect("plinth runs")
}

/// Runs and expects exit code `code`; returns standard output.
fn expect(db: &TestDb, dir: &Path, action: &str, code: i32) -> String {
    let out = run(db, dir, action);
    assert_eq!(
        out.status.code(),
        Some(code),
        "plinth migrate {action}:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The catalog without the history table.
fn schema_of(db: &TestDb) -> String {
    let listing = catalog::describe(&mut db.client());
    let mut out = String::new();
    let mut skipping = false;
    for line in listing.lines() {
        if !line.starts_with(' ') {
            skipping = line == "table plinth_migrations";
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The catalog of a fresh database built by `plinth ddl` of the design.
fn reference(design: &Path) -> String {
    let db = TestDb::new();
    db.psql_stdin(&run_plinth(&[Path::new("ddl"), design]));
    catalog::describe(&mut db.client())
}

fn history(db: &TestDb) -> Vec<(String, String, String, i64)> {
    db.client()
        .query(
            "SELECT version, name, checksum, execution_ms FROM plinth_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// The recorded down checksums, by version.
fn down_checksums(db: &TestDb) -> Vec<(String, Option<String>)> {
    db.client()
        .query(
            "SELECT version, down_checksum FROM plinth_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn status_line<'a>(status: &'a str, name: &str) -> &'a str {
    status
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("no line for {name}:\n{status}"))
}

#[test]
fn up_down_and_status_follow_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, &[]);
    let v = versions();
    let db = TestDb::new();

    // Before anything: all pending, and the empty schema drifts from the
    // snapshot.
    let status = expect(&db, &dir, "status", 1);
    for name in NAMES {
        assert!(
            status_line(&status, name)
                .trim_start()
                .starts_with("pending"),
            "{status}"
        );
    }
    assert!(status.contains("add entity `tasks`"), "{status}");

    let out = expect(&db, &dir, "up", 0);
    for name in NAMES {
        assert!(out.contains(&format!("applied {name} (")), "{out}");
    }
    assert!(out.contains("Applied 3 migration(s)."), "{out}");
    catalog::assert_same(&schema_of(&db), &reference(&v[2].1), "after up");
    let rows = history(&db);
    assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), NAMES);
    for (row, (name, ts)) in rows.iter().zip(NAMES.iter().zip(TIMESTAMPS)) {
        assert_eq!(row.0, ts);
        let bytes = fs::read(dir.join(format!("{name}.up.sql"))).unwrap();
        assert_eq!(row.2, plinth::db::checksum(&bytes), "{name}");
        assert!(row.3 >= 0);
    }
    for ((version, down), name) in down_checksums(&db).iter().zip(NAMES) {
        let bytes = fs::read(dir.join(format!("{name}.down.sql"))).unwrap();
        assert_eq!(
            down.as_deref(),
            Some(plinth::db::checksum(&bytes).as_str()),
            "{version}"
        );
    }

    let status = expect(&db, &dir, "status", 0);
    for name in NAMES {
        assert!(
            status_line(&status, name)
                .trim_start()
                .starts_with("applied"),
            "{status}"
        );
    }
    assert!(status_line(&status, NAMES[2]).contains(" UTC)"), "{status}");
    assert!(status.contains("no drift"), "{status}");

    let again = expect(&db, &dir, "up", 0);
    assert!(again.starts_with("Nothing to apply"), "{again}");

    // Down reverts the last one only.
    let out = expect(&db, &dir, "down", 0);
    assert!(out.contains(&format!("reverted {}", NAMES[2])), "{out}");
    catalog::assert_same(&schema_of(&db), &reference(&v[1].1), "after down");
    assert_eq!(history(&db).len(), 2);
    let status = expect(&db, &dir, "status", 1);
    assert!(
        status_line(&status, NAMES[2])
            .trim_start()
            .starts_with("pending"),
        "{status}"
    );
    assert!(
        status_line(&status, NAMES[1])
            .trim_start()
            .starts_with("applied"),
        "{status}"
    );

    let out = expect(&db, &dir, "up", 0);
    assert!(out.contains(&format!("applied {} (", NAMES[2])), "{out}");
    assert!(out.contains("Applied 1 migration(s)."), "{out}");
    catalog::assert_same(&schema_of(&db), &reference(&v[2].1), "up again");
    expect(&db, &dir, "status", 0);
}

#[test]
fn a_changed_applied_file_is_refused_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, &[]);
    let db = TestDb::new();
    expect(&db, &dir, "up", 0);
    expect(&db, &dir, "down", 0);

    let edited = dir.join(format!("{}.up.sql", NAMES[0]));
    let mut sql = fs::read_to_string(&edited).unwrap();
    sql.push_str("\n-- an edit after the fact\n");
    fs::write(&edited, sql).unwrap();

    let before = schema_of(&db);
    let out = run(&db, &dir, "up");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}.up.sql was changed after it was applied",
            NAMES[0]
        )),
        "{stderr}"
    );
    // The pending migration was not applied either.
    assert_eq!(history(&db).len(), 2);
    catalog::assert_same(&schema_of(&db), &before, "after the refusal");

    let status = expect(&db, &dir, "status", 1);
    assert!(
        status_line(&status, NAMES[0])
            .trim_start()
            .starts_with("changed checksum"),
        "{status}"
    );
    assert!(
        status_line(&status, NAMES[2])
            .trim_start()
            .starts_with("pending"),
        "{status}"
    );
}

#[test]
fn manual_changes_show_as_drift_and_missing_files_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, &[]);
    let db = TestDb::new();
    expect(&db, &dir, "up", 0);
    db.psql_stdin("ALTER TABLE tasks ADD COLUMN sneaky integer;");

    let status = expect(&db, &dir, "status", 1);
    assert!(!status.contains("no drift"), "{status}");
    assert!(status.contains("sneaky"), "{status}");
    for name in NAMES {
        assert!(
            status_line(&status, name)
                .trim_start()
                .starts_with("applied"),
            "{status}"
        );
    }

    db.psql_stdin("ALTER TABLE tasks DROP COLUMN sneaky;");
    expect(&db, &dir, "status", 0);

    // An applied migration whose files are gone: listed, and down refuses
    // without its .down.sql.
    fs::remove_file(dir.join(format!("{}.up.sql", NAMES[2]))).unwrap();
    fs::remove_file(dir.join(format!("{}.down.sql", NAMES[2]))).unwrap();
    let status = expect(&db, &dir, "status", 1);
    assert!(
        status_line(&status, NAMES[2])
            .trim_start()
            .starts_with("missing file"),
        "{status}"
    );
    let out = run(&db, &dir, "down");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(".down.sql is missing"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(history(&db).len(), 3);
}

#[test]
fn concurrent_index_files_and_concurrent_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    // The second migration runs CREATE INDEX CONCURRENTLY, outside any
    // transaction.
    write_chain(&dir, &["--concurrently"]);
    let db = TestDb::new();

    let first = migrate(&db, &dir, "up")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let second = migrate(&db, &dir, "up")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let outs = [first, second].map(|c| c.wait_with_output().unwrap());
    for out in &outs {
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let all = format!("{}{}", text(&outs[0].stdout), text(&outs[1].stdout));
    for name in NAMES {
        assert_eq!(
            all.matches(&format!("applied {name} (")).count(),
            1,
            "{all}"
        );
    }
    assert_eq!(history(&db).len(), 3);
    catalog::assert_same(
        &schema_of(&db),
        &reference(&versions()[2].1),
        "after concurrent ups",
    );

    expect(&db, &dir, "down", 0);
    expect(&db, &dir, "down", 0);
    catalog::assert_same(
        &schema_of(&db),
        &reference(&versions()[0].1),
        "after two downs",
    );
}

#[test]
fn a_failing_file_is_rolled_back_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, &[]);
    // A hand-written migration without BEGIN/COMMIT: plinth wraps it, so
    // its first statement is rolled back with the failing one.
    fs::write(
        dir.join("20240504120000_broken.up.sql"),
        "-- hand-written; no transaction of its own\n\
         CREATE TABLE half_done (a integer);\n\
         INSERT INTO no_such_table VALUES (1);\n",
    )
    .unwrap();
    let db = TestDb::new();
    let out = run(&db, &dir, "up");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("20240504120000_broken.up.sql failed at line 3, column 13"),
        "{stderr}"
    );
    assert!(
        stderr.contains("INSERT INTO no_such_table VALUES (1);"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 migration(s) before it stay applied"),
        "{stderr}"
    );
    assert_eq!(history(&db).len(), 3);
    let exists: bool = db
        .client()
        .query_one("SELECT to_regclass('half_done') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(!exists, "the wrapped file was rolled back");
    catalog::assert_same(
        &schema_of(&db),
        &reference(&versions()[2].1),
        "after the failure",
    );
    let status = expect(&db, &dir, "status", 1);
    assert!(
        status_line(&status, "20240504120000_broken")
            .trim_start()
            .starts_with("pending"),
        "{status}"
    );
}

/// `plinth status` is `plinth migrate status`; `--design` checks drift
/// against a design file of the user's choosing instead of the snapshot.
#[test]
fn status_checks_drift_against_a_chosen_design() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, &[]);
    let db = TestDb::new();
    expect(&db, &dir, "up", 0);

    let status = |extra: &[&Path]| {
        let mut cmd = Command::new(plinth_bin());
        cmd.args(["status", "--url", &db.conninfo(), "--dir"])
            .arg(&dir)
            .args(extra)
            .stdin(Stdio::null());
        cmd.output().expect("plinth runs")
    };
    let plain = status(&[]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain.stderr));
    assert_eq!(text(&plain.stdout), expect(&db, &dir, "status", 0));

    // The shop design has nothing in common with the todo chain's tables.
    let shop = repo_root().join("designs/shop.ron");
    let against = status(&[Path::new("--design"), &shop]);
    let out = text(&against.stdout);
    assert_eq!(against.status.code(), Some(1), "{out}");
    assert!(out.contains("differs from"), "{out}");
    assert!(out.contains("add entity `orders`"), "{out}");
    assert!(out.contains("drop entity `tasks`"), "{out}");
    assert!(!out.contains("plinth_migrations"), "{out}");
}

/// Writes hand-written migration files into `dir`.
fn write_files(dir: &Path, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    for (name, sql) in files {
        fs::write(dir.join(name), sql).unwrap();
    }
}

/// The definitions of the functions and procedures in `public`.
fn routines(db: &TestDb) -> Vec<String> {
    db.client()
        .query(
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p \
             JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = 'public' ORDER BY p.proname",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Every row of every table in `public` but the history, as text.
fn rows(db: &TestDb) -> Vec<String> {
    let mut client = db.client();
    let tables: Vec<String> = client
        .query(
            "SELECT format('%I', c.relname) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind = 'r' \
             AND c.relname <> 'plinth_migrations' ORDER BY c.relname",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = Vec::new();
    for table in tables {
        for row in client
            .query(&format!("SELECT t::text FROM {table} t ORDER BY 1"), &[])
            .unwrap()
        {
            out.push(format!("{table} {}", row.get::<_, String>(0)));
        }
    }
    out
}

/// Hand-written files full of what trips a naive splitter: strings of
/// every kind with semicolons inside, nested comments, dollar-quoted and
/// `BEGIN ATOMIC` bodies, quoted names, `standard_conforming_strings`
/// switched off and on again, a `\r` continuing an E string, and a last
/// statement without its semicolon.
const TRICKY: [(&str, &str); 3] = [
    (
        "20240601000000_notes.up.sql",
        "-- psql-style: comments; semicolons; a last statement without one\n\
         CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL, \"odd;\"\"name\" text);\n\
         INSERT INTO notes VALUES (1, E'it\\'s; fine', 'a''b;c');\n\
         INSERT INTO notes VALUES (2, U&'d\\0061t\\+000061; x', $$dollar; 'quoted'$$);\n\
         INSERT INTO notes VALUES (3, $body$ $$ ; $Body$ $body$, B'101'::text || X'1f'::text);\n\
         /* a /* nested ; */ comment; INSERT INTO notes VALUES (99, 'never'); */\n\
         INSERT INTO notes VALUES (4, 'back\\slash', e'\\\\'); -- trailing; comment\n\
         INSERT INTO notes VALUES (5, E'a'\r'b\\'; c', (SELECT 'in (parens;)'));\n\
         INSERT INTO notes (id, body) SELECT 6, a$b FROM (SELECT 'a$b; col' AS a$b) s\n",
    ),
    (
        "20240602000000_routines.up.sql",
        "CREATE FUNCTION add_one(x int) RETURNS int LANGUAGE plpgsql AS $fn$\n\
         BEGIN\n  -- a comment; inside\n  RETURN x + 1;\nEND\n$fn$;\n\
         CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql\n\
         BEGIN ATOMIC\n  SELECT x * 2;\nEND;\n\
         CREATE PROCEDURE log_it(msg text) LANGUAGE sql\n\
         BEGIN ATOMIC\n  INSERT INTO notes (id, body) VALUES (10, msg);\n  \
         INSERT INTO notes (id, body) VALUES (11, CASE WHEN msg = '' THEN 'empty' ELSE msg || ';' END);\n\
         END;\n\
         CALL log_it('called; once');\n\
         INSERT INTO notes (id, body) VALUES (12, add_one(twice(3))::text);\n\
         DO $$ BEGIN PERFORM 1; INSERT INTO notes (id, body) VALUES (13, 'from do; block'); END $$;\n",
    ),
    (
        "20240603000000_settings.up.sql",
        "SET standard_conforming_strings = off;\n\
         INSERT INTO notes (id, body) VALUES (20, 'it\\'s; off');\n\
         RESET standard_conforming_strings;\n\
         INSERT INTO notes (id, body) VALUES (21, 'back\\slash; on');\n",
    ),
];

#[test]
fn tricky_files_leave_what_psql_leaves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_files(&dir, &TRICKY);

    let by_psql = TestDb::new();
    for (name, _) in TRICKY {
        by_psql.psql_file(&dir.join(name));
    }
    let by_plinth = TestDb::new();
    let out = expect(&by_plinth, &dir, "up", 0);
    assert!(out.contains("Applied 3 migration(s)."), "{out}");

    catalog::assert_same(
        &schema_of(&by_plinth),
        &catalog::describe(&mut by_psql.client()),
        "plinth against psql",
    );
    assert_eq!(routines(&by_plinth), routines(&by_psql));
    let got = rows(&by_plinth);
    assert_eq!(got, rows(&by_psql));
    // Not vacuous: the rows are there, as written, and the commented-out
    // one is not.
    let body = |id: i32| -> Option<String> {
        by_plinth
            .client()
            .query_opt("SELECT body FROM notes WHERE id = $1", &[&id])
            .unwrap()
            .map(|r| r.get(0))
    };
    assert_eq!(body(1).as_deref(), Some("it's; fine"));
    assert_eq!(body(3).as_deref(), Some(" $$ ; $Body$ "));
    assert_eq!(body(4).as_deref(), Some("back\\slash"));
    assert_eq!(body(5).as_deref(), Some("ab'; c"));
    assert_eq!(body(6).as_deref(), Some("a$b; col"));
    assert_eq!(body(11).as_deref(), Some("called; once;"));
    assert_eq!(body(12).as_deref(), Some("7"));
    assert_eq!(body(13).as_deref(), Some("from do; block"));
    assert_eq!(body(20).as_deref(), Some("it's; off"));
    assert_eq!(body(21).as_deref(), Some("back\\slash; on"));
    assert_eq!(body(99), None);
    assert_eq!(got.len(), 12, "{got:#?}");
    assert_eq!(routines(&by_plinth).len(), 3);
    assert_eq!(history(&by_plinth).len(), 3);
}

/// The statements psql sends for a script, read from its `-L` log.
fn psql_statements(db: &TestDb, sql: &str, options: &str) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("script.sql");
    let log = tmp.path().join("psql.log");
    fs::write(&script, sql).unwrap();
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=0", "-o", "/dev/null", "-d"])
        .arg(db.conninfo())
        .arg("-L")
        .arg(&log)
        .arg("-f")
        .arg(&script)
        .env("PGOPTIONS", options)
        .stdin(Stdio::null())
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = fs::read_to_string(&log).unwrap();
    let start = "********* QUERY **********\n";
    let end = "\n**************************\n";
    log.split(start)
        .skip(1)
        .map(|entry| entry.split(end).next().unwrap().to_owned())
        .collect()
}

/// The oracle for the splitter: psql itself, on scripts where a naive
/// split and psql differ. (Each statement is harmless; the ones psql's
/// split leaves broken fail on the server, which does not matter here.)
#[test]
fn scripts_split_where_psql_splits_them() {
    use plinth::core::sql::script::{StandardStrings, split};
    let on = [
        "SELECT E'it\\'s; fine', e'\\\\'; SELECT 'a''b;c', 'back\\';\nSELECT 2;",
        "SELECT 1 /* a /* b */ ; SELECT 'hidden'; */ + 2; SELECT 3;",
        "SELECT $fn$ BEGIN; $$ ; $Fn$; END $fn$;\nSELECT $é$;$é$, $_x1$ $ $_x1$;",
        "SELECT a$b$c; SELECT x$$y; SELECT $1$$; SELECT 8; $$; SELECT 1e$$; SELECT 1e+$$; SELECT 9; $$;",
        "SELECT 1 AS \"x;\"\"y\", U&\"a;b\"; SELECT U&'d\\0061t;''x', u&'\\'; SELECT 4;",
        "SELECT B'01;', X'ff;'; SELECT (1; (2;)); SELECT 1); SELECT 5;",
        "SELECT 1 -- not the end; SELECT 2\n; SELECT '--'; SELECT '/*';",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\n\
         BEGIN; SELECT 6; END;",
        "SELECT E'a'\n'b\\'; SELECT 7;",
        "SELECT E'a'\r'b\\'; c'; SELECT E'a' -- x\r 'b\\'; c'; SELECT 8;",
        "SELECT E'a'\n\r'b\\'; c'; SELECT 9;",
        "CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; SELECT 10;",
        "SELECT 1;\n-- a comment; only\n\nSELECT 2\n",
    ];
    let off = ["SELECT 'a\\'; b', N'c\\';d'; SELECT B'01''\\'; SELECT 2;'; SELECT 3;"];
    let db = TestDb::new();
    let cases = on
        .iter()
        .map(|sql| (sql, StandardStrings::On, ""))
        .chain(off.iter().map(|sql| {
            (
                sql,
                StandardStrings::Off,
                "-c standard_conforming_strings=off",
            )
        }));
    for (sql, strings, options) in cases {
        let ours: Vec<String> = split(sql, strings)
            .unwrap_or_else(|e| panic!("{sql:?}: {e}"))
            .iter()
            .map(|s| s.text.to_owned())
            .collect();
        assert!(!ours.is_empty());
        assert_eq!(ours, psql_statements(&db, sql, options), "{sql:?}");
    }
}

#[test]
fn a_file_that_cannot_be_split_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_files(
        &dir,
        &[
            ("20240601000000_fine.up.sql", "CREATE TABLE fine (a int);\n"),
            (
                "20240602000000_open.up.sql",
                "CREATE TABLE t (a text);\nINSERT INTO t VALUES ('never closed);\n",
            ),
        ],
    );
    let db = TestDb::new();
    let out = run(&db, &dir, "up");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("20240602000000_open.up.sql:2:23: unterminated quoted string"),
        "{stderr}"
    );
    assert!(stderr.contains("Nothing was applied."), "{stderr}");
    assert!(history(&db).is_empty());
    assert!(rows(&db).is_empty());
    assert_eq!(schema_of(&db), "", "the first file did not run either");

    // A psql meta-command is refused the same way, by name and place.
    fs::write(
        dir.join("20240602000000_open.up.sql"),
        "CREATE TABLE t (a text);\n\\i other.sql\n",
    )
    .unwrap();
    let out = run(&db, &dir, "up");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("20240602000000_open.up.sql:2:1: psql meta-command `\\i`"),
        "{stderr}"
    );
    assert!(history(&db).is_empty());
}

/// The word CONCURRENTLY in a string no longer keeps a file out of its
/// transaction: a failure later in the file takes everything back.
#[test]
fn only_a_statement_itself_decides_whether_it_runs_outside_a_transaction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_files(
        &dir,
        &[(
            "20240601000000_words.up.sql",
            "CREATE TABLE words (w text);\n\
             INSERT INTO words VALUES ('CONCURRENTLY'), ('VACUUM');\n\
             INSERT INTO no_such_table VALUES (1);\n",
        )],
    );
    let db = TestDb::new();
    let out = run(&db, &dir, "up");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert_eq!(schema_of(&db), "", "the file was rolled back whole");
    assert!(history(&db).is_empty());

    // And a comment before CREATE INDEX CONCURRENTLY does not hide it.
    write_files(
        &dir,
        &[(
            "20240601000000_words.up.sql",
            "CREATE TABLE words (w text);\n\
             /* fast; no lock */ CREATE INDEX CONCURRENTLY words_w ON words (w);\n",
        )],
    );
    let out = expect(&db, &dir, "up", 0);
    assert!(out.contains("applied 20240601000000_words"), "{out}");
    assert!(
        schema_of(&db).contains("CREATE INDEX words_w"),
        "{}",
        schema_of(&db)
    );
    assert_eq!(history(&db).len(), 1);
}

#[test]
fn a_changed_down_file_is_refused_and_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, &[]);
    let db = TestDb::new();
    expect(&db, &dir, "up", 0);
    db.psql_stdin("CREATE TABLE extra (note text);\nINSERT INTO extra VALUES ('keep me');");
    let before = (schema_of(&db), rows(&db), history(&db));
    assert_eq!(before.1, ["extra (\"keep me\")"]);

    let down = dir.join(format!("{}.down.sql", NAMES[2]));
    let original = fs::read(&down).unwrap();
    let mut edited = original.clone();
    edited.extend_from_slice(b"\nDELETE FROM extra;\n");
    fs::write(&down, &edited).unwrap();

    let out = run(&db, &dir, "down");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let now = plinth::db::checksum(&edited);
    let then = plinth::db::checksum(&original);
    assert!(
        stderr.contains(&format!(
            "{}.down.sql was changed after {} was applied",
            NAMES[2], NAMES[2]
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "checksum {} now, {} then",
            &now[..12],
            &then[..12]
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was reverted"), "{stderr}");
    assert_eq!((schema_of(&db), rows(&db), history(&db)), before);

    let status = expect(&db, &dir, "status", 1);
    let line = status_line(&status, NAMES[2]).trim_start();
    assert!(line.starts_with("changed down"), "{status}");
    assert!(
        line.contains(&now[..12]) && line.contains(&then[..12]),
        "{status}"
    );
    assert!(
        status_line(&status, NAMES[1])
            .trim_start()
            .starts_with("applied"),
        "{status}"
    );

    // Put back, it runs.
    fs::write(&down, &original).unwrap();
    let out = expect(&db, &dir, "down", 0);
    assert!(out.contains(&format!("reverted {}", NAMES[2])), "{out}");
    assert_eq!(history(&db).len(), 2);
}

#[test]
fn a_down_file_missing_at_up_time_is_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_files(
        &dir,
        &[(
            "20240601000000_one_way.up.sql",
            "CREATE TABLE one_way (a int);\n",
        )],
    );
    let db = TestDb::new();
    expect(&db, &dir, "up", 0);
    assert_eq!(
        down_checksums(&db),
        [("20240601000000".to_owned(), Some("none".to_owned()))]
    );
    let status = expect(&db, &dir, "status", 0);
    assert!(
        status_line(&status, "one_way").contains("no down file"),
        "{status}"
    );
    assert!(
        status_line(&status, "one_way")
            .trim_start()
            .starts_with("applied"),
        "{status}"
    );

    // A down file written afterwards was never reviewed with its up file.
    let down = dir.join("20240601000000_one_way.down.sql");
    fs::write(&down, "DROP TABLE one_way;\n").unwrap();
    let status = expect(&db, &dir, "status", 1);
    let line = status_line(&status, "one_way").trim_start();
    assert!(line.starts_with("changed down"), "{status}");
    assert!(line.contains("was added since"), "{status}");
    let out = run(&db, &dir, "down");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("one_way.down.sql was changed after"),
        "{stderr}"
    );
    assert!(stderr.contains("no file then"), "{stderr}");
    assert!(schema_of(&db).contains("table one_way"));
    assert_eq!(history(&db).len(), 1);
}

/// A history table made by a plinth that did not record down files: status
/// reads it as it is and says the down files are not checked, down runs,
/// and the next up adds the column.
#[test]
fn a_history_table_from_an_older_plinth_keeps_working() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_chain(&dir, &[]);
    let db = TestDb::new();
    expect(&db, &dir, "up", 0);
    // Rebuild the table as the older plinth made it.
    db.psql_stdin(
        "CREATE TABLE old AS SELECT version, name, checksum, applied_at, execution_ms \
         FROM plinth_migrations;\n\
         DROP TABLE plinth_migrations;\n\
         CREATE TABLE plinth_migrations (version text PRIMARY KEY, name text NOT NULL, \
         checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), \
         execution_ms bigint NOT NULL);\n\
         INSERT INTO plinth_migrations SELECT * FROM old;\nDROP TABLE old;\n",
    );
    let columns = |db: &TestDb| -> i64 {
        db.client()
            .query_one(
                "SELECT count(*) FROM information_schema.columns \
                 WHERE table_name = 'plinth_migrations' AND column_name = 'down_checksum'",
                &[],
            )
            .unwrap()
            .get(0)
    };

    let status = expect(&db, &dir, "status", 0);
    for name in NAMES {
        let line = status_line(&status, name).trim_start();
        assert!(line.starts_with("applied"), "{status}");
        assert!(line.contains("down file not checked"), "{status}");
    }
    assert_eq!(columns(&db), 0, "status changes nothing");

    let out = expect(&db, &dir, "down", 0);
    assert!(out.contains("was not checked"), "{out}");
    assert!(out.contains(&format!("reverted {}", NAMES[2])), "{out}");
    expect(&db, &dir, "up", 0);
    assert_eq!(columns(&db), 1);
    let downs = down_checksums(&db);
    assert_eq!(downs[0].1, None);
    assert_eq!(downs[1].1, None);
    let bytes = fs::read(dir.join(format!("{}.down.sql", NAMES[2]))).unwrap();
    assert_eq!(downs[2].1, Some(plinth::db::checksum(&bytes)));
    catalog::assert_same(&schema_of(&db), &reference(&versions()[2].1), "after up");
}

/// `migrate up` records the design its migrations lead to, as `apply`
/// does: a field renamed afterwards in that design (id kept) is then
/// planned by `apply` as a RENAME, and the row in it stays.
#[test]
fn migrate_up_remembers_the_design_so_a_later_rename_is_a_rename() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    write_chain(dir.path(), &[]);
    expect(&db, dir.path(), "up", 0);
    let recorded: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM plinth.applied WHERE schema_name = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(recorded, 1, "one record of the snapshot");
    // Running up again with nothing to do records nothing new.
    expect(&db, dir.path(), "up", 0);
    let again: i64 = db
        .client()
        .query_one("SELECT count(*) FROM plinth.applied", &[])
        .unwrap()
        .get(0);
    assert_eq!(again, 1);

    db.psql_stdin("INSERT INTO users (email, display_name) VALUES ('a@example.com', 'keep me');");
    let snapshot = fs::read_to_string(dir.path().join(".plinth/snapshot.ron")).unwrap();
    let renamed = snapshot.replacen(
        r#"name: "display_name", type: "varchar(200)""#,
        r#"name: "nickname", type: "varchar(200)""#,
        1,
    );
    assert_ne!(renamed, snapshot, "the field to rename is in the snapshot");
    let design = dir.path().join("renamed.ron");
    fs::write(&design, renamed).unwrap();
    let plan = run_plinth(&[
        "apply",
        design.to_str().unwrap(),
        "--url",
        &db.conninfo(),
        "--dry-run",
    ]);
    assert!(
        plan.contains("RENAME COLUMN display_name TO nickname"),
        "the plan renames:\n{plan}"
    );
    assert!(!plan.contains("DROP COLUMN"), "{plan}");
    run_plinth(&[
        "apply",
        design.to_str().unwrap(),
        "--url",
        &db.conninfo(),
        "--yes",
    ]);
    let kept: String = db
        .client()
        .query_one("SELECT nickname FROM users", &[])
        .unwrap()
        .get(0);
    assert_eq!(kept, "keep me");
}
