//! Graph algorithms over the design: dependency order and cycles.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use petgraph::algo::tarjan_scc;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use crate::core::ids::{EntityId, RelationshipId};
use crate::core::model::Design;

/// The order in which tables can be created, and the foreign keys that
/// must wait until every table exists because they close a cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DependencyOrder {
    pub entities: Vec<EntityId>,
    /// Foreign keys inside a cycle, self-references included.
    pub deferred: HashSet<RelationshipId>,
}

impl Design {
    /// Referenced entities come before the entities that reference them;
    /// otherwise the user's order is kept, so the output is deterministic
    /// and reads like the design. Entities on a foreign-key cycle are
    /// kept together in the user's order and their mutual keys deferred.
    pub fn dependency_order(&self) -> DependencyOrder {
        let graph = self.graph();
        let components = tarjan_scc(graph);
        let bound = graph.node_bound();
        let mut component_of = vec![usize::MAX; bound];
        for (c, nodes) in components.iter().enumerate() {
            for n in nodes {
                component_of[n.index()] = c;
            }
        }
        let position = |n: petgraph::stable_graph::NodeIndex| {
            self.entity_position(&graph[n].id).unwrap_or(usize::MAX)
        };

        // Each component waits for the components it references.
        let mut waiting_on = vec![0usize; components.len()];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); components.len()];
        let mut deferred = HashSet::new();
        for edge in graph.edge_references() {
            let (child, parent) = (
                component_of[edge.source().index()],
                component_of[edge.target().index()],
            );
            if child == parent {
                deferred.insert(edge.weight().id.clone());
            } else {
                waiting_on[child] += 1;
                dependents[parent].push(child);
            }
        }

        let first_position: Vec<usize> = components
            .iter()
            .map(|nodes| {
                nodes
                    .iter()
                    .map(|&n| position(n))
                    .min()
                    .unwrap_or(usize::MAX)
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<(usize, usize)>> = (0..components.len())
            .filter(|&c| waiting_on[c] == 0)
            .map(|c| Reverse((first_position[c], c)))
            .collect();
        let mut entities = Vec::with_capacity(self.entity_count());
        while let Some(Reverse((_, c))) = ready.pop() {
            let mut nodes = components[c].clone();
            nodes.sort_by_key(|&n| position(n));
            entities.extend(nodes.into_iter().map(|n| graph[n].id.clone()));
            for &d in &dependents[c] {
                waiting_on[d] -= 1;
                if waiting_on[d] == 0 {
                    ready.push(Reverse((first_position[d], d)));
                }
            }
        }
        DependencyOrder { entities, deferred }
    }
}
