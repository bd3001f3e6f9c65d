//! `cascade-unspecified`: what happens to the children when a parent row
//! is deleted is a decision about the data (do orders go with their
//! customer, or keep the customer alive?). Left at PostgreSQL's default,
//! nobody decided; the design should say so on purpose, even when the
//! answer is NO ACTION. There is no mechanical fix: the choice is the point.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};

pub fn check_entity(design: &Design, child: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for (r, parent) in super::foreign_keys(design, child) {
        if r.on_delete.is_some() {
            continue;
        }
        out.push(Finding::new(
            Rule::CascadeUnspecified,
            Location::Relationship(child.id.clone(), r.id.clone()),
            format!(
                "foreign key `{}` from `{}` to `{}` leaves ON DELETE at the default",
                design.relationship_name(r),
                child.name,
                parent.name
            ),
            format!(
                "choose what deleting a {} row does to its {} rows: Restrict (refuse while they exist), Cascade (delete them too), SetNull (keep them, unlinked), SetDefault, or NoAction (refuse, checked at the end of the statement)",
                parent.name, child.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::CascadeUnspecified;
    use crate::core::check::rules::test_support::*;

    fn design(on_delete: &str) -> String {
        format!(
            r#"(name: "users", fields: [(name: "id", type: "uuid", not_null: true)], primary_key: ["id"]),
               (name: "posts", fields: [(name: "id", type: "uuid", not_null: true), (name: "author_id", type: "uuid")],
                primary_key: ["id"], relationships: [(fields: ["author_id"], target: "users"{on_delete})])"#
        )
    }

    #[test]
    fn fires_when_on_delete_is_left_at_the_default() {
        let found = check_finds(
            CascadeUnspecified,
            &design(""),
            &["posts: foreign key posts_author_id_fkey"],
        );
        assert!(found[0].fix.is_none());
        assert!(found[0].hint.contains("Restrict") && found[0].hint.contains("Cascade"));
    }

    #[test]
    fn any_chosen_action_counts_even_no_action() {
        for action in ["NoAction", "Restrict", "Cascade", "SetNull", "SetDefault"] {
            check_ok(
                CascadeUnspecified,
                &design(&format!(", on_delete: {action}")),
            );
        }
    }
}
