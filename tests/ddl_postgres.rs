//! The DDL `plinth ddl` writes, run by the real `psql` on a real PostgreSQL,
//! creates exactly the schema the design describes.
//!
//! Each test applies the script to a fresh database, reads the result back
//! from the catalog and compares two descriptions of the schema in one
//! canonical text form: one read from the catalog, one computed from the
//! design as `plinth::file::load` returns it. The design side is derived
//! from the model (names from its naming rules, types as `SqlType` values),
//! never from the DDL text, so a mistake in the DDL writer shows up as a
//! difference instead of being repeated on both sides.

mod common;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use plinth::core::model::{
    DefaultValue, Deferrable, Design, Entity, Identity, ReferentialAction, SqlExpr, SqlType,
};
use postgres::Client;

use common::{TestDb, repo_root, run_plinth};

// ---------------------------------------------------------------------------
// The tests

/// Every design shipped in `designs/` must apply cleanly and produce its
/// schema. The directory is read at run time, so a new design is covered
/// as soon as it is added.
#[test]
fn every_design_in_the_repository_creates_exactly_its_schema() {
    let dir = repo_root().join("designs");
    let designs = design_files(&dir);
    assert!(
        !designs.is_empty(),
        "no *.ron design in {}; this test has nothing to check",
        dir.display()
    );
    let (mut from_catalog, mut from_design) = (String::new(), String::new());
    for path in &designs {
        let (catalog, design) = apply_and_describe(path);
        let heading = format!(
            "=== {}\n",
            path.strip_prefix(repo_root()).unwrap_or(path).display()
        );
        from_catalog += &(heading.clone() + &catalog.0);
        from_design += &(heading + &design.0);
    }
    assert_same_schema(Described(from_catalog), Described(from_design));
}

/// Reserved words, capitals, spaces and quotes in every kind of name and
/// text: the DDL must quote and escape all of them, and PostgreSQL must end
/// up with exactly these names, not folded to lower case or truncated.
#[test]
fn reserved_and_mixed_case_identifiers_are_accepted() {
    let design_text = r#"#![enable(implicit_some)]
(
    format: 1,
    name: "reserved words",
    enums: [
        (
            name: "Status Kind",
            values: ["new", "it's", "Done", "end date"],
            comment: "Says 'quotes' and a back\\slash.",
        ),
    ],
    entities: [
        (
            name: "user",
            comment: "Holds 'quotes', a back\\slash and \"double quotes\".",
            fields: [
                (name: "from", type: "integer", not_null: true, identity: Always),
                (name: "Group", type: "varchar(40)", default: Text("it's"), comment: "It's 'quoted' \\ here."),
                (name: "check", type: "Status Kind", not_null: true, default: Text("it's")),
                (name: "end date", type: "date"),
            ],
            primary_key: ["from"],
            uniques: [
                (fields: ["check", "Group"]),
            ],
            checks: [
                (expr: "\"end date\" > '2000-01-01'"),
                (name: "Group Not Empty", expr: "\"Group\" <> ''"),
            ],
            indexes: [
                (fields: ["end date"], where: "\"check\" <> 'Done'"),
            ],
        ),
        (
            name: "Order",
            comment: "An order placed by a user.",
            fields: [
                (name: "select", type: "bigint", not_null: true, identity: ByDefault),
                (name: "user", type: "integer", not_null: true),
                (name: "end date", type: "timestamptz", not_null: true, default: Expr("now()")),
                (name: "check", type: "Status Kind[]"),
            ],
            primary_key: ["select"],
            primary_key_name: "Order PK",
            indexes: [
                (fields: ["user", "end date"], unique: true),
                (name: "order by check", fields: ["check"], method: Gin),
            ],
            relationships: [
                (fields: ["user"], target: "user", on_delete: Cascade, on_update: Restrict),
            ],
        ),
        (
            name: "line item",
            fields: [
                (name: "Order", type: "bigint", not_null: true),
                (name: "from", type: "smallint", not_null: true),
                (name: "check", type: "Status Kind", default: Text("new"), comment: "Item's own status."),
            ],
            primary_key: ["Order", "from"],
            relationships: [
                (fields: ["Order"], target: "Order", on_delete: SetNull),
            ],
        ),
        (
            name: "select",
            fields: [
                (name: "group", type: "text", not_null: true),
                (name: "order", type: "integer"),
                (name: "Order", type: "integer"),
            ],
            uniques: [
                (name: "select group", fields: ["group"]),
            ],
            indexes: [
                (fields: ["order", "Order"]),
            ],
        ),
    ],
)
"#;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("reserved.ron");
    fs::write(&path, design_text).expect("the design file is written");

    // Guard the guard: the comparison below only proves something if the
    // design really holds the awkward names.
    let design = load(&path);
    let names: Vec<&str> = design.entities().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["user", "Order", "line item", "select"]);
    let user = design.entity_named("user").unwrap();
    for field in ["from", "Group", "check", "end date"] {
        assert!(user.field_named(field).is_some(), "user.{field}");
    }
    assert_eq!(design.enums[0].values[1], "it's");

    let (catalog, expected) = apply_and_describe(&path);
    assert_same_schema(catalog, expected);
}

