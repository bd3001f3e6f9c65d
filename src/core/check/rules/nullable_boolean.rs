//! `nullable-boolean`: a nullable boolean has three states, and `WHERE NOT
//! flag` silently skips the NULL rows. Most flags mean two states and want
//! `NOT NULL` with a default.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, SqlType};

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for f in &e.fields {
        if f.ty != SqlType::Boolean || f.not_null {
            continue;
        }
        let message = format!(
            "`{}.{}` is a nullable boolean: true, false or NULL",
            e.name, f.name
        );
        // With a default, NOT NULL is safe; without one, inserts that
        // leave the field out would start to fail, so that is a choice.
        let finding = if f.default.is_some() {
            Finding::new(
                Rule::NullableBoolean,
                Location::Field(e.id.clone(), f.id.clone()),
                message,
                format!(
                    "make {}.{} NOT NULL; it already has a default",
                    e.name, f.name
                ),
            )
            .with_fix(Edit::SetNotNull {
                entity: e.id.clone(),
                field: f.id.clone(),
                not_null: true,
            })
        } else {
            Finding::new(
                Rule::NullableBoolean,
                Location::Field(e.id.clone(), f.id.clone()),
                message,
                format!(
                    "make {}.{} NOT NULL DEFAULT false (or true), unless NULL means something",
                    e.name, f.name
                ),
            )
        };
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::NullableBoolean;
    use crate::core::check::rules::test_support::*;

    const DEFAULTED: &str = r#"(name: "a", fields: [(name: "active", type: "boolean", default: Expr("true")), (name: "n", type: "text")])"#;
    const BARE: &str = r#"(name: "b", fields: [(name: "verified", type: "boolean")])"#;

    #[test]
    fn fires_on_nullable_booleans() {
        let found = check_finds(
            NullableBoolean,
            &format!("{DEFAULTED}, {BARE}"),
            &["a.active", "b.verified"],
        );
        assert!(found[0].fix.is_some() && found[1].fix.is_none());
        check_ok(
            NullableBoolean,
            r#"(name: "a", fields: [(name: "active", type: "boolean", not_null: true), (name: "n", type: "text")])"#,
        );
    }

    #[test]
    fn the_fix_sets_not_null_when_there_is_a_default() {
        fix_clears(NullableBoolean, DEFAULTED);
    }
}
