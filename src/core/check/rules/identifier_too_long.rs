//! `identifier-too-long`: PostgreSQL keeps only the first 63 bytes of an
//! identifier. A constraint or index the design leaves unnamed gets a
//! derived name (`<table>_<fields>_fkey` and the like) that, for long table
//! and field names, passes that limit and is cut short: two names that
//! differ only past the cut then clash, and the name in the database is
//! not the one anyone would guess. Explicit names over the limit are
//! refused by validation, so only derived names are checked here.

use crate::core::check::{Finding, Rule};
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{Design, Entity, Location, MAX_IDENTIFIER_BYTES};

/// The derived name before PostgreSQL cuts it, in the format of
/// `model::naming`.
fn joined(entity: &Entity, fields: &[FieldId]) -> String {
    entity.field_names(fields).join("_")
}

/// Where PostgreSQL cuts `name`: at the limit, on a character boundary.
fn cut(name: &str) -> &str {
    let mut at = MAX_IDENTIFIER_BYTES.min(name.len());
    while !name.is_char_boundary(at) {
        at -= 1;
    }
    &name[..at]
}

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in design.entities() {
        // What each unnamed constraint or index would be called in full.
        let mut derived: Vec<(Location, &str, String)> = Vec::new();
        if let Some(pk) = &e.primary_key
            && pk.name.is_none()
        {
            let name = format!("{}_pkey", e.name);
            derived.push((Location::PrimaryKey(e.id.clone()), "primary key", name));
        }
        for u in e.uniques.iter().filter(|u| u.name.is_none()) {
            let name = format!("{}_{}_key", e.name, joined(e, &u.fields));
            derived.push((
                Location::Unique(e.id.clone(), u.id.clone()),
                "unique constraint",
                name,
            ));
        }
        for (n, c) in e.checks.iter().enumerate() {
            if c.name.is_some() {
                continue;
            }
            let suffix = if n == 0 { String::new() } else { n.to_string() };
            let name = format!("{}_check{suffix}", e.name);
            derived.push((Location::Check(e.id.clone(), c.id.clone()), "check", name));
        }
        for i in e.indexes.iter().filter(|i| i.name.is_none()) {
            let name = format!("{}_{}_idx", e.name, joined(e, &i.fields));
            derived.push((Location::Index(e.id.clone(), i.id.clone()), "index", name));
        }
        for r in design.relationships_from(&e.id) {
            if r.name.is_some() {
                continue;
            }
            let name = format!("{}_{}_fkey", e.name, joined(e, &r.fields));
            derived.push((
                Location::Relationship(e.id.clone(), r.id.clone()),
                "foreign key",
                name,
            ));
        }
        for (location, what, name) in derived {
            if name.len() <= MAX_IDENTIFIER_BYTES {
                continue;
            }
            out.push(Finding::new(
                Rule::IdentifierTooLong,
                location,
                format!(
                    "the derived name of this {what} on `{}`, `{name}`, is {} bytes; PostgreSQL cuts it to `{}`",
                    e.name,
                    name.len(),
                    cut(&name)
                ),
                format!(
                    "give the {what} an explicit name of at most {MAX_IDENTIFIER_BYTES} bytes, so it cannot clash with another cut name"
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::IdentifierTooLong;
    use crate::core::check::rules::test_support::*;

    /// 30 bytes of table name and 31 of field name: derived names pass 63.
    const LONG: &str = r#"(name: "customer_subscription_renewals", fields: [(name: "id", type: "uuid", not_null: true), (name: "preferred_payment_method_ref_id", type: "uuid"), (name: "n", type: "integer")],
        primary_key: ["id"], checks: [(expr: "n > 0")],
        indexes: [(fields: ["n", "preferred_payment_method_ref_id"])],
        relationships: [(fields: ["preferred_payment_method_ref_id"], target: "customer_subscription_renewals")])"#;

    #[test]
    fn fires_on_derived_names_over_63_bytes() {
        let found = check_finds(
            IdentifierTooLong,
            LONG,
            &[
                "customer_subscription_renewals: index customer_subscription_renewals_n_preferred_payment_method_ref_i",
                "customer_subscription_renewals: foreign key customer_subscription_renewals_preferred_payment_method_ref_id_",
            ],
        );
        assert!(found[0].message.contains("68 bytes"), "{found:#?}");
    }

    #[test]
    fn short_or_explicit_names_are_fine() {
        check_ok(
            IdentifierTooLong,
            r#"(name: "customer_subscription_renewals", fields: [(name: "id", type: "uuid", not_null: true), (name: "preferred_payment_method_ref_id", type: "uuid"), (name: "n", type: "integer")],
                primary_key: ["id"], uniques: [(name: "renewals_method_key", fields: ["preferred_payment_method_ref_id"])], checks: [(expr: "n > 0")],
                indexes: [(fields: ["n"]), (name: "renewals_n_method_idx", fields: ["n", "preferred_payment_method_ref_id"])],
                relationships: [(name: "renewals_method_fkey", fields: ["preferred_payment_method_ref_id"], target: "customer_subscription_renewals")])"#,
        );
    }
}
