//! `fk-missing-index`: PostgreSQL does not index foreign keys by itself.
//! Without an index led by the key's fields, joins from the parent and
//! every delete or key update on the parent scan the child table.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{Design, Entity, Index, Location};

/// Whether some index, primary key or unique constraint starts with these
/// fields in this order.
pub fn is_indexed(entity: &Entity, fields: &[FieldId]) -> bool {
    let leads = |cols: &[FieldId]| cols.len() >= fields.len() && &cols[..fields.len()] == fields;
    entity
        .primary_key
        .as_ref()
        .is_some_and(|pk| leads(&pk.fields))
        || entity.uniques.iter().any(|u| leads(&u.fields))
        || entity
            .indexes
            .iter()
            .any(|i| i.predicate.is_none() && leads(&i.fields))
}

pub fn check_entity(design: &Design, child: &Entity, ids: &mut IdGen, out: &mut Vec<Finding>) {
    for r in design.foreign_keys_from(&child.id) {
        if is_indexed(child, &r.fields) {
            continue;
        }
        let names = child.field_names(&r.fields).join(", ");
        let index = Index {
            id: ids.index(),
            name: None,
            fields: r.fields.clone(),
            unique: false,
            method: Default::default(),
            predicate: None,
        };
        let at = child.indexes.len();
        out.push(
            Finding::new(
                Rule::FkMissingIndex,
                Location::Relationship(child.id.clone(), r.id.clone()),
                format!(
                    "foreign key `{}` on `{}` ({names}) has no index",
                    design.relationship_name(r),
                    child.name
                ),
                format!("add an index on {}({names})", child.name),
            )
            .with_fix(Edit::AddIndex {
                entity: child.id.clone(),
                index,
                at,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::FkMissingIndex;
    use crate::core::check::rules::test_support::*;

    fn design(extra: &str) -> String {
        format!(
            r#"(name: "users", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"]),
               (name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "uuid"), (name: "at", type: "date")],
                primary_key: ["id"], relationships: [(fields: ["author_id"], target: "users")]{extra})"#
        )
    }

    #[test]
    fn fires_when_no_index_leads_with_the_key() {
        check_finds(
            FkMissingIndex,
            &design(""),
            &["posts: foreign key posts_author_id_fkey"],
        );
        check_finds(
            FkMissingIndex,
            &design(r#", indexes: [(fields: ["at", "author_id"])]"#),
            &["posts: foreign key posts_author_id_fkey"],
        );
        check_finds(
            FkMissingIndex,
            &design(r#", indexes: [(fields: ["author_id"], where: "at > now()")]"#),
            &["posts: foreign key posts_author_id_fkey"],
        );
    }

    #[test]
    fn an_index_or_unique_led_by_the_key_counts() {
        check_ok(
            FkMissingIndex,
            &design(r#", indexes: [(fields: ["author_id", "at"])]"#),
        );
        check_ok(
            FkMissingIndex,
            &design(r#", uniques: [(fields: ["author_id"])]"#),
        );
    }

    #[test]
    fn the_fix_adds_the_index() {
        fix_clears(FkMissingIndex, &design(""));
    }
}
