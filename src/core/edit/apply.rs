//! How each edit changes a design, and what undoes it.

use std::mem;

use super::{Edit, EditError};
use crate::core::ids::{EntityId, FieldId};
use crate::core::model::{Design, Entity, Field, SqlExpr, SqlType};

/// What an applied edit may have made incoherent, so only that is checked.
#[derive(Default)]
struct Scope {
    entities: Vec<EntityId>,
    enums: bool,
    /// Whether relation names (tables, indexes, keys) may have changed and
    /// must be checked against the whole schema.
    names: bool,
}

impl Edit {
    /// Applies the edit and returns its inverse, or refuses it with the
    /// reason and leaves the design as it was.
    pub fn apply(&self, design: &mut Design) -> Result<Edit, EditError> {
        if let Edit::Batch(edits) = self {
            return apply_batch(edits, design);
        }
        let inverse = self.apply_unchecked(design)?;
        let scope = self.scope(design);
        let problems = design.problems_around(&scope.entities, scope.enums, scope.names);
        if let Some(problem) = problems.into_iter().next() {
            inverse
                .apply_unchecked(design)
                .expect("the inverse of an edit just applied applies");
            return Err(EditError(problem.message));
        }
        Ok(inverse)
    }

    fn scope(&self, design: &Design) -> Scope {
        let local = |id: &EntityId, names: bool| Scope {
            entities: vec![id.clone()],
            enums: false,
            names,
        };
        match self {
            Edit::AddEnum { .. }
            | Edit::RemoveEnum { .. }
            | Edit::RenameEnum { .. }
            | Edit::SetEnumValues { .. } => Scope {
                entities: Vec::new(),
                enums: true,
                names: false,
            },
            Edit::AddEntity { entity, .. } => Scope {
                entities: vec![entity.id.clone()],
                enums: true,
                names: true,
            },
            Edit::RenameEntity { id, .. } => Scope {
                entities: vec![id.clone()],
                enums: true,
                names: true,
            },
            Edit::RemoveEntity { .. } | Edit::Batch(_) => Scope::default(),
            Edit::SetEntityComment { id, .. } | Edit::SetJunction { id, .. } => local(id, false),
            Edit::SetDependencies { entity, .. }
            | Edit::SetEntityAllows { entity, .. }
            | Edit::SetFieldAllows { entity, .. } => local(entity, false),
            Edit::SetCheckSettings { .. } => Scope::default(),
            Edit::RenameField { entity, .. }
            | Edit::SetPrimaryKey { entity, .. }
            | Edit::AddUnique { entity, .. }
            | Edit::AddIndex { entity, .. } => local(entity, true),
            Edit::AddField { entity, .. }
            | Edit::RemoveField { entity, .. }
            | Edit::SetFieldType { entity, .. }
            | Edit::SetNotNull { entity, .. }
            | Edit::SetDefault { entity, .. }
            | Edit::SetIdentity { entity, .. }
            | Edit::SetFieldComment { entity, .. }
            | Edit::RemoveUnique { entity, .. }
            | Edit::AddCheck { entity, .. }
            | Edit::RemoveCheck { entity, .. }
            | Edit::RemoveIndex { entity, .. } => local(entity, false),
            Edit::AddRelationship { relationship } => Scope {
                entities: vec![relationship.from.clone(), relationship.to.clone()],
                enums: false,
                names: false,
            },
            Edit::RemoveRelationship { .. } => Scope::default(),
            Edit::SetRelationshipActions { id, .. }
            | Edit::SetRelationshipDeferrable { id, .. }
            | Edit::SetRelationshipRequired { id, .. } => match design.relationship(id) {
                Some(r) => local(&r.from, false),
                None => Scope::default(),
            },
        }
    }

