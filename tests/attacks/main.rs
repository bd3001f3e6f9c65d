//! plinth tried as an attacker would (issue 11): hostile text in design
//! files, hostile server settings, hostile files on disk and a second
//! editor. Every test that touches PostgreSQL first plants a canary, a
//! table with a row in a schema plinth does not manage, and checks at the
//! end that it survived whatever the attack did.
//!
//! One module per kind of attack; they share the canary below.

#[path = "../common/mod.rs"]
mod common;

mod designer;
mod exports;
mod expressions;
mod files;
mod ids;
mod migrations;
mod random_text;
mod saves;
mod schemas;
mod waits;

use common::TestDb;

/// The schema and table no plinth command is ever asked to touch.
pub const CANARY: &str = "keep.canary";

/// Creates `keep.canary` with one row in `db`.
pub fn plant_canary(db: &TestDb) {
    db.psql_stdin(
        "CREATE SCHEMA keep;\n\
         CREATE TABLE keep.canary (id int PRIMARY KEY, note text NOT NULL);\n\
         INSERT INTO keep.canary VALUES (1, 'still here');\n",
    );
}

/// Panics unless `keep.canary` still holds exactly its one row.
pub fn assert_canary(db: &TestDb) {
    if let Err(why) = canary(db) {
        panic!("{why}");
    }
}

/// Whether `keep.canary` still holds exactly its one row, and if not, why.
pub fn canary(db: &TestDb) -> Result<(), String> {
    let rows = db
        .client()
        .query("SELECT id, note FROM keep.canary", &[])
        .map_err(|e| format!("the canary table {CANARY} is gone: {e}"))?;
    let rows: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    if rows == vec![(1, "still here".to_owned())] {
        Ok(())
    } else {
        Err(format!("the canary {CANARY} changed: {rows:?}"))
    }
}

#[test]
fn the_canary_is_planted_and_seen() {
    let db = TestDb::new();
    plant_canary(&db);
    assert_canary(&db);
    db.psql_stdin("DROP TABLE keep.canary;");
    let why = canary(&db).expect_err("a dropped canary must be noticed");
    assert!(why.contains("gone"), "{why}");
}
