//! `fk-cycle`: when foreign keys whose fields are all NOT NULL form a
//! cycle, no row on it can be inserted first: each needs a parent row that
//! needs a parent row in turn, back to itself. Only constraints deferred
//! to commit, or a row that references itself, get the first rows in. A
//! self-reference that must not be NULL has the same problem with its
//! first row (the root of the tree).
//!
//! A cycle through a deferrable key is fine: `INITIALLY DEFERRED`, or
//! `SET CONSTRAINTS ... DEFERRED` in the transaction, checks that key at
//! commit, when the rows of the whole cycle are in.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Deferrable, Design, Entity, Location, Relationship};

use super::cycles::cycles;

/// Whether every key field of the relationship is NOT NULL in its child.
pub fn is_mandatory(child: &Entity, r: &Relationship) -> bool {
    !r.fields.is_empty()
        && r.fields
            .iter()
            .all(|f| child.field(f).is_some_and(|f| f.not_null))
}

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let blocks =
        |child: &Entity, r: &Relationship| is_mandatory(child, r) && !r.deferrable.is_deferrable();
    cycles(design, blocks)
        .into_iter()
        .filter_map(|cycle| {
            let first = cycle.relationships.first()?;
            let keys: Vec<String> = cycle
                .relationships
                .iter()
                .filter_map(|r| {
                    let child = design.entity(&r.from)?;
                    let fields = child.field_names(&r.fields).join(", ");
                    Some(format!("{}({fields})", child.name))
                })
                .collect();
            Some(Finding::new(
                Rule::FkCycle,
                Location::Relationship(first.from.clone(), first.id.clone()),
                format!(
                    "NOT NULL foreign keys form a cycle, {}: no row on it can be inserted first{}",
                    cycle.path(design),
                    cycle.tangled()
                ),
                format!(
                    "make one of {} nullable so rows can be inserted first and linked after, or declare the key DEFERRABLE INITIALLY DEFERRED",
                    keys.join(", ")
                ),
            )
            .with_fix(Edit::SetRelationshipDeferrable {
                id: first.id.clone(),
                deferrable: Deferrable::InitiallyDeferred,
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::FkCycle;
    use crate::core::check::rules::test_support::*;

    const EMPLOYEES: &str = r#"(name: "employees", fields: [(name: "id", type: "uuid", not_null: true), (name: "department_id", type: "uuid", not_null: true)],
        primary_key: ["id"], relationships: [(fields: ["department_id"], target: "departments")])"#;
    const DEPARTMENTS: &str = r#"(name: "departments", fields: [(name: "id", type: "uuid", not_null: true), (name: "manager_id", type: "uuid", not_null: true)],
        primary_key: ["id"], relationships: [(fields: ["manager_id"], target: "employees")])"#;
    const OPTIONAL_MANAGER: &str = r#"(name: "departments", fields: [(name: "id", type: "uuid", not_null: true), (name: "manager_id", type: "uuid")],
        primary_key: ["id"], relationships: [(fields: ["manager_id"], target: "employees")])"#;
    const ROOTLESS_TREE: &str = r#"(name: "nodes", fields: [(name: "id", type: "uuid", not_null: true), (name: "parent_id", type: "uuid", not_null: true)],
        primary_key: ["id"], relationships: [(fields: ["parent_id"], target: "nodes")])"#;
    const TREE: &str = r#"(name: "nodes", fields: [(name: "id", type: "uuid", not_null: true), (name: "parent_id", type: "uuid")],
        primary_key: ["id"], relationships: [(fields: ["parent_id"], target: "nodes")])"#;

    #[test]
    fn fires_once_per_cycle_of_not_null_keys() {
        let found = check_finds(
            FkCycle,
            &format!("{EMPLOYEES}, {DEPARTMENTS}, {ROOTLESS_TREE}"),
            &[
                "employees: foreign key employees_department_id_fkey",
                "nodes: foreign key nodes_parent_id_fkey",
            ],
        );
        assert!(
            found[0]
                .message
                .contains("employees -> departments -> employees"),
            "{found:#?}"
        );
        assert!(found[0].hint.contains("departments(manager_id)"));
    }

    #[test]
    fn one_nullable_key_breaks_the_cycle() {
        check_ok(FkCycle, &format!("{EMPLOYEES}, {OPTIONAL_MANAGER}, {TREE}"));
    }

    #[test]
    fn one_deferrable_key_lets_the_rows_in() {
        for when in ["Deferred", "Immediate"] {
            let deferrable = |entity: &str| {
                entity.replace(
                    r#"target: "employees")"#,
                    &format!(r#"target: "employees", deferrable: {when})"#),
                )
            };
            let rooted = ROOTLESS_TREE.replace(
                r#"target: "nodes")"#,
                &format!(r#"target: "nodes", deferrable: {when})"#),
            );
            check_ok(
                FkCycle,
                &format!("{EMPLOYEES}, {}, {rooted}", deferrable(DEPARTMENTS)),
            );
        }
    }

    #[test]
    fn the_fix_defers_the_first_key_of_each_cycle() {
        fix_clears(
            FkCycle,
            &format!("{EMPLOYEES}, {DEPARTMENTS}, {ROOTLESS_TREE}"),
        );
    }
}
