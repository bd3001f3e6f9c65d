//! Migration files that try to run more than they seem to (issue 11, item
//! 6). Each hides `DROP TABLE keep.canary` where a splitter that does not
//! read SQL as psql does would cut a statement: after `E'it\'s`, inside a
//! nested comment, a dollar-quoted body, a quoted name, a string read on a
//! server with `standard_conforming_strings = off`. `plinth migrate up`
//! runs them into one database and `psql -f` (`ON_ERROR_STOP=1`) into
//! another, and both leave the same catalog, routines, rules and rows, and
//! the canary. Files psql could not split, and psql's own backslash
//! commands, run nothing; a down file changed after its up file ran is
//! refused by name and changes nothing.

#[path = "../common/catalog.rs"]
pub(crate) mod catalog;

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{TestDb, plinth_in, quote_ident};
use crate::{assert_canary, plant_canary};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `plinth migrate ACTION --url URL --dir DIR`, run next to `dir`.
fn migrate(db: &TestDb, dir: &Path, action: &str) -> Output {
    let dir_arg = dir.to_str().expect("temporary paths are UTF-8");
    let args = ["migrate", action, "--url", &db.url(), "--dir", dir_arg];
    plinth_in(dir.parent().unwrap_or(dir), &args)
}

/// Runs and expects exit code `code`; returns stdout and stderr.
fn expect(db: &TestDb, dir: &Path, action: &str, code: i32) -> (String, String) {
    let out = migrate(db, dir, action);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(code),
        "plinth migrate {action}:\n{stdout}{stderr}"
    );
    (stdout, stderr)
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    fs::create_dir_all(dir).unwrap();
    for (name, sql) in files {
        fs::write(dir.join(name), sql).unwrap();
    }
}

