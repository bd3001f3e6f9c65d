//! `unique-natural-key`: fields like `email`, `username` or `sku` name
//! one thing each, and code looks rows up by them. Without a unique
//! constraint, duplicates creep in (often from a double-submitted form) and
//! those lookups start returning two rows.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, Unique};

/// Names that identify one row each. Qualified names are left out on
/// purpose: many addresses share a `country_code`, many orders a
/// `billing_email`.
const NATURAL_KEYS: &[&str] = &[
    "email",
    "username",
    "user_name",
    "login",
    "slug",
    "sku",
    "handle",
    "code",
    "isbn",
    "ean",
    "upc",
    "iban",
];

fn is_natural_key(name: &str) -> bool {
    super::name_in(name, NATURAL_KEYS)
}

pub fn check_entity(_design: &Design, e: &Entity, ids: &mut IdGen, out: &mut Vec<Finding>) {
    for f in &e.fields {
        if !is_natural_key(&f.name) || e.is_unique_over(std::slice::from_ref(&f.id)) {
            continue;
        }
        let unique = Unique {
            id: ids.unique(),
            name: None,
            fields: vec![f.id.clone()],
        };
        out.push(
            Finding::new(
                Rule::UniqueNaturalKey,
                Location::Field(e.id.clone(), f.id.clone()),
                format!(
                    "`{}.{}` looks like a natural key but is not unique on its own",
                    e.name, f.name
                ),
                format!(
                    "add a unique constraint on {}({}), or rename the field if duplicates are meant",
                    e.name, f.name
                ),
            )
            .with_fix(Edit::AddUnique {
                entity: e.id.clone(),
                unique,
                at: e.uniques.len(),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::UniqueNaturalKey;
    use crate::core::check::rules::test_support::*;

    const LOOSE: &str = r#"(name: "users", fields: [(name: "email", type: "text"), (name: "country_code", type: "char(2)"), (name: "sku", type: "text"), (name: "team", type: "text"), (name: "emails_sent", type: "integer")],
        uniques: [(fields: ["team", "email"])])"#;

    #[test]
    fn fires_on_a_natural_key_that_is_not_unique_alone() {
        check_finds(UniqueNaturalKey, LOOSE, &["users.email", "users.sku"]);
    }

    #[test]
    fn a_unique_constraint_index_or_key_over_the_field_counts() {
        check_ok(
            UniqueNaturalKey,
            r#"(name: "users", fields: [(name: "email", type: "text"), (name: "slug", type: "text"), (name: "sku", type: "text", not_null: true)],
                primary_key: ["sku"], uniques: [(fields: ["email"])], indexes: [(fields: ["slug"], unique: true)])"#,
        );
    }

    #[test]
    fn the_fix_adds_a_unique_constraint() {
        fix_clears(UniqueNaturalKey, LOOSE);
    }
}
