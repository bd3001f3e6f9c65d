//! From two designs to the ordered statements that take a database from
//! one to the other, with safety findings on the way.
//!
//! The plan runs in phases whose order keeps every statement valid when it
//! runs (old names until the renames, new names after):
//!
//!  1. drop foreign keys that go, change, or must be rebuilt;
//!  2. drop indexes, unique, check and primary key constraints that go or
//!     change, on tables that stay;
//!  3. drop tables, dependants first;
//!  4. drop columns;
//!  5. renames: enum types, then tables with the indexes and keys named
//!     after them, then columns, then check and foreign key constraints;
//!  6. create enum types, add enum values, create the new version of each
//!     enum being rebuilt;
//!  7. add columns and alter the rest: identity, default, NULL, type;
//!  8. add primary keys, unique and check constraints;
//!  9. drop enum types that go or were rebuilt (the new version takes the name);
//! 10. create tables, referenced tables first, with their indexes;
//! 11. create indexes on tables that stay;
//! 12. comments;
//! 13. add foreign keys, so every table and key they point at exists, and
//!     change whether the keys that stay are deferrable.

use std::collections::{HashMap, HashSet};

use crate::core::ids::{EntityId, EnumId, FieldId, RelationshipId};
use crate::core::model::{DefaultValue, Design, Entity, Field, Relationship, SqlType};
use crate::core::sql::{
    Column, CommentTarget, Constraint, Literal, Sql, Statement, create_statements, foreign_key,
    local_search_path, search_path,
};

use super::cast::{rewrites_table, using_clause};
use super::change::{
    Change, appended_values, diff_aligned, same_check, same_entity, same_foreign_key, same_index,
    same_type, type_key,
};
use super::rename::{self, Rename};
use super::safety::{Findings, Safety, SafetyFinding};
use super::statement::{Place, Step};

/// Choices that change the statements, not what they achieve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Accept a plan that drops entities or fields.
    pub allow_destructive: bool,
    /// Build and drop indexes on existing tables `CONCURRENTLY`; the
    /// migration then runs without a transaction.
    pub concurrently: bool,
    /// Add foreign keys to existing tables `NOT VALID` and validate them
    /// after the commit.
    pub not_valid: bool,
}

/// The ordered statements that take a database from one design to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Statements that must commit before the body runs: enum values the
    /// body uses (PostgreSQL refuses a value in the transaction adding it).
    pub before: Vec<Step>,
    pub body: Vec<Step>,
    /// Statements run after the body commits: validating foreign keys added
    /// `NOT VALID`, so the scans do not hold the body's locks.
    pub after: Vec<Step>,
    pub findings: Vec<SafetyFinding>,
    pub options: PlanOptions,
}

/// A plan and its exact inverse.
#[derive(Clone, Debug, PartialEq)]
pub struct Migration {
    pub up: Plan,
    pub down: Plan,
}

/// The plan from `old` to `new` and back again.
pub fn migration(old: &Design, new: &Design, options: PlanOptions) -> Migration {
    Migration {
        up: plan(old, new, options),
        down: plan(new, old, options),
    }
}

impl Plan {
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.before.iter().chain(&self.body).chain(&self.after)
    }

    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.body.is_empty() && self.after.is_empty()
    }

    pub fn len(&self) -> usize {
        self.before.len() + self.body.len() + self.after.len()
    }

    /// Whether the body runs in one transaction; a statement such as
    /// `CREATE INDEX CONCURRENTLY` forbids it.
    pub fn transactional(&self) -> bool {
        !self.steps().any(Step::forbids_transaction)
    }

    pub fn is_destructive(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule == Safety::DestructiveDrop)
    }

    /// Why the plan may not run as it stands, if it may not.
    pub fn refusal(&self) -> Option<String> {
        if !self.is_destructive() || self.options.allow_destructive {
            return None;
        }
        let what: Vec<&str> = self
            .findings
            .iter()
            .filter(|f| f.rule == Safety::DestructiveDrop)
            .map(|f| f.message.as_str())
            .collect();
        Some(format!(
            "refusing a destructive plan ({}); rerun with --allow-destructive to accept it",
            what.join("; ")
        ))
    }

    /// The plan as a script for `psql -f` on `schema`, one blank line
    /// between statements, wrapped in a transaction unless a statement
    /// forbids it. Every name is qualified; the `search_path` is set for
    /// the expressions (only for the transaction, when there is one).
    pub fn script(&self, title: &str, schema: &str) -> String {
        let mut out = format!(
            "-- {}, written by plinth.\n",
            title.replace(['\n', '\r'], " ")
        );
        if self.is_empty() {
            out.push_str("-- Nothing to do: both designs describe the same schema.\n");
            return out;
        }
        let put = |steps: &[Step], out: &mut String| {
            for step in steps {
                out.push('\n');
                out.push_str(&step.sql(schema));
                out.push('\n');
            }
        };
        if !self.transactional() {
            out.push_str(
                "-- Runs without a transaction: CREATE INDEX CONCURRENTLY cannot run in one.\n\
                 -- psql applies it statement by statement; after a failure, the statements\n\
                 -- before it stay applied.\n",
            );
            out.push('\n');
            out.push_str(&search_path(schema));
            out.push('\n');
            put(&self.before, &mut out);
            put(&self.body, &mut out);
            put(&self.after, &mut out);
            return out;
        }
        if !self.before.is_empty() {
            out.push_str("\n-- New enum values commit first: the transaction below uses them.\n");
            put(&self.before, &mut out);
        }
        out.push_str("\nBEGIN;\n\n");
        out.push_str(&local_search_path(schema));
        out.push('\n');
        put(&self.body, &mut out);
        out.push_str("\nCOMMIT;\n");
        if !self.after.is_empty() {
            out.push_str(
                "\n-- After the commit: checking existing rows does not hold the locks above.\n",
            );
            put(&self.after, &mut out);
        }
        out
    }
}