/// Deferrable keys of both kinds, inline in `CREATE TABLE` and added by
/// `ALTER TABLE` where they close a cycle, come out as the design says;
/// and the cycle they close takes its rows in any order within a
/// transaction, which is what they are for.
#[test]
fn deferrable_foreign_keys_are_created_as_designed() {
    let design_text = r#"(
    format: 1,
    name: "deferrable",
    entities: [
        (
            name: "teams",
            fields: [
                (name: "id", type: "integer", not_null: true),
                (name: "captain_id", type: "integer", not_null: true),
            ],
            primary_key: ["id"],
            relationships: [
                (fields: ["captain_id"], target: "players", deferrable: Deferred),
            ],
        ),
        (
            name: "players",
            fields: [
                (name: "id", type: "integer", not_null: true),
                (name: "team_id", type: "integer", not_null: true),
                (name: "league_id", type: "integer"),
            ],
            primary_key: ["id"],
            relationships: [
                (fields: ["team_id"], target: "teams"),
                (name: "players_in_league", fields: ["league_id"], target: "leagues", on_delete: SetNull, deferrable: Immediate),
            ],
        ),
        (
            name: "leagues",
            fields: [(name: "id", type: "integer", not_null: true)],
            primary_key: ["id"],
        ),
    ],
)
"#;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("deferrable.ron");
    fs::write(&path, design_text).expect("the design file is written");

    // Guard the guard: one key of each kind, and the deferred one closes
    // the cycle with ALTER TABLE.
    let script = run_plinth(&[Path::new("ddl"), &path]);
    let closing = script
        .lines()
        .find(|l| l.starts_with("ALTER TABLE") && l.contains("DEFERRABLE INITIALLY DEFERRED"));
    assert!(closing.is_some(), "{script}");
    assert!(
        script.contains("ON DELETE SET NULL DEFERRABLE INITIALLY IMMEDIATE"),
        "{script}"
    );

    let (catalog, expected) = apply_and_describe(&path);
    assert!(expected.0.contains("DEFERRABLE INITIALLY DEFERRED"));
    assert_same_schema(catalog, expected);

    let db = TestDb::new();
    db.psql_stdin(&script);
    let mut client = db.client();
    client
        .batch_execute(
            "BEGIN;
             INSERT INTO teams (id, captain_id) VALUES (1, 10);
             INSERT INTO players (id, team_id) VALUES (10, 1);
             COMMIT;",
        )
        .expect("a deferred key lets the cycle's rows in within one transaction");
    let refused =
        client.batch_execute("INSERT INTO players (id, team_id, league_id) VALUES (11, 1, 5)");
    assert!(
        refused.is_err(),
        "an immediate key still checks each statement"
    );
}

