//! Taking the version on disk of a design that changed under the
//! designer, as one undoable step, so the user's own version is one `u`
//! away rather than gone.

use crate::core::edit::Edit;
use crate::core::model::Design;

/// The edit that turns `current` into `disk`: every entity and enum of
/// `current` removed (their relationships with them), then those of
/// `disk` added in order with their relationships and check settings.
/// The design's own name and comment are not edits; the caller copies
/// them (the designer cannot change them, so no work of the user's is
/// in them).
pub fn replace_with(current: &Design, disk: &Design) -> Edit {
    let mut edits: Vec<Edit> = current
        .entities()
        .map(|e| Edit::RemoveEntity { id: e.id.clone() })
        .collect();
    edits.extend(
        current
            .enums
            .iter()
            .map(|e| Edit::RemoveEnum { id: e.id.clone() }),
    );
    edits.extend(disk.enums.iter().enumerate().map(|(at, e)| Edit::AddEnum {
        enum_type: e.clone(),
        at,
    }));
    edits.extend(disk.entities().enumerate().map(|(at, e)| Edit::AddEntity {
        entity: Box::new(e.clone()),
        at,
    }));
    edits.extend(disk.relationships().map(|r| Edit::AddRelationship {
        relationship: r.clone(),
    }));
    edits.push(Edit::SetCheckSettings {
        settings: disk.checks.clone(),
    });
    Edit::Batch(edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::testing::Gen;

    #[test]
    fn the_edit_gives_the_disk_version_and_its_inverse_gives_ours_back() {
        for seed in 0..40 {
            let ours = Gen::new(seed).design(6);
            let mut theirs = Gen::new(seed + 1000).design(6);
            theirs.name = ours.name.clone();
            theirs.comment = ours.comment.clone();
            let mut design = ours.clone();
            let inverse = replace_with(&ours, &theirs)
                .apply(&mut design)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert_eq!(design, theirs, "seed {seed}");
            inverse.apply(&mut design).unwrap();
            assert_eq!(design, ours, "seed {seed}");
        }
    }
}
