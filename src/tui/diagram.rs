//! The diagram's layout: entities as boxes in layers by dependency
//! (referenced entities above the entities that reference them, each
//! entity one layer below its lowest parent: longest-path layering over
//! the graph's strongly connected components, parents first, as
//! [`Design::dependency_order`] orders tables), ordered in a layer by where their
//! parents sit, and each foreign key as a line of three straight
//! segments between them. Computed once per change of the design and
//! kept by the app; drawing looks only at what falls on screen.

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use rustc_hash::FxHashMap;

use crate::core::ids::EntityId;
use crate::core::model::{Design, strongly_connected};

/// Columns between two boxes of a layer.
const GAP_X: i32 = 4;
/// Rows between two layers; foreign keys run along the middle one.
const GAP_Y: i32 = 3;
/// Key fields shown in a box before the rest are counted.
const MAX_KEYS: usize = 5;
const MIN_WIDTH: i32 = 14;
const MAX_WIDTH: i32 = 32;

/// A rectangle on the diagram's own plane (which can be far larger than
/// the screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Area {
    pub fn right(&self) -> i32 {
        self.x + self.w
    }

    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }

    pub fn intersects(&self, other: &Area) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x && x < self.right() && y >= self.y && y < self.bottom()
    }

    fn center_x(&self) -> i32 {
        self.x + self.w / 2
    }
}

/// How a line in a box reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    PrimaryKey,
    ForeignKey,
    /// Both: a key field that is also a foreign key (junctions).
    Both,
    /// The count of the other fields.
    Rest,
}

