//! What differs between two designs, item by item.
//!
//! Objects are matched by stable id first: an entity whose id is in both
//! designs under another name is a rename. What no id matches is then
//! matched by name ([`super::align`]), so two designs that share no ids
//! still keep every table and column both name. Constraint and index names
//! are compared as the database sees them (derived names included), so
//! renaming a table renames the keys named after it.

use std::fmt;

use rustc_hash::FxHashSet;

use crate::core::ids::{CheckId, EntityId, EnumId, FieldId, IndexId, RelationshipId, UniqueId};
use crate::core::model::{
    Check, DefaultValue, Deferrable, Design, Entity, Field, Identity, Index, ReferentialAction,
    Relationship, SqlExpr, SqlType,
};

/// A field of a table, with the names the change shows (the old names for
/// a drop, the new ones otherwise).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldAt {
    pub entity: EntityId,
    pub field: FieldId,
    pub table: String,
    pub column: String,
}

/// A constraint or index of a table, with the names the change shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemAt<I> {
    pub entity: EntityId,
    pub id: I,
    pub table: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    AddEnum {
        id: EnumId,
        name: String,
    },
    DropEnum {
        id: EnumId,
        name: String,
    },
    RenameEnum {
        id: EnumId,
        from: String,
        to: String,
    },
    /// Labels inserted with the old ones kept in order: `ADD VALUE`.
    AddEnumValues {
        id: EnumId,
        name: String,
        values: Vec<String>,
    },
    /// Labels removed or reordered: the type is rebuilt.
    ChangeEnumValues {
        id: EnumId,
        name: String,
        from: Vec<String>,
        to: Vec<String>,
    },
    SetEnumComment {
        id: EnumId,
        name: String,
        comment: Option<String>,
    },

    AddEntity {
        id: EntityId,
        name: String,
    },
    DropEntity {
        id: EntityId,
        name: String,
    },
    RenameEntity {
        id: EntityId,
        from: String,
        to: String,
    },
    SetEntityComment {
        id: EntityId,
        name: String,
        comment: Option<String>,
    },

    AddField {
        at: FieldAt,
        ty: SqlType,
    },
    DropField {
        at: FieldAt,
    },
    RenameField {
        at: FieldAt,
        from: String,
    },
    RetypeField {
        at: FieldAt,
        from: SqlType,
        to: SqlType,
    },
    SetNotNull {
        at: FieldAt,
        not_null: bool,
    },
    SetDefault {
        at: FieldAt,
        from: Option<DefaultValue>,
        to: Option<DefaultValue>,
    },
    SetIdentity {
        at: FieldAt,
        from: Option<Identity>,
        to: Option<Identity>,
    },
    SetFieldComment {
        at: FieldAt,
        comment: Option<String>,
    },

    /// The key's fields changed (or it appeared or went): drop and add.
    SetPrimaryKey {
        entity: EntityId,
        table: String,
        from: Option<Vec<String>>,
        to: Option<Vec<String>>,
    },
    RenamePrimaryKey {
        entity: EntityId,
        table: String,
        from: String,
        to: String,
    },
    AddUnique {
        at: ItemAt<UniqueId>,
    },
    DropUnique {
        at: ItemAt<UniqueId>,
    },
    RenameUnique {
        at: ItemAt<UniqueId>,
        from: String,
    },
    AddCheck {
        at: ItemAt<CheckId>,
    },
    DropCheck {
        at: ItemAt<CheckId>,
    },
    RenameCheck {
        at: ItemAt<CheckId>,
        from: String,
    },
    AddIndex {
        at: ItemAt<IndexId>,
    },
    DropIndex {
        at: ItemAt<IndexId>,
    },
    RenameIndex {
        at: ItemAt<IndexId>,
        from: String,
    },
    /// Fields, uniqueness, method or predicate changed: drop and create.
    ChangeIndex {
        at: ItemAt<IndexId>,
        from: String,
    },
    AddForeignKey {
        at: ItemAt<RelationshipId>,
    },
    DropForeignKey {
        at: ItemAt<RelationshipId>,
    },
    RenameForeignKey {
        at: ItemAt<RelationshipId>,
        from: String,
    },
    /// Fields, target or actions changed: drop and add.
    ChangeForeignKey {
        at: ItemAt<RelationshipId>,
        from: String,
    },
    /// Only when the key is checked changed: `ALTER CONSTRAINT` in place.
    SetForeignKeyDeferrable {
        at: ItemAt<RelationshipId>,
        from: Deferrable,
        to: Deferrable,
    },
}

