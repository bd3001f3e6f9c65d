//! Undo and redo: every applied [`Edit`] kept with its inverse, without a
//! limit, and the revision that was last saved, so "modified" is simply
//! "the current revision is not the saved one" (helix's
//! `Document::is_modified`).
//!
//! Each step gets a revision number that is never reused, so undoing to the
//! saved state reads as unmodified while making a different change from
//! there does not, even though the stacks have the same depth.

use crate::core::edit::{Edit, EditError};
use crate::core::model::Design;

/// One applied edit and what undoes it.
#[derive(Clone, Debug, PartialEq)]
struct Step {
    edit: Edit,
    inverse: Edit,
    /// The revision the design is at once this step is applied.
    revision: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// The last revision handed out; 0 is the design as opened.
    last: u64,
    /// The revision that matches the file on disk; `None` when no revision
    /// does (a design restored from a recovery file, say).
    saved: Option<u64>,
    /// Which stack the last apply, undo or redo pushed onto.
    moved: Option<Moved>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Moved {
    Undo,
    Redo,
}

impl Default for History {
    fn default() -> Self {
        History::new()
    }
}

impl History {
    /// An empty history whose starting point is what is on disk.
    pub fn new() -> Self {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            last: 0,
            saved: Some(0),
            moved: None,
        }
    }

    /// An empty history whose starting point is not on disk: the design is
    /// modified until it is saved.
    pub fn unsaved() -> Self {
        History {
            saved: None,
            ..History::new()
        }
    }

    /// Applies an edit as one undo step. A refused edit changes nothing,
    /// not even the redo stack.
    pub fn apply(&mut self, edit: Edit, design: &mut Design) -> Result<(), EditError> {
        let inverse = edit.apply(design)?;
        self.record(edit, inverse);
        Ok(())
    }

    /// Records an edit the caller has applied, with the inverse it returned.
    pub fn record(&mut self, edit: Edit, inverse: Edit) {
        self.last += 1;
        self.undo.push(Step {
            edit,
            inverse,
            revision: self.last,
        });
        self.redo.clear();
        self.moved = Some(Moved::Undo);
    }

