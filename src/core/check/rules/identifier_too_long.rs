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

fn cut(name: &str) -> &str {
    let mut at = MAX_IDENTIFIER_BYTES.min(name.len());
    while !name.is_char_boundary(at) {
        at -= 1;
    }
    &name[..at]
}

/// One unnamed constraint or index: where it is, what it is, and its
/// derived name's length and text (the text built only when needed).
struct Derived<'a> {
    location: Location,
    what: &'static str,
    len: usize,
    name: Box<dyn Fn() -> String + 'a>,
}

fn derived<'a>(design: &'a Design, e: &'a Entity) -> Vec<Derived<'a>> {
    let table = e.name.len();
    let mut out = Vec::new();
    if e.primary_key.as_ref().is_some_and(|pk| pk.name.is_none()) {
        out.push(Derived {
            location: Location::PrimaryKey(e.id.clone()),
            what: "primary key",
            len: table + "_pkey".len(),
            name: Box::new(move || format!("{}_pkey", e.name)),
        });
    }
    for u in e.uniques.iter().filter(|u| u.name.is_none()) {
        out.push(Derived {
            location: Location::Unique(e.id.clone(), u.id.clone()),
            what: "unique constraint",
            len: table + 1 + joined_len(e, &u.fields) + "_key".len(),
            name: Box::new(move || format!("{}_{}_key", e.name, joined(e, &u.fields))),
        });
    }
    for (n, c) in e
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name.is_none())
    {
        let suffix = if n == 0 { String::new() } else { n.to_string() };
        out.push(Derived {
            location: Location::Check(e.id.clone(), c.id.clone()),
            what: "check",
            len: table + "_check".len() + suffix.len(),
            name: Box::new(move || format!("{}_check{suffix}", e.name)),
        });
    }
    for i in e.indexes.iter().filter(|i| i.name.is_none()) {
        out.push(Derived {
            location: Location::Index(e.id.clone(), i.id.clone()),
            what: "index",
            len: table + 1 + joined_len(e, &i.fields) + "_idx".len(),
            name: Box::new(move || format!("{}_{}_idx", e.name, joined(e, &i.fields))),
        });
    }
    for r in design
        .relationships_from(&e.id)
        .into_iter()
        .filter(|r| r.name.is_none())
    {
        out.push(Derived {
            location: Location::Relationship(e.id.clone(), r.id.clone()),
            what: "foreign key",
            len: table + 1 + joined_len(e, &r.fields) + "_fkey".len(),
            name: Box::new(move || format!("{}_{}_fkey", e.name, joined(e, &r.fields))),
        });
    }
    out
}

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in design.entities() {
        // No derived name is longer than the table name, every field name
        // with a separator, and the longest suffix (`_check` and a number):
        // when that bound fits, nothing needs measuring.
        let longest = e.name.len() + e.fields.iter().map(|f| f.name.len() + 1).sum::<usize>() + 10;
        if longest <= MAX_IDENTIFIER_BYTES {
            continue;
        }
        for d in derived(design, e)
            .into_iter()
            .filter(|d| d.len > MAX_IDENTIFIER_BYTES)
        {
            let name = (d.name)();
            let what = d.what;
            out.push(Finding::new(
                Rule::IdentifierTooLong,
                d.location,
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
