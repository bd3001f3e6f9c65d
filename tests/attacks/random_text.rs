//! Random text in every name, comment and text default of a design:
//! quotes, backslashes, semicolons, dollar signs, `--`, `/*`, psql's `\`
//! and `:`, line breaks and any Unicode. The DDL plinth writes for it,
//! run by the real `psql` (whose own lexer is part of what an attacker
//! aims at), builds exactly that text into the catalog, and the canary
//! outside the schema survives every case.

use std::sync::atomic::{AtomicUsize, Ordering};

use plinth::core::edit::Edit;
use plinth::core::ids::IdGen;
use plinth::core::model::{DefaultValue, Design, Entity, EnumType, Field, SqlType};
use plinth::core::sql::create_script;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::common::{TestDb, quote_ident};
use crate::{canary, plant_canary};

/// Pieces that mean something to PostgreSQL's or psql's lexer, and text
/// that does not.
const PIECES: &[&str] = &[
    "'",
    "''",
    "\"",
    "\\",
    "\\'",
    ";",
    "$",
    "$$",
    "$a$",
    "--",
    "/*",
    "*/",
    ":",
    ":x",
    "\\!",
    "\\g",
    "E'",
    "U&",
    "(",
    ")",
    " ",
    "é",
    "日本",
    "🦀",
    "x",
    "DROP TABLE keep.canary;",
    "%",
    "\u{a0}",
];

/// Text built from the pieces, with line breaks and tabs where `breaks`.
fn text(max: usize, breaks: bool) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => proptest::sample::select(PIECES).prop_map(str::to_owned),
        2 => "[a-zA-Z0-9_]{1,3}",
        1 => any::<char>()
            .prop_filter("no NUL, no control characters in names", |c| !c.is_control())
            .prop_map(String::from),
        1 => Just(if breaks { "\n\t" } else { "_" }.to_owned()),
    ];
    proptest::collection::vec(piece, 1..max).prop_map(|parts| parts.concat())
}

/// Whether any text of the case holds NUL, which PostgreSQL's text cannot
/// store: such a design must be refused before any SQL is written.
fn holds_nul(case: &Case) -> bool {
    let mut all = vec![&case.enum_name];
    all.extend(&case.labels);
    for (table, comment, fields) in &case.tables {
        all.push(table);
        all.extend(comment);
        for (name, default, note) in fields {
            all.extend([name, default, note]);
        }
    }
    all.iter().any(|t| t.contains('\0'))
}

/// A name PostgreSQL keeps whole: at most 63 bytes, not blank.
fn name() -> impl Strategy<Value = String> {
    text(8, false)
        .prop_map(|s| {
            let mut s = s;
            while s.len() > 40 {
                s.pop();
            }
            s
        })
        .prop_filter("a name is not blank", |s| !s.trim().is_empty())
}

/// A field: its name, its text default and its comment.
type FieldCase = (String, String, String);
/// A table: its name, its comment and its fields.
type TableCase = (String, Option<String>, Vec<FieldCase>);

#[derive(Clone, Debug)]
struct Case {
    enum_name: String,
    labels: Vec<String>,
    tables: Vec<TableCase>,
}

fn case() -> impl Strategy<Value = Case> {
    let field = (name(), text(12, true), text(12, true));
    let table = (
        name(),
        proptest::option::of(text(12, true)),
        proptest::collection::vec(field, 1..4),
    );
    (
        name(),
        proptest::collection::vec(name(), 1..4),
        proptest::collection::vec(table, 1..3),
        any::<u8>(),
    )
        .prop_map(|(enum_name, labels, mut tables, nul)| {
            // One case in eight puts a NUL into a name, a default or a comment.
            if nul % 8 == 0 {
                let (table, _, fields) = &mut tables[0];
                let slot = match (nul / 8) % 4 {
                    0 => table,
                    1 => &mut fields[0].0,
                    2 => &mut fields[0].1,
                    _ => &mut fields[0].2,
                };
                let middle = slot.char_indices().nth(slot.chars().count() / 2);
                slot.insert(middle.map_or(slot.len(), |(at, _)| at), '\0');
            }
            Case {
                enum_name,
                labels,
                tables,
            }
        })
}