/// Each column type plinth knows must come back from `format_type()` as the
/// same `SqlType`, or a database read back into a design would differ from
/// the design that made it.
#[test]
fn every_column_type_reads_back_as_designed() {
    let types = [
        "uuid",
        "text",
        "varchar",
        "varchar(10)",
        "char",
        "char(3)",
        "smallint",
        "integer",
        "bigint",
        "numeric",
        "numeric(10)",
        "numeric(10,2)",
        "real",
        "double precision",
        "boolean",
        "date",
        "time",
        "timestamp",
        "timestamptz",
        "interval",
        "json",
        "jsonb",
        "bytea",
        "mood",
        "integer[]",
        "mood[]",
        "timestamptz[]",
    ];
    let fields: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, ty)| format!("(name: \"c{i}\", type: \"{ty}\"),"))
        .collect();
    let design_text = format!(
        "#![enable(implicit_some)]\n(\n    format: 1,\n    name: \"types\",\n    \
         enums: [(name: \"mood\", values: [\"happy\", \"sad\"])],\n    \
         entities: [(name: \"every_type\", fields: [\n{}\n    ])],\n)\n",
        fields.join("\n")
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("types.ron");
    fs::write(&path, design_text).expect("the design file is written");

    let (catalog, expected) = apply_and_describe(&path);
    assert_same_schema(catalog, expected);
}

/// Defaults of each kind: literals that need escaping, numbers (PostgreSQL
/// stores `-1` as `'-1'::integer`), booleans, casts and function calls.
#[test]
fn defaults_read_back_as_designed() {
    let design_text = r#"#![enable(implicit_some)]
(
    format: 1,
    name: "defaults",
    enums: [(name: "mood", values: ["happy", "it's complicated"])],
    entities: [
        (
            name: "defaults",
            fields: [
                (name: "zero", type: "integer", default: Expr("0")),
                (name: "minus_one", type: "integer", default: Expr("-1")),
                (name: "ratio", type: "numeric(5,2)", default: Expr("1.5")),
                (name: "flag", type: "boolean", not_null: true, default: Expr("false")),
                (name: "doc", type: "jsonb", default: Expr("'{}'::jsonb")),
                (name: "label", type: "text", default: Text("it's a \\ 'test'")),
                (name: "short", type: "varchar(20)", default: Text("n/a")),
                (name: "numeric_text", type: "text", default: Text("42")),
                (name: "mood", type: "mood", default: Text("it's complicated")),
                (name: "at", type: "timestamptz", default: Expr("now()")),
                (name: "key", type: "uuid", default: Expr("gen_random_uuid()")),
                (name: "always", type: "bigint", not_null: true, identity: Always),
                (name: "by_default", type: "integer", not_null: true, identity: ByDefault),
            ],
        ),
    ],
)
"#;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("defaults.ron");
    fs::write(&path, design_text).expect("the design file is written");

    let (catalog, expected) = apply_and_describe(&path);
    assert_same_schema(catalog, expected);
}

