//! Which objects of one design are which objects of another.
//!
//! The diff compares by stable ids, which two designs share when one was
//! made from the other. When they do not (two designs written apart, a
//! design and the live schema it was applied to, two live schemas), the
//! objects left unmatched by id on both sides are matched by name: entities
//! and enums by name, fields by name within a matched entity, keys, checks
//! and indexes by the name the database knows them by, and failing that by
//! what they are. [`align`] gives the old design the new one's ids for
//! every object matched either way, so a table both sides name is never
//! dropped and created again, and renames known by id stay renames.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use crate::core::ids::{EntityId, FieldId};
use crate::core::model::{Design, Entity, Field, Relationship};

/// `old` with the ids of `new` for every object the two share, by id or
/// else by name (see the module documentation). What stays unmatched keeps
/// its own id, which `new` does not have, so the diff adds or drops it.
pub fn align(old: &Design, new: &Design) -> Design {
    aligned(old, new).into_owned()
}

/// [`align`] without the copy when there is nothing to align: every
/// object of `old` has its id in `new` (the common case of a design diffed
/// against an edited copy of itself), so ids already say everything.
pub fn aligned<'a>(old: &'a Design, new: &Design) -> Cow<'a, Design> {
    if shares_every_id(old, new) {
        Cow::Borrowed(old)
    } else {
        Cow::Owned(align_by_name(old, new))
    }
}

/// Whether every enum, entity, field, key, check, index and relationship
/// of `old` has its id in `new`, in the same entity.
fn shares_every_id(old: &Design, new: &Design) -> bool {
    let enums: HashSet<_> = new.enums.iter().map(|e| &e.id).collect();
    if !old.enums.iter().all(|e| enums.contains(&e.id)) {
        return false;
    }
    /// Every id of `a` is among those of `b` (lists are short: a scan).
    fn within<T, I: PartialEq>(a: &[T], b: &[T], id: impl Fn(&T) -> &I) -> bool {
        a.iter().all(|x| b.iter().any(|y| id(y) == id(x)))
    }
    for oe in old.entities() {
        let Some(ne) = new.entity(&oe.id) else {
            return false;
        };
        if !(within(&oe.fields, &ne.fields, |f| &f.id)
            && within(&oe.uniques, &ne.uniques, |u| &u.id)
            && within(&oe.checks, &ne.checks, |c| &c.id)
            && within(&oe.indexes, &ne.indexes, |i| &i.id))
        {
            return false;
        }
    }
    old.foreign_keys()
        .all(|r| new.relationship(&r.id).is_some())
}

fn align_by_name(old: &Design, new: &Design) -> Design {
    let mut out = Design::new(old.name.clone());
    out.comment = old.comment.clone();
    out.checks = old.checks.clone();

    let by_name = |e: &&crate::core::model::EnumType| e.name.clone();
    let enum_id = |e: &&crate::core::model::EnumType| e.id.clone();
    let old_enums: Vec<_> = old.enums.iter().collect();
    let new_enums: Vec<_> = new.enums.iter().collect();
    let enums = pair(
        &old_enums,
        &new_enums,
        enum_id,
        enum_id,
        by_name,
        by_name,
        |_, _| false,
    );
    for (e, id) in old.enums.iter().zip(enums) {
        let mut e = e.clone();
        e.id = id.unwrap_or(e.id);
        out.enums.push(e);
    }

    let old_entities: Vec<&Entity> = old.entities().collect();
    let new_entities: Vec<&Entity> = new.entities().collect();
    let entity_id = |e: &&Entity| e.id.clone();
    let entity_name = |e: &&Entity| e.name.clone();
    let entities = pair(
        &old_entities,
        &new_entities,
        entity_id,
        entity_id,
        entity_name,
        entity_name,
        |_, _| false,
    );
    let mut entity_ids: HashMap<EntityId, EntityId> = HashMap::new();
    let mut field_ids: HashMap<EntityId, HashMap<FieldId, FieldId>> = HashMap::new();
    for (oe, id) in old_entities.iter().zip(entities) {
        let (entity, fields) = match id.as_ref().and_then(|id| new.entity(id)) {
            Some(ne) => align_entity(old, oe, new, ne),
            None => ((*oe).clone(), HashMap::new()),
        };
        entity_ids.insert(oe.id.clone(), entity.id.clone());
        field_ids.insert(oe.id.clone(), fields);
        let at = out.entity_count();
        out.insert_entity(entity, at);
    }

    // Relationships by id, then by the constraint's name on its (aligned)
    // table, then by what they join.
    let old_rels: Vec<(&Relationship, Relationship)> = old
        .relationships()
        .map(|r| {
            let mut a = r.clone();
            a.from = entity_ids.get(&r.from).unwrap_or(&r.from).clone();
            a.to = entity_ids.get(&r.to).unwrap_or(&r.to).clone();
            a.fields = remap(&r.fields, field_ids.get(&r.from));
            a.references = remap(&r.references, field_ids.get(&r.to));
            (r, a)
        })
        .collect();
    let new_rels: Vec<&Relationship> = new.relationships().collect();
    let rels = pair(
        &old_rels,
        &new_rels,
        |(r, _)| r.id.clone(),
        |r| r.id.clone(),
        |(r, a)| (a.from.clone(), old.relationship_name(r)),
        |r| (r.from.clone(), new.relationship_name(r)),
        |(_, a), n| {
            a.from == n.from && a.to == n.to && a.fields == n.fields && a.references == n.references
        },
    );
    for ((_, mut aligned), id) in old_rels.into_iter().zip(rels) {
        if let Some(id) = id {
            aligned.id = id;
        }
        out.insert_relationship(aligned);
    }
    out
}

