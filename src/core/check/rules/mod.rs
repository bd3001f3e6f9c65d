//! One rule per file; `kind` is the table that says how the engine runs
//! each one.
//!
//! Most rules are *entity rules*, `check_entity(design, entity, ids, out)`:
//! they look at one entity, the foreign keys it holds and the entities
//! those reference, and push what they find (always located in that
//! entity) onto `out`. The engine runs every one of them on an entity
//! before it moves to the next, so each entity is read from memory once.
//! The few rules that need the whole graph are *design rules*,
//! `check(design, ids)`, run once after the pass.

mod cascade_cycle;
mod cascade_unspecified;
mod cycles;
mod default_type_mismatch;
mod duplicate_index;
mod fk_cycle;
mod fk_missing_index;
mod fk_target_not_unique;
mod fk_type_mismatch;
mod identifier_too_long;
mod junction_without_key;
mod missing_timestamps;
mod money_as_float;
mod multi_valued_field;
mod naming_style;
mod no_primary_key;
pub mod normal_form;
mod nullable_boolean;
mod nullable_fk_not_intended;
mod orphan_entity;
mod pk_not_uuid;
mod redundant_field;
mod redundant_index;
mod repeating_group;
mod reserved_word;
mod text_for_short_code;
mod timestamp_without_tz;
mod transitive_dependency;
mod unique_natural_key;
mod varchar_for_long_text;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Index, Relationship, Unique};

/// A rule over one entity: pushes its findings there onto `out`.
pub(super) type EntityRule = fn(&Design, &Entity, &mut IdGen, &mut Vec<Finding>);

/// A rule over the whole design.
pub(super) type DesignRule = fn(&Design, &mut IdGen) -> Vec<Finding>;

/// How the engine runs a rule.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// In the pass over the entities, on each entity in turn.
    Entity(EntityRule),
    /// Once, after the pass.
    Design(DesignRule),
    /// A part of each: `naming-style` judges each name on its own, and
    /// singular beside plural names across the design.
    Both(EntityRule, DesignRule),
}

impl Kind {
    pub(super) fn entity(self) -> Option<EntityRule> {
        match self {
            Kind::Entity(run) | Kind::Both(run, _) => Some(run),
            Kind::Design(_) => None,
        }
    }

    pub(super) fn design(self) -> Option<DesignRule> {
        match self {
            Kind::Design(run) | Kind::Both(_, run) => Some(run),
            Kind::Entity(_) => None,
        }
    }
}

pub(super) fn kind(rule: Rule) -> Kind {
    use Kind::{Both, Design, Entity};
    match rule {
        Rule::NoPrimaryKey => Entity(no_primary_key::check_entity),
        Rule::FkMissingIndex => Entity(fk_missing_index::check_entity),
        Rule::MissingTimestamps => Entity(missing_timestamps::check_entity),
        Rule::PkNotUuid => Entity(pk_not_uuid::check_entity),
        Rule::FkTypeMismatch => Entity(fk_type_mismatch::check_entity),
        Rule::FkTargetNotUnique => Entity(fk_target_not_unique::check_entity),
        Rule::DuplicateIndex => Entity(duplicate_index::check_entity),
        Rule::RedundantIndex => Entity(redundant_index::check_entity),
        Rule::MoneyAsFloat => Entity(money_as_float::check_entity),
        Rule::TimestampWithoutTz => Entity(timestamp_without_tz::check_entity),
        Rule::NullableBoolean => Entity(nullable_boolean::check_entity),
        Rule::UniqueNaturalKey => Entity(unique_natural_key::check_entity),
        Rule::ReservedWord => Entity(reserved_word::check_entity),
        Rule::OrphanEntity => Design(orphan_entity::check),
        Rule::CascadeCycle => Design(cascade_cycle::check),
        Rule::FkCycle => Design(fk_cycle::check),
        Rule::CascadeUnspecified => Entity(cascade_unspecified::check_entity),
        Rule::JunctionWithoutKey => Entity(junction_without_key::check_entity),
        Rule::NullableFkNotIntended => Entity(nullable_fk_not_intended::check_entity),
        Rule::IdentifierTooLong => Entity(identifier_too_long::check_entity),
        Rule::NamingStyle => Both(naming_style::check_entity, naming_style::check),
        Rule::VarcharForLongText => Entity(varchar_for_long_text::check_entity),
        Rule::TextForShortCode => Entity(text_for_short_code::check_entity),
        Rule::RepeatingGroup => Entity(repeating_group::check_entity),
        Rule::MultiValuedField => Entity(multi_valued_field::check_entity),
        Rule::RedundantField => Entity(redundant_field::check_entity),
        Rule::TransitiveDependency => Entity(transitive_dependency::check_entity),
        Rule::NormalForm => Entity(normal_form::check_entity),
        Rule::DefaultTypeMismatch => Entity(default_type_mismatch::check_entity),
    }
}