/// PostgreSQL makes every identity column NOT NULL, so a design must say
/// so too: a nullable identity field is refused with its place, and the
/// NOT NULL one creates exactly what it says.
#[test]
fn identity_fields_must_be_not_null_like_in_postgresql() {
    let design_text = |not_null: &str| {
        format!(
            r#"#![enable(implicit_some)]
(
    format: 1,
    name: "identity",
    entities: [
        (
            name: "counters",
            fields: [
                (name: "id", type: "bigint", identity: Always{not_null}),
                (name: "label", type: "text"),
            ],
        ),
    ],
)
"#
        )
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("identity.ron");

    fs::write(&path, design_text("")).expect("the design file is written");
    let refused = plinth::file::load(&path).expect_err("a nullable identity is refused");
    assert!(
        refused
            .to_string()
            .contains("identity.ron:9:24: identity field `counters.id` must be NOT NULL"),
        "{refused}"
    );

    fs::write(&path, design_text(", not_null: true")).expect("the design file is written");
    let (catalog, expected) = apply_and_describe(&path);
    assert_same_schema(catalog, expected);
}

// ---------------------------------------------------------------------------
// Applying a design

/// The `*.ron` files directly in `dir`, sorted so failures are reproducible.
fn design_files(dir: &Path) -> Vec<PathBuf> {
    let entries =
        fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Design {
    plinth::file::load(path).unwrap_or_else(|e| panic!("cannot load design: {e}"))
}

/// Runs `plinth ddl FILE` into a fresh database with `psql` and returns the
/// schema as the catalog describes it and as the design describes it.
fn apply_and_describe(path: &Path) -> (Described, Described) {
    let script = run_plinth(&[Path::new("ddl"), path]);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let script_path = dir.path().join("ddl.sql");
    fs::write(&script_path, &script).expect("the script is written");

    let db = TestDb::new();
    db.psql_file(&script_path);
    let catalog = read_catalog(&mut db.client());
    let design = describe_design(&load(path));
    (catalog.render(), design.render())
}

// ---------------------------------------------------------------------------
// The canonical description of a schema
//
// Both sides fill in the same structs and print them with the same code, so
// only the content can differ. Names are printed with `{:?}` so spaces,
// quotes and case are visible. Everything unordered in PostgreSQL (tables,
// constraints, indexes) is sorted by name; column and key order is kept.

#[derive(Default)]
struct Schema {
    enums: Vec<EnumDesc>,
    tables: Vec<TableDesc>,
    /// Relations and types plinth has no reason to create (views,
    /// sequences other than those behind identity columns, domains...).
    /// Always empty on the design side.
    unexpected: Vec<String>,
}

struct EnumDesc {
    name: String,
    labels: Vec<String>,
    comment: Option<String>,
}

struct TableDesc {
    name: String,
    comment: Option<String>,
    columns: Vec<ColumnDesc>,
    primary_key: Option<KeyDesc>,
    uniques: Vec<KeyDesc>,
    /// Only names: PostgreSQL rewrites check expressions in its own style.
    checks: Vec<String>,
    foreign_keys: Vec<ForeignKeyDesc>,
    /// Indexes that no primary key or unique constraint owns.
    indexes: Vec<IndexDesc>,
}

struct ColumnDesc {
    name: String,
    /// The `SqlType` in `Debug` form, so equal text means equal types.
    ty: String,
    not_null: bool,
    /// In [`canonical_default`] form.
    default: Option<String>,
    identity: Option<&'static str>,
    comment: Option<String>,
}

struct KeyDesc {
    name: String,
    columns: Vec<String>,
}

struct ForeignKeyDesc {
    name: String,
    columns: Vec<String>,
    table: String,
    references: Vec<String>,
    on_delete: &'static str,
    on_update: &'static str,
    /// As `Deferrable::as_sql` words it.
    deferrable: &'static str,
}

struct IndexDesc {
    name: String,
    unique: bool,
    method: String,
    columns: Vec<String>,
    partial: bool,
}

impl Schema {
    fn render(mut self) -> Described {
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.unexpected.sort();
        let mut out = String::new();
        let mut line = |indent: usize, text: String| {
            out.push_str(&"    ".repeat(indent));
            out.push_str(&text);
            out.push('\n');
        };
        let comment = |c: &Option<String>| c.as_ref().map(|c| format!("comment {c:?}"));
        for e in &self.enums {
            line(0, format!("enum {:?} {:?}", e.name, e.labels));
            if let Some(c) = comment(&e.comment) {
                line(1, c);
            }
        }
        for t in &mut self.tables {
            line(0, format!("table {:?}", t.name));
            if let Some(c) = comment(&t.comment) {
                line(1, c);
            }
            for c in &t.columns {
                let mut text = format!("column {:?} {}", c.name, c.ty);
                text += if c.not_null { " not null" } else { " null" };
                if let Some(d) = &c.default {
                    text += &format!(" default {d}");
                }
                if let Some(i) = c.identity {
                    text += &format!(" identity {i}");
                }
                line(1, text);
                if let Some(c) = comment(&c.comment) {
                    line(2, c);
                }
            }
            if let Some(pk) = &t.primary_key {
                line(1, format!("primary key {:?} {:?}", pk.name, pk.columns));
            }
            t.uniques.sort_by(|a, b| a.name.cmp(&b.name));
            for u in &t.uniques {
                line(1, format!("unique {:?} {:?}", u.name, u.columns));
            }
            t.checks.sort();
            for c in &t.checks {
                line(1, format!("check {c:?}"));
            }
            t.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
            for f in &t.foreign_keys {
                line(
                    1,
                    format!(
                        "foreign key {:?} {:?} references {:?} {:?} on delete {} on update {} {}",
                        f.name,
                        f.columns,
                        f.table,
                        f.references,
                        f.on_delete,
                        f.on_update,
                        f.deferrable
                    ),
                );
            }
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            for i in &t.indexes {
                let unique = if i.unique { "unique " } else { "" };
                let partial = if i.partial { " partial" } else { "" };
                line(
                    1,
                    format!(
                        "{unique}index {:?} using {} {:?}{partial}",
                        i.name, i.method, i.columns
                    ),
                );
            }
        }
        for u in &self.unexpected {
            line(0, format!("unexpected {u}"));
        }
        Described(out)
    }
}

/// A schema description; `Debug` prints the text as is, so `assert_eq!`
/// shows two readable multi-line listings.
#[derive(PartialEq)]
struct Described(String);

impl fmt::Debug for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{}", self.0)
    }
}