/// An old entity with its matched new entity's ids, and the map from its
/// field ids to the aligned ones.
fn align_entity(
    old: &Design,
    oe: &Entity,
    new: &Design,
    ne: &Entity,
) -> (Entity, HashMap<FieldId, FieldId>) {
    let field_id = |f: &&Field| f.id.clone();
    let field_name = |f: &&Field| f.name.clone();
    let old_fields: Vec<&Field> = oe.fields.iter().collect();
    let new_fields: Vec<&Field> = ne.fields.iter().collect();
    let matched_fields = pair(
        &old_fields,
        &new_fields,
        field_id,
        field_id,
        field_name,
        field_name,
        |_, _| false,
    );
    let fields: HashMap<FieldId, FieldId> = oe
        .fields
        .iter()
        .zip(matched_fields)
        .filter_map(|(f, id)| id.map(|id| (f.id.clone(), id)))
        .collect();
    let mut e = oe.clone();
    e.id = ne.id.clone();
    for f in &mut e.fields {
        if let Some(id) = fields.get(&f.id) {
            f.id = id.clone();
        }
    }
    if let Some(pk) = &mut e.primary_key {
        pk.fields = remap(&pk.fields, Some(&fields));
    }
    for d in &mut e.dependencies {
        d.lhs = remap(&d.lhs, Some(&fields));
        d.rhs = remap(&d.rhs, Some(&fields));
    }
    for u in &mut e.uniques {
        u.fields = remap(&u.fields, Some(&fields));
    }
    for i in &mut e.indexes {
        i.fields = remap(&i.fields, Some(&fields));
    }

    // Keys, checks and indexes: by id, by the name the database knows
    // (each side's derived in its own design), by what they are (the old
    // one with its fields aligned).
    let uniques: Vec<_> = oe.uniques.iter().zip(e.uniques.clone()).collect();
    let ids = pair(
        &uniques,
        &ne.uniques.iter().collect::<Vec<_>>(),
        |(u, _)| u.id.clone(),
        |u| u.id.clone(),
        |(u, _)| old.unique_name(oe, u),
        |u| new.unique_name(ne, u),
        |(_, a), n| a.fields == n.fields,
    );
    for (u, id) in e.uniques.iter_mut().zip(ids) {
        u.id = id.unwrap_or_else(|| u.id.clone());
    }
    let checks: Vec<_> = oe.checks.iter().collect();
    let ids = pair(
        &checks,
        &ne.checks.iter().collect::<Vec<_>>(),
        |c| c.id.clone(),
        |c| c.id.clone(),
        |c| old.check_name(oe, c),
        |c| new.check_name(ne, c),
        |a, n| a.expr == n.expr,
    );
    for (c, id) in e.checks.iter_mut().zip(ids) {
        c.id = id.unwrap_or_else(|| c.id.clone());
    }
    let indexes: Vec<_> = oe.indexes.iter().zip(e.indexes.clone()).collect();
    let ids = pair(
        &indexes,
        &ne.indexes.iter().collect::<Vec<_>>(),
        |(i, _)| i.id.clone(),
        |i| i.id.clone(),
        |(i, _)| old.index_name(oe, i),
        |i| new.index_name(ne, i),
        |(_, a), n| {
            a.fields == n.fields
                && a.unique == n.unique
                && a.method == n.method
                && a.predicate == n.predicate
        },
    );
    for (i, id) in e.indexes.iter_mut().zip(ids) {
        i.id = id.unwrap_or_else(|| i.id.clone());
    }
    (e, fields)
}

/// For each old item, in order, the id of the new item it is: the same
/// id; else, among the items left on both sides, the same key (a name);
/// else the same definition. Each new item is taken once.
fn pair<A, B, I: Clone + Eq + Hash, K: Eq + Hash>(
    old: &[A],
    new: &[B],
    old_id: impl Fn(&A) -> I,
    new_id: impl Fn(&B) -> I,
    old_key: impl Fn(&A) -> K,
    new_key: impl Fn(&B) -> K,
    same: impl Fn(&A, &B) -> bool,
) -> Vec<Option<I>> {
    let new_ids: HashSet<I> = new.iter().map(&new_id).collect();
    let mut out: Vec<Option<I>> = old
        .iter()
        .map(|o| Some(old_id(o)).filter(|id| new_ids.contains(id)))
        .collect();
    let mut taken: HashSet<I> = out.iter().flatten().cloned().collect();
    let mut by_key: HashMap<K, I> = HashMap::new();
    for n in new.iter().filter(|n| !taken.contains(&new_id(n))) {
        by_key.entry(new_key(n)).or_insert_with(|| new_id(n));
    }
    for (k, o) in old.iter().enumerate() {
        if out[k].is_none()
            && let Some(id) = by_key.get(&old_key(o))
            && taken.insert(id.clone())
        {
            out[k] = Some(id.clone());
        }
    }
    for (k, o) in old.iter().enumerate() {
        if out[k].is_none()
            && let Some(n) = new
                .iter()
                .find(|n| !taken.contains(&new_id(n)) && same(o, n))
        {
            taken.insert(new_id(n));
            out[k] = Some(new_id(n));
        }
    }
    out
}

fn remap(ids: &[FieldId], map: Option<&HashMap<FieldId, FieldId>>) -> Vec<FieldId> {
    ids.iter()
        .map(|id| map.and_then(|m| m.get(id)).unwrap_or(id).clone())
        .collect()
}
