//! Cycles of relationships, for `cascade-cycle` and `fk-cycle`: the
//! strongly connected parts of the graph restricted to some relationships,
//! each with one concrete cycle to show.
//!
//! A tangle of entities can hold exponentially many cycles, so each
//! strongly connected component is reported once, through one shortest
//! cycle from its first entity (in design order); a self-reference is a
//! cycle of its own. All of it is linear in the size of the graph, apart
//! from sorting each entity's relationships.

use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeFiltered;

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

/// The cycles made only of relationships that `keep` accepts: every
/// self-reference, and one cycle per strongly connected component of two
/// or more entities, in design order.
pub fn cycles<'d>(design: &'d Design, keep: impl Fn(&Relationship) -> bool) -> Vec<Cycle<'d>> {
    let graph = design.graph();
    let filtered = EdgeFiltered::from_fn(graph, |e| keep(e.weight()));
    let position = |n: NodeIndex| design.entity_position(&graph[n].id).unwrap_or(usize::MAX);
    let mut found: Vec<(usize, Cycle<'d>)> = Vec::new();
    for e in design.entities() {
        for r in design.relationships_from(&e.id) {
            if r.from == r.to && keep(r) {
                let cycle = Cycle {
                    relationships: vec![r],
                    others: Vec::new(),
                };
                found.push((design.entity_position(&e.id).unwrap_or(usize::MAX), cycle));
            }
        }
    }
    for component in tarjan_scc(&filtered) {
        if component.len() < 2 {
            continue;
        }
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
            for r in design.relationships_from(at) {
                if r.from == r.to || !keep(r) || !members.contains(&r.to) {
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