/// `assert_eq!` with a line diff on failure: `-` lines are what the design
/// says and the database lacks, `+` lines what the database has instead.
fn assert_same_schema(catalog: Described, design: Described) {
    assert_eq!(
        catalog,
        design,
        "the database (left) is not what the design (right) says:\n{}",
        line_diff(&design.0, &catalog.0)
    );
}

/// A minimal line diff (longest common subsequence); enough for listings
/// of a few hundred lines.
fn line_diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out += &format!("  {}\n", a[i]);
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out += &format!("+ {}\n", b[j]);
            j += 1;
        } else {
            out += &format!("- {}\n", a[i]);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// The design side

fn describe_design(design: &Design) -> Schema {
    Schema {
        enums: design
            .enums
            .iter()
            .map(|e| EnumDesc {
                name: e.name.clone(),
                labels: e.values.clone(),
                comment: e.comment.clone(),
            })
            .collect(),
        tables: design
            .entities()
            .map(|e| describe_entity(design, e))
            .collect(),
        unexpected: Vec::new(),
    }
}

fn describe_entity(design: &Design, entity: &Entity) -> TableDesc {
    let columns = entity
        .fields
        .iter()
        .map(|f| ColumnDesc {
            name: f.name.clone(),
            ty: format!("{:?}", f.ty),
            not_null: f.not_null,
            default: f.default.as_ref().map(canonical_default),
            identity: f.identity.map(|i| match i {
                Identity::Always => "always",
                Identity::ByDefault => "by default",
            }),
            comment: f.comment.clone(),
        })
        .collect();
    let primary_key = entity.primary_key.as_ref().map(|pk| KeyDesc {
        name: design.primary_key_name(entity),
        columns: entity.field_names(&pk.fields),
    });
    let uniques = entity
        .uniques
        .iter()
        .map(|u| KeyDesc {
            name: design.unique_name(entity, u),
            columns: entity.field_names(&u.fields),
        })
        .collect();
    let checks = entity
        .checks
        .iter()
        .map(|c| design.check_name(entity, c))
        .collect();
    let action = |a: Option<ReferentialAction>| a.unwrap_or(ReferentialAction::NoAction).as_sql();
    let foreign_keys = design
        .relationships_from(&entity.id)
        .into_iter()
        .map(|r| {
            let target = design.entity(&r.to).expect("relationship targets exist");
            ForeignKeyDesc {
                name: design.relationship_name(r),
                columns: entity.field_names(&r.fields),
                table: target.name.clone(),
                references: target.field_names(&r.references),
                on_delete: action(r.on_delete),
                on_update: action(r.on_update),
                deferrable: r.deferrable.as_sql(),
            }
        })
        .collect();
    let indexes = entity
        .indexes
        .iter()
        .map(|i| IndexDesc {
            name: design.index_name(entity, i),
            unique: i.unique,
            method: i.method.as_sql().to_owned(),
            columns: entity.field_names(&i.fields),
            partial: i.predicate.is_some(),
        })
        .collect();
    TableDesc {
        name: entity.name.clone(),
        comment: entity.comment.clone(),
        columns,
        primary_key,
        uniques,
        checks,
        foreign_keys,
        indexes,
    }
}

// ---------------------------------------------------------------------------
// The catalog side: schema `public` only

fn read_catalog(client: &mut Client) -> Schema {
    let enums = client
        .query(
            "SELECT t.typname::text,
                    array(SELECT e.enumlabel::text FROM pg_enum e
                          WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
                    obj_description(t.oid, 'pg_type')
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typtype = 'e'",
            &[],
        )
        .expect("enums query")
        .iter()
        .map(|row| EnumDesc {
            name: row.get(0),
            labels: row.get(1),
            comment: row.get(2),
        })
        .collect();
    let tables: Vec<(u32, String, Option<String>)> = client
        .query(
            "SELECT c.oid, c.relname::text, obj_description(c.oid, 'pg_class')
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
            &[],
        )
        .expect("tables query")
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    let tables = tables
        .into_iter()
        .map(|(oid, name, comment)| read_table(client, oid, name, comment))
        .collect();
    let unexpected = read_unexpected(client);
    Schema {
        enums,
        tables,
        unexpected,
    }
}

/// Everything in `public` that is neither a table, an index, an enum, nor
/// what PostgreSQL makes for them by itself (row types, array types, the
/// sequences of identity columns).
fn read_unexpected(client: &mut Client) -> Vec<String> {
    client
        .query(
            "SELECT format('relation %I (relkind %s)', c.relname, c.relkind)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind NOT IN ('r', 'p', 'i')
               AND NOT (c.relkind = 'S' AND EXISTS (
                   SELECT 1 FROM pg_depend d
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                     AND d.deptype = 'i'))
             UNION ALL
             SELECT format('type %I (typtype %s)', t.typname, t.typtype)
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typtype <> 'e' AND t.typrelid = 0
               AND t.typcategory <> 'A'",
            &[],
        )
        .expect("query for unexpected objects")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

fn read_table(client: &mut Client, oid: u32, name: String, comment: Option<String>) -> TableDesc {
    let columns = client
        .query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                    pg_get_expr(d.adbin, d.adrelid), a.attidentity::text,
                    col_description(a.attrelid, a.attnum)
             FROM pg_attribute a
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum",
            &[&oid],
        )
        .expect("columns query")
        .iter()
        .map(|row| {
            let format_type: String = row.get(1);
            let identity: String = row.get(4);
            ColumnDesc {
                name: row.get(0),
                ty: match SqlType::parse(&format_type) {
                    Ok(ty) => format!("{ty:?}"),
                    Err(_) => format!("unreadable type {format_type:?}"),
                },
                not_null: row.get(2),
                default: row.get::<_, Option<String>>(3).map(|e| canonical_expr(&e)),
                identity: match identity.as_str() {
                    "" => None,
                    "a" => Some("always"),
                    "d" => Some("by default"),
                    _ => Some("unknown"),
                },
                comment: row.get(5),
            }
        })
        .collect();

    let mut table = TableDesc {
        name,
        comment,
        columns,
        primary_key: None,
        uniques: Vec::new(),
        checks: Vec::new(),
        foreign_keys: Vec::new(),
        indexes: Vec::new(),
    };
    read_constraints(client, oid, &mut table);
    table.indexes = read_indexes(client, oid);
    table
}

/// Column names of an `int2[]` of attribute numbers, in array order.
const COLUMNS_OF: &str = "array(SELECT a.attname::text
       FROM unnest({keys}) WITH ORDINALITY k(num, ord)
       JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num
       ORDER BY k.ord)";

fn read_constraints(client: &mut Client, oid: u32, table: &mut TableDesc) {
    let columns = COLUMNS_OF
        .replace("{keys}", "c.conkey")
        .replace("{rel}", "c.conrelid");
    let references = COLUMNS_OF
        .replace("{keys}", "c.confkey")
        .replace("{rel}", "c.confrelid");
    let sql = format!(
        "SELECT c.conname::text, c.contype::text, {columns},
                (SELECT r.relname::text FROM pg_class r WHERE r.oid = c.confrelid),
                {references}, c.confdeltype::text, c.confupdtype::text,
                c.condeferrable, c.condeferred
         FROM pg_constraint c WHERE c.conrelid = $1"
    );
    for row in client.query(&sql, &[&oid]).expect("constraints query") {
        let name: String = row.get(0);
        let kind: String = row.get(1);
        let columns: Vec<String> = row.get(2);
        match kind.as_str() {
            "p" => table.primary_key = Some(KeyDesc { name, columns }),
            "u" => table.uniques.push(KeyDesc { name, columns }),
            "c" => table.checks.push(name),
            "f" => table.foreign_keys.push(ForeignKeyDesc {
                name,
                columns,
                table: row.get::<_, Option<String>>(3).unwrap_or_default(),
                references: row.get(4),
                on_delete: action_of(&row.get::<_, String>(5)),
                on_update: action_of(&row.get::<_, String>(6)),
                deferrable: match (row.get::<_, bool>(7), row.get::<_, bool>(8)) {
                    (false, _) => Deferrable::NotDeferrable,
                    (true, false) => Deferrable::InitiallyImmediate,
                    (true, true) => Deferrable::InitiallyDeferred,
                }
                .as_sql(),
            }),
            // Exclusion or trigger constraints: plinth never writes them, so
            // one showing up is a difference worth seeing.
            other => table
                .checks
                .push(format!("{name} (unexpected constraint type {other})")),
        }
    }
}

/// `pg_constraint.confdeltype`/`confupdtype` as the SQL words.
fn action_of(code: &str) -> &'static str {
    match code {
        "a" => ReferentialAction::NoAction.as_sql(),
        "r" => ReferentialAction::Restrict.as_sql(),
        "c" => ReferentialAction::Cascade.as_sql(),
        "n" => ReferentialAction::SetNull.as_sql(),
        "d" => ReferentialAction::SetDefault.as_sql(),
        _ => "UNKNOWN",
    }
}

