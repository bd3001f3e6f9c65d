//! `--schema` means that schema and only that: `plinth apply` into `app`
//! leaves a same-named table in `public` (and its rows) alone, and schemas
//! whose names need quoting (`MyApp`, `my app`) work for `apply`, `ddl`
//! and `migrate new` alike.

use std::process::Output;

use crate::common::{TestDb, plinth_in as plinth, quote_ident, repo_root};
use crate::{assert_canary, plant_canary};

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "plinth failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The tables of `schema`, sorted.
fn tables(db: &TestDb, schema: &str) -> Vec<String> {
    db.client()
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn todo_path() -> std::path::PathBuf {
    repo_root().join("designs/todo.ron")
}

#[test]
fn apply_into_a_schema_leaves_public_alone() {
    let db = TestDb::new();
    plant_canary(&db);
    db.psql_stdin(
        "CREATE SCHEMA app;
         CREATE TABLE public.legacy (id int PRIMARY KEY, note text);
         INSERT INTO public.legacy VALUES (1, 'keep me'), (2, 'me too');
         CREATE TABLE public.users (id int PRIMARY KEY);
         INSERT INTO public.users VALUES (7);",
    );
    let url = db.conninfo();
    let design = todo_path();
    let dir = tempfile::tempdir().unwrap();
    let design = design.to_str().unwrap();
    let out = ok(plinth(
        dir.path(),
        &["apply", design, "--url", &url, "--schema", "app", "--yes"],
    ));
    assert!(out.contains("Applied"), "{out}");
    assert_eq!(tables(&db, "app"), ["tasks", "users"]);
    assert_eq!(tables(&db, "public"), ["legacy", "users"]);
    let legacy: i64 = db
        .client()
        .query_one("SELECT count(*) FROM public.legacy", &[])
        .unwrap()
        .get(0);
    assert_eq!(legacy, 2, "public.legacy keeps its rows");
    let users: i32 = db
        .client()
        .query_one("SELECT id FROM public.users", &[])
        .unwrap()
        .get(0);
    assert_eq!(users, 7, "public.users is another table and is untouched");
    let again = ok(plinth(
        dir.path(),
        &["apply", design, "--url", &url, "--schema", "app", "--yes"],
    ));
    assert!(again.contains("Nothing to do"), "{again}");
    assert_canary(&db);
}

#[test]
fn schemas_that_need_quotes_work_for_apply_ddl_and_migrations() {
    for schema in ["MyApp", "my app"] {
        let db = TestDb::new();
        plant_canary(&db);
        db.psql_stdin(&format!("CREATE SCHEMA {};", quote_ident(schema)));
        let url = db.conninfo();
        let dir = tempfile::tempdir().unwrap();
        let design = todo_path();
        let design = design.to_str().unwrap();
        ok(plinth(
            dir.path(),
            &["apply", design, "--url", &url, "--schema", schema, "--yes"],
        ));
        assert_eq!(tables(&db, schema), ["tasks", "users"], "{schema}");
        assert!(tables(&db, "public").is_empty(), "{schema}");
        let again = ok(plinth(
            dir.path(),
            &["apply", design, "--url", &url, "--schema", schema, "--yes"],
        ));
        assert!(again.contains("Nothing to do"), "{schema}: {again}");

        // The same design through `plinth ddl | psql` into a second
        // database gives the same tables in the same schema.
        let other = TestDb::new();
        other.psql_stdin(&format!("CREATE SCHEMA {};", quote_ident(schema)));
        let ddl = ok(plinth(dir.path(), &["ddl", design, "--schema", schema]));
        other.psql_stdin(&ddl);
        assert_eq!(tables(&other, schema), ["tasks", "users"], "{schema}");
        assert!(tables(&other, "public").is_empty(), "{schema}");

        // A migration written for the schema runs there.
        ok(plinth(
            dir.path(),
            &[
                "migrate",
                "new",
                design,
                "-m",
                "create",
                "--schema",
                schema,
                "--timestamp",
                "20240501120000",
            ],
        ));
        let third = TestDb::new();
        third.psql_stdin(&format!("CREATE SCHEMA {};", quote_ident(schema)));
        third.psql_file(&dir.path().join("migrations/20240501120000_create.up.sql"));
        assert_eq!(tables(&third, schema), ["tasks", "users"], "{schema}");
        third.psql_file(&dir.path().join("migrations/20240501120000_create.down.sql"));
        assert!(tables(&third, schema).is_empty(), "{schema}");

        // `migrate up` into the schema keeps its history there too, under
        // the schema's own lock.
        let fourth = TestDb::new();
        plant_canary(&fourth);
        fourth.psql_stdin(&format!("CREATE SCHEMA {};", quote_ident(schema)));
        let url4 = fourth.url();
        ok(plinth(
            dir.path(),
            &[
                "migrate",
                "up",
                "--url",
                &url4,
                "--dir",
                "migrations",
                "--schema",
                schema,
            ],
        ));
        assert_eq!(
            tables(&fourth, schema),
            ["plinth_migrations", "tasks", "users"],
            "{schema}"
        );
        assert!(tables(&fourth, "public").is_empty(), "{schema}");
        let status = ok(plinth(
            dir.path(),
            &[
                "migrate",
                "status",
                "--url",
                &url4,
                "--dir",
                "migrations",
                "--schema",
                schema,
            ],
        ));
        assert!(status.contains("20240501120000"), "{schema}: {status}");
        assert_canary(&fourth);
        assert_canary(&db);
    }
}