    /// Applies the edit checking only what it needs to find its target.
    /// Inverses go through here: they restore a state that was coherent.
    fn apply_unchecked(&self, d: &mut Design) -> Result<Edit, EditError> {
        Ok(match self {
            Edit::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for edit in edits {
                    match edit.apply_unchecked(d) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(e) => {
                            undo_all(inverses, d);
                            return Err(e);
                        }
                    }
                }
                inverses.reverse();
                Edit::Batch(inverses)
            }

            Edit::AddEnum { enum_type, at } => {
                if d.enum_type(&enum_type.id).is_some() {
                    return refuse(format!("an enum with id {} exists already", enum_type.id));
                }
                let at = (*at).min(d.enums.len());
                d.enums.insert(at, enum_type.clone());
                Edit::RemoveEnum {
                    id: enum_type.id.clone(),
                }
            }
            Edit::RemoveEnum { id } => {
                let at = enum_position(d, id)?;
                let name = d.enums[at].name.clone();
                if let Some((entity, field)) = fields_of_enum(d, &name).next() {
                    return refuse(format!(
                        "enum `{name}` is still the type of `{}.{}`",
                        entity.name, field.name
                    ));
                }
                Edit::AddEnum {
                    enum_type: d.enums.remove(at),
                    at,
                }
            }
            Edit::RenameEnum { id, name } => {
                let at = enum_position(d, id)?;
                if d.enums.iter().any(|e| &e.name == name && &e.id != id) {
                    return refuse(format!("an enum named `{name}` exists already"));
                }
                let old = mem::replace(&mut d.enums[at].name, name.clone());
                let users: Vec<(EntityId, FieldId)> = fields_of_enum(d, &old)
                    .map(|(e, f)| (e.id.clone(), f.id.clone()))
                    .collect();
                for (entity, field) in users {
                    let field = field_mut(d, &entity, &field)?;
                    field.ty = rename_enum_in(&field.ty, name);
                }
                Edit::RenameEnum {
                    id: id.clone(),
                    name: old,
                }
            }
            Edit::SetEnumValues { id, values } => {
                let at = enum_position(d, id)?;
                Edit::SetEnumValues {
                    id: id.clone(),
                    values: mem::replace(&mut d.enums[at].values, values.clone()),
                }
            }

            Edit::AddEntity { entity, at } => {
                if d.entity(&entity.id).is_some() {
                    return refuse(format!("an entity with id {} exists already", entity.id));
                }
                d.insert_entity((**entity).clone(), *at);
                Edit::RemoveEntity {
                    id: entity.id.clone(),
                }
            }
            Edit::RemoveEntity { id } => {
                entity(d, id)?;
                let mut rels: Vec<_> = d
                    .relationships_from(id)
                    .into_iter()
                    .chain(d.relationships_to(id))
                    .map(|r| r.id.clone())
                    .collect();
                rels.sort();
                rels.dedup();
                let mut restore = Vec::new();
                for rel in rels {
                    if let Some(r) = d.remove_relationship(&rel) {
                        restore.push(Edit::AddRelationship { relationship: r });
                    }
                }
                let (entity, at) = d.remove_entity(id).expect("the entity exists");
                restore.insert(
                    0,
                    Edit::AddEntity {
                        entity: Box::new(entity),
                        at,
                    },
                );
                Edit::Batch(restore)
            }
            Edit::RenameEntity { id, name } => Edit::RenameEntity {
                id: id.clone(),
                name: mem::replace(&mut entity_mut(d, id)?.name, name.clone()),
            },
            Edit::SetEntityComment { id, comment } => Edit::SetEntityComment {
                id: id.clone(),
                comment: mem::replace(&mut entity_mut(d, id)?.comment, comment.clone()),
            },
            Edit::SetJunction { id, junction } => Edit::SetJunction {
                id: id.clone(),
                junction: mem::replace(&mut entity_mut(d, id)?.junction, *junction),
            },

            Edit::SetDependencies {
                entity,
                dependencies,
            } => Edit::SetDependencies {
                entity: entity.clone(),
                dependencies: mem::replace(
                    &mut entity_mut(d, entity)?.dependencies,
                    dependencies.clone(),
                ),
            },
            Edit::SetEntityAllows { entity, allow } => Edit::SetEntityAllows {
                entity: entity.clone(),
                allow: mem::replace(&mut entity_mut(d, entity)?.allow, allow.clone()),
            },
            Edit::SetFieldAllows {
                entity,
                field,
                allow,
            } => Edit::SetFieldAllows {
                entity: entity.clone(),
                field: field.clone(),
                allow: mem::replace(&mut field_mut(d, entity, field)?.allow, allow.clone()),
            },
            Edit::SetCheckSettings { settings } => Edit::SetCheckSettings {
                settings: mem::replace(&mut d.checks, settings.clone()),
            },

            Edit::AddField { entity, field, at } => {
                let e = entity_mut(d, entity)?;
                if e.field(&field.id).is_some() {
                    return refuse(format!(
                        "`{}` has a field with id {} already",
                        e.name, field.id
                    ));
                }
                let at = (*at).min(e.fields.len());
                e.fields.insert(at, field.clone());
                Edit::RemoveField {
                    entity: entity.clone(),
                    field: field.id.clone(),
                }
            }
            Edit::RemoveField { entity, field } => remove_field(d, entity, field)?,
            Edit::RenameField {
                entity,
                field,
                name,
            } => {
                // Checked here, not only after: expressions naming the
                // other field would be rewritten along with this one's.
                let e = self::entity(d, entity)?;
                if e.fields.iter().any(|f| &f.name == name && &f.id != field) {
                    return refuse(format!("field `{}.{name}` is defined twice", e.name));
                }
                let old = mem::replace(&mut field_mut(d, entity, field)?.name, name.clone());
                rewrite_expressions(entity_mut(d, entity)?, &old, name);
                Edit::RenameField {
                    entity: entity.clone(),
                    field: field.clone(),
                    name: old,
                }
            }
            Edit::SetFieldType { entity, field, ty } => Edit::SetFieldType {
                entity: entity.clone(),
                field: field.clone(),
                ty: mem::replace(&mut field_mut(d, entity, field)?.ty, ty.clone()),
            },
            Edit::SetNotNull {
                entity,
                field,
                not_null,
            } => Edit::SetNotNull {
                entity: entity.clone(),
                field: field.clone(),
                not_null: mem::replace(&mut field_mut(d, entity, field)?.not_null, *not_null),
            },
            Edit::SetDefault {
                entity,
                field,
                default,
            } => Edit::SetDefault {
                entity: entity.clone(),
                field: field.clone(),
                default: mem::replace(&mut field_mut(d, entity, field)?.default, default.clone()),
            },
            Edit::SetIdentity {
                entity,
                field,
                identity,
            } => Edit::SetIdentity {
                entity: entity.clone(),
                field: field.clone(),
                identity: mem::replace(&mut field_mut(d, entity, field)?.identity, *identity),
            },
            Edit::SetFieldComment {
                entity,
                field,
                comment,
            } => Edit::SetFieldComment {
                entity: entity.clone(),
                field: field.clone(),
                comment: mem::replace(&mut field_mut(d, entity, field)?.comment, comment.clone()),
            },

            Edit::SetPrimaryKey {
                entity,
                primary_key,
            } => Edit::SetPrimaryKey {
                entity: entity.clone(),
                primary_key: mem::replace(
                    &mut entity_mut(d, entity)?.primary_key,
                    primary_key.clone(),
                ),
            },
            Edit::AddUnique { entity, unique, at } => {
                let e = entity_mut(d, entity)?;
                insert_new(&mut e.uniques, unique.clone(), *at, |u| &u.id, &e.name)?;
                Edit::RemoveUnique {
                    entity: entity.clone(),
                    id: unique.id.clone(),
                }
            }
            Edit::RemoveUnique { entity, id } => {
                let e = entity_mut(d, entity)?;
                let (unique, at) = take(&mut e.uniques, |u| &u.id == id, &e.name, id)?;
                Edit::AddUnique {
                    entity: entity.clone(),
                    unique,
                    at,
                }
            }
            Edit::AddCheck { entity, check, at } => {
                let e = entity_mut(d, entity)?;
                insert_new(&mut e.checks, check.clone(), *at, |c| &c.id, &e.name)?;
                Edit::RemoveCheck {
                    entity: entity.clone(),
                    id: check.id.clone(),
                }
            }
            Edit::RemoveCheck { entity, id } => {
                let e = entity_mut(d, entity)?;
                let (check, at) = take(&mut e.checks, |c| &c.id == id, &e.name, id)?;
                Edit::AddCheck {
                    entity: entity.clone(),
                    check,
                    at,
                }
            }
            Edit::AddIndex { entity, index, at } => {
                let e = entity_mut(d, entity)?;
                insert_new(&mut e.indexes, index.clone(), *at, |i| &i.id, &e.name)?;
                Edit::RemoveIndex {
                    entity: entity.clone(),
                    id: index.id.clone(),
                }
            }
            Edit::RemoveIndex { entity, id } => {
                let e = entity_mut(d, entity)?;
                let (index, at) = take(&mut e.indexes, |i| &i.id == id, &e.name, id)?;
                Edit::AddIndex {
                    entity: entity.clone(),
                    index,
                    at,
                }
            }

            Edit::AddRelationship { relationship } => {
                if d.relationship(&relationship.id).is_some() {
                    return refuse(format!(
                        "a relationship with id {} exists already",
                        relationship.id
                    ));
                }
                entity(d, &relationship.from)?;
                entity(d, &relationship.to)?;
                d.insert_relationship(relationship.clone());
                Edit::RemoveRelationship {
                    id: relationship.id.clone(),
                }
            }
            Edit::RemoveRelationship { id } => match d.remove_relationship(id) {
                Some(relationship) => Edit::AddRelationship { relationship },
                None => return refuse(format!("there is no relationship with id {id}")),
            },
            Edit::SetRelationshipActions {
                id,
                on_delete,
                on_update,
            } => {
                let Some(r) = d.relationship_mut(id) else {
                    return refuse(format!("there is no relationship with id {id}"));
                };
                Edit::SetRelationshipActions {
                    id: id.clone(),
                    on_delete: mem::replace(&mut r.on_delete, *on_delete),
                    on_update: mem::replace(&mut r.on_update, *on_update),
                }
            }
            Edit::SetRelationshipDeferrable { id, deferrable } => {
                let Some(r) = d.relationship_mut(id) else {
                    return refuse(format!("there is no relationship with id {id}"));
                };
                Edit::SetRelationshipDeferrable {
                    id: id.clone(),
                    deferrable: mem::replace(&mut r.deferrable, *deferrable),
                }
            }
            Edit::SetRelationshipRequired { id, required } => {
                let Some(r) = d.relationship_mut(id) else {
                    return refuse(format!("there is no relationship with id {id}"));
                };
                Edit::SetRelationshipRequired {
                    id: id.clone(),
                    required: mem::replace(&mut r.required, *required),
                }
            }
        })
    }
}

