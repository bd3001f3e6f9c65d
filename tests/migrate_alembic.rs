//! `plinth migrate init --format alembic` and `plinth migrate new --format
//! alembic` as files: what init writes (and never overwrites), revisions
//! chained through the snapshot's head, reproducible bytes, refusals. The
//! revisions themselves are run by Alembic in `tests/alembic_postgres.rs`.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::repo_root;

fn plinth(args: &[&str]) -> Output {
    Command::new(common::plinth_bin())
        .args(args)
        .output()
        .expect("plinth runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn init(dir: &Path) -> Output {
    plinth(&[
        "migrate",
        "init",
        "--format",
        "alembic",
        "--dir",
        dir.to_str().unwrap(),
    ])
}

fn new(dir: &Path, design: &str, message: &str, extra: &[&str]) -> Output {
    let design = repo_root().join(design);
    let mut args = vec![
        "migrate",
        "new",
        design.to_str().unwrap(),
        "-m",
        message,
        "--format",
        "alembic",
        "--dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    plinth(&args)
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "plinth failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn versions(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("alembic/versions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn init_writes_a_project_and_keeps_what_exists() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    let out = ok(init(&dir));
    for file in [
        "alembic.ini",
        "alembic/env.py",
        "alembic/script.py.mako",
        "alembic/README",
    ] {
        assert!(
            dir.join(file).is_file(),
            "{file} missing; plinth said:\n{out}"
        );
    }
    assert!(dir.join("alembic/versions").is_dir());
    let ini = fs::read_to_string(dir.join("alembic.ini")).unwrap();
    assert!(
        ini.contains("script_location = %(here)s/alembic\n"),
        "{ini}"
    );
    let env = fs::read_to_string(dir.join("alembic/env.py")).unwrap();
    assert!(env.contains("os.environ.get(\"DATABASE_URL\")"), "{env}");
    assert!(env.contains("PLINTH_MODELS"), "{env}");

    fs::write(dir.join("alembic/env.py"), "# mine\n").unwrap();
    let out = ok(init(&dir));
    assert!(out.contains("kept"), "{out}");
    assert_eq!(
        fs::read_to_string(dir.join("alembic/env.py")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn revisions_chain_through_the_snapshot_head() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    ok(init(&dir));
    let out = ok(new(
        &dir,
        "designs/todo.ron",
        "Create todo",
        &["--revision", "aaa1", "--timestamp", "20240501120000"],
    ));
    assert!(out.contains("aaa1_create_todo.py"), "{out}");
    assert_eq!(
        fs::read_to_string(dir.join("alembic/.plinth/head")).unwrap(),
        "aaa1\n"
    );
    ok(new(
        &dir,
        "tests/fixtures/migrate/todo_v2.ron",
        "Task priorities",
        &["--revision", "bbb2", "--timestamp", "20240502120000"],
    ));
    // Without --revision, a random 12-digit hex id like Alembic's own.
    ok(new(
        &dir,
        "tests/fixtures/migrate/todo_v3.ron",
        "Projects",
        &[],
    ));
    let names = versions(&dir);
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"aaa1_create_todo.py".to_owned()));
    assert!(names.contains(&"bbb2_task_priorities.py".to_owned()));
    let third = names.iter().find(|n| n.ends_with("_projects.py")).unwrap();
    let id = third.strip_suffix("_projects.py").unwrap();
    assert!(
        id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{third}"
    );
    assert_eq!(
        fs::read_to_string(dir.join("alembic/.plinth/head")).unwrap(),
        format!("{id}\n")
    );

    let first = fs::read_to_string(dir.join("alembic/versions/aaa1_create_todo.py")).unwrap();
    assert!(first.starts_with("\"\"\"Create todo\n\nRevision ID: aaa1\nRevises: \nCreate Date: 2024-05-01 12:00:00 UTC\n"), "{first}");
    assert!(first.contains(
        "revision: str = \"aaa1\"\ndown_revision: Union[str, Sequence[str], None] = None\n"
    ));
    let second = fs::read_to_string(dir.join("alembic/versions/bbb2_task_priorities.py")).unwrap();
    assert!(
        second.contains("down_revision: Union[str, Sequence[str], None] = \"aaa1\"\n"),
        "{second}"
    );
    let last = fs::read_to_string(dir.join("alembic/versions").join(third)).unwrap();
    assert!(
        last.contains("down_revision: Union[str, Sequence[str], None] = \"bbb2\"\n"),
        "{last}"
    );

    // Nothing changed since: nothing written.
    let out = ok(new(
        &dir,
        "tests/fixtures/migrate/todo_v3.ron",
        "Again",
        &[],
    ));
    assert!(out.starts_with("Nothing to migrate"), "{out}");
    assert_eq!(versions(&dir).len(), 3);
}

#[test]
fn same_inputs_give_the_same_revision_bytes() {
    let write = || {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("app");
        ok(init(&dir));
        ok(new(
            &dir,
            "designs/shop.ron",
            "create shop",
            &["--revision", "0001", "--timestamp", "20240501120000"],
        ));
        let text = fs::read(dir.join("alembic/versions/0001_create_shop.py")).unwrap();
        let snapshot = fs::read(dir.join("alembic/.plinth/snapshot.ron")).unwrap();
        (text, snapshot)
    };
    assert!(write() == write(), "two runs with the same inputs differ");
}

#[test]
fn refusals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    // No project yet.
    let out = new(&dir, "designs/todo.ron", "x", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("plinth migrate init --format alembic"),
        "{}",
        text(&out.stderr)
    );

    ok(init(&dir));
    let out = new(&dir, "designs/todo.ron", "x", &["--revision", "no-dashes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("revision id"),
        "{}",
        text(&out.stderr)
    );

    ok(new(
        &dir,
        "tests/fixtures/migrate/todo_v3.ron",
        "x",
        &["--revision", "r1"],
    ));
    let out = new(
        &dir,
        "tests/fixtures/migrate/todo_v4_destructive.ron",
        "drop",
        &["--revision", "r2"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("refusing a destructive plan"));
    assert!(
        text(&out.stdout).contains("destructive-drop"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(versions(&dir), ["r1_x.py"]);
    let out = new(
        &dir,
        "tests/fixtures/migrate/todo_v4_destructive.ron",
        "drop",
        &["--revision", "r1"],
    );
    assert_eq!(out.status.code(), Some(1), "still destructive");
    let out = new(
        &dir,
        "tests/fixtures/migrate/todo_v4_destructive.ron",
        "drop",
        &["--revision", "r1", "--allow-destructive"],
    );
    assert_eq!(out.status.code(), Some(2), "revision r1 exists already");
    assert!(
        text(&out.stderr).contains("exists already"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn export_sqlmodel_writes_models() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("models.py");
    let design = repo_root().join("designs/blog.ron");
    ok(plinth(&[
        "export",
        "sqlmodel",
        design.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let written = fs::read_to_string(&out).unwrap();
    let printed = ok(plinth(&["export", "sqlmodel", design.to_str().unwrap()]));
    assert_eq!(written, printed);
    assert!(
        written.contains("class PostsTag(SQLModel, table=True):"),
        "{written}"
    );
    assert!(written.ends_with("metadata = SQLModel.metadata\n"));
}
