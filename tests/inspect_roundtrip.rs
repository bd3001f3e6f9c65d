//! `plinth inspect` against real schemas: every SQL file in
//! `../shared/fixtures/` is loaded into a fresh database, inspected, and the
//! DDL of the inspected design is applied to a second fresh database. Both
//! catalogs must be identical for everything the design holds, and the
//! warning must list exactly what it does not hold.

#[path = "common/catalog.rs"]
mod catalog;
mod common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{TestDb, plinth_bin, repo_root, run_plinth};
use plinth::core::check::{Rule, check};
use plinth::core::ids::IdGen;
use plinth::core::model::Deferrable;

fn fixtures() -> Vec<PathBuf> {
    let dir = repo_root().join("../shared/fixtures");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "the real-world schemas are expected in {} ({e}); they are shared with the project",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with("pagila.sql"))
            && files.iter().any(|f| f.ends_with("chinook.sql")),
        "pagila.sql and chinook.sql are missing from {}",
        dir.display()
    );
    files
}

/// What `plinth inspect` said on stderr: the not-held list and the
/// adaptations, one entry per line.
struct Warnings {
    not_held: Vec<String>,
    adapted: Vec<String>,
}

fn parse_warnings(stderr: &str) -> Warnings {
    let mut w = Warnings {
        not_held: Vec::new(),
        adapted: Vec::new(),
    };
    let mut section = 0;
    for line in stderr.lines() {
        if line.starts_with("warning: the design does not hold") {
            section = 1;
        } else if line.starts_with("note:") {
            section = 2;
        } else if let Some(item) = line.strip_prefix("  ") {
            match section {
                1 => w.not_held.push(item.to_owned()),
                2 => w.adapted.push(item.to_owned()),
                _ => panic!("unexpected line on stderr: {line}"),
            }
        } else {
            panic!("unexpected line on stderr: {line}");
        }
    }
    w
}

/// `kind name` of a not-held line, without the reason in parentheses.
fn without_reason(item: &str) -> &str {
    match item.find(" (") {
        Some(at) if item.ends_with(')') && !item[..at].contains('(') => &item[..at],
        _ => item,
    }
}

/// The objects the model does not hold, computed from the catalog with
/// queries of the test's own.
fn expected_not_held(db: &TestDb) -> BTreeSet<String> {
    let mut client = db.client();
    let rows = client
        .query(
            "SELECT 'view ' || relname FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind = 'v'
             UNION ALL SELECT 'materialized view ' || relname FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind = 'm'
             UNION ALL SELECT 'partitioned table ' || relname FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind = 'p'
             UNION ALL SELECT 'partition ' || relname FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relispartition
             UNION ALL SELECT 'sequence ' || s.relname FROM pg_class s
              WHERE s.relnamespace = 'public'::regnamespace AND s.relkind = 'S'
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid
                                AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
             UNION ALL SELECT 'trigger ' || t.tgname || ' on ' || c.relname
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
              WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
             UNION ALL SELECT CASE prokind WHEN 'a' THEN 'aggregate ' WHEN 'p' THEN 'procedure '
                                           WHEN 'w' THEN 'window function ' ELSE 'function ' END
                              || oid::regprocedure::text
              FROM pg_proc WHERE pronamespace = 'public'::regnamespace
             UNION ALL SELECT 'domain ' || typname FROM pg_type
              WHERE typnamespace = 'public'::regnamespace AND typtype = 'd'
             UNION ALL SELECT 'policy ' || p.polname || ' on ' || c.relname
              FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
              WHERE c.relnamespace = 'public'::regnamespace
             UNION ALL SELECT 'row level security ' || relname FROM pg_class
              WHERE relnamespace = 'public'::regnamespace AND relrowsecurity
             UNION ALL SELECT 'rule ' || r.rulename || ' on ' || c.relname
              FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
              WHERE c.relnamespace = 'public'::regnamespace AND r.rulename <> '_RETURN'",
            &[],
        )
        .expect("the catalog query runs");
    rows.iter().map(|r| r.get(0)).collect()
}