fn apply_batch(edits: &[Edit], d: &mut Design) -> Result<Edit, EditError> {
    let mut inverses = Vec::with_capacity(edits.len());
    for edit in edits {
        match edit.apply(d) {
            Ok(inverse) => inverses.push(inverse),
            Err(e) => {
                undo_all(inverses, d);
                return Err(e);
            }
        }
    }
    inverses.reverse();
    Ok(Edit::Batch(inverses))
}

/// Rolls back a partly applied batch, newest first.
fn undo_all(inverses: Vec<Edit>, d: &mut Design) {
    for inverse in inverses.into_iter().rev() {
        inverse
            .apply_unchecked(d)
            .expect("the inverse of an edit just applied applies");
    }
}

/// Removing a field also removes what cannot stand without it: foreign
/// keys from or to it, indexes, unique constraints and declared
/// dependencies over it, and a primary key that includes it (as `ALTER TABLE ... DROP COLUMN` does).
/// The inverse puts all of it back.
fn remove_field(d: &mut Design, entity_id: &EntityId, field: &FieldId) -> Result<Edit, EditError> {
    let e = entity(d, entity_id)?;
    if e.field(field).is_none() {
        return refuse(format!("`{}` has no field with id {field}", e.name));
    }
    let mut rels: Vec<_> = d
        .relationships_from(entity_id)
        .into_iter()
        .filter(|r| r.fields.contains(field))
        .chain(
            d.relationships_to(entity_id)
                .into_iter()
                .filter(|r| r.references.contains(field)),
        )
        .map(|r| r.id.clone())
        .collect();
    rels.sort();
    rels.dedup();
    let mut dependents: Vec<Edit> = rels
        .into_iter()
        .map(|id| Edit::RemoveRelationship { id })
        .collect();
    // PostgreSQL drops the checks and indexes whose expressions name a
    // dropped column; so does the design, and the inverse restores them.
    // (Only while the name is the field's own: the inverse of a refused
    // AddField removes a field whose name another field holds.)
    let name = &e.field(field).expect("checked above").name;
    let own_name = e.fields.iter().filter(|f| &f.name == name).count() == 1;
    let names_it = |expr: &SqlExpr| own_name && expr.names_column(name);
    for c in e.checks.iter().filter(|c| names_it(&c.expr)) {
        dependents.push(Edit::RemoveCheck {
            entity: entity_id.clone(),
            id: c.id.clone(),
        });
    }
    for i in e
        .indexes
        .iter()
        .filter(|i| i.fields.contains(field) || i.predicate.as_ref().is_some_and(names_it))
    {
        dependents.push(Edit::RemoveIndex {
            entity: entity_id.clone(),
            id: i.id.clone(),
        });
    }
    for u in e.uniques.iter().filter(|u| u.fields.contains(field)) {
        dependents.push(Edit::RemoveUnique {
            entity: entity_id.clone(),
            id: u.id.clone(),
        });
    }
    if e.primary_key
        .as_ref()
        .is_some_and(|pk| pk.fields.contains(field))
    {
        dependents.push(Edit::SetPrimaryKey {
            entity: entity_id.clone(),
            primary_key: None,
        });
    }
    let Edit::Batch(mut restore) = Edit::Batch(dependents).apply_unchecked(d)? else {
        unreachable!("a batch's inverse is a batch")
    };
    let e = entity_mut(d, entity_id)?;
    let at = e.field_position(field).expect("the field exists");
    restore.insert(
        0,
        Edit::AddField {
            entity: entity_id.clone(),
            field: e.fields.remove(at),
            at,
        },
    );
    Ok(Edit::Batch(restore))
}

