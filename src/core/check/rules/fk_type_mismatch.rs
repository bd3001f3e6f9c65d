//! `fk-type-mismatch`: PostgreSQL accepts a foreign key between comparable
//! types of different widths (integer to bigint, varchar(100) to
//! varchar(255)), but the narrower side then fails on values the other
//! accepts, and joins over mixed types may not use an index.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};

pub fn check_entity(design: &Design, child: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for (r, parent) in super::foreign_keys(design, child) {
        for (f, t) in r.fields.iter().zip(&r.references) {
            let (Some(field), Some(target)) = (child.field(f), parent.field(t)) else {
                continue;
            };
            if field.ty == target.ty {
                continue;
            }
            out.push(
                Finding::new(
                    Rule::FkTypeMismatch,
                    Location::Field(child.id.clone(), field.id.clone()),
                    format!(
                        "`{}.{}` is {} but foreign key `{}` references `{}.{}`, which is {}",
                        child.name,
                        field.name,
                        field.ty,
                        design.relationship_name(r),
                        parent.name,
                        target.name,
                        target.ty
                    ),
                    format!(
                        "change {}.{} to {} to match {}.{}",
                        child.name, field.name, target.ty, parent.name, target.name
                    ),
                )
                .with_fix(Edit::SetFieldType {
                    entity: child.id.clone(),
                    field: field.id.clone(),
                    ty: target.ty.clone(),
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::FkTypeMismatch;
    use crate::core::check::rules::test_support::*;

    fn design(key: &str, fk: &str) -> String {
        format!(
            r#"(name: "users", fields: [(name: "id", type: "{key}", not_null: true)], primary_key: ["id"]),
               (name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "{fk}")],
                primary_key: ["id"], relationships: [(fields: ["author_id"], target: "users")])"#
        )
    }

    #[test]
    fn fires_when_the_types_differ_in_width() {
        check_ok(FkTypeMismatch, &design("bigint", "bigint"));
        check_ok(FkTypeMismatch, &design("varchar(20)", "varchar(20)"));
        check_finds(
            FkTypeMismatch,
            &design("bigint", "integer"),
            &["posts.author_id"],
        );
        check_finds(
            FkTypeMismatch,
            &design("varchar(255)", "varchar(100)"),
            &["posts.author_id"],
        );
    }

    #[test]
    fn the_fix_takes_the_referenced_type() {
        fix_clears(FkTypeMismatch, &design("bigint", "integer"));
        fix_clears(FkTypeMismatch, &design("varchar(255)", "varchar(100)"));
    }
}
