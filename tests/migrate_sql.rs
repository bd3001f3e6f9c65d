//! `plinth migrate new --format sql`: the files it writes, their names and
//! transactions, the snapshot beside them, determinism, refusals, and a
//! real PostgreSQL that `psql` takes up the chain of `.up.sql` files and
//! back down the `.down.sql` files, with the catalog at each step equal to
//! what `plinth ddl` of that version builds.

#[path = "common/catalog.rs"]
mod catalog;
mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{TestDb, repo_root, run_plinth};

/// The designs of the chain: the shipped todo design, then v2 (an enum, a
/// field using it, a partial index), then v3 (a rename, a new table and a
/// foreign key to it, an enum value the migration itself uses, a wider
/// column).
fn versions() -> Vec<(&'static str, PathBuf)> {
    let fixtures = repo_root().join("tests/fixtures/migrate");
    vec![
        ("create todo", repo_root().join("designs/todo.ron")),
        ("task priorities", fixtures.join("todo_v2.ron")),
        ("projects", fixtures.join("todo_v3.ron")),
    ]
}

const TIMESTAMPS: [&str; 4] = [
    "20240501120000",
    "20240502120000",
    "20240503120000",
    "20240504120000",
];

fn plinth(args: &[&str]) -> Output {
    Command::new(common::plinth_bin())
        .args(args)
        .output()
        .expect("plinth runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn migrate_new(
    dir: &Path,
    design: &Path,
    message: &str,
    timestamp: &str,
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "migrate",
        "new",
        design.to_str().unwrap(),
        "-m",
        message,
        "--dir",
        dir.to_str().unwrap(),
        "--timestamp",
        timestamp,
    ];
    args.extend_from_slice(extra);
    plinth(&args)
}

