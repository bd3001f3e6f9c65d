//! The check engine: advice on a coherent design, each finding with a rule
//! id, a severity, a place, a hint and, where the fix is mechanical, the
//! edits that make it.
//!
//! Rules are pure functions of the design (`rules/<rule>.rs`, one per file)
//! and run on every edit, so each stays linear in the size of the design.

mod rule;
mod rules;
mod settings;

use std::collections::HashMap;

use crate::core::edit::Edit;
use crate::core::ids::{EntityId, IdGen};
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
/// in design order, the most severe first within an entity; those the design allows where they stand
/// are kept, marked with the reason, so reports can show them as such.
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
    let positions: HashMap<&EntityId, usize> = design
        .entities()
        .enumerate()
        .map(|(i, e)| (&e.id, i))
        .collect();
    findings.sort_by_cached_key(|f| {
        let at = f.location.entity().and_then(|e| positions.get(e).copied());
        (
            at.unwrap_or(usize::MAX),
            std::cmp::Reverse(f.severity),
            f.rule,
        )
    });
    findings
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
