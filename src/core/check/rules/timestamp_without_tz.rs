//! `timestamp-without-tz`: a `timestamp` without time zone stores a wall
//! clock reading with no zone, so the same instant reads differently per
//! server or session setting and comparisons across zones go wrong.
//! `timestamptz` stores the instant.

use crate::core::check::{Finding, Rule};
use crate::core::edit::Edit;
use crate::core::ids::IdGen;
use crate::core::model::{Design, Entity, Location, SqlType};

pub fn check_entity(_design: &Design, e: &Entity, _ids: &mut IdGen, out: &mut Vec<Finding>) {
    for f in e.fields.iter().filter(|f| f.ty == SqlType::Timestamp) {
        out.push(
            Finding::new(
                Rule::TimestampWithoutTz,
                Location::Field(e.id.clone(), f.id.clone()),
                format!("`{}.{}` is a timestamp without time zone", e.name, f.name),
                format!(
                    "make {}.{} timestamptz so it records an instant, not a wall-clock reading",
                    e.name, f.name
                ),
            )
            .with_fix(Edit::SetFieldType {
                entity: e.id.clone(),
                field: f.id.clone(),
                ty: SqlType::Timestamptz,
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::core::check::Rule::TimestampWithoutTz;
    use crate::core::check::rules::test_support::*;

    const NAIVE: &str = r#"(name: "events", fields: [(name: "at", type: "timestamp"), (name: "on", type: "date"), (name: "seen_at", type: "timestamp without time zone")])"#;

    #[test]
    fn fires_on_timestamps_without_a_zone() {
        check_finds(TimestampWithoutTz, NAIVE, &["events.at", "events.seen_at"]);
        check_ok(
            TimestampWithoutTz,
            r#"(name: "events", fields: [(name: "at", type: "timestamptz"), (name: "on", type: "date")])"#,
        );
    }

    #[test]
    fn the_fix_makes_it_timestamptz() {
        fix_clears(TimestampWithoutTz, NAIVE);
    }
}
