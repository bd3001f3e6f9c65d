//! `plinth migrate up|down|status` against a real server, a fresh database
//! per test: the chain written by `plinth migrate new` goes up (the catalog
//! then equals what `plinth ddl` of the last version builds), down one step
//! and up again; a changed applied file is refused and reported; a manual
//! change to the schema shows as drift; concurrent runs apply each file once.

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
        stderr.contains("20240504120000_broken.up.sql failed"),
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
