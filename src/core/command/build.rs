//! Turning a design command into the [`Edit`] that carries it out, in the
//! house style: new entities get a UUID key and timestamps, new foreign
//! keys get a field of the target key's type and an index, junctions get a
//! composite key.

use super::{CommandError, DesignCommand};
use crate::core::edit::Edit;
use crate::core::ids::{FieldId, IdGen};
use crate::core::model::{
    Deferrable, Design, Entity, Field, Index, IndexMethod, PrimaryKey, ReferentialAction,
    Relationship, RelationshipKind, SqlType, Unique,
};
use crate::core::starter::timestamps;

impl DesignCommand {
    /// The edit that carries the command out on this design, as one undo
    /// step. Fresh ids come from `ids`. The edit may still be refused when
    /// applied (a name clash the design's rules catch); the command checks
    /// what it can say more clearly first.
    pub fn to_edit(&self, design: &Design, ids: &mut IdGen) -> Result<Edit, CommandError> {
        Ok(match self {
            DesignCommand::EntityAdd { name } => {
                no_entity_named(design, name)?;
                Edit::AddEntity {
                    entity: Box::new(new_entity(name, ids)),
                    at: design.entity_count(),
                }
            }
            DesignCommand::EntityRename { old, new } => {
                let entity = entity(design, old)?;
                if old != new {
                    no_entity_named(design, new)?;
                }
                Edit::RenameEntity {
                    id: entity.id.clone(),
                    name: new.clone(),
                }
            }
            DesignCommand::EntityDrop { name } => Edit::RemoveEntity {
                id: entity(design, name)?.id.clone(),
            },
            DesignCommand::FieldAdd {
                entity: entity_name,
                field,
                ty,
                not_null,
                unique,
                default,
            } => {
                let e = entity(design, entity_name)?;
                no_field_named(e, field)?;
                let mut new = Field::new(ids.field(), field.clone(), ty.clone());
                new.not_null = *not_null;
                new.default = default.clone();
                let mut edits = vec![Edit::AddField {
                    entity: e.id.clone(),
                    at: before_timestamps(e),
                    field: new.clone(),
                }];
                if *unique {
                    edits.push(Edit::AddUnique {
                        entity: e.id.clone(),
                        unique: Unique {
                            id: ids.unique(),
                            name: None,
                            fields: vec![new.id.clone()],
                        },
                        at: e.uniques.len(),
                    });
                }
                batch(edits)
            }
            DesignCommand::FieldDrop {
                entity: entity_name,
                field,
            } => {
                let e = entity(design, entity_name)?;
                Edit::RemoveField {
                    entity: e.id.clone(),
                    field: field_of(e, field)?.id.clone(),
                }
            }
            DesignCommand::FieldRename {
                entity: entity_name,
                old,
                new,
            } => {
                let e = entity(design, entity_name)?;
                let f = field_of(e, old)?;
                if old != new {
                    no_field_named(e, new)?;
                }
                Edit::RenameField {
                    entity: e.id.clone(),
                    field: f.id.clone(),
                    name: new.clone(),
                }
            }
            DesignCommand::RelAdd {
                entity,
                field,
                target,
                on_delete,
            } => rel_add(design, ids, entity, field, target, *on_delete)?,
            DesignCommand::RelManyToMany { left, right } => m2m(design, ids, left, right)?,
            DesignCommand::IndexAdd {
                entity: entity_name,
                fields,
                unique,
            } => {
                let e = entity(design, entity_name)?;
                let fields: Vec<FieldId> = fields
                    .iter()
                    .map(|f| field_of(e, f).map(|f| f.id.clone()))
                    .collect::<Result<_, _>>()?;
                if let Some(same) = e
                    .indexes
                    .iter()
                    .find(|i| i.fields == fields && i.predicate.is_none())
                {
                    return Err(CommandError::new(format!(
                        "`{}` has that index already: {}",
                        e.name,
                        design.index_name(e, same)
                    )));
                }
                Edit::AddIndex {
                    entity: e.id.clone(),
                    index: index(ids, fields, *unique),
                    at: e.indexes.len(),
                }
            }
        })
    }

    /// The entity (and field) to show once the command has applied: what
    /// it created or changed, or `None` when it removed the entity.
    pub fn focus(&self) -> Option<(String, Option<String>)> {
        let entity = |e: &String| Some((e.clone(), None));
        match self {
            DesignCommand::EntityAdd { name } => entity(name),
            DesignCommand::EntityRename { new, .. } => entity(new),
            DesignCommand::EntityDrop { .. } => None,
            DesignCommand::FieldAdd { entity, field, .. }
            | DesignCommand::RelAdd { entity, field, .. } => {
                Some((entity.clone(), Some(field.clone())))
            }
            DesignCommand::FieldRename { entity, new, .. } => {
                Some((entity.clone(), Some(new.clone())))
            }
            DesignCommand::FieldDrop { entity, .. } | DesignCommand::IndexAdd { entity, .. } => {
                Some((entity.clone(), None))
            }
            DesignCommand::RelManyToMany { left, right } => {
                Some((junction_name(left, right), None))
            }
        }
    }
}

