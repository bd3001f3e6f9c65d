//! Entities (tables) and what belongs to one: fields, keys, constraints, indexes.

use serde::{Deserialize, Serialize};

use crate::core::check::Allow;
use crate::core::ids::{CheckId, EntityId, FieldId, IndexId, UniqueId};
use crate::core::model::{ExprError, SqlExpr, SqlType};

#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub id: EntityId,
    pub name: String,
    pub comment: Option<String>,
    /// Marks the join table of a many-to-many relationship, so checks and
    /// exporters can treat it as a link rather than a thing of its own.
    pub junction: bool,
    pub fields: Vec<Field>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<Unique>,
    pub checks: Vec<Check>,
    pub indexes: Vec<Index>,
    /// Functional dependencies the designer declares, for normal-form analysis.
    pub dependencies: Vec<Dependency>,
    /// Check findings that are deliberate here.
    pub allow: Vec<Allow>,
}

impl Entity {
    /// An entity with no fields; callers add what they need.
    pub fn new(id: EntityId, name: impl Into<String>) -> Self {
        Entity {
            id,
            name: name.into(),
            comment: None,
            junction: false,
            fields: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            checks: Vec::new(),
            indexes: Vec::new(),
            dependencies: Vec::new(),
            allow: Vec::new(),
        }
    }

    pub fn field(&self, id: &FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| &f.id == id)
    }

    pub fn field_mut(&mut self, id: &FieldId) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| &f.id == id)
    }

    pub fn field_named(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_position(&self, id: &FieldId) -> Option<usize> {
        self.fields.iter().position(|f| &f.id == id)
    }

    /// The field's name, or its id when it is missing (for messages about
    /// an incoherent design).
    pub fn field_name(&self, id: &FieldId) -> String {
        self.field(id)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn field_names(&self, ids: &[FieldId]) -> Vec<String> {
        ids.iter().map(|id| self.field_name(id)).collect()
    }

    pub fn is_primary_key(&self, fields: &[FieldId]) -> bool {
        self.primary_key
            .as_ref()
            .is_some_and(|pk| pk.fields == fields)
    }

    /// Whether the fields are declared unique as a set, by the primary key
    /// or a unique constraint or unique index over exactly those fields.
    pub fn is_unique_over(&self, fields: &[FieldId]) -> bool {
        let same_set = |cols: &[FieldId]| {
            cols.len() == fields.len() && cols.iter().all(|c| fields.contains(c))
        };
        self.primary_key
            .as_ref()
            .is_some_and(|pk| same_set(&pk.fields))
            || self.uniques.iter().any(|u| same_set(&u.fields))
            || self
                .indexes
                .iter()
                .any(|i| i.unique && i.predicate.is_none() && same_set(&i.fields))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub id: FieldId,
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    pub default: Option<DefaultValue>,
    pub identity: Option<Identity>,
    pub comment: Option<String>,
    /// Check findings that are deliberate on this field.
    pub allow: Vec<Allow>,
}

impl Field {
    pub fn new(id: FieldId, name: impl Into<String>, ty: SqlType) -> Self {
        Field {
            id,
            name: name.into(),
            ty,
            not_null: false,
            default: None,
            identity: None,
            comment: None,
            allow: Vec::new(),
        }
    }

    pub fn not_null(mut self) -> Self {
        self.not_null = true;
        self
    }

    /// Sets a default expression; for code that writes its own SQL, so
    /// text that is not one expression is a bug there.
    pub fn default_expr(mut self, expr: &str) -> Self {
        let expr = SqlExpr::parse(expr)
            .unwrap_or_else(|e| panic!("`{expr}` is not an expression: {}", e.describe()));
        self.default = Some(DefaultValue::Expr(expr));
        self
    }
}

/// A column default. Text is kept apart from expressions so that a user's
/// literal is always quoted and escaped, never run as SQL. In a design file:
/// `Expr("now()")` or `Text("pending")`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DefaultValue {
    /// One SQL expression, read and printed by plinth: `now()`,
    /// `gen_random_uuid()`, `0`, `true`.
    Expr(SqlExpr),
    /// A string literal, quoted when written out.
    Text(String),
}

impl DefaultValue {
    /// Reads a default as a person types it: empty is none, a lone string
    /// literal (`'pending'`) is text, anything else must be one expression
    /// sqlparser reads.
    pub fn read(raw: &str) -> Result<Option<DefaultValue>, ExprError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let expr = SqlExpr::parse_strict(raw)?;
        Ok(Some(match expr.string_literal() {
            Some(text) => DefaultValue::Text(text),
            None => DefaultValue::Expr(expr),
        }))
    }

    /// The default as SQL: the expression, or the text as a literal.
    pub fn to_sql(&self) -> String {
        match self {
            DefaultValue::Expr(e) => e.to_string(),
            DefaultValue::Text(t) => crate::core::sql::Literal(t).to_string(),
        }
    }
}

/// A declared functional dependency: the `lhs` fields determine the `rhs`
/// fields (`zip -> city, state`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    pub lhs: Vec<FieldId>,
    pub rhs: Vec<FieldId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    Always,
    ByDefault,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryKey {
    /// Constraint name; `None` means the conventional `<table>_pkey`.
    pub name: Option<String>,
    pub fields: Vec<FieldId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unique {
    pub id: UniqueId,
    pub name: Option<String>,
    pub fields: Vec<FieldId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub id: CheckId,
    pub name: Option<String>,
    /// The boolean SQL expression.
    pub expr: SqlExpr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    pub id: IndexId,
    pub name: Option<String>,
    /// Indexed fields, in index order.
    pub fields: Vec<FieldId>,
    pub unique: bool,
    pub method: IndexMethod,
    /// `WHERE` predicate of a partial index.
    pub predicate: Option<SqlExpr>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndexMethod {
    #[default]
    Btree,
    Hash,
    Gin,
    Gist,
}

impl IndexMethod {
    pub fn as_sql(self) -> &'static str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gin => "gin",
            IndexMethod::Gist => "gist",
        }
    }
}

/// An enum type: a closed list of labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumType {
    pub id: crate::core::ids::EnumId,
    pub name: String,
    pub values: Vec<String>,
    pub comment: Option<String>,
}