impl RowKind {
    /// What a row starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            RowKind::PrimaryKey => "PK ",
            RowKind::ForeignKey => "FK ",
            RowKind::Both => "PK FK ",
            RowKind::Rest => "",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityBox {
    pub entity: EntityId,
    pub node: NodeIndex,
    pub name: String,
    pub area: Area,
    pub layer: usize,
    /// Place in the layer, left to right.
    pub slot: usize,
    pub rows: Vec<(RowKind, String)>,
}

/// A foreign key's line: a path of points joined by straight segments,
/// from the child's box to the parent's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub points: Vec<(i32, i32)>,
    /// The smallest area that holds the whole line, to skip lines that
    /// are off screen without looking at their points.
    pub bounds: Area,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagram {
    pub boxes: Vec<EntityBox>,
    /// Box indices of each layer, left to right.
    pub layers: Vec<Vec<usize>>,
    pub links: Vec<Link>,
    pub width: i32,
    pub height: i32,
    index: FxHashMap<EntityId, usize>,
}

impl Diagram {
    pub fn new(design: &Design) -> Diagram {
        let graph = design.graph();
        let bound = graph.node_bound();
        // Everything below works on graph nodes, never on id lookups.
        let mut position = vec![usize::MAX; bound];
        for (i, n) in design.node_order().iter().enumerate() {
            position[n.index()] = i;
        }
        let parents = |n: NodeIndex| {
            graph
                .edges_directed(n, Direction::Outgoing)
                .map(|e| e.target())
                .filter(move |&p| p != n)
        };

        // Longest-path layers. Strongly connected components come parents
        // first (reverse topological order of child → parent keys); an entity
        // sits one layer below its lowest parent placed before it, so a
        // key inside a cycle to an entity not yet placed does not count.
        let mut layer_of = vec![usize::MAX; bound];
        let mut placed: Vec<NodeIndex> = Vec::with_capacity(design.entity_count());
        let mut components: Vec<Vec<NodeIndex>> = Vec::new();
        strongly_connected(graph, |_| true, |c| components.push(c.to_vec()));
        for mut component in components {
            component.sort_by_key(|n| position[n.index()]);
            for n in component {
                layer_of[n.index()] = parents(n)
                    .map(|p| layer_of[p.index()])
                    .filter(|&l| l != usize::MAX)
                    .map(|l| l + 1)
                    .max()
                    .unwrap_or(0);
                placed.push(n);
            }
        }
        placed.sort_by_key(|n| position[n.index()]);
        let depth = placed
            .iter()
            .map(|n| layer_of[n.index()] + 1)
            .max()
            .unwrap_or(0);

        // The boxes, with their key fields, in the design's order.
        let mut boxes: Vec<EntityBox> = Vec::with_capacity(placed.len());
        let mut box_of_node = vec![usize::MAX; bound];
        let mut layers: Vec<Vec<usize>> = vec![Vec::new(); depth];
        for &node in &placed {
            let entity = &graph[node];
            let fk_fields: Vec<_> = graph
                .edges_directed(node, Direction::Outgoing)
                .flat_map(|e| e.weight().fields.iter())
                .collect();
            let pk = entity.primary_key.as_ref().map(|pk| &pk.fields);
            let in_pk = |f| pk.is_some_and(|pk| pk.contains(f));
            let mut rows = Vec::new();
            let mut keyed = 0;
            for field in &entity.fields {
                let kind = match (in_pk(&field.id), fk_fields.contains(&&field.id)) {
                    (true, true) => RowKind::Both,
                    (true, false) => RowKind::PrimaryKey,
                    (false, true) => RowKind::ForeignKey,
                    (false, false) => continue,
                };
                keyed += 1;
                if rows.len() < MAX_KEYS {
                    rows.push((kind, field.name.clone()));
                }
            }
            let rest = entity.fields.len() - rows.len();
            if rest > 0 {
                let more = if keyed > rows.len() { "more " } else { "" };
                let noun = if rest == 1 { "field" } else { "fields" };
                rows.push((RowKind::Rest, format!("+{rest} {more}{noun}")));
            }
            let text_width = rows
                .iter()
                .map(|(kind, t)| t.chars().count() as i32 + kind.prefix().len() as i32)
                .chain([entity.name.chars().count() as i32 + 1])
                .max()
                .unwrap_or(0);
            let layer = layer_of[node.index()];
            box_of_node[node.index()] = boxes.len();
            layers[layer].push(boxes.len());
            boxes.push(EntityBox {
                entity: entity.id.clone(),
                node,
                name: entity.name.clone(),
                area: Area {
                    x: 0,
                    y: 0,
                    w: (text_width + 3).clamp(MIN_WIDTH, MAX_WIDTH),
                    h: rows.len() as i32 + 2,
                },
                layer,
                slot: 0,
                rows,
            });
        }

        // Each layer in the order of where its parents sit (one downward
        // barycenter sweep), the design's order breaking ties; then placed
        // left to right and centred under the widest layer.
        let mut y = 0;
        let mut widest = 0;
        #[allow(clippy::needless_range_loop)] // each layer reads the ones above
        for l in 0..depth {
            if l > 0 {
                let mut keyed: Vec<(i64, usize, usize)> = layers[l]
                    .iter()
                    .enumerate()
                    .map(|(rank, &b)| {
                        let (sum, n) = parents(boxes[b].node)
                            .map(|p| &boxes[box_of_node[p.index()]])
                            .filter(|p| p.layer < l)
                            .fold((0i64, 0i64), |(s, n), p| {
                                (s + i64::from(p.area.center_x()), n + 1)
                            });
                        (if n > 0 { sum / n } else { 0 }, rank, b)
                    })
                    .collect();
                keyed.sort_unstable();
                layers[l] = keyed.into_iter().map(|(_, _, b)| b).collect();
            }
            let mut x = 0;
            let mut height = 0;
            for (slot, &b) in layers[l].iter().enumerate() {
                let area = &mut boxes[b].area;
                area.x = x;
                area.y = y;
                x += area.w + GAP_X;
                height = height.max(area.h);
                boxes[b].slot = slot;
            }
            widest = widest.max(x - GAP_X);
            y += height + GAP_Y;
        }
        for layer in &layers {
            let width = layer
                .last()
                .map_or(0, |&b| boxes[b].area.right() - boxes[layer[0]].area.x);
            let shift = (widest - width) / 2;
            for &b in layer {
                boxes[b].area.x += shift;
            }
        }

        // The lines: up from the child's top to the gap above its layer,
        // across, and up to the parent's bottom. Keys to an entity in the
        // same layer or below (inside a cycle) leave from the bottom.
        let layer_top: Vec<i32> = layers
            .iter()
            .map(|l| l.first().map_or(0, |&b| boxes[b].area.y))
            .collect();
        let layer_bottom: Vec<i32> = layers
            .iter()
            .map(|l| l.iter().map(|&b| boxes[b].area.bottom()).max().unwrap_or(0))
            .collect();
        let mut links = Vec::with_capacity(design.relationship_count());
        for edge in graph.edge_references() {
            if edge.source() == edge.target() {
                continue; // a self-reference reads from the FK row
            }
            let c = &boxes[box_of_node[edge.source().index()]];
            let p = &boxes[box_of_node[edge.target().index()]];
            let (cx, px) = (c.area.center_x(), p.area.center_x());
            let points = if p.layer < c.layer {
                let channel = layer_top[c.layer] - 2;
                vec![
                    (cx, c.area.y),
                    (cx, channel),
                    (px, channel),
                    (px, p.area.bottom() - 1),
                ]
            } else {
                let channel = layer_bottom[c.layer] + 1;
                let end = if p.layer > c.layer {
                    p.area.y
                } else {
                    p.area.bottom() - 1
                };
                vec![
                    (cx, c.area.bottom() - 1),
                    (cx, channel),
                    (px, channel),
                    (px, end),
                ]
            };
            let (x0, x1) = (cx.min(px), cx.max(px));
            let ys = points.iter().map(|&(_, y)| y);
            let (y0, y1) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
            links.push(Link {
                points,
                bounds: Area {
                    x: x0,
                    y: y0,
                    w: x1 - x0 + 1,
                    h: y1 - y0 + 1,
                },
            });
        }
        // Deterministic drawing order whatever the graph's.
        links.sort_unstable_by(|a, b| a.points.cmp(&b.points));

        let index = boxes
            .iter()
            .enumerate()
            .map(|(i, b)| (b.entity.clone(), i))
            .collect();
        Diagram {
            width: widest.max(0),
            height: (y - GAP_Y).max(0),
            boxes,
            layers,
            links,
            index,
        }
    }