/// The plan that takes a database built from `old` to `new`.
pub fn plan(old: &Design, new: &Design, options: PlanOptions) -> Plan {
    let old = &*super::align::aligned(old, new);
    let changes = diff_aligned(old, new);
    let mut p = Planner::new(old, new, options);
    p.drop_foreign_keys();
    p.drop_constraints();
    p.drop_tables();
    p.drop_columns();
    p.renames(&changes);
    p.enums();
    p.alter_columns();
    p.add_constraints();
    p.retire_enums();
    p.create_tables();
    p.create_indexes();
    p.comments();
    p.add_foreign_keys();
    Plan {
        changes,
        before: p.before,
        body: p.body,
        after: p.after,
        findings: p.findings.0,
        options,
    }
}

/// What a renamed relation is, for [`Planner::rename_relations`].
#[derive(Clone)]
enum Rel {
    Table(EntityId),
    Index,
    /// A primary key or unique constraint, by its table.
    Constraint(EntityId),
}

struct Planner<'a> {
    old: &'a Design,
    new: &'a Design,
    options: PlanOptions,
    before: Vec<Step>,
    body: Vec<Step>,
    after: Vec<Step>,
    findings: Findings,
    /// Enums whose labels are removed or reordered, with the name their
    /// new version goes by until the old one is dropped.
    rebuilt: HashMap<EnumId, String>,
    /// Dropped enums by the name they have now (moved aside when a new
    /// enum takes their name).
    dropped_enums: Vec<(EnumId, String)>,
    /// Foreign keys that stay the same but must be dropped and added
    /// again, because a column they use changes type or the key they
    /// reference is rebuilt.
    rebuilt_fks: HashSet<RelationshipId>,
    /// Foreign keys of new tables that close a cycle: added at the end.
    deferred: Vec<Step>,
    /// Entities in both designs, in the new design's order.
    kept: Vec<(&'a Entity, &'a Entity)>,
    /// The kept entities that may need a step: those that differ, or all
    /// of them when an enum changed (a column can change with its type).
    /// An entity the same in both needs none of its own, since every name
    /// and statement about it is made from it alone.
    changed: Vec<(&'a Entity, &'a Entity)>,
    changed_ids: HashSet<&'a EntityId>,
}

impl<'a> Planner<'a> {
    fn new(old: &'a Design, new: &'a Design, options: PlanOptions) -> Self {
        let rebuilt = new
            .enums
            .iter()
            .filter(|n| {
                old.enum_type(&n.id).is_some_and(|o| {
                    o.values != n.values && appended_values(&o.values, &n.values).is_none()
                })
            })
            .map(|n| {
                let taken: HashSet<String> = old
                    .enums
                    .iter()
                    .chain(&new.enums)
                    .map(|e| e.name.clone())
                    .collect();
                let temp = rename::with_suffix(&n.name, "_plinth_new");
                let temp = if taken.contains(&temp) {
                    rename::temporary_name(&temp, &taken)
                } else {
                    temp
                };
                (n.id.clone(), temp)
            })
            .collect();
        let dropped_enums = old
            .enums
            .iter()
            .filter(|o| new.enum_type(&o.id).is_none())
            .map(|o| (o.id.clone(), o.name.clone()))
            .collect();
        let mut planner = Planner {
            old,
            new,
            options,
            before: Vec::new(),
            body: Vec::new(),
            after: Vec::new(),
            findings: Findings::default(),
            rebuilt,
            dropped_enums,
            rebuilt_fks: HashSet::new(),
            deferred: Vec::new(),
            kept: Vec::new(),
            changed: Vec::new(),
            changed_ids: HashSet::new(),
        };
        planner.kept = new
            .entities()
            .filter_map(|n| old.entity(&n.id).map(|o| (o, n)))
            .collect();
        let enums_same = old.enums == new.enums;
        planner.changed = planner
            .kept
            .iter()
            .copied()
            .filter(|(o, n)| !enums_same || !same_entity(o, n))
            .collect();
        planner.changed_ids = planner.changed.iter().map(|(_, n)| &n.id).collect();
        // A set: any order will do, and the unordered walk sorts nothing.
        planner.rebuilt_fks = new
            .foreign_keys()
            .filter(|n| {
                // Only a change to one of its ends can rebuild a key.
                (planner.changed_ids.contains(&n.from) || planner.changed_ids.contains(&n.to))
                    && planner
                        .old
                        .relationship(&n.id)
                        .is_some_and(|o| same_foreign_key(o, n) && planner.fk_needs_rebuild(o))
            })
            .map(|r| r.id.clone())
            .collect();
        planner
    }

