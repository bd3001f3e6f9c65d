//! `nullable-fk-not-intended`: a relationship marked `required` says every
//! child has a parent, but PostgreSQL does not check a foreign key whose
//! fields are NULL, so a nullable key field lets parentless rows in all the
//! same. NOT NULL on the key fields makes the database keep the promise.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};

pub fn check_entity(design: &Design, child: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for (r, parent) in super::foreign_keys(design, child).filter(|(r, _)| r.required) {
        let nullable: Vec<_> = r
            .fields
            .iter()
            .filter_map(|f| child.field(f))
            .filter(|f| !f.not_null)
            .collect();
        if nullable.is_empty() {
            continue;
        }
        let names: Vec<&str> = nullable.iter().map(|f| f.name.as_str()).collect();
        let names = names.join(", ");
        let fix = Edit::Batch(
            nullable
                .iter()
                .map(|f| Edit::SetNotNull {
                    entity: child.id.clone(),
                    field: f.id.clone(),
                    not_null: true,
                })
                .collect(),
        );
        out.push(
            Finding::new(
                Rule::NullableFkNotIntended,
                Location::Relationship(child.id.clone(), r.id.clone()),
                format!(
                    "foreign key `{}` from `{}` to `{}` is required, but {names} may be NULL",
                    design.relationship_name(r),
                    child.name,
                    parent.name
                ),
                format!(
                    "make {}({names}) NOT NULL, or mark the relationship optional",
                    child.name
                ),
            )
            .with_fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::NullableFkNotIntended;
    use crate::core::check::rules::test_support::*;

    fn design(author_not_null: bool, required: bool) -> String {
        format!(
            r#"(name: "users", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"]),
               (name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "uuid", not_null: {author_not_null})],
                primary_key: ["id"], relationships: [(fields: ["author_id"], target: "users", on_delete: Restrict, required: {required})])"#
        )
    }

    #[test]
    fn fires_on_a_required_relationship_with_nullable_key_fields() {
        check_finds(
            NullableFkNotIntended,
            &design(false, true),
            &["posts: foreign key posts_author_id_fkey"],
        );
    }

    #[test]
    fn not_null_keys_or_optional_relationships_are_fine() {
        check_ok(NullableFkNotIntended, &design(true, true));
        check_ok(NullableFkNotIntended, &design(false, false));
    }

    #[test]
    fn the_fix_sets_not_null() {
        fix_clears(NullableFkNotIntended, &design(false, true));
    }
}
