//! `orphan-entity`: in a design with several entities, one that no foreign
//! key joins to the rest is often a relationship someone forgot to draw.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Location};

pub fn check(design: &Design, _ids: &mut IdGen) -> Vec<Finding> {
    if design.entity_count() < 2 {
        return Vec::new();
    }
    let graph = design.graph();
    design
        .node_order()
        .iter()
        .filter(|&&n| graph.neighbors_undirected(n).next().is_none())
        .map(|&n| &graph[n])
        .map(|e| {
            Finding::new(
                Rule::OrphanEntity,
                Location::Entity(e.id.clone()),
                format!("`{}` has no relationship to any other entity", e.name),
                format!(
                    "add the foreign key that ties {} to the rest of the design, or move it to a design of its own",
                    e.name
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::OrphanEntity;
    use crate::core::check::rules::test_support::*;

    const USERS: &str = r#"(name: "users", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"])"#;
    const POSTS: &str = r#"(name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "uuid")],
        primary_key: ["id"], relationships: [(fields: ["author_id"], target: "users")])"#;
    const LOG: &str = r#"(name: "log", fields: [(name: "line", type: "text")])"#;
    const TREE: &str = r#"(name: "nodes", fields: [(name: "id", type: "uuid", not_null: true), (name: "parent_id", type: "uuid")],
        primary_key: ["id"], relationships: [(fields: ["parent_id"], target: "nodes")])"#;

    #[test]
    fn fires_on_an_entity_with_no_relationship() {
        check_finds(OrphanEntity, &format!("{USERS}, {POSTS}, {LOG}"), &["log"]);
    }

    #[test]
    fn a_lone_entity_or_a_self_reference_is_fine() {
        check_ok(OrphanEntity, LOG);
        check_ok(OrphanEntity, &format!("{USERS}, {POSTS}"));
        check_ok(OrphanEntity, &format!("{USERS}, {POSTS}, {TREE}"));
    }
}
