//! The engine: settings and allowances, and that checking some entities,
//! the design-level rules apart, and merging the two give what a full
//! check gives.

use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::core::check::rules::test_support::design;
use crate::core::testing::Gen;

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

fn legacy() -> Design {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/legacy.ron");
    crate::file::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// A generated design with findings of many kinds: random edits on top of
/// the clean, uniform synthetic one.
fn edited_synthetic(seed: u64) -> Design {
    let mut d = crate::core::synthetic::design(300, seed);
    let mut random = Gen::new(seed);
    let mut applied = 0;
    while applied < 60 {
        let edit = random.edit(&d);
        if edit.apply(&mut d).is_ok() {
            applied += 1;
        }
    }
    d
}

fn all_entities(d: &Design) -> Vec<EntityId> {
    d.entities().map(|e| e.id.clone()).collect()
}

/// What a finding says, without the fresh ids its fix draws: runs that
/// draw them in another order give other ids.
type Shape = (
    Rule,
    Severity,
    Location,
    String,
    String,
    Option<String>,
    Option<&'static str>,
);

fn shapes(found: &[Finding]) -> Vec<Shape> {
    found
        .iter()
        .map(|f| {
            (
                f.rule,
                f.severity,
                f.location.clone(),
                f.message.clone(),
                f.hint.clone(),
                f.allowed.clone(),
                f.fix.as_ref().map(Edit::describe),
            )
        })
        .collect()
}

/// `check` is the entity rules over every entity and the design rules,
/// merged: the very same findings, fixes included, when ids are drawn from
/// the same source (the entities are checked in design order whatever
/// order they are named in).
fn assert_split_is_whole(d: &Design) {
    let whole = check(d, &d.checks, &mut IdGen::seeded(3));
    let mut ids = IdGen::seeded(3);
    let mut everyone = all_entities(d);
    everyone.reverse();
    let entity_level = check_entities(d, &d.checks, &mut ids, &everyone);
    let design_level = check_design_level(d, &d.checks, &mut ids);
    assert!(!design_level.is_empty() && !entity_level.is_empty());
    assert_eq!(merge(d, entity_level, design_level), whole);
}

/// `check_entities` on some entities gives exactly the entity-level
/// findings of `check` that lie in them, in the same order.
fn assert_subset_is_part_of_whole(d: &Design, subset: &[EntityId]) {
    let whole = check(d, &d.checks, &mut IdGen::seeded(3));
    let mut entity_level = whole.clone();
    for f in check_design_level(d, &d.checks, &mut IdGen::seeded(3)) {
        let at = entity_level.iter().position(|g| *g == f).unwrap();
        entity_level.remove(at);
    }
    let expected: Vec<Finding> = entity_level
        .into_iter()
        .filter(|f| f.location.entity().is_some_and(|e| subset.contains(e)))
        .collect();
    assert!(!expected.is_empty());
    let found = check_entities(d, &d.checks, &mut IdGen::seeded(4), subset);
    assert_eq!(shapes(&found), shapes(&expected));
}

#[test]
fn check_is_the_merge_of_entity_and_design_level_findings() {
    assert_split_is_whole(&legacy());
    for seed in 0..4 {
        assert_split_is_whole(&edited_synthetic(seed));
    }
}

#[test]
fn checking_some_entities_gives_their_part_of_a_full_check() {
    let d = legacy();
    let every_other: Vec<EntityId> = all_entities(&d).into_iter().step_by(2).collect();
    assert_subset_is_part_of_whole(&d, &every_other);
    for seed in 0..4 {
        let d = edited_synthetic(seed);
        // Some entities, and some of those with findings.
        let mut some: Vec<EntityId> = all_entities(&d).into_iter().step_by(7).collect();
        let found = check(&d, &d.checks, &mut IdGen::seeded(1));
        some.extend(
            found
                .iter()
                .step_by(3)
                .filter_map(|f| f.location.entity().cloned()),
        );
        // Named twice, or gone from the design: each is checked at most once.
        some.push(some[0].clone());
        some.push(EntityId::from("e-gone"));
        assert_subset_is_part_of_whole(&d, &some);
    }
}

#[test]
fn design_rules_are_few_and_naming_style_has_a_part_of_each_kind() {
    let design_level: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|&r| rules::kind(r).design().is_some())
        .collect();
    assert_eq!(
        design_level,
        [
            Rule::OrphanEntity,
            Rule::CascadeCycle,
            Rule::FkCycle,
            Rule::NamingStyle
        ]
    );
    assert!(rules::kind(Rule::NamingStyle).entity().is_some());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Re-checking only the entities each edit touches, and the design
    /// rules, keeps the findings equal to a full check after every edit:
    /// through `Scope::of` and `Checked::recheck`, as the designer does.
    #[test]
    fn incremental_rechecks_match_a_full_check(seed in any::<u64>(), steps in 1usize..30) {
        let mut random = Gen::new(seed);
        let mut d = random.design(8);
        let mut ids = IdGen::seeded(seed);
        let mut checked = Checked::default();
        checked.recheck(&d, &d.checks.clone(), &mut ids, &Scope::Everything);
        for _ in 0..steps {
            let edit = random.edit(&d);
            let Ok(inverse) = edit.apply(&mut d) else {
                continue;
            };
            let scope = Scope::of(&d, &edit, &inverse);
            let settings = d.checks.clone();
            let incremental = checked.recheck(&d, &settings, &mut ids, &scope);
            let full = check(&d, &d.checks, &mut ids);
            prop_assert_eq!(shapes(&incremental), shapes(&full), "after {:?}", edit);
        }
    }
}
