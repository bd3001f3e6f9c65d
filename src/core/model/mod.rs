//! The design: entities as nodes and relationships as edges of a graph.

mod entity;
mod expr;
mod graph;
mod location;
mod naming;
mod relationship;
mod types;
mod validate;

use std::sync::{Arc, OnceLock};

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use rustc_hash::FxHashMap;

use crate::core::check::Settings;
use crate::core::ids::{EntityId, EnumId, RelationshipId};

pub use entity::{
    Check, DefaultValue, Dependency, Entity, EnumType, Field, Identity, Index, IndexMethod,
    PrimaryKey, Unique,
};
pub use expr::{ExprError, SqlExpr};
pub use graph::{DependencyOrder, strongly_connected};
pub use location::Location;
pub use naming::MAX_IDENTIFIER_BYTES;
pub use relationship::{Deferrable, ReferentialAction, Relationship, RelationshipKind};
pub use types::{SqlType, TypeError};
pub use validate::Problem;

/// The design's graph: entities on the nodes, relationships on the edges,
/// each shared with the design's clones until one of them changes it.
pub type Graph = StableDiGraph<Arc<Entity>, Arc<Relationship>>;

/// A whole schema design.
///
/// Entities live as nodes and relationships as edges of a `StableDiGraph`,
/// whose indices survive removals; everything outside this module names
/// them by their stable ids. Entities keep the order the user gave them.
///
/// Entities, relationships and the id maps sit behind `Arc`s, so a clone
/// (the copy the check worker reads while the designer edits) shares them
/// and costs a pointer per entity; an edit copies only what it changes.
#[derive(Clone, Debug, Default)]
pub struct Design {
    pub name: String,
    pub comment: Option<String>,
    pub enums: Vec<EnumType>,
    /// Design-wide check settings: rules turned off or re-graded.
    pub checks: Settings,
    graph: Graph,
    // Ids are random, so a fast non-cryptographic hash is safe here, and
    // these maps are consulted on every check and edit.
    nodes: Arc<FxHashMap<EntityId, NodeIndex>>,
    edges: Arc<FxHashMap<RelationshipId, EdgeIndex>>,
    /// Nodes in the user's order; iterating it needs no id lookups.
    order: Vec<NodeIndex>,
    /// Each node's place in `order`, by node index: built on first use and
    /// forgotten when the order changes, so sorting by position (as
    /// `relationships_to` does) is not a scan per comparison.
    positions: OnceLock<Vec<u32>>,
}

impl Design {
    pub fn new(name: impl Into<String>) -> Self {
        Design {
            name: name.into(),
            ..Design::default()
        }
    }