/// A new entity in the house style: `id uuid` key generated by
/// PostgreSQL, then `created_at` and `updated_at`.
pub fn new_entity(name: &str, ids: &mut IdGen) -> Entity {
    let mut e = Entity::new(ids.entity(), name);
    let id = Field::new(ids.field(), "id", SqlType::Uuid)
        .not_null()
        .default_expr("gen_random_uuid()");
    e.primary_key = Some(PrimaryKey {
        name: None,
        fields: vec![id.id.clone()],
    });
    e.fields.push(id);
    e.fields.extend(timestamps(ids));
    e
}

fn rel_add(
    design: &Design,
    ids: &mut IdGen,
    entity_name: &str,
    field: &str,
    target: &str,
    on_delete: Option<ReferentialAction>,
) -> Result<Edit, CommandError> {
    let child = entity(design, entity_name)?;
    let parent = entity(design, target)?;
    let key = single_key(parent)?;
    let nullable = on_delete == Some(ReferentialAction::SetNull);
    let mut edits = Vec::new();
    let field_id = match child.field_named(field) {
        Some(existing) => {
            if nullable && existing.not_null {
                return Err(CommandError::new(format!(
                    "on delete set null needs `{}.{}` to allow NULL; it is NOT NULL",
                    child.name, existing.name
                )));
            }
            if design
                .relationships_from(&child.id)
                .iter()
                .any(|r| r.fields == [existing.id.clone()] && r.to == parent.id)
            {
                return Err(CommandError::new(format!(
                    "`{}.{}` references `{}` already",
                    child.name, existing.name, parent.name
                )));
            }
            existing.id.clone()
        }
        None => {
            let mut new = Field::new(ids.field(), field, key.ty.clone());
            new.not_null = !nullable;
            let id = new.id.clone();
            edits.push(Edit::AddField {
                entity: child.id.clone(),
                at: after_keys(design, child),
                field: new,
            });
            id
        }
    };
    let required = child.field_named(field).map_or(!nullable, |f| f.not_null);
    if !leads_an_index(child, &field_id) {
        edits.push(Edit::AddIndex {
            entity: child.id.clone(),
            index: index(ids, vec![field_id.clone()], false),
            at: child.indexes.len(),
        });
    }
    edits.push(Edit::AddRelationship {
        relationship: Relationship {
            id: ids.relationship(),
            name: None,
            kind: RelationshipKind::ManyToOne,
            from: child.id.clone(),
            fields: vec![field_id],
            to: parent.id.clone(),
            references: vec![key.id.clone()],
            on_delete,
            on_update: None,
            deferrable: Deferrable::NotDeferrable,
            required,
        },
    });
    Ok(batch(edits))
}

fn m2m(design: &Design, ids: &mut IdGen, left: &str, right: &str) -> Result<Edit, CommandError> {
    let l = entity(design, left)?;
    let r = entity(design, right)?;
    if l.id == r.id {
        return Err(CommandError::new(
            "a many-to-many needs two different entities; link an entity to itself with :rel add",
        ));
    }
    let (l_key, r_key) = (single_key(l)?, single_key(r)?);
    let name = junction_name(&l.name, &r.name);
    no_entity_named(design, &name)?;
    let (l_field, r_field) = (
        format!("{}_id", singular(&l.name)),
        format!("{}_id", singular(&r.name)),
    );
    if l_field == r_field {
        return Err(CommandError::new(format!(
            "both sides would be linked by `{l_field}`; add the junction by hand"
        )));
    }
    let mut junction = Entity::new(ids.entity(), &name);
    junction.junction = true;
    let lf = Field::new(ids.field(), l_field, l_key.ty.clone()).not_null();
    let rf = Field::new(ids.field(), r_field, r_key.ty.clone()).not_null();
    junction.primary_key = Some(PrimaryKey {
        name: None,
        fields: vec![lf.id.clone(), rf.id.clone()],
    });
    // The key leads with the left field; the right one needs its own index.
    junction
        .indexes
        .push(index(ids, vec![rf.id.clone()], false));
    let link = |ids: &mut IdGen, field: &Field, to: &Entity, key: &Field| Edit::AddRelationship {
        relationship: Relationship {
            id: ids.relationship(),
            name: None,
            kind: RelationshipKind::ManyToOne,
            from: junction.id.clone(),
            fields: vec![field.id.clone()],
            to: to.id.clone(),
            references: vec![key.id.clone()],
            on_delete: Some(ReferentialAction::Cascade),
            on_update: None,
            deferrable: Deferrable::NotDeferrable,
            required: true,
        },
    };
    let edits = vec![link(ids, &lf, l, l_key), link(ids, &rf, r, r_key)];
    junction.fields = vec![lf, rf];
    junction.fields.extend(timestamps(ids));
    let mut all = vec![Edit::AddEntity {
        entity: Box::new(junction),
        at: design.entity_count(),
    }];
    all.extend(edits);
    Ok(Edit::Batch(all))
}

fn junction_name(left: &str, right: &str) -> String {
    format!("{left}_{right}")
}

