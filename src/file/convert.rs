//! Between the file format and the model: names on one side, ids on the other.

use std::ops::ControlFlow;
use std::sync::Arc;

use compact_str::CompactString;
use rustc_hash::{FxHashMap, FxHashMap as HashMap};

use crate::core::ids::{
    CheckId, EntityId, EnumId, FieldId, IdGen, IndexId, RelationshipId, UniqueId,
};
use crate::core::model::{
    Check, Deferrable, Dependency, Design, Entity, EnumType, Field, Index, PrimaryKey,
    Relationship, SqlType, Unique,
};

use super::locate::{Item, Place};

use super::format::{
    CheckFile, DesignFile, EntityFile, EnumFile, FORMAT_VERSION, FieldFile, IndexFile, Initially,
    RelationshipFile, UniqueFile,
};

/// A file that parsed but does not describe a design: where, why, and
/// for an id used twice, where it was used first.
#[derive(Debug)]
pub struct ConvertError {
    pub place: Place,
    pub message: String,
    pub first: Option<Place>,
}

fn fail<T>(place: Place, message: String) -> Result<T, ConvertError> {
    Err(ConvertError {
        place,
        message,
        first: None,
    })
}

/// Refuses two objects of one kind with one id, and tells `ids` every id
/// the file gives so that fresh ones never repeat them. Copying a line in
/// a design file copies its id; taken as one object, the other one would
/// be planned as dropped.
fn claim_ids(file: &DesignFile, ids: &mut IdGen) -> Result<(), ConvertError> {
    // Sized once: at 50,000 entities the map holds 600,000 ids, and growing
    // it keeps two tables alive at the file's peak memory. Its values are
    // claim numbers, not places: the place of the first of two is found
    // again only when there are two.
    let count = file.enums.len()
        + file
            .entities
            .iter()
            .map(|e| {
                1 + e.fields.len()
                    + e.uniques.len()
                    + e.checks.len()
                    + e.indexes.len()
                    + e.relationships.len()
            })
            .sum::<usize>();
    let mut seen: FxHashMap<(u8, &str), usize> =
        FxHashMap::with_capacity_and_hasher(count, Default::default());
    let mut missing = false;
    let mut twice = None;
    each_claim(file, |n, kind, id, place| {
        let Some(id) = id.as_deref() else {
            missing = true;
            return ControlFlow::Continue(());
        };
        match seen.insert((kind, id), n) {
            Some(first) => {
                twice = Some((first, kind, id, place));
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    });
    // Fresh ids are made only for objects written without one; only then
    // does the generator need to know the others.
    if missing {
        for (_, id) in seen.keys() {
            ids.avoid(id);
        }
    }
    let Some((first, kind, id, place)) = twice else {
        return Ok(());
    };
    let mut first_place = None;
    each_claim(file, |n, _, _, place| {
        if n == first {
            first_place = Some(place);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    let kind = CLAIM_KINDS[usize::from(kind)];
    Err(ConvertError {
        place,
        message: format!(
            "{kind} id `{id}` is used twice; remove one `id:` and `plinth fmt` writes a fresh one"
        ),
        first: first_place,
    })
}

/// The kinds of object whose ids must differ, as messages name them; two
/// objects of different kinds may share an id.
const CLAIM_KINDS: [&str; 7] = [
    "enum",
    "entity",
    "field",
    "unique constraint",
    "check",
    "index",
    "relationship",
];

/// Every id a file gives (or leaves out), in file order, with its claim
/// number, kind (an index into [`CLAIM_KINDS`]) and place, until `visit`
/// breaks.
fn each_claim<'f>(
    file: &'f DesignFile,
    mut visit: impl FnMut(usize, u8, &'f Option<CompactString>, Place) -> ControlFlow<()>,
) {
    let mut n = 0;
    let mut claim = |kind, id, place| {
        let flow = visit(n, kind, id, place);
        n += 1;
        flow
    };
    let mut walk = || -> ControlFlow<()> {
        for (i, e) in file.enums.iter().enumerate() {
            claim(0, &e.id, Place::Enum(i))?;
        }
        for (e, entity) in file.entities.iter().enumerate() {
            claim(1, &entity.id, Place::EntityKey(e, "id"))?;
            let items = |item: Item, i: usize| Place::ItemKey(e, item, i, "id");
            for (i, f) in entity.fields.iter().enumerate() {
                claim(2, &f.id, items(Item::Field, i))?;
            }
            for (i, u) in entity.uniques.iter().enumerate() {
                claim(3, &u.id, items(Item::Unique, i))?;
            }
            for (i, c) in entity.checks.iter().enumerate() {
                claim(4, &c.id, items(Item::Check, i))?;
            }
            for (i, x) in entity.indexes.iter().enumerate() {
                claim(5, &x.id, items(Item::Index, i))?;
            }
            for (i, r) in entity.relationships.iter().enumerate() {
                claim(6, &r.id, items(Item::Relationship, i))?;
            }
        }
        ControlFlow::Continue(())
    };
    let _ = walk();
}

/// Builds the design a file describes. Ids missing from the file come
/// from `ids`.
pub fn to_design(mut file: DesignFile, ids: &mut IdGen) -> Result<Design, ConvertError> {
    check_format(&file)?;
    claim_ids(&file, ids)?;
    let mut entities = Vec::with_capacity(file.entities.len());
    for (at, file_entity) in std::mem::take(&mut file.entities).into_iter().enumerate() {
        let (entity, rels) = to_entity(at, file_entity, ids)?;
        entities.push((Arc::new(entity), rels));
    }
    assemble(file, entities, ids)
}

/// Refuses a file of a format this plinth does not read.
pub fn check_format(file: &DesignFile) -> Result<(), ConvertError> {
    if file.format == FORMAT_VERSION {
        return Ok(());
    }
    fail(
        Place::DesignKey("format"),
        format!(
            "format {} is not supported; this plinth reads format {FORMAT_VERSION}",
            file.format
        ),
    )
}

/// An entity as the file gives it, with its relationships still by name:
/// they may point forwards in the file.
pub type Converted = (Arc<Entity>, Vec<RelationshipFile>);

/// Whether an entity's file gives every id [`to_entity`] and
/// [`assemble`] would otherwise make; only then can it be converted
/// before the whole file's ids are known.
pub fn has_every_id(e: &EntityFile) -> bool {
    e.id.is_some()
        && e.fields.iter().all(|f| f.id.is_some())
        && e.uniques.iter().all(|u| u.id.is_some())
        && e.checks.iter().all(|c| c.id.is_some())
        && e.indexes.iter().all(|x| x.id.is_some())
        && e.relationships.iter().all(|r| r.id.is_some())
}

/// Whether no two objects of one kind share an id, for entities converted
/// on their own (see [`has_every_id`]). It only answers yes or no: a file
/// that repeats an id is converted again the ordinary way, which says where.
pub fn ids_differ(enums: &[EnumFile], entities: &[Converted]) -> bool {
    // Two sets of ids, each by the parity of the ids' last byte, filled on
    // two cores: no id can repeat across them, so they need no merging.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || entities.len() < 2000 {
        return ids_differ_in_share(enums, entities, 0, 1);
    }
    std::thread::scope(|scope| {
        let odd = scope.spawn(|| ids_differ_in_share(enums, entities, 1, 2));
        let even = ids_differ_in_share(enums, entities, 0, 2);
        odd.join().expect("comparing ids does not panic") && even
    })
}

/// [`ids_differ`] among the ids whose last byte is `share` modulo `shares`.
fn ids_differ_in_share<'a>(
    enums: &'a [EnumFile],
    entities: &'a [Converted],
    share: u8,
    shares: u8,
) -> bool {
    let count = enums.len()
        + entities
            .iter()
            .map(|(e, rels)| {
                1 + e.fields.len() + e.uniques.len() + e.checks.len() + e.indexes.len() + rels.len()
            })
            .sum::<usize>();
    let mut seen: rustc_hash::FxHashSet<(u8, &'a str)> =
        rustc_hash::FxHashSet::with_capacity_and_hasher(
            count / usize::from(shares) + 16,
            Default::default(),
        );
    let mut new = |kind: u8, id: Option<&'a str>| {
        id.is_some_and(|id| {
            id.as_bytes().last().copied().unwrap_or(0) % shares != share || seen.insert((kind, id))
        })
    };
    enums.iter().all(|e| new(0, e.id.as_deref()))
        && entities.iter().all(|(e, rels)| {
            new(1, Some(e.id.as_str()))
                && e.fields.iter().all(|f| new(2, Some(f.id.as_str())))
                && e.uniques.iter().all(|u| new(3, Some(u.id.as_str())))
                && e.checks.iter().all(|c| new(4, Some(c.id.as_str())))
                && e.indexes.iter().all(|x| new(5, Some(x.id.as_str())))
                && rels.iter().all(|r| new(6, r.id.as_deref()))
        })
}

/// The design from a file's header (its entities taken out) and its
/// converted entities, in file order: enums, then the entities, then
/// every relationship once all entities are known.
pub fn assemble(
    file: DesignFile,
    entities: Vec<Converted>,
    ids: &mut IdGen,
) -> Result<Design, ConvertError> {
    let mut design = Design::new(file.name);
    design.comment = file.comment;
    design.checks.levels = file.checks;
    design.enums = file
        .enums
        .into_iter()
        .map(|e| EnumType {
            id: e.id.map(EnumId).unwrap_or_else(|| ids.enum_type()),
            name: e.name,
            values: e.values,
            comment: e.comment,
        })
        .collect();

    // Entities first, so relationships can point forwards in the file.
    let mut by_name: HashMap<String, EntityId> = HashMap::default();
    by_name.reserve(entities.len());
    let count = entities.iter().map(|(_, rels)| rels.len()).sum();
    design.reserve(entities.len(), count);
    let mut relationships = Vec::with_capacity(count);
    for (at, (entity, rels)) in entities.into_iter().enumerate() {
        // `claim_ids` refused repeated ids and fresh ones never repeat;
        // still, two entities must never share a node.
        if design.entity(&entity.id).is_some() {
            return fail(
                Place::EntityKey(at, "id"),
                format!("entity id `{}` is used twice", entity.id),
            );
        }
        let id = entity.id.clone();
        // The first entity of a name is the one a reference means.
        by_name
            .entry(entity.name.clone())
            .or_insert_with(|| id.clone());
        design.insert_shared_entity(entity, at);
        relationships.extend(
            rels.into_iter()
                .enumerate()
                .map(|(k, r)| (id.clone(), Place::Item(at, Item::Relationship, k), r)),
        );
    }
    for (from, place, r) in relationships {
        let rel = to_relationship(&design, &by_name, &from, place, r, ids)?;
        if design.relationship(&rel.id).is_some() {
            return fail(
                key(place, "id"),
                format!("relationship id `{}` is used twice", rel.id),
            );
        }
        design.insert_relationship(rel);
    }
    Ok(design)
}

/// The `at`-th entity of a file; its relationships wait for
/// [`assemble`].
pub fn to_entity(
    at: usize,
    file: EntityFile,
    ids: &mut IdGen,
) -> Result<(Entity, Vec<RelationshipFile>), ConvertError> {
    let name = file.name;
    let mut entity = Entity::new(
        file.id.map(EntityId).unwrap_or_else(|| ids.entity()),
        name.clone(),
    );
    entity.comment = file.comment;
    entity.junction = file.junction;
    entity.fields.reserve_exact(file.fields.len());
    for (k, f) in file.fields.into_iter().enumerate() {
        let ty = match SqlType::parse(&f.ty) {
            Ok(ty) => ty,
            Err(e) => return fail(Place::ItemKey(at, Item::Field, k, "type"), e.to_string()),
        };
        entity.fields.push(Field {
            id: f.id.map(FieldId).unwrap_or_else(|| ids.field()),
            name: f.name,
            ty,
            not_null: f.not_null,
            default: f.default,
            identity: f.identity,
            comment: f.comment,
            allow: f.allow,
        });
    }
    entity.allow = file.allow;
    let resolve = |entity: &Entity, names: &[String], place: Place, what: &str| {
        names
            .iter()
            .map(|n| match entity.field_named(n) {
                Some(f) => Ok(f.id.clone()),
                None => fail(
                    place,
                    format!(
                        "{what} names `{n}`, which is not a field of `{}`",
                        entity.name
                    ),
                ),
            })
            .collect_exact(names.len())
    };
    if let Some(fields) = file.primary_key {
        entity.primary_key = Some(PrimaryKey {
            name: file.primary_key_name,
            fields: resolve(
                &entity,
                &fields,
                Place::EntityKey(at, "primary_key"),
                "primary_key",
            )?,
        });
    }
    // Exact sizes: pushing one element would leave room for four, and at
    // 50,000 entities that slack was tens of megabytes.
    entity.uniques.reserve_exact(file.uniques.len());
    entity.checks.reserve_exact(file.checks.len());
    entity.indexes.reserve_exact(file.indexes.len());
    entity.dependencies.reserve_exact(file.dependencies.len());
    for (k, u) in file.uniques.into_iter().enumerate() {
        let place = Place::ItemKey(at, Item::Unique, k, "fields");
        let unique = Unique {
            id: u.id.map(UniqueId).unwrap_or_else(|| ids.unique()),
            name: u.name,
            fields: resolve(&entity, &u.fields, place, "uniques")?,
        };
        entity.uniques.push(unique);
    }
    for c in file.checks {
        entity.checks.push(Check {
            id: c.id.map(CheckId).unwrap_or_else(|| ids.check()),
            name: c.name,
            expr: c.expr,
        });
    }
    for (k, i) in file.indexes.into_iter().enumerate() {
        let place = Place::ItemKey(at, Item::Index, k, "fields");
        let index = Index {
            id: i.id.map(IndexId).unwrap_or_else(|| ids.index()),
            name: i.name,
            fields: resolve(&entity, &i.fields, place, "indexes")?,
            unique: i.unique,
            method: i.method,
            predicate: i.predicate,
        };
        entity.indexes.push(index);
    }
    let dependencies = Place::EntityKey(at, "dependencies");
    for text in &file.dependencies {
        let Some((lhs, rhs)) = text.split_once("->") else {
            return fail(
                dependencies,
                format!("dependency `{text}` has no `->` (write e.g. \"zip -> city, state\")"),
            );
        };
        let side = |s: &str| -> Vec<String> {
            s.split(',')
                .map(|a| a.trim().to_owned())
                .filter(|a| !a.is_empty())
                .collect()
        };
        let (lhs, rhs) = (side(lhs), side(rhs));
        if lhs.is_empty() || rhs.is_empty() {
            return fail(
                dependencies,
                format!("dependency `{text}` needs fields on both sides of `->`"),
            );
        }
        entity.dependencies.push(Dependency {
            lhs: resolve(&entity, &lhs, dependencies, "dependencies")?,
            rhs: resolve(&entity, &rhs, dependencies, "dependencies")?,
        });
    }
    Ok((entity, file.relationships))
}

fn to_relationship(
    design: &Design,
    by_name: &HashMap<String, EntityId>,
    from: &EntityId,
    place: Place,
    r: RelationshipFile,
    ids: &mut IdGen,
) -> Result<Relationship, ConvertError> {
    let child = design.entity(from).expect("entities are added first");
    let Some(parent) = by_name.get(&r.target).and_then(|id| design.entity(id)) else {
        return fail(
            key(place, "target"),
            format!(
                "relationship of `{}` targets `{}`, which is not an entity of this design",
                child.name, r.target
            ),
        );
    };
    let field_ids = |entity: &Entity, names: &[String], what: &str| {
        let at = key(
            place,
            if what == "names" {
                "fields"
            } else {
                "references"
            },
        );
        names
            .iter()
            .map(|n| match entity.field_named(n) {
                Some(f) => Ok(f.id.clone()),
                None => fail(
                    at,
                    format!(
                        "relationship {what} `{n}`, which is not a field of `{}`",
                        entity.name
                    ),
                ),
            })
            .collect_exact(names.len())
    };
    let fields = field_ids(child, &r.fields, "names")?;
    let references = match &r.references {
        Some(names) => field_ids(parent, names, "references")?,
        None => match &parent.primary_key {
            Some(pk) => pk.fields.clone(),
            None => {
                return fail(
                    key(place, "target"),
                    format!(
                        "relationship to `{}` gives no `references` and `{}` has no primary key",
                        parent.name, parent.name
                    ),
                );
            }
        },
    };
    Ok(Relationship {
        id: r
            .id
            .map(RelationshipId)
            .unwrap_or_else(|| ids.relationship()),
        name: r.name,
        kind: r.kind,
        from: from.clone(),
        fields,
        to: parent.id.clone(),
        references,
        on_delete: r.on_delete,
        on_update: r.on_update,
        deferrable: match r.deferrable {
            None => Deferrable::NotDeferrable,
            Some(Initially::Immediate) => Deferrable::InitiallyImmediate,
            Some(Initially::Deferred) => Deferrable::InitiallyDeferred,
        },
        required: r.required,
    })
}

/// The key `key` of the item at `place`.
fn key(place: Place, key: &'static str) -> Place {
    match place {
        Place::Item(e, item, i) => Place::ItemKey(e, item, i, key),
        other => other,
    }
}

/// The canonical file for a design: every id written, stable order.
pub fn to_file(design: &Design) -> DesignFile {
    file_with(
        design,
        design.entities().map(|e| entity_file(design, e)).collect(),
    )
}

/// The file of `design` to write: each entity's part is made as it is
/// written and dropped after, so writing a 50,000-entity design never
/// holds a second copy of it.
pub fn to_text_file(design: &Design) -> DesignFile<EntityParts<'_>> {
    file_with(design, EntityParts(design))
}

/// A design's entities, serialized as the list `to_file` would hold.
pub struct EntityParts<'d>(&'d Design);

impl serde::Serialize for EntityParts<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let design = self.0;
        serializer.collect_seq(design.entities().map(|e| entity_file(design, e)))
    }
}