/// Makes every check and index predicate of `e` that names field `from`
/// name `to` instead, as PostgreSQL does when a column is renamed.
fn rewrite_expressions(e: &mut Entity, from: &str, to: &str) {
    for c in &mut e.checks {
        if let Some(expr) = c.expr.rename_column(from, to) {
            c.expr = expr;
        }
    }
    for i in &mut e.indexes {
        if let Some(expr) = i.predicate.as_ref().and_then(|p| p.rename_column(from, to)) {
            i.predicate = Some(expr);
        }
    }
}

fn refuse<T>(reason: String) -> Result<T, EditError> {
    Err(EditError(reason))
}

fn entity<'d>(d: &'d Design, id: &EntityId) -> Result<&'d Entity, EditError> {
    d.entity(id)
        .ok_or_else(|| EditError(format!("there is no entity with id {id}")))
}

fn entity_mut<'d>(d: &'d mut Design, id: &EntityId) -> Result<&'d mut Entity, EditError> {
    d.entity_mut(id)
        .ok_or_else(|| EditError(format!("there is no entity with id {id}")))
}

fn field_mut<'d>(
    d: &'d mut Design,
    entity: &EntityId,
    field: &FieldId,
) -> Result<&'d mut Field, EditError> {
    let e = entity_mut(d, entity)?;
    let name = e.name.clone();
    e.field_mut(field)
        .ok_or_else(|| EditError(format!("`{name}` has no field with id {field}")))
}