/// The differences that take `old` to `new`: enums first, then entities
/// (dropped ones in the old order, the rest in the new order) with what
/// they hold, then foreign keys. A dropped or added entity is one change;
/// what it holds goes or comes with it.
pub fn diff(old: &Design, new: &Design) -> Vec<Change> {
    diff_aligned(&super::align::aligned(old, new), new)
}

/// [`diff`] of designs already aligned: the old one carries the new one's
/// ids for everything the two share.
pub(crate) fn diff_aligned(old: &Design, new: &Design) -> Vec<Change> {
    let mut out = Vec::new();
    enums(old, new, &mut out);
    for e in old.entities() {
        if new.entity(&e.id).is_none() {
            out.push(Change::DropEntity {
                id: e.id.clone(),
                name: e.name.clone(),
            });
        }
    }
    // An entity the same in both has no changes, unless an enum it uses
    // changed under it: its names are made from it alone. Most entities
    // of a day's diff are the same, so this spares making every name.
    let enums_same = old.enums == new.enums;
    let mut changed = FxHashSet::default();
    for e in new.entities() {
        match old.entity(&e.id) {
            None => out.push(Change::AddEntity {
                id: e.id.clone(),
                name: e.name.clone(),
            }),
            Some(o) if enums_same && same_entity(o, e) => {}
            Some(o) => {
                changed.insert(&e.id);
                entity(old, new, o, e, &mut out);
            }
        }
    }
    foreign_keys(old, new, |id| !enums_same || changed.contains(id), &mut out);
    out
}

fn enums(old: &Design, new: &Design, out: &mut Vec<Change>) {
    for o in &old.enums {
        if new.enum_type(&o.id).is_none() {
            out.push(Change::DropEnum {
                id: o.id.clone(),
                name: o.name.clone(),
            });
        }
    }
    for n in &new.enums {
        let Some(o) = old.enum_type(&n.id) else {
            out.push(Change::AddEnum {
                id: n.id.clone(),
                name: n.name.clone(),
            });
            continue;
        };
        let id = n.id.clone();
        if o.name != n.name {
            out.push(Change::RenameEnum {
                id: id.clone(),
                from: o.name.clone(),
                to: n.name.clone(),
            });
        }
        if o.values != n.values {
            match appended_values(&o.values, &n.values) {
                Some(values) => out.push(Change::AddEnumValues {
                    id: id.clone(),
                    name: n.name.clone(),
                    values,
                }),
                None => out.push(Change::ChangeEnumValues {
                    id: id.clone(),
                    name: n.name.clone(),
                    from: o.values.clone(),
                    to: n.values.clone(),
                }),
            }
        }
        if o.comment != n.comment {
            out.push(Change::SetEnumComment {
                id,
                name: n.name.clone(),
                comment: n.comment.clone(),
            });
        }
    }
}

/// The labels `new` adds when it keeps every label of `old` in the same
/// order (what `ALTER TYPE ... ADD VALUE` can do), or `None`.
pub(crate) fn appended_values(old: &[String], new: &[String]) -> Option<Vec<String>> {
    let mut rest = old.iter().peekable();
    let mut added = Vec::new();
    for value in new {
        if rest.peek() == Some(&value) {
            rest.next();
        } else if old.contains(value) {
            return None;
        } else {
            added.push(value.clone());
        }
    }
    (rest.peek().is_none() && !added.is_empty()).then_some(added)
}