/// An identifier as `format('%I')` prints it.
fn ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_owned()
    } else {
        common::quote_ident(name)
    }
}

/// The source catalog as the copy should show it: only the tables the
/// design holds, without the columns, constraints and indexes listed as
/// not held, with serial defaults read as identity and domains as their
/// base types.
fn expected_listing(source: &str, tables: &HashSet<String>, warnings: &Warnings) -> String {
    let not_held: HashSet<&str> = warnings
        .not_held
        .iter()
        .map(|w| without_reason(w))
        .collect();
    // table → (column → (domain, base type))
    let mut domains: HashMap<String, Vec<(String, String, String)>> = HashMap::new();
    for line in &warnings.adapted {
        if let Some((column, rest)) = line.split_once(": domain ")
            && let Some((domain, base)) = rest.split_once(" read as its base type ")
            && let Some((table, column)) = column.split_once('.')
        {
            domains.entry(table.to_owned()).or_default().push((
                column.to_owned(),
                domain.to_owned(),
                base.to_owned(),
            ));
        }
    }
    let held_idents: HashMap<String, String> = tables
        .iter()
        .map(|t| (format!("table {}", ident(t)), t.clone()))
        .collect();
    let mut out = String::new();
    let mut table: Option<String> = None; // the held table whose block this is
    let mut keep = true;
    let mut last_kept = true;
    for line in source.lines() {
        if line.starts_with("    comment ") {
            if last_kept {
                out += line;
                out.push('\n');
            }
            continue;
        }
        if !line.starts_with(' ') {
            table = held_idents.get(line).cloned();
            keep = table.is_some() || line.starts_with("enum ");
            last_kept = keep;
            if keep {
                out += line;
                out.push('\n');
            }
            continue;
        }
        let Some(t) = table.as_deref().filter(|_| keep) else {
            last_kept = false;
            continue;
        };
        let item = line.trim_start();
        let mut text = item.to_owned();
        let dropped = if let Some(rest) = item.strip_prefix("column ") {
            let name = rest.split(' ').next().unwrap_or_default();
            let name = name.trim_matches('"');
            if let Some(at) = text.find(" default nextval(") {
                let end = text[at..].find("::regclass)").expect("a nextval default") + at;
                text = format!(
                    "{}{} generated by default as identity",
                    &text[..at],
                    &text[end + "::regclass)".len()..]
                );
            }
            for (column, domain, base) in domains.get(t).into_iter().flatten() {
                let from = format!("column {} {domain}", ident(column));
                if text.starts_with(&from) {
                    text = format!("column {} {base}{}", ident(column), &text[from.len()..]);
                }
            }
            not_held.contains(format!("column {t}.{name}").as_str())
        } else if let Some(rest) = item.strip_prefix("constraint ") {
            let name = rest.split(' ').next().unwrap_or_default().trim_matches('"');
            let fk = format!("foreign key {name} on {t}: ");
            for line in warnings.adapted.iter().filter(|l| l.starts_with(&fk)) {
                if line.contains("MATCH FULL is not held") {
                    text = text.replace(" MATCH FULL", "");
                }
            }
            not_held.contains(format!("constraint {name} on {t}").as_str())
                || not_held.contains(format!("foreign key {name} on {t}").as_str())
        } else if let Some(rest) = item.strip_prefix("index ") {
            let name = rest
                .trim_start_matches("CREATE ")
                .trim_start_matches("UNIQUE ")
                .trim_start_matches("INDEX ")
                .split(' ')
                .next()
                .unwrap_or_default()
                .trim_matches('"');
            // A materialized view's index sorts among the tables' lines.
            let on = rest.split(" ON ").nth(1).unwrap_or_default();
            let on = on
                .trim_start_matches("ONLY ")
                .split(' ')
                .next()
                .unwrap_or_default();
            let on = on.strip_prefix("public.").unwrap_or(on);
            on != ident(t) || not_held.contains(format!("index {name} on {t}").as_str())
        } else {
            false
        };
        last_kept = !dropped;
        if !dropped {
            out += &line[..line.len() - item.len()];
            out += &text;
            out.push('\n');
        }
    }
    out
}

