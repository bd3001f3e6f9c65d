//! Where each object of a design file is written.
//!
//! The RON parser knows positions only while it parses, and problems are
//! found afterwards. So one pass over the tokens, made once per load,
//! records where every enum, entity and item of an entity (field, unique,
//! check, index, relationship) starts and where its `name` is written;
//! finding any place is then a look-up and a binary search for its line,
//! never a scan of the file. Objects are found by their position in the
//! file, which is also their position in the design that was loaded from
//! it, so two objects with one name (or one id) are told apart.

use std::sync::Mutex;

use rustc_hash::FxHashMap as HashMap;

use crate::core::ids::EntityId;
use crate::core::model::{Design, Location};

use super::lex::{self, Kind};

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

/// What an entity holds a list of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    Field,
    Unique,
    Check,
    Index,
    Relationship,
}

/// A place in a design file, by the positions of the objects leading to
/// it (the n-th entity, its m-th field…), with a key inside the object
/// when that is more precise than the object's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Design,
    /// A key of the design itself, such as `format`.
    DesignKey(&'static str),
    Enum(usize),
    Entity(usize),
    /// A key of an entity, such as `primary_key` or `dependencies`.
    EntityKey(usize, &'static str),
    Item(usize, Item, usize),
    /// A key of an item, such as a field's `type`.
    ItemKey(usize, Item, usize, &'static str),
}

/// Keys whose values a place can point at; any other key is skipped.
const KEYS: &[&str] = &[
    "id",
    "format",
    "primary_key",
    "primary_key_name",
    "dependencies",
    "allow",
    "type",
    "default",
    "fields",
    "references",
    "target",
    "expr",
    "where",
    "values",
    "comment",
];

#[derive(Clone, Debug, Default)]
struct Spot {
    start: usize,
    name: Option<usize>,
    /// The id as written, for relationships (whose order in the design is
    /// not the file's).
    id: Option<String>,
    keys: Vec<(&'static str, usize)>,
}

impl Spot {
    fn at(start: usize) -> Spot {
        Spot {
            start,
            ..Spot::default()
        }
    }

    fn offset(&self) -> usize {
        self.name.unwrap_or(self.start)
    }

    fn key(&self, key: &str) -> Option<usize> {
        self.keys.iter().find(|(k, _)| *k == key).map(|&(_, at)| at)
    }
}

#[derive(Clone, Debug, Default)]
struct EntitySpots {
    spot: Spot,
    items: [Vec<Spot>; 5],
}

/// Where each object of one design file is written.
///
/// The pass made on load maps the design, its enums and where each entity
/// begins and ends; what is inside an entity is mapped when a place in it
/// is asked for, from that entity's text alone. Places are asked for entity
/// by entity, so the entity mapped last is kept. A map of a 50,000-entity
/// file is then a few megabytes, not a spot for every field.
#[derive(Debug, Default)]
pub struct SourceMap {
    line_starts: Vec<usize>,
    design: Spot,
    enums: Vec<Spot>,
    /// Where each entity's text starts.
    entities: Vec<usize>,
    last: Mutex<Option<(usize, EntitySpots)>>,
}

/// What the walk is inside of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frame {
    Design,
    Enums,
    Entities,
    Enum(usize),
    /// An entity whose insides are being mapped.
    Entity,
    /// An entity passed over by the load's pass: only its start is noted,
    /// and no frame of it is kept.
    Passed,
    Items(Item),
    ItemObject(Item, usize),
    /// Any other value: a variant's parentheses, a list of names, a map.
    Other,
}

/// One walk over tokens, recording into a map (the load's pass) or into
/// one entity's spots.
struct Walk<'m> {
    map: &'m mut SourceMap,
    /// `Some` when mapping one entity's insides.
    entity: Option<EntitySpots>,
}

impl SourceMap {
    /// Maps `source`. Text the lexer cannot read (which a file that
    /// parsed never is) ends the map where it stops.
    pub fn new(source: &str) -> SourceMap {
        let mut map = SourceMap {
            line_starts: std::iter::once(0)
                .chain(
                    source
                        .bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect(),
            ..SourceMap::default()
        };
        Walk {
            map: &mut map,
            entity: None,
        }
        .run(source, 0, Vec::new());
        map
    }

    /// `f` of the insides of entity `e`, or `None` when there is none.
    fn with_entity<T>(
        &self,
        source: &str,
        e: usize,
        f: impl FnOnce(&EntitySpots) -> T,
    ) -> Option<T> {
        if e >= self.entities.len() {
            return None;
        }
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.as_ref().is_none_or(|(at, _)| *at != e) {
            // Mapping one entity reads only its text and writes only its
            // spots; the scratch map stays empty.
            let mut scratch = SourceMap::default();
            let mut walk = Walk {
                map: &mut scratch,
                entity: Some(EntitySpots::default()),
            };
            walk.run(source, self.entities[e], vec![Frame::Entities]);
            *last = Some((e, walk.entity.unwrap_or_default()));
        }
        last.as_ref().map(|(_, spots)| f(spots))
    }

    /// Where `place` is written; the nearest enclosing object when the
    /// place itself is not (a key left out, say).
    pub fn position(&self, source: &str, place: Place) -> Position {
        let entity = |e: usize| self.entities.get(e).copied();
        let spot = |e: usize, f: &dyn Fn(&EntitySpots) -> Option<usize>| {
            self.with_entity(source, e, |spots| f(spots)).flatten()
        };
        let offset = match place {
            Place::Design => Some(self.design.start),
            Place::DesignKey(k) => self.design.key(k).or(Some(self.design.start)),
            Place::Enum(i) => self.enums.get(i).map(Spot::offset),
            Place::Entity(e) => spot(e, &|s| Some(s.spot.offset())).or(entity(e)),
            Place::EntityKey(e, k) => {
                spot(e, &|s| Some(s.spot.key(k).unwrap_or(s.spot.offset()))).or(entity(e))
            }
            Place::Item(e, kind, i) => spot(e, &|s| {
                Some(
                    s.items[kind as usize]
                        .get(i)
                        .map_or(s.spot.offset(), Spot::offset),
                )
            })
            .or(entity(e)),
            Place::ItemKey(e, kind, i, k) => spot(e, &|s| {
                Some(
                    s.items[kind as usize]
                        .get(i)
                        .map_or(s.spot.offset(), |s| s.key(k).unwrap_or(s.offset())),
                )
            })
            .or(entity(e)),
        };
        self.position_of(source, offset.unwrap_or(0))
    }

    /// The relationship of entity `e` written with `id`, if its id is.
    fn relationship_by_id(&self, source: &str, e: usize, id: &str) -> Option<usize> {
        self.with_entity(source, e, |spots| {
            spots.items[Item::Relationship as usize]
                .iter()
                .position(|s| s.id.as_deref() == Some(id))
        })
        .flatten()
    }

    fn position_of(&self, source: &str, offset: usize) -> Position {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        Position {
            line,
            col: source
                .get(start..offset)
                .map_or(1, |s| s.chars().count() + 1),
        }
    }
}

impl Walk<'_> {
    /// Walks the tokens from `from` with `stack` open, until the stack
    /// closes (one entity) or the text ends.
    fn run(&mut self, source: &str, from: usize, mut stack: Vec<Frame>) {
        let one_entity = !stack.is_empty();
        // The key whose value comes next, in the innermost object.
        let mut key: Option<&str> = None;
        let mut after_ident = false;
        let mut lexer = lex::tokens_from(source, from);
        // A token read ahead to see whether a `:` follows an identifier.
        let mut ahead: Option<lex::Token> = None;
        while let Some(t) = ahead.take().or_else(|| lexer.next().and_then(Result::ok)) {
            let text = &source[t.start..t.end];
            let frame = stack.last().copied();
            // An identifier followed by `:` inside an object is a key.
            if t.kind == Kind::Ident && is_object(frame) {
                ahead = lexer.next().and_then(Result::ok);
                if ahead.is_some_and(|n| n.kind == Kind::Colon) {
                    ahead = None;
                    key = Some(text);
                    after_ident = false;
                    continue;
                }
            }
            if let (Some(k), Some(frame)) = (key, frame)
                && t.kind != Kind::Comment
            {
                self.record(frame, k, source, &t);
            }
            match t.kind {
                Kind::Open(b'(') if after_ident => {
                    stack.push(Frame::Other);
                    key = None;
                }
                Kind::Open(bracket) => {
                    match self.open(frame, bracket, key.take(), t.start) {
                        // The load's pass only notes where an entity ends:
                        // its tokens are passed over without a look.
                        Frame::Passed => {
                            if !lexer.pass_brackets() {
                                return;
                            }
                        }
                        next => stack.push(next),
                    }
                }
                Kind::Close(_) => {
                    stack.pop();
                    key = None;
                    if one_entity && stack.len() <= 1 {
                        return;
                    }
                }
                Kind::Comma => key = None,
                _ => {}
            }
            after_ident = t.kind == Kind::Ident;
        }
    }

    /// The frame a bracket opens inside `frame`, noting where objects start.
    fn open(&mut self, frame: Option<Frame>, bracket: u8, key: Option<&str>, at: usize) -> Frame {
        let map = &mut *self.map;
        match (frame, bracket, key) {
            (None, b'(', _) => {
                map.design = Spot::at(at);
                Frame::Design
            }
            (Some(Frame::Design), b'[', Some("enums")) => Frame::Enums,
            (Some(Frame::Design), b'[', Some("entities")) => Frame::Entities,
            (Some(Frame::Enums), b'(', _) => {
                map.enums.push(Spot::at(at));
                Frame::Enum(map.enums.len() - 1)
            }
            (Some(Frame::Entities), b'(', _) => match &mut self.entity {
                Some(spots) => {
                    spots.spot = Spot::at(at);
                    Frame::Entity
                }
                None => {
                    map.entities.push(at);
                    Frame::Passed
                }
            },
            (Some(Frame::Entity), b'[', Some(k)) => match item_of(k) {
                Some(item) => Frame::Items(item),
                None => Frame::Other,
            },
            (Some(Frame::Items(item)), b'(', _) => match &mut self.entity {
                Some(spots) => {
                    let list = &mut spots.items[item as usize];
                    list.push(Spot::at(at));
                    Frame::ItemObject(item, list.len() - 1)
                }
                None => Frame::Other,
            },
            _ => Frame::Other,
        }
    }

    /// Notes where the value of `key` starts in the object `frame`.
    fn record(&mut self, frame: Frame, key: &str, source: &str, t: &lex::Token) {
        let spot = match (frame, &mut self.entity) {
            (Frame::Design, _) => &mut self.map.design,
            (Frame::Enum(i), _) => &mut self.map.enums[i],
            (Frame::Entity, Some(spots)) => &mut spots.spot,
            (Frame::ItemObject(item, i), Some(spots)) => &mut spots.items[item as usize][i],
            _ => return,
        };
        match key {
            "name" if spot.name.is_none() => spot.name = Some(t.start),
            _ => {
                if key == "id"
                    && frame_is_relationship(frame)
                    && t.kind == Kind::Str
                    && spot.id.is_none()
                {
                    spot.id = Some(lex::string_value(source, t));
                }
                if let Some(&k) = KEYS.iter().find(|&&k| k == key)
                    && spot.key(k).is_none()
                {
                    spot.keys.push((k, t.start));
                }
            }
        }
    }
}

fn is_object(frame: Option<Frame>) -> bool {
    matches!(
        frame,
        Some(Frame::Design | Frame::Enum(_) | Frame::Entity | Frame::ItemObject(..))
    )
}

fn frame_is_relationship(frame: Frame) -> bool {
    matches!(frame, Frame::ItemObject(Item::Relationship, _))
}

fn item_of(key: &str) -> Option<Item> {
    Some(match key {
        "fields" => Item::Field,
        "uniques" => Item::Unique,
        "checks" => Item::Check,
        "indexes" => Item::Index,
        "relationships" => Item::Relationship,
        _ => return None,
    })
}

/// Finds the places of a design's locations in the file it was loaded
/// from: positions of entities are looked up once, not per finding.
pub struct Locator {
    map: SourceMap,
    entities: HashMap<EntityId, usize>,
}

impl Locator {
    /// A locator for `design` as loaded from `source`.
    pub fn new(source: &str, design: &Design) -> Locator {
        Locator {
            map: SourceMap::new(source),
            entities: design
                .entities()
                .enumerate()
                .map(|(i, e)| (e.id.clone(), i))
                .collect(),
        }
    }

    /// The place in the file of `location`.
    pub fn place(&self, source: &str, design: &Design, location: &Location) -> Place {
        if let Location::Enum(id) = location {
            return match design.enums.iter().position(|e| &e.id == id) {
                Some(i) => Place::Enum(i),
                None => Place::Design,
            };
        }
        let Some(entity_id) = location.entity() else {
            return Place::Design;
        };
        let (Some(&e), Some(entity)) = (self.entities.get(entity_id), design.entity(entity_id))
        else {
            return Place::Design;
        };
        let item = |kind: Item, at: Option<usize>| match at {
            Some(i) => Place::Item(e, kind, i),
            None => Place::Entity(e),
        };
        match location {
            Location::Field(_, f) => {
                item(Item::Field, entity.fields.iter().position(|x| &x.id == f))
            }
            Location::PrimaryKey(_) => Place::EntityKey(e, "primary_key"),
            Location::Unique(_, u) => {
                item(Item::Unique, entity.uniques.iter().position(|x| &x.id == u))
            }
            Location::Check(_, c) => {
                item(Item::Check, entity.checks.iter().position(|x| &x.id == c))
            }
            Location::Index(_, i) => {
                item(Item::Index, entity.indexes.iter().position(|x| &x.id == i))
            }
            Location::Relationship(_, r) => {
                let at = self
                    .map
                    .relationship_by_id(source, e, r.as_str())
                    .or_else(|| {
                        design
                            .relationships_from(entity_id)
                            .iter()
                            .position(|x| &x.id == r)
                    });
                item(Item::Relationship, at)
            }
            _ => Place::Entity(e),
        }
    }

    /// Where `location` of `design` is written in `source`.
    pub fn position(&self, source: &str, design: &Design, location: &Location) -> Position {
        self.map
            .position(source, self.place(source, design, location))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"(
    format: 1,
    entities: [
        (name: "users", fields: [(name: "id", type: "uuid")]),
        (
            name: "orders",
            comment: "name: \"users\"",
            fields: [
                (name: "id", type: Some("uuid")), // name: "x"
                (name: "id", type: "uuid"),
            ],
            primary_key: ["id"],
            relationships: [(id: "r1", fields: ["id"], target: "users")],
        ),
    ],
)"#;

    fn at(place: Place) -> (usize, usize) {
        let p = SourceMap::new(SOURCE).position(SOURCE, place);
        (p.line, p.col)
    }

    #[test]
    fn objects_are_found_by_position_not_by_name() {
        assert_eq!(at(Place::Entity(1)), (6, 19));
        assert_eq!(at(Place::Item(1, Item::Field, 0)), (9, 24));
        assert_eq!(at(Place::Item(1, Item::Field, 1)), (10, 24));
        assert_eq!(at(Place::Item(0, Item::Field, 0)), (4, 41));
        assert_eq!(at(Place::ItemKey(0, Item::Field, 0, "type")), (4, 53));
        assert_eq!(at(Place::EntityKey(1, "primary_key")), (12, 26));
        assert_eq!(at(Place::DesignKey("format")), (2, 13));
    }

    #[test]
    fn missing_places_fall_back_to_what_holds_them() {
        assert_eq!(at(Place::Item(1, Item::Index, 3)), (6, 19));
        assert_eq!(at(Place::EntityKey(0, "primary_key")), (4, 16));
        assert_eq!(at(Place::Entity(9)), (1, 1));
    }

    #[test]
    fn relationships_are_found_by_the_id_written() {
        let map = SourceMap::new(SOURCE);
        assert_eq!(map.relationship_by_id(SOURCE, 1, "r1"), Some(0));
        assert_eq!(map.relationship_by_id(SOURCE, 1, "r2"), None);
    }
}