fn entity(old: &Design, new: &Design, o: &Entity, n: &Entity, out: &mut Vec<Change>) {
    let id = n.id.clone();
    if o.name != n.name {
        out.push(Change::RenameEntity {
            id: id.clone(),
            from: o.name.clone(),
            to: n.name.clone(),
        });
    }
    if o.comment != n.comment {
        out.push(Change::SetEntityComment {
            id: id.clone(),
            name: n.name.clone(),
            comment: n.comment.clone(),
        });
    }
    let at = |e: &Entity, f: &Field| FieldAt {
        entity: id.clone(),
        field: f.id.clone(),
        table: e.name.clone(),
        column: f.name.clone(),
    };
    for of in &o.fields {
        if n.field(&of.id).is_none() {
            out.push(Change::DropField { at: at(o, of) });
        }
    }
    for nf in &n.fields {
        let Some(of) = o.field(&nf.id) else {
            out.push(Change::AddField {
                at: at(n, nf),
                ty: nf.ty.clone(),
            });
            continue;
        };
        // Made only for a change: most fields have none.
        let here = || at(n, nf);
        if of.name != nf.name {
            out.push(Change::RenameField {
                at: here(),
                from: of.name.clone(),
            });
        }
        if !same_type(&of.ty, old, &nf.ty, new) {
            out.push(Change::RetypeField {
                at: here(),
                from: of.ty.clone(),
                to: nf.ty.clone(),
            });
        }
        if of.not_null != nf.not_null {
            out.push(Change::SetNotNull {
                at: here(),
                not_null: nf.not_null,
            });
        }
        if of.default != nf.default {
            out.push(Change::SetDefault {
                at: here(),
                from: of.default.clone(),
                to: nf.default.clone(),
            });
        }
        if of.identity != nf.identity {
            out.push(Change::SetIdentity {
                at: here(),
                from: of.identity,
                to: nf.identity,
            });
        }
        if of.comment != nf.comment {
            out.push(Change::SetFieldComment {
                at: here(),
                comment: nf.comment.clone(),
            });
        }
    }

    let (opk, npk) = (&o.primary_key, &n.primary_key);
    if opk.as_ref().map(|k| &k.fields) != npk.as_ref().map(|k| &k.fields) {
        out.push(Change::SetPrimaryKey {
            entity: id.clone(),
            table: n.name.clone(),
            from: opk.as_ref().map(|k| o.field_names(&k.fields)),
            to: npk.as_ref().map(|k| n.field_names(&k.fields)),
        });
    } else if opk.is_some() && old.primary_key_name(o) != new.primary_key_name(n) {
        out.push(Change::RenamePrimaryKey {
            entity: id.clone(),
            table: n.name.clone(),
            from: old.primary_key_name(o),
            to: new.primary_key_name(n),
        });
    }

    items(
        &o.uniques,
        &n.uniques,
        |u| &u.id,
        |u| old.unique_name(o, u),
        |u| new.unique_name(n, u),
        |a, b| a.fields == b.fields,
        |item, kind| match kind {
            Kind::Add => Change::AddUnique { at: item },
            Kind::Drop => Change::DropUnique { at: item },
            Kind::Rename(from) => Change::RenameUnique { at: item, from },
            Kind::Change(from) => {
                unreachable!("a changed unique is a drop and an add, not {from}")
            }
        },
        (o, n),
        true,
        out,
    );
    items(
        &o.checks,
        &n.checks,
        |c| &c.id,
        |c| old.check_name(o, c),
        |c| new.check_name(n, c),
        |a, b| same_check(o, n, a, b),
        |item, kind| match kind {
            Kind::Add => Change::AddCheck { at: item },
            Kind::Drop => Change::DropCheck { at: item },
            Kind::Rename(from) => Change::RenameCheck { at: item, from },
            Kind::Change(from) => {
                unreachable!("a changed check is a drop and an add, not {from}")
            }
        },
        (o, n),
        true,
        out,
    );
    items(
        &o.indexes,
        &n.indexes,
        |i| &i.id,
        |i| old.index_name(o, i),
        |i| new.index_name(n, i),
        |a, b| same_index(o, n, a, b),
        |item, kind| match kind {
            Kind::Add => Change::AddIndex { at: item },
            Kind::Drop => Change::DropIndex { at: item },
            Kind::Rename(from) => Change::RenameIndex { at: item, from },
            Kind::Change(from) => Change::ChangeIndex { at: item, from },
        },
        (o, n),
        false,
        out,
    );
}