    // --- Lookups --------------------------------------------------------

    /// Entities in both designs, in the new design's order.
    fn kept(&self) -> Vec<(&'a Entity, &'a Entity)> {
        self.kept.clone()
    }

    /// [`Self::kept`] entities that may need a step (see `changed`).
    fn changed(&self) -> Vec<(&'a Entity, &'a Entity)> {
        self.changed.clone()
    }

    fn is_kept(&self, id: &EntityId) -> bool {
        self.old.entity(id).is_some() && self.new.entity(id).is_some()
    }

    /// The enum a type names (directly or as array element), by id.
    fn enum_of(ty: &SqlType, design: &Design) -> Option<EnumId> {
        ty.enum_name()
            .and_then(|name| design.enum_named(name))
            .map(|e| e.id.clone())
    }

    fn uses_rebuilt_enum(&self, ty: &SqlType, design: &Design) -> bool {
        Self::enum_of(ty, design).is_some_and(|id| self.rebuilt.contains_key(&id))
    }

    /// Whether a field that stays needs `ALTER COLUMN ... TYPE`.
    fn retyped(&self, of: &Field, nf: &Field) -> bool {
        !same_type(&of.ty, self.old, &nf.ty, self.new) || self.uses_rebuilt_enum(&of.ty, self.old)
    }

    /// A new field type as written while the plan runs: an enum being
    /// rebuilt goes by its temporary name until the old one is dropped.
    fn current_type(&self, ty: &SqlType) -> SqlType {
        match ty {
            SqlType::Enum(name) => match self.new.enum_named(name) {
                Some(e) => match self.rebuilt.get(&e.id) {
                    Some(temp) => SqlType::Enum(temp.clone()),
                    None => ty.clone(),
                },
                None => ty.clone(),
            },
            SqlType::Array(inner) => SqlType::Array(Box::new(self.current_type(inner))),
            other => other.clone(),
        }
    }

    /// Whether a field of a kept entity changes type in a way a foreign key
    /// over it cannot survive: values no longer comparable with the other
    /// side, or an enum rebuilt.
    fn breaks_foreign_keys(&self, entity: &EntityId, field: &FieldId) -> bool {
        let (Some(o), Some(n)) = (self.old.entity(entity), self.new.entity(entity)) else {
            return false;
        };
        let (Some(of), Some(nf)) = (o.field(field), n.field(field)) else {
            return false;
        };
        self.retyped(of, nf)
            && (!type_key(&of.ty, self.old).comparable_with(&type_key(&nf.ty, self.new))
                || self.uses_rebuilt_enum(&of.ty, self.old))
    }

    fn fk_needs_rebuild(&self, r: &Relationship) -> bool {
        r.fields
            .iter()
            .any(|f| self.breaks_foreign_keys(&r.from, f))
            || r.references
                .iter()
                .any(|f| self.breaks_foreign_keys(&r.to, f))
            || self.backing_key_rebuilt(&r.to, &r.references)
    }

    /// Whether the unique key a foreign key relies on is dropped by the plan
    /// (PostgreSQL refuses to drop it while the foreign key stands).
    fn backing_key_rebuilt(&self, entity: &EntityId, fields: &[FieldId]) -> bool {
        let (Some(o), Some(n)) = (self.old.entity(entity), self.new.entity(entity)) else {
            return false;
        };
        let same_set = |cols: &[FieldId]| {
            cols.len() == fields.len() && cols.iter().all(|c| fields.contains(c))
        };
        let pk = |e: &'a Entity| e.primary_key.as_ref().map(|k| &k.fields);
        let pk_dropped = o
            .primary_key
            .as_ref()
            .is_some_and(|k| same_set(&k.fields) && pk(o) != pk(n));
        let unique_dropped = o.uniques.iter().any(|u| {
            same_set(&u.fields)
                && !n
                    .uniques
                    .iter()
                    .any(|x| x.id == u.id && x.fields == u.fields)
        });
        let index_dropped = o.indexes.iter().any(|i| {
            i.unique
                && i.predicate.is_none()
                && same_set(&i.fields)
                && !n
                    .indexes
                    .iter()
                    .any(|x| x.id == i.id && same_index(o, n, i, x))
        });
        pk_dropped || unique_dropped || index_dropped
    }

    /// Whether a foreign key of the old design is dropped by the plan
    /// (gone, changed, or rebuilt).
    fn fk_goes(&self, r: &Relationship) -> bool {
        match self.new.relationship(&r.id) {
            None => true,
            Some(n) => !same_foreign_key(r, n) || self.rebuilt_fks.contains(&r.id),
        }
    }