/// Indexes of the table that no primary key, unique or exclusion constraint
/// owns. (A foreign key also names an index in `conindid`, the one it uses
/// on the referenced table, so only those three kinds count.)
fn read_indexes(client: &mut Client, oid: u32) -> Vec<IndexDesc> {
    client
        .query(
            "SELECT ic.relname::text, i.indisunique, am.amname::text,
                    array(SELECT coalesce(a.attname::text, '<expression>')
                          FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
                          LEFT JOIN pg_attribute a
                                 ON a.attrelid = i.indrelid AND a.attnum = k.num
                          ORDER BY k.ord),
                    i.indpred IS NOT NULL
             FROM pg_index i
             JOIN pg_class ic ON ic.oid = i.indexrelid
             JOIN pg_am am ON am.oid = ic.relam
             WHERE i.indrelid = $1
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                               WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                                 AND c.contype IN ('p', 'u', 'x'))",
            &[&oid],
        )
        .expect("indexes query")
        .iter()
        .map(|row| IndexDesc {
            name: row.get(0),
            unique: row.get(1),
            method: row.get(2),
            columns: row.get(3),
            partial: row.get(4),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Defaults in one canonical form

/// A design default as the description prints it. Text is a literal; an
/// expression goes through the same normalisation as the catalog's, since
/// PostgreSQL stores `'{}'::jsonb` and `'x'` alike as a cast literal.
fn canonical_default(value: &DefaultValue) -> String {
    match value {
        DefaultValue::Text(text) => literal_or_number(text),
        DefaultValue::Expr(expr) => canonical_expr(expr),
    }
}

/// An expression with its trailing `::type` casts removed (PostgreSQL adds
/// them: `'pending'::order_status`, `'-1'::integer`); a string literal left
/// over is printed as [`literal_or_number`] does.
fn canonical_expr(expr: &str) -> String {
    let bare = strip_casts(expr.trim());
    match unquote_literal(bare) {
        Some(text) => literal_or_number(&text),
        None => bare.to_owned(),
    }
}

/// A number as is, since PostgreSQL stores a negative number as a quoted
/// literal with a cast; any other text as a quoted SQL literal.
fn literal_or_number(text: &str) -> String {
    let numeric = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "+-.eE".contains(c))
        && text.parse::<f64>().is_ok();
    if numeric {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

/// Removes `::type` suffixes at the top level of an expression, innermost
/// last, e.g. `'a'::text::"Status Kind"` gives `'a'`.
fn strip_casts(mut expr: &str) -> &str {
    while let Some(at) = last_top_level_cast(expr) {
        let ty = &expr[at + 2..];
        if !looks_like_type(ty) {
            break;
        }
        expr = expr[..at].trim_end();
    }
    expr
}

/// The byte offset of the last `::` outside quotes and parentheses.
fn last_top_level_cast(expr: &str) -> Option<usize> {
    let (mut single, mut double, mut depth) = (false, false, 0i32);
    let mut last = None;
    let bytes = expr.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'(' if !single && !double => depth += 1,
            b')' if !single && !double => depth -= 1,
            b':' if !single
                && !double
                && depth == 0
                && bytes.get(i + 1) == Some(&b':')
                && (i == 0 || bytes[i - 1] != b':') =>
            {
                last = Some(i);
            }
            _ => {}
        }
    }
    last
}

/// Whether a cast target is a type name such as `character varying(20)`,
/// `"Status Kind"` or `integer[]`, and not the rest of a larger expression.
fn looks_like_type(ty: &str) -> bool {
    let mut base = ty.trim();
    while let Some(inner) = base.strip_suffix("[]") {
        base = inner.trim_end();
    }
    let quoted = base.len() >= 2 && base.starts_with('"') && base.ends_with('"');
    let plain = !base.is_empty()
        && base
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || " _(),".contains(c));
    (quoted || plain) && SqlType::parse(ty).is_ok()
}