/// Whether index `a` of the old entity `o` is index `b` of the new `n`.
pub(crate) fn same_index(o: &Entity, n: &Entity, a: &Index, b: &Index) -> bool {
    a.fields == b.fields
        && a.unique == b.unique
        && a.method == b.method
        && match (&a.predicate, &b.predicate) {
            (Some(x), Some(y)) => same_expr(o, n, x, y),
            (x, y) => x == y,
        }
}

/// Whether check `a` of the old entity `o` is check `b` of the new `n`.
pub(crate) fn same_check(o: &Entity, n: &Entity, a: &Check, b: &Check) -> bool {
    same_expr(o, n, &a.expr, &b.expr)
}

/// Whether an old expression reads as a new one once the fields renamed
/// between `o` and `n` carry their new names: PostgreSQL rewrites the
/// expressions of a renamed column itself, so they need no rebuilding.
fn same_expr(o: &Entity, n: &Entity, old: &SqlExpr, new: &SqlExpr) -> bool {
    if old == new {
        return true;
    }
    let renames: Vec<(&str, &str)> = o
        .fields
        .iter()
        .filter_map(|of| {
            let nf = n.field(&of.id)?;
            (nf.name != of.name).then_some((of.name.as_str(), nf.name.as_str()))
        })
        .collect();
    !renames.is_empty() && old.rename_columns(&renames).as_ref() == Some(new)
}

enum Kind {
    Add,
    Drop,
    Rename(String),
    Change(String),
}

/// Compares one kind of constraint or index of an entity by id. A changed
/// definition is a drop and an add when `split`, one change otherwise.
#[allow(clippy::too_many_arguments)]
fn items<T, I: Clone + PartialEq>(
    old_items: &[T],
    new_items: &[T],
    id: impl Fn(&T) -> &I,
    old_name: impl Fn(&T) -> String,
    new_name: impl Fn(&T) -> String,
    same: impl Fn(&T, &T) -> bool,
    make: impl Fn(ItemAt<I>, Kind) -> Change,
    (o, n): (&Entity, &Entity),
    split: bool,
    out: &mut Vec<Change>,
) {
    let at = |e: &Entity, item: &T, name: String| ItemAt {
        entity: e.id.clone(),
        id: id(item).clone(),
        table: e.name.clone(),
        name,
    };
    for oi in old_items {
        if !new_items.iter().any(|ni| id(ni) == id(oi)) {
            out.push(make(at(o, oi, old_name(oi)), Kind::Drop));
        }
    }
    for ni in new_items {
        let here = || at(n, ni, new_name(ni));
        match old_items.iter().find(|oi| id(oi) == id(ni)) {
            None => out.push(make(here(), Kind::Add)),
            Some(oi) if !same(oi, ni) && split => {
                out.push(make(at(o, oi, old_name(oi)), Kind::Drop));
                out.push(make(here(), Kind::Add));
            }
            Some(oi) if !same(oi, ni) => out.push(make(here(), Kind::Change(old_name(oi)))),
            Some(oi) => {
                let (from, to) = (old_name(oi), new_name(ni));
                if from != to {
                    out.push(make(at(n, ni, to), Kind::Rename(from)));
                }
            }
        }
    }
}