    // --- 1 to 4: drops --------------------------------------------------

    fn drop_foreign_keys(&mut self) {
        let (old, new) = (self.old, self.new);
        // The ordered walk only when some key goes.
        if !old.foreign_keys().any(|r| self.fk_goes(r)) {
            return;
        }
        // Needed only for a key between two dropped tables.
        let mut cycles = None;
        for r in old.relationships() {
            if !self.fk_goes(r) {
                continue;
            }
            let from_kept = new.entity(&r.from).is_some();
            let to_kept = new.entity(&r.to).is_some();
            // A dropped table takes its keys along, unless they tie it in
            // a cycle to another dropped table (which could not go first),
            // or point at a kept table whose key the plan may drop before
            // the table goes (PostgreSQL refuses while a key depends on it).
            let ties_dropped_cycle = !from_kept
                && r.from != r.to
                && !to_kept
                && cycles
                    .get_or_insert_with(|| old.dependency_order().deferred)
                    .contains(&r.id);
            if from_kept || to_kept || ties_dropped_cycle {
                let table = old.entity(&r.from).expect("relationship ends exist");
                self.body.push(Step::DropConstraint {
                    table: table.name.clone(),
                    name: old.relationship_name(r),
                });
            }
        }
    }

    fn drop_constraints(&mut self) {
        let old = self.old;
        for (o, n) in self.changed() {
            for i in &o.indexes {
                if !n
                    .indexes
                    .iter()
                    .any(|x| x.id == i.id && same_index(o, n, i, x))
                {
                    self.body.push(Step::DropIndex {
                        name: old.index_name(o, i),
                        concurrently: self.options.concurrently,
                    });
                }
            }
            let table = o.name.clone();
            for u in &o.uniques {
                if !n
                    .uniques
                    .iter()
                    .any(|x| x.id == u.id && x.fields == u.fields)
                {
                    self.body.push(Step::DropConstraint {
                        table: table.clone(),
                        name: old.unique_name(o, u),
                    });
                }
            }
            for c in &o.checks {
                if !n
                    .checks
                    .iter()
                    .any(|x| x.id == c.id && same_check(o, n, c, x))
                {
                    self.body.push(Step::DropConstraint {
                        table: table.clone(),
                        name: old.check_name(o, c),
                    });
                }
            }
            let pk_fields = |e: &Entity| e.primary_key.as_ref().map(|k| k.fields.clone());
            if o.primary_key.is_some() && pk_fields(o) != pk_fields(n) {
                self.body.push(Step::DropConstraint {
                    table,
                    name: old.primary_key_name(o),
                });
            }
        }
    }

    fn drop_tables(&mut self) {
        if self.kept.len() == self.old.entity_count() {
            return; // none dropped: no order to find
        }
        let mut order = self.old.dependency_order().entities;
        order.reverse();
        for id in order {
            if self.new.entity(&id).is_none() {
                let name = self
                    .old
                    .entity(&id)
                    .expect("ordered entities exist")
                    .name
                    .clone();
                self.findings.drop_table(&name);
                self.body.push(Step::DropTable { name });
            }
        }
    }

    fn drop_columns(&mut self) {
        let old = self.old;
        for o in old.entities() {
            let Some(n) = self.new.entity(&o.id) else {
                continue;
            };
            for f in &o.fields {
                if n.field(&f.id).is_none() {
                    self.findings.drop_column(&o.name, &f.name);
                    self.body.push(Step::DropColumn {
                        table: o.name.clone(),
                        column: f.name.clone(),
                    });
                }
            }
        }
    }

    // --- 5: renames -----------------------------------------------------

    fn renames(&mut self, changes: &[Change]) {
        for change in changes {
            match change {
                Change::RenameEntity { from, to, .. } => self.findings.rename_table(from, to),
                Change::RenameField { at, from } => {
                    self.findings.rename_column(&at.table, from, &at.column)
                }
                _ => {}
            }
        }
        self.rename_types();
        self.rename_relations();
        self.rename_columns();
        self.rename_table_constraints();
    }

    fn rename_types(&mut self) {
        let (old, new) = (self.old, self.new);
        let taken: HashSet<String> = old.enums.iter().map(|e| e.name.clone()).collect();
        let new_names: HashSet<String> = new.enums.iter().map(|e| e.name.clone()).collect();
        let mut renames: Vec<Rename<EnumId>> = new
            .enums
            .iter()
            .filter_map(|n| {
                old.enum_type(&n.id).map(|o| Rename {
                    key: n.id.clone(),
                    from: o.name.clone(),
                    to: n.name.clone(),
                })
            })
            .collect();
        // A dropped enum whose name a new one takes moves aside until it
        // can be dropped.
        let reserved: HashSet<String> = taken.union(&new_names).cloned().collect();
        for (id, name) in &self.dropped_enums {
            if new_names.contains(name) {
                renames.push(Rename {
                    key: id.clone(),
                    from: name.clone(),
                    to: rename::temporary_name(name, &reserved),
                });
            }
        }
        for r in rename::order(renames, &taken) {
            if let Some(d) = self.dropped_enums.iter_mut().find(|(id, _)| *id == r.key) {
                d.1 = r.to.clone();
            }
            self.body.push(Step::RenameType {
                from: r.from,
                to: r.to,
            });
        }
    }

