//! `missing-timestamps`: the house style records when each row was made
//! and last changed, which audits and incremental exports rely on.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location};
use crate::core::starter::timestamps;

pub fn check_entity(_design: &Design, e: &Entity, ids: &mut IdGen, out: &mut Vec<Finding>) {
    let has = |name: &str| e.field_named(name).is_some();
    if has("created_at") && has("updated_at") {
        return;
    }
    let missing: Vec<_> = timestamps(ids)
        .into_iter()
        .filter(|f| !has(&f.name))
        .collect();
    let names: Vec<&str> = missing.iter().map(|f| f.name.as_str()).collect();
    let message = format!("`{}` has no {}", e.name, names.join(" or "));
    let at = e.fields.len();
    let fix = Edit::Batch(
        missing
            .into_iter()
            .enumerate()
            .map(|(i, field)| Edit::AddField {
                entity: e.id.clone(),
                field,
                at: at + i,
            })
            .collect(),
    );
    out.push(
        Finding::new(
            Rule::MissingTimestamps,
            Location::Entity(e.id.clone()),
            message,
            "add created_at and updated_at as timestamptz NOT NULL DEFAULT now()",
        )
        .with_fix(fix),
    );
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::MissingTimestamps;
    use crate::core::check::rules::test_support::*;

    const BOTH: &str = r#"(name: "a", fields: [(name: "created_at", type: "timestamptz"), (name: "updated_at", type: "timestamptz")])"#;
    const ONE: &str = r#"(name: "b", fields: [(name: "created_at", type: "timestamptz")])"#;
    const NONE: &str = r#"(name: "c", fields: [(name: "n", type: "text")])"#;

    #[test]
    fn fires_when_either_timestamp_is_missing() {
        check_ok(MissingTimestamps, BOTH);
        check_finds(
            MissingTimestamps,
            &format!("{BOTH}, {ONE}, {NONE}"),
            &["b", "c"],
        );
    }

    #[test]
    fn the_fix_adds_what_is_missing() {
        fix_clears(MissingTimestamps, &format!("{ONE}, {NONE}"));
    }
}