    /// The graph, for algorithms: topological order, cycles, paths.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn node(&self, id: &EntityId) -> Option<NodeIndex> {
        self.nodes.get(id).copied()
    }

    pub fn entity_count(&self) -> usize {
        self.order.len()
    }

    pub fn relationship_count(&self) -> usize {
        self.edges.len()
    }

    /// Entities in the user's order.
    pub fn entities(&self) -> impl Iterator<Item = &Entity> {
        self.order.iter().map(|&n| &*self.graph[n])
    }

    pub fn entity(&self, id: &EntityId) -> Option<&Entity> {
        self.node(id).map(|n| &*self.graph[n])
    }

    /// This design's own copy of an entity equal to `like`, to hold in
    /// place of `like`: two versions of a design (the sides of a diff)
    /// then keep one copy of every entity they share, which is nearly all.
    pub(crate) fn shared_entity(&self, like: &Entity) -> Option<Arc<Entity>> {
        let node = self.node(&like.id)?;
        let mine = &self.graph[node];
        (**mine == *like).then(|| Arc::clone(mine))
    }

    /// The entity to change, copied first if a clone of the design still
    /// shares it.
    pub fn entity_mut(&mut self, id: &EntityId) -> Option<&mut Entity> {
        self.node(id).map(|n| Arc::make_mut(&mut self.graph[n]))
    }

    pub fn entity_named(&self, name: &str) -> Option<&Entity> {
        self.entities().find(|e| e.name == name)
    }

    /// Graph nodes in the user's order of their entities.
    pub fn node_order(&self) -> &[NodeIndex] {
        &self.order
    }

    pub fn entity_position(&self, id: &EntityId) -> Option<usize> {
        let node = self.node(id)?;
        let positions = self.positions.get_or_init(|| {
            let bound = self.order.iter().map(|n| n.index() + 1).max().unwrap_or(0);
            let mut positions = vec![u32::MAX; bound];
            for (at, n) in self.order.iter().enumerate() {
                positions[n.index()] = at as u32;
            }
            positions
        });
        positions
            .get(node.index())
            .filter(|&&at| at != u32::MAX)
            .map(|&at| at as usize)
    }

    pub fn enum_type(&self, id: &EnumId) -> Option<&EnumType> {
        self.enums.iter().find(|e| &e.id == id)
    }

    pub fn enum_named(&self, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.name == name)
    }

    pub fn relationship(&self, id: &RelationshipId) -> Option<&Relationship> {
        self.edges.get(id).map(|&e| &*self.graph[e])
    }

    pub fn relationship_mut(&mut self, id: &RelationshipId) -> Option<&mut Relationship> {
        self.edges
            .get(id)
            .map(|&e| Arc::make_mut(&mut self.graph[e]))
    }

    /// All relationships in no particular order: the cheapest walk, for
    /// work whose result does not depend on order (checks sort findings).
    pub fn foreign_keys(&self) -> impl Iterator<Item = &Relationship> {
        self.graph.edge_weights().map(|r| &**r)
    }

    /// Each relationship with its child and parent entity, in no particular
    /// order; the ends come straight from the graph, with no id lookups.
    pub fn foreign_keys_with_ends(
        &self,
    ) -> impl Iterator<Item = (&Entity, &Relationship, &Entity)> {
        self.graph.edge_references().map(|e| {
            (
                &*self.graph[e.source()],
                &**e.weight(),
                &*self.graph[e.target()],
            )
        })
    }

    /// The relationships an entity holds, in no particular order.
    pub fn foreign_keys_from(&self, id: &EntityId) -> impl Iterator<Item = &Relationship> {
        self.node(id)
            .into_iter()
            .flat_map(|n| self.graph.edges_directed(n, Direction::Outgoing))
            .map(|e| &**e.weight())
    }

    /// All relationships, grouped by their child entity in entity order.
    pub fn relationships(&self) -> impl Iterator<Item = &Relationship> {
        self.order
            .iter()
            .flat_map(|&n| self.relationships_from(&self.graph[n].id))
    }

    /// The foreign keys an entity holds, ordered by where their first field
    /// sits in the entity, so they read in the same order as the fields.
    pub fn relationships_from(&self, id: &EntityId) -> Vec<&Relationship> {
        let Some(node) = self.node(id) else {
            return Vec::new();
        };
        let entity = &self.graph[node];
        let mut rels: Vec<&Relationship> = self
            .graph
            .edges_directed(node, Direction::Outgoing)
            .map(|e| &**e.weight())
            .collect();
        rels.sort_by_cached_key(|r| {
            let first = r.fields.first().and_then(|f| entity.field_position(f));
            (first, r.id.as_str())
        });
        rels
    }

    /// The foreign keys that point at an entity (self-references included).
    pub fn relationships_to(&self, id: &EntityId) -> Vec<&Relationship> {
        let Some(node) = self.node(id) else {
            return Vec::new();
        };
        let mut rels: Vec<&Relationship> = self
            .graph
            .edges_directed(node, Direction::Incoming)
            .map(|e| &**e.weight())
            .collect();
        rels.sort_by_cached_key(|r| (self.entity_position(&r.from), r.id.as_str()));
        rels
    }

    // The mutators below keep the graph, the id maps and the order in step.
    // They check only what the graph itself needs; `edit` checks the rest.

    /// Makes room for this many more entities and relationships at once,
    /// so loading a large design does not leave a quarter of its storage
    /// unused, as growing by doubling would.
    pub(crate) fn reserve(&mut self, entities: usize, relationships: usize) {
        self.graph.reserve_exact_nodes(entities);
        self.graph.reserve_exact_edges(relationships);
        Arc::make_mut(&mut self.nodes).reserve(entities);
        Arc::make_mut(&mut self.edges).reserve(relationships);
        self.order.reserve_exact(entities);
    }

    pub(crate) fn insert_entity(&mut self, entity: Entity, at: usize) {
        self.insert_shared_entity(Arc::new(entity), at);
    }

    /// [`Self::insert_entity`] of an entity that may be another design's
    /// too (see [`Self::shared_entity`]).
    pub(crate) fn insert_shared_entity(&mut self, entity: Arc<Entity>, at: usize) {
        let id = entity.id.clone();
        let node = self.graph.add_node(entity);
        Arc::make_mut(&mut self.nodes).insert(id, node);
        self.order.insert(at.min(self.order.len()), node);
        self.positions.take();
    }

    /// Removes an entity that no relationship touches any more.
    pub(crate) fn remove_entity(&mut self, id: &EntityId) -> Option<(Entity, usize)> {
        let node = Arc::make_mut(&mut self.nodes).remove(id)?;
        debug_assert_eq!(
            self.graph.edges_directed(node, Direction::Incoming).count(),
            0
        );
        debug_assert_eq!(
            self.graph.edges_directed(node, Direction::Outgoing).count(),
            0
        );
        let at = self.order.iter().position(|&n| n == node)?;
        self.order.remove(at);
        self.positions.take();
        self.graph
            .remove_node(node)
            .map(|e| (Arc::unwrap_or_clone(e), at))
    }

    pub(crate) fn insert_relationship(&mut self, rel: Relationship) {
        let (from, to) = (self.nodes[&rel.from], self.nodes[&rel.to]);
        let id = rel.id.clone();
        let edge = self.graph.add_edge(from, to, Arc::new(rel));
        Arc::make_mut(&mut self.edges).insert(id, edge);
    }

    pub(crate) fn remove_relationship(&mut self, id: &RelationshipId) -> Option<Relationship> {
        let edge = Arc::make_mut(&mut self.edges).remove(id)?;
        self.graph.remove_edge(edge).map(Arc::unwrap_or_clone)
    }
}

