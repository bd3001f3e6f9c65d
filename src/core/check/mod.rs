//! The check engine: advice on a coherent design, each finding with a rule
//! id, a severity, a place, a hint and, where the fix is mechanical, the
//! edits that make it.
//!
//! Rules are pure functions of the design (`rules/<rule>.rs`, one per file)
//! and run on every edit, so each stays linear in the size of the design.

mod rule;
mod rules;

use std::collections::{BTreeMap, HashMap};

use crate::core::edit::Edit;
use crate::core::ids::{EntityId, IdGen};
use crate::core::model::{Design, Location};

pub use rule::{Rule, Severity, UnknownRule};

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub location: Location,
    pub message: String,
    pub hint: String,
    /// The edit that fixes it, when the fix is mechanical.
    pub fix: Option<Edit>,
}

/// Which rules run, and how loud: a rule can be turned off or re-graded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    pub levels: BTreeMap<Rule, Option<Severity>>,
}

impl Settings {
    /// The severity a rule reports at, or `None` when it is off.
    pub fn level(&self, rule: Rule) -> Option<Severity> {
        self.levels
            .get(&rule)
            .copied()
            .unwrap_or(Some(rule.default_severity()))
    }
}

/// Runs every enabled rule. Fixes draw fresh ids from `ids`. Findings come
/// in design order, then by rule.
pub fn check(design: &Design, settings: &Settings, ids: &mut IdGen) -> Vec<Finding> {
    let mut findings = Vec::new();
    for &rule in Rule::ALL {
        let Some(severity) = settings.level(rule) else {
            continue;
        };
        let mut found = rules::run(rule, design, ids);
        for f in &mut found {
            f.severity = severity;
        }
        findings.extend(found);
    }
    let positions: HashMap<&EntityId, usize> = design
        .entities()
        .enumerate()
        .map(|(i, e)| (&e.id, i))
        .collect();
    findings.sort_by_cached_key(|f| {
        let at = f.location.entity().and_then(|e| positions.get(e).copied());
        (at.unwrap_or(usize::MAX), f.rule)
    });
    findings
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
        }
    }

    pub fn with_fix(mut self, fix: Edit) -> Self {
        self.fix = Some(fix);
        self
    }
}
