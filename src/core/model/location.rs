//! Where in a design something is: the address of a problem or a finding.

use std::fmt;

use crate::core::ids::{CheckId, EntityId, EnumId, FieldId, IndexId, RelationshipId, UniqueId};
use crate::core::model::Design;

/// A place in a design, by stable ids so it survives renames.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    Design,
    Enum(EnumId),
    Entity(EntityId),
    Field(EntityId, FieldId),
    PrimaryKey(EntityId),
    Unique(EntityId, UniqueId),
    Check(EntityId, CheckId),
    Index(EntityId, IndexId),
    Relationship(EntityId, RelationshipId),
}

impl Location {
    /// The entity this location lies in, if any.
    pub fn entity(&self) -> Option<&EntityId> {
        match self {
            Location::Design | Location::Enum(_) => None,
            Location::Entity(e)
            | Location::Field(e, _)
            | Location::PrimaryKey(e)
            | Location::Unique(e, _)
            | Location::Check(e, _)
            | Location::Index(e, _)
            | Location::Relationship(e, _) => Some(e),
        }
    }

    /// The location spelled with names, e.g. `orders.customer_id` or
    /// `orders: index orders_customer_id_idx`.
    pub fn describe(&self, design: &Design) -> String {
        Described(self, design).to_string()
    }
}

struct Described<'a>(&'a Location, &'a Design);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Described(location, design) = self;
        if let Location::Enum(id) = location {
            let name = design.enum_type(id).map_or(id.as_str(), |e| &e.name);
            return write!(f, "enum {name}");
        }
        let Some(entity_id) = location.entity() else {
            return f.write_str("design");
        };
        let Some(entity) = design.entity(entity_id) else {
            return write!(f, "entity {entity_id}");
        };
        let name = &entity.name;
        match location {
            Location::Field(_, field) => write!(f, "{name}.{}", entity.field_name(field)),
            Location::PrimaryKey(_) => write!(f, "{name}: primary key"),
            Location::Unique(_, id) => match entity.uniques.iter().find(|u| &u.id == id) {
                Some(u) => write!(
                    f,
                    "{name}: unique ({})",
                    entity.field_names(&u.fields).join(", ")
                ),
                None => write!(f, "{name}: unique {id}"),
            },
            Location::Check(_, id) => match entity.checks.iter().find(|c| &c.id == id) {
                Some(c) => write!(f, "{name}: check ({})", c.expr),
                None => write!(f, "{name}: check {id}"),
            },
            Location::Index(_, id) => match entity.indexes.iter().find(|i| &i.id == id) {
                Some(i) => write!(f, "{name}: index {}", design.index_name(entity, i)),
                None => write!(f, "{name}: index {id}"),
            },
            Location::Relationship(_, id) => match design.relationship(id) {
                Some(r) => write!(f, "{name}: foreign key {}", design.relationship_name(r)),
                None => write!(f, "{name}: foreign key {id}"),
            },
            _ => f.write_str(name),
        }
    }
}
