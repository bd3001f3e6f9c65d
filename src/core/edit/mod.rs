//! Every change to a design is an [`Edit`] value.
//!
//! Applying an edit returns its inverse, which carries everything the edit
//! removed (a dropped field comes back with its indexes and foreign keys), so
//! undo, redo, scripted edits and mechanical fixes all go through this one
//! path. An edit either leaves the design coherent or is refused with a
//! reason and changes nothing.

mod apply;

use crate::core::check::{Allow, Settings};
use crate::core::ids::{CheckId, EntityId, EnumId, FieldId, IndexId, RelationshipId, UniqueId};
use crate::core::model::{
    Check, DefaultValue, Deferrable, Dependency, Entity, EnumType, Field, Identity, Index,
    PrimaryKey, ReferentialAction, Relationship, SqlType, Unique,
};

#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    AddEnum {
        enum_type: EnumType,
        at: usize,
    },
    RemoveEnum {
        id: EnumId,
    },
    RenameEnum {
        id: EnumId,
        name: String,
    },
    SetEnumValues {
        id: EnumId,
        values: Vec<String>,
    },

    AddEntity {
        entity: Box<Entity>,
        at: usize,
    },
    RemoveEntity {
        id: EntityId,
    },
    RenameEntity {
        id: EntityId,
        name: String,
    },
    SetEntityComment {
        id: EntityId,
        comment: Option<String>,
    },
    SetJunction {
        id: EntityId,
        junction: bool,
    },
    SetDependencies {
        entity: EntityId,
        dependencies: Vec<Dependency>,
    },
    SetEntityAllows {
        entity: EntityId,
        allow: Vec<Allow>,
    },
    SetFieldAllows {
        entity: EntityId,
        field: FieldId,
        allow: Vec<Allow>,
    },
    SetCheckSettings {
        settings: Settings,
    },

    AddField {
        entity: EntityId,
        field: Field,
        at: usize,
    },
    RemoveField {
        entity: EntityId,
        field: FieldId,
    },
    RenameField {
        entity: EntityId,
        field: FieldId,
        name: String,
    },
    SetFieldType {
        entity: EntityId,
        field: FieldId,
        ty: SqlType,
    },
    SetNotNull {
        entity: EntityId,
        field: FieldId,
        not_null: bool,
    },
    SetDefault {
        entity: EntityId,
        field: FieldId,
        default: Option<DefaultValue>,
    },
    SetIdentity {
        entity: EntityId,
        field: FieldId,
        identity: Option<Identity>,
    },
    SetFieldComment {
        entity: EntityId,
        field: FieldId,
        comment: Option<String>,
    },

    SetPrimaryKey {
        entity: EntityId,
        primary_key: Option<PrimaryKey>,
    },
    AddUnique {
        entity: EntityId,
        unique: Unique,
        at: usize,
    },
    RemoveUnique {
        entity: EntityId,
        id: UniqueId,
    },
    AddCheck {
        entity: EntityId,
        check: Check,
        at: usize,
    },
    RemoveCheck {
        entity: EntityId,
        id: CheckId,
    },
    AddIndex {
        entity: EntityId,
        index: Index,
        at: usize,
    },
    RemoveIndex {
        entity: EntityId,
        id: IndexId,
    },

    AddRelationship {
        relationship: Relationship,
    },
    RemoveRelationship {
        id: RelationshipId,
    },
    SetRelationshipActions {
        id: RelationshipId,
        on_delete: Option<ReferentialAction>,
        on_update: Option<ReferentialAction>,
    },
    SetRelationshipDeferrable {
        id: RelationshipId,
        deferrable: Deferrable,
    },

    SetRelationshipRequired {
        id: RelationshipId,
        required: bool,
    },

    /// Several edits that make one user action, applied in order and undone
    /// as one step.
    Batch(Vec<Edit>),
}

/// Why an edit was refused. The design is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EditError(pub String);

impl Edit {
    /// A short phrase for undo/redo messages: "rename entity".
    pub fn describe(&self) -> &'static str {
        match self {
            Edit::AddEnum { .. } => "add enum",
            Edit::RemoveEnum { .. } => "remove enum",
            Edit::RenameEnum { .. } => "rename enum",
            Edit::SetEnumValues { .. } => "change enum values",
            Edit::AddEntity { .. } => "add entity",
            Edit::RemoveEntity { .. } => "remove entity",
            Edit::RenameEntity { .. } => "rename entity",
            Edit::SetEntityComment { .. } => "change entity comment",
            Edit::SetJunction { .. } => "mark junction",
            Edit::SetDependencies { .. } => "change dependencies",
            Edit::SetEntityAllows { .. } | Edit::SetFieldAllows { .. } => "change allowed findings",
            Edit::SetCheckSettings { .. } => "change check settings",
            Edit::AddField { .. } => "add field",
            Edit::RemoveField { .. } => "remove field",
            Edit::RenameField { .. } => "rename field",
            Edit::SetFieldType { .. } => "change field type",
            Edit::SetNotNull { .. } => "change NOT NULL",
            Edit::SetDefault { .. } => "change default",
            Edit::SetIdentity { .. } => "change identity",
            Edit::SetFieldComment { .. } => "change field comment",
            Edit::SetPrimaryKey { .. } => "change primary key",
            Edit::AddUnique { .. } => "add unique constraint",
            Edit::RemoveUnique { .. } => "remove unique constraint",
            Edit::AddCheck { .. } => "add check",
            Edit::RemoveCheck { .. } => "remove check",
            Edit::AddIndex { .. } => "add index",
            Edit::RemoveIndex { .. } => "remove index",
            Edit::AddRelationship { .. } => "add relationship",
            Edit::RemoveRelationship { .. } => "remove relationship",
            Edit::SetRelationshipActions { .. } => "change relationship actions",
            Edit::SetRelationshipDeferrable { .. } => "change whether a relationship is deferrable",
            Edit::SetRelationshipRequired { .. } => "change whether a relationship is required",
            Edit::Batch(edits) if edits.len() == 1 => edits[0].describe(),
            Edit::Batch(_) => "several changes",
        }
    }
}

#[cfg(test)]
mod tests;