/// Two designs are equal when they describe the same schema with the same
/// ids, whatever their graphs' internal indices.
impl PartialEq for Design {
    fn eq(&self, other: &Self) -> bool {
        fn rels(d: &Design) -> Vec<&Relationship> {
            let mut all: Vec<&Relationship> = d.foreign_keys().collect();
            all.sort_by(|a, b| a.id.cmp(&b.id));
            all
        }
        self.name == other.name
            && self.comment == other.comment
            && self.checks == other.checks
            && self.enums == other.enums
            && self.entities().eq(other.entities())
            && rels(self) == rels(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::synthetic;

    /// The designer edits its design while the check worker reads a clone:
    /// the edit must copy only the entity it changes, and the clone must
    /// keep the design as it was.
    #[test]
    fn a_clone_shares_every_entity_until_one_is_changed() {
        let mut design = synthetic::design(50, 7);
        let before = design.clone();
        let id = design.entities().nth(3).unwrap().id.clone();
        design.entity_mut(&id).unwrap().comment = Some("changed".into());

        let shared = |a: &Design, b: &Design, n: NodeIndex| Arc::ptr_eq(&a.graph[n], &b.graph[n]);
        let changed: Vec<&str> = design
            .node_order()
            .iter()
            .filter(|&&n| !shared(&design, &before, n))
            .map(|&n| design.graph[n].name.as_str())
            .collect();
        assert_eq!(changed, [design.entity(&id).unwrap().name.as_str()]);
        assert_eq!(
            design.entity(&id).unwrap().comment.as_deref(),
            Some("changed")
        );
        assert_ne!(
            before.entity(&id).unwrap().comment.as_deref(),
            Some("changed")
        );
        assert!(Arc::ptr_eq(&design.nodes, &before.nodes));
        assert_ne!(design, before);
    }
}
