//! `normal-form`: the formal analysis of the dependencies an entity
//! declares (`dependencies: ["zip -> city, state"]`). Its primary key and
//! unique constraints count as keys; from them and the declared
//! dependencies come the candidate keys and the highest normal form. Below
//! BCNF the finding names what breaks the next form and proposes a
//! lossless, dependency-preserving 3NF decomposition.

use crate::core::check::{Finding, Rule};
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{Design, Entity, Location};
use crate::core::normal::{
    Analysis, AttributeSet, FunctionalDependency, NormalForm, Relation, analyse, synthesize_3nf,
};

/// The entity as the analysis sees it: its field names, and its declared
/// dependencies plus "each key determines every field".
pub fn dependencies_of(entity: &Entity) -> (AttributeSet, Vec<FunctionalDependency>) {
    let names = |ids: &[FieldId]| entity.field_names(ids);
    let attributes: AttributeSet = entity.fields.iter().map(|f| f.name.clone()).collect();
    let keys = entity
        .primary_key
        .iter()
        .map(|pk| &pk.fields)
        .chain(entity.uniques.iter().map(|u| &u.fields));
    let mut fds: Vec<FunctionalDependency> = keys
        .map(|key| FunctionalDependency::new(names(key), attributes.iter().cloned()))
        .collect();
    fds.extend(
        entity
            .dependencies
            .iter()
            .map(|d| FunctionalDependency::new(names(&d.lhs), names(&d.rhs))),
    );
    (attributes, fds)
}

/// The analysis and the proposed decomposition of one entity.
pub fn analyse_entity(entity: &Entity) -> (Analysis, Vec<Relation>) {
    let (attributes, fds) = dependencies_of(entity);
    (
        analyse(&attributes, &fds),
        synthesize_3nf(&attributes, &fds),
    )
}

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    if e.dependencies.is_empty() {
        return;
    }
    let (analysis, decomposition) = analyse_entity(e);
    if analysis.normal_form == NormalForm::BoyceCodd {
        return;
    }
    let violations: Vec<String> = analysis.violations.iter().map(|v| v.to_string()).collect();
    let hint = if analysis.normal_form < NormalForm::Third {
        let parts: Vec<String> = decomposition.iter().map(|r| r.to_string()).collect();
        format!("split {} into {}", e.name, parts.join("; "))
    } else {
        // 3NF but not BCNF: 3NF synthesis keeps the table whole, and a
        // BCNF split would lose a dependency; say so rather than split.
        "a BCNF split would lose a dependency; keep it and allow this finding, or drop the dependency it protects".to_string()
    };
    out.push(Finding::new(
        Rule::NormalForm,
        Location::Entity(e.id.clone()),
        format!(
            "`{}` is in {} by its declared dependencies: {}",
            e.name,
            analysis.normal_form,
            violations.join("; ")
        ),
        hint,
    ));
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::NormalForm as Rule;
    use crate::core::check::rules::test_support::*;

    const ORDER_ITEMS: &str = r#"(name: "order_items", fields: [(name: "order_id", type: "uuid", not_null: true), (name: "product_id", type: "uuid", not_null: true), (name: "quantity", type: "integer"), (name: "product_name", type: "text")],
        primary_key: ["order_id", "product_id"], dependencies: ["product_id -> product_name"])"#;

    const CUSTOMERS: &str = r#"(name: "customers", fields: [(name: "id", type: "uuid", not_null: true), (name: "name", type: "text"), (name: "zip", type: "text"), (name: "city", type: "text"), (name: "state", type: "text")],
        primary_key: ["id"], dependencies: ["zip -> city, state"])"#;

    #[test]
    fn a_partial_dependency_on_a_composite_key_is_1nf_with_a_split() {
        let found = check_finds(Rule, ORDER_ITEMS, &["order_items"]);
        assert!(found[0].message.contains("in 1NF"), "{}", found[0].message);
        assert!(found[0].message.contains("product_id -> product_name"));
        assert_eq!(
            found[0].hint,
            "split order_items into (order_id, product_id, quantity) key (order_id, product_id); (product_id, product_name) key (product_id)"
        );
    }

    #[test]
    fn a_transitive_dependency_is_2nf_with_a_split() {
        let found = check_finds(Rule, CUSTOMERS, &["customers"]);
        assert!(found[0].message.contains("in 2NF"), "{}", found[0].message);
        assert!(
            found[0].hint.contains("(city, state, zip) key (zip)"),
            "{}",
            found[0].hint
        );
        assert!(
            found[0].hint.contains("(id, name, zip) key (id)"),
            "{}",
            found[0].hint
        );
    }

    #[test]
    fn third_but_not_boyce_codd_keeps_the_table() {
        let found = check_finds(
            Rule,
            r#"(name: "addresses", fields: [(name: "street", type: "text", not_null: true), (name: "city", type: "text", not_null: true), (name: "zip", type: "text")],
            primary_key: ["street", "city"], dependencies: ["zip -> city", "street, city -> zip"])"#,
            &["addresses"],
        );
        assert!(found[0].message.contains("in 3NF"), "{}", found[0].message);
        assert!(found[0].hint.contains("would lose a dependency"));
    }

    #[test]
    fn quiet_in_bcnf_or_without_declared_dependencies() {
        check_ok(
            Rule,
            r#"(name: "customers", fields: [(name: "id", type: "uuid", not_null: true), (name: "email", type: "text")], primary_key: ["id"], uniques: [(fields: ["email"])], dependencies: ["email -> id"])"#,
        );
        check_ok(Rule, r#"(name: "t", fields: [(name: "a", type: "text")])"#);
    }
}
