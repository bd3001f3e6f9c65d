//! `junction-without-key`: a junction (the link table of a many-to-many
//! relationship) holds one row per linked pair. Without a primary key or
//! unique constraint over its two foreign keys, the same pair can be linked
//! twice, and every join through it then counts the pair twice.
//!
//! An entity counts as a junction when it is marked `junction: true` or
//! when its fields are exactly the fields of two foreign keys plus,
//! optionally, timestamps.

use std::collections::HashSet;

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{Design, Entity, Location, PrimaryKey, Relationship, SqlType};

/// The key fields of the two foreign keys that make `e` a junction, first
/// one's first.
fn junction_keys(e: &Entity, rels: &[&Relationship]) -> Option<Vec<FieldId>> {
    let [a, b] = rels else {
        return None;
    };
    let mut keys: Vec<FieldId> = Vec::new();
    for f in a.fields.iter().chain(&b.fields) {
        if !keys.contains(f) {
            keys.push(f.clone());
        }
    }
    if keys.is_empty() {
        return None;
    }
    let shaped_like_one = || {
        let set: HashSet<&FieldId> = keys.iter().collect();
        e.fields.iter().all(|f| {
            set.contains(&f.id) || matches!(f.ty, SqlType::Timestamp | SqlType::Timestamptz)
        })
    };
    (e.junction || shaped_like_one()).then_some(keys)
}

pub fn check_entity(design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    // Only an entity with exactly two foreign keys can be a junction; count
    // them before sorting them.
    if design.foreign_keys_from(&e.id).take(3).count() != 2 {
        return;
    }
    let rels = design.relationships_from(&e.id);
    let Some(keys) = junction_keys(e, &rels) else {
        return;
    };
    // A key over the pair, or over part of it, keeps pairs apart.
    let set: HashSet<&FieldId> = keys.iter().collect();
    let within = |cols: &[FieldId]| !cols.is_empty() && cols.iter().all(|c| set.contains(c));
    let keyed = e.primary_key.as_ref().is_some_and(|pk| within(&pk.fields))
        || e.uniques.iter().any(|u| within(&u.fields))
        || e.indexes
            .iter()
            .any(|i| i.unique && i.predicate.is_none() && within(&i.fields));
    if keyed {
        return;
    }
    let names = e.field_names(&keys).join(", ");
    let all_not_null = keys.iter().all(|k| e.field(k).is_some_and(|f| f.not_null));
    let message = format!(
        "junction `{}` lets the same ({names}) pair in twice: no primary key or unique constraint covers it",
        e.name
    );
    let finding = if e.primary_key.is_none() && all_not_null {
        Finding::new(
            Rule::JunctionWithoutKey,
            Location::Entity(e.id.clone()),
            message,
            format!("make ({names}) the primary key of {}", e.name),
        )
        .with_fix(Edit::SetPrimaryKey {
            entity: e.id.clone(),
            primary_key: Some(PrimaryKey {
                name: None,
                fields: keys.clone(),
            }),
        })
    } else {
        Finding::new(
            Rule::JunctionWithoutKey,
            Location::Entity(e.id.clone()),
            message,
            format!(
                "add a unique constraint on {}({names}), or make the fields NOT NULL and the primary key",
                e.name
            ),
        )
    };
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::JunctionWithoutKey;
    use crate::core::check::rules::test_support::*;

    const ENDS: &str = r#"(name: "posts", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"]),
        (name: "tags", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"])"#;

    /// A link between posts and tags with extra fields and settings.
    fn link(fields: &str, extra: &str) -> String {
        format!(
            r#"{ENDS}, (name: "posts_tags", fields: [(name: "post_id", type: "uuid", not_null: true), (name: "tag_id", type: "uuid", not_null: true){fields}],
                relationships: [(fields: ["post_id"], target: "posts", on_delete: Cascade), (fields: ["tag_id"], target: "tags", on_delete: Cascade)]{extra})"#
        )
    }

    #[test]
    fn fires_on_a_junction_without_a_key_over_its_pair() {
        let at = &["posts_tags"];
        // Marked, or shaped like one: two keys and timestamps.
        let found = check_finds(JunctionWithoutKey, &link("", ", junction: true"), at);
        assert!(found[0].fix.is_some());
        check_finds(
            JunctionWithoutKey,
            &link(r#", (name: "created_at", type: "timestamptz")"#, ""),
            at,
        );
        // A surrogate key does not keep pairs apart.
        let found = check_finds(
            JunctionWithoutKey,
            &link(
                r#", (name: "id", type: "uuid", not_null: true)"#,
                r#", junction: true, primary_key: ["id"]"#,
            ),
            at,
        );
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn a_key_over_the_pair_or_an_entity_with_more_fields_is_fine() {
        check_ok(
            JunctionWithoutKey,
            &link(
                "",
                r#", junction: true, primary_key: ["post_id", "tag_id"]"#,
            ),
        );
        check_ok(
            JunctionWithoutKey,
            &link(
                r#", (name: "id", type: "uuid", not_null: true)"#,
                r#", junction: true, primary_key: ["id"], uniques: [(fields: ["tag_id", "post_id"])]"#,
            ),
        );
        check_ok(
            JunctionWithoutKey,
            &link(r#", (name: "weight", type: "integer")"#, ""),
        );
    }

    #[test]
    fn the_fix_keys_the_pair() {
        fix_clears(
            JunctionWithoutKey,
            &link(r#", (name: "created_at", type: "timestamptz")"#, ""),
        );
    }
}
