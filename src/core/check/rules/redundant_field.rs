//! `redundant-field`: a field copied from the entity a foreign key already
//! points at, such as `orders.customer_email` beside `orders.customer_id`
//! → `customers.email`. The copy goes stale when the original changes and
//! nothing keeps the two in step. Read it through the join; when the copy
//! is a deliberate snapshot (the email an invoice was sent to), allow the
//! finding with that reason.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};

pub fn check_entity(design: &Design, child: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for (r, parent) in super::foreign_keys(design, child) {
        let [key] = r.fields.as_slice() else { continue };
        let Some(prefix) = child.field(key).and_then(|k| k.name.strip_suffix("_id")) else {
            continue;
        };
        for f in &child.fields {
            let copied = f
                .name
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('_'));
            let Some(source) = copied
                .filter(|&c| c != "id")
                .and_then(|c| parent.field_named(c))
            else {
                continue;
            };
            let is_key = design
                .foreign_keys_from(&child.id)
                .any(|r| r.fields.contains(&f.id));
            if is_key {
                continue;
            }
            out.push(Finding::new(
                Rule::RedundantField,
                Location::Field(child.id.clone(), f.id.clone()),
                format!(
                    "`{}.{}` repeats `{}.{}`, which `{}.{}` already reaches",
                    child.name,
                    f.name,
                    parent.name,
                    source.name,
                    child.name,
                    child.field_name(key)
                ),
                format!(
                    "read {}.{} through the join and drop {}.{}, or allow this finding with the reason the copy is kept",
                    parent.name, source.name, child.name, f.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::RedundantField;
    use crate::core::check::rules::test_support::*;

    const CUSTOMERS: &str = r#"(name: "customers", fields: [(name: "id", type: "uuid", not_null: true), (name: "email", type: "text"), (name: "name", type: "text")], primary_key: ["id"])"#;

    #[test]
    fn fires_on_a_field_copied_from_the_referenced_entity() {
        check_finds(
            RedundantField,
            &format!(
                r#"{CUSTOMERS}, (name: "orders", fields: [(name: "customer_id", type: "uuid"), (name: "customer_email", type: "text"), (name: "customer_note", type: "text")],
                relationships: [(fields: ["customer_id"], target: "customers")])"#
            ),
            &["orders.customer_email"],
        );
    }

    #[test]
    fn quiet_without_a_matching_foreign_key() {
        check_ok(
            RedundantField,
            &format!(
                r#"{CUSTOMERS}, (name: "orders", fields: [(name: "buyer_id", type: "uuid"), (name: "customer_email", type: "text")],
                relationships: [(fields: ["buyer_id"], target: "customers")])"#
            ),
        );
    }

    #[test]
    fn an_allowed_copy_is_reported_as_allowed() {
        let d = design(&format!(
            r#"{CUSTOMERS}, (name: "orders", fields: [(name: "customer_id", type: "uuid"), (name: "customer_email", type: "text", allow: [(rule: "redundant-field", reason: "the address the invoice went to")])],
            relationships: [(fields: ["customer_id"], target: "customers")])"#
        ));
        let found =
            crate::core::check::check(&d, &d.checks, &mut crate::core::ids::IdGen::seeded(1));
        let f = found.iter().find(|f| f.rule == RedundantField).unwrap();
        assert_eq!(
            f.allowed.as_deref(),
            Some("the address the invoice went to")
        );
    }
}