/// One query's rows, each as text.
fn lines(db: &TestDb, sql: &str) -> Vec<String> {
    db.client()
        .query(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Every row of every table in `public` but plinth's history, as text.
fn rows(db: &TestDb) -> Vec<String> {
    let tables = lines(
        db,
        "SELECT format('%I', c.relname) FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' \
         AND c.relname <> 'plinth_migrations' ORDER BY 1",
    );
    let mut out = Vec::new();
    for table in tables {
        for row in lines(db, &format!("SELECT t::text FROM {table} t ORDER BY 1")) {
            out.push(format!("{table} {row}"));
        }
    }
    out
}

/// What a migration leaves in `public`: the catalog listing (tables,
/// columns, constraints, indexes, without plinth's history), routine and
/// rule definitions, and rows.
fn state(db: &TestDb) -> (String, Vec<String>, Vec<String>, Vec<String>) {
    let listing = catalog::describe(&mut db.client());
    let mut tables = String::new();
    let mut history = false;
    for line in listing.lines() {
        if !line.starts_with(' ') {
            history = line == "table plinth_migrations";
        }
        if !history {
            tables.push_str(line);
            tables.push('\n');
        }
    }
    let routines = lines(
        db,
        "SELECT pg_get_functiondef(p.oid) FROM pg_proc p \
         JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname = 'public' ORDER BY p.proname",
    );
    let rules = lines(
        db,
        "SELECT definition FROM pg_rules WHERE schemaname = 'public' ORDER BY rulename",
    );
    (tables, routines, rules, rows(db))
}

/// Runs the files with `psql -f` into a fresh database with the canary,
/// as a user of psql would, and returns that database.
fn by_psql(dir: &Path, files: &[(&str, &str)], setup: &str) -> TestDb {
    let db = TestDb::new();
    plant_canary(&db);
    if !setup.is_empty() {
        db.psql_stdin(&setup.replace("{db}", &quote_ident(db.name())));
    }
    for (name, _) in files {
        db.psql_file(&dir.join(name));
    }
    assert_canary(&db);
    db
}

/// Each line that writes a row also hides a `DROP TABLE keep.canary` just
/// past where a naive splitter would end the string or comment. The first
/// file holds only what plinth's splitter before this lexer read without
/// an error: that one ran its DROP and committed.
const HIDDEN: [(&str, &str); 4] = [
    (
        "20240701000000_comments.up.sql",
        "-- psql-style file; every `;` below but the last of a line is inside something\n\
         CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);\n\
         /* /* */ ; DROP TABLE keep.canary; -- */\n\
         INSERT INTO notes VALUES (1, '-- not a comment; /* nor this'); -- but this is; DROP TABLE keep.canary;\n",
    ),
    (
        "20240702000000_strings.up.sql",
        "INSERT INTO notes VALUES (3, E'it\\'s; fine'), (4, E'it\\'s; DROP TABLE keep.canary; --');\n\
         INSERT INTO notes VALUES (5, 'it''s; DROP TABLE keep.canary; --');\n\
         INSERT INTO notes VALUES (6, $q$it's; DROP TABLE keep.canary; --$q$);\n\
         INSERT INTO notes VALUES (7, U&'\\0041''s; DROP TABLE keep.canary; --');\n\
         INSERT INTO notes VALUES (8, 'back\\slash'), (9, e'\\\\'); /* end ; */\n\
         /* a /* b */ c /* d /* e */ */ ; DROP TABLE keep.canary; */ INSERT INTO notes VALUES (2, 'after; comments')\n",
    ),
    (
        "20240703000000_routines.up.sql",
        "CREATE FUNCTION note_count() RETURNS bigint LANGUAGE plpgsql AS $fn$\n\
         DECLARE n bigint;\n\
         BEGIN\n\
         \x20 SELECT count(*) INTO n FROM notes; -- a semicolon; inside\n\
         \x20 IF n < 0 THEN EXECUTE 'DROP TABLE keep.canary; --'; END IF;\n\
         \x20 RETURN n;\n\
         END\n\
         $fn$;\n\
         CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql\n\
         BEGIN ATOMIC\n\
         \x20 SELECT upper(t) || '; DROP TABLE keep.canary; --';\n\
         END;\n\
         DO $$ BEGIN INSERT INTO notes VALUES (10, 'from do; ' || note_count()); END $$;\n\
         INSERT INTO notes VALUES (11, shout('quiet; please'));\n",
    ),
    (
        "20240704000000_names.up.sql",
        "CREATE TABLE \"drop; table\" (\"a;b\" text, \"say \"\"hi\"\"; DROP TABLE keep.canary; --\" int);\n\
         INSERT INTO \"drop; table\" VALUES ('x;y', 1);\n\
         CREATE TABLE log (id int);\n\
         CREATE RULE log_it AS ON INSERT TO \"drop; table\"\n\
         \x20 DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));\n\
         INSERT INTO \"drop; table\" VALUES ('after the rule', 2)\n",
    ),
];

#[test]
fn statements_hidden_in_strings_comments_bodies_and_names_never_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_files(&dir, &HIDDEN);

    let db = TestDb::new();
    plant_canary(&db);
    let out = migrate(&db, &dir, "up");
    assert_canary(&db);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("Applied 4 migration(s)."), "{stdout}");

    let psql = by_psql(&dir, &HIDDEN, "");
    let (tables, routines, rules, got) = state(&db);
    let theirs = state(&psql);
    catalog::assert_same(&tables, &theirs.0, "plinth migrate up against psql -f");
    assert_eq!(routines, theirs.1);
    assert_eq!(rules, theirs.2);
    assert_eq!(got, theirs.3);

    // Not vacuous: every row went in with its text whole.
    let body = |id: i32| -> String {
        db.client()
            .query_one("SELECT body FROM notes WHERE id = $1", &[&id])
            .unwrap_or_else(|e| panic!("note {id}: {e}"))
            .get(0)
    };
    let drop = "; DROP TABLE keep.canary; --";
    assert_eq!(body(1), "-- not a comment; /* nor this");
    assert_eq!(body(2), "after; comments");
    assert_eq!(body(3), "it's; fine");
    assert_eq!(body(4), format!("it's{drop}"));
    assert_eq!(body(5), format!("it's{drop}"));
    assert_eq!(body(6), format!("it's{drop}"));
    assert_eq!(body(7), format!("A's{drop}"));
    assert_eq!(body(8), "back\\slash");
    assert_eq!(body(9), "\\");
    assert_eq!(body(10), "from do; 9");
    assert_eq!(body(11), format!("QUIET; PLEASE{drop}"));
    assert_eq!(
        lines(
            &db,
            "SELECT format('%s %s', \"a;b\", \"say \"\"hi\"\"; DROP TABLE keep.canary; --\") \
             FROM \"drop; table\" ORDER BY 1"
        ),
        ["after the rule 2", "x;y 1"]
    );
    assert_eq!(
        lines(&db, "SELECT id::text FROM log ORDER BY id"),
        ["1", "2"]
    );
    assert_eq!(got.len(), 15, "{got:#?}");
    assert_eq!(routines.len(), 2);
    assert_eq!(rules.len(), 1);
    assert_eq!(
        lines(&db, "SELECT version FROM plinth_migrations ORDER BY 1"),
        [
            "20240701000000",
            "20240702000000",
            "20240703000000",
            "20240704000000"
        ]
    );
}

