//! `cascade-cycle`: when ON DELETE CASCADE relationships form a cycle,
//! one delete sweeps around it: deleting a row deletes its children,
//! whose children are rows of the first entity again, and so on until the
//! whole tangle is gone. On a self-reference a single delete takes the
//! entire subtree below it. Nobody can tell from one DELETE what it will
//! remove, so at least one relationship on the cycle should stop it.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, ReferentialAction, Relationship};

use super::cycles::cycles;

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    let cascades = |_: &Entity, r: &Relationship| r.on_delete == Some(ReferentialAction::Cascade);
    cycles(design, cascades)
        .into_iter()
        .filter_map(|cycle| {
            let first = cycle.relationships.first()?;
            let names: Vec<String> = cycle
                .relationships
                .iter()
                .map(|r| design.relationship_name(r))
                .collect();
            Some(Finding::new(
                Rule::CascadeCycle,
                Location::Relationship(first.from.clone(), first.id.clone()),
                format!(
                    "ON DELETE CASCADE relationships form a cycle, {}: deletes can loop through every entity on it{}",
                    cycle.path(design),
                    cycle.tangled()
                ),
                format!(
                    "make one of {} ON DELETE RESTRICT or SET NULL so a delete stops somewhere",
                    names.join(", ")
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::CascadeCycle;
    use crate::core::check::rules::test_support::*;

    /// An entity `name` with foreign keys to each of `targets`, each with
    /// the given delete action.
    fn entity(name: &str, targets: &[(&str, &str)]) -> String {
        let fields: String = targets
            .iter()
            .map(|(t, _)| format!(r#", (name: "{t}_id", type: "uuid")"#))
            .collect();
        let rels: Vec<String> = targets
            .iter()
            .map(|(t, action)| {
                format!(r#"(fields: ["{t}_id"], target: "{t}", on_delete: {action})"#)
            })
            .collect();
        format!(
            r#"(name: "{name}", fields: [(name: "id", type: "uuid", not_null: true){fields}], primary_key: ["id"], relationships: [{}])"#,
            rels.join(", ")
        )
    }

    #[test]
    fn fires_once_per_cycle_of_cascades() {
        let found = check_finds(
            CascadeCycle,
            &[
                entity("a", &[("b", "Cascade")]),
                entity("b", &[("c", "Cascade")]),
                entity("c", &[("a", "Cascade"), ("c", "Cascade")]),
                entity("d", &[("a", "Cascade")]),
            ]
            .join(", "),
            &["a: foreign key a_b_id_fkey", "c: foreign key c_c_id_fkey"],
        );
        assert!(found[0].message.contains("a -> b -> c -> a"), "{found:#?}");
        assert!(found[1].message.contains("c -> c"), "{found:#?}");
    }

    #[test]
    fn names_the_rest_of_a_tangle() {
        let found = check_finds(
            CascadeCycle,
            &[
                entity("a", &[("b", "Cascade")]),
                entity("b", &[("a", "Cascade"), ("c", "Cascade")]),
                entity("c", &[("b", "Cascade")]),
            ]
            .join(", "),
            &["a: foreign key a_b_id_fkey"],
        );
        assert!(
            found[0].message.contains("a -> b -> a") && found[0].message.contains("c is tangled"),
            "{found:#?}"
        );
    }

    #[test]
    fn one_other_action_breaks_the_cycle() {
        check_ok(
            CascadeCycle,
            &[
                entity("a", &[("b", "Cascade")]),
                entity("b", &[("c", "Cascade")]),
                entity("c", &[("a", "SetNull"), ("c", "Restrict")]),
            ]
            .join(", "),
        );
        check_ok(
            CascadeCycle,
            &[entity("a", &[("b", "Cascade")]), entity("b", &[])].join(", "),
        );
    }
}
