//! Cycles of relationships, for `cascade-cycle` and `fk-cycle`: the
//! strongly connected parts of the graph restricted to some relationships,
//! each with one concrete cycle to show.
//!
//! A tangle of entities can hold exponentially many cycles, so each
//! strongly connected component is reported once, through one shortest
//! cycle from its first entity (in design order); a self-reference is a
//! cycle of its own. All of it is linear in the size of the graph, apart
//! from sorting the relationships of entities on a cycle.
//!
//! A cycle of the relationships kept is a cycle of the whole graph too, so
//! it lies inside one of the whole graph's strongly connected components.
//! Most designs have none of two or more entities, and then the filter,
//! which may read the entities' fields, never runs at all.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use petgraph::stable_graph::{EdgeReference, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use crate::core::ids::EntityId;
use crate::core::model::{Design, Entity, Relationship, strongly_connected};

/// One cycle: its relationships in order, each one's parent the next
/// one's child, the last one's parent the first one's child.
pub struct Cycle<'d> {
    pub relationships: Vec<&'d Relationship>,
    /// Entities of the same tangle that this cycle does not pass through.
    pub others: Vec<&'d Entity>,
}

impl Cycle<'_> {
    /// `a -> b -> a`: the entities along the cycle, child to parent.
    pub fn path(&self, design: &Design) -> String {
        let name = |id: &EntityId| design.entity(id).map_or(id.to_string(), |e| e.name.clone());
        let mut names: Vec<String> = self.relationships.iter().map(|r| name(&r.from)).collect();
        if let Some(first) = self.relationships.first() {
            names.push(name(&first.from));
        }
        names.join(" -> ")
    }

    /// `; a and b are tangled in it too`, or nothing.
    pub fn tangled(&self) -> String {
        if self.others.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = self.others.iter().map(|e| e.name.as_str()).collect();
        let verb = if names.len() == 1 { "is" } else { "are" };
        format!("; {} {verb} tangled in it too", names.join(", "))
    }
}

/// The cycles made only of relationships that `keep` accepts (given each
/// with its child entity): every self-reference, and one cycle per
/// strongly connected component of two or more entities, in design order.
pub fn cycles<'d>(
    design: &'d Design,
    keep: impl Fn(&Entity, &Relationship) -> bool,
) -> Vec<Cycle<'d>> {
    let graph = design.graph();
    let mut positions = vec![usize::MAX; graph.node_bound()];
    for (i, n) in design.node_order().iter().enumerate() {
        positions[n.index()] = i;
    }
    let position = |n: NodeIndex| positions[n.index()];
    let mut found: Vec<(usize, Cycle<'d>)> = Vec::new();

    // Self-references, in the order their entities list them.
    let mut loops: Vec<_> = graph
        .edge_references()
        .filter(|e| e.source() == e.target() && keep(&graph[e.source()], e.weight()))
        .map(|e| {
            let child = &graph[e.source()];
            let r = e.weight();
            let first = r.fields.first().and_then(|f| child.field_position(f));
            ((position(e.source()), first, &r.id), r)
        })
        .collect();
    loops.sort_by_key(|&(key, _)| key);
    for ((at, _, _), r) in loops {
        let cycle = Cycle {
            relationships: vec![r],
            others: Vec::new(),
        };
        found.push((at, cycle));
    }

    // The whole graph's components of two or more entities; only
    // relationships inside one of them can be on a cycle.
    let mut component = vec![usize::MAX; graph.node_bound()];
    let mut tangles = 0;
    strongly_connected(
        graph,
        |_| true,
        |nodes| {
            if nodes.len() >= 2 {
                for n in nodes {
                    component[n.index()] = tangles;
                }
                tangles += 1;
            }
        },
    );
    let mut tangled: Vec<Vec<NodeIndex>> = Vec::new();
    if tangles > 0 {
        let inside = |a: NodeIndex, b: NodeIndex| {
            component[a.index()] != usize::MAX && component[a.index()] == component[b.index()]
        };
        let follow = |e: EdgeReference<Arc<Relationship>>| {
            inside(e.source(), e.target()) && keep(&graph[e.source()], e.weight())
        };
        strongly_connected(graph, follow, |nodes| {
            if nodes.len() >= 2 {
                tangled.push(nodes.to_vec());
            }
        });
    }

    for component in tangled {
        let members: HashSet<&EntityId> = component.iter().map(|&n| &graph[n].id).collect();
        let Some(&start) = component.iter().min_by_key(|&&n| position(n)) else {
            continue;
        };
        let start_id = &graph[start].id;
        // Breadth first from the start, over kept relationships inside the
        // component, until one leads back to the start.
        let mut came_by: HashMap<&EntityId, &Relationship> = HashMap::new();
        let mut queue = VecDeque::from([start_id]);
        let mut closing = None;
        'search: while let Some(at) = queue.pop_front() {
            let Some(child) = design.entity(at) else {
                continue;
            };
            for r in design.relationships_from(at) {
                if r.from == r.to || !keep(child, r) || !members.contains(&r.to) {
                    continue;
                }
                if &r.to == start_id {
                    closing = Some(r);
                    break 'search;
                }
                if !came_by.contains_key(&r.to) {
                    came_by.insert(&r.to, r);
                    queue.push_back(&r.to);
                }
            }
        }
        let Some(last) = closing else {
            continue; // a component always holds a cycle through each member
        };
        let mut relationships = vec![last];
        let mut at = &last.from;
        while at != start_id {
            let r = came_by[at];
            relationships.push(r);
            at = &r.from;
        }
        relationships.reverse();
        let on_cycle: HashSet<&EntityId> = relationships.iter().map(|r| &r.from).collect();
        let mut others: Vec<NodeIndex> = component
            .iter()
            .copied()
            .filter(|&n| !on_cycle.contains(&graph[n].id))
            .collect();
        others.sort_by_key(|&n| position(n));
        let cycle = Cycle {
            relationships,
            others: others.into_iter().map(|n| &*graph[n]).collect(),
        };
        found.push((position(start), cycle));
    }
    // Stable: self-references first at an entity, in relationship order.
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::chain;

    #[test]
    fn a_long_chain_of_foreign_keys_does_not_overflow_the_stack() {
        let d = chain(20_000);
        let small_stack = std::thread::Builder::new().stack_size(64 * 1024);
        let found = small_stack
            .spawn(move || cycles(&d, |_, _| true).len())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(found, 0);
    }
}
