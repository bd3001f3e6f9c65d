//! `no-primary-key`: every entity needs a key to be referenced and to keep
//! rows apart.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Field, Location, PrimaryKey, SqlType};

pub fn check_entity(_design: &Design, e: &Entity, ids: &mut IdGen, out: &mut Vec<Finding>) {
    if e.primary_key.is_some() {
        return;
    }
    // Key an existing `id` field, or add the house-style UUID key.
    let fix = match e.field_named("id") {
        Some(id) => Edit::Batch(vec![
            Edit::SetNotNull {
                entity: e.id.clone(),
                field: id.id.clone(),
                not_null: true,
            },
            Edit::SetPrimaryKey {
                entity: e.id.clone(),
                primary_key: Some(PrimaryKey {
                    name: None,
                    fields: vec![id.id.clone()],
                }),
            },
        ]),
        None => {
            let id = Field::new(ids.field(), "id", SqlType::Uuid)
                .not_null()
                .default_expr("gen_random_uuid()");
            let key = PrimaryKey {
                name: None,
                fields: vec![id.id.clone()],
            };
            Edit::Batch(vec![
                Edit::AddField {
                    entity: e.id.clone(),
                    field: id,
                    at: 0,
                },
                Edit::SetPrimaryKey {
                    entity: e.id.clone(),
                    primary_key: Some(key),
                },
            ])
        }
    };
    out.push(
        Finding::new(
            Rule::NoPrimaryKey,
            Location::Entity(e.id.clone()),
            format!("`{}` has no primary key", e.name),
            "add a primary key; the house style is `id uuid NOT NULL DEFAULT gen_random_uuid()`",
        )
        .with_fix(fix),
    );
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::NoPrimaryKey;
    use crate::core::check::rules::test_support::*;

    const KEYED: &str =
        r#"(name: "a", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"])"#;
    const UNKEYED: &str = r#"(name: "b", fields: [(name: "n", type: "text")]), (name: "c", fields: [(name: "id", type: "bigint")])"#;

    #[test]
    fn fires_on_entities_without_a_key() {
        check_ok(NoPrimaryKey, KEYED);
        check_finds(NoPrimaryKey, &format!("{KEYED}, {UNKEYED}"), &["b", "c"]);
    }

    #[test]
    fn the_fix_keys_an_id_field_or_adds_one() {
        fix_clears(NoPrimaryKey, UNKEYED);
    }
}