fn inspect(db: &TestDb, out: &Path) -> Warnings {
    let output = Command::new(plinth_bin())
        .args(["inspect", "--url", &db.conninfo(), "-o"])
        .arg(out)
        .output()
        .expect("the plinth binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "plinth inspect failed:\n{stderr}");
    assert!(output.stdout.is_empty(), "with -o nothing goes to stdout");
    parse_warnings(&stderr)
}

fn round_trip(fixture: &Path) -> Warnings {
    let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
    let source = TestDb::new();
    source.psql_file(fixture);
    let dir = tempfile::tempdir().unwrap();
    let design_file = dir.path().join("inspected.ron");
    let warnings = inspect(&source, &design_file);

    let design = plinth::file::load(&design_file)
        .unwrap_or_else(|e| panic!("{name}: the inspected design does not load: {e}"));
    assert!(
        design.validate().is_empty(),
        "{name}: {:?}",
        design.validate()
    );
    let tables: HashSet<String> = design.entities().map(|e| e.name.clone()).collect();

    let copy = TestDb::new();
    copy.psql_stdin(&run_plinth(&["ddl".as_ref(), design_file.as_os_str()]));

    let source_listing = catalog::describe(&mut source.client());
    let copy_listing = catalog::describe(&mut copy.client());
    assert!(
        !copy_listing.contains("unexpected"),
        "{name}: the copy holds more than tables:\n{copy_listing}"
    );
    let expected = expected_listing(&source_listing, &tables, &warnings);
    catalog::assert_same(&copy_listing, &expected, &name);

    // Every not-held line names something real: either an object found by
    // the test's own catalog query, or a part of a held table that the
    // comparison above proved absent from the copy.
    let expected_objects = expected_not_held(&source);
    let listed: BTreeSet<String> = warnings
        .not_held
        .iter()
        .map(|w| without_reason(w).to_owned())
        .filter(|w| {
            !["column ", "index ", "constraint ", "foreign key "]
                .iter()
                .any(|k| w.starts_with(k))
        })
        .collect();
    let missing: Vec<_> = expected_objects.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&expected_objects).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: the warning should list exactly what is not held;\nmissing: {missing:?}\nextra: {extra:?}"
    );
    let parts = warnings.not_held.len() - listed.len();
    let dropped_lines = source_listing.lines().count() - expected.lines().count();
    assert!(
        parts == 0 || dropped_lines > 0,
        "{name}: parts listed as not held must be missing from the copy"
    );
    warnings
}

fn count(warnings: &Warnings, prefix: &str) -> usize {
    warnings
        .not_held
        .iter()
        .filter(|w| w.starts_with(prefix))
        .count()
}

#[test]
fn every_shared_fixture_round_trips_through_inspect_and_ddl() {
    for fixture in fixtures() {
        let warnings = round_trip(&fixture);
        if fixture.ends_with("pagila.sql") {
            // The counts the fixtures README gives.
            assert_eq!(
                count(&warnings, "view ") + count(&warnings, "materialized view "),
                8
            );
            assert_eq!(count(&warnings, "view "), 7);
            assert_eq!(count(&warnings, "trigger "), 15);
            assert_eq!(
                count(&warnings, "function ") + count(&warnings, "aggregate "),
                10
            );
            assert_eq!(count(&warnings, "partitioned table "), 1);
            assert!(count(&warnings, "partition ") > 0);
            assert_eq!(count(&warnings, "domain "), 2);
            assert!(
                warnings
                    .not_held
                    .iter()
                    .any(|w| w.starts_with("column film.fulltext (type tsvector")),
                "{:?}",
                warnings.not_held
            );
        }
        if fixture.ends_with("chinook.sql") {
            assert!(warnings.not_held.is_empty(), "{:?}", warnings.not_held);
        }
    }
}

