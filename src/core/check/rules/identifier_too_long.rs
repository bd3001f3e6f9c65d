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

/// The length of `joined` without building it: checks run on every edit,
/// and nearly every derived name is short.
fn joined_len(entity: &Entity, fields: &[FieldId]) -> usize {
    let names: usize = fields
        .iter()
        .map(|id| entity.field(id).map_or(id.as_str().len(), |f| f.name.len()))
        .sum();
    names + fields.len().saturating_sub(1)
}

/// The bytes of the number PostgreSQL appends to the n-th unnamed check.
fn check_suffix_len(n: usize) -> usize {
    if n == 0 { 0 } else { n.ilog10() as usize + 1 }
}

fn cut(name: &str) -> &str {
    let mut at = MAX_IDENTIFIER_BYTES.min(name.len());
    while !name.is_char_boundary(at) {
        at -= 1;
    }
    &name[..at]
}

fn finding(e: &Entity, location: Location, what: &str, name: String) -> Finding {
    Finding::new(
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
    )
}

/// Each unnamed constraint and index is measured first; its name is built
/// only when it is too long.
pub fn check_entity(design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    // No derived name is longer than the table name, every field name
    // with a separator, and the longest suffix (`_check` and a number):
    // when that bound fits, nothing needs measuring.
    let longest = e.name.len() + e.fields.iter().map(|f| f.name.len() + 1).sum::<usize>() + 10;
    if longest <= MAX_IDENTIFIER_BYTES {
        return;
    }
    let table = e.name.len();
    let too_long = |len: usize| len > MAX_IDENTIFIER_BYTES;
    if e.primary_key.as_ref().is_some_and(|pk| pk.name.is_none()) && too_long(table + "_pkey".len())
    {
        let name = format!("{}_pkey", e.name);
        out.push(finding(
            e,
            Location::PrimaryKey(e.id.clone()),
            "primary key",
            name,
        ));
    }
    for u in e.uniques.iter().filter(|u| u.name.is_none()) {
        if too_long(table + 1 + joined_len(e, &u.fields) + "_key".len()) {
            let name = format!("{}_{}_key", e.name, joined(e, &u.fields));
            let location = Location::Unique(e.id.clone(), u.id.clone());
            out.push(finding(e, location, "unique constraint", name));
        }
    }
    for (n, c) in e
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name.is_none())
    {
        if too_long(table + "_check".len() + check_suffix_len(n)) {
            let suffix = if n == 0 { String::new() } else { n.to_string() };
            let name = format!("{}_check{suffix}", e.name);
            out.push(finding(
                e,
                Location::Check(e.id.clone(), c.id.clone()),
                "check",
                name,
            ));
        }
    }
    for i in e.indexes.iter().filter(|i| i.name.is_none()) {
        if too_long(table + 1 + joined_len(e, &i.fields) + "_idx".len()) {
            let name = format!("{}_{}_idx", e.name, joined(e, &i.fields));
            out.push(finding(
                e,
                Location::Index(e.id.clone(), i.id.clone()),
                "index",
                name,
            ));
        }
    }
    // Foreign keys in the order of their first field, as the design lists
    // them; only the long ones are sorted.
    let mut keys: Vec<_> = design
        .foreign_keys_from(&e.id)
        .filter(|r| r.name.is_none())
        .filter(|r| too_long(table + 1 + joined_len(e, &r.fields) + "_fkey".len()))
        .collect();
    keys.sort_by_key(|r| (r.fields.first().and_then(|f| e.field_position(f)), &r.id));
    for r in keys {
        let name = format!("{}_{}_fkey", e.name, joined(e, &r.fields));
        let location = Location::Relationship(e.id.clone(), r.id.clone());
        out.push(finding(e, location, "foreign key", name));
    }
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
