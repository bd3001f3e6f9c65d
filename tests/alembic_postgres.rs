//! The Python outputs proven with the real tools: Alembic revisions written
//! by `plinth migrate new --format alembic` and SQLModel models written by
//! `plinth export sqlmodel`, run by Alembic, SQLAlchemy and psycopg2 on a
//! real PostgreSQL.
//!
//! For each shipped design: `alembic upgrade head` on an empty database
//! gives the catalog `plinth ddl` gives; `alembic downgrade base` leaves no
//! tables and no enum types; with the models as `target_metadata`,
//! `alembic check` finds nothing to change in the database `plinth ddl`
//! built; and the models' own `create_all` builds that same catalog. A
//! chain of three revisions goes up and down step by step.
//!
//! The test installs what it needs: a virtual environment under
//! `target/plinth-pyenv/` with alembic, sqlmodel and psycopg2-binary from
//! PyPI, reused while it holds them (a lock file keeps parallel test
//! processes from building it twice). When pip cannot install them the
//! tests fail, saying so; they never skip.

#[path = "common/catalog.rs"]
mod catalog;
mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{TestDb, repo_root, run_plinth};

/// What the environment needs; a change here rebuilds it.
const REQUIREMENTS: &[&str] = &[
    "alembic>=1.13,<2",
    "sqlmodel>=0.0.22,<0.1",
    "psycopg2-binary>=2.9,<3",
];

// ---------------------------------------------------------------------------
// The Python environment

fn pyenv_dir() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("plinth-pyenv")
}

/// The virtual environment's `bin/`, built on first use.
fn python_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(build_pyenv)
}

