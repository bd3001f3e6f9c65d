//! One rule per file; `run` is the table that maps a rule to its code.

mod fk_missing_index;
mod missing_timestamps;
mod no_primary_key;

use super::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::Design;

pub(super) fn run(rule: Rule, design: &Design, ids: &mut IdGen) -> Vec<Finding> {
    match rule {
        Rule::NoPrimaryKey => no_primary_key::check(design, ids),
        Rule::FkMissingIndex => fk_missing_index::check(design, ids),
        Rule::MissingTimestamps => missing_timestamps::check(design, ids),
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