    pub fn box_of(&self, id: &EntityId) -> Option<&EntityBox> {
        self.index.get(id).map(|&b| &self.boxes[b])
    }

    /// The box at a point of the plane.
    pub fn box_at(&self, x: i32, y: i32) -> Option<&EntityBox> {
        self.boxes.iter().find(|b| b.area.contains(x, y))
    }

    /// The box beside `id` in its layer (`step` -1 left, 1 right).
    pub fn beside(&self, id: &EntityId, step: isize) -> Option<&EntityBox> {
        let b = self.box_of(id)?;
        let layer = &self.layers[b.layer];
        let slot = b.slot.checked_add_signed(step)?;
        layer.get(slot).map(|&i| &self.boxes[i])
    }

    /// The box in the layer above (`step` -1) or below (1) whose centre
    /// is nearest this one's.
    pub fn across(&self, id: &EntityId, step: isize) -> Option<&EntityBox> {
        let b = self.box_of(id)?;
        let layer = self.layers.get(b.layer.checked_add_signed(step)?)?;
        let x = b.area.center_x();
        layer
            .iter()
            .map(|&i| &self.boxes[i])
            .min_by_key(|o| (o.area.center_x() - x).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Design {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/shop.ron");
        crate::file::load(&path).unwrap()
    }

    fn names(d: &Diagram, layer: usize) -> Vec<&str> {
        d.layers[layer]
            .iter()
            .map(|&b| d.boxes[b].name.as_str())
            .collect()
    }

    #[test]
    fn parents_sit_above_their_children() {
        let design = crate::core::synthetic::design(200, 7);
        let d = Diagram::new(&design);
        for (child, _, parent) in design.foreign_keys_with_ends() {
            let (c, p) = (d.box_of(&child.id).unwrap(), d.box_of(&parent.id).unwrap());
            assert!(p.layer < c.layer, "{} above {}", p.name, c.name);
            assert!(p.area.bottom() < c.area.y);
        }
        // No two boxes overlap.
        for layer in &d.layers {
            for pair in layer.windows(2) {
                let (a, b) = (&d.boxes[pair[0]].area, &d.boxes[pair[1]].area);
                assert!(a.right() < b.x);
            }
        }
    }

    #[test]
    fn layers_follow_the_longest_path_and_navigation_moves_between_boxes() {
        let design = shop();
        let d = Diagram::new(&design);
        assert!(names(&d, 0).contains(&"customers"));
        let customers = design.entity_named("customers").unwrap();
        let right = d.beside(&customers.id, 1).or(d.beside(&customers.id, -1));
        assert!(right.is_some_and(|b| b.layer == 0));
        let below = d.across(&customers.id, 1).unwrap();
        assert_eq!(below.layer, 1);
        assert!(d.across(&customers.id, -1).is_none());
        let b = d.box_of(&customers.id).unwrap();
        assert_eq!(
            d.box_at(b.area.x + 1, b.area.y + 1).map(|b| &b.name),
            Some(&b.name)
        );
        assert_eq!(b.rows[0], (RowKind::PrimaryKey, "id".to_owned()));
    }
}