fn migrate_ok(dir: &Path, design: &Path, message: &str, timestamp: &str, extra: &[&str]) -> String {
    let out = migrate_new(dir, design, message, timestamp, extra);
    assert!(
        out.status.success(),
        "plinth migrate new {} failed:\n{}{}",
        design.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Every file under `dir` (the snapshot included), by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn migration_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

#[test]
fn files_are_named_by_timestamp_and_slug_and_wrapped_in_a_transaction() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let v = versions();

    let out = migrate_ok(&dir, &v[0].1, "Create todo!", TIMESTAMPS[0], &[]);
    assert!(out.contains("20240501120000_create_todo.up.sql"), "{out}");
    assert!(out.contains("add entity `tasks`"), "{out}");
    assert_eq!(
        migration_files(&dir),
        [
            "20240501120000_create_todo.down.sql",
            "20240501120000_create_todo.up.sql"
        ]
    );
    let up = fs::read_to_string(dir.join("20240501120000_create_todo.up.sql")).unwrap();
    assert!(
        up.starts_with("-- Up 20240501120000_create_todo: Create todo!, written by plinth.\n"),
        "{up}"
    );
    let begin = up.find("\nBEGIN;\n").expect("BEGIN");
    let commit = up.find("\nCOMMIT;\n").expect("COMMIT");
    let create = up.find("CREATE TABLE public.users").expect("CREATE TABLE");
    assert!(begin < create && create < commit, "{up}");
    let down = fs::read_to_string(dir.join("20240501120000_create_todo.down.sql")).unwrap();
    assert!(
        down.contains(
            "\nBEGIN;\n\nSET LOCAL search_path TO pg_catalog, public;\n\n\
             DROP TABLE public.tasks;\n\nDROP TABLE public.users;\n\nCOMMIT;\n"
        ),
        "{down}"
    );

    // The snapshot is the design as of this migration, a design file
    // plinth reads like any other; the head names the migration.
    let snapshot = dir.join(".plinth/snapshot.ron");
    let saved = plinth::file::load(&snapshot).unwrap();
    assert_eq!(saved, plinth::file::load(&v[0].1).unwrap());
    assert_eq!(
        fs::read_to_string(dir.join(".plinth/head")).unwrap(),
        "20240501120000_create_todo\n"
    );

    migrate_ok(&dir, &v[1].1, "task priorities", TIMESTAMPS[1], &[]);
    assert_eq!(
        plinth::file::load(&snapshot).unwrap(),
        plinth::file::load(&v[1].1).unwrap()
    );
    migrate_ok(&dir, &v[2].1, "projects", TIMESTAMPS[2], &[]);
    // The new enum value commits before the transaction that uses it as
    // a default.
    let up = fs::read_to_string(dir.join("20240503120000_projects.up.sql")).unwrap();
    let add_value = up
        .find("ALTER TYPE public.task_priority ADD VALUE 'urgent';")
        .expect("ADD VALUE");
    assert!(add_value < up.find("\nBEGIN;\n").unwrap(), "{up}");
    assert!(
        up.contains("ALTER TABLE public.tasks RENAME COLUMN notes TO description;"),
        "{up}"
    );
    assert_eq!(migration_files(&dir).len(), 6);
}

#[test]
fn concurrent_indexes_leave_the_transaction_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    let v = versions();
    migrate_ok(&dir, &v[0].1, "create", TIMESTAMPS[0], &[]);
    let out = migrate_ok(
        &dir,
        &v[1].1,
        "priorities",
        TIMESTAMPS[1],
        &["--concurrently"],
    );
    assert!(out.contains("outside a transaction"), "{out}");
    let up = fs::read_to_string(dir.join("20240502120000_priorities.up.sql")).unwrap();
    assert!(!up.contains("BEGIN;"), "{up}");
    assert!(
        up.contains("CREATE INDEX CONCURRENTLY tasks_open_due_idx ON public.tasks (user_id, due_at) WHERE NOT done;"),
        "{up}"
    );
    let down = fs::read_to_string(dir.join("20240502120000_priorities.down.sql")).unwrap();
    assert!(
        down.contains("DROP INDEX CONCURRENTLY public.tasks_open_due_idx;")
            && !down.contains("BEGIN;"),
        "{down}"
    );
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let write_chain = || {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("migrations");
        for (i, (message, design)) in versions().iter().enumerate() {
            migrate_ok(&dir, design, message, TIMESTAMPS[i], &[]);
        }
        let all = files(&dir);
        (tmp, all)
    };
    let (_a, first) = write_chain();
    let (_b, second) = write_chain();
    assert!(first.len() >= 8, "{:?}", first.keys());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(second[name] == *bytes, "{name} differs between two runs");
    }
}

#[test]
fn nothing_to_migrate_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let v = versions();
    migrate_ok(&dir, &v[0].1, "create", TIMESTAMPS[0], &[]);
    let before = files(&dir);
    let out = migrate_new(&dir, &v[0].1, "again", TIMESTAMPS[1], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("Nothing to migrate"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(files(&dir), before);
}

#[test]
fn destructive_plans_are_refused_without_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let v = versions();
    for (i, (message, design)) in v.iter().enumerate() {
        migrate_ok(&dir, design, message, TIMESTAMPS[i], &[]);
    }
    let before = files(&dir);
    let destructive = repo_root().join("tests/fixtures/migrate/todo_v4_destructive.ron");
    let out = migrate_new(&dir, &destructive, "drop due dates", TIMESTAMPS[3], &[]);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stderr.contains("refusing a destructive plan"), "{stderr}");
    assert!(stderr.contains("--allow-destructive"), "{stderr}");
    assert!(
        stdout.contains("destructive-drop: dropping column `tasks.due_at` deletes its values"),
        "{stdout}"
    );
    assert_eq!(files(&dir), before, "a refused migration writes nothing");

    let out = migrate_ok(
        &dir,
        &destructive,
        "drop due dates",
        TIMESTAMPS[3],
        &["--allow-destructive"],
    );
    assert!(out.contains("destructive-drop"), "{out}");
    let up = fs::read_to_string(dir.join("20240504120000_drop_due_dates.up.sql")).unwrap();
    assert!(
        up.contains("ALTER TABLE public.tasks DROP COLUMN due_at;"),
        "{up}"
    );
}

