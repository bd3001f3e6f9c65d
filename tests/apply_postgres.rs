//! `plinth apply` against a real server, a fresh database per test: it
//! builds a design on an empty database, does nothing the second time,
//! migrates after an edit, changes nothing on a dry run, lets two
//! concurrent applies run one after the other, and rolls a failed apply
//! back completely, naming the statement that failed.

#[path = "common/catalog.rs"]
mod catalog;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
