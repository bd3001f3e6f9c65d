//! `pk-not-uuid`: the house style keys entities with UUIDs, which can be
//! made anywhere without a round trip and do not leak row counts. A
//! single-field key of another type is allowed but worth a second look.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Location, SqlType};

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in design.entities() {
        let Some(pk) = &e.primary_key else {
            continue;
        };
        let [id] = pk.fields.as_slice() else {
            continue;
        };
        let Some(field) = e.field(id) else {
            continue;
        };
        if field.ty == SqlType::Uuid {
            continue;
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
    out
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
