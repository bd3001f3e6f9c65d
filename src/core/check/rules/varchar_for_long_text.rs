//! `varchar-for-long-text`: in PostgreSQL `text` and `varchar(n)` are
//! stored alike and perform alike; the length only adds a limit. For prose
//! (a body, a description, notes) or a limit in the thousands, the limit is
//! arbitrary and the first longer text fails the insert, so `text` says
//! what is meant.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, SqlType};

/// Names of fields that hold prose of any length.
const PROSE: &[&str] = &["body", "description", "content", "notes", "bio"];

/// A limit above this is no real limit on a short string.
const LONG: u32 = 1000;

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for f in &e.fields {
        let SqlType::Varchar(Some(n)) = f.ty else {
            continue;
        };
        let prose = super::name_in(&f.name, PROSE);
        if n <= LONG && !prose {
            continue;
        }
        let why = if prose {
            "holds free text"
        } else {
            "has a limit too long to mean anything"
        };
        out.push(
            Finding::new(
                Rule::VarcharForLongText,
                Location::Field(e.id.clone(), f.id.clone()),
                format!("`{}.{}` is {} but {why}", e.name, f.name, f.ty),
                format!(
                    "make {}.{} text; add a check on length({}) if a limit matters",
                    e.name, f.name, f.name
                ),
            )
            .with_fix(Edit::SetFieldType {
                entity: e.id.clone(),
                field: f.id.clone(),
                ty: SqlType::Text,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::VarcharForLongText;
    use crate::core::check::rules::test_support::*;

    const LONG: &str = r#"(name: "posts", fields: [(name: "body", type: "varchar(500)"), (name: "summary", type: "varchar(4000)"),
        (name: "title", type: "varchar(200)"), (name: "slug", type: "varchar(1000)"), (name: "notes", type: "text"), (name: "bio", type: "varchar")])"#;

    #[test]
    fn fires_on_prose_or_a_long_limit_in_a_varchar() {
        check_finds(VarcharForLongText, LONG, &["posts.body", "posts.summary"]);
        check_ok(
            VarcharForLongText,
            r#"(name: "posts", fields: [(name: "body", type: "text"), (name: "title", type: "varchar(200)"), (name: "code", type: "char(2)")])"#,
        );
    }

    #[test]
    fn the_fix_makes_it_text() {
        fix_clears(VarcharForLongText, LONG);
    }
}
