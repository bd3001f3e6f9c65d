//! The schema-change corpus (`../shared/corpus/pg-schema-diff`, 337 pairs
//! from another project's acceptance tests) through the real binary and a
//! real server. For each pair: `a.sql` and `b.sql` are loaded into two
//! fresh databases, both are inspected, and `plinth apply b.ron` migrates
//! the first database. Then
//! - up: its catalog (`../shared/tools/catalog.sql`, everything in the
//!   schema, not only what plinth models) equals `b.sql`'s;
//! - kept: every table and column both sides name is the same object
//!   (same `pg_class.oid`, same `attnum`): never dropped and created again;
//! - down: `plinth apply a.ron` gives back `a.sql`'s catalog.
//!
//! Failures are grouped by the kind of catalog line that differs. No pair
//! may lose a table or column both sides name, and every pair whose
//! objects plinth holds (inspect lists nothing it does not hold) must pass
//! all three. CI runs every eighth pair; `PLINTH_CORPUS=all cargo test
//! --release --test corpus -- --nocapture` runs them all and prints the
//! totals.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{TestDb, plinth_in as plinth, repo_root};

fn cases() -> Vec<PathBuf> {
    let corpus = repo_root().join("../shared/corpus/pg-schema-diff");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("the corpus is expected in {} ({e})", corpus.display()))
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.join("a.sql").exists() && p.join("b.sql").exists())
        .collect();
    cases.sort();
    assert!(cases.len() > 300, "the corpus has its 337 pairs");
    let all = std::env::var("PLINTH_CORPUS").is_ok_and(|v| v == "all");
    cases
        .into_iter()
        .enumerate()
        .filter(|(i, _)| all || i % 8 == 0)
        .map(|(_, c)| c)
        .collect()
}

/// The canonical listing of schema `public`.
fn catalog(db: &TestDb) -> BTreeSet<String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "s=public", "-d"])
        .arg(db.conninfo())
        .arg("-f")
        .arg(repo_root().join("../shared/tools/catalog.sql"))
        .stdin(Stdio::null())
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "catalog.sql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Tables by name with their oid, and columns by (table, column) with
/// their attnum, in schema `public`.
type Identity = (HashMap<String, u32>, HashMap<(String, String), i16>);

fn identity(db: &TestDb) -> Identity {
    let mut client = db.client();
    let tables = client
        .query(
            "SELECT c.relname::text, c.oid FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let columns = client
        .query(
            "SELECT c.relname::text, a.attname::text, a.attnum FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
               AND a.attnum > 0 AND NOT a.attisdropped",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    (tables, columns)
}

/// The kinds of catalog line on which two listings differ.
fn kinds(expected: &BTreeSet<String>, got: &BTreeSet<String>) -> BTreeSet<String> {
    expected
        .symmetric_difference(got)
        .map(|l| l.split_whitespace().next().unwrap_or("?").to_owned())
        .collect()
}

#[derive(Default)]
struct Tally {
    cases: usize,
    up: usize,
    kept: usize,
    down: usize,
    holdable: usize,
    failed_up_by_kind: BTreeMap<String, usize>,
    failed_down_by_kind: BTreeMap<String, usize>,
    errors: Vec<String>,
    lost: Vec<String>,
    holdable_failures: Vec<String>,
}

#[test]
fn the_corpus_migrates_up_keeps_every_shared_table_and_column_and_comes_back_down() {
    let mut t = Tally::default();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        t.cases += 1;
        let (a, b) = (TestDb::new(), TestDb::new());
        a.psql_file(&case.join("a.sql"));
        b.psql_file(&case.join("b.sql"));
        let (catalog_a, catalog_b) = (catalog(&a), catalog(&b));
        let (tables_before, columns_before) = identity(&a);
        let dir = tempfile::tempdir().unwrap();
        let mut holds_all = true;
        for (db, file) in [(&a, "a.ron"), (&b, "b.ron")] {
            let out = plinth(dir.path(), &["inspect", "--url", &db.url(), "-o", file]);
            assert!(
                out.status.success(),
                "{name}: inspect {file}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            if stderr.contains("does not hold") || stderr.contains("adapted") {
                holds_all = false;
            }
        }
        if holds_all {
            t.holdable += 1;
        }
        let apply = |file: &str| {
            plinth(
                dir.path(),
                &[
                    "apply",
                    file,
                    "--url",
                    &a.url(),
                    "--yes",
                    "--allow-destructive",
                ],
            )
        };

        let up = apply("b.ron");
        if !up.status.success() {
            t.errors.push(format!(
                "{name}: up: {}",
                String::from_utf8_lossy(&up.stderr).trim()
            ));
            if holds_all {
                t.holdable_failures.push(format!("{name}: up failed"));
            }
            continue;
        }
        let after_up = catalog(&a);
        let up_kinds = kinds(&catalog_b, &after_up);
        if up_kinds.is_empty() {
            t.up += 1;
        }
        for k in &up_kinds {
            *t.failed_up_by_kind.entry(k.clone()).or_default() += 1;
        }

        let (tables_after, columns_after) = identity(&a);
        let (tables_b, columns_b) = identity(&b);
        let mut lost = Vec::new();
        for (table, oid) in &tables_before {
            if tables_b.contains_key(table) && tables_after.get(table).is_some_and(|o| o != oid) {
                lost.push(format!("table {table}"));
            }
        }
        for (column, attnum) in &columns_before {
            if columns_b.contains_key(column)
                && columns_after.get(column).is_some_and(|n| n != attnum)
            {
                lost.push(format!("column {}.{}", column.0, column.1));
            }
        }
        if lost.is_empty() {
            t.kept += 1;
        } else {
            t.lost.push(format!("{name}: {}", lost.join(", ")));
        }

        let down = apply("a.ron");
        let down_kinds = if down.status.success() {
            kinds(&catalog_a, &catalog(&a))
        } else {
            t.errors.push(format!(
                "{name}: down: {}",
                String::from_utf8_lossy(&down.stderr).trim()
            ));
            BTreeSet::from(["(down failed)".to_owned()])
        };
        if down_kinds.is_empty() {
            t.down += 1;
        }
        for k in &down_kinds {
            *t.failed_down_by_kind.entry(k.clone()).or_default() += 1;
        }
        if holds_all && (!up_kinds.is_empty() || !down_kinds.is_empty() || !lost.is_empty()) {
            t.holdable_failures.push(format!(
                "{name}: up differs in {up_kinds:?}, down in {down_kinds:?}"
            ));
        }
    }
    eprintln!(
        "corpus: {} pairs; up {} / kept {} / down {}; {} pairs hold only what plinth models",
        t.cases, t.up, t.kept, t.down, t.holdable
    );
    eprintln!(
        "up differs, pairs by kind of catalog line: {:?}",
        t.failed_up_by_kind
    );
    eprintln!("down differs, pairs by kind: {:?}", t.failed_down_by_kind);
    for e in &t.errors {
        eprintln!("  {e}");
    }
    assert!(
        t.lost.is_empty(),
        "tables or columns both sides name were dropped and made again:\n{}",
        t.lost.join("\n")
    );
    assert!(
        t.holdable_failures.is_empty(),
        "pairs plinth holds whole must pass:\n{}",
        t.holdable_failures.join("\n")
    );
    assert!(t.up > 0 && t.down > 0, "some pairs pass");
}
