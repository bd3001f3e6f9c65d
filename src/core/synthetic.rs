//! Large generated designs for benchmarks: many entities shaped like real
//! ones (a UUID key, a foreign key with its index, a unique natural key,
//! timestamps, a handful of plain fields, one of them a short code kept as
//! text so every entity has a finding), so checks, DDL and rendering can
//! be measured at sizes no hand-written design reaches.

use crate::core::ids::IdGen;
use crate::core::model::{
    Deferrable, Design, Entity, Field, Index, IndexMethod, PrimaryKey, ReferentialAction,
    Relationship, RelationshipKind, SqlType, Unique,
};
use crate::core::starter::timestamps;

/// A design of `entities` entities with about ten fields and one foreign
/// key each (entity k references an earlier one), deterministic for a seed.
pub fn design(entities: usize, seed: u64) -> Design {
    let mut ids = IdGen::seeded(seed);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut design = Design::new(format!("synthetic_{entities}"));
    let mut keys = Vec::with_capacity(entities);
    for k in 0..entities {
        let mut e = Entity::new(ids.entity(), format!("table_{k:05}s"));
        e.comment = Some(format!("Generated entity number {k}."));
        let id = Field::new(ids.field(), "id", SqlType::Uuid)
            .not_null()
            .default_expr("gen_random_uuid()");
        let slug = Field::new(ids.field(), "slug", SqlType::Varchar(Some(100))).not_null();
        e.primary_key = Some(PrimaryKey {
            name: None,
            fields: vec![id.id.clone()],
        });
        e.uniques.push(Unique {
            id: ids.unique(),
            name: None,
            fields: vec![slug.id.clone()],
        });
        keys.push((e.id.clone(), id.id.clone()));
        e.fields.push(id);
        e.fields.push(slug);
        for (name, ty) in [
            ("title", SqlType::Varchar(Some(200))),
            ("body", SqlType::Text),
            ("quantity", SqlType::Integer),
            ("price", SqlType::Numeric(Some((12, 2)))),
            ("active", SqlType::Boolean),
            // A short code kept as text, as inspected schemas often have:
            // one finding on every entity, so reports are measured too.
            ("currency", SqlType::Text),
        ] {
            let mut f = Field::new(ids.field(), name, ty);
            f.not_null = rng.bool();
            if f.ty == SqlType::Boolean {
                f.not_null = true;
                f = f.default_expr("true");
            }
            e.fields.push(f);
        }
        e.fields.extend(timestamps(&mut ids));
        design.insert_entity(e, k);
    }
    for k in 1..entities {
        let parent = rng.usize(..k);
        let (child_id, _) = &keys[k];
        let (parent_id, parent_key) = &keys[parent];
        let key = Field::new(ids.field(), "parent_id", SqlType::Uuid).not_null();
        let index = Index {
            id: ids.index(),
            name: None,
            fields: vec![key.id.clone()],
            unique: false,
            method: IndexMethod::Btree,
            predicate: None,
        };
        let relationship = Relationship {
            id: ids.relationship(),
            name: None,
            kind: RelationshipKind::ManyToOne,
            from: child_id.clone(),
            fields: vec![key.id.clone()],
            to: parent_id.clone(),
            references: vec![parent_key.clone()],
            on_delete: Some(ReferentialAction::Cascade),
            on_update: None,
            deferrable: Deferrable::NotDeferrable,
            required: true,
        };
        let child = design.entity_mut(child_id).expect("just added");
        child.fields.insert(2, key);
        child.indexes.push(index);
        design.insert_relationship(relationship);
    }
    design
}

#[cfg(test)]
mod tests {
    #[test]
    fn synthetic_designs_are_coherent_and_sized_as_asked() {
        let d = super::design(200, 1);
        assert_eq!(d.validate(), vec![]);
        assert_eq!(d.entity_count(), 200);
        assert_eq!(d.relationship_count(), 199);
        assert!(d.entities().all(|e| e.fields.len() >= 9));
        let found =
            crate::core::check::check(&d, &d.checks, &mut crate::core::ids::IdGen::seeded(1));
        let with_findings: std::collections::HashSet<_> =
            found.iter().filter_map(|f| f.location.entity()).collect();
        assert_eq!(with_findings.len(), 200, "a finding on every entity");
    }
}