#[test]
fn pagila_junctions_and_names_come_out_clean() {
    let fixture = repo_root().join("../shared/fixtures/pagila.sql");
    let source = TestDb::new();
    source.psql_file(&fixture);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pagila.ron");
    inspect(&source, &file);
    let design = plinth::file::load(&file).unwrap();
    let junctions: BTreeSet<&str> = design
        .entities()
        .filter(|e| e.junction)
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(junctions, BTreeSet::from(["film_actor", "film_category"]));
    let film = design.entity_named("film").unwrap();
    assert!(
        film.primary_key.as_ref().unwrap().name.is_none(),
        "film_pkey is derived"
    );
    let actor_id = design
        .entity_named("actor")
        .unwrap()
        .field_named("actor_id")
        .unwrap();
    assert!(actor_id.identity.is_some() && actor_id.default.is_none());
    assert_eq!(design.enums.len(), 1);
    assert_eq!(design.enums[0].values, ["G", "PG", "PG-13", "R", "NC-17"]);
}

const SECRET: &str = "Pl1nthS3cretPassw0rd";

/// Runs `plinth inspect` expecting failure; returns stdout + stderr.
fn failing_inspect(url: Option<&str>, env_url: Option<&str>) -> String {
    let mut cmd = Command::new(plinth_bin());
    cmd.args(["inspect", "--connect-timeout", "2"]);
    if let Some(url) = url {
        cmd.args(["--url", url]);
    }
    cmd.env_remove("DATABASE_URL");
    if let Some(env_url) = env_url {
        cmd.env("DATABASE_URL", env_url);
    }
    let output = cmd.output().expect("the plinth binary runs");
    assert!(!output.status.success(), "{url:?} should not connect");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
    format!("{}{stderr}", String::from_utf8_lossy(&output.stdout))
}

#[test]
fn the_password_never_appears_in_any_output_of_a_failed_connection() {
    let cases = [
        (
            format!("postgresql://postgres:{SECRET}@127.0.0.1:1/shop"),
            "connection refused",
        ),
        (
            format!("host=127.0.0.1 port=1 user=postgres password={SECRET} dbname=shop"),
            "connection refused",
        ),
        (
            format!("host=127.0.0.1 user=postgres password={SECRET} dbname=plinth_no_such_db"),
            "does not exist",
        ),
        (
            format!("postgresql://postgres:{SECRET}@127.0.0.1:notaport/shop"),
            "could not be read",
        ),
        (
            format!("host=127.0.0.1 password='{SECRET}' sslmode=sometimes"),
            "could not be read",
        ),
    ];
    for (url, says) in &cases {
        for out in [
            failing_inspect(Some(url), None),
            failing_inspect(None, Some(url)),
        ] {
            assert!(!out.contains(SECRET), "the password leaked: {out}");
            assert!(out.contains(says), "`{url}` should say `{says}`: {out}");
        }
    }
    let out = failing_inspect(None, None);
    assert!(out.contains("DATABASE_URL"), "{out}");
}

