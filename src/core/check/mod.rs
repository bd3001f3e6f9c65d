//! The check engine: advice on a coherent design, each finding with a rule
//! id, a severity, a place, a hint and, where the fix is mechanical, the
//! edits that make it.
//!
//! Rules are pure functions of the design (`rules/<rule>.rs`, one per file)
//! and run on every edit, so each stays linear in the size of the design.
//!
//! # One pass over the entities
//!
//! Most rules judge one entity at a time: its fields, keys and indexes, and
//! the foreign keys it holds together with the entities they reference.
//! These *entity rules* run in a single pass over the entities, every rule
//! on an entity before the pass moves on, so each entity is brought into
//! the cache once rather than once per rule. The few rules that need the
//! whole graph (cycles of relationships, entities no relationship joins,
//! singular names beside plural ones) are *design rules*, run once after
//! the pass; they are graph walks that read little of each entity.
//! `rules::kind` says which rule is which.
//!
//! [`check`] runs both. [`check_entities`] runs the entity rules on some
//! entities only, and [`check_design_level`] the design rules only;
//! [`merge`] puts their findings together in the order `check` gives.
//!
//! # Incremental checks
//!
//! An entity's entity-level findings depend only on the entity, the
//! foreign keys it holds, the entities those reference, and the settings;
//! and each lies in the entity it was found on (`finding.location.entity()`).
//! So a caller that keeps the findings of the last check in two parts, the
//! entity-level ones (from `check_entities` over every entity) and the
//! design-level ones (from `check_design_level`), re-checks after an edit
//! like this:
//!
//! 1. Work out the entities the edit touches, from the edit and from the
//!    inverse that [`Edit::apply`] returns (the inverse of a removal
//!    carries what was removed, relationships included):
//!    - every entity either of them names (adds, removes, renames or
//!      changes anything of: a field, key, constraint, index, dependency,
//!      allowance, junction mark);
//!    - both ends of every relationship either of them adds, removes or
//!      changes (look up a relationship named only by id in the design);
//!    - every entity that holds a foreign key to one of those, in the
//!      design after the edit (`Design::relationships_to`): its findings
//!      quote the names, types and keys of the entity it references;
//!    - for a batch, all of the above for each edit in it.
//!
//!    Edits to enums (renaming one renames the type of every field of it)
//!    and to the check settings change findings anywhere: run `check`.
//! 2. Drop the cached entity-level findings that lie in a touched entity,
//!    and add `check_entities(design, settings, ids, &touched)`. A removed
//!    entity is simply skipped, so its findings go.
//! 3. Re-run `check_design_level`: design rules always re-run, they are
//!    cheap passes over the graph.
//! 4. `merge(design, entity_level, design_level)` gives what `check` would
//!    give: the same findings in the same order, though fixes that add
//!    something carry other fresh ids.

pub mod incremental;
mod rule;
mod rules;
mod settings;
#[cfg(test)]
mod tests;

use std::cmp::Reverse;

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::NodeIndexable;

use crate::core::edit::Edit;
use crate::core::ids::{EntityId, IdGen};
use crate::core::model::{Design, Entity, Location};

pub use incremental::{Checked, Scope};
pub use rule::{Rule, Severity, UnknownRule};
pub use settings::{Allow, Level, Settings};

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub location: Location,
    pub message: String,
    pub hint: String,
    /// The edit that fixes it, when the fix is mechanical.
    pub fix: Option<Edit>,
    /// Why the design allows this finding here, when it does.
    pub allowed: Option<String>,
}

/// Runs every enabled rule. Fixes draw fresh ids from `ids`. Findings come
/// in design order, the most severe first within an entity; those the
/// design allows where they stand are kept, marked with the reason, so
/// reports can show them as such.
pub fn check(design: &Design, settings: &Settings, ids: &mut IdGen) -> Vec<Finding> {
    let entity_level = entity_pass(design, settings, ids, design.node_order());
    let design_level = design_rules(design, settings, ids);
    merge(design, entity_level, design_level)
}

/// The findings of the entity rules on these entities only, sorted as
/// `check` sorts them. Ids of entities the design no longer has are
/// skipped, and each entity is checked once however often it is named.
pub fn check_entities(
    design: &Design,
    settings: &Settings,
    ids: &mut IdGen,
    entities: &[EntityId],
) -> Vec<Finding> {
    let positions = positions(design);
    let mut nodes: Vec<NodeIndex> = entities.iter().filter_map(|id| design.node(id)).collect();
    nodes.sort_by_key(|n| positions[n.index()]);
    nodes.dedup();
    let mut found = entity_pass(design, settings, ids, &nodes);
    sort(design, &positions, &mut found);
    found
}

/// The findings of the design rules, the ones that need the whole graph,
/// sorted as `check` sorts them.
pub fn check_design_level(design: &Design, settings: &Settings, ids: &mut IdGen) -> Vec<Finding> {
    let mut found = design_rules(design, settings, ids);
    sort(design, &positions(design), &mut found);
    found
}