/// The text of a single-quoted SQL literal (`'it''s'` gives `it's`), or
/// `None` when the expression is anything else.
fn unquote_literal(expr: &str) -> Option<String> {
    let inner = expr.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut text = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // Inside the literal a quote must be doubled.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        text.push(c);
    }
    Some(text)
}

#[test]
fn defaults_are_normalised_like_postgresql_prints_them() {
    assert_eq!(canonical_expr("'pending'::order_status"), "'pending'");
    assert_eq!(canonical_expr("'it''s'::\"Status Kind\""), "'it''s'");
    assert_eq!(canonical_expr("'x'::character varying(20)"), "'x'");
    assert_eq!(canonical_expr("'-1'::integer"), "-1");
    assert_eq!(canonical_expr("now()"), "now()");
    assert_eq!(canonical_expr("'{}'::jsonb"), "'{}'");
    assert_eq!(canonical_expr("(a)::text || 'b'"), "(a)::text || 'b'");
    assert_eq!(canonical_expr("'a' || 'b'"), "'a' || 'b'");
    assert_eq!(
        canonical_default(&DefaultValue::Text("pending".into())),
        "'pending'"
    );
    assert_eq!(
        canonical_default(&DefaultValue::Expr(SqlExpr::parse("-1").unwrap())),
        "-1"
    );
    assert_eq!(
        canonical_default(&DefaultValue::Text("a\\b".into())),
        "'a\\b'"
    );
}

/// CREATE TABLE quietly drops a UNIQUE constraint over exactly the primary
/// key's columns; the design keeps both, so the database must too.
#[test]
fn a_unique_constraint_repeating_the_primary_key_is_kept() {
    let design_text = r#"(
    format: 1,
    name: "repeat",
    entities: [
        (
            name: "users",
            fields: [(name: "email", type: "text", not_null: true)],
            primary_key: ["email"],
            uniques: [(fields: ["email"])],
        ),
    ],
)
"#;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("repeat.ron");
    fs::write(&path, design_text).expect("the design file is written");
    let (catalog, expected) = apply_and_describe(&path);
    assert_same_schema(catalog, expected);
}
