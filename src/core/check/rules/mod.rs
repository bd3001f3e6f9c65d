//! One rule per file; `run` is the table that maps a rule to its code.

mod cascade_cycle;
mod cascade_unspecified;
mod cycles;
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

use super::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::Design;

/// Whether a name is one of these lower-case words, in any case, without
/// allocating: rules run this for every field on every edit.
fn name_in(name: &str, words: &[&str]) -> bool {
    words.iter().any(|w| w.eq_ignore_ascii_case(name))
}

pub(super) fn run(rule: Rule, design: &Design, ids: &mut IdGen) -> Vec<Finding> {
    match rule {
        Rule::NoPrimaryKey => no_primary_key::check(design, ids),
        Rule::FkMissingIndex => fk_missing_index::check(design, ids),
        Rule::MissingTimestamps => missing_timestamps::check(design, ids),
        Rule::PkNotUuid => pk_not_uuid::check(design, ids),
        Rule::FkTypeMismatch => fk_type_mismatch::check(design, ids),
        Rule::FkTargetNotUnique => fk_target_not_unique::check(design, ids),
        Rule::DuplicateIndex => duplicate_index::check(design, ids),
        Rule::RedundantIndex => redundant_index::check(design, ids),
        Rule::MoneyAsFloat => money_as_float::check(design, ids),
        Rule::TimestampWithoutTz => timestamp_without_tz::check(design, ids),
        Rule::NullableBoolean => nullable_boolean::check(design, ids),
        Rule::UniqueNaturalKey => unique_natural_key::check(design, ids),
        Rule::ReservedWord => reserved_word::check(design, ids),
        Rule::OrphanEntity => orphan_entity::check(design, ids),
        Rule::CascadeCycle => cascade_cycle::check(design, ids),
        Rule::FkCycle => fk_cycle::check(design, ids),
        Rule::CascadeUnspecified => cascade_unspecified::check(design, ids),
        Rule::JunctionWithoutKey => junction_without_key::check(design, ids),
        Rule::NullableFkNotIntended => nullable_fk_not_intended::check(design, ids),
        Rule::IdentifierTooLong => identifier_too_long::check(design, ids),
        Rule::NamingStyle => naming_style::check(design, ids),
        Rule::VarcharForLongText => varchar_for_long_text::check(design, ids),
        Rule::TextForShortCode => text_for_short_code::check(design, ids),
        Rule::RepeatingGroup => repeating_group::check(design, ids),
        Rule::MultiValuedField => multi_valued_field::check(design, ids),
        Rule::RedundantField => redundant_field::check(design, ids),
        Rule::TransitiveDependency => transitive_dependency::check(design, ids),
        Rule::NormalForm => normal_form::check(design, ids),
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