/// The file of `design` around `entities`.
fn file_with<E>(design: &Design, entities: E) -> DesignFile<E> {
    DesignFile {
        format: FORMAT_VERSION,
        name: design.name.clone(),
        comment: design.comment.clone(),
        checks: design.checks.levels.clone(),
        enums: design
            .enums
            .iter()
            .map(|e| EnumFile {
                id: Some(e.id.0.clone()),
                name: e.name.clone(),
                values: e.values.clone(),
                comment: e.comment.clone(),
            })
            .collect(),
        entities,
    }
}

fn entity_file(design: &Design, e: &Entity) -> EntityFile {
    EntityFile {
        id: Some(e.id.0.clone()),
        name: e.name.clone(),
        comment: e.comment.clone(),
        junction: e.junction,
        fields: e
            .fields
            .iter()
            .map(|f| FieldFile {
                id: Some(f.id.0.clone()),
                name: f.name.clone(),
                ty: f.ty.to_string(),
                not_null: f.not_null,
                default: f.default.clone(),
                identity: f.identity,
                comment: f.comment.clone(),
                allow: f.allow.clone(),
            })
            .collect(),
        primary_key: e.primary_key.as_ref().map(|pk| e.field_names(&pk.fields)),
        primary_key_name: e.primary_key.as_ref().and_then(|pk| pk.name.clone()),
        uniques: e
            .uniques
            .iter()
            .map(|u| UniqueFile {
                id: Some(u.id.0.clone()),
                name: u.name.clone(),
                fields: e.field_names(&u.fields),
            })
            .collect(),
        checks: e
            .checks
            .iter()
            .map(|c| CheckFile {
                id: Some(c.id.0.clone()),
                name: c.name.clone(),
                expr: c.expr.clone(),
            })
            .collect(),
        indexes: e
            .indexes
            .iter()
            .map(|i| IndexFile {
                id: Some(i.id.0.clone()),
                name: i.name.clone(),
                fields: e.field_names(&i.fields),
                unique: i.unique,
                method: i.method,
                predicate: i.predicate.clone(),
            })
            .collect(),
        relationships: design
            .relationships_from(&e.id)
            .into_iter()
            .map(|r| {
                let target = design.entity(&r.to).expect("relationship ends exist");
                RelationshipFile {
                    id: Some(r.id.0.clone()),
                    name: r.name.clone(),
                    kind: r.kind,
                    fields: e.field_names(&r.fields),
                    target: target.name.clone(),
                    references: Some(target.field_names(&r.references)),
                    on_delete: r.on_delete,
                    on_update: r.on_update,
                    deferrable: match r.deferrable {
                        Deferrable::NotDeferrable => None,
                        Deferrable::InitiallyImmediate => Some(Initially::Immediate),
                        Deferrable::InitiallyDeferred => Some(Initially::Deferred),
                    },
                    required: r.required,
                }
            })
            .collect(),
        dependencies: e
            .dependencies
            .iter()
            .map(|d| {
                let side = |ids: &[FieldId]| e.field_names(ids).join(", ");
                format!("{} -> {}", side(&d.lhs), side(&d.rhs))
            })
            .collect(),
        allow: e.allow.clone(),
    }
}

/// Collecting `Result`s into a `Vec` cannot use the iterator's length, so
/// a one-field key's list would get room for four: 18 MB of nothing over
/// the 250,000 key and foreign-key lists of a 50,000-entity design.
trait CollectExact<T, E> {
    fn collect_exact(self, len: usize) -> Result<Vec<T>, E>;
}

impl<T, E, I: Iterator<Item = Result<T, E>>> CollectExact<T, E> for I {
    fn collect_exact(self, len: usize) -> Result<Vec<T>, E> {
        let mut out = Vec::with_capacity(len);
        for item in self {
            out.push(item?);
        }
        Ok(out)
    }
}