#[test]
fn sslmode_require_uses_tls_or_says_why_not() {
    let db = TestDb::new();
    let ssl: String = db.client().query_one("SHOW ssl", &[]).unwrap().get(0);
    let url = format!("{} sslmode=require", db.conninfo());
    let output = Command::new(plinth_bin())
        .args(["inspect", "--url", &url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if ssl == "on" {
        assert!(output.status.success(), "{stderr}");
    } else {
        assert!(!output.status.success());
        assert!(stderr.contains("TLS"), "{stderr}");
    }
    // A missing schema is one sentence too.
    let output = Command::new(plinth_bin())
        .args(["inspect", "--url", &db.conninfo(), "--schema", "nowhere"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("schema `nowhere` does not exist"));
}

/// What the fixtures do not show: identity, arrays, enum arrays, composite
/// and deferrable keys, checks, comments, partial, hash and gin indexes,
/// junctions, and parts the model lacks (money, generated columns,
/// expression, INCLUDE and DESC indexes, policies, rules).
const FEATURES: &str = "
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
COMMENT ON TYPE mood IS 'How it feels';
CREATE TABLE account (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email varchar(320) NOT NULL UNIQUE,
  region char(2) NOT NULL DEFAULT 'EU',
  balance numeric(12,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
  moods mood[] NOT NULL DEFAULT '{}',
  tags text[],
  doc jsonb,
  price money,
  lower_email text GENERATED ALWAYS AS (lower(email)) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT account_check CHECK (region = upper(region))
);
COMMENT ON TABLE account IS 'Who pays';
COMMENT ON COLUMN account.email IS 'Where the bills go';
CREATE INDEX ON account USING hash (region);
CREATE INDEX account_doc ON account USING gin (doc);
CREATE INDEX account_recent ON account (created_at DESC);
CREATE INDEX account_price ON account (price);
CREATE TABLE shelf (
  account_id bigint NOT NULL REFERENCES account ON DELETE CASCADE,
  code integer NOT NULL,
  label text,
  n bigserial,
  PRIMARY KEY (account_id, code)
);
CREATE RULE shelf_keep AS ON DELETE TO shelf DO INSTEAD NOTHING;
CREATE TABLE item (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id bigint NOT NULL,
  shelf_code integer,
  name text NOT NULL,
  mood mood DEFAULT 'ok',
  CONSTRAINT item_on_shelf FOREIGN KEY (account_id, shelf_code) REFERENCES shelf
    ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX item_name_live ON item (account_id, name) WHERE shelf_code IS NOT NULL;
CREATE INDEX item_lower_name ON item (lower(name));
CREATE INDEX item_name_incl ON item (name) INCLUDE (mood);
CREATE INDEX item_name_pattern ON item (name text_pattern_ops);
CREATE POLICY item_mine ON item USING (true);
ALTER TABLE item ENABLE ROW LEVEL SECURITY;
CREATE TABLE item_account (
  item_id uuid NOT NULL REFERENCES item ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES account ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, account_id)
);
CREATE SCHEMA other;
CREATE TABLE other.lonely (id integer PRIMARY KEY);
";

#[test]
fn features_beyond_the_fixtures_round_trip_or_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("features.sql");
    std::fs::write(&file, FEATURES).unwrap();
    let warnings = round_trip(&file);
    let listed: BTreeSet<&str> = warnings
        .not_held
        .iter()
        .map(|w| without_reason(w))
        .collect();
    let expected = BTreeSet::from([
        "column account.lower_email",
        "column account.price",
        "index account_price on account",
        "index account_recent on account",
        "index item_lower_name on item",
        "index item_name_incl on item",
        "index item_name_pattern on item",
        "policy item_mine on item",
        "row level security item",
        "rule shelf_keep on shelf",
    ]);
    assert_eq!(listed, expected, "{:#?}", warnings.not_held);
    assert!(
        !warnings.adapted.iter().any(|a| a.contains("DEFERRABLE")),
        "deferrable keys are held as they are: {:?}",
        warnings.adapted
    );

    // The design itself: names, junction, identity, the other schema.
    let source = TestDb::new();
    source.psql_stdin(FEATURES);
    let out = dir.path().join("features.ron");
    inspect(&source, &out);
    let design = plinth::file::load(&out).unwrap();
    let account = design.entity_named("account").unwrap();
    assert_eq!(account.comment.as_deref(), Some("Who pays"));
    assert_eq!(account.checks.len(), 2);
    assert!(
        account.indexes.iter().any(|i| i.name.is_none()),
        "account_region_idx is derived"
    );
    let on_shelf = design
        .relationships()
        .find(|r| design.relationship_name(r) == "item_on_shelf")
        .unwrap();
    assert_eq!(on_shelf.deferrable, Deferrable::InitiallyDeferred);
    assert!(design.entity_named("item_account").unwrap().junction);
    assert!(!design.entity_named("shelf").unwrap().junction);
    assert!(design.entity_named("lonely").is_none());

    let stdout = run_plinth(&["inspect", "--url", &source.conninfo(), "--schema", "other"]);
    let other = plinth::file::parse(&stdout, &mut plinth::core::ids::IdGen::seeded(1))
        .unwrap_or_else(|e| panic!("{e:?}\n{stdout}"));
    let names: Vec<&str> = other.entities().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["lonely"]);
}

/// Deferrable keys of both kinds, two of them closing a cycle of NOT NULL
/// keys that only deferring lets rows into: read into the design as they
/// are (nothing listed, nothing adapted), written back by `plinth ddl`
/// into the same catalog, and the cycle is no `fk-cycle` finding.
const DEFERRABLE: &str = "
CREATE TABLE team (
  id integer PRIMARY KEY,
  captain_id integer NOT NULL
);
CREATE TABLE player (
  id integer PRIMARY KEY,
  team_id integer NOT NULL REFERENCES team DEFERRABLE,
  mentor_id integer REFERENCES player ON DELETE SET NULL
);
ALTER TABLE team ADD CONSTRAINT team_captain FOREIGN KEY (captain_id) REFERENCES player
  DEFERRABLE INITIALLY DEFERRED;
";

#[test]
fn deferrable_keys_round_trip_through_inspect_and_ddl() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deferrable.sql");
    std::fs::write(&file, DEFERRABLE).unwrap();
    let warnings = round_trip(&file);
    assert!(warnings.not_held.is_empty(), "{:?}", warnings.not_held);
    assert!(warnings.adapted.is_empty(), "{:?}", warnings.adapted);

    let source = TestDb::new();
    source.psql_stdin(DEFERRABLE);
    let out = dir.path().join("deferrable.ron");
    inspect(&source, &out);
    let design = plinth::file::load(&out).unwrap();
    let deferrable = |name: &str| {
        design
            .relationships()
            .find(|r| design.relationship_name(r) == name)
            .unwrap_or_else(|| panic!("{name}"))
            .deferrable
    };
    assert_eq!(deferrable("team_captain"), Deferrable::InitiallyDeferred);
    assert_eq!(
        deferrable("player_team_id_fkey"),
        Deferrable::InitiallyImmediate
    );
    assert_eq!(
        deferrable("player_mentor_id_fkey"),
        Deferrable::NotDeferrable
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("deferrable: Deferred"), "{text}");
    assert!(text.contains("deferrable: Immediate"), "{text}");

    let findings = check(&design, &design.checks, &mut IdGen::seeded(1));
    assert!(
        !findings.iter().any(|f| f.rule == Rule::FkCycle),
        "{findings:#?}"
    );
}

/// `plinth inspect` reads the columns on a second connection that shares
/// the first one's snapshot: what it reads is what one connection reads,
/// and the second connection is really used.
#[test]
fn a_second_connection_reads_the_same_catalog_in_the_same_snapshot() {
    let db = TestDb::new();
    let pagila = fixtures()
        .into_iter()
        .find(|f| f.to_string_lossy().contains("pagila"))
        .expect("the pagila fixture is shared");
    db.psql_file(&pagila);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (alone, helped) = runtime.block_on(async {
        let connect = || async {
            let (client, connection) =
                tokio_postgres::connect(&db.conninfo(), tokio_postgres::NoTls)
                    .await
                    .expect("the test database is reachable");
            tokio::spawn(connection);
            client
        };
        let (mut client, mut helper) = (connect().await, connect().await);
        let alone = plinth::db::inspect(&mut client, "public").await.unwrap();
        let helped = plinth::db::inspect_with(&mut client, Some(&mut helper), "public")
            .await
            .unwrap();
        (alone, helped)
    });
    assert!(!alone.helped);
    assert!(helped.helped, "the helper shared the snapshot");
    assert!(
        alone.design.entity_count() > 10,
        "pagila's tables were read"
    );
    let ddl = |i: &plinth::db::Inspection| plinth::core::sql::create_script(&i.design, "public");
    assert_eq!(ddl(&helped), ddl(&alone));
    assert_eq!(helped.not_held.len(), alone.not_held.len());
}
