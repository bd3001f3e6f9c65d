//! Stable ids for the things a design names.
//!
//! An id is created once and never changes, so a later diff can tell a rename
//! (same id, new name) from a drop plus an add (different ids). Ids are short
//! random strings: two branches of a design that each add an entity will not
//! collide when they are merged, which a counter could not promise.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Length of the random part of an id; 36^6 ≈ 2·10⁹ makes a clash inside one
/// design vanishingly unlikely while keeping the file readable.
const RANDOM_LEN: usize = 6;
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Source of fresh ids. Tests seed it so that generated designs are
/// reproducible; the applications use [`IdGen::random`].
pub struct IdGen {
    rng: fastrand::Rng,
}

impl IdGen {
    pub fn random() -> Self {
        Self {
            rng: fastrand::Rng::new(),
        }
    }

    pub fn seeded(seed: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    fn next(&mut self, prefix: char) -> String {
        let mut id = String::with_capacity(RANDOM_LEN + 1);
        id.push(prefix);
        for _ in 0..RANDOM_LEN {
            id.push(ALPHABET[self.rng.usize(..ALPHABET.len())] as char);
        }
        id
    }

    pub fn entity(&mut self) -> EntityId {
        EntityId(self.next('e'))
    }
    pub fn field(&mut self) -> FieldId {
        FieldId(self.next('f'))
    }
    pub fn relationship(&mut self) -> RelationshipId {
        RelationshipId(self.next('r'))
    }
    pub fn index(&mut self) -> IndexId {
        IndexId(self.next('i'))
    }
    pub fn unique(&mut self) -> UniqueId {
        UniqueId(self.next('u'))
    }
    pub fn check(&mut self) -> CheckId {
        CheckId(self.next('c'))
    }
    pub fn enum_type(&mut self) -> EnumId {
        EnumId(self.next('t'))
    }
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

define_id!(
    /// Identifies an entity (table).
    EntityId
);
define_id!(
    /// Identifies a field (column) within its entity.
    FieldId
);
define_id!(
    /// Identifies a relationship (foreign key).
    RelationshipId
);
define_id!(
    /// Identifies an index.
    IndexId
);
define_id!(
    /// Identifies a unique constraint.
    UniqueId
);
define_id!(
    /// Identifies a check constraint.
    CheckId
);
define_id!(
    /// Identifies an enum type.
    EnumId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_generators_repeat_and_prefix_by_kind() {
        let a = IdGen::seeded(7).entity();
        let b = IdGen::seeded(7).entity();
        assert_eq!(a, b);
        assert!(a.as_str().starts_with('e'));
        assert_eq!(a.as_str().len(), RANDOM_LEN + 1);
        assert!(IdGen::seeded(7).field().as_str().starts_with('f'));
    }
}