#[test]
fn a_server_without_standard_conforming_strings_reads_strings_as_psql_does() {
    let files = [(
        "20240701000000_off.up.sql",
        "CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);\n\
         INSERT INTO notes VALUES (1, 'it\\'s; DROP TABLE keep.canary; --');\n\
         INSERT INTO notes VALUES (2, N'\\\\; DROP TABLE keep.canary; --');\n",
    )];
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_files(&dir, &files);
    let setup = "ALTER DATABASE {db} SET standard_conforming_strings = off;\n\
                 ALTER DATABASE {db} SET escape_string_warning = off;";

    let db = TestDb::new();
    plant_canary(&db);
    db.psql_stdin(&setup.replace("{db}", &quote_ident(db.name())));
    expect(&db, &dir, "up", 0);
    assert_canary(&db);
    let psql = by_psql(&dir, &files, setup);
    assert_eq!(state(&db), state(&psql));
    assert_eq!(
        rows(&db),
        [
            "notes (1,\"it's; DROP TABLE keep.canary; --\")",
            "notes (2,\"\\\\; DROP TABLE keep.canary; --\")"
        ]
    );
}

/// A file psql could not split either, one with a psql meta-command (`\!`
/// runs a shell command under psql) or a `COPY FROM STDIN` (psql reads the
/// next lines as rows), is refused with its place before any file runs.
#[test]
fn unsplittable_files_and_meta_commands_run_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let pwned = tmp.path().join("pwned");
    let shell = format!(
        "INSERT INTO fine VALUES (1);\n\\! touch {}\n",
        pwned.display()
    );
    let cases: [(&str, &str, &str); 6] = [
        (shell.as_str(), "2:1", "psql meta-command `\\!`"),
        (
            // psql reads the line after it as a row; plinth would read SQL.
            "INSERT INTO fine VALUES (1);\n copy fine FROM stdin;\nDROP TABLE keep.canary;\n\\.\n",
            "2:2",
            "`COPY ... FROM STDIN` takes its rows from psql's input",
        ),
        (
            "INSERT INTO fine VALUES (1);\n  SELECT 'never closed; DROP TABLE keep.canary;\n",
            "2:10",
            "unterminated quoted string",
        ),
        (
            "INSERT INTO fine VALUES (1);\n/* /* */ DROP TABLE keep.canary;\n",
            "2:1",
            "unterminated /* comment",
        ),
        (
            "INSERT INTO fine VALUES (1);\nDO $x$ BEGIN DROP TABLE keep.canary; END $$;\n",
            "2:4",
            "unterminated dollar-quoted string: `$x$`",
        ),
        (
            "INSERT INTO fine VALUES (1);\nSELECT \"a; DROP TABLE keep.canary;\n",
            "2:8",
            "unterminated quoted identifier",
        ),
    ];
    let db = TestDb::new();
    plant_canary(&db);
    for (sql, at, problem) in cases {
        write_files(
            &dir,
            &[
                ("20240701000000_fine.up.sql", "CREATE TABLE fine (a int);\n"),
                ("20240702000000_bad.up.sql", sql),
            ],
        );
        let out = migrate(&db, &dir, "up");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{sql:?}: {stderr}");
        assert!(
            stderr.contains(&format!("20240702000000_bad.up.sql:{at}: {problem}")),
            "{sql:?}: {stderr}"
        );
        assert!(stderr.contains("Nothing was applied."), "{stderr}");
        assert_eq!(
            lines(
                &db,
                "SELECT relname::text FROM pg_class WHERE relname = 'fine'"
            ),
            Vec::<String>::new(),
            "the first file did not run either"
        );
        assert!(!pwned.exists(), "the shell command ran");
        assert_canary(&db);
    }
}