    /// The relations (the table, its primary key and unique constraints,
    /// its indexes) a kept table has in both designs, with their old and
    /// new names.
    fn relation_names(
        old: &Design,
        new: &Design,
        o: &Entity,
        n: &Entity,
        found: &mut impl FnMut(Rel, String, String),
    ) {
        found(Rel::Table(n.id.clone()), o.name.clone(), n.name.clone());
        if let (Some(ok), Some(nk)) = (&o.primary_key, &n.primary_key)
            && ok.fields == nk.fields
        {
            found(
                Rel::Constraint(n.id.clone()),
                old.primary_key_name(o),
                new.primary_key_name(n),
            );
        }
        for u in &n.uniques {
            if let Some(ou) = o
                .uniques
                .iter()
                .find(|x| x.id == u.id && x.fields == u.fields)
            {
                found(
                    Rel::Constraint(n.id.clone()),
                    old.unique_name(o, ou),
                    new.unique_name(n, u),
                );
            }
        }
        for i in &n.indexes {
            if let Some(oi) = o
                .indexes
                .iter()
                .find(|x| x.id == i.id && same_index(o, n, x, i))
            {
                found(Rel::Index, old.index_name(o, oi), new.index_name(n, i));
            }
        }
    }

    fn rename_relations(&mut self) {
        let (old, new) = (self.old, self.new);
        let kept = self.kept();
        // Names are made from their table alone, so only a table that
        // changed can rename anything; most plans rename nothing, and then
        // the names of every table need not be made.
        let mut any = false;
        for (o, n) in self.changed() {
            Self::relation_names(old, new, o, n, &mut |_, from, to| any |= from != to);
        }
        if !any {
            return;
        }
        let mut taken = HashSet::new();
        let mut renames = Vec::new();
        for (o, n) in &kept {
            Self::relation_names(old, new, o, n, &mut |key, from, to| {
                taken.insert(from.clone());
                renames.push(Rename { key, from, to });
            });
        }
        let mut table_now: HashMap<EntityId, String> = kept
            .iter()
            .map(|(o, _)| (o.id.clone(), o.name.clone()))
            .collect();
        for r in rename::order(renames, &taken) {
            let step = match &r.key {
                Rel::Table(id) => {
                    table_now.insert(id.clone(), r.to.clone());
                    Step::RenameTable {
                        from: r.from,
                        to: r.to,
                    }
                }
                Rel::Index => Step::RenameIndex {
                    from: r.from,
                    to: r.to,
                },
                Rel::Constraint(id) => Step::RenameConstraint {
                    table: table_now[id].clone(),
                    from: r.from,
                    to: r.to,
                },
            };
            self.body.push(step);
        }
    }

    fn rename_columns(&mut self) {
        for (o, n) in self.changed() {
            let renamed = |f: &Field| o.field(&f.id).is_some_and(|of| of.name != f.name);
            if !n.fields.iter().any(renamed) {
                continue;
            }
            let taken: HashSet<String> = o
                .fields
                .iter()
                .filter(|f| n.field(&f.id).is_some())
                .map(|f| f.name.clone())
                .collect();
            let renames = n
                .fields
                .iter()
                .filter_map(|f| {
                    o.field(&f.id).map(|of| Rename {
                        key: (),
                        from: of.name.clone(),
                        to: f.name.clone(),
                    })
                })
                .collect();
            for r in rename::order(renames, &taken) {
                self.body.push(Step::RenameColumn {
                    table: n.name.clone(),
                    from: r.from,
                    to: r.to,
                });
            }
        }
    }

    /// Check and foreign key constraints, whose names are unique per table.
    fn rename_table_constraints(&mut self) {
        let (old, new) = (self.old, self.new);
        // A table the same in both, with the same foreign keys, keeps every
        // name: its names are made from it alone.
        let fks_changed: HashSet<&EntityId> = new
            .foreign_keys()
            .filter(|r| old.relationship(&r.id) != Some(*r))
            .map(|r| &r.from)
            .collect();
        for (o, n) in self.kept() {
            if !self.changed_ids.contains(&n.id) && !fks_changed.contains(&n.id) {
                continue;
            }
            // Primary key and unique constraints already carry their new names.
            let mut taken: HashSet<String> = HashSet::new();
            if n.primary_key.is_some() {
                taken.insert(new.primary_key_name(n));
            }
            taken.extend(n.uniques.iter().map(|u| new.unique_name(n, u)));
            let mut renames = Vec::new();
            for c in &n.checks {
                if let Some(oc) = o
                    .checks
                    .iter()
                    .find(|x| x.id == c.id && same_check(o, n, x, c))
                {
                    taken.insert(old.check_name(o, oc));
                    renames.push(Rename {
                        key: (),
                        from: old.check_name(o, oc),
                        to: new.check_name(n, c),
                    });
                }
            }
            for r in new.relationships_from(&n.id) {
                if let Some(or) = old.relationship(&r.id)
                    && !self.fk_goes(or)
                {
                    taken.insert(old.relationship_name(or));
                    renames.push(Rename {
                        key: (),
                        from: old.relationship_name(or),
                        to: new.relationship_name(r),
                    });
                }
            }
            for r in rename::order(renames, &taken) {
                self.body.push(Step::RenameConstraint {
                    table: n.name.clone(),
                    from: r.from,
                    to: r.to,
                });
            }
        }
    }

