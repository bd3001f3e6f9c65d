//! Graph algorithms over the design: dependency order and cycles.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use rustc_hash::FxHashSet as HashSet;

use petgraph::Direction;
use petgraph::stable_graph::{EdgeReference, NodeIndex};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use crate::core::ids::{EntityId, RelationshipId};
use crate::core::model::{Design, Graph, Relationship};

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
        let mut components: Vec<Vec<NodeIndex>> = Vec::new();
        strongly_connected(graph, |_| true, |c| components.push(c.to_vec()));
        let bound = graph.node_bound();
        let mut component_of = vec![usize::MAX; bound];
        for (c, nodes) in components.iter().enumerate() {
            for n in nodes {
                component_of[n.index()] = c;
            }
        }
        let position = |n: NodeIndex| self.entity_position(&graph[n].id).unwrap_or(usize::MAX);

        // Each component waits for the components it references.
        let mut waiting_on = vec![0usize; components.len()];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); components.len()];
        let mut deferred = HashSet::default();
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

/// Tarjan's bookkeeping, per node: the order it was reached in, the
/// earliest node it reaches that is still on the stack, and whether it is
/// on the stack.
struct Tarjan {
    order: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<NodeIndex>,
    next: usize,
}

impl Tarjan {
    const UNSEEN: usize = usize::MAX;

    fn seen(&self, n: NodeIndex) -> bool {
        self.order[n.index()] != Self::UNSEEN
    }

    fn enter(&mut self, n: NodeIndex) {
        self.order[n.index()] = self.next;
        self.low[n.index()] = self.next;
        self.next += 1;
        self.on_stack[n.index()] = true;
        self.stack.push(n);
    }

    /// `v` reaches the node reached `to`-th.
    fn lower(&mut self, v: NodeIndex, to: usize) {
        self.low[v.index()] = self.low[v.index()].min(to);
    }
}

/// The strongly connected components of the graph restricted to the
/// relationships `follow` accepts, each handed to `found` as it is
/// completed (Tarjan's algorithm): a component comes after every component
/// it references. The depth-first search keeps its own stack, so a chain
/// of thousands of foreign keys cannot overflow the thread's; and nothing
/// is collected, since nearly every component is a single entity.
pub fn strongly_connected<'g>(
    graph: &'g Graph,
    follow: impl Fn(EdgeReference<'g, Arc<Relationship>>) -> bool,
    mut found: impl FnMut(&[NodeIndex]),
) {
    let bound = graph.node_bound();
    let mut t = Tarjan {
        order: vec![Tarjan::UNSEEN; bound],
        low: vec![Tarjan::UNSEEN; bound],
        on_stack: vec![false; bound],
        stack: Vec::new(),
        next: 0,
    };
    // The depth-first path: each node with the relationships it has yet
    // to follow.
    let mut path = Vec::new();
    for root in graph.node_indices() {
        if t.seen(root) {
            continue;
        }
        t.enter(root);
        path.push((root, graph.edges_directed(root, Direction::Outgoing)));
        while let Some((v, edges)) = path.last_mut() {
            let v = *v;
            if let Some(e) = edges.find(|&e| follow(e)) {
                let w = e.target();
                if !t.seen(w) {
                    t.enter(w);
                    path.push((w, graph.edges_directed(w, Direction::Outgoing)));
                } else if t.on_stack[w.index()] {
                    t.lower(v, t.order[w.index()]);
                }
                continue;
            }
            path.pop();
            if let Some(&(parent, _)) = path.last() {
                t.lower(parent, t.low[v.index()]);
            }
            if t.low[v.index()] == t.order[v.index()] {
                let start = t.stack.iter().rposition(|&n| n == v).unwrap_or(0);
                for n in &t.stack[start..] {
                    t.on_stack[n.index()] = false;
                }
                found(&t.stack[start..]);
                t.stack.truncate(start);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use petgraph::algo::tarjan_scc;

    use super::*;
    use crate::core::testing::{Gen, chain};

    fn sorted(components: impl IntoIterator<Item = Vec<NodeIndex>>) -> BTreeSet<Vec<NodeIndex>> {
        components
            .into_iter()
            .map(|mut c| {
                c.sort();
                c
            })
            .collect()
    }

    #[test]
    fn components_are_petgraphs_strongly_connected_components() {
        for seed in 0..200 {
            let mut random = Gen::new(seed);
            let mut d = random.design(12);
            // More relationships than a fresh design has, for cycles.
            for _ in 0..30 {
                let _ = random.edit(&d).apply(&mut d);
            }
            let mut found = Vec::new();
            strongly_connected(d.graph(), |_| true, |c| found.push(c.to_vec()));
            assert_eq!(sorted(found), sorted(tarjan_scc(d.graph())), "seed {seed}");
        }
    }

    #[test]
    fn components_come_after_the_components_they_reference() {
        for seed in 0..100 {
            let mut random = Gen::new(seed);
            let mut d = random.design(12);
            for _ in 0..30 {
                let _ = random.edit(&d).apply(&mut d);
            }
            let g = d.graph();
            let mut done = vec![false; g.node_bound()];
            strongly_connected(
                g,
                |_| true,
                |c| {
                    for &n in c {
                        done[n.index()] = true;
                    }
                    for &n in c {
                        for e in g.edges_directed(n, Direction::Outgoing) {
                            assert!(done[e.target().index()], "seed {seed}");
                        }
                    }
                },
            );
        }
    }

    #[test]
    fn dependency_order_of_a_long_chain_does_not_overflow_the_stack() {
        let d = chain(20_000);
        let small_stack = std::thread::Builder::new().stack_size(64 * 1024);
        let order = small_stack
            .spawn(move || {
                let order = d.dependency_order();
                let last = d.entities().last().map(|e| e.id.clone());
                (order, last)
            })
            .unwrap()
            .join()
            .unwrap();
        let (order, last) = order;
        assert_eq!(order.entities.len(), 20_000);
        assert!(order.deferred.is_empty());
        assert_eq!(
            order.entities.first(),
            last.as_ref(),
            "the chain's end first"
        );
    }
}