/// The design of a case: every field text, with a text default and a
/// comment; one more field of the enum type, defaulting to its first label.
/// `None` when the model refuses it (two names alike, a derived name too
/// long): refused before any SQL is written, which is not this test's point.
fn design(case: &Case) -> Option<Design> {
    let mut ids = IdGen::seeded(9);
    let mut d = Design::new("random text");
    d.enums.push(EnumType {
        id: ids.enum_type(),
        name: case.enum_name.clone(),
        values: case.labels.clone(),
        comment: Some(case.labels.join("\n")),
    });
    for (at, (table, comment, fields)) in case.tables.iter().enumerate() {
        let mut e = Entity::new(ids.entity(), table.clone());
        e.comment = comment.clone();
        for (field, default, note) in fields {
            let mut f = Field::new(ids.field(), field.clone(), SqlType::Text);
            f.default = Some(DefaultValue::Text(default.clone()));
            f.comment = Some(note.clone());
            e.fields.push(f);
        }
        let mut f = Field::new(
            ids.field(),
            "kind of thing",
            SqlType::Enum(case.enum_name.clone()),
        );
        f.default = Some(DefaultValue::Text(case.labels[0].clone()));
        e.fields.push(f);
        Edit::AddEntity {
            entity: Box::new(e),
            at,
        }
        .apply(&mut d)
        .ok()?;
    }
    d.validate().is_empty().then_some(d)
}

fn one(db: &TestDb, schema: &str, case: &Case) -> Result<(), TestCaseError> {
    if holds_nul(case) {
        prop_assert!(
            design(case).is_none(),
            "a design holding NUL was accepted: {:?}",
            case
        );
        NUL_REFUSED.fetch_add(1, Ordering::Relaxed);
        return Ok(());
    }
    let Some(design) = design(case) else {
        return Ok(());
    };
    db.psql_stdin(&format!("CREATE SCHEMA {};", quote_ident(schema)));
    let ddl = create_script(&design, schema);
    let out = db.psql_script(&ddl);
    prop_assert!(
        out.status.success(),
        "psql refused plinth's DDL:\n{}\n{ddl}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Err(why) = canary(db) {
        return Err(TestCaseError::fail(format!("{why}\n{ddl}")));
    }
    let mut client = db.client();
    let labels: Vec<String> = client
        .query(
            "SELECT e.enumlabel::text FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
             JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = $1 AND t.typname = $2 ORDER BY e.enumsortorder",
            &[&schema, &case.enum_name],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    prop_assert_eq!(&labels, &case.labels);
    for (table, comment, fields) in &case.tables {
        let qualified = format!("{}.{}", quote_ident(schema), quote_ident(table));
        let row = client
            .query_one(
                "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2",
                &[&schema, table],
            )
            .map_err(|e| TestCaseError::fail(format!("no table {qualified}: {e}\n{ddl}")))?;
        prop_assert_eq!(&row.get::<_, Option<String>>(0), comment);
        client
            .execute(&format!("INSERT INTO {qualified} DEFAULT VALUES"), &[])
            .unwrap();
        for (field, default, note) in fields {
            let value: String = client
                .query_one(
                    &format!("SELECT {} FROM {qualified}", quote_ident(field)),
                    &[],
                )
                .unwrap()
                .get(0);
            prop_assert_eq!(&value, default, "the default of {}", field);
            let described: Option<String> = client
                .query_one(
                    "SELECT col_description(a.attrelid, a.attnum) FROM pg_attribute a
                     WHERE a.attrelid = $1::text::regclass AND a.attname = $2",
                    &[&qualified, field],
                )
                .unwrap()
                .get(0);
            prop_assert_eq!(described.as_ref(), Some(note), "the comment of {}", field);
        }
    }
    Ok(())
}

static NUL_REFUSED: AtomicUsize = AtomicUsize::new(0);

/// One database for all cases (a schema each), dropped at the end.
#[test]
fn any_text_in_names_comments_and_defaults_is_stored_exactly() {
    let db = TestDb::new();
    plant_canary(&db);
    let n = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 64,
        ..Config::default()
    });
    let result = runner.run(&case(), |case| {
        let schema = format!("case {}", n.fetch_add(1, Ordering::Relaxed));
        one(&db, &schema, &case)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let built: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'case %'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(built >= 20, "most cases build a schema, not only {built}");
    assert!(
        NUL_REFUSED.load(Ordering::Relaxed) >= 1,
        "some case holds NUL and is refused"
    );
}
