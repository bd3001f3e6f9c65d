//! SQL text in a design that tries to be more than one expression: a
//! default, a check and an index predicate that close what they are in
//! and start a statement of their own. Each is refused when the design is
//! read, with the file, line and column, by every command that reads it
//! (`check`, `ddl`, `apply`), so nothing reaches `psql` or the server; and
//! the text that is one expression but would mean something else on a
//! server with `standard_conforming_strings = off` is written so that it
//! does not.

use std::path::{Path, PathBuf};

use crate::common::{TestDb, plinth_in as plinth, repo_root};
use crate::{assert_canary, plant_canary};

fn todo() -> String {
    std::fs::read_to_string(repo_root().join("designs/todo.ron")).expect("todo.ron reads")
}

/// The to-do design with `from` (which must occur once) replaced by `to`.
fn todo_with(from: &str, to: &str) -> String {
    let text = todo();
    assert_eq!(text.matches(from).count(), 1, "`{from}` is unique");
    text.replace(from, to)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The line and column (1-based) where `needle` starts in `source`.
fn place(source: &str, needle: &str) -> (usize, usize) {
    let at = source.find(needle).expect("the needle is in the source");
    let line = source[..at].matches('\n').count() + 1;
    let col = source[..at].rfind('\n').map_or(at, |nl| at - nl - 1) + 1;
    (line, col)
}

struct Attack {
    what: &'static str,
    design: String,
    /// Where in the file the refusal must point: the line of this text.
    at: &'static str,
}

fn attacks() -> Vec<Attack> {
    vec![
        Attack {
            what: "a default closing its column and dropping the canary",
            design: todo_with(
                r#"default: Expr("false")"#,
                r#"default: Expr("false); DROP TABLE keep.canary; --")"#,
            ),
            at: "DROP TABLE keep.canary",
        },
        Attack {
            what: "a check with a second statement",
            design: todo_with(
                r#"            primary_key: [
                "id",
            ],
            indexes: ["#,
                r#"            primary_key: [
                "id",
            ],
            checks: [(expr: "true); DROP TABLE keep.canary; --")],
            indexes: ["#,
            ),
            at: "DROP TABLE keep.canary",
        },
        Attack {
            what: "an index predicate ending the statement",
            design: todo_with(
                r#"(id: "iflwdrc", fields: ["user_id"])"#,
                r#"(id: "iflwdrc", fields: ["user_id"], where: "true; DROP TABLE keep.canary; --")"#,
            ),
            at: "DROP TABLE keep.canary",
        },
        Attack {
            what: "a psql command hidden in a default",
            design: todo_with(
                r#"default: Expr("false")"#,
                r#"default: Expr("false \\! touch /tmp/plinth-pwned")"#,
            ),
            at: "plinth-pwned",
        },
        Attack {
            what: "a comment swallowing the rest of the column",
            design: todo_with(
                r#"default: Expr("false")"#,
                r#"default: Expr("false /* swallow")"#,
            ),
            at: "swallow",
        },
        Attack {
            what: "a dollar quote psql reads differently",
            design: todo_with(r#"default: Expr("false")"#, r#"default: Expr("$1$x$1$")"#),
            at: "$1$x$1$",
        },
    ]
}

#[test]
fn injected_expressions_are_refused_by_every_command_and_nothing_runs() {
    let db = TestDb::new();
    plant_canary(&db);
    let dir = tempfile::tempdir().unwrap();
    let url = db.conninfo();
    for attack in attacks() {
        let path: PathBuf = dir.path().join("todo.ron");
        std::fs::write(&path, &attack.design).unwrap();
        let (line, _) = place(&attack.design, attack.at);
        for args in [
            vec!["check", "todo.ron"],
            vec!["ddl", "todo.ron"],
            vec!["apply", "todo.ron", "--url", url.as_str(), "--yes"],
        ] {
            let out = plinth(dir.path(), &args);
            let err = text(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{}: `plinth {}` must refuse the file:\n{err}{}",
                attack.what,
                args[0],
                text(&out.stdout)
            );
            assert!(
                err.contains(&format!("todo.ron:{line}:")),
                "{}: `plinth {}` names the file and line {line}: {err}",
                attack.what,
                args[0]
            );
            assert!(
                err.contains("not one SQL expression"),
                "{}: {err}",
                attack.what
            );
            assert!(
                !text(&out.stdout).contains("DROP TABLE keep"),
                "{}: nothing is printed for psql",
                attack.what
            );
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), attack.design);
    }
    assert!(!Path::new("/tmp/plinth-pwned").exists());
    // apply refused before it touched the database: no table was made.
    let tables: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);
    assert_canary(&db);
}

#[test]
fn a_default_naming_a_column_and_a_check_naming_no_field_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    for (design, at, says) in [
        (
            todo_with(r#"default: Expr("false")"#, r#"default: Expr("late")"#),
            r#"Expr("late")"#,
            "a default cannot refer to a column",
        ),
        (
            todo_with(
                r#"(id: "iflwdrc", fields: ["user_id"])"#,
                r#"(id: "iflwdrc", fields: ["user_id"], where: "NOT finished")"#,
            ),
            "iflwdrc",
            "names `finished`, not a field of `tasks`",
        ),
    ] {
        std::fs::write(dir.path().join("todo.ron"), &design).unwrap();
        let out = plinth(dir.path(), &["ddl", "todo.ron"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        let (line, _) = place(&design, at);
        assert!(err.contains(&format!("todo.ron:{line}:")), "{err}");
        assert!(err.contains(says), "{err}");
    }
}

/// A comment, a text default and an enum value that end in a backslash,
/// followed by a quote and a statement: on a database whose
/// `standard_conforming_strings` is off, `'x\'` would not close, and the
/// rest would run as SQL. `plinth ddl | psql` stores each text exactly.
#[test]
fn literals_mean_the_same_with_standard_conforming_strings_off() {
    let db = TestDb::new();
    plant_canary(&db);
    db.psql_stdin(&format!(
        "ALTER DATABASE {} SET standard_conforming_strings = off;",
        crate::common::quote_ident(db.name())
    ));
    let hostile = r"x\'; DROP TABLE keep.canary; --";
    let ron_text = hostile.replace('\\', "\\\\");
    let design = todo_with(
        r#"comment: "Free-form details, any length.""#,
        &format!(r#"comment: "{ron_text}", default: Text("{ron_text}")"#),
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("todo.ron"), &design).unwrap();
    let out = plinth(dir.path(), &["ddl", "todo.ron"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ddl = text(&out.stdout);
    // psql, connecting afresh, takes the database's setting.
    let setting = db.psql_stdin("SHOW standard_conforming_strings;");
    assert!(setting.contains("off"), "{setting}");
    db.psql_stdin(&ddl);
    let mut client = db.client();
    let comment: String = client
        .query_one(
            "SELECT col_description('public.tasks'::regclass, \
             (SELECT attnum FROM pg_attribute WHERE attrelid = 'public.tasks'::regclass \
              AND attname = 'notes'))",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(comment, hostile);
    client
        .batch_execute(
            "INSERT INTO public.users (email) VALUES ('a@example.com');
             INSERT INTO public.tasks (user_id, title)
             SELECT id, 't' FROM public.users;",
        )
        .unwrap();
    let notes: String = client
        .query_one("SELECT notes FROM public.tasks", &[])
        .unwrap()
        .get(0);
    assert_eq!(notes, hostile, "the default is the text, exactly");
    assert_canary(&db);
}
