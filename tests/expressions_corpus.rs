//! Every expression real schemas hold survives plinth: the defaults,
//! checks, index predicates and index expressions that `pg_get_expr`
//! prints for the fixtures (pagila, chinook) and the schema-change corpus
//! (`../shared/corpus/pg-schema-diff`, both sides of each case) are read
//! as one expression, and what plinth prints means to PostgreSQL exactly
//! what the catalog held: a view over each, deparsed by PostgreSQL, is the
//! same for the catalog's text and for plinth's.
//!
//! CI runs the fixtures and every eighth corpus case; `PLINTH_CORPUS=all
//! cargo test --test expressions_corpus` runs the whole corpus.

mod common;

use std::path::PathBuf;

use common::{TestDb, repo_root};
use plinth::core::model::SqlExpr;

fn sources() -> Vec<PathBuf> {
    let shared = repo_root().join("../shared");
    let mut files = vec![
        shared.join("fixtures/pagila.sql"),
        shared.join("fixtures/chinook.sql"),
    ];
    let corpus = shared.join("corpus/pg-schema-diff");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap_or_else(|e| panic!("the corpus is expected in {} ({e})", corpus.display()))
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() > 300, "the corpus has its 337 cases");
    let all = std::env::var("PLINTH_CORPUS").is_ok_and(|v| v == "all");
    for (i, case) in cases.iter().enumerate() {
        if all || i % 8 == 0 {
            files.push(case.join("a.sql"));
            files.push(case.join("b.sql"));
        }
    }
    for f in &files {
        assert!(f.exists(), "{} is missing", f.display());
    }
    files
}

