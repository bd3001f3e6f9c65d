//! `reserved-word`: an entity or field named after a reserved PostgreSQL
//! keyword (`user`, `order`, `check`) works only when quoted. plinth's DDL
//! quotes it, but every hand-written query, view and report must then quote
//! it too, and the first one that forgets fails with a syntax error.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};
use crate::core::sql::keywords::is_reserved;

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    if is_reserved(&e.name) {
        out.push(Finding::new(
            Rule::ReservedWord,
            Location::Entity(e.id.clone()),
            format!(
                "entity `{}` is named with a reserved PostgreSQL keyword",
                e.name
            ),
            format!(
                "rename {} (e.g. to a plural such as {}s) so queries need not quote it",
                e.name, e.name
            ),
        ));
    }
    for f in e.fields.iter().filter(|f| is_reserved(&f.name)) {
        out.push(Finding::new(
            Rule::ReservedWord,
            Location::Field(e.id.clone(), f.id.clone()),
            format!(
                "field `{}.{}` is named with a reserved PostgreSQL keyword",
                e.name, f.name
            ),
            format!(
                "rename {}.{} (e.g. to {}_{}) so queries need not quote it",
                e.name, f.name, e.name, f.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::ReservedWord;
    use crate::core::check::rules::test_support::*;

    #[test]
    fn fires_on_reserved_entity_and_field_names() {
        check_finds(
            ReservedWord,
            r#"(name: "user", fields: [(name: "name", type: "text"), (name: "order", type: "integer")]),
               (name: "accounts", fields: [(name: "check", type: "text"), (name: "timestamp", type: "text")])"#,
            &["user", "user.order", "accounts.check"],
        );
    }

    #[test]
    fn unreserved_keywords_are_fine() {
        check_ok(
            ReservedWord,
            r#"(name: "users", fields: [(name: "name", type: "text"), (name: "comment", type: "text"), (name: "timestamp", type: "text")])"#,
        );
    }
}