/// `changed` says which kept entities may differ; a foreign key the same
/// in both, held by an entity that does not, has no changes.
fn foreign_keys(
    old: &Design,
    new: &Design,
    changed: impl Fn(&EntityId) -> bool,
    out: &mut Vec<Change>,
) {
    let at = |d: &Design, r: &Relationship| ItemAt {
        entity: r.from.clone(),
        id: r.id.clone(),
        table: d
            .entity(&r.from)
            .map(|e| e.name.clone())
            .unwrap_or_default(),
        name: d.relationship_name(r),
    };
    // Keys of a dropped or added entity go or come with it.
    let dropped =
        |r: &Relationship| new.relationship(&r.id).is_none() && new.entity(&r.from).is_some();
    let same = |r: &Relationship| old.relationship(&r.id) == Some(r) && !changed(&r.from);
    let to_look_at = |r: &Relationship| old.entity(&r.from).is_some() && !same(r);
    // The ordered walks only when some key may have changed.
    if !old.foreign_keys().any(dropped) && !new.foreign_keys().any(to_look_at) {
        return;
    }
    for r in old.relationships() {
        if dropped(r) {
            out.push(Change::DropForeignKey { at: at(old, r) });
        }
    }
    for r in new.relationships() {
        if !to_look_at(r) {
            continue;
        }
        let here = at(new, r);
        match old.relationship(&r.id) {
            None => out.push(Change::AddForeignKey { at: here }),
            Some(o) if !same_foreign_key(o, r) => {
                let from = old.relationship_name(o);
                out.push(Change::ChangeForeignKey { at: here, from });
            }
            Some(o) => {
                if old.relationship_name(o) != here.name {
                    let from = old.relationship_name(o);
                    out.push(Change::RenameForeignKey {
                        at: here.clone(),
                        from,
                    });
                }
                if o.deferrable != r.deferrable {
                    out.push(Change::SetForeignKeyDeferrable {
                        at: here,
                        from: o.deferrable,
                        to: r.deferrable,
                    });
                }
            }
        }
    }
}

/// Whether two versions of an entity are equal; at once when they are one
/// copy, as most entities of the two sides of a diff are
/// ([`crate::file::load_like`]).
pub(crate) fn same_entity(a: &Entity, b: &Entity) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Whether two versions of a foreign key are the same constraint in the
/// database, up to when it is checked (which `ALTER CONSTRAINT` changes
/// in place). An unspecified action is PostgreSQL's default, NO ACTION.
pub(crate) fn same_foreign_key(a: &Relationship, b: &Relationship) -> bool {
    let action = |x: Option<ReferentialAction>| x.unwrap_or(ReferentialAction::NoAction);
    a.from == b.from
        && a.fields == b.fields
        && a.to == b.to
        && a.references == b.references
        && action(a.on_delete) == action(b.on_delete)
        && action(a.on_update) == action(b.on_update)
}

/// Whether two field types are the same, with enums compared by id so
/// that renaming an enum does not retype its fields.
pub(crate) fn same_type(a: &SqlType, old: &Design, b: &SqlType, new: &Design) -> bool {
    type_key(a, old) == type_key(b, new)
}