/// Entity-level and design-level findings together, in the order `check`
/// gives them (where one of each would tie, the entity-level one first).
pub fn merge(
    design: &Design,
    entity_level: Vec<Finding>,
    design_level: Vec<Finding>,
) -> Vec<Finding> {
    let mut all = entity_level;
    all.extend(design_level);
    sort(design, &positions(design), &mut all);
    all
}

/// Runs every enabled entity rule on each of these entities in turn.
fn entity_pass(
    design: &Design,
    settings: &Settings,
    ids: &mut IdGen,
    nodes: &[NodeIndex],
) -> Vec<Finding> {
    let enabled: Vec<(Severity, rules::EntityRule)> = Rule::ALL
        .iter()
        .filter_map(|&rule| Some((settings.severity(rule)?, rules::kind(rule).entity()?)))
        .collect();
    let graph = design.graph();
    let mut found = Vec::new();
    for &node in nodes {
        let entity = &graph[node];
        for &(severity, run) in &enabled {
            let start = found.len();
            run(design, entity, ids, &mut found);
            for finding in &mut found[start..] {
                debug_assert_eq!(finding.location.entity(), Some(&entity.id));
                finding.severity = severity;
                finding.allowed = allowance(entity, finding);
            }
        }
    }
    found
}

/// Runs every enabled design rule.
fn design_rules(design: &Design, settings: &Settings, ids: &mut IdGen) -> Vec<Finding> {
    let mut found = Vec::new();
    for &rule in Rule::ALL {
        let (Some(severity), Some(run)) = (settings.severity(rule), rules::kind(rule).design())
        else {
            continue;
        };
        for mut finding in run(design, ids) {
            finding.severity = severity;
            let entity = finding.location.entity().and_then(|e| design.entity(e));
            finding.allowed = entity.and_then(|e| allowance(e, &finding));
            found.push(finding);
        }
    }
    found
}

/// Each graph node's place in the design's order of entities.
fn positions(design: &Design) -> Vec<usize> {
    let mut positions = vec![usize::MAX; design.graph().node_bound()];
    for (i, node) in design.node_order().iter().enumerate() {
        positions[node.index()] = i;
    }
    positions
}

/// Design order, the most severe first within an entity, then by rule and
/// place. Stable, so findings that tie keep the order they came in.
fn sort(design: &Design, positions: &[usize], findings: &mut [Finding]) {
    let graph = design.graph();
    findings.sort_by_cached_key(|f| {
        let node = f.location.entity().and_then(|e| design.node(e));
        let at = node.map_or(usize::MAX, |n| positions[n.index()]);
        let place = node.map_or((0, 0), |n| place_in_entity(design, &graph[n], &f.location));
        (at, Reverse(f.severity), f.rule, place)
    });
}

/// Where a location sits inside its entity, so findings of one rule read
/// in the order of the entity's fields, indexes and keys.
fn place_in_entity(design: &Design, entity: &Entity, location: &Location) -> (u8, usize) {
    let position = |found: Option<usize>| found.unwrap_or(usize::MAX);
    match location {
        Location::Design | Location::Enum(_) | Location::Entity(_) => (0, 0),
        Location::PrimaryKey(_) => (1, 0),
        Location::Field(_, f) => (2, position(entity.field_position(f))),
        Location::Unique(_, u) => (3, position(entity.uniques.iter().position(|x| &x.id == u))),
        Location::Check(_, c) => (4, position(entity.checks.iter().position(|x| &x.id == c))),
        Location::Index(_, i) => (5, position(entity.indexes.iter().position(|x| &x.id == i))),
        Location::Relationship(_, r) => {
            let first = design.relationship(r).and_then(|r| r.fields.first());
            (6, position(first.and_then(|f| entity.field_position(f))))
        }
    }
}

/// The reason a finding in this entity is allowed: by its field, or by the
/// entity.
fn allowance(entity: &Entity, finding: &Finding) -> Option<String> {
    let reason = |allows: &[Allow]| {
        allows
            .iter()
            .find(|a| a.rule == finding.rule)
            .map(|a| a.reason.clone())
    };
    let by_field = match &finding.location {
        Location::Field(_, f) => entity.field(f).and_then(|f| reason(&f.allow)),
        _ => None,
    };
    by_field.or_else(|| reason(&entity.allow))
}

impl Finding {
    /// A finding at the rule's default severity; `check` applies settings.
    pub fn new(rule: Rule, location: Location, message: String, hint: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.default_severity(),
            location,
            message,
            hint: hint.into(),
            fix: None,
            allowed: None,
        }
    }

    pub fn with_fix(mut self, fix: Edit) -> Self {
        self.fix = Some(fix);
        self
    }
}