    // --- 6 to 9: enums, columns, keys -----------------------------------

    fn enums(&mut self) {
        let (old, new) = (self.old, self.new);
        for n in &new.enums {
            let Some(o) = old.enum_type(&n.id) else {
                self.body.push(Step::Ddl(Statement::CreateEnum {
                    name: n.name.clone(),
                    values: n.values.clone(),
                }));
                continue;
            };
            if let Some(temp) = self.rebuilt.get(&n.id) {
                self.body.push(Step::Ddl(Statement::CreateEnum {
                    name: temp.clone(),
                    values: n.values.clone(),
                }));
                continue;
            }
            let Some(added) = appended_values(&o.values, &n.values) else {
                continue;
            };
            let early = added.iter().any(|v| self.value_used_by_plan(&n.id, v));
            for (i, value) in n.values.iter().enumerate() {
                if !added.contains(value) {
                    continue;
                }
                let later_old = n.values[i + 1..].iter().any(|v| o.values.contains(v));
                let place = match (later_old, i) {
                    (false, _) => None,
                    (true, 0) => Some((Place::Before, o.values[0].clone())),
                    (true, _) => Some((Place::After, n.values[i - 1].clone())),
                };
                // Before the transaction the enum still has its old name.
                let (name, into) = if early {
                    (o.name.clone(), &mut self.before)
                } else {
                    (n.name.clone(), &mut self.body)
                };
                into.push(Step::AddEnumValue {
                    name,
                    value: value.clone(),
                    place,
                });
            }
        }
    }

    /// Whether the plan writes a default that uses a new label of an enum,
    /// which PostgreSQL refuses inside the transaction adding the label.
    fn value_used_by_plan(&self, id: &EnumId, value: &str) -> bool {
        let quoted = Literal(value).to_string();
        self.new.entities().any(|n| {
            let o = self.old.entity(&n.id);
            n.fields.iter().any(|f| {
                let uses = Self::enum_of(&f.ty, self.new).as_ref() == Some(id)
                    && match &f.default {
                        Some(DefaultValue::Text(t)) => t == value,
                        Some(DefaultValue::Expr(e)) => e.as_str().contains(&quoted),
                        None => false,
                    };
                let written = match o.and_then(|o| o.field(&f.id)) {
                    None => true,
                    Some(of) => of.default != f.default || self.retyped(of, f),
                };
                uses && written
            })
        })
    }

    fn alter_columns(&mut self) {
        for (o, n) in self.changed() {
            for nf in &n.fields {
                match o.field(&nf.id) {
                    None => self.add_column(n, nf),
                    Some(of) => self.alter_column(n, of, nf),
                }
            }
        }
    }

    fn add_column(&mut self, n: &Entity, nf: &Field) {
        if nf.not_null && nf.default.is_none() && nf.identity.is_none() {
            self.findings.add_not_null_column(&n.name, &nf.name);
        }
        let volatile =
            matches!(&nf.default, Some(DefaultValue::Expr(e)) if is_volatile(e.as_str()));
        if volatile || nf.identity.is_some() {
            self.findings.volatile_default(&n.name, &nf.name);
        }
        self.body.push(Step::AddColumn {
            table: n.name.clone(),
            column: Column {
                name: nf.name.clone(),
                ty: self.current_type(&nf.ty),
                not_null: nf.not_null,
                default: nf.default.clone(),
                identity: nf.identity,
            },
        });
    }