fn enum_position(d: &Design, id: &crate::core::ids::EnumId) -> Result<usize, EditError> {
    d.enums
        .iter()
        .position(|e| &e.id == id)
        .ok_or_else(|| EditError(format!("there is no enum with id {id}")))
}

fn fields_of_enum<'d>(
    d: &'d Design,
    name: &'d str,
) -> impl Iterator<Item = (&'d Entity, &'d Field)> {
    d.entities().flat_map(move |e| {
        e.fields
            .iter()
            .filter(move |f| f.ty.enum_name() == Some(name))
            .map(move |f| (e, f))
    })
}

fn rename_enum_in(ty: &SqlType, name: &str) -> SqlType {
    match ty {
        SqlType::Array(inner) => SqlType::Array(Box::new(rename_enum_in(inner, name))),
        SqlType::Enum(_) => SqlType::Enum(name.to_owned()),
        other => other.clone(),
    }
}

fn insert_new<T, I: PartialEq + std::fmt::Display>(
    items: &mut Vec<T>,
    item: T,
    at: usize,
    id: impl Fn(&T) -> &I,
    entity: &str,
) -> Result<(), EditError> {
    if items.iter().any(|x| id(x) == id(&item)) {
        return refuse(format!(
            "`{entity}` has an item with id {} already",
            id(&item)
        ));
    }
    let at = at.min(items.len());
    items.insert(at, item);
    Ok(())
}

fn take<T>(
    items: &mut Vec<T>,
    matches: impl Fn(&T) -> bool,
    entity: &str,
    id: &impl std::fmt::Display,
) -> Result<(T, usize), EditError> {
    match items.iter().position(matches) {
        Some(at) => Ok((items.remove(at), at)),
        None => refuse(format!("`{entity}` has no item with id {id}")),
    }
}