/// A type with enum names replaced by their ids.
pub(crate) fn type_key(ty: &SqlType, d: &Design) -> SqlType {
    match ty {
        SqlType::Enum(name) => match d.enum_named(name) {
            Some(e) => SqlType::Enum(format!("#{}", e.id)),
            None => ty.clone(),
        },
        SqlType::Array(inner) => SqlType::Array(Box::new(type_key(inner, d))),
        other => other.clone(),
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = |at: &FieldAt| format!("`{}.{}`", at.table, at.column);
        let on = |at_table: &str| format!("on `{at_table}`");
        match self {
            Change::AddEnum { name, .. } => write!(f, "add enum `{name}`"),
            Change::DropEnum { name, .. } => write!(f, "drop enum `{name}`"),
            Change::RenameEnum { from, to, .. } => write!(f, "rename enum `{from}` to `{to}`"),
            Change::AddEnumValues { name, values, .. } => {
                write!(f, "add {} to enum `{name}`", quoted_list(values))
            }
            Change::ChangeEnumValues { name, from, to, .. } => write!(
                f,
                "change the values of enum `{name}` from {} to {}",
                quoted_list(from),
                quoted_list(to)
            ),
            Change::SetEnumComment { name, comment, .. } => {
                write!(f, "{} on enum `{name}`", comment_words(comment))
            }
            Change::AddEntity { name, .. } => write!(f, "add entity `{name}`"),
            Change::DropEntity { name, .. } => write!(f, "drop entity `{name}`"),
            Change::RenameEntity { from, to, .. } => {
                write!(f, "rename entity `{from}` to `{to}`")
            }
            Change::SetEntityComment { name, comment, .. } => {
                write!(f, "{} on entity `{name}`", comment_words(comment))
            }
            Change::AddField { at, ty } => write!(f, "add field {} ({ty})", field(at)),
            Change::DropField { at } => write!(f, "drop field {}", field(at)),
            Change::RenameField { at, from } => {
                write!(f, "rename field `{}.{from}` to `{}`", at.table, at.column)
            }
            Change::RetypeField { at, from, to } => {
                write!(f, "change the type of {} from {from} to {to}", field(at))
            }
            Change::SetNotNull { at, not_null } => match not_null {
                true => write!(f, "make {} NOT NULL", field(at)),
                false => write!(f, "allow NULL in {}", field(at)),
            },
            Change::SetDefault { at, to, .. } => match to {
                Some(DefaultValue::Expr(e)) => write!(f, "set the default of {} to {e}", field(at)),
                Some(DefaultValue::Text(t)) => {
                    write!(f, "set the default of {} to '{t}'", field(at))
                }
                None => write!(f, "drop the default of {}", field(at)),
            },
            Change::SetIdentity { at, to, .. } => match to {
                Some(Identity::Always) => write!(f, "generate {} ALWAYS as identity", field(at)),
                Some(Identity::ByDefault) => {
                    write!(f, "generate {} BY DEFAULT as identity", field(at))
                }
                None => write!(f, "stop generating {} as identity", field(at)),
            },
            Change::SetFieldComment { at, comment } => {
                write!(f, "{} on field {}", comment_words(comment), field(at))
            }
            Change::SetPrimaryKey {
                table, from, to, ..
            } => match (from, to) {
                (None, Some(to)) => {
                    write!(f, "add a primary key ({}) {}", to.join(", "), on(table))
                }
                (Some(_), None) => write!(f, "drop the primary key {}", on(table)),
                (_, to) => write!(
                    f,
                    "change the primary key {} to ({})",
                    on(table),
                    to.as_deref().unwrap_or_default().join(", ")
                ),
            },
            Change::RenamePrimaryKey {
                table, from, to, ..
            } => write!(f, "rename primary key `{from}` {} to `{to}`", on(table)),
            Change::AddUnique { at } => write!(f, "add unique `{}` {}", at.name, on(&at.table)),
            Change::DropUnique { at } => write!(f, "drop unique `{}` {}", at.name, on(&at.table)),
            Change::RenameUnique { at, from } => write!(
                f,
                "rename unique `{from}` {} to `{}`",
                on(&at.table),
                at.name
            ),
            Change::AddCheck { at } => write!(f, "add check `{}` {}", at.name, on(&at.table)),
            Change::DropCheck { at } => write!(f, "drop check `{}` {}", at.name, on(&at.table)),
            Change::RenameCheck { at, from } => write!(
                f,
                "rename check `{from}` {} to `{}`",
                on(&at.table),
                at.name
            ),
            Change::AddIndex { at } => write!(f, "add index `{}` {}", at.name, on(&at.table)),
            Change::DropIndex { at } => write!(f, "drop index `{}` {}", at.name, on(&at.table)),
            Change::RenameIndex { at, from } => write!(
                f,
                "rename index `{from}` {} to `{}`",
                on(&at.table),
                at.name
            ),
            Change::ChangeIndex { at, .. } => {
                write!(f, "rebuild index `{}` {}", at.name, on(&at.table))
            }
            Change::AddForeignKey { at } => {
                write!(f, "add foreign key `{}` {}", at.name, on(&at.table))
            }
            Change::DropForeignKey { at } => {
                write!(f, "drop foreign key `{}` {}", at.name, on(&at.table))
            }
            Change::RenameForeignKey { at, from } => write!(
                f,
                "rename foreign key `{from}` {} to `{}`",
                on(&at.table),
                at.name
            ),
            Change::ChangeForeignKey { at, .. } => write!(
                f,
                "change foreign key `{}` {} (fields, target or actions)",
                at.name,
                on(&at.table)
            ),
            Change::SetForeignKeyDeferrable { at, to, .. } => write!(
                f,
                "make foreign key `{}` {} {}",
                at.name,
                on(&at.table),
                to.describe()
            ),
        }
    }
}

fn quoted_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    quoted.join(", ")
}

fn comment_words(comment: &Option<String>) -> &'static str {
    match comment {
        Some(_) => "set the comment",
        None => "remove the comment",
    }
}
