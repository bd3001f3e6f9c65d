//! Re-checking after an edit only what the edit can have changed.
//!
//! The designer checks after every edit. A full check of a large design is
//! a pass over every entity; an edit changes a handful. [`Scope::of`] works
//! out which (the recipe in this module's parent documentation), and
//! [`Checked`] keeps the entity-level findings of the last check, so a
//! re-check runs the entity rules on those entities only, the design rules
//! (cheap passes over the graph) again, and merges: the same findings, in
//! the same order, as a full check.

use crate::core::check::{Finding, Settings, check_design_level, check_entities, merge};
use crate::core::edit::Edit;
use crate::core::ids::{EntityId, IdGen};
use crate::core::model::Design;

/// What a change can have changed findings of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The entity rules of these entities (and the design rules).
    Entities(Vec<EntityId>),
    /// Anything: enums and check settings reach every entity.
    Everything,
}

impl Scope {
    /// Nothing changed yet.
    pub fn none() -> Scope {
        Scope::Entities(Vec::new())
    }

    /// What `edit`, applied with `inverse` as its inverse, can have changed,
    /// in the design after it.
    pub fn of(after: &Design, edit: &Edit, inverse: &Edit) -> Scope {
        let mut names = Vec::new();
        if named(after, edit, &mut names).is_none() || named(after, inverse, &mut names).is_none() {
            return Scope::Everything;
        }
        // Whoever holds a key to a touched entity quotes its names, types
        // and keys in its findings.
        let referencing: Vec<EntityId> = names
            .iter()
            .flat_map(|id| after.relationships_to(id))
            .map(|r| r.from.clone())
            .collect();
        names.extend(referencing);
        names.sort();
        names.dedup();
        Scope::Entities(names)
    }

    /// This scope and `other` together.
    pub fn join(&mut self, other: Scope) {
        match (&mut *self, other) {
            (Scope::Everything, _) => {}
            (_, Scope::Everything) => *self = Scope::Everything,
            (Scope::Entities(mine), Scope::Entities(theirs)) => {
                mine.extend(theirs);
                mine.sort();
                mine.dedup();
            }
        }
    }
}

/// Every entity an edit names, and both ends of every relationship it
/// adds, removes or changes; `None` for edits that reach everything.
fn named(d: &Design, edit: &Edit, out: &mut Vec<EntityId>) -> Option<()> {
    match edit {
        Edit::AddEnum { .. }
        | Edit::RemoveEnum { .. }
        | Edit::RenameEnum { .. }
        | Edit::SetEnumValues { .. }
        | Edit::SetCheckSettings { .. } => return None,
        Edit::Batch(edits) => {
            for edit in edits {
                named(d, edit, out)?;
            }
        }
        Edit::AddEntity { entity, .. } => out.push(entity.id.clone()),
        Edit::RemoveEntity { id }
        | Edit::RenameEntity { id, .. }
        | Edit::SetEntityComment { id, .. }
        | Edit::SetJunction { id, .. } => out.push(id.clone()),
        Edit::SetDependencies { entity, .. }
        | Edit::SetEntityAllows { entity, .. }
        | Edit::SetFieldAllows { entity, .. }
        | Edit::AddField { entity, .. }
        | Edit::RemoveField { entity, .. }
        | Edit::RenameField { entity, .. }
        | Edit::SetFieldType { entity, .. }
        | Edit::SetNotNull { entity, .. }
        | Edit::SetDefault { entity, .. }
        | Edit::SetIdentity { entity, .. }
        | Edit::SetFieldComment { entity, .. }
        | Edit::SetPrimaryKey { entity, .. }
        | Edit::AddUnique { entity, .. }
        | Edit::RemoveUnique { entity, .. }
        | Edit::AddCheck { entity, .. }
        | Edit::RemoveCheck { entity, .. }
        | Edit::AddIndex { entity, .. }
        | Edit::RemoveIndex { entity, .. } => out.push(entity.clone()),
        Edit::AddRelationship { relationship: r } => {
            out.extend([r.from.clone(), r.to.clone()]);
        }
        Edit::RemoveRelationship { id }
        | Edit::SetRelationshipActions { id, .. }
        | Edit::SetRelationshipDeferrable { id, .. }
        | Edit::SetRelationshipRequired { id, .. } => {
            // A removed one is in the inverse, which adds it back.
            if let Some(r) = d.relationship(id) {
                out.extend([r.from.clone(), r.to.clone()]);
            }
        }
    }
    Some(())
}

/// The entity-level findings of the last check, to re-check from.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    entity_level: Option<Vec<Finding>>,
}

impl Checked {
    /// The findings of `design` after changes within `scope` since the
    /// design this last checked; a full check the first time or when the
    /// scope is everything.
    pub fn recheck(
        &mut self,
        design: &Design,
        settings: &Settings,
        ids: &mut IdGen,
        scope: &Scope,
    ) -> Vec<Finding> {
        let entity_level = match (self.entity_level.take(), scope) {
            (Some(mut kept), Scope::Entities(touched)) => {
                kept.retain(|f| !f.location.entity().is_some_and(|e| touched.contains(e)));
                kept.extend(check_entities(design, settings, ids, touched));
                kept
            }
            _ => {
                let every: Vec<EntityId> = design.entities().map(|e| e.id.clone()).collect();
                check_entities(design, settings, ids, &every)
            }
        };
        let design_level = check_design_level(design, settings, ids);
        let all = merge(design, entity_level.clone(), design_level);
        self.entity_level = Some(entity_level);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::check::check;

    fn shop() -> Design {
        crate::file::parse(
            include_str!("../../../designs/shop.ron"),
            &mut IdGen::seeded(1),
        )
        .expect("shop.ron loads")
    }

    #[test]
    fn a_field_edit_touches_its_entity_and_those_that_reference_it_only() {
        let mut d = shop();
        let orders = d.entity_named("orders").unwrap();
        let (entity, field) = (orders.id.clone(), orders.fields[1].id.clone());
        let edit = Edit::RenameField {
            entity: entity.clone(),
            field,
            name: "buyer_id".into(),
        };
        let inverse = edit.apply(&mut d).unwrap();
        let Scope::Entities(touched) = Scope::of(&d, &edit, &inverse) else {
            panic!("a rename reaches only some entities");
        };
        let mut expected: Vec<EntityId> = std::iter::once(entity.clone())
            .chain(
                d.relationships_to(&entity)
                    .into_iter()
                    .map(|r| r.from.clone()),
            )
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(touched, expected);
        assert!(touched.len() < d.entity_count());

        let mut checked = Checked::default();
        let mut ids = IdGen::seeded(3);
        let settings = d.checks.clone();
        let incremental = checked.recheck(&d, &settings, &mut ids, &Scope::Everything);
        assert_eq!(incremental.len(), check(&d, &settings, &mut ids).len());
    }

    #[test]
    fn enum_and_settings_edits_reach_everything() {
        let mut d = shop();
        let e = d.enums[0].id.clone();
        let edit = Edit::RenameEnum {
            id: e,
            name: "state".into(),
        };
        let inverse = edit.apply(&mut d).unwrap();
        assert_eq!(Scope::of(&d, &edit, &inverse), Scope::Everything);
        let mut scope = Scope::none();
        scope.join(Scope::Entities(vec!["ea".into()]));
        scope.join(Scope::Everything);
        assert_eq!(scope, Scope::Everything);
    }
}
