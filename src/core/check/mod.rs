//! The check engine: advice on a coherent design, each finding with a rule
//! id, a severity, a place, a hint and, where the fix is mechanical, the
//! edits that make it.
//!
//! Rules are pure functions of the design (`rules/<rule>.rs`, one per file)
//! and run on every edit, so each stays linear in the size of the design.

mod rule;
mod rules;
mod settings;

use petgraph::visit::NodeIndexable;

use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Location};

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
    let mut findings = Vec::new();
    for &rule in Rule::ALL {
        let Some(severity) = settings.severity(rule) else {
            continue;
        };
        for mut finding in rules::run(rule, design, ids) {
            finding.severity = severity;
            finding.allowed = allowance(design, &finding);
            findings.push(finding);
        }
    }
    let mut positions = vec![usize::MAX; design.graph().node_bound()];
    for (i, node) in design.node_order().iter().enumerate() {
        positions[node.index()] = i;
    }
    findings.sort_by_cached_key(|f| {
        let node = f.location.entity().and_then(|e| design.node(e));
        let at = node.map_or(usize::MAX, |n| positions[n.index()]);
        (
            at,
            std::cmp::Reverse(f.severity),
            f.rule,
            place_in_entity(design, &f.location),
        )
    });
    findings
}

/// Where a location sits inside its entity, so findings of one rule read
/// in the order of the entity's fields, indexes and keys.
fn place_in_entity(design: &Design, location: &Location) -> (u8, usize) {
    let Some(entity) = location.entity().and_then(|e| design.entity(e)) else {
        return (0, 0);
    };
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

/// The reason a finding is allowed: by its field, or by its entity.
fn allowance(design: &Design, finding: &Finding) -> Option<String> {
    let entity = design.entity(finding.location.entity()?)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::check::rules::test_support::design;

    const NO_KEY: &str = r#"(name: "t", fields: [(name: "n", type: "text")])"#;

    fn rules_found(d: &Design) -> Vec<(Rule, Severity)> {
        check(d, &d.checks, &mut IdGen::seeded(1))
            .iter()
            .map(|f| (f.rule, f.severity))
            .collect()
    }

    #[test]
    fn settings_turn_rules_off_and_regrade_them() {
        let mut d = design(NO_KEY);
        assert!(rules_found(&d).contains(&(Rule::NoPrimaryKey, Severity::Error)));
        assert!(rules_found(&d).contains(&(Rule::MissingTimestamps, Severity::Info)));
        d.checks.levels.insert(Rule::NoPrimaryKey, Level::Off);
        d.checks
            .levels
            .insert(Rule::MissingTimestamps, Level::Error);
        let found = rules_found(&d);
        assert!(!found.iter().any(|(r, _)| *r == Rule::NoPrimaryKey));
        assert!(found.contains(&(Rule::MissingTimestamps, Severity::Error)));
    }

    #[test]
    fn an_entity_allowance_marks_its_findings_without_hiding_them() {
        let d = design(
            r#"(name: "t", fields: [(name: "n", type: "text")], allow: [(rule: "no-primary-key", reason: "a log")])"#,
        );
        let found = check(&d, &d.checks, &mut IdGen::seeded(1));
        let no_key = found.iter().find(|f| f.rule == Rule::NoPrimaryKey).unwrap();
        assert_eq!(no_key.allowed.as_deref(), Some("a log"));
        let timestamps = found
            .iter()
            .find(|f| f.rule == Rule::MissingTimestamps)
            .unwrap();
        assert_eq!(timestamps.allowed, None);
    }
}