    /// The order matters: identity and default go before the type changes
    /// (an old default may not convert), NULLs are filled before NOT NULL,
    /// and an identity needs NOT NULL first.
    fn alter_column(&mut self, n: &Entity, of: &Field, nf: &Field) {
        let table = n.name.clone();
        let column = nf.name.clone();
        let retyped = self.retyped(of, nf);
        let to = self.current_type(&nf.ty);
        let using = retyped.then(|| using_clause(&of.ty, &to)).flatten();
        let default_changes = of.default != nf.default;
        let drop_default = of.default.is_some() && (default_changes || using.is_some());
        let set_default = nf.default.is_some() && (default_changes || drop_default);
        let at = || (table.clone(), column.clone());

        if of.identity.is_some() && nf.identity.is_none() {
            let (table, column) = at();
            self.body.push(Step::DropIdentity { table, column });
        }
        if drop_default {
            let (table, column) = at();
            self.body.push(Step::DropDefault { table, column });
        }
        if of.not_null && !nf.not_null {
            let (table, column) = at();
            self.body.push(Step::DropNotNull { table, column });
        }
        if retyped {
            match Self::enum_of(&of.ty, self.old) {
                Some(id)
                    if self.rebuilt.contains_key(&id)
                        && same_type(&of.ty, self.old, &nf.ty, self.new) =>
                {
                    let (Some(o), Some(n)) = (self.old.enum_type(&id), self.new.enum_type(&id))
                    else {
                        unreachable!("a rebuilt enum is in both designs")
                    };
                    let removed: Vec<String> = o
                        .values
                        .iter()
                        .filter(|v| !n.values.contains(v))
                        .cloned()
                        .collect();
                    self.findings
                        .rebuild_enum(&table, &column, &n.name, &removed);
                }
                _ if rewrites_table(&of.ty, &nf.ty) => {
                    self.findings.retype(&table, &column, &of.ty, &nf.ty);
                }
                _ => {}
            }
            let (table, column) = at();
            self.body.push(Step::AlterColumnType {
                table,
                column,
                ty: to,
                using,
            });
        }
        if set_default && let Some(default) = &nf.default {
            let (table, column) = at();
            self.body.push(Step::SetDefault {
                table,
                column,
                default: default.clone(),
            });
        }
        if !of.not_null && nf.not_null {
            if nf.default.is_some() {
                let (table, column) = at();
                self.body.push(Step::Backfill { table, column });
            } else {
                self.findings.set_not_null(&table, &column);
            }
            let (table, column) = at();
            self.body.push(Step::SetNotNull { table, column });
        }
        match (of.identity, nf.identity) {
            (None, Some(identity)) => {
                let (table, column) = at();
                self.body.push(Step::AddIdentity {
                    table,
                    column,
                    identity,
                });
            }
            (Some(a), Some(b)) if a != b => {
                let (table, column) = at();
                self.body.push(Step::SetIdentity {
                    table,
                    column,
                    identity: b,
                });
            }
            _ => {}
        }
    }

    fn add_constraints(&mut self) {
        let new = self.new;
        for (o, n) in self.changed() {
            let pk_fields = |e: &Entity| e.primary_key.as_ref().map(|k| k.fields.clone());
            if let Some(pk) = &n.primary_key
                && pk_fields(o) != pk_fields(n)
            {
                let name = new.primary_key_name(n);
                self.add_keyed(n, name, n.field_names(&pk.fields), true);
            }
            for u in &n.uniques {
                if !o
                    .uniques
                    .iter()
                    .any(|x| x.id == u.id && x.fields == u.fields)
                {
                    let name = new.unique_name(n, u);
                    self.add_keyed(n, name, n.field_names(&u.fields), false);
                }
            }
            for c in &n.checks {
                if !o
                    .checks
                    .iter()
                    .any(|x| x.id == c.id && same_check(o, n, x, c))
                {
                    self.body.push(Step::Ddl(Statement::AddConstraint {
                        table: n.name.clone(),
                        constraint: Constraint::Check {
                            name: new.check_name(n, c),
                            expr: c.expr.clone(),
                        },
                    }));
                }
            }
        }
    }

    /// A primary key or unique constraint on a table that stays: it builds
    /// an index, concurrently first when asked.
    fn add_keyed(&mut self, n: &Entity, name: String, columns: Vec<String>, primary_key: bool) {
        let table = n.name.clone();
        if self.options.concurrently {
            self.body.push(Step::CreateIndex {
                name: name.clone(),
                table: table.clone(),
                unique: true,
                method: Default::default(),
                columns,
                predicate: None,
                concurrently: true,
            });
            self.body.push(Step::AddConstraintUsingIndex {
                table,
                name,
                primary_key,
            });
            return;
        }
        self.findings.index_locks_writes(&table, &name);
        let constraint = if primary_key {
            Constraint::PrimaryKey { name, columns }
        } else {
            Constraint::Unique { name, columns }
        };
        self.body
            .push(Step::Ddl(Statement::AddConstraint { table, constraint }));
    }

    fn retire_enums(&mut self) {
        for (_, name) in std::mem::take(&mut self.dropped_enums) {
            self.body.push(Step::DropType { name });
        }
        for n in &self.new.enums {
            if let Some(temp) = self.rebuilt.get(&n.id) {
                self.body.push(Step::DropType {
                    name: n.name.clone(),
                });
                self.body.push(Step::RenameType {
                    from: temp.clone(),
                    to: n.name.clone(),
                });
            }
        }
    }

    // --- 10 to 13: creations --------------------------------------------