#[test]
fn bad_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let v = versions();
    migrate_ok(&dir, &v[0].1, "create", TIMESTAMPS[1], &[]);

    // Migrations apply in name order: an earlier timestamp would run first.
    let out = migrate_new(&dir, &v[1].1, "late", TIMESTAMPS[0], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not after the last migration"),
        "{}",
        text(&out.stderr)
    );
    let out = migrate_new(&dir, &v[1].1, "x", "2024-05-01", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("YYYYMMDDHHMMSS"),
        "{}",
        text(&out.stderr)
    );
    let out = migrate_new(&dir, &v[1].1, "x", TIMESTAMPS[2], &["--revision", "abc"]);
    assert_eq!(out.status.code(), Some(2));

    // Without ids, renames could not be told from drops.
    let no_ids = tmp.path().join("no_ids.ron");
    fs::write(
        &no_ids,
        "(format: 1, name: \"x\", entities: [(name: \"t\", fields: [(name: \"id\", type: \"uuid\", not_null: true)], primary_key: [\"id\"])])\n",
    )
    .unwrap();
    let out = migrate_new(&dir, &no_ids, "x", TIMESTAMPS[2], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("plinth fmt"),
        "{}",
        text(&out.stderr)
    );

    // Migrations without the snapshot they lead to.
    fs::remove_dir_all(dir.join(".plinth")).unwrap();
    let out = migrate_new(&dir, &v[1].1, "x", TIMESTAMPS[2], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no snapshot"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_migration_without_a_timestamp_uses_the_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let out = plinth(&[
        "migrate",
        "new",
        versions()[0].1.to_str().unwrap(),
        "-m",
        "now",
        "--dir",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let names = migration_files(&dir);
    assert_eq!(names.len(), 2);
    let version = &names[0][..14];
    assert!(
        version.starts_with("20") && version.bytes().all(|b| b.is_ascii_digit()),
        "{names:?}"
    );
}

/// The catalog `plinth ddl` of a design builds in a fresh database.
fn ddl_catalog(design: &Path) -> String {
    let db = TestDb::new();
    db.psql_stdin(&run_plinth(&["ddl", design.to_str().unwrap()]));
    catalog::describe(&mut db.client())
}

#[test]
fn psql_applies_the_up_files_in_order_and_the_down_files_in_reverse() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let mut chain = versions();
    chain.push((
        "drop due dates",
        repo_root().join("tests/fixtures/migrate/todo_v4_destructive.ron"),
    ));
    for (i, (message, design)) in chain.iter().enumerate() {
        migrate_ok(
            &dir,
            design,
            message,
            TIMESTAMPS[i],
            &["--allow-destructive"],
        );
    }
    let expected: Vec<String> = chain.iter().map(|(_, d)| ddl_catalog(d)).collect();
    let names = migration_files(&dir);
    let ups: Vec<&String> = names.iter().filter(|n| n.ends_with(".up.sql")).collect();
    let downs: Vec<&String> = names.iter().filter(|n| n.ends_with(".down.sql")).collect();
    assert_eq!((ups.len(), downs.len()), (4, 4));

    let db = TestDb::new();
    let empty = catalog::describe(&mut db.client());
    for (i, up) in ups.iter().enumerate() {
        if i == 2 {
            // A row from before the rename keeps its value in the renamed
            // column.
            db.psql_stdin(
                "INSERT INTO users (email) VALUES ('a@example.com');
                 INSERT INTO tasks (user_id, title, notes)
                 SELECT id, 'write tests', 'kept across the rename' FROM users;",
            );
        }
        db.psql_file(&dir.join(up));
        let actual = catalog::describe(&mut db.client());
        catalog::assert_same(&actual, &expected[i], &format!("after {up}"));
    }
    let kept: String = db
        .client()
        .query_one("SELECT description FROM tasks", &[])
        .unwrap()
        .get(0);
    assert_eq!(kept, "kept across the rename");

    for (i, down) in downs.iter().enumerate().rev() {
        db.psql_file(&dir.join(down));
        let actual = catalog::describe(&mut db.client());
        let want = if i == 0 { &empty } else { &expected[i - 1] };
        catalog::assert_same(&actual, want, &format!("after {down}"));
    }
}