/// A down file rewritten after its up file ran (to drop the canary and
/// empty a table) is refused by name with both checksums, and neither the
/// schema, the rows nor the history change; put back, it runs. An older
/// migration's tampered down file is listed by `status` and refused when
/// its turn comes.
#[test]
fn a_tampered_down_file_is_refused_by_name_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    write_files(
        &dir,
        &[
            (
                "20240701000000_accounts.up.sql",
                "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL);\n\
                 INSERT INTO accounts VALUES (1, 'ada'), (2, 'bob');\n",
            ),
            ("20240701000000_accounts.down.sql", "DROP TABLE accounts;\n"),
            (
                "20240702000000_notes.up.sql",
                "ALTER TABLE accounts ADD COLUMN note text;\n",
            ),
            (
                "20240702000000_notes.down.sql",
                "ALTER TABLE accounts DROP COLUMN note;\n",
            ),
        ],
    );
    let db = TestDb::new();
    plant_canary(&db);
    expect(&db, &dir, "up", 0);
    let history = |db: &TestDb| {
        lines(
            db,
            "SELECT format('%s %s %s', version, checksum, down_checksum) \
             FROM plinth_migrations ORDER BY version",
        )
    };
    let before = (state(&db), history(&db));
    assert_eq!(before.0.3, ["accounts (1,ada,)", "accounts (2,bob,)"]);
    assert_eq!(before.1.len(), 2);

    let evil =
        b"ALTER TABLE accounts DROP COLUMN note;\nDROP TABLE keep.canary;\nDELETE FROM accounts;\n";
    let sum = |bytes: &[u8]| plinth::db::checksum(bytes)[..12].to_owned();
    let last = dir.join("20240702000000_notes.down.sql");
    let first = dir.join("20240701000000_accounts.down.sql");
    let (last_then, first_then) = (fs::read(&last).unwrap(), fs::read(&first).unwrap());
    fs::write(&last, evil).unwrap();
    fs::write(
        &first,
        b"DROP TABLE accounts CASCADE;\nDROP SCHEMA keep CASCADE;\n",
    )
    .unwrap();

    let (_, stderr) = expect(&db, &dir, "down", 1);
    assert!(
        stderr.contains(&format!(
            "{} was changed after 20240702000000_notes was applied",
            last.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "checksum {} now, {} then",
            sum(evil),
            sum(&last_then)
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was reverted"), "{stderr}");
    assert_eq!((state(&db), history(&db)), before);
    assert_canary(&db);

    let (status, _) = expect(&db, &dir, "status", 1);
    for (name, then) in [
        ("20240701000000_accounts", &first_then),
        ("20240702000000_notes", &last_then),
    ] {
        let line = status
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} missing from:\n{status}"));
        assert!(line.trim_start().starts_with("changed down"), "{status}");
        assert!(line.contains(&sum(then)), "{status}");
    }

    // The last one put back runs; the first stays refused.
    fs::write(&last, &last_then).unwrap();
    let (out, _) = expect(&db, &dir, "down", 0);
    assert!(out.contains("reverted 20240702000000_notes"), "{out}");
    assert_eq!(
        rows(&db),
        ["accounts (1,ada)", "accounts (2,bob)"],
        "the column went, the rows stayed"
    );
    let kept = (state(&db), history(&db));
    let (_, stderr) = expect(&db, &dir, "down", 1);
    assert!(
        stderr.contains(&format!("{} was changed after", first.display())),
        "{stderr}"
    );
    assert_eq!((state(&db), history(&db)), kept);
    assert_eq!(kept.1.len(), 1);
    assert_canary(&db);
}