    /// New tables as `plinth ddl` writes them, so a migrated database and
    /// a fresh one match; their cycle-closing keys wait for phase 13.
    fn create_tables(&mut self) {
        let new_tables: HashSet<&str> = self
            .new
            .entities()
            .filter(|e| self.old.entity(&e.id).is_none())
            .map(|e| e.name.as_str())
            .collect();
        if new_tables.is_empty() {
            return;
        }
        for statement in create_statements(self.new) {
            let table = match &statement {
                Statement::CreateTable { name, .. } => name,
                Statement::CreateIndex { table, .. } | Statement::AddConstraint { table, .. } => {
                    table
                }
                Statement::Comment {
                    target: CommentTarget::Table(t) | CommentTarget::Column(t, _),
                    ..
                } => t,
                Statement::CreateEnum { .. } | Statement::Comment { .. } => continue,
            };
            if !new_tables.contains(table.as_str()) {
                continue;
            }
            if matches!(statement, Statement::AddConstraint { .. }) {
                self.deferred.push(Step::Ddl(statement));
            } else {
                self.body.push(Step::Ddl(statement));
            }
        }
    }

    fn create_indexes(&mut self) {
        let new = self.new;
        for (o, n) in self.changed() {
            for i in &n.indexes {
                if o.indexes
                    .iter()
                    .any(|x| x.id == i.id && same_index(o, n, x, i))
                {
                    continue;
                }
                let name = new.index_name(n, i);
                if !self.options.concurrently {
                    self.findings.index_locks_writes(&n.name, &name);
                }
                self.body.push(Step::CreateIndex {
                    name,
                    table: n.name.clone(),
                    unique: i.unique,
                    method: i.method,
                    columns: n.field_names(&i.fields),
                    predicate: i.predicate.clone(),
                    concurrently: self.options.concurrently,
                });
            }
        }
    }

    fn comments(&mut self) {
        let (old, new) = (self.old, self.new);
        for n in &new.enums {
            // A rebuilt enum is a new type: its comment goes on again.
            let before = old
                .enum_type(&n.id)
                .filter(|_| !self.rebuilt.contains_key(&n.id))
                .and_then(|o| o.comment.as_ref());
            if before != n.comment.as_ref() {
                self.body.push(Step::SetComment {
                    target: CommentTarget::Type(n.name.clone()),
                    text: n.comment.clone(),
                });
            }
        }
        for (o, n) in self.changed() {
            if o.comment != n.comment {
                self.body.push(Step::SetComment {
                    target: CommentTarget::Table(n.name.clone()),
                    text: n.comment.clone(),
                });
            }
            for nf in &n.fields {
                let before = o.field(&nf.id).and_then(|f| f.comment.as_ref());
                if before != nf.comment.as_ref() {
                    self.body.push(Step::SetComment {
                        target: CommentTarget::Column(n.name.clone(), nf.name.clone()),
                        text: nf.comment.clone(),
                    });
                }
            }
        }
    }

    fn add_foreign_keys(&mut self) {
        let (old, new) = (self.old, self.new);
        let deferred = std::mem::take(&mut self.deferred);
        self.body.extend(deferred);
        // The ordered walk only when some key of a kept table is added or
        // changes how it is checked.
        let stays = |r: &Relationship| {
            old.relationship(&r.id)
                .is_some_and(|o| o.deferrable == r.deferrable && !self.fk_goes(o))
        };
        if new
            .foreign_keys()
            .all(|r| !self.is_kept(&r.from) || stays(r))
        {
            return;
        }
        for r in new.relationships() {
            if !self.is_kept(&r.from) {
                continue;
            }
            let table = || {
                new.entity(&r.from)
                    .expect("relationship ends exist")
                    .name
                    .clone()
            };
            // A key that stays is not added again (which would check
            // every row again): only when it is checked changes, in place.
            if let Some(o) = old.relationship(&r.id).filter(|o| !self.fk_goes(o)) {
                if o.deferrable != r.deferrable {
                    let (table, name) = (table(), new.relationship_name(r));
                    self.body.push(Step::AlterConstraintDeferrable {
                        table,
                        name,
                        deferrable: r.deferrable,
                    });
                }
                continue;
            }
            let (table, name) = (table(), new.relationship_name(r));
            let constraint = foreign_key(new, r);
            if self.options.not_valid {
                self.body.push(Step::AddConstraintNotValid {
                    table: table.clone(),
                    constraint,
                });
                self.after.push(Step::ValidateConstraint { table, name });
            } else {
                self.findings.fk_validate(&table, &name);
                self.body
                    .push(Step::Ddl(Statement::AddConstraint { table, constraint }));
            }
        }
    }
}

/// Whether a default expression gives each row its own value, which makes
/// `ADD COLUMN` rewrite the table (PostgreSQL stores a constant default once).
fn is_volatile(expr: &str) -> bool {
    let lower = expr.to_ascii_lowercase();
    [
        "gen_random_uuid(",
        "uuid_generate_v",
        "random(",
        "clock_timestamp(",
        "timeofday(",
        "nextval(",
    ]
    .iter()
    .any(|f| lower.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_defaults_are_recognised() {
        assert!(is_volatile("gen_random_uuid()"));
        assert!(is_volatile("NEXTVAL('s')"));
        assert!(!is_volatile("now()"));
        assert!(!is_volatile("0"));
    }
}
