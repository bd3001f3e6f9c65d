//! `pk-not-uuid`: the house style keys entities with UUIDs, which can be
//! made anywhere without a round trip and do not leak row counts. A
//! single-field key of another type is allowed but worth a second look.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, SqlType};

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    let Some(pk) = &e.primary_key else {
        return;
    };
    let [id] = pk.fields.as_slice() else {
        return;
    };
    let Some(field) = e.field(id) else {
        return;
    };
    if field.ty == SqlType::Uuid {
        return;
    }
    out.push(Finding::new(
        Rule::PkNotUuid,
        Location::Field(e.id.clone(), field.id.clone()),
        format!(
            "`{}` is keyed by `{}` of type {}, not uuid",
            e.name, field.name, field.ty
        ),
        format!(
            "make {}.{} `uuid NOT NULL DEFAULT gen_random_uuid()` unless the key must be {}",
            e.name, field.name, field.ty
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::PkNotUuid;
    use crate::core::check::rules::test_support::*;

    const UUID: &str =
        r#"(name: "a", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"])"#;
    const BIGINT: &str = r#"(name: "b", fields: [(name: "id", type: "bigint", not_null: true)], primary_key: ["id"])"#;
    const COMPOSITE: &str = r#"(name: "c", fields: [(name: "x", type: "integer", not_null: true), (name: "y", type: "integer", not_null: true)], primary_key: ["x", "y"])"#;
    const UNKEYED: &str = r#"(name: "d", fields: [(name: "n", type: "text")])"#;

    #[test]
    fn fires_on_a_single_field_key_that_is_not_uuid() {
        check_ok(PkNotUuid, &format!("{UUID}, {COMPOSITE}, {UNKEYED}"));
        check_finds(PkNotUuid, &format!("{UUID}, {BIGINT}"), &["b.id"]);
    }
}
