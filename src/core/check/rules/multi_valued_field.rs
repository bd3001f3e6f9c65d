//! `multi-valued-field` (first normal form): a text field whose name says
//! it holds a list (`tags`, `emails`, `category_ids`) packs many values
//! into one. The database can neither index, constrain nor join them, and
//! every reader must agree on the separator. Rows in a child entity (or a
//! junction, for references) can; an array or jsonb field at least says so
//! openly, so those are left alone.

use crate::core::check::{Finding, Rule};
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, SqlType};

/// Plural names that mean "a list of" when stored as text. A bare "ends in
/// s" would catch `notes`, `status` and `address`, which are single values.
const LIST_NAMES: &[&str] = &[
    "tags",
    "labels",
    "keywords",
    "categories",
    "emails",
    "email_addresses",
    "phones",
    "phone_numbers",
    "addresses",
    "roles",
    "permissions",
    "skills",
    "urls",
    "links",
    "ids",
    "members",
    "recipients",
    "attachments",
    "images",
    "photos",
];

/// Endings that say the same of any name: `product_ids`, `tag_list`.
const LIST_ENDINGS: &[&str] = &["_ids", "_list", "_csv"];

fn names_a_list(name: &str) -> bool {
    super::name_in(name, LIST_NAMES)
        || LIST_ENDINGS
            .iter()
            .any(|end| super::ends_with_ignoring_case(name, end))
}

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    let text_lists = e.fields.iter().filter(|f| {
        matches!(f.ty, SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_))
            && names_a_list(&f.name)
    });
    for f in text_lists {
        out.push(Finding::new(
            Rule::MultiValuedField,
            Location::Field(e.id.clone(), f.id.clone()),
            format!("`{}.{}` is {} but its name says it holds a list", e.name, f.name, f.ty),
            format!(
                "give each value its own row in a child entity of {} (or a junction if they reference rows); if it must stay one field, make it an array",
                e.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::MultiValuedField;
    use crate::core::check::rules::test_support::*;

    #[test]
    fn fires_on_lists_kept_in_text() {
        check_finds(
            MultiValuedField,
            r#"(name: "posts", fields: [(name: "tags", type: "text"), (name: "author_ids", type: "varchar(200)"), (name: "notes", type: "text"), (name: "status", type: "text")])"#,
            &["posts.tags", "posts.author_ids"],
        );
    }

    #[test]
    fn arrays_and_json_say_what_they_are() {
        check_ok(
            MultiValuedField,
            r#"(name: "posts", fields: [(name: "tags", type: "text[]"), (name: "emails", type: "jsonb"), (name: "tag_count", type: "integer")])"#,
        );
    }
}
