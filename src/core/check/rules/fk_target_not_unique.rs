//! `fk-target-not-unique`: PostgreSQL refuses a foreign key whose
//! referenced fields are not the primary key or a unique constraint or
//! unique index over exactly those fields, so the DDL would not apply.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};

pub fn check_entity(design: &Design, child: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for (r, parent) in super::foreign_keys(design, child) {
        if parent.is_unique_over(&r.references) {
            continue;
        }
        let names = parent.field_names(&r.references).join(", ");
        out.push(Finding::new(
            Rule::FkTargetNotUnique,
            Location::Relationship(child.id.clone(), r.id.clone()),
            format!(
                "foreign key `{}` on `{}` references `{}` ({names}), which is not unique",
                design.relationship_name(r),
                child.name,
                parent.name
            ),
            format!(
                "reference the primary key of {}, or add a unique constraint on {}({names})",
                parent.name, parent.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::FkTargetNotUnique;
    use crate::core::check::rules::test_support::*;

    /// `users` with `extra` constraints; `posts` references it by `fk`.
    fn design(extra: &str, fk: &str) -> String {
        format!(
            r#"(name: "users", fields: [(name: "id", type: "uuid", not_null: true), (name: "email", type: "text"), (name: "team", type: "text")],
                primary_key: ["id"]{extra}),
               (name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "uuid"), (name: "author_email", type: "text"), (name: "author_team", type: "text")],
                primary_key: ["id"], relationships: [{fk}])"#
        )
    }

    const BY_EMAIL: &str = r#"(fields: ["author_email"], target: "users", references: ["email"])"#;
    const BY_EMAIL_TEAM: &str = r#"(fields: ["author_team", "author_email"], target: "users", references: ["team", "email"])"#;
    const BY_ID: &str = r#"(fields: ["author_id"], target: "users")"#;

    #[test]
    fn fires_when_the_referenced_fields_are_not_unique() {
        let at = &["posts: foreign key posts_author_email_fkey"];
        check_finds(FkTargetNotUnique, &design("", BY_EMAIL), at);
        let partial = r#", indexes: [(fields: ["email"], unique: true, where: "team IS NULL")]"#;
        check_finds(FkTargetNotUnique, &design(partial, BY_EMAIL), at);
        let wider = r#", uniques: [(fields: ["email", "team"])]"#;
        check_finds(FkTargetNotUnique, &design(wider, BY_EMAIL), at);
    }

    #[test]
    fn the_primary_key_or_a_unique_over_the_fields_counts() {
        check_ok(FkTargetNotUnique, &design("", BY_ID));
        check_ok(
            FkTargetNotUnique,
            &design(r#", uniques: [(fields: ["email"])]"#, BY_EMAIL),
        );
        check_ok(
            FkTargetNotUnique,
            &design(
                r#", indexes: [(fields: ["email"], unique: true)]"#,
                BY_EMAIL,
            ),
        );
        check_ok(
            FkTargetNotUnique,
            &design(r#", uniques: [(fields: ["email", "team"])]"#, BY_EMAIL_TEAM),
        );
    }
}