/// Each expression of the schema with the table it belongs to, as
/// `(kind, table oid, text)`.
const EXPRESSIONS: &str = "
SELECT 'default', d.adrelid, pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
 WHERE c.relnamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'check', k.conrelid, pg_get_expr(k.conbin, k.conrelid)
  FROM pg_constraint k
 WHERE k.contype = 'c' AND k.conrelid <> 0
   AND k.connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'predicate', i.indrelid, pg_get_expr(i.indpred, i.indrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE i.indpred IS NOT NULL
   AND c.relnamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'index expression', i.indrelid, pg_get_indexdef(i.indexrelid, k + 1, true)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid,
       generate_series(0, i.indnatts - 1) k
 WHERE i.indexprs IS NOT NULL AND i.indkey[k] = 0
   AND c.relnamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema')";

#[test]
fn every_expression_of_the_fixtures_and_the_corpus_reads_and_means_the_same() {
    let mut seen = 0;
    let mut rewritten = 0;
    let mut failures = Vec::new();
    for file in sources() {
        let db = TestDb::new();
        db.psql_file(&file);
        let mut client = db.client();
        let rows = client.query(EXPRESSIONS, &[]).unwrap();
        for row in rows {
            let (kind, table, text): (String, u32, String) = (row.get(0), row.get(1), row.get(2));
            seen += 1;
            let expr = match SqlExpr::parse(&text) {
                Ok(e) => e,
                Err(e) => {
                    failures.push(format!(
                        "{}: {kind} `{text}` refused: {}",
                        file.display(),
                        e.describe()
                    ));
                    continue;
                }
            };
            if expr.as_str() == text {
                continue;
            }
            rewritten += 1;
            // PostgreSQL deparses a view over each; the same meaning gives
            // the same text.
            let from = table_name(&mut client, table);
            let view = |name: &str, sql: &str| {
                format!("CREATE TEMP VIEW {name} AS SELECT ({sql}) AS x FROM {from}")
            };
            let mut tx = client.transaction().unwrap();
            let same = (|| {
                tx.batch_execute(&view("theirs", &text))?;
                tx.batch_execute(&view("ours", expr.as_str()))?;
                tx.query_one(
                    "SELECT pg_get_viewdef('theirs'::regclass) = pg_get_viewdef('ours'::regclass)",
                    &[],
                )
            })();
            match same {
                Ok(row) if row.get::<_, bool>(0) => {}
                Ok(_) => failures.push(format!(
                    "{}: {kind} `{text}` printed as `{expr}` means something else",
                    file.display()
                )),
                Err(e) => failures.push(format!(
                    "{}: {kind} `{text}` printed as `{expr}`: {e}",
                    file.display()
                )),
            }
            tx.rollback().unwrap();
        }
    }
    eprintln!("{seen} expressions read, {rewritten} printed differently and compared");
    assert!(seen > 50, "the sources hold expressions: only {seen}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn table_name(client: &mut postgres::Client, oid: u32) -> String {
    client
        .query_one("SELECT $1::oid::regclass::text", &[&oid])
        .unwrap()
        .get(0)
}

/// Expressions as people write them, over a table with a column of each
/// kind: plinth's printing of each means to PostgreSQL what the text
/// meant (the deparsed views are equal), and printing is stable.
#[test]
fn hand_written_expressions_mean_what_they_meant() {
    let db = TestDb::new();
    db.psql_stdin(
        "CREATE TYPE mood AS ENUM ('happy', 'sad');
         CREATE TABLE t (a int, b int, x text, \"Code\" text, d date, at timestamptz,
                         j jsonb, arr int[], m mood, price numeric(10,2), flag boolean);",
    );
    let written = [
        "a > 0",
        "a>0 and b<10",
        "NOT flag",
        "a BETWEEN 1 AND 10",
        "a NOT IN (1, 2, 3)",
        "x IS DISTINCT FROM 'y'",
        "x ~* '^[a-z]+$'",
        "x LIKE 'a%' ESCAPE '!'",
        "x SIMILAR TO '(a|b)%'",
        "lower(x) = 'abc'",
        "\"Code\" <> ''",
        "length(x) BETWEEN 1 AND 200",
        "coalesce(a, 0) + nullif(b, 0) > greatest(a, b)",
        "CASE WHEN a > 0 THEN 'p' ELSE 'n' END = 'p'",
        "d > '2000-01-01'",
        "d > DATE '2000-01-01'",
        "at <= now() + interval '1 day'",
        "at AT TIME ZONE 'UTC' > '2020-01-01'",
        "extract(year from d) > 2000",
        "j ? 'key'",
        "j @> '{\"a\": 1}'",
        "j ->> 'a' = 'b'",
        "arr[1] = 1",
        "array_length(arr, 1) > 0",
        "m = 'happy'",
        "m::text = 'sad'",
        "price >= 0",
        "price = round(price, 2)",
        "cast(a as bigint) > 0",
        "a::numeric / 3 > 1",
        "- -a < 0",
        "a % 2 = 0",
        "2 ^ a > 4",
        "x || 'suffix' <> x",
        "E'it\\'s' <> x",
        "$$dollar; quoted$$ <> x",
        "position('a' in x) > 0",
        "substring(x from 1 for 2) = 'ab'",
        "trim(both ' ' from x) = x",
        "num_nonnulls(a, b) = 1",
        "current_user = 'postgres'",
        "x IS NOT NULL",
        "flag IS TRUE",
        "a = ANY (ARRAY[1, 2])",
    ];
    let mut client = db.client();
    let mut failures = Vec::new();
    for text in written {
        let expr = match SqlExpr::parse_strict(text) {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("`{text}` refused: {}", e.describe()));
                continue;
            }
        };
        assert_eq!(
            SqlExpr::parse(expr.as_str()).unwrap(),
            expr,
            "printing `{text}` is stable"
        );
        let mut tx = client.transaction().unwrap();
        let same = (|| {
            tx.batch_execute(&format!(
                "CREATE TEMP VIEW theirs AS SELECT ({text}) AS x FROM t"
            ))?;
            tx.batch_execute(&format!(
                "CREATE TEMP VIEW ours AS SELECT ({expr}) AS x FROM t"
            ))?;
            tx.query_one(
                "SELECT pg_get_viewdef('theirs'::regclass), pg_get_viewdef('ours'::regclass)",
                &[],
            )
        })();
        match same {
            Ok(row) => {
                let (theirs, ours): (String, String) = (row.get(0), row.get(1));
                if theirs != ours {
                    failures.push(format!("`{text}` printed as `{expr}`: {theirs} vs {ours}"));
                }
            }
            Err(e) => failures.push(format!("`{text}` printed as `{expr}`: {e}")),
        }
        tx.rollback().unwrap();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