    /// Undoes the newest step and returns what it was ("add field"), or
    /// `None` when there is nothing to undo.
    pub fn undo(&mut self, design: &mut Design) -> Option<Result<&'static str, EditError>> {
        let step = self.undo.pop()?;
        match step.inverse.apply(design) {
            Ok(redo) => {
                let what = step.edit.describe();
                self.redo.push(Step {
                    edit: redo,
                    inverse: step.inverse,
                    revision: step.revision,
                });
                self.moved = Some(Moved::Redo);
                Some(Ok(what))
            }
            Err(e) => {
                self.undo.push(step);
                Some(Err(e))
            }
        }
    }

    /// Redoes the newest undone step and returns what it was, or `None`
    /// when there is nothing to redo.
    pub fn redo(&mut self, design: &mut Design) -> Option<Result<&'static str, EditError>> {
        let step = self.redo.pop()?;
        match step.edit.apply(design) {
            Ok(inverse) => {
                let what = step.edit.describe();
                self.undo.push(Step {
                    edit: step.edit,
                    inverse,
                    revision: step.revision,
                });
                self.moved = Some(Moved::Undo);
                Some(Ok(what))
            }
            Err(e) => {
                self.redo.push(step);
                Some(Err(e))
            }
        }
    }

    /// The revision the design is at: 0 as opened, then a fresh number for
    /// every step applied.
    pub fn revision(&self) -> u64 {
        self.undo.last().map_or(0, |s| s.revision)
    }

    /// Records that the design at `revision` is what the file now holds.
    pub fn mark_saved(&mut self, revision: u64) {
        self.saved = Some(revision);
    }

    /// Whether the design differs from the file it was opened from or last
    /// saved to.
    pub fn is_modified(&self) -> bool {
        self.saved != Some(self.revision())
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// How many steps can be undone.
    /// The step the last apply, undo or redo moved, as (the edit that was
    /// applied, its inverse): what a re-check needs to know was touched.
    pub fn last_change(&self) -> Option<(&Edit, &Edit)> {
        let step = match self.moved? {
            Moved::Undo => self.undo.last()?,
            Moved::Redo => self.redo.last()?,
        };
        Some(match self.moved? {
            Moved::Undo => (&step.edit, &step.inverse),
            // An undo applied the step's inverse; its inverse is the edit.
            Moved::Redo => (&step.inverse, &step.edit),
        })
    }

    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// How many steps can be redone.
    pub fn redo_depth(&self) -> usize {
        self.redo.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ids::IdGen;
    use crate::core::model::{Entity, Field, SqlType};
    use crate::core::starter::starter_design;

    fn setup() -> (Design, IdGen) {
        let mut ids = IdGen::seeded(3);
        (starter_design("app", &mut ids), ids)
    }

    fn add_entity(ids: &mut IdGen, name: &str) -> Edit {
        Edit::AddEntity {
            entity: Box::new(Entity::new(ids.entity(), name)),
            at: usize::MAX,
        }
    }

    #[test]
    fn undo_and_redo_walk_the_steps_and_track_modified() {
        let (mut design, mut ids) = setup();
        let original = design.clone();
        let mut history = History::new();
        assert!(!history.is_modified());
        assert!(history.undo(&mut design).is_none());

        history
            .apply(add_entity(&mut ids, "orders"), &mut design)
            .unwrap();
        history
            .apply(add_entity(&mut ids, "tags"), &mut design)
            .unwrap();
        let both = design.clone();
        assert!(history.is_modified());
        assert_eq!(history.undo_depth(), 2);

        assert_eq!(history.undo(&mut design), Some(Ok("add entity")));
        assert_eq!(history.undo(&mut design), Some(Ok("add entity")));
        assert_eq!(design, original);
        assert!(!history.is_modified(), "back at the saved revision");
        assert!(history.undo(&mut design).is_none());

        assert_eq!(history.redo(&mut design), Some(Ok("add entity")));
        assert_eq!(history.redo(&mut design), Some(Ok("add entity")));
        assert_eq!(design, both);
        assert!(history.redo(&mut design).is_none());
        assert!(history.is_modified());
    }

    #[test]
    fn a_new_edit_clears_redo_and_a_different_state_at_the_same_depth_is_modified() {
        let (mut design, mut ids) = setup();
        let mut history = History::new();
        history
            .apply(add_entity(&mut ids, "orders"), &mut design)
            .unwrap();
        history.mark_saved(history.revision());
        assert!(!history.is_modified());

        history.undo(&mut design).unwrap().unwrap();
        assert!(history.is_modified());
        history
            .apply(add_entity(&mut ids, "tags"), &mut design)
            .unwrap();
        assert!(!history.can_redo());
        assert_eq!(history.undo_depth(), 1);
        assert!(
            history.is_modified(),
            "same depth as the save, different design"
        );
    }

    #[test]
    fn a_refused_edit_leaves_history_and_design_alone() {
        let (mut design, mut ids) = setup();
        let mut history = History::new();
        history
            .apply(add_entity(&mut ids, "orders"), &mut design)
            .unwrap();
        history.undo(&mut design).unwrap().unwrap();
        let before = (design.clone(), history.clone());
        let users = design.entity_named("users").unwrap().id.clone();
        let clash = Edit::AddField {
            entity: users,
            field: Field::new(ids.field(), "email", SqlType::Text),
            at: 0,
        };
        assert!(history.apply(clash, &mut design).is_err());
        assert_eq!((design, history), before);
    }

    #[test]
    fn an_unsaved_history_is_modified_until_saved() {
        let (mut design, mut ids) = setup();
        let mut history = History::unsaved();
        assert!(history.is_modified());
        history
            .apply(add_entity(&mut ids, "orders"), &mut design)
            .unwrap();
        history.undo(&mut design).unwrap().unwrap();
        assert!(history.is_modified(), "no revision matches the disk");
        history.mark_saved(history.revision());
        assert!(!history.is_modified());
    }

    #[test]
    fn many_steps_undo_back_to_the_start() {
        let (mut design, mut ids) = setup();
        let original = design.clone();
        let mut history = History::new();
        for k in 0..500 {
            history
                .apply(add_entity(&mut ids, &format!("t{k}")), &mut design)
                .unwrap();
        }
        while history.can_undo() {
            history.undo(&mut design).unwrap().unwrap();
        }
        assert_eq!(design, original);
        assert_eq!(history.redo_depth(), 500);
    }
}
