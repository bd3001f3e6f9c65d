//! Stable ids for the things a design names.
//!
//! An id is created once and never changes, so a later diff can tell a rename
//! (same id, new name) from a drop plus an add (different ids). Ids are short
//! random strings: two branches of a design that each add an entity will not
//! collide when they are merged, which a counter could not promise.

use std::fmt;

use compact_str::CompactString;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

/// Length of the random part of an id. 36^12 ≈ 4.7·10¹⁸ ids: among a
/// million objects the chance that any two random ids are equal is about
/// n²/2N = 10¹²/9.5·10¹⁸ ≈ 10⁻⁷, and two branches that each add objects
/// stay apart as well. Within one design a clash cannot happen at all:
/// every fresh id is checked against the ids the generator was told of
/// ([`IdGen::avoid`], [`IdGen::avoid_design`]) and drawn again if taken.
pub const RANDOM_LEN: usize = 12;
const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Source of fresh ids. Tests seed it so that generated designs are
/// reproducible; the applications use [`IdGen::random`].
pub struct IdGen {
    rng: fastrand::Rng,
    /// Every id known to be in use, whatever its kind (the ids of the
    /// design being read or edited and every id this generator made), by
    /// a 64-bit hash: told of a 50,000-entity design, it holds 8 bytes an
    /// id instead of a copy of each. Two ids with one hash only make a
    /// fresh id be drawn again.
    taken: FxHashSet<u64>,
}

/// The hash an id is remembered by.
fn taken_key(id: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl IdGen {
    pub fn random() -> Self {
        Self {
            rng: fastrand::Rng::new(),
            taken: FxHashSet::default(),
        }
    }

    pub fn seeded(seed: u64) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(seed),
            taken: FxHashSet::default(),
        }
    }

    /// Tells the generator that `id` is in use, so it never makes it.
    pub fn avoid(&mut self, id: &str) {
        self.taken.insert(taken_key(id));
    }

    /// Tells the generator every id `design` holds.
    pub fn avoid_design(&mut self, design: &crate::core::model::Design) {
        for e in &design.enums {
            self.avoid(e.id.as_str());
        }
        for entity in design.entities() {
            self.avoid(entity.id.as_str());
            for f in &entity.fields {
                self.avoid(f.id.as_str());
            }
            for u in &entity.uniques {
                self.avoid(u.id.as_str());
            }
            for c in &entity.checks {
                self.avoid(c.id.as_str());
            }
            for i in &entity.indexes {
                self.avoid(i.id.as_str());
            }
        }
        for r in design.foreign_keys() {
            self.avoid(r.id.as_str());
        }
    }

    fn next(&mut self, prefix: char) -> CompactString {
        loop {
            let mut id = CompactString::with_capacity(RANDOM_LEN + 1);
            id.push(prefix);
            for _ in 0..RANDOM_LEN {
                id.push(ALPHABET[self.rng.usize(..ALPHABET.len())] as char);
            }
            if self.taken.insert(taken_key(&id)) {
                return id;
            }
        }
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
        // Inline: an id is 13 bytes, and a 50,000-entity design holds
        // over a million of them, each a heap allocation as a `String`.
        pub struct $name(pub CompactString);

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
                Self(CompactString::from(s))
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
    use std::collections::HashSet;

    #[test]
    fn seeded_generators_repeat_and_prefix_by_kind() {
        let a = IdGen::seeded(7).entity();
        let b = IdGen::seeded(7).entity();
        assert_eq!(a, b);
        assert!(a.as_str().starts_with('e'));
        assert_eq!(a.as_str().len(), RANDOM_LEN + 1);
        assert!(IdGen::seeded(7).field().as_str().starts_with('f'));
    }

    #[test]
    fn ids_it_was_told_of_are_never_made() {
        let made = IdGen::seeded(7).entity();
        let mut ids = IdGen::seeded(7);
        ids.avoid(made.as_str());
        let again = ids.entity();
        assert_ne!(again, made);
        assert_eq!(again.as_str().len(), RANDOM_LEN + 1);
    }

    #[test]
    fn ids_from_one_generator_are_all_different() {
        let mut ids = IdGen::seeded(1);
        let made: HashSet<CompactString> = (0..100_000).map(|_| ids.field().0).collect();
        assert_eq!(made.len(), 100_000);
    }
}