fn build_pyenv() -> PathBuf {
    let dir = pyenv_dir();
    let bin = dir.join("bin");
    let parent = dir.parent().expect("the environment has a parent");
    fs::create_dir_all(parent).unwrap();
    // Other test processes may be building it too: one at a time.
    let lock_path = parent.join("plinth-pyenv.lock");
    let lock = fs::File::create(&lock_path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", lock_path.display()));
    lock.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));

    let marker = dir.join("plinth-requirements.txt");
    let wanted = REQUIREMENTS.join("\n") + "\n";
    let ready = fs::read_to_string(&marker).is_ok_and(|m| m == wanted)
        && Command::new(bin.join("python"))
            .args(["-c", "import alembic, sqlmodel, psycopg2"])
            .output()
            .is_ok_and(|o| o.status.success());
    if ready {
        return bin;
    }

    let python = std::env::var("PLINTH_PYTHON").unwrap_or_else(|_| "python3".into());
    let _ = fs::remove_dir_all(&dir);
    let venv = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "these tests need Python 3 with venv to run Alembic and SQLModel, but \
                 `{python}` could not be run ({e}); install python3 and python3-venv, or set \
                 PLINTH_PYTHON"
            )
        });
    expect_ok(&format!("{python} -m venv {}", dir.display()), &venv);
    let pip = Command::new(bin.join("python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(REQUIREMENTS)
        .output()
        .expect("pip runs");
    if !pip.status.success() {
        panic!(
            "pip could not install {} into {} (is PyPI reachable?). These tests prove the \
             Alembic and SQLModel output with the real tools and fail rather than skip \
             without them.\npip said:\n{}{}",
            REQUIREMENTS.join(", "),
            dir.display(),
            String::from_utf8_lossy(&pip.stdout),
            String::from_utf8_lossy(&pip.stderr)
        );
    }
    fs::write(&marker, wanted).unwrap();
    drop(lock);
    bin
}

fn expect_ok(what: &str, out: &Output) {
    if !out.status.success() {
        panic!(
            "`{what}` failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ---------------------------------------------------------------------------
// Databases as SQLAlchemy URLs

/// The test database as a SQLAlchemy URL, from its libpq conninfo.
fn database_url(db: &TestDb) -> String {
    let mut values = std::collections::HashMap::new();
    let info = db.conninfo();
    let mut rest = info.as_str();
    while let Some((key, after)) = rest.trim_start().split_once("='") {
        let mut value = String::new();
        let mut chars = after.chars();
        let mut consumed = 0;
        while let Some(c) = chars.next() {
            consumed += c.len_utf8();
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        consumed += n.len_utf8();
                        value.push(n);
                    }
                }
                '\'' => break,
                c => value.push(c),
            }
        }
        values.insert(key.trim().to_owned(), value);
        rest = &after[consumed..];
    }
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let user = encode(&get("user"));
    let password = match values.get("password") {
        Some(p) => format!(":{}", encode(p)),
        None => String::new(),
    };
    let host = get("host");
    let port = values.get("port").cloned().unwrap_or_else(|| "5432".into());
    let dbname = encode(&get("dbname"));
    if host.starts_with('/') {
        format!(
            "postgresql+psycopg2://{user}{password}@/{dbname}?host={}&port={port}",
            encode(&host)
        )
    } else {
        format!("postgresql+psycopg2://{user}{password}@{host}:{port}/{dbname}")
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Projects

/// A directory set up with `plinth migrate init --format alembic`.
struct Project {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Project {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("app");
        run_plinth(&[
            "migrate",
            "init",
            "--format",
            "alembic",
            "--dir",
            dir.to_str().unwrap(),
        ]);
        Project { _tmp: tmp, dir }
    }

    fn migrate(&self, design: &Path, message: &str, revision: &str, timestamp: &str) -> String {
        run_plinth(&[
            "migrate",
            "new",
            design.to_str().unwrap(),
            "-m",
            message,
            "--format",
            "alembic",
            "--dir",
            self.dir.to_str().unwrap(),
            "--revision",
            revision,
            "--timestamp",
            timestamp,
        ])
    }

    fn export_models(&self, design: &Path) {
        let models = self.dir.join("models.py");
        run_plinth(&[
            "export",
            "sqlmodel",
            design.to_str().unwrap(),
            "-o",
            models.to_str().unwrap(),
        ]);
    }

    fn revision_file(&self, revision: &str) -> String {
        let versions = self.dir.join("alembic/versions");
        let name = fs::read_dir(&versions)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(&format!("{revision}_")) && n.ends_with(".py"))
            .unwrap_or_else(|| panic!("no revision {revision} in {}", versions.display()));
        fs::read_to_string(versions.join(name)).unwrap()
    }

    /// Runs `alembic ARGS...` against a database; returns its output.
    fn alembic(&self, db: &TestDb, args: &[&str]) -> String {
        let out = Command::new(python_bin().join("alembic"))
            .arg("-c")
            .arg(self.dir.join("alembic.ini"))
            .args(args)
            .current_dir(&self.dir)
            .env("DATABASE_URL", database_url(db))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("alembic runs");
        expect_ok(&format!("alembic {}", args.join(" ")), &out);
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    }

    /// Imports the models with warnings as errors, checks that every
    /// relationship resolves, and lets `create_all` build the database.
    fn create_all(&self, db: &TestDb) {
        let script = "import sys\n\
             import sqlalchemy as sa\n\
             from sqlalchemy.orm import configure_mappers\n\
             import models\n\
             configure_mappers()\n\
             engine = sa.create_engine(sys.argv[1])\n\
             models.metadata.create_all(engine)\n\
             engine.dispose()\n";
        let out = Command::new(python_bin().join("python"))
            .args(["-W", "error", "-c", script])
            .arg(database_url(db))
            .current_dir(&self.dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("python runs");
        expect_ok("python: import models, create_all", &out);
    }
}

fn design_path(name: &str) -> PathBuf {
    repo_root().join("designs").join(name)
}

/// The catalog `plinth ddl` builds, and the database it built.
fn ddl_database(design: &Path) -> (TestDb, String) {
    let db = TestDb::new();
    db.psql_stdin(&run_plinth(&["ddl", design.to_str().unwrap()]));
    let listing = catalog::describe(&mut db.client());
    (db, listing)
}

/// A catalog listing without Alembic's own `alembic_version` table.
fn without_alembic_version(listing: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in listing.lines() {
        if !line.starts_with(' ') {
            skipping = line == "table alembic_version";
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn schema(db: &TestDb) -> String {
    without_alembic_version(&catalog::describe(&mut db.client()))
}

// ---------------------------------------------------------------------------
// The shipped designs

fn shipped_design(name: &str) {
    through_alembic_and_sqlmodel(&design_path(name), name);
}

fn through_alembic_and_sqlmodel(design: &Path, name: &str) {
    let design = design.to_path_buf();
    let project = Project::new();
    project.migrate(&design, &format!("create {name}"), "0001", "20240501120000");
    project.export_models(&design);
    let (ddl_db, expected) = ddl_database(&design);

    // upgrade head on an empty database gives plinth ddl's catalog.
    let db = TestDb::new();
    project.alembic(&db, &["upgrade", "head"]);
    catalog::assert_same(
        &schema(&db),
        &expected,
        &format!("{name}: alembic upgrade head"),
    );

    // downgrade base leaves nothing: no tables, no enum types.
    project.alembic(&db, &["downgrade", "base"]);
    assert_eq!(
        schema(&db),
        "",
        "{name}: alembic downgrade base left objects behind"
    );

    // The models describe the database plinth ddl built.
    project.alembic(&ddl_db, &["stamp", "head"]);
    let check = project.alembic(&ddl_db, &["check"]);
    assert!(
        check.contains("No new upgrade operations detected"),
        "{name}: alembic check:\n{check}"
    );

    // And they build it themselves.
    let models_db = TestDb::new();
    project.create_all(&models_db);
    catalog::assert_same(
        &catalog::describe(&mut models_db.client()),
        &expected,
        &format!("{name}: SQLModel metadata.create_all"),
    );
}

#[test]
fn todo_through_alembic_and_sqlmodel() {
    shipped_design("todo.ron");
}

#[test]
fn blog_through_alembic_and_sqlmodel() {
    shipped_design("blog.ron");
}

#[test]
fn shop_through_alembic_and_sqlmodel() {
    shipped_design("shop.ron");
}

#[test]
fn legacy_through_alembic_and_sqlmodel() {
    shipped_design("legacy.ron");
}

/// Names Python and SQLAlchemy find awkward (keywords, `metadata`, `uuid`,
/// spaces, reserved SQL words), every column type, enum labels that are no
/// identifiers, two keys between the same tables, one-to-one, composite
/// and deferrable keys, named and partial and GIN indexes, identity
/// columns, quotes, `%` and `:` in comments and defaults.
#[test]
fn awkward_names_and_types_through_alembic_and_sqlmodel() {
    let design = repo_root().join("tests/fixtures/migrate/edge.ron");
    through_alembic_and_sqlmodel(&design, "edge.ron");
}

/// Names and text hostile to Python source (tests/attacks/exports.rs
/// proves the files compile and read back): the tools still build exactly
/// the catalog `plinth ddl` does, so every SQL name and comment survived
/// the mapping to Python identifiers and literals.
#[test]
fn hostile_python_names_through_alembic_and_sqlmodel() {
    let design = repo_root().join("tests/fixtures/attacks/python.ron");
    through_alembic_and_sqlmodel(&design, "python.ron");
}

// ---------------------------------------------------------------------------
// A chain of revisions

#[test]
fn a_chain_of_revisions_goes_up_and_down_step_by_step() {
    let fixtures = repo_root().join("tests/fixtures/migrate");
    let chain = [
        ("0001", "create todo", design_path("todo.ron")),
        ("0002", "task priorities", fixtures.join("todo_v2.ron")),
        ("0003", "projects", fixtures.join("todo_v3.ron")),
    ];
    let project = Project::new();
    for (i, (revision, message, design)) in chain.iter().enumerate() {
        project.migrate(
            design,
            message,
            revision,
            &format!("2024050{}120000", i + 1),
        );
    }
    // Each revision names the one before it.
    assert!(
        project
            .revision_file("0001")
            .contains("down_revision: Union[str, Sequence[str], None] = None\n")
    );
    assert!(
        project
            .revision_file("0002")
            .contains("down_revision: Union[str, Sequence[str], None] = \"0001\"\n")
    );
    let third = project.revision_file("0003");
    assert!(third.contains("down_revision: Union[str, Sequence[str], None] = \"0002\"\n"));
    assert!(
        third.contains("op.alter_column(\"tasks\", \"notes\", new_column_name=\"description\")"),
        "{third}"
    );
    assert!(third.contains(
        "op.create_foreign_key(\"tasks_project_id_fkey\", \"tasks\", \"projects\", [\"project_id\"], [\"id\"], ondelete=\"SET NULL\")"
    ), "{third}");
    assert!(third.contains("    with op.get_context().autocommit_block():\n        # Alembic has no operation to add an enum value.\n"), "{third}");

    let expected: Vec<String> = chain.iter().map(|(_, _, d)| ddl_database(d).1).collect();
    let db = TestDb::new();
    let empty = schema(&db);
    for (i, (revision, _, _)) in chain.iter().enumerate() {
        if i == 2 {
            // A row from before the rename keeps its value.
            db.psql_stdin(
                "INSERT INTO users (email) VALUES ('a@example.com');
                 INSERT INTO tasks (user_id, title, notes)
                 SELECT id, 'write tests', 'kept across the rename' FROM users;",
            );
        }
        project.alembic(&db, &["upgrade", "+1"]);
        catalog::assert_same(
            &schema(&db),
            &expected[i],
            &format!("upgrade to {revision}"),
        );
    }
    let kept: String = db
        .client()
        .query_one("SELECT description FROM tasks", &[])
        .unwrap()
        .get(0);
    assert_eq!(kept, "kept across the rename");

    // The models of the last version describe the migrated database.
    project.export_models(&chain[2].2);
    let check = project.alembic(&db, &["check"]);
    assert!(
        check.contains("No new upgrade operations detected"),
        "{check}"
    );

    for i in (0..chain.len()).rev() {
        project.alembic(&db, &["downgrade", "-1"]);
        let want = if i == 0 { &empty } else { &expected[i - 1] };
        catalog::assert_same(
            &schema(&db),
            want,
            &format!("downgrade from {}", chain[i].0),
        );
    }
}

// ---------------------------------------------------------------------------
// A broader chain on the shop design: renames, concurrent indexes, keys
// added NOT VALID, keys made deferrable, backfills, identity columns, drops

mod shop_chain {
    use plinth::core::edit::Edit;
    use plinth::core::ids::{EntityId, FieldId, IdGen};
    use plinth::core::model::{
        Check, DefaultValue, Deferrable, Design, Field, Identity, Index, IndexMethod,
        ReferentialAction, Relationship, RelationshipKind, SqlExpr, SqlType, Unique,
    };

    fn entity(d: &Design, name: &str) -> EntityId {
        d.entity_named(name).expect(name).id.clone()
    }

    fn field(d: &Design, table: &str, name: &str) -> (EntityId, FieldId) {
        let e = d.entity_named(table).expect(table);
        (e.id.clone(), e.field_named(name).expect(name).id.clone())
    }

    fn edited(d: &Design, edits: Vec<Edit>) -> Design {
        let mut d = d.clone();
        for edit in edits {
            edit.apply(&mut d)
                .unwrap_or_else(|e| panic!("{edit:?} applies: {e}"));
        }
        d
    }

    fn index(id: plinth::core::ids::IndexId, fields: Vec<FieldId>) -> Index {
        Index {
            id,
            name: None,
            fields,
            unique: false,
            method: IndexMethod::Btree,
            predicate: None,
        }
    }

    /// Cumulative versions of the shop, each with the flags its migration
    /// needs.
    pub fn versions(shop: Design) -> Vec<(&'static str, &'static [&'static str], Design)> {
        let mut ids = IdGen::seeded(7);
        let v0 = shop;

        let (customers, phone) = field(&v0, "customers", "phone");
        let (shipments, carrier) = field(&v0, "shipments", "carrier");
        let payment_status = v0.enum_named("payment_status").unwrap().id.clone();
        let v1 = edited(
            &v0,
            vec![
                Edit::RenameEntity {
                    id: customers.clone(),
                    name: "clients".into(),
                },
                Edit::RenameEnum {
                    id: payment_status,
                    name: "payment_state".into(),
                },
                Edit::SetEntityComment {
                    id: entity(&v0, "products"),
                    comment: Some("Everything the shop sells.".into()),
                },
                Edit::SetEntityComment {
                    id: entity(&v0, "warehouses"),
                    comment: None,
                },
                Edit::SetFieldComment {
                    entity: customers.clone(),
                    field: phone.clone(),
                    comment: None,
                },
                Edit::RenameField {
                    entity: shipments,
                    field: carrier,
                    name: "carrier_name".into(),
                },
            ],
        );

        let order_status = v1.enum_named("order_status").unwrap();
        let mut statuses = order_status.values.clone();
        statuses.insert(4, "refunded".into());
        let (payments, status) = field(&v1, "payments", "status");
        let (products, product_name) = field(&v1, "products", "name");
        let v2 = edited(
            &v1,
            vec![
                Edit::SetEnumValues {
                    id: order_status.id.clone(),
                    values: statuses,
                },
                Edit::AddIndex {
                    entity: payments,
                    index: index(ids.index(), vec![status]),
                    at: 1,
                },
                Edit::AddUnique {
                    entity: products,
                    unique: Unique {
                        id: ids.unique(),
                        name: None,
                        fields: vec![product_name],
                    },
                    at: 1,
                },
                Edit::AddCheck {
                    entity: entity(&v1, "reviews"),
                    check: Check {
                        id: ids.check(),
                        name: Some("reviews_title_not_blank".into()),
                        expr: SqlExpr::parse("title <> ''").unwrap(),
                    },
                    at: 1,
                },
            ],
        );

        let reviews = entity(&v2, "reviews");
        let (order_items, order_item_key) = field(&v2, "order_items", "id");
        let order_item_id = Field::new(ids.field(), "order_item_id", SqlType::Uuid);
        let (categories, category_name) = field(&v2, "categories", "name");
        let (inventory, quantity) = field(&v2, "inventory", "quantity");
        let (addresses, region) = field(&v2, "addresses", "region");
        let mut position = Field::new(ids.field(), "position", SqlType::BigInt);
        position.not_null = true;
        position.identity = Some(Identity::ByDefault);
        let customer_fk = v2
            .relationships()
            .find(|r| v2.relationship_name(r) == "orders_customer_id_fkey")
            .unwrap()
            .id
            .clone();
        let order_fk = v2
            .relationships()
            .find(|r| v2.relationship_name(r) == "order_items_order_id_fkey")
            .unwrap()
            .id
            .clone();
        let v3 = edited(
            &v2,
            vec![
                Edit::AddField {
                    entity: reviews.clone(),
                    field: order_item_id.clone(),
                    at: 3,
                },
                Edit::AddRelationship {
                    relationship: Relationship {
                        id: ids.relationship(),
                        name: None,
                        kind: RelationshipKind::ManyToOne,
                        from: reviews.clone(),
                        fields: vec![order_item_id.id.clone()],
                        to: order_items,
                        references: vec![order_item_key],
                        on_delete: Some(ReferentialAction::SetNull),
                        on_update: None,
                        deferrable: Deferrable::InitiallyImmediate,
                        required: false,
                    },
                },
                Edit::AddIndex {
                    entity: reviews,
                    index: index(ids.index(), vec![order_item_id.id]),
                    at: 9,
                },
                Edit::SetRelationshipActions {
                    id: customer_fk,
                    on_delete: Some(ReferentialAction::Cascade),
                    on_update: None,
                },
                Edit::SetRelationshipDeferrable {
                    id: order_fk,
                    deferrable: Deferrable::InitiallyDeferred,
                },
                Edit::SetFieldType {
                    entity: categories,
                    field: category_name,
                    ty: SqlType::Varchar(Some(200)),
                },
                Edit::SetFieldType {
                    entity: inventory,
                    field: quantity,
                    ty: SqlType::BigInt,
                },
                Edit::SetDefault {
                    entity: addresses.clone(),
                    field: region.clone(),
                    default: Some(DefaultValue::Text("n/a".into())),
                },
                Edit::SetNotNull {
                    entity: addresses,
                    field: region,
                    not_null: true,
                },
                Edit::AddField {
                    entity: entity(&v2, "product_images"),
                    field: position,
                    at: 2,
                },
            ],
        );

        let v4 = edited(
            &v3,
            vec![
                Edit::RemoveEntity {
                    id: entity(&v3, "coupons"),
                },
                Edit::RemoveField {
                    entity: customers,
                    field: phone,
                },
            ],
        );

        vec![
            ("create shop", &[], v0),
            ("renames", &[], v1),
            ("values and indexes", &["--concurrently"], v2),
            ("keys and columns", &["--not-valid"], v3),
            ("drop coupons", &["--allow-destructive"], v4),
        ]
    }
}

#[test]
fn a_broader_chain_on_the_shop_goes_up_and_down() {
    let tmp = tempfile::tempdir().unwrap();
    let versions = shop_chain::versions(plinth::file::load(&design_path("shop.ron")).unwrap());
    let project = Project::new();
    let mut designs = Vec::new();
    for (i, (message, flags, design)) in versions.iter().enumerate() {
        let path = tmp.path().join(format!("shop_v{i}.ron"));
        plinth::file::save(&path, design).unwrap();
        let revision = format!("{:04}", i + 1);
        let mut args = vec![
            "migrate".to_owned(),
            "new".into(),
            path.to_str().unwrap().into(),
            "-m".into(),
            message.to_string(),
            "--format".into(),
            "alembic".into(),
            "--dir".into(),
            project.dir.to_str().unwrap().into(),
            "--revision".into(),
            revision,
            "--timestamp".into(),
            format!("2024050{}120000", i + 1),
        ];
        args.extend(flags.iter().map(|f| f.to_string()));
        run_plinth(&args);
        designs.push(path);
    }
    let second = project.revision_file("0003");
    assert!(second.contains("postgresql_concurrently=True"), "{second}");
    let third = project.revision_file("0004");
    assert!(third.contains("postgresql_not_valid=True"), "{third}");
    assert!(
        third.contains("deferrable=True, initially=\"IMMEDIATE\", postgresql_not_valid=True"),
        "{third}"
    );
    assert!(
        third.contains("ALTER CONSTRAINT order_items_order_id_fkey DEFERRABLE INITIALLY DEFERRED"),
        "{third}"
    );

    let expected: Vec<String> = designs.iter().map(|d| ddl_database(d).1).collect();
    let db = TestDb::new();
    let empty = schema(&db);
    for (i, (message, _, _)) in versions.iter().enumerate() {
        project.alembic(&db, &["upgrade", "+1"]);
        catalog::assert_same(&schema(&db), &expected[i], &format!("upgrade: {message}"));
    }
    project.export_models(designs.last().unwrap());
    let check = project.alembic(&db, &["check"]);
    assert!(
        check.contains("No new upgrade operations detected"),
        "{check}"
    );
    for i in (0..versions.len()).rev() {
        project.alembic(&db, &["downgrade", "-1"]);
        let want = if i == 0 { &empty } else { &expected[i - 1] };
        catalog::assert_same(&schema(&db), want, &format!("downgrade: {}", versions[i].0));
    }
}