/// The foreign keys an entity holds, each with the entity it references,
/// in no particular order (the engine sorts findings). One id lookup for
/// the entity; the parents come straight from the graph.
fn foreign_keys<'d>(
    design: &'d Design,
    entity: &Entity,
) -> impl Iterator<Item = (&'d Relationship, &'d Entity)> {
    let graph = design.graph();
    design
        .node(&entity.id)
        .into_iter()
        .flat_map(move |n| graph.edges_directed(n, Direction::Outgoing))
        .map(move |e| (&**e.weight(), &*graph[e.target()]))
}

/// Whether a name is one of these lower-case words, in any case, without
/// allocating: rules run this for every field on every edit.
fn name_in(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| w.eq_ignore_ascii_case(name))
}

/// Whether a name ends with this lower-case ending, in any case, without
/// allocating.
fn ends_with_ignoring_case(name: &str, ending: &str) -> bool {
    name.len() >= ending.len()
        && name.as_bytes()[name.len() - ending.len()..].eq_ignore_ascii_case(ending.as_bytes())
}

/// What an index over some fields belongs to: the primary key, a unique
/// constraint or an index of its own. Named only when a finding is written.
#[derive(Clone, Copy)]
enum Indexed<'a> {
    PrimaryKey,
    Unique(&'a Unique),
    Index(&'a Index),
}

impl Indexed<'_> {
    fn describe(self, design: &Design, e: &Entity) -> String {
        match self {
            Indexed::PrimaryKey => "the primary key".to_owned(),
            Indexed::Unique(u) => format!("unique constraint `{}`", design.unique_name(e, u)),
            Indexed::Index(i) => format!("index `{}`", design.index_name(e, i)),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! `check_ok`, `check_finds` and `fix_clears`, in the manner of squawk's
    //! lint test helpers: a rule test is a design in RON and an expectation.

    use super::*;
    use crate::core::check::Settings;

    pub fn design(source: &str) -> Design {
        let text =
            format!("#![enable(implicit_some)]\n(format: 1, name: \"t\", entities: [{source}])");
        crate::file::parse(&text, &mut IdGen::seeded(1))
            .unwrap_or_else(|(p, m)| panic!("{}:{}: {m}", p.line, p.col))
    }

    fn findings(rule: Rule, design: &Design) -> Vec<Finding> {
        let settings = Settings::default();
        crate::core::check::check(design, &settings, &mut IdGen::seeded(2))
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    pub fn check_ok(rule: Rule, source: &str) {
        let found = findings(rule, &design(source));
        assert!(found.is_empty(), "{rule} should not fire: {found:#?}");
    }

    /// Asserts the rule fires at exactly these places (described with names).
    pub fn check_finds(rule: Rule, source: &str, places: &[&str]) -> Vec<Finding> {
        let d = design(source);
        let found = findings(rule, &d);
        let at: Vec<String> = found.iter().map(|f| f.location.describe(&d)).collect();
        assert_eq!(at, places, "{rule}: {found:#?}");
        found
    }

    /// Applies every fix the rule offers: the findings go; undoing the
    /// fixes brings them back.
    pub fn fix_clears(rule: Rule, source: &str) {
        let mut d = design(source);
        let before = findings(rule, &d);
        assert!(!before.is_empty(), "{rule} has nothing to fix");
        let mut undo = Vec::new();
        for f in &before {
            let fix = f
                .fix
                .as_ref()
                .unwrap_or_else(|| panic!("{rule} offers no fix: {f:#?}"));
            undo.push(fix.apply(&mut d).expect("a fix applies"));
        }
        assert_eq!(findings(rule, &d), vec![], "{rule}: fixes leave findings");
        for inverse in undo.into_iter().rev() {
            inverse.apply(&mut d).unwrap();
        }
        assert_eq!(findings(rule, &d).len(), before.len());
    }
}
