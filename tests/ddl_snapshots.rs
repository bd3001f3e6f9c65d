//! The DDL of each shipped design: snapshotted so a change to it is seen in
//! review, and parsed back with sqlparser so it is well-formed SQL.

use std::path::Path;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

fn ddl_of(name: &str) -> (String, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("designs")
        .join(name);
    let design = plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let statements = plinth::core::sql::create_statements(&design);
    (
        plinth::core::sql::create_script(&design, "public"),
        statements.len(),
    )
}

fn check(name: &str) {
    let (script, count) = ddl_of(name);
    let parsed = Parser::parse_sql(&PostgreSqlDialect {}, &script)
        .unwrap_or_else(|e| panic!("{name}: sqlparser rejects the DDL: {e}"));
    assert_eq!(
        parsed.len(),
        count + 1,
        "{name}: the search_path, then one parsed statement per generated one"
    );
    assert_eq!(ddl_of(name).0, script, "{name}: output is deterministic");
    insta::assert_snapshot!(name, script);
}

#[test]
fn todo() {
    check("todo.ron");
}

#[test]
fn blog() {
    check("blog.ron");
}

#[test]
fn shop() {
    check("shop.ron");
}
