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

use petgraph::Direction;
use petgraph::stable_graph::{EdgeReference, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use crate::core::ids::EntityId;
use crate::core::model::{Design, Entity, Relationship};

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
    components(
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
        let follow = |e: EdgeReference<Relationship>| {
            inside(e.source(), e.target()) && keep(&graph[e.source()], e.weight())
        };
        components(graph, follow, |nodes| {
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
            others: others.into_iter().map(|n| &graph[n]).collect(),
        };
        found.push((position(start), cycle));
    }
    // Stable: self-references first at an entity, in relationship order.
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, c)| c).collect()
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
/// completed (Tarjan's algorithm). The depth-first search keeps its own
/// stack, so a chain of thousands of foreign keys cannot overflow the
/// thread's; and nothing is collected, since nearly every component is a
/// single entity.
fn components<'g>(
    graph: &'g StableDiGraph<Entity, Relationship>,
    follow: impl Fn(EdgeReference<'g, Relationship>) -> bool,
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
    use crate::core::ids::IdGen;
    use crate::core::model::{Field, RelationshipKind, SqlType};
    use crate::core::testing::Gen;

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
            components(d.graph(), |_| true, |c| found.push(c.to_vec()));
            assert_eq!(sorted(found), sorted(tarjan_scc(d.graph())), "seed {seed}");
        }
    }

    /// `entities` entities, each with a foreign key to the next: a search
    /// from the first goes as deep as the chain is long.
    fn chain(entities: usize) -> Design {
        let mut ids = IdGen::seeded(1);
        let mut d = Design::new("chain");
        let mut keys = Vec::new();
        for k in 0..entities {
            let mut e = Entity::new(ids.entity(), format!("t{k}"));
            e.fields
                .push(Field::new(ids.field(), "id", SqlType::Uuid).not_null());
            e.fields
                .push(Field::new(ids.field(), "next_id", SqlType::Uuid).not_null());
            keys.push((e.id.clone(), e.fields[0].id.clone(), e.fields[1].id.clone()));
            d.insert_entity(e, k);
        }
        for pair in keys.windows(2) {
            let [(from, _, key), (to, id, _)] = pair else {
                unreachable!()
            };
            d.insert_relationship(Relationship {
                id: ids.relationship(),
                name: None,
                kind: RelationshipKind::ManyToOne,
                from: from.clone(),
                fields: vec![key.clone()],
                to: to.clone(),
                references: vec![id.clone()],
                on_delete: None,
                on_update: None,
                required: false,
            });
        }
        d
    }

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
