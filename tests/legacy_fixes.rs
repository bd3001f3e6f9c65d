//! The mechanical fixes on `designs/legacy.ron`: each removes the finding
//! it addresses, and undoing it brings the finding back.

use std::path::Path;

use plinth::core::check::{Finding, check};
use plinth::core::ids::IdGen;
use plinth::core::model::Design;

fn legacy() -> Design {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("designs/legacy.ron");
    plinth::file::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn findings(design: &Design) -> Vec<Finding> {
    check(design, &design.checks, &mut IdGen::seeded(7))
}

/// The same finding: rule and place (fixes carry fresh ids, so whole
/// findings are not compared).
fn same(a: &Finding, b: &Finding) -> bool {
    a.rule == b.rule && a.location == b.location
}

#[test]
fn each_fix_clears_its_finding_and_undo_restores_it() {
    let original = legacy();
    let before = findings(&original);
    let fixable: Vec<&Finding> = before.iter().filter(|f| f.fix.is_some()).collect();
    assert!(
        fixable.len() >= 10,
        "legacy.ron should offer many fixes, has {}",
        fixable.len()
    );
    for finding in fixable {
        let mut design = original.clone();
        let undo = finding
            .fix
            .as_ref()
            .unwrap()
            .apply(&mut design)
            .unwrap_or_else(|e| {
                panic!(
                    "fix for {} at {:?} refused: {e}",
                    finding.rule, finding.location
                )
            });
        let after = findings(&design);
        assert!(
            !after.iter().any(|f| same(f, finding)),
            "{} at {} survives its fix",
            finding.rule,
            finding.location.describe(&original)
        );
        undo.apply(&mut design).unwrap();
        assert_eq!(design, original);
        assert!(findings(&design).iter().any(|f| same(f, finding)));
    }
}

#[test]
fn applying_every_fix_in_turn_leaves_only_findings_without_one() {
    let mut design = legacy();
    let mut undo = Vec::new();
    // Fixes are recomputed after each step, since one fix can change
    // another's finding; one id source keeps their new ids apart.
    let mut ids = IdGen::seeded(8);
    let fixes =
        |d: &Design, ids: &mut IdGen| check(d, &d.checks, ids).into_iter().find_map(|f| f.fix);
    while let Some(fix) = fixes(&design, &mut ids) {
        undo.push(fix.apply(&mut design).expect("a fix applies"));
        assert!(undo.len() < 200, "fixes do not converge");
    }
    assert!(findings(&design).iter().all(|f| f.fix.is_none()));
    for inverse in undo.into_iter().rev() {
        inverse.apply(&mut design).unwrap();
    }
    assert_eq!(
        design,
        legacy(),
        "undoing every fix gives back the file's design"
    );
}