/// One edit as itself, several as a batch.
fn batch(mut edits: Vec<Edit>) -> Edit {
    if edits.len() == 1 {
        edits.pop().expect("one edit")
    } else {
        Edit::Batch(edits)
    }
}

fn index(ids: &mut IdGen, fields: Vec<FieldId>, unique: bool) -> Index {
    Index {
        id: ids.index(),
        name: None,
        fields,
        unique,
        method: IndexMethod::Btree,
        predicate: None,
    }
}

/// Whether an index, the primary key or a unique constraint starts with
/// this field, so a foreign key on it needs no index of its own.
fn leads_an_index(e: &Entity, field: &FieldId) -> bool {
    let leads = |cols: &[FieldId]| cols.first() == Some(field);
    e.primary_key.as_ref().is_some_and(|pk| leads(&pk.fields))
        || e.uniques.iter().any(|u| leads(&u.fields))
        || e.indexes
            .iter()
            .any(|i| i.predicate.is_none() && leads(&i.fields))
}

/// The single-field primary key a foreign key can reference.
fn single_key(e: &Entity) -> Result<&Field, CommandError> {
    match e.primary_key.as_ref().map(|pk| pk.fields.as_slice()) {
        Some([only]) => e
            .field(only)
            .ok_or_else(|| CommandError::new(format!("`{}` has a broken primary key", e.name))),
        Some(_) => Err(CommandError::new(format!(
            "`{}` has a composite primary key; reference it with a form, not :rel",
            e.name
        ))),
        None => Err(CommandError::new(format!(
            "`{}` has no primary key to reference",
            e.name
        ))),
    }
}

/// Where a new field goes: before the trailing `created_at` /
/// `updated_at`, so timestamps stay last.
fn before_timestamps(e: &Entity) -> usize {
    let mut at = e.fields.len();
    while at > 0 && matches!(e.fields[at - 1].name.as_str(), "created_at" | "updated_at") {
        at -= 1;
    }
    at
}

/// Where a new foreign-key field goes: after the key and the other
/// foreign keys at the top of the entity (`id`, `customer_id`, ...).
fn after_keys(design: &Design, e: &Entity) -> usize {
    let keyed: Vec<&FieldId> = e
        .primary_key
        .iter()
        .flat_map(|pk| &pk.fields)
        .chain(
            design
                .relationships_from(&e.id)
                .iter()
                .flat_map(|r| &r.fields),
        )
        .collect();
    let mut at = 0;
    while at < e.fields.len() && keyed.contains(&&e.fields[at].id) {
        at += 1;
    }
    at.min(before_timestamps(e))
}

/// A guess at a table name's singular, for key field names:
/// `categories` → `category`, `addresses` → `address`, `tags` → `tag`.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["sses", "xes", "ches", "shes"] {
        if name.ends_with(ending) {
            return name[..name.len() - 2].to_owned();
        }
    }
    if name.ends_with("ss") || name.ends_with("us") || name.ends_with("is") {
        return name.to_owned();
    }
    name.strip_suffix('s').unwrap_or(name).to_owned()
}

fn entity<'d>(design: &'d Design, name: &str) -> Result<&'d Entity, CommandError> {
    design.entity_named(name).ok_or_else(|| {
        let names = design.entities().map(|e| e.name.as_str());
        CommandError::new(format!(
            "no entity named `{name}`{}",
            did_you_mean(name, names)
        ))
    })
}

fn field_of<'e>(e: &'e Entity, name: &str) -> Result<&'e Field, CommandError> {
    e.field_named(name).ok_or_else(|| {
        let names = e.fields.iter().map(|f| f.name.as_str());
        CommandError::new(format!(
            "`{}` has no field `{name}`{}",
            e.name,
            did_you_mean(name, names)
        ))
    })
}

fn no_entity_named(design: &Design, name: &str) -> Result<(), CommandError> {
    match design.entity_named(name) {
        Some(_) => Err(CommandError::new(format!("entity `{name}` exists already"))),
        None => Ok(()),
    }
}

fn no_field_named(e: &Entity, name: &str) -> Result<(), CommandError> {
    match e.field_named(name) {
        Some(_) => Err(CommandError::new(format!(
            "`{}` has a field `{name}` already",
            e.name
        ))),
        None => Ok(()),
    }
}

/// "; did you mean `customers`?" when one name is close to what was typed.
fn did_you_mean<'a>(typed: &str, names: impl Iterator<Item = &'a str>) -> String {
    let best = names
        .map(|n| (distance(typed, n), n))
        .filter(|(d, n)| *d <= 2.max(typed.len() / 4) && *d < n.len())
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, n)) => format!("; did you mean `{n}`?"),
        None => String::new(),
    }
}

/// Levenshtein distance, for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singulars_of_common_table_names() {
        for (plural, one) in [
            ("tags", "tag"),
            ("categories", "category"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("status", "status"),
            ("people", "people"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }

    #[test]
    fn suggestions_need_a_close_name() {
        let names = ["customers", "orders"];
        assert_eq!(
            did_you_mean("custmers", names.into_iter()),
            "; did you mean `customers`?"
        );
        assert_eq!(did_you_mean("zzz", names.into_iter()), "");
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
