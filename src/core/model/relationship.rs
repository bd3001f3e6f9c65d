//! Relationships: foreign keys from a child entity to a parent entity.

use serde::{Deserialize, Serialize};

use crate::core::ids::{EntityId, FieldId, RelationshipId};

/// A foreign key. In the graph it is an edge from `from` (the child, which
/// holds the key fields) to `to` (the parent, whose fields it references).
/// A many-to-many relationship is two of these on a junction entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relationship {
    pub id: RelationshipId,
    /// Constraint name; `None` means the conventional `<table>_<fields>_fkey`.
    pub name: Option<String>,
    pub kind: RelationshipKind,
    pub from: EntityId,
    pub fields: Vec<FieldId>,
    pub to: EntityId,
    pub references: Vec<FieldId>,
    /// `None` leaves the behaviour at PostgreSQL's default (no action);
    /// `Some(NoAction)` says it was chosen on purpose.
    pub on_delete: Option<ReferentialAction>,
    pub on_update: Option<ReferentialAction>,
    pub deferrable: Deferrable,
    /// Every child must have a parent: the designer's intent, which the
    /// key fields' NOT NULL should match (`nullable-fk-not-intended`).
    pub required: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RelationshipKind {
    /// Many children point at one parent (the parent's one-to-many).
    #[default]
    ManyToOne,
    /// At most one child per parent: the key fields are unique.
    OneToOne,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReferentialAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub const ALL: [ReferentialAction; 5] = [
        ReferentialAction::NoAction,
        ReferentialAction::Restrict,
        ReferentialAction::Cascade,
        ReferentialAction::SetNull,
        ReferentialAction::SetDefault,
    ];

    pub fn as_sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// When PostgreSQL checks a foreign key. A key that is not deferrable is
/// checked after every statement; a deferrable one can be checked when the
/// transaction commits instead, which lets rows that reference each other
/// in a cycle be inserted in any order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Deferrable {
    #[default]
    NotDeferrable,
    /// Checked after each statement unless a transaction says
    /// `SET CONSTRAINTS ... DEFERRED`.
    InitiallyImmediate,
    /// Checked at commit unless a transaction says
    /// `SET CONSTRAINTS ... IMMEDIATE`.
    InitiallyDeferred,
}

impl Deferrable {
    pub const ALL: [Deferrable; 3] = [
        Deferrable::NotDeferrable,
        Deferrable::InitiallyImmediate,
        Deferrable::InitiallyDeferred,
    ];

    pub fn is_deferrable(self) -> bool {
        self != Deferrable::NotDeferrable
    }

    /// The clause in full, as `ALTER CONSTRAINT` takes it; a key's
    /// definition leaves out `NOT DEFERRABLE`, PostgreSQL's default.
    pub fn as_sql(self) -> &'static str {
        match self {
            Deferrable::NotDeferrable => "NOT DEFERRABLE",
            Deferrable::InitiallyImmediate => "DEFERRABLE INITIALLY IMMEDIATE",
            Deferrable::InitiallyDeferred => "DEFERRABLE INITIALLY DEFERRED",
        }
    }

    /// In plain words: "deferrable, initially deferred".
    pub fn describe(self) -> &'static str {
        match self {
            Deferrable::NotDeferrable => "not deferrable",
            Deferrable::InitiallyImmediate => "deferrable, initially immediate",
            Deferrable::InitiallyDeferred => "deferrable, initially deferred",
        }
    }
}
